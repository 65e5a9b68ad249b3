"""巡查覆盖 (places visited, over buildings and floors) and 巡查统计 (脚步勤)."""

import uuid
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from houqin.hazards.models import Hazard
from houqin.org.models import Campus
from houqin.org.tests.factories import BuildingFactory, CampusFactory, FloorFactory, PlaceFactory
from houqin.patrols import coverage
from houqin.patrols.models import Answer, ExpectedRound, Result, Round, Visit
from houqin.patrols.tests.factories import (
    ExpectedRoundFactory,
    PlanFactory,
    RoundFactory,
    RouteFactory,
    patroller_in,
)

COVERAGE_URL = reverse("patrols:coverage")
STATS_URL = reverse("patrols:stats")

# Monday 16 to Sunday 22 November 2026.
MONDAY = date(2026, 11, 16)
SUNDAY = date(2026, 11, 22)
WEEK = {"start": "2026-11-16", "end": "2026-11-22"}


def at(day, hour=8, minute=0):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def visit(round_, place, *, method=Visit.Method.QR, when=None):
    return Visit.objects.create(
        client_uuid=uuid.uuid4(),
        round=round_,
        place=place,
        method=method,
        scanned_at=when or round_.started_at + timedelta(minutes=5),
    )


def answer(round_, place, *, result=Result.PASS, item=None, hazard=None, note=""):
    item = item or round_.checklist_version.items.first()
    return Answer.objects.create(
        client_uuid=uuid.uuid4(),
        round=round_,
        item=item,
        place=place,
        result=result,
        note=note,
        answered_at=round_.started_at + timedelta(minutes=6),
        hazard=hazard,
    )


@pytest.fixture
def building(school):
    """沛学楼 with three floors (the middle one empty) on the main campus."""
    building = BuildingFactory(
        campus=Campus.objects.get(school=school), name="沛学楼", code="PX", floors_above=3
    )
    for level in (1, 2, 3):
        FloorFactory(building=building, level=level)
    return building


def _place(building, level, code, name):
    return PlaceFactory(floor=building.floors.get(level=level), code=code, name=name)


@pytest.fixture
def places(building):
    return {
        "qr": _place(building, 1, "PX-101", "101教室"),
        "manual": _place(building, 1, "PX-102", "102教室"),
        "missed": _place(building, 3, "PX-301", "301教室"),
        "off": _place(building, 3, "PX-302", "302教室"),
    }


@pytest.fixture
def route(school, places):
    return RouteFactory(
        school=school, name="教学楼路线", places=[places["qr"], places["manual"], places["missed"]]
    )


@pytest.fixture
def week_of_rounds(route, places):
    """This week: 101 scanned twice, 102 only confirmed by hand; 301 was scanned last week."""
    this_week = RoundFactory(route=route, started_at=at(MONDAY + timedelta(days=1)), finished=True)
    visit(this_week, places["qr"])
    visit(this_week, places["manual"], method=Visit.Method.MANUAL)
    again = RoundFactory(route=route, started_at=at(SUNDAY, 17), finished=True)
    visit(again, places["qr"])
    last_week = RoundFactory(route=route, started_at=at(MONDAY - timedelta(days=3)), finished=True)
    visit(last_week, places["missed"])
    return this_week


def _tiles(result):
    return {
        tile.place.code: tile
        for block in result.blocks
        for floor in block.floors
        for tile in floor.tiles
    }


def test_it_colours_each_place_by_its_visits_in_the_week(school, places, week_of_rounds):
    from houqin.org.models import Place

    result = coverage.place_coverage(
        Place.objects.filter(school=school), school=school, start=MONDAY, end=SUNDAY
    )

    tiles = _tiles(result)
    assert tiles["PX-101"].state == coverage.TileState.QR
    assert tiles["PX-101"].qr_visits == 2
    assert tiles["PX-101"].last_visit == at(SUNDAY, 17, 5)
    assert tiles["PX-102"].state == coverage.TileState.MANUAL
    assert tiles["PX-301"].state == coverage.TileState.NOT_VISITED
    assert tiles["PX-302"].state == coverage.TileState.OFF_ROUTE
    counts = result.counts
    assert (counts.total, counts.on_routes, counts.visited, counts.by_qr, counts.missed) == (
        4,
        3,
        2,
        1,
        1,
    )
    assert counts.route_rate == 66.7


