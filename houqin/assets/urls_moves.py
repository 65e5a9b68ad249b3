"""URLs of the movement, idle pool and disposal pages (appended to ``urls.py``)."""

from django.urls import path

from houqin.assets import views_moves as views

urlpatterns = [
    path("idle/", views.idle_pool, name="idle_pool"),
    path("idle/<int:pk>/request/", views.idle_request, name="idle_request"),
    path("movements/", views.movement_list, name="movement_list"),
    path("movements/new/", views.movement_create, name="movement_create"),
    path("movements/<int:pk>/", views.movement_detail, name="movement_detail"),
    path("movements/<int:pk>/withdraw/", views.movement_withdraw, name="movement_withdraw"),
    path("disposals/", views.disposal_list, name="disposal_list"),
    path("disposals/new/", views.disposal_create, name="disposal_create"),
    path("disposals/<int:pk>/", views.disposal_detail, name="disposal_detail"),
    path(
        "disposals/<int:pk>/appraise/",
        views.disposal_start_appraisal,
        name="disposal_start_appraisal",
    ),
    path("disposals/<int:pk>/submit/", views.disposal_submit, name="disposal_submit"),
    path("disposals/<int:pk>/cancel/", views.disposal_cancel, name="disposal_cancel"),
    path("disposals/<int:pk>/write-off/", views.disposal_write_off, name="disposal_write_off"),
]
