from datetime import date

import pytest
from auditlog.models import LogEntry

from houqin.accounts.roles import Position
from houqin.org.models import CalendarDay
from houqin.org.tests.factories import AcademicYearFactory, TermFactory


@pytest.fixture
def principal(school, make_staff):
    return make_staff(school, Position.PRINCIPAL, name="校长")


def _cell(body, day):
    """The grid cell of ``day`` (YYYY-MM-DD) up to the next cell."""
    start = body.index(f'data-day="{day}"')
    end = body.find("data-day=", start + 10)
    return body[start:end]


def test_it_shows_holidays_and_swapped_working_days(login, teacher):
    body = login(teacher).get("/org/calendar/", {"month": "2026-10"}).content.decode()
    assert "2026 年 10 月" in body
    national_day = _cell(body, "2026-10-01")
    assert 'data-workday="0"' in national_day
    assert "国庆节" in national_day
    swapped = _cell(body, "2026-10-10")
    assert 'data-workday="1"' in swapped
    assert "国庆节调休上班" in swapped
    assert "添加调整" not in body


def test_it_shows_teaching_weeks_inside_a_term(login, teacher, school):
    TermFactory(academic_year=AcademicYearFactory(school=school))
    body = login(teacher).get("/org/calendar/", {"month": "2026-09"}).content.decode()
    # 2026-09-07 is the Monday of the second teaching week.
    assert "第2周" in _cell(body, "2026-09-07")
    assert "第" not in _cell(body, "2026-08-31")


def test_it_links_to_the_previous_and_next_months(login, teacher):
    body = login(teacher).get("/org/calendar/", {"month": "2026-01"}).content.decode()
    assert "?month=2025-12" in body
    assert "?month=2026-02" in body


def test_it_falls_back_to_this_month_for_a_bad_month(login, teacher):
    assert login(teacher).get("/org/calendar/", {"month": "2026-13"}).status_code == 200


def test_it_warns_when_the_holiday_package_does_not_cover_the_year(login, teacher):
    client = login(teacher)
    body = client.get("/org/calendar/", {"month": "2099-10"}).content.decode()
    assert "国家法定节假日数据尚未覆盖 2099 年，请管理员录入调休安排" in body
    assert "尚未覆盖" not in client.get("/org/calendar/", {"month": "2026-10"}).content.decode()


