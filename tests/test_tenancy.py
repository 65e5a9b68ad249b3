"""The school is the boundary: a user of school A gets 404 on every URL that names a
record of school B, and the same URL for a record of school A is found.

Every URL with an id in it must be listed in ``OBJECT_URLS`` (or, with a reason, in
``EXEMPT``): a new URL without a tenancy check fails ``test_it_covers_every_object_url``.

An app may keep its part in ``houqin/<app>/tests/tenancy.py``: ``OBJECT_URLS`` (merged in
below) and ``objects(school, base)`` returning more records by kind, given the ones here.
"""

import importlib
from datetime import date

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from houqin.accounts.roles import Position
from houqin.accounts.tests.factories import StaffFactory
from houqin.imports.models import ImportBatch
from houqin.org.models import CalendarDay
from houqin.org.tests.factories import (
    BuildingFactory,
    DepartmentFactory,
    PlaceFactory,
    SchoolClassFactory,
    TermFactory,
)

EXEMPT = {
    # Django's admin is for the platform's superusers only, who work across schools.
    "admin:*",
    # django.conf.urls.i18n: no record.
    "set_language",
}


def _objects(school):
    """One record of each kind, in ``school``, for the URLs to name."""
    campus = school.campus_set.first()
    building = BuildingFactory(school=school, campus=campus)
    place = PlaceFactory(
        school=school, campus=campus, building=building, floor=building.floors.first()
    )
    staff = StaffFactory(school=school, positions=[Position.TEACHER])
    batch = ImportBatch.objects.create(
        school=school, kind="people", created_by=staff.user, file="imports/x.xlsx"
    )
    base = {
        "import_batch": batch,
        "calendar_day": CalendarDay.objects.create(
            school=school, day=date(2026, 10, 9), is_workday=False, name="运动会"
        ),
        "campus": campus,
        "building": building,
        "place": place,
        "department": DepartmentFactory(school=school),
        "class": SchoolClassFactory(school=school, grade__campus=campus, grade__school=school),
        "term": TermFactory(school=school, academic_year__school=school),
        "staff": staff,
        "appointment": staff.appointments.first(),
    }
    for module in APP_MODULES:
        base.update(module.objects(school, base))
    return base


# url name → (kind of record, kwarg name) or a function(objects) → kwargs
OBJECT_URLS = {
    "org:place_detail": ("place", "pk"),
    "org:place_edit": ("place", "pk"),
    "org:place_archive": ("place", "pk"),
    "org:place_restore": ("place", "pk"),
    "org:campus_detail": ("campus", "pk"),
    "org:campus_edit": ("campus", "pk"),
    "org:building_detail": ("building", "pk"),
    "org:building_edit": ("building", "pk"),
    "accounts:staff_detail": ("staff", "pk"),
    "accounts:staff_edit": ("staff", "pk"),
    "accounts:staff_archive": ("staff", "pk"),
    "accounts:staff_restore": ("staff", "pk"),
    "accounts:staff_reset_password": ("staff", "pk"),
    "accounts:appointment_add": ("staff", "pk"),
    "accounts:appointment_end": lambda o: {
        "pk": o["staff"].pk,
        "appointment_pk": o["appointment"].pk,
    },
    "org:department_detail": ("department", "pk"),
    "org:department_edit": ("department", "pk"),
    "org:department_archive": ("department", "pk"),
    "org:department_restore": ("department", "pk"),
    "org:class_detail": ("class", "pk"),
    "org:class_edit": ("class", "pk"),
    "org:class_archive": ("class", "pk"),
    "org:class_restore": ("class", "pk"),
    "org:grade_edit": lambda o: {"pk": o["class"].grade_id},
    "org:grade_bulk_classes": lambda o: {"pk": o["class"].grade_id},
    "org:term_edit": ("term", "pk"),
    "org:year_edit": lambda o: {"pk": o["term"].academic_year_id},
    "org:calendar_day_edit": ("calendar_day", "pk"),
    "org:calendar_day_delete": ("calendar_day", "pk"),
    "imports:preview": ("import_batch", "pk"),
    "imports:commit": ("import_batch", "pk"),
}


APP_MODULES = []
for _app in (
    "approvals",
    "notifications",
    "schedules",
    "files",
    "qr",
    "repairs",
    "leave",
    "hazards",
    "patrols",
    "assets",
    "stocktakes",
    "supplies",
):
    try:
        _module = importlib.import_module(f"houqin.{_app}.tests.tenancy")
    except ModuleNotFoundError:
        continue
    APP_MODULES.append(_module)
    OBJECT_URLS.update(_module.OBJECT_URLS)


def _iter_patterns(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _iter_patterns(entry, namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{prefix}{entry.name}", entry


def _object_url_names():
    names = set()
    for name, pattern in _iter_patterns(get_resolver()):
        if pattern.pattern.converters or "(?P<" in str(pattern.pattern):
            names.add(name)
    return names


def _exempt(name):
    return name in EXEMPT or any(
        rule.endswith("*") and name.startswith(rule[:-1]) for rule in EXEMPT
    )


def test_it_covers_every_object_url():
    uncovered = sorted(
        name for name in _object_url_names() if name not in OBJECT_URLS and not _exempt(name)
    )
    assert uncovered == [], f"add these URLs to OBJECT_URLS: {uncovered}"


def _kwargs(spec, objects):
    if callable(spec):
        return spec(objects)
    kind, kwarg = spec
    return {kwarg: objects[kind].pk}


@pytest.fixture
def superstaff(school):
    """A user of school A holding every school position, so only tenancy can refuse."""
    positions = [p for p in Position.values if p != Position.DISTRICT_OFFICER]
    return StaffFactory(school=school, positions=positions, name="全权用户")


@pytest.mark.parametrize("name", sorted(OBJECT_URLS))
def test_it_hides_other_schools_records(name, client, school, other_school, superstaff):
    mine, theirs = _objects(school), _objects(other_school)
    client.force_login(superstaff.user)
    spec = OBJECT_URLS[name]

    other_url = reverse(name, kwargs=_kwargs(spec, theirs))
    # A POST-only URL may refuse a GET (405) before looking anything up; that reveals nothing.
    assert client.get(other_url).status_code in (404, 405), other_url
    assert client.post(other_url, {}).status_code == 404, other_url

    own_url = reverse(name, kwargs=_kwargs(spec, mine))
    assert client.get(own_url).status_code != 404, own_url
