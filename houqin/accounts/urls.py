from django.urls import include, path

from houqin.accounts import pickers, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("pick/people/", pickers.people, name="pick_people"),
    path("", include("houqin.accounts.urls_staff")),
    path("security/", include("houqin.accounts.urls_security")),
]
