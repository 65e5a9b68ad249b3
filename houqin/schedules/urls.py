from django.urls import path

from houqin.schedules import views

app_name = "schedules"

urlpatterns = [
    path("", views.schedule_list, name="list"),
    path("new/", views.schedule_create, name="create"),
    path("preview/", views.schedule_preview, name="preview"),
    path("<int:pk>/", views.schedule_detail, name="detail"),
    path("<int:pk>/edit/", views.schedule_edit, name="edit"),
    path("<int:pk>/pause/", views.schedule_pause, name="pause"),
    path("<int:pk>/resume/", views.schedule_resume, name="resume"),
    path("<int:pk>/run/", views.schedule_run_now, name="run_now"),
    path("<int:pk>/archive/", views.schedule_archive, name="archive"),
    path("<int:pk>/restore/", views.schedule_restore, name="restore"),
    path("<int:pk>/runs/<int:run_pk>/retry/", views.run_retry, name="retry"),
]
