import pytest

from houqin.org.tests.factories import PlaceFactory


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploads land in the test's own folder, never in var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.HOUQIN_ACCEL_REDIRECT_PREFIX = ""


@pytest.fixture
def place(school):
    return PlaceFactory(
        school=school, campus=school.campus_set.get(), building=None, floor=None, code="PX-101"
    )


@pytest.fixture
def foreign_place(other_school):
    return PlaceFactory(
        school=other_school, campus=other_school.campus_set.get(), building=None, floor=None
    )
