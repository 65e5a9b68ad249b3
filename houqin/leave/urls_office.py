"""The office's leave screens, under ``leave/office/`` in the ``leave`` namespace (no
``app_name`` here: ``houqin/leave/urls.py`` includes these patterns)."""

from django.urls import path

from houqin.leave import views_office as views

urlpatterns = [
    path("", views.office_index, name="office"),
    path("away/", views.office_away, name="office_away"),
    path("cover/", views.cover_list, name="office_cover_list"),
    path("cover/<int:pk>/", views.cover_leave, name="office_cover"),
    path("cover/item/<int:pk>/delete/", views.cover_delete, name="office_cover_delete"),
    path("monthly/", views.monthly, name="office_monthly"),
    path("monthly/export/", views.monthly_export, name="office_monthly_export"),
    path("absences/", views.absence_list, name="office_absences"),
    path("absences/new/", views.absence_create, name="office_absence_create"),
    path("absences/<int:pk>/delete/", views.absence_delete, name="office_absence_delete"),
    path("types/", views.type_list, name="office_types"),
    path("types/new/", views.type_create, name="office_type_create"),
    path("types/<int:pk>/", views.type_edit, name="office_type_edit"),
    path("types/<int:pk>/archive/", views.type_archive, name="office_type_archive"),
    path("types/<int:pk>/restore/", views.type_restore, name="office_type_restore"),
    path("maternity/", views.maternity, name="office_maternity"),
]
