"""Fixtures shared by every app's tests."""

import pytest

from houqin.accounts.roles import Position
from houqin.accounts.tests.factories import StaffFactory
from houqin.org.tests.factories import CampusFactory, SchoolFactory


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    """Tests render templates without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Factories create a login per person; the real hasher would dominate the suite."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files land in the test's own folder, never in var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """Queued tasks run at once, in the test, instead of waiting for a worker."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    }


@pytest.fixture
def school(db):
    school = SchoolFactory(name="善真学校", code="SZ01")
    CampusFactory(school=school, name="本部校区", code="MAIN")
    return school


@pytest.fixture
def other_school(db):
    school = SchoolFactory(name="别的学校", code="OTHER")
    CampusFactory(school=school, name="别校本部", code="MAIN")
    return school


@pytest.fixture
def make_staff(db):
    """``make_staff(school, Position.TEACHER, name="周静")`` → a Staff with a login."""

    def make(school, *positions, **fields):
        return StaffFactory(school=school, positions=list(positions), **fields)

    return make


@pytest.fixture
def manager(school, make_staff):
    return make_staff(school, Position.LOGISTICS_MANAGER, name="周静")


@pytest.fixture
def sysadmin(school, make_staff):
    return make_staff(school, Position.SYSTEM_ADMIN, name="系统管理员")


@pytest.fixture
def teacher(school, make_staff):
    return make_staff(school, Position.TEACHER, name="张老师")


@pytest.fixture
def login(client):
    """``login(staff)`` signs the test client in as that person and returns the client."""

    def sign_in(staff):
        client.force_login(staff.user)
        return client

    return sign_in
