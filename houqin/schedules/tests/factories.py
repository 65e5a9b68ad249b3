from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import factory

from houqin.org.tests.factories import SchoolFactory
from houqin.schedules.models import Schedule, ScheduleRun
from houqin.schedules.recurrence import RuleKind

FRIDAY = 1 << 4
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=0, minute=0):
    """An aware moment in the school's time zone."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


class ScheduleFactory(factory.django.DjangoModelFactory):
    """A weekly-Friday 07:30 reminder to class teachers, running since long ago."""

    class Meta:
        model = Schedule

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"提醒{n}")
    job_code = "reminder"
    params = factory.LazyFunction(
        lambda: {"title": "安全教育", "body": "", "positions": ["class_teacher"], "people": []}
    )
    rule = RuleKind.WEEKLY
    weekdays = FRIDAY
    time_of_day = time(7, 30)
    start_date = date(2026, 1, 1)
    runs_from = at(2026, 1, 1)


class ScheduleRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScheduleRun

    schedule = factory.SubFactory(ScheduleFactory)
    slot = date(2026, 10, 9)
