"""辖区资产 and the reports (appended to ``urls.py``): ``assets:district``,
``assets:district_summary``, ``assets:depreciation_report`` / ``_export`` and
``assets:ledger_report`` / ``_export``."""

from django.urls import path

from houqin.assets import views_reports

urlpatterns = [
    path("district/", views_reports.district_list, name="district"),
    path("district/summary/", views_reports.district_summary, name="district_summary"),
    path("reports/depreciation/", views_reports.depreciation_page, name="depreciation_report"),
    path(
        "reports/depreciation.xlsx", views_reports.depreciation_export, name="depreciation_export"
    ),
    path("reports/ledger/", views_reports.ledger_page, name="ledger_report"),
    path("reports/ledger.xlsx", views_reports.ledger_export, name="ledger_export"),
]
