"""Hazard records for tests/test_tenancy.py: another school's hazard is a 404 on its page
and on every action. Merges the camera and district part (``tenancy_insight.py``)."""

from houqin.hazards import views
from houqin.hazards.tests import tenancy_insight
from houqin.hazards.tests.factories import HazardFactory

OBJECT_URLS = {
    "hazards:detail": ("hazard", "pk"),
    **{f"hazards:{action}": ("hazard", "pk") for action in views.ACTIONS},
    **tenancy_insight.OBJECT_URLS,
}


def objects(school, base):
    return {
        "hazard": HazardFactory(school=school, place=base["place"], reported_by=base["staff"]),
        **tenancy_insight.objects(school, base),
    }