def test_it_draws_every_floor_top_first(school, places, week_of_rounds):
    from houqin.org.models import Place

    result = coverage.place_coverage(
        Place.objects.filter(school=school), school=school, start=MONDAY, end=SUNDAY
    )

    [block] = result.blocks
    assert block.title == "沛学楼"
    assert [floor.label for floor in block.floors] == ["3F", "2F", "1F"]
    assert [[t.place.code for t in floor.tiles] for floor in block.floors] == [
        ["PX-301", "PX-302"],
        [],
        ["PX-101", "PX-102"],
    ]


def test_it_shows_the_page_with_counts_per_building(school, manager, login, places, week_of_rounds):
    response = login(manager).get(COVERAGE_URL, WEEK)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-place="PX-101"' in html
    assert "已巡 2 / 路线上 3 / 共 4" in html
    states = {t.place.code: t.state for t in _tiles(response.context["coverage"]).values()}
    assert states == {
        "PX-101": "qr",
        "PX-102": "manual",
        "PX-301": "not_visited",
        "PX-302": "off_route",
    }
    assert "2026-11-16 至 2026-11-22" in html


def test_it_shows_a_chosen_week(school, manager, login, places, week_of_rounds):
    last_week = {"start": "2026-11-09", "end": "2026-11-15"}
    response = login(manager).get(COVERAGE_URL, last_week)

    states = {t.place.code: t.state for t in _tiles(response.context["coverage"]).values()}
    assert states["PX-301"] == "qr"
    assert states["PX-101"] == "not_visited"
    assert response.context["previous"] == (date(2026, 11, 2), date(2026, 11, 8))
    assert response.context["following"] == (MONDAY, SUNDAY)


def test_it_defaults_to_this_week(school, manager, login, places, week_of_rounds):
    with freeze_time(at(SUNDAY, 20)):
        response = login(manager).get(COVERAGE_URL)

    assert (response.context["start"], response.context["end"]) == (MONDAY, SUNDAY)
    assert _tiles(response.context["coverage"])["PX-101"].state == "qr"


def test_it_keeps_the_default_week_when_the_range_is_bad(school, manager, login, places):
    with freeze_time(at(SUNDAY, 20)):
        response = login(manager).get(COVERAGE_URL, {"start": "2026-11-22", "end": "2026-11-01"})

    assert response.status_code == 200
    assert (response.context["start"], response.context["end"]) == (MONDAY, SUNDAY)
    assert "结束日期不能早于开始日期。" in response.content.decode()


def test_it_filters_by_campus_and_building(school, manager, login, places, week_of_rounds):
    branch = CampusFactory(school=school, name="分校区", code="BRANCH", is_main=False)
    other = BuildingFactory(campus=branch, name="善思楼", code="SS")
    PlaceFactory(floor=FloorFactory(building=other, level=1), code="SS-101")
    PlaceFactory(
        floor=None, building=None, campus=branch, school=school, code="FX-GATE", name="分校区校门"
    )
    client = login(manager)

    everything = client.get(COVERAGE_URL, WEEK).context["coverage"]
    assert [b.title for b in everything.blocks] == ["沛学楼", "善思楼", "室外及其他场所"]

    on_branch = client.get(COVERAGE_URL, {**WEEK, "campus": branch.pk}).context["coverage"]
    assert set(_tiles(on_branch)) == {"SS-101", "FX-GATE"}

    in_building = client.get(COVERAGE_URL, {**WEEK, "building": places["qr"].building_id})
    assert set(_tiles(in_building.context["coverage"])) == {"PX-101", "PX-102", "PX-301", "PX-302"}


