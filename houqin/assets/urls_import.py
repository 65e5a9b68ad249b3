"""URLs of the ledger import pages (appended to ``urls.py``)."""

from django.urls import path

from houqin.assets import views_import

urlpatterns = [
    path("import/", views_import.import_index, name="import"),
    path("import/template.xlsx", views_import.import_template, name="import_template"),
    path("import/<str:token>/", views_import.import_mapping, name="import_mapping"),
    path("import/<str:token>/preview/", views_import.import_preview, name="import_preview"),
    path("import/<str:token>/commit/", views_import.import_commit, name="import_commit"),
]
