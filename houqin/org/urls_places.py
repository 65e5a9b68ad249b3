from django.urls import path

from houqin.org import views_places as views

urlpatterns = [
    path("places/", views.place_list, name="place_list"),
    path("places/new/", views.place_create, name="place_create"),
    path("places/<int:pk>/", views.place_detail, name="place_detail"),
    path("places/<int:pk>/edit/", views.place_edit, name="place_edit"),
    path("places/<int:pk>/archive/", views.place_archive, name="place_archive"),
    path("places/<int:pk>/restore/", views.place_restore, name="place_restore"),
    path("campuses/", views.campus_list, name="campus_list"),
    path("campuses/new/", views.campus_create, name="campus_create"),
    path("campuses/<int:pk>/", views.campus_detail, name="campus_detail"),
    path("campuses/<int:pk>/edit/", views.campus_edit, name="campus_edit"),
    path("buildings/", views.building_list, name="building_list"),
    path("buildings/new/", views.building_create, name="building_create"),
    path("buildings/<int:pk>/", views.building_detail, name="building_detail"),
    path("buildings/<int:pk>/edit/", views.building_edit, name="building_edit"),
]
