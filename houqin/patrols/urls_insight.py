"""Coverage, rounds done vs scheduled and the inspection ledger (appended to ``urls.py``):
``patrols:coverage``, ``patrols:coverage_place``, ``patrols:stats``, ``patrols:export``."""

from django.urls import path

from houqin.patrols import views_insight

urlpatterns = [
    path("coverage/", views_insight.coverage_page, name="coverage"),
    path("coverage/places/<int:pk>/", views_insight.coverage_place, name="coverage_place"),
    path("stats/", views_insight.stats_page, name="stats"),
    path("export/", views_insight.rounds_export, name="export"),
]
