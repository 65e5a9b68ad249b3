from django.urls import path

from houqin.patrols import views
from houqin.patrols.urls_insight import urlpatterns as insight_urlpatterns
from houqin.patrols.urls_phone import urlpatterns as phone_urlpatterns

app_name = "patrols"

urlpatterns = [
    path("", views.today, name="today"),
    path("rounds/", views.round_list, name="round_list"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("expected/", views.expected_list, name="expected_list"),
    path("checklists/", views.checklist_list, name="checklist_list"),
    path("checklists/new/", views.checklist_create, name="checklist_create"),
    path("checklists/<int:pk>/", views.checklist_detail, name="checklist_detail"),
    path("checklists/<int:pk>/edit/", views.checklist_edit, name="checklist_edit"),
    path("checklists/<int:pk>/publish/", views.checklist_publish, name="checklist_publish"),
    path("checklists/<int:pk>/revise/", views.checklist_revise, name="checklist_revise"),
    path("checklists/<int:pk>/archive/", views.checklist_archive, name="checklist_archive"),
    path("checklists/<int:pk>/restore/", views.checklist_restore, name="checklist_restore"),
    path("checklists/<int:pk>/items/new/", views.item_create, name="item_create"),
    path("versions/<int:pk>/", views.version_detail, name="version_detail"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/delete/", views.item_delete, name="item_delete"),
    path("items/<int:pk>/move/", views.item_move, name="item_move"),
    path("routes/", views.route_list, name="route_list"),
    path("routes/new/", views.route_create, name="route_create"),
    path("routes/<int:pk>/", views.route_detail, name="route_detail"),
    path("routes/<int:pk>/edit/", views.route_edit, name="route_edit"),
    path("routes/<int:pk>/archive/", views.route_archive, name="route_archive"),
    path("routes/<int:pk>/restore/", views.route_restore, name="route_restore"),
    path("routes/<int:pk>/checkpoints/", views.checkpoint_add, name="checkpoint_add"),
    path("checkpoints/<int:pk>/move/", views.checkpoint_move, name="checkpoint_move"),
    path("checkpoints/<int:pk>/remove/", views.checkpoint_remove, name="checkpoint_remove"),
    path(
        "checkpoints/<int:pk>/checklist/", views.checkpoint_checklist, name="checkpoint_checklist"
    ),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/archive/", views.plan_archive, name="plan_archive"),
    path("plans/<int:pk>/restore/", views.plan_restore, name="plan_restore"),
    *insight_urlpatterns,
    *phone_urlpatterns,
]
