from django.urls import include, path

from houqin.repairs import views

app_name = "repairs"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("report/", views.report, name="report"),
    path("report/similar/", views.similar, name="similar"),
    path("queue/", views.queue, name="queue"),
    path("jobs/", views.jobs, name="jobs"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/join/", views.join, name="join"),
    # One URL per action (assign, accept, start, …, cancel): repairs:<action>.
    *(
        path(f"<int:pk>/{action}/", views.act, {"action": action}, name=action)
        for action in views.ACTIONS
    ),
    path("settings/vendors/", views.vendor_list, name="vendor_list"),
    path("settings/vendors/new/", views.vendor_create, name="vendor_create"),
    path("settings/vendors/<int:pk>/edit/", views.vendor_edit, name="vendor_edit"),
    path("settings/vendors/<int:pk>/archive/", views.vendor_archive, name="vendor_archive"),
    path("settings/vendors/<int:pk>/restore/", views.vendor_restore, name="vendor_restore"),
    path("settings/rules/", views.rule_list, name="rule_list"),
    path("settings/rules/new/", views.rule_create, name="rule_create"),
    path("settings/rules/<int:pk>/edit/", views.rule_edit, name="rule_edit"),
    path("settings/rules/<int:pk>/delete/", views.rule_delete, name="rule_delete"),
    path("settings/deadlines/", views.deadline_list, name="deadline_list"),
    path("settings/deadlines/new/", views.deadline_create, name="deadline_create"),
    path("settings/deadlines/<int:pk>/edit/", views.deadline_edit, name="deadline_edit"),
    path("settings/deadlines/<int:pk>/delete/", views.deadline_delete, name="deadline_delete"),
    path("stats/", include("houqin.repairs.urls_stats")),
]
