"""The phone round screen and its sync endpoints (appended to ``urls.py``):
``patrols:round_new``, ``patrols:round_start``, ``patrols:sync``, ``patrols:answer_photo``."""

from django.urls import path

from houqin.patrols import views_phone

urlpatterns = [
    path("new/", views_phone.round_new, name="round_new"),
    path("start/", views_phone.round_start, name="round_start"),
    path("sync/", views_phone.sync, name="sync"),
    path("answers/<uuid:uuid>/photos/", views_phone.answer_photo, name="answer_photo"),
]
