"""The job ``patrols.rounds`` (expected rounds, once per plan and day) and the missed-round
flag on the scheduler heartbeat (once, with one notice to the managers)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from houqin.notifications.models import Notification
from houqin.patrols import services
from houqin.patrols.models import ExpectedRound, Plan
from houqin.patrols.tests.factories import (
    ExpectedRoundFactory,
    PlanFactory,
    RoundFactory,
    RouteFactory,
    patroller_in,
)
from houqin.schedules import services as schedule_services
from houqin.schedules.heartbeat import tick
from houqin.schedules.jobs import JobFailed, get_job
from houqin.schedules.models import RunStatus, Schedule
from houqin.schedules.recurrence import CalendarMode, RuleKind

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def plan(manager, school):
    plan = Plan(
        name="早巡", route=RouteFactory(school=school), start_time=time(7, 30), due_time=time(9)
    )
    schedule = Schedule(
        school=school,
        rule=RuleKind.DAILY,
        calendar_mode=CalendarMode.ALL_DAYS,
        start_date=date(2026, 1, 1),
    )
    return services.plan_save(plan, schedule, by=manager, patrollers=[patroller_in(school)])


def test_it_registers_the_job():
    job = get_job("patrols.rounds")
    assert job.label == "生成巡查任务"
    assert job.run is services.create_expected_rounds


def test_it_creates_the_days_expected_round_once(plan):
    day = timezone.localdate() + timedelta(days=1)
    first = services.create_expected_rounds(plan.schedule, day)
    second = services.create_expected_rounds(plan.schedule, day)
    assert (first, second) == ("已生成巡查任务", "巡查任务已存在")
    expected = ExpectedRound.objects.get()
    assert expected.plan == plan
    assert expected.school == plan.school
    assert expected.day == day
    assert expected.due_at == datetime.combine(day, time(9), SHANGHAI)
    assert expected.state == ExpectedRound.State.PENDING


def test_it_makes_nothing_for_a_day_already_past_its_due_time(plan):
    yesterday = timezone.localdate() - timedelta(days=1)
    result = services.create_expected_rounds(plan.schedule, yesterday)
    assert "完成时限已过" in result
    assert not ExpectedRound.objects.exists()


def test_it_makes_nothing_for_an_archived_plan(plan, manager):
    services.plan_archive(plan, by=manager, reason="停")
    result = services.create_expected_rounds(plan.schedule, timezone.localdate() + timedelta(1))
    assert "已停用" in result
    assert not ExpectedRound.objects.exists()


def test_it_fails_a_run_whose_plan_is_gone(plan):
    plan.schedule.params = {"plan": 0}
    with pytest.raises(JobFailed):
        services.create_expected_rounds(plan.schedule, timezone.localdate())


def test_it_runs_through_the_scheduler_once(plan, django_capture_on_commit_callbacks):
    # Tomorrow at 06:00: the slot's due time (09:00) is still ahead whatever the clock says.
    now = datetime.combine(timezone.localdate() + timedelta(days=1), time(6), SHANGHAI)
    for _attempt in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            schedule_services.run_due(now)
    run = plan.schedule.runs.get(slot=now.date())
    assert run.status == RunStatus.DONE, run.error
    assert ExpectedRound.objects.filter(plan=plan, day=now.date()).count() == 1


def _expected(school, *, minutes_ago=10, route="教学楼早巡", **fields):
    plan = PlanFactory(route=RouteFactory(school=school, name=route), name="早巡")
    return ExpectedRoundFactory(
        plan=plan, due_at=timezone.now() - timedelta(minutes=minutes_ago), **fields
    )


def test_it_flags_a_missed_round_once_on_the_heartbeat(school, manager):
    expected = _expected(school)
    now = timezone.now()
    assert tick(now) == []
    expected.refresh_from_db()
    assert expected.state == ExpectedRound.State.MISSED
    assert expected.flagged_at == now
    notice = Notification.objects.get(event=services.EVENT_MISSED_ROUND)
    assert notice.recipient == manager.user
    assert notice.title.startswith("漏巡：早巡")
    assert "教学楼早巡" in notice.body
    assert notice.url == "/patrols/expected/?state=missed"
    tick(now + timedelta(minutes=1))
    assert Notification.objects.filter(event=services.EVENT_MISSED_ROUND).count() == 1


def test_it_leaves_rounds_not_yet_due_and_done_ones(school, manager):
    later = _expected(school, minutes_ago=-30, route="北门")
    done = _expected(school, state=ExpectedRound.State.DONE, route="南门")
    assert services.flag_missed_rounds() == 0
    later.refresh_from_db()
    done.refresh_from_db()
    assert later.state == ExpectedRound.State.PENDING
    assert done.state == ExpectedRound.State.DONE
    assert not Notification.objects.exists()


def test_it_flags_a_round_still_in_progress_at_its_due_time(school, manager):
    expected = _expected(school)
    RoundFactory(route=expected.plan.route, expected=expected)
    assert services.flag_missed_rounds() == 1
