"""The audit administrator's log: this school's changes, filtered, read-only; 三员分立."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from houqin.accounts.models import Staff
from houqin.accounts.roles import Position
from houqin.org.tests.factories import DepartmentFactory

URL = "/accounts/security/audit/"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def auditor(school, make_staff):
    return make_staff(school, Position.AUDIT_ADMIN, name="审计员")


def results(client, **params):
    return client.get(URL, params, headers={"HX-Request": "true"}).content.decode()


def edit_phone(client, staff, phone):
    return client.post(
        f"/accounts/staff/{staff.pk}/edit/",
        {"name": staff.name, "staff_no": staff.staff_no, "phone": phone},
    )


def test_it_shows_who_changed_what_before_and_after(client, login, sysadmin, teacher, auditor):
    teacher.phone = "13800000001"
    teacher.save()
    edit_phone(login(sysadmin), teacher, "13900000002")
    body = results(login(auditor))
    assert "系统管理员" in body  # who
    assert "张老师" in body  # what record
    assert "手机号" in body
    assert "13800000001" in body and "13900000002" in body


def test_it_names_related_records_not_their_ids(login, sysadmin, teacher, auditor, school):
    department = DepartmentFactory(school=school, name="总务处")
    login(sysadmin).post(
        f"/accounts/staff/{teacher.pk}/edit/",
        {"name": teacher.name, "staff_no": teacher.staff_no, "department": department.pk},
    )
    assert "总务处" in results(login(auditor))


def test_it_shows_the_school_only(login, auditor, other_school, make_staff):
    make_staff(other_school, name="外校人")
    body = results(login(auditor))
    assert "外校人" not in body


def test_it_filters_by_model_actor_and_date(login, sysadmin, teacher, auditor, school):
    DepartmentFactory(school=school, name="总务处")
    edit_phone(login(sysadmin), teacher, "13900000002")
    client = login(auditor)
    staff_type = ContentType.objects.get_for_model(Staff)

    body = results(client, model=staff_type.pk)
    assert "张老师" in body and "总务处" not in body

    body = results(client, actor=sysadmin.pk)
    assert "13900000002" in body
    assert "总务处" not in body  # made by the factory, not by the system administrator

    today = timezone.localdate()
    assert "13900000002" in results(client, date_from=today, date_to=today)
    tomorrow = today + timedelta(days=1)
    assert 'data-testid="audit-row"' not in results(client, date_from=tomorrow)


def test_it_shows_nothing_for_an_actor_of_another_school(login, auditor, other_school, make_staff):
    stranger = make_staff(other_school, name="外校人")
    body = results(login(auditor), actor=stranger.pk)
    assert "外校人" not in body
    assert 'data-testid="audit-row"' not in body


def test_it_lists_newest_first(login, sysadmin, teacher, auditor):
    client = login(sysadmin)
    edit_phone(client, teacher, "13900000001")
    edit_phone(client, teacher, "13900000002")
    body = results(login(auditor))
    assert body.index("<ins>13900000002") < body.index("<ins>13900000001")


def test_it_paginates_in_a_bounded_number_of_queries(
    login, auditor, school, make_staff, django_assert_max_num_queries
):
    department = DepartmentFactory(school=school)
    for _ in range(30):
        make_staff(school, Position.TEACHER, department=department)
    assert LogEntry.objects.count() > 50
    client = login(auditor)
    with django_assert_max_num_queries(20):
        body = results(client)
    assert body.count('data-testid="audit-row"') == 50


def test_it_is_read_only(login, auditor):
    before = LogEntry.objects.count()
    assert login(auditor).post(URL).status_code == 405
    assert LogEntry.objects.count() == before


def test_the_system_administrator_may_not_read_it(login, sysadmin):
    """三员分立: the administrator who changes the data does not read the audit log."""
    assert login(sysadmin).get(URL).status_code == 403


@pytest.mark.parametrize("position", [Position.SECURITY_ADMIN, Position.PRINCIPAL])
def test_other_roles_may_not_read_it(login, school, make_staff, position):
    assert login(make_staff(school, position)).get(URL).status_code == 403


def test_the_nav_shows_it_to_the_audit_administrator_only(login, auditor, sysadmin):
    assert URL in login(auditor).get("/").content.decode()
    assert URL not in login(sysadmin).get("/").content.decode()
