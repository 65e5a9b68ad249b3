from django.urls import path

from houqin.accounts import views_staff

urlpatterns = [
    path("staff/", views_staff.staff_list, name="staff_list"),
    path("staff/new/", views_staff.staff_create, name="staff_create"),
    path("staff/<int:pk>/", views_staff.staff_detail, name="staff_detail"),
    path("staff/<int:pk>/edit/", views_staff.staff_edit, name="staff_edit"),
    path("staff/<int:pk>/archive/", views_staff.staff_archive, name="staff_archive"),
    path("staff/<int:pk>/restore/", views_staff.staff_restore, name="staff_restore"),
    path("staff/<int:pk>/password/", views_staff.reset_password, name="staff_reset_password"),
    path("staff/<int:pk>/positions/new/", views_staff.appointment_add, name="appointment_add"),
    path(
        "staff/<int:pk>/positions/<int:appointment_pk>/end/",
        views_staff.appointment_end,
        name="appointment_end",
    ),
]
