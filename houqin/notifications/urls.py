from django.urls import path

from houqin.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("open/", views.open_notification, name="open"),
    path("read-all/", views.mark_all_read, name="mark_all_read"),
    path("preferences/", views.preferences, name="preferences"),
    path("robots/", views.robot_list, name="robot_list"),
    path("email-test/", views.email_test, name="email_test"),
    path("robots/new/", views.robot_create, name="robot_create"),
    path("robots/<int:pk>/edit/", views.robot_edit, name="robot_edit"),
    path("robots/<int:pk>/test/", views.robot_test, name="robot_test"),
    path("robots/<int:pk>/archive/", views.robot_archive, name="robot_archive"),
    path("robots/<int:pk>/restore/", views.robot_restore, name="robot_restore"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<int:pk>/", views.outbox_detail, name="outbox_detail"),
    path("outbox/<int:pk>/retry/", views.outbox_retry, name="outbox_retry"),
]
