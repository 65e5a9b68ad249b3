"""Who sees which hazards: the school is the boundary; the register's managers and the
principal see the whole school (a campus-limited manager, their campus); everyone else
only what they reported or must rectify. The photos follow the same rules."""

import pytest
from django.http import Http404

from houqin.accounts.models import Appointment
from houqin.accounts.roles import Position
from houqin.files import registry
from houqin.hazards import access
from houqin.hazards.models import Status
from houqin.hazards.tests.factories import HazardFactory
from houqin.org.tests.factories import BuildingFactory, CampusFactory, PlaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reported(school, teacher):
    return HazardFactory(school=school, reported_by=teacher)


@pytest.fixture
def owned(school, teacher):
    return HazardFactory(school=school, owner=teacher, status=Status.RECTIFYING)


@pytest.fixture
def strangers(school):
    return HazardFactory(school=school)


@pytest.fixture
def theirs(other_school):
    return HazardFactory(school=other_school)


def visible(user):
    return set(access.visible_hazards(user))


def test_a_teacher_sees_what_they_reported_or_own(teacher, reported, owned, strangers, theirs):
    assert visible(teacher.user) == {reported, owned}
    assert access.can_view(teacher.user, reported) and access.can_view(teacher.user, owned)
    assert not access.can_view(teacher.user, strangers)
    assert not access.can_view(teacher.user, theirs)


@pytest.mark.parametrize(
    "position", [Position.LOGISTICS_MANAGER, Position.PRINCIPAL, Position.VICE_PRINCIPAL]
)
def test_the_register_holders_see_the_whole_school(
    school, make_staff, position, reported, owned, strangers, theirs
):
    person = make_staff(school, position)
    assert visible(person.user) == {reported, owned, strangers}
    assert access.is_manager(person.user)
    assert access.can_manage(person.user) == (position == Position.LOGISTICS_MANAGER)
    assert not access.can_view(person.user, theirs)


def test_a_campus_manager_sees_their_campus(school, make_staff, teacher):
    main = school.campus_set.get(code="MAIN")
    north = CampusFactory(school=school, name="北校区", code="NORTH")
    north_building = BuildingFactory(school=school, campus=north)
    north_place = PlaceFactory(
        school=school, campus=north, building=north_building, floor=north_building.floors.first()
    )
    limited = make_staff(school, name="本部主任")
    Appointment.objects.create(staff=limited, position=Position.LOGISTICS_MANAGER, campus=main)
    on_main = HazardFactory(school=school)
    on_north = HazardFactory(place=north_place)
    nowhere = HazardFactory(school=school, place=None, location_note="校车")
    mine_on_north = HazardFactory(place=north_place, reported_by=limited)
    assert visible(limited.user) == {on_main, nowhere, mine_on_north}
    assert not access.can_view(limited.user, on_north)


def test_the_one_lookup_is_a_404_outside_what_one_sees(rf, teacher, reported, strangers, theirs):
    request = rf.get("/")
    request.user = teacher.user
    assert access.get_visible_or_404(request, reported.pk) == reported
    for pk in (strangers.pk, theirs.pk, "x", None):
        with pytest.raises(Http404):
            access.get_visible_or_404(request, pk)


def test_nobody_without_a_school_sees_anything(reported):
    from houqin.accounts.tests.factories import StaffFactory
    from houqin.org.tests.factories import DistrictFactory

    officer = StaffFactory(
        school=None, district=DistrictFactory(), positions=[Position.DISTRICT_OFFICER]
    )
    assert visible(officer.user) == set()
    assert not access.can_view(officer.user, reported)


def test_the_photos_follow_who_sees_the_hazard(school, teacher, manager, make_staff, owned):
    stranger = make_staff(school, Position.TEACHER)
    for person in (teacher, manager, owned.reported_by):
        assert registry.can_view(person.user, owned) and registry.can_add(person.user, owned)
    assert not registry.can_view(stranger.user, owned)
    assert not registry.can_add(stranger.user, owned)
    assert registry.can_remove(manager.user, owned) and not registry.can_remove(teacher.user, owned)
    owned.status = Status.CLOSED
    assert not registry.can_add(teacher.user, owned) and not registry.can_add(manager.user, owned)
