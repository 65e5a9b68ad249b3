"""报修统计 and the Excel exports; included by ``repairs/urls.py`` under ``stats/``, so the
names are ``repairs:stats``, ``repairs:stats_export`` and ``repairs:requests_export``."""

from django.urls import path

from houqin.repairs import views_stats

urlpatterns = [
    path("", views_stats.stats_page, name="stats"),
    path("export/", views_stats.stats_export, name="stats_export"),
    path("requests.xlsx", views_stats.requests_export, name="requests_export"),
]
