from django.urls import path

from houqin.stocktakes import views

app_name = "stocktakes"

urlpatterns = [
    path("", views.stocktake_list, name="list"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/counters/", views.counter_add, name="counter_add"),
    path(
        "<int:pk>/counters/<int:counter_pk>/remove/",
        views.counter_remove,
        name="counter_remove",
    ),
    path("<int:pk>/start/", views.start, name="start"),
    path("<int:pk>/count/", views.count, name="count"),
    path("<int:pk>/sync/", views.sync, name="sync"),
    path(
        "<int:pk>/scans/<uuid:scan_uuid>/photo/",
        views.scan_photo,
        name="scan_photo",
    ),
    path("<int:pk>/end/", views.end, name="end"),
    path("<int:pk>/differences/", views.differences, name="differences"),
    path(
        "<int:pk>/differences/<int:difference_pk>/",
        views.difference_edit,
        name="difference_edit",
    ),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/report.xlsx", views.export_xlsx, name="export_xlsx"),
    path("<int:pk>/report.pdf", views.export_pdf, name="export_pdf"),
]
