from django.urls import path

from houqin.imports import views
from houqin.imports.importers import IMPORTERS

app_name = "imports"
urlpatterns = [
    path("", views.index, name="index"),
    path("batches/<int:pk>/", views.preview, name="preview"),
    path("batches/<int:pk>/commit/", views.commit, name="commit"),
]
# One fixed path per kind (reversed with kind=...), so an unknown kind never reaches a view.
for kind in IMPORTERS:
    urlpatterns += [
        path(f"{kind}/", views.upload, {"kind": kind}, name="upload"),
        path(f"{kind}/template/", views.template_download, {"kind": kind}, name="template"),
        path(f"{kind}/export/", views.export, {"kind": kind}, name="export"),
    ]
