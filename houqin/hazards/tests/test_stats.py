"""隐患统计: open hazards by building, domain and grade; overdue; time to close; the
monthly trend; the period chosen; and the page."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from houqin.accounts.roles import Position
from houqin.hazards import stats
from houqin.hazards.forms_insight import StatsPeriodForm
from houqin.hazards.models import Domain, Grade, Hazard, Status
from houqin.hazards.tests.factories import HazardFactory
from houqin.org.models import Campus
from houqin.org.tests.factories import (
    AcademicYearFactory,
    BuildingFactory,
    FloorFactory,
    PlaceFactory,
    TermFactory,
)

URL = reverse("hazards:stats")
TODAY = date(2026, 3, 20)
MARCH = (date(2026, 3, 1), date(2026, 3, 31))


def at(year, month, day, hour=9, minute=0):
    return timezone.make_aware(datetime(year, month, day, hour, minute))


def _summary(school, start=MARCH[0], end=MARCH[1], today=TODAY):
    return stats.summarize(Hazard.objects.filter(school=school), start=start, end=end, today=today)


@pytest.fixture
def buildings(school):
    """Two buildings with a place each (and a second place in the first)."""
    campus = Campus.objects.get(school=school)
    teaching = BuildingFactory(campus=campus, name="沛学楼")
    floor = FloorFactory(building=teaching)
    canteen = BuildingFactory(campus=campus, name="食堂楼")
    return {
        "teaching": teaching,
        "room": PlaceFactory(floor=floor, name="301教室"),
        "stairs": PlaceFactory(floor=floor, name="东楼梯"),
        "canteen": canteen,
        "kitchen": PlaceFactory(floor=FloorFactory(building=canteen), name="后厨"),
    }


def _closed(school, place, *, domain, reported_at, closed_at):
    return HazardFactory(
        school=school,
        place=place,
        domain=domain,
        closed=True,
        reported_at=reported_at,
        rectified_at=closed_at - timedelta(hours=2),
        verified_at=closed_at,
        closed_at=closed_at,
    )


def test_it_counts_open_hazards_by_building_domain_and_grade(school, buildings):
    room, stairs, kitchen = buildings["room"], buildings["stairs"], buildings["kitchen"]
    # Overdue: still being fixed, deadline passed.
    HazardFactory(place=room, domain=Domain.FIRE, rectifying=True, deadline=date(2026, 3, 10))
    HazardFactory(place=stairs, domain=Domain.BUILDINGS, major=True)
    # Fixed, waiting for verification past its deadline: the fixer is not late.
    HazardFactory(place=kitchen, domain=Domain.FOOD, rectified=True, deadline=date(2026, 3, 1))
    HazardFactory(school=school, place=None, location_note="校门外人行道", domain=Domain.OTHER)
    _closed(
        school,
        room,
        domain=Domain.FIRE,
        reported_at=at(2026, 3, 2),
        closed_at=at(2026, 3, 4),
    )
    HazardFactory(place=room, domain=Domain.FIRE, status=Status.VOID, void_reason="重复上报")

    result = _summary(school)

    assert result.open == 4
    assert result.overdue == 1
    assert result.overdue_rate == 25.0
    assert result.major_open == 1
    assert result.unassigned == 2
    assert result.awaiting_verification == 1
    assert [(row.label, row.count, row.overdue, row.major) for row in result.by_building] == [
        ("沛学楼", 2, 1, 1),
        ("食堂楼", 1, 0, 0),
        ("未指定楼宇", 1, 0, 0),
    ]
    assert result.by_building[0].filters == {"building": buildings["teaching"].pk}
    assert result.by_building[0].bar == 100.0
    assert result.by_building[-1].filters == {}
    domains = {row.key: (row.count, row.overdue) for row in result.by_domain}
    assert len(domains) == len(Domain.choices)  # every domain, even with none open
    assert domains[Domain.FIRE] == (1, 1)
    assert domains[Domain.FOOD] == (1, 0)
    assert domains[Domain.SECURITY] == (0, 0)
    assert [(row.key, row.count) for row in result.by_grade] == [
        (Grade.GENERAL, 3),
        (Grade.MAJOR, 1),
    ]
    assert result.by_grade[1].filters == {"grade": Grade.MAJOR}


def test_it_measures_time_to_close_by_median_and_average(school, buildings):
    room, kitchen = buildings["room"], buildings["kitchen"]
    start = at(2026, 3, 2)
    for days in (2, 4, 9):
        _closed(
            school,
            room,
            domain=Domain.FIRE,
            reported_at=start,
            closed_at=start + timedelta(days=days),
        )
    _closed(
        school,
        kitchen,
        domain=Domain.FOOD,
        reported_at=start,
        closed_at=start + timedelta(hours=36),
    )
    # Closed before the period: not counted.
    _closed(
        school,
        kitchen,
        domain=Domain.FOOD,
        reported_at=at(2026, 1, 5),
        closed_at=at(2026, 2, 25),
    )

    result = _summary(school)

    assert result.closed == 4
    assert result.median_days == 3.0  # 1.5, 2, 4, 9
    assert result.average_days == 4.1  # 16.5 / 4
    assert [(r.key, r.closed, r.median_days, r.average_days) for r in result.close_by_domain] == [
        (Domain.FIRE, 3, 4.0, 5.0),
        (Domain.FOOD, 1, 1.5, 1.5),
    ]


def test_it_says_nothing_was_closed(school):
    result = _summary(school)

    assert result.closed == 0
    assert result.median_days is None and result.average_days is None
    assert result.close_by_domain == []


def test_it_draws_the_monthly_trend_of_found_and_closed(school, buildings):
    room = buildings["room"]
    HazardFactory(place=room, reported_at=at(2026, 1, 12))
    HazardFactory(place=room, reported_at=at(2026, 3, 1, 0, 30))  # just after midnight, local
    HazardFactory(place=room, reported_at=at(2026, 3, 18))
    HazardFactory(place=room, reported_at=at(2026, 3, 19), status=Status.VOID)
    _closed(school, room, domain=Domain.FIRE, reported_at=at(2026, 2, 27), closed_at=at(2026, 3, 3))

    result = _summary(school)

    assert [row.month for row in result.trend] == [
        date(2025, 10, 1),
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 3, 1),
    ]
    assert [(row.found, row.closed) for row in result.trend[-3:]] == [(1, 0), (1, 0), (2, 1)]
    assert result.trend[-1].found_bar == 100.0
    assert result.trend[-1].closed_bar == 50.0
    assert result.found == 2  # March, the voided one aside
    assert result.closed == 1


def test_it_spans_the_trend_over_a_long_period():
    months = stats.trend_months(date(2025, 9, 1), date(2026, 8, 31))

    assert len(months) == 12
    assert months[0] == date(2025, 9, 1) and months[-1] == date(2026, 8, 1)


def test_it_takes_the_current_term_by_default(school):
    year = AcademicYearFactory(
        school=school, name="2025-2026", start=date(2025, 8, 1), end=date(2026, 7, 31)
    )
    TermFactory(academic_year=year, name="第一学期", start=date(2025, 9, 1), end=date(2026, 1, 20))
    TermFactory(academic_year=year, name="第二学期", start=date(2026, 2, 23), end=date(2026, 7, 3))

    period = StatsPeriodForm(school=school, today=TODAY).resolve()

    assert (period.start, period.end) == (date(2026, 2, 23), date(2026, 7, 3))
    assert period.label == "2025-2026 第二学期"


def test_it_falls_back_to_this_month_without_terms(school):
    form = StatsPeriodForm({"period": "term"}, school=school, today=TODAY)

    period = form.resolve()

    assert (period.start, period.end) == MARCH
    assert form.note == "本校还没有设置学期，先按本月统计。"


def test_it_takes_a_custom_period_and_refuses_a_backward_one(school):
    good = StatsPeriodForm(
        {"period": "custom", "start": "2026-03-02", "end": "2026-03-06"},
        school=school,
        today=TODAY,
    )
    assert (good.resolve().start, good.resolve().end) == (date(2026, 3, 2), date(2026, 3, 6))

    backward = StatsPeriodForm(
        {"period": "custom", "start": "2026-03-06", "end": "2026-03-02"},
        school=school,
        today=TODAY,
    )
    assert backward.resolve().start == MARCH[0]  # this month: the school has no term
    assert backward.errors["end"] == ["结束日期不能早于开始日期。"]


def test_it_waits_for_the_dates_of_a_custom_period(school):
    TermFactory(academic_year__school=school, start=date(2026, 2, 23), end=date(2026, 7, 3))
    form = StatsPeriodForm({"period": "custom"}, school=school, today=TODAY)

    period = form.resolve()

    assert not form.errors
    assert period.start == date(2026, 2, 23)
    assert form.note == "请选择开始日期和结束日期。下面先按本学期统计。"


# The page


@freeze_time("2026-03-20 10:00:00+08:00")
def test_it_shows_the_numbers_with_links_into_the_register(
    login, manager, school, buildings, django_assert_max_num_queries
):
    for _n in range(3):
        HazardFactory(place=buildings["room"], domain=Domain.FIRE, reported_at=at(2026, 3, 2))
    HazardFactory(place=buildings["kitchen"], domain=Domain.FOOD, major=True)
    _closed(
        school,
        buildings["room"],
        domain=Domain.FIRE,
        reported_at=at(2026, 3, 2),
        closed_at=at(2026, 3, 6),
    )
    client = login(manager)

    with django_assert_max_num_queries(20):
        response = client.get(URL, {"period": "month"})

    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="kpi-open">4<' in body
    assert 'data-testid="kpi-major">1<' in body
    assert "?domain=fire&amp;status=open" in body
    assert f"?building={buildings['teaching'].pk}&amp;status=open" in body
    assert "?grade=major&amp;status=open" in body
    assert "2026年3月" in body
    assert response.context["stats"].median_days == 4.0
    assert "status=all&amp;start=2026-03-01&amp;end=2026-03-31" in body


@freeze_time("2026-03-20 10:00:00+08:00")
def test_it_keeps_the_query_count_flat_as_hazards_grow(
    login, manager, school, buildings, django_assert_max_num_queries
):
    client = login(manager)
    for place in (buildings["room"], buildings["stairs"], buildings["kitchen"]):
        for domain in (Domain.FIRE, Domain.LABS):
            HazardFactory(place=place, domain=domain)
            _closed(
                school,
                place,
                domain=domain,
                reported_at=at(2026, 3, 2),
                closed_at=at(2026, 3, 5),
            )

    with django_assert_max_num_queries(20):
        response = client.get(URL, {"period": "month"})

    assert response.status_code == 200


def test_it_renders_only_the_results_for_htmx(login, manager):
    response = login(manager).get(URL, {"period": "month"}, headers={"HX-Request": "true"})

    body = response.content.decode()
    assert 'data-testid="stats-kpis"' in body
    assert "<html" not in body


def test_it_counts_only_the_schools_own_hazards(login, manager, school, other_school):
    HazardFactory(school=school)
    HazardFactory(school=other_school)
    HazardFactory(school=other_school)

    response = login(manager).get(URL)

    assert response.context["stats"].open == 1


def test_it_shows_a_custom_period_error(login, manager):
    response = login(manager).get(
        URL, {"period": "custom", "start": "2026-03-06", "end": "2026-03-02"}
    )

    assert response.status_code == 200
    assert "结束日期不能早于开始日期。" in response.content.decode()


def test_it_asks_for_dates_only_for_a_custom_period(login, manager):
    client = login(manager)

    assert 'name="start"' not in client.get(URL, {"period": "month"}).content.decode()
    assert 'name="start"' in client.get(URL, {"period": "custom"}).content.decode()


def test_it_refuses_people_without_the_register(login, teacher):
    assert login(teacher).get(URL).status_code == 403


def test_it_lets_the_principal_read_it(login, make_staff, school):
    principal = make_staff(school, Position.PRINCIPAL, name="吴校长")

    assert login(principal).get(URL).status_code == 200
