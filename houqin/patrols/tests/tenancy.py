"""Patrol records for tests/test_tenancy.py: another school's round, checklist, version,
item, route, checkpoint and plan are a 404 on every URL that names them. Merges the phone
part (``tenancy_phone.py``) and the coverage part (``tenancy_insight.py``)."""

from houqin.patrols.models import ChecklistVersion
from houqin.patrols.tests import tenancy_insight, tenancy_phone
from houqin.patrols.tests.factories import (
    ChecklistFactory,
    PlanFactory,
    RoundFactory,
    RouteFactory,
)

OBJECT_URLS = {
    "patrols:round_detail": ("patrol_round", "pk"),
    "patrols:version_detail": ("patrol_version", "pk"),
    "patrols:item_create": ("patrol_checklist", "pk"),
    "patrols:item_edit": ("patrol_item", "pk"),
    "patrols:item_delete": ("patrol_item", "pk"),
    "patrols:item_move": ("patrol_item", "pk"),
    "patrols:checkpoint_add": ("patrol_route", "pk"),
    "patrols:checkpoint_move": ("patrol_checkpoint", "pk"),
    "patrols:checkpoint_remove": ("patrol_checkpoint", "pk"),
    "patrols:checkpoint_checklist": ("patrol_checkpoint", "pk"),
    **{
        f"patrols:checklist_{action}": ("patrol_checklist", "pk")
        for action in ("detail", "edit", "publish", "revise", "archive", "restore")
    },
    **{
        f"patrols:route_{action}": ("patrol_route", "pk")
        for action in ("detail", "edit", "archive", "restore")
    },
    **{
        f"patrols:plan_{action}": ("patrol_plan", "pk")
        for action in ("detail", "edit", "archive", "restore")
    },
    **tenancy_phone.OBJECT_URLS,
    **tenancy_insight.OBJECT_URLS,
}


def objects(school, base):
    checklist = ChecklistFactory(school=school, published=False)
    draft = ChecklistVersion.objects.get(checklist=checklist)
    route = RouteFactory(school=school, places=[base["place"]])
    return {
        "patrol_checklist": checklist,
        "patrol_version": draft,
        "patrol_item": draft.items.first(),
        "patrol_route": route,
        "patrol_checkpoint": route.checkpoints.get(),
        "patrol_plan": PlanFactory(route=route, patrollers=[base["staff"]]),
        "patrol_round": RoundFactory(school=school, route=route, patroller=base["staff"]),
        **tenancy_phone.objects(school, base),
        **tenancy_insight.objects(school, base),
    }
