from django.urls import path

from houqin.approvals import views, views_flows

app_name = "approvals"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("done/", views.done, name="done"),
    path("mine/", views.mine, name="mine"),
    path("<int:pk>/", views.request_detail, name="request_detail"),
    path("<int:pk>/act/", views.request_act, name="request_act"),
    path("delegations/", views.delegation_list, name="delegation_list"),
    path("delegations/<int:pk>/end/", views.delegation_end, name="delegation_end"),
    path("flows/", views_flows.flow_list, name="flow_list"),
    path("flows/new/", views_flows.flow_create, name="flow_create"),
    path("flows/simulate/", views_flows.flow_simulate, name="flow_simulate"),
    path("flows/<int:pk>/", views_flows.flow_detail, name="flow_detail"),
    path("flows/<int:pk>/edit/", views_flows.flow_edit, name="flow_edit"),
    path("flows/<int:pk>/archive/", views_flows.flow_archive, name="flow_archive"),
    path("flows/<int:pk>/restore/", views_flows.flow_restore, name="flow_restore"),
]
