from django.urls import path

from houqin.assets import views
from houqin.assets.urls_import import urlpatterns as import_urlpatterns
from houqin.assets.urls_moves import urlpatterns as moves_urlpatterns
from houqin.assets.urls_reports import urlpatterns as reports_urlpatterns

app_name = "assets"

urlpatterns = [
    path("", views.asset_list, name="list"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.asset_create, name="create"),
    path("export.xlsx", views.export_cards, name="export"),
    path("labels/", views.labels, name="labels"),
    path("progress/", views.progress, name="progress"),
    path("pick/categories/", views.pick_categories, name="pick_categories"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.asset_edit, name="edit"),
    path("<int:pk>/status/", views.asset_status, name="status"),
    path("acceptances/", views.acceptance_list, name="acceptance_list"),
    path("acceptances/new/", views.acceptance_create, name="acceptance_create"),
    path("acceptances/<int:pk>/", views.acceptance_detail, name="acceptance_detail"),
    path("acceptances/<int:pk>/edit/", views.acceptance_edit, name="acceptance_edit"),
    path("acceptances/<int:pk>/lines/new/", views.line_create, name="acceptance_line_create"),
    path(
        "acceptances/<int:pk>/lines/<int:line_pk>/edit/",
        views.line_edit,
        name="acceptance_line_edit",
    ),
    path("acceptances/<int:pk>/accept/", views.acceptance_accept, name="acceptance_accept"),
    path("acceptances/<int:pk>/reject/", views.acceptance_reject, name="acceptance_reject"),
    *reports_urlpatterns,
    *moves_urlpatterns,
    *import_urlpatterns,
]
