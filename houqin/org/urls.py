from django.urls import path

from houqin.org import views

app_name = "org"
urlpatterns = [
    path("district/", views.district_schools, name="district_schools"),
]
