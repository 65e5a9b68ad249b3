"""The hazard register's statistics, Excel ledger, district view and cameras (appended
to ``urls.py``, so the names are ``hazards:stats``, ``hazards:camera_list`` and so on)."""

from django.urls import path

from houqin.hazards import views_insight as views

urlpatterns = [
    path("stats/", views.stats_page, name="stats"),
    path("ledger.xlsx", views.ledger_export, name="ledger_export"),
    path("district/", views.district_list, name="district"),
    path("district/<int:pk>/", views.district_detail, name="district_detail"),
    path("cameras/", views.camera_list, name="camera_list"),
    path("cameras/new/", views.camera_create, name="camera_create"),
    path("cameras/covers/", views.camera_cover_options, name="camera_cover_options"),
    path("cameras/<int:pk>/", views.camera_detail, name="camera_detail"),
    path("cameras/<int:pk>/edit/", views.camera_edit, name="camera_edit"),
    path("cameras/<int:pk>/archive/", views.camera_archive, name="camera_archive"),
    path("cameras/<int:pk>/restore/", views.camera_restore, name="camera_restore"),
    path("blind-spots/", views.blind_spots, name="blind_spots"),
    path("blind-spots/<int:pk>/report/", views.blind_spot_report, name="blind_spot_report"),
]
