"""The rows' own rules: constraints, the rule in words."""

from datetime import date, time

import pytest
from django.db import IntegrityError

from houqin.schedules.models import RunStatus, ScheduleRun
from houqin.schedules.recurrence import LAST, CalendarMode, HolidayPolicy, RuleKind
from houqin.schedules.tests.factories import ScheduleFactory, ScheduleRunFactory


def test_it_keeps_one_run_per_slot(school):
    run = ScheduleRunFactory(schedule=ScheduleFactory(school=school))
    with pytest.raises(IntegrityError):
        ScheduleRun.objects.create(schedule=run.schedule, slot=run.slot)


def test_it_refuses_an_unknown_status(school):
    with pytest.raises(IntegrityError):
        ScheduleRunFactory(schedule=ScheduleFactory(school=school), status="lost")


def test_it_refuses_an_end_before_the_start(school):
    with pytest.raises(IntegrityError):
        ScheduleFactory(school=school, start_date=date(2026, 9, 1), end_date=date(2026, 8, 1))


@pytest.mark.parametrize(
    ("fields", "text"),
    [
        ({"rule": RuleKind.DAILY}, "每个教学日 07:30"),
        (
            {"rule": RuleKind.DAILY, "calendar_mode": CalendarMode.WORKDAYS},
            "每个工作日 07:30",
        ),
        (
            {"rule": RuleKind.WEEKLY, "weekdays": 0b10001},
            "每周 周一、周五 07:30 · 仅教学日 · 遇假跳过",
        ),
        (
            {"rule": RuleKind.EVERY_N_WEEKS, "weekdays": 0b1000, "interval_weeks": 2},
            "每 2 周的 周四 07:30 · 仅教学日 · 遇假跳过",
        ),
        (
            {
                "rule": RuleKind.MONTHLY_DAY,
                "month_day": 1,
                "holiday_policy": HolidayPolicy.NEXT,
                "calendar_mode": CalendarMode.WORKDAYS,
            },
            "每月 1 日 07:30 · 仅工作日 · 遇假顺延",
        ),
        (
            {"rule": RuleKind.MONTHLY_WEEKDAY, "month_nth": LAST, "month_weekday": 4},
            "每月最后一个周五 07:30 · 仅教学日 · 遇假跳过",
        ),
        (
            {
                "rule": RuleKind.MONTHLY_WEEKDAY,
                "month_nth": 1,
                "month_weekday": 2,
                "calendar_mode": CalendarMode.ALL_DAYS,
            },
            "每月第一个周三 07:30 · 不跳过节假日",
        ),
    ],
)
def test_it_describes_its_rule(school, fields, text):
    assert ScheduleFactory.build(school=school, **fields).describe_rule() == text


def test_it_knows_when_a_slot_is_due_in_the_schools_time_zone(school):
    school.time_zone = "Asia/Urumqi"
    schedule = ScheduleFactory.build(school=school, time_of_day=time(8, 0))
    assert schedule.slot_time(date(2026, 10, 9)).isoformat() == "2026-10-09T08:00:00+06:00"


def test_it_calls_an_old_run_lost(school):
    from datetime import timedelta

    from django.utils import timezone

    run = ScheduleRunFactory(
        schedule=ScheduleFactory(school=school),
        status=RunStatus.RUNNING,
        started_at=timezone.now() - timedelta(hours=1),
    )
    assert run.is_stale and run.can_retry
