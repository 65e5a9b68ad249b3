from django.urls import path

from houqin.hazards import views
from houqin.hazards.urls_insight import urlpatterns as insight_urlpatterns

app_name = "hazards"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("report/", views.report, name="report"),
    path("tasks/", views.tasks, name="tasks"),
    path("register/", views.register, name="list"),
    path("<int:pk>/", views.detail, name="detail"),
    # One URL per action (assign, regrade, plan, to_repair, rectify, verify, void).
    *(
        path(f"<int:pk>/{action}/", views.act, {"action": action}, name=action)
        for action in views.ACTIONS
    ),
    *insight_urlpatterns,
]
