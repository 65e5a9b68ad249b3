"""Camera, blind-spot and district URLs for tests/test_tenancy.py (merged by
``tenancy.py``): another school's camera or place is a 404.

``hazards:district_detail`` reads across the schools of a district by design; for a
person of a school it names only their own school's 重大 hazards, so another school's is
a 404 here too. That a district officer of another district gets a 404 is tested in
``test_district.py``."""

from houqin.hazards.models import Camera
from houqin.hazards.tests.factories import HazardFactory

OBJECT_URLS = {
    "hazards:camera_detail": ("camera", "pk"),
    "hazards:camera_edit": ("camera", "pk"),
    "hazards:camera_archive": ("camera", "pk"),
    "hazards:camera_restore": ("camera", "pk"),
    "hazards:blind_spot_report": ("place", "pk"),
    "hazards:district_detail": ("major_hazard", "pk"),
}


def objects(school, base):
    camera = Camera.objects.create(school=school, name="南门枪机", place=base["place"])
    camera.covers.add(base["place"])
    return {
        "camera": camera,
        "major_hazard": HazardFactory(
            school=school, place=base["place"], reported_by=base["staff"], major=True
        ),
    }
