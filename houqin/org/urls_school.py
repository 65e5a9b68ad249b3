from django.urls import path

from houqin.org import views_school as views

urlpatterns = [
    path("departments/", views.department_list, name="department_list"),
    path("departments/new/", views.department_create, name="department_create"),
    path("departments/<int:pk>/", views.department_detail, name="department_detail"),
    path("departments/<int:pk>/edit/", views.department_edit, name="department_edit"),
    path("departments/<int:pk>/archive/", views.department_archive, name="department_archive"),
    path("departments/<int:pk>/restore/", views.department_restore, name="department_restore"),
    path("classes/", views.class_list, name="class_list"),
    path("classes/new/", views.class_create, name="class_create"),
    path("classes/<int:pk>/", views.class_detail, name="class_detail"),
    path("classes/<int:pk>/edit/", views.class_edit, name="class_edit"),
    path("classes/<int:pk>/archive/", views.class_archive, name="class_archive"),
    path("classes/<int:pk>/restore/", views.class_restore, name="class_restore"),
    path("grades/new/", views.grade_create, name="grade_create"),
    path("grades/<int:pk>/edit/", views.grade_edit, name="grade_edit"),
    path("grades/<int:pk>/classes/", views.grade_bulk_classes, name="grade_bulk_classes"),
    path("terms/", views.term_list, name="term_list"),
    path("terms/new/", views.term_create, name="term_create"),
    path("terms/<int:pk>/edit/", views.term_edit, name="term_edit"),
    path("years/new/", views.year_create, name="year_create"),
    path("years/<int:pk>/edit/", views.year_edit, name="year_edit"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/days/new/", views.calendar_day_create, name="calendar_day_create"),
    path("calendar/days/<int:pk>/edit/", views.calendar_day_edit, name="calendar_day_edit"),
    path("calendar/days/<int:pk>/delete/", views.calendar_day_delete, name="calendar_day_delete"),
    path("settings/", views.settings, name="settings"),
    path("settings/edit/", views.settings_edit, name="settings_edit"),
]