def test_it_renders_only_the_month_for_htmx(login, teacher):
    response = login(teacher).get(
        "/org/calendar/", {"month": "2026-10"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert "国庆节" in body
    assert "hq-page-header" not in body


def test_it_shows_the_month_in_few_queries(login, teacher, school, django_assert_max_num_queries):
    for day in range(1, 29):
        CalendarDay.objects.create(
            school=school, day=date(2026, 2, day), is_workday=False, name="寒假"
        )
    client = login(teacher)
    with django_assert_max_num_queries(14):
        response = client.get("/org/calendar/", {"month": "2026-02"})
    assert response.status_code == 200


def test_it_adds_a_school_day_off(login, principal, school):
    client = login(principal)
    response = client.post(
        "/org/calendar/days/new/", {"day": "2026-10-09", "name": "运动会", "school": ""}
    )
    assert response.status_code == 302
    adjustment = CalendarDay.objects.get()
    assert (adjustment.school, adjustment.is_workday) == (school, False)
    cell = _cell(client.get("/org/calendar/", {"month": "2026-10"}).content.decode(), "2026-10-09")
    assert "运动会" in cell
    assert 'data-workday="0"' in cell


def test_it_refuses_a_second_adjustment_on_the_same_day(login, principal, school):
    CalendarDay.objects.create(
        school=school, day=date(2026, 10, 9), is_workday=False, name="运动会"
    )
    response = login(principal).post(
        "/org/calendar/days/new/", {"day": "2026-10-09", "name": "秋游"}
    )
    assert "这一天已有调整记录" in response.content.decode()
    assert CalendarDay.objects.count() == 1


def test_it_edits_and_deletes_a_school_adjustment_with_an_audit_trail(login, principal, school):
    adjustment = CalendarDay.objects.create(
        school=school, day=date(2026, 10, 9), is_workday=False, name="运动会"
    )
    client = login(principal)
    client.post(
        f"/org/calendar/days/{adjustment.pk}/edit/",
        {"day": "2026-10-09", "name": "秋季运动会", "is_workday": ""},
    )
    adjustment.refresh_from_db()
    assert adjustment.name == "秋季运动会"
    response = client.post(f"/org/calendar/days/{adjustment.pk}/delete/")
    assert response.status_code == 302
    assert not CalendarDay.objects.exists()
    deleted = LogEntry.objects.get(action=LogEntry.Action.DELETE)
    assert deleted.actor == principal.user
    assert deleted.additional_data == {"school_id": school.pk}


def test_it_lets_only_a_superuser_change_a_national_adjustment(login, principal):
    national = CalendarDay.objects.create(
        school=None, day=date(2099, 10, 1), is_workday=False, name="国庆节"
    )
    client = login(principal)
    assert client.get(f"/org/calendar/days/{national.pk}/edit/").status_code == 403
    assert client.post(f"/org/calendar/days/{national.pk}/delete/").status_code == 403
    principal.user.is_superuser = True
    principal.user.save()
    response = client.post(
        f"/org/calendar/days/{national.pk}/edit/", {"day": "2099-10-01", "name": "国庆节放假"}
    )
    assert response.status_code == 302
    national.refresh_from_db()
    assert (national.school, national.name) == (None, "国庆节放假")


def test_it_lets_a_superuser_add_a_national_adjustment(login, principal):
    principal.user.is_superuser = True
    principal.user.save()
    login(principal).post(
        "/org/calendar/days/new/",
        {"day": "2099-10-08", "name": "国庆节调休上班", "is_workday": "on", "national": "on"},
    )
    adjustment = CalendarDay.objects.get()
    assert adjustment.school is None
    assert adjustment.is_workday


def test_it_ignores_the_national_box_for_others(login, principal, school):
    login(principal).post(
        "/org/calendar/days/new/", {"day": "2099-10-08", "name": "补课", "national": "on"}
    )
    assert CalendarDay.objects.get().school == school


def test_it_forbids_reading_without_view_org(login, school, make_staff):
    assert login(make_staff(school)).get("/org/calendar/").status_code == 403


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/org/calendar/days/new/"),
        ("get", "/org/calendar/days/{pk}/edit/"),
        ("post", "/org/calendar/days/{pk}/delete/"),
    ],
)
def test_it_forbids_changes_without_the_permission(login, teacher, school, method, url):
    adjustment = CalendarDay.objects.create(
        school=school, day=date(2026, 10, 9), is_workday=False, name="运动会"
    )
    assert getattr(login(teacher), method)(url.format(pk=adjustment.pk)).status_code == 403


@pytest.mark.parametrize(
    ("method", "url"),
    [("get", "/org/calendar/days/{pk}/edit/"), ("post", "/org/calendar/days/{pk}/delete/")],
)
def test_it_hides_another_schools_adjustments(login, principal, other_school, method, url):
    adjustment = CalendarDay.objects.create(
        school=other_school, day=date(2026, 10, 9), is_workday=False, name="别校运动会"
    )
    assert getattr(login(principal), method)(url.format(pk=adjustment.pk)).status_code == 404
    assert CalendarDay.objects.exists()


def test_it_never_shows_another_schools_adjustments(login, teacher, other_school):
    CalendarDay.objects.create(
        school=other_school, day=date(2026, 10, 9), is_workday=False, name="别校运动会"
    )
    body = login(teacher).get("/org/calendar/", {"month": "2026-10"}).content.decode()
    assert "别校运动会" not in body
