"""报修统计: the numbers, their working-hour times, the places repaired often, and the page."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from houqin.accounts.roles import Position
from houqin.org.models import Campus
from houqin.org.tests.factories import BuildingFactory, CampusFactory, PlaceFactory
from houqin.repairs import stats
from houqin.repairs.models import Category, RepairRequest, Status
from houqin.repairs.tests.factories import (
    RepairRequestFactory,
    VendorFactory,
    place_in,
    worker_in,
)

URL = reverse("repairs:stats")


def at(year, month, day, hour=9, minute=0):
    return timezone.make_aware(datetime(year, month, day, hour, minute))


# Monday 2 March 2026, an ordinary working week.
MONDAY = at(2026, 3, 2, 9, 0)
LATER = at(2026, 3, 20, 12, 0)


def _compute(school, now=LATER):
    return stats.compute(RepairRequest.objects.filter(school=school), school=school, now=now)


@pytest.fixture
def worker(school):
    return worker_in(school, name="陶向明")


def test_it_counts_by_category_building_and_worker(school, worker):
    building = BuildingFactory(campus=Campus.objects.get(school=school), name="沛学楼")
    room = PlaceFactory(floor__building=building)
    for _n in range(3):
        RepairRequestFactory(place=room, category=Category.SCREENS, reported_at=MONDAY)
    RepairRequestFactory(school=school, category=Category.NETWORK, reported_at=MONDAY)
    RepairRequestFactory(place=room, reported_at=MONDAY, assignee=worker, status=Status.ASSIGNED)
    vendor = VendorFactory(school=school, name="清风空调")
    RepairRequestFactory(place=room, reported_at=MONDAY, vendor=vendor, status=Status.OUTSOURCED)

    result = _compute(school)

    assert result.total == 6
    assert [(row.label, row.count) for row in result.by_category] == [
        ("一体机与多媒体", 3),
        ("门窗", 2),
        ("网络", 1),
    ]
    assert result.by_category[0].share == 50.0
    assert result.by_category[0].bar == 100.0
    assert result.by_building[0].label == "沛学楼"
    assert result.by_building[0].count == 5
    assert {row.label: row.count for row in result.by_worker} == {
        "陶向明": 1,
        "清风空调（外包）": 1,
    }


def test_it_measures_times_in_working_hours(school, worker):
    # Reported Monday 09:00, accepted 10:30 (1.5 working hours), done Tuesday 09:00:
    # 3 h of Monday morning, 4 h of its afternoon, 1 h of Tuesday = 8 working hours.
    RepairRequestFactory(
        school=school,
        reported_at=MONDAY,
        assignee=worker,
        status=Status.CLOSED,
        assigned_at=MONDAY + timedelta(minutes=30),
        accepted_at=MONDAY + timedelta(hours=1, minutes=30),
        started_at=MONDAY + timedelta(hours=2),
        done_at=MONDAY + timedelta(days=1),
        closed_at=MONDAY + timedelta(days=1, hours=2),
        response_due=MONDAY + timedelta(hours=4),
        completion_due=MONDAY + timedelta(days=2),
        rating=4,
    )
    # Friday 16:30 → Monday 09:00 is 1 + 1 = 2 working hours (the weekend does not count).
    friday = at(2026, 3, 6, 16, 30)
    RepairRequestFactory(
        school=school,
        reported_at=friday,
        assignee=worker,
        status=Status.ACCEPTED,
        accepted_at=at(2026, 3, 9, 9, 0),
        response_due=at(2026, 3, 9, 11, 0),
        completion_due=at(2026, 3, 30, 9, 0),
    )

    result = _compute(school)

    assert result.response_hours == 1.8  # (1.5 + 2) / 2, one decimal
    assert result.completion_hours == 8.0
    row = result.by_worker[0]
    assert row.count == 2 and row.finished == 1
    assert row.completion_hours == 8.0 and row.rating == 4


def test_it_counts_overdue_requests(school, worker):
    # On time.
    RepairRequestFactory(
        school=school,
        reported_at=MONDAY,
        closed=True,
        response_due=MONDAY + timedelta(hours=4),
        completion_due=MONDAY + timedelta(days=1),
    )
    # Finished after its completion deadline.
    RepairRequestFactory(
        school=school,
        reported_at=MONDAY,
        done=True,
        done_at=MONDAY + timedelta(days=3),
        response_due=MONDAY + timedelta(hours=4),
        completion_due=MONDAY + timedelta(days=1),
    )
    # Still waiting past its response deadline.
    RepairRequestFactory(
        school=school,
        reported_at=MONDAY,
        response_due=MONDAY + timedelta(hours=1),
        completion_due=LATER + timedelta(days=10),
    )
    # Cancelled: never overdue, not counted.
    RepairRequestFactory(
        school=school,
        reported_at=MONDAY,
        status=Status.CANCELLED,
        response_due=MONDAY + timedelta(hours=1),
        completion_due=MONDAY + timedelta(hours=2),
    )

    result = _compute(school)

    assert result.total == 4 and result.cancelled == 1 and result.counted == 3
    assert result.overdue == 2
    assert result.overdue_open == 1
    assert result.overdue_rate == pytest.approx(66.7)


def test_it_sums_satisfaction_and_costs(school):
    for rating in (5, 5, 4, 2):
        RepairRequestFactory(
            school=school,
            reported_at=MONDAY,
            closed=True,
            rating=rating,
            labour_cost=Decimal("10.50"),
            parts_cost=Decimal("20"),
        )
    RepairRequestFactory(school=school, reported_at=MONDAY, done=True, damaged_by_students=True)

    result = _compute(school)

    assert result.rated == 4
    assert result.rating == 4.0
    assert [(row.key, row.count) for row in result.ratings] == [
        (5, 2),
        (4, 1),
        (3, 0),
        (2, 1),
        (1, 0),
    ]
    assert result.satisfied_rate == 75.0
    assert result.labour_cost == Decimal("42.00")
    assert result.total_cost == Decimal("122.00")
    assert result.student_damage == 1


def test_it_gives_empty_numbers_for_no_requests(school):
    result = _compute(school)
    assert result.total == 0
    assert result.overdue_rate == 0
    assert result.response_hours is None and result.rating is None
    assert result.by_category == [] and result.by_worker == []


def test_it_runs_a_fixed_number_of_queries(school, worker):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            _compute(school)
        return len(queries)

    RepairRequestFactory(school=school, reported_at=MONDAY, closed=True)
    few = count_queries()
    for n in range(12):
        RepairRequestFactory(
            school=school,
            reported_at=MONDAY + timedelta(days=n % 5),
            closed=n % 2 == 0,
            assignee=worker_in(school),
            status=Status.CLOSED if n % 2 == 0 else Status.ASSIGNED,
        )
    assert count_queries() == few


def test_it_filters_by_dates_and_campus(school):
    branch = CampusFactory(school=school, name="分校区", code="BRANCH", is_main=False)
    RepairRequestFactory(school=school, reported_at=at(2026, 3, 1, 23, 30))
    RepairRequestFactory(school=school, reported_at=at(2026, 3, 2, 0, 10))
    RepairRequestFactory(school=school, reported_at=at(2026, 3, 31, 23, 50))
    RepairRequestFactory(
        place=PlaceFactory(floor__building__campus=branch), reported_at=at(2026, 3, 10)
    )
    requests = RepairRequest.objects.filter(school=school)

    march = stats.filter_requests(requests, start=date(2026, 3, 2), end=date(2026, 3, 31))
    assert march.count() == 3
    assert stats.filter_requests(requests, campus=branch).count() == 1
    assert stats.filter_requests(requests, end=date(2026, 3, 1)).count() == 1


def test_it_finds_places_repaired_often(school, other_school):
    often, twice = place_in(school, name="301教室"), place_in(school, name="302教室")
    for days in (1, 20, 80):
        RepairRequestFactory(place=often, reported_at=LATER - timedelta(days=days))
    RepairRequestFactory(place=often, reported_at=LATER - timedelta(days=100))
    RepairRequestFactory(place=twice, reported_at=LATER - timedelta(days=1))
    RepairRequestFactory(place=twice, reported_at=LATER - timedelta(days=2))
    RepairRequestFactory(
        place=twice, reported_at=LATER - timedelta(days=3), status=Status.CANCELLED
    )
    elsewhere = place_in(other_school)
    for _n in range(3):
        RepairRequestFactory(place=elsewhere, reported_at=LATER)

    since = (LATER - timedelta(days=90)).date()
    places = list(stats.often_repaired_places(school, since))

    assert places == [often]
    assert places[0].repair_count == 3
    assert stats.often_repaired_places(school, since, threshold=2).count() == 2
    assert stats.often_repaired_places(school, since).filter(pk=twice.pk).exists() is False
    assert not stats.often_repaired_places(
        school, since, until=(LATER - timedelta(days=10)).date()
    ).exists()


# The page


def test_it_shows_the_numbers_to_the_managers(login, manager, school, other_school):
    now = timezone.now()
    RepairRequestFactory(school=school, category=Category.NETWORK, reported_at=now)
    RepairRequestFactory(school=school, reported_at=now - timedelta(days=60))
    RepairRequestFactory(school=other_school, reported_at=now)

    response = login(manager).get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="kpi-total">1<' in html
    assert "网络" in html
    assert reverse("repairs:stats_export") in html
    assert reverse("repairs:requests_export") in html


def test_it_filters_the_page_by_period_and_campus(login, manager, school):
    RepairRequestFactory(school=school, reported_at=at(2026, 3, 3))
    RepairRequestFactory(school=school, reported_at=at(2026, 4, 3))
    campus = Campus.objects.get(school=school)
    client = login(manager)

    response = client.get(
        URL,
        {"start": "2026-03-01", "end": "2026-03-31", "campus": campus.pk},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert "<html" not in html  # the results partial only
    assert 'data-testid="kpi-total">1<' in html
    assert "2026-03-01 至 2026-03-31" in html


def test_it_explains_a_bad_period(login, manager, school):
    response = login(manager).get(URL, {"start": "2026-03-31", "end": "2026-03-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "结束日期不能早于开始日期。" in html
    assert 'value="2026-03-31"' in html  # what was typed is kept


def test_it_refuses_people_without_the_permission(login, teacher, make_staff, school):
    assert login(teacher).get(URL).status_code == 403
    worker = make_staff(school, Position.MAINTENANCE_STAFF)
    assert login(worker).get(URL).status_code == 403


def test_it_shows_the_principal_the_numbers(login, make_staff, school):
    principal = make_staff(school, Position.PRINCIPAL)
    assert login(principal).get(URL).status_code == 200


def test_it_renders_with_few_queries(login, manager, school, django_assert_max_num_queries):
    now = timezone.now()
    for n in range(15):
        RepairRequestFactory(
            school=school,
            reported_at=now - timedelta(days=n),
            closed=n % 3 == 0,
            rating=(n % 5) + 1 if n % 3 == 0 else None,
        )
    client = login(manager)
    with django_assert_max_num_queries(30):
        assert client.get(URL).status_code == 200
