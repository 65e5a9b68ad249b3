from django.urls import include, path

from houqin.org import pickers, views

app_name = "org"
urlpatterns = [
    path("district/", views.district_schools, name="district_schools"),
    path("pick/places/", pickers.places, name="pick_places"),
    path("", include("houqin.org.urls_places")),
    path("", include("houqin.org.urls_school")),
]
