"""The demo school's patrols: checklists, routes, plans and a week of real rounds."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone
from freezegun import freeze_time

from houqin.accounts.models import Staff
from houqin.hazards import demo as hazards_demo
from houqin.hazards.models import Source
from houqin.org.models import Place, School
from houqin.patrols import coverage
from houqin.patrols import demo as patrols_demo
from houqin.patrols.models import (
    Answer,
    AnswerType,
    Checklist,
    ChecklistKind,
    ExpectedRound,
    Plan,
    Result,
    Round,
    Route,
    Visit,
)
from houqin.schedules.recurrence import CalendarMode, RuleKind

# A Wednesday in term, before the morning rounds.
NOW = timezone.make_aware(datetime(2026, 11, 18, 7, 0))


@pytest.fixture
def demo(db):
    with freeze_time(NOW):
        call_command("load_demo", quiet=True)
    return School.objects.get(code="SZSY")


def _counts():
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


def test_it_loads_the_patrols_of_the_demo_school(demo):
    # One test for the lot: loading the demo school takes seconds.
    _check_checklists_routes_and_plans(demo)
    _check_a_week_of_rounds_with_one_missed(demo)
    _check_coverage_and_statistics(demo)
    _check_loading_again_changes_nothing(demo)


def _check_checklists_routes_and_plans(demo):
    checklists = {c.name: c for c in Checklist.objects.filter(school=demo)}
    assert len(checklists) == len(patrols_demo.CHECKLISTS) == 9
    assert {c.kind for c in checklists.values()} == set(ChecklistKind.values)
    assert all(c.current_version() is not None for c in checklists.values())
    bus = {i.key: i for i in checklists["校车出车前检查表"].current_version().items.all()}
    assert bus["off_count"].must_equal_key == "on_count"
    assert bus["on_count"].answer_type == AnswerType.NUMBER
    monthly = checklists["月度安全检查表"].current_version().items.get(key="pressure")
    assert (monthly.min_value, monthly.max_value, monthly.unit) == (1, Decimal("1.4"), "MPa")

    routes = Route.objects.filter(school=demo)
    assert routes.count() == 4
    assert all(route.checkpoints.count() >= 7 for route in routes)
    plans = Plan.objects.filter(school=demo).select_related("schedule")
    assert plans.count() == 4
    for plan in plans:
        assert plan.schedule.job_code == "patrols.rounds"
        assert plan.schedule.params == {"plan": plan.pk}
        assert plan.schedule.rule == RuleKind.DAILY
        assert plan.schedule.calendar_mode == CalendarMode.TEACHING_DAYS
    assert {s.user.username for s in plans.get(name="校园周界晚间巡查").patrollers.all()} == {
        "qianyi",
        "zhangjunjie",
    }


def _check_a_week_of_rounds_with_one_missed(demo):
    expected = ExpectedRound.objects.filter(school=demo)
    missed = expected.filter(state=ExpectedRound.State.MISSED)
    assert missed.count() == 1
    assert missed.get().flagged_at is not None
    assert missed.get().plan.name == "明德楼午间巡查"
    assert not expected.filter(state=ExpectedRound.State.PENDING).exists()
    assert expected.filter(state=ExpectedRound.State.DONE).count() == expected.count() - 1

    rounds = Round.objects.filter(school=demo)
    assert not rounds.exclude(state=Round.State.FINISHED).exists()
    assert rounds.filter(expected__isnull=True, place__isnull=False).count() >= 10
    late = [r for r in rounds.filter(expected__isnull=False) if r.finished_at > r.expected.due_at]
    assert len(late) == 1
    assert all(r.started_at < NOW for r in rounds)
    assert rounds.filter(missed_checkpoints=1).count() == 1
    assert Visit.objects.filter(round__school=demo, method=Visit.Method.MANUAL).count() == 1

    failed = Answer.objects.filter(round__school=demo, result=Result.FAIL).select_related("hazard")
    assert failed.count() == 5
    assert all(a.hazard and a.hazard.source == Source.PATROL for a in failed)
    fridge = failed.get(item__key="fridge")
    assert fridge.number == 9.5


def _check_coverage_and_statistics(demo):
    week = coverage.week_of(NOW.date())
    places = Place.objects.filter(school=demo, is_active=True)
    result = coverage.place_coverage(places, school=demo, start=week[0], end=week[1])
    assert result.counts.on_routes == 29
    assert result.counts.by_qr > 20
    assert result.counts.visited < result.counts.total

    stats = coverage.patrol_stats(school=demo, start=date(2026, 11, 1), end=NOW.date())
    rows = {row.staff.user.username: row for row in stats.people}
    assert rows["xiabin"].expected == rows["xiabin"].done == 6
    assert rows["haoyuhang"].missed == 1
    assert rows["songyonggang"].adhoc == 6
    assert stats.totals.hazards >= 1


def _check_loading_again_changes_nothing(demo):
    staff = {s.user.username: s for s in Staff.objects.filter(school=demo).select_related("user")}
    counts = _counts()

    with freeze_time(NOW):
        hazards_demo.load(demo, staff)
        patrols_demo.load(demo, staff)

    assert _counts() == counts
