import pytest

from houqin.accounts.roles import Position
from houqin.org.tests.factories import BuildingFactory, FloorFactory, PlaceFactory
from houqin.qr import registry


@pytest.fixture
def building(school):
    return BuildingFactory(school=school, campus=school.campus_set.first(), name="教学楼A")


@pytest.fixture
def place(building):
    floor = FloorFactory(building=building, level=3)
    return PlaceFactory(floor=floor, name="三年级二班教室", code="A301")


@pytest.fixture
def other_place(other_school):
    building = BuildingFactory(school=other_school, campus=other_school.campus_set.first())
    return PlaceFactory(floor=FloorFactory(building=building), code="A301")


@pytest.fixture
def cleaner(school, make_staff):
    """Someone with no label permission: reads places, prints nothing."""
    return make_staff(school, Position.CLEANING_STAFF, name="保洁员")


@pytest.fixture
def registry_snapshot():
    """Kinds and purposes registered by a test are removed after it."""
    kinds, purposes = dict(registry._kinds), dict(registry._purposes)
    yield
    registry._kinds.clear()
    registry._kinds.update(kinds)
    registry._purposes.clear()
    registry._purposes.update(purposes)