def test_it_renders_only_the_results_for_htmx(school, manager, login, places):
    response = login(manager).get(COVERAGE_URL, WEEK, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert 'data-testid="coverage-totals"' in html
    assert "<html" not in html


def test_it_lists_the_visits_of_a_tapped_place(school, manager, login, places, week_of_rounds):
    url = reverse("patrols:coverage_place", args=[places["qr"].pk])

    response = login(manager).get(url, WEEK, headers={"HX-Request": "true"})

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="visit"') == 2
    assert week_of_rounds.patroller.name in html
    assert "教学楼路线" in html
    assert "<html" not in html


def test_it_shows_the_last_visit_before_an_empty_week(
    school, manager, login, places, week_of_rounds
):
    url = reverse("patrols:coverage_place", args=[places["missed"].pk])

    response = login(manager).get(url, WEEK)

    html = response.content.decode()
    assert 'data-testid="no-visits"' in html
    assert "上次到点：2026-11-13 08:05" in html
    assert "<html" in html  # without htmx, a page of its own


def test_it_refuses_people_without_the_permission(school, teacher, login, places):
    client = login(teacher)

    assert client.get(COVERAGE_URL).status_code == 403
    assert client.get(reverse("patrols:coverage_place", args=[places["qr"].pk])).status_code == 403
    assert client.get(STATS_URL).status_code == 403


def test_it_hides_another_schools_place(other_school, manager, login):
    theirs = PlaceFactory(floor__building__campus=Campus.objects.get(school=other_school))

    response = login(manager).get(reverse("patrols:coverage_place", args=[theirs.pk]))

    assert response.status_code == 404


def test_it_leaves_out_another_schools_places(school, other_school, manager, login, places):
    PlaceFactory(floor__building__campus=Campus.objects.get(school=other_school), code="X-1")

    response = login(manager).get(COVERAGE_URL, WEEK)

    assert "X-1" not in _tiles(response.context["coverage"])


def test_it_draws_many_places_in_a_fixed_number_of_queries(
    school, manager, login, building, django_assert_max_num_queries
):
    many = [_place(building, 1 + n % 3, f"PX-9{n:02d}", f"{n}号") for n in range(30)]
    route = RouteFactory(school=school, places=many[:20])
    for n in range(5):
        round_ = RoundFactory(route=route, started_at=at(MONDAY + timedelta(days=n)))
        for place in many[n * 4 : n * 4 + 4]:
            visit(round_, place, method=Visit.Method.MANUAL if n == 4 else Visit.Method.QR)
    client = login(manager)
    client.get(COVERAGE_URL, WEEK)  # warm the caches (session, permissions)

    with django_assert_max_num_queries(16):
        response = client.get(COVERAGE_URL, WEEK)

    assert response.context["coverage"].counts.visited == 20


# -- 巡查统计 ------------------------------------------------------------------------------


def _expected(plan, day, state=ExpectedRound.State.PENDING):
    return ExpectedRoundFactory(plan=plan, day=day, state=state)


@pytest.fixture
def guards(school):
    return patroller_in(school, name="夏斌"), patroller_in(school, name="钱毅")


@pytest.fixture
def week_of_plans(school, route, places, guards):
    """夏斌's plan expects Monday to Friday: Mon on time, Tue late, Wed missed, Thu done by
    钱毅 covering for him, Fri still pending. 钱毅 also walks an ad-hoc round."""
    xia, qian = guards
    plan = PlanFactory(route=route, patrollers=[xia], name="早间巡查")
    days = [MONDAY + timedelta(days=n) for n in range(5)]
    expected = [_expected(plan, day) for day in days]

    def walk(expected_round, who, minutes_late=-30):
        due = expected_round.due_at
        round_ = RoundFactory(
            route=route,
            patroller=who,
            expected=expected_round,
            started_at=due - timedelta(minutes=60),
            state=Round.State.FINISHED,
            finished_at=due + timedelta(minutes=minutes_late),
        )
        expected_round.state = ExpectedRound.State.DONE
        expected_round.save()
        return round_

    monday = walk(expected[0], xia)
    visit(monday, places["qr"])
    visit(monday, places["manual"], method=Visit.Method.MANUAL)
    failing = answer(monday, places["qr"], result=Result.FAIL)
    answer(monday, places["manual"])
    walk(expected[1], xia, minutes_late=20)
    expected[2].state = ExpectedRound.State.MISSED
    expected[2].save()
    walk(expected[3], qian)
    adhoc = RoundFactory(route=route, patroller=qian, started_at=at(days[4], 20), finished=True)
    visit(adhoc, places["missed"])
    Hazard.objects.create(
        school=school,
        number="YH-2026-0001",
        title="灭火器过期",
        domain="fire",
        reported_by=xia,
        reported_at=failing.answered_at,
        place=places["qr"],
    )
    # Outside the week: ignored.
    walk(_expected(plan, MONDAY - timedelta(days=1)), xia)
    return plan


def test_it_counts_rounds_per_person(school, guards, week_of_plans):
    xia, qian = guards

    stats = coverage.patrol_stats(school=school, start=MONDAY, end=SUNDAY)

    rows = {row.staff.name: row for row in stats.people}
    assert set(rows) == {"夏斌", "钱毅"}
    mine = rows["夏斌"]
    assert (mine.expected, mine.done, mine.late, mine.missed, mine.pending) == (5, 2, 1, 1, 1)
    assert (mine.adhoc, mine.scanned, mine.manual, mine.failures, mine.hazards) == (0, 1, 1, 1, 1)
    # Of his four due rounds, three were walked (one by 钱毅).
    assert mine.rate == 75.0
    covering = rows["钱毅"]
    assert (covering.expected, covering.done, covering.adhoc, covering.scanned) == (0, 1, 1, 1)
    assert covering.rate is None
    totals = stats.totals
    assert (totals.expected, totals.done, totals.missed, totals.pending, totals.adhoc) == (
        5,
        3,
        1,
        1,
        1,
    )
    assert totals.rate == 75.0


def test_it_counts_each_route(school, route, week_of_plans):
    stats = coverage.patrol_stats(school=school, start=MONDAY, end=SUNDAY)

    [row] = stats.routes
    assert row.name == "教学楼路线"
    assert (row.expected, row.done, row.late, row.missed, row.pending, row.adhoc) == (
        5,
        3,
        1,
        1,
        1,
        1,
    )
    assert row.rate == 75.0


def test_it_counts_every_patroller_of_a_shared_plan(school, route, guards):
    plan = PlanFactory(route=route, patrollers=list(guards))
    _expected(plan, MONDAY, ExpectedRound.State.MISSED)

    stats = coverage.patrol_stats(school=school, start=MONDAY, end=SUNDAY)

    assert [(row.expected, row.missed) for row in stats.people] == [(1, 1), (1, 1)]
    assert (stats.totals.expected, stats.totals.missed) == (1, 1)


def test_it_narrows_the_statistics_to_a_campus(school, route, week_of_plans):
    branch = CampusFactory(school=school, name="分校区", code="BRANCH", is_main=False)
    route.campus = Campus.objects.get(school=school, code="MAIN")
    route.save()

    assert (
        coverage.patrol_stats(school=school, start=MONDAY, end=SUNDAY, campus=branch).people == []
    )
    main = coverage.patrol_stats(school=school, start=MONDAY, end=SUNDAY, campus=route.campus)
    assert main.totals.expected == 5


def test_it_shows_the_statistics_page(school, manager, login, route, guards, week_of_plans):
    response = login(manager).get(STATS_URL, WEEK)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="by-person"' in html
    xia = guards[0]
    assert f"?person={xia.pk}&amp;start=2026-11-16&amp;end=2026-11-22" in html
    assert f"?route={route.pk}&amp;start=2026-11-16&amp;end=2026-11-22" in html
    assert 'data-testid="kpi-missed">1<' in html
    assert "75.0%" in html
    assert reverse("patrols:export") + "?start=2026-11-16&amp;end=2026-11-22" in html


def test_it_offers_this_and_last_month(school, manager, login):
    with freeze_time(at(date(2026, 11, 18), 10)):
        response = login(manager).get(STATS_URL, {"start": "2026-11-01", "end": "2026-11-30"})

    quick = {label: (start, end) for label, start, end in response.context["quick"]}
    assert quick["本月"] == (date(2026, 11, 1), date(2026, 11, 30))
    assert quick["上月"] == (date(2026, 10, 1), date(2026, 10, 31))
    assert quick["上周"] == (date(2026, 11, 9), date(2026, 11, 15))
    assert (response.context["start"], response.context["end"]) == quick["本月"]


def test_it_counts_many_people_in_a_fixed_number_of_queries(
    school, manager, login, route, django_assert_max_num_queries
):
    for n in range(8):
        guard = patroller_in(school)
        plan = PlanFactory(route=route, patrollers=[guard])
        for day in range(3):
            expected = _expected(plan, MONDAY + timedelta(days=day))
            RoundFactory(route=route, patroller=guard, expected=expected, started_at=at(MONDAY))
        RoundFactory(route=route, patroller=guard, started_at=at(MONDAY, 9 + n % 5))
    client = login(manager)
    client.get(STATS_URL, WEEK)

    with django_assert_max_num_queries(20):
        response = client.get(STATS_URL, WEEK)

    assert len(response.context["stats"].people) == 8
