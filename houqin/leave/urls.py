from django.urls import include, path

from houqin.leave import views

app_name = "leave"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("apply/", views.apply, name="apply"),
    path("apply/count/", views.count, name="count"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/change/", views.change, name="change"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/report-back/", views.report_back, name="report_back"),
    path("slips/new/", views.slip_apply, name="slip_apply"),
    path("slips/<int:pk>/", views.slip_detail, name="slip_detail"),
    path("slips/<int:pk>/cancel/", views.slip_cancel, name="slip_cancel"),
    path("gate/", views.gate, name="gate"),
    path("gate/<int:pk>/", views.gate_slip, name="gate_slip"),
    path("gate/<int:pk>/out/", views.gate_out, name="gate_out"),
    path("gate/<int:pk>/back/", views.gate_back, name="gate_back"),
    path("office/", include("houqin.leave.urls_office")),
]
