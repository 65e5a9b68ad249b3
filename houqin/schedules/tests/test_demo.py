"""The demo school's reminders: made once, valid, and running on teaching days."""

from freezegun import freeze_time

from houqin.accounts.roles import Position
from houqin.schedules import demo, services
from houqin.schedules.models import Schedule
from houqin.schedules.recurrence import RuleKind
from houqin.schedules.tests.factories import at


def test_it_loads_the_demo_schedules_once(school, term, make_staff):
    staff = {
        "zhoujing": make_staff(school, Position.LOGISTICS_MANAGER, name="周静"),
        "liuwei": make_staff(school, Position.DUTY_ADMIN, name="刘伟"),
    }
    with freeze_time(at(2026, 9, 21, 12, 0)):
        demo.load(school, staff)
        demo.load(school, staff)
    schedules = {s.name: s for s in Schedule.objects.filter(school=school)}
    assert set(schedules) == {
        "每日巡查提醒",
        "每周五安全教育",
        "每月应急疏散演练",
        "双周教职工培训",
    }
    assert schedules["每日巡查提醒"].params["people"] == [staff["zhoujing"].pk]
    assert schedules["每月应急疏散演练"].rule == RuleKind.MONTHLY_WEEKDAY
    training = schedules["双周教职工培训"]
    assert training.describe_rule().startswith("每 2 周的 周四 14:00")
    upcoming = services.next_occurrences(training, 3, after=at(2026, 9, 21, 12, 0))
    # 8 October is the first working day after National Day: it runs.
    assert [moment.date().isoformat() for moment in upcoming] == [
        "2026-09-24",
        "2026-10-08",
        "2026-10-22",
    ]
