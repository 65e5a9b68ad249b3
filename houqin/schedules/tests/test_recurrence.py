"""The days a rule runs on, against the real calendar service.

Autumn 2026 as the ``chinese_calendar`` package has it: 中秋节 Fri 25 – Sun 27 September,
国庆节 Thu 1 – Wed 7 October; swapped working days (调休上班) Sun 20 September and
Sat 10 October. The term (TermFactory) runs from Tue 1 September 2026 to 22 January 2027.
"""

from datetime import date

import pytest

from houqin.org.calendar import SchoolCalendar
from houqin.org.models import CalendarDay
from houqin.org.tests.factories import TermFactory
from houqin.schedules.recurrence import (
    LAST,
    CalendarMode,
    HolidayPolicy,
    Rule,
    RuleKind,
    nth_weekday,
    occurrences,
    upcoming,
)

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


@pytest.fixture
def term(school):
    return TermFactory(school=school, academic_year__school=school)


@pytest.fixture
def autumn(school, term):
    return SchoolCalendar(school, date(2026, 7, 1), date(2027, 1, 31))


def days(*pairs):
    return [date(2026, month, day) for month, day in pairs]


def test_it_runs_daily_on_teaching_days_around_national_day(autumn):
    rule = Rule(RuleKind.DAILY)
    got = occurrences(rule, date(2026, 9, 19), date(2026, 10, 12), autumn)
    assert got == days(
        (9, 20),  # Sunday, but a swapped working day
        (9, 21),
        (9, 22),
        (9, 23),
        (9, 24),
        (9, 28),
        (9, 29),
        (9, 30),
        (10, 8),
        (10, 9),
        (10, 10),  # Saturday, swapped working day
        (10, 12),
    )


def test_it_runs_every_day_when_told_not_to_skip(autumn):
    rule = Rule(RuleKind.DAILY, calendar_mode=CalendarMode.ALL_DAYS)
    got = occurrences(rule, date(2026, 9, 30), date(2026, 10, 3), autumn)
    assert got == days((9, 30), (10, 1), (10, 2), (10, 3))


def test_it_skips_fridays_on_holidays(autumn):
    rule = Rule(RuleKind.WEEKLY, weekdays=frozenset({FRI}))
    got = occurrences(rule, date(2026, 9, 14), date(2026, 10, 20), autumn)
    assert got == days((9, 18), (10, 9), (10, 16))


def test_it_moves_a_holiday_friday_to_the_next_teaching_day_when_asked(autumn):
    rule = Rule(RuleKind.WEEKLY, weekdays=frozenset({FRI}), holiday_policy=HolidayPolicy.NEXT)
    got = occurrences(rule, date(2026, 9, 14), date(2026, 10, 20), autumn)
    # 25 Sep (中秋) → Mon 28 Sep; 2 Oct (国庆) → Thu 8 Oct, before the next Friday.
    assert got == days((9, 18), (9, 28), (10, 8), (10, 9), (10, 16))


def test_it_finds_a_move_into_the_window_from_a_day_planned_before_it(autumn):
    rule = Rule(RuleKind.WEEKLY, weekdays=frozenset({FRI}), holiday_policy=HolidayPolicy.NEXT)
    assert occurrences(rule, date(2026, 10, 8), date(2026, 10, 8), autumn) == days((10, 8))


def test_it_follows_the_schools_own_days_off_and_make_up_days(school, term):
    CalendarDay.objects.create(
        school=school, day=date(2026, 10, 16), is_workday=False, name="运动会"
    )
    CalendarDay.objects.create(school=school, day=date(2026, 10, 17), is_workday=True, name="补课")
    calendar = SchoolCalendar(school, date(2026, 9, 1), date(2026, 12, 31))
    weekly = Rule(RuleKind.WEEKLY, weekdays=frozenset({FRI}))
    assert occurrences(weekly, date(2026, 10, 12), date(2026, 10, 25), calendar) == days((10, 23))
    daily = Rule(RuleKind.DAILY)
    assert occurrences(daily, date(2026, 10, 15), date(2026, 10, 19), calendar) == days(
        (10, 15), (10, 17), (10, 19)
    )
    steps = upcoming(weekly, date(2026, 10, 12), calendar, count=1, until=date(2026, 12, 31))
    assert [(s.planned, s.runs, s.reason) for s in steps] == [
        (date(2026, 10, 16), False, "运动会"),
        (date(2026, 10, 23), True, ""),
    ]


def test_it_skips_the_vacation_on_teaching_days_but_not_on_working_days(autumn):
    start, end = date(2026, 8, 24), date(2026, 9, 4)
    teaching = Rule(RuleKind.DAILY)
    assert occurrences(teaching, start, end, autumn) == days((9, 1), (9, 2), (9, 3), (9, 4))
    workdays = Rule(RuleKind.DAILY, calendar_mode=CalendarMode.WORKDAYS)
    assert occurrences(workdays, start, end, autumn) == days(
        (8, 24), (8, 25), (8, 26), (8, 27), (8, 28), (8, 31), (9, 1), (9, 2), (9, 3), (9, 4)
    )


def test_it_runs_every_n_weeks_from_the_anchor_week(autumn):
    rule = Rule(
        RuleKind.EVERY_N_WEEKS,
        weekdays=frozenset({THU}),
        interval_weeks=2,
        anchor=date(2026, 9, 3),
    )
    got = occurrences(rule, date(2026, 8, 1), date(2026, 11, 1), autumn)
    # 1 October is National Day: skipped, not moved, and the fortnight rhythm holds.
    assert got == days((9, 3), (9, 17), (10, 15), (10, 29))


def test_it_counts_weeks_from_the_anchors_monday(autumn):
    rule = Rule(
        RuleKind.EVERY_N_WEEKS,
        weekdays=frozenset({MON, THU}),
        interval_weeks=3,
        anchor=date(2026, 9, 9),  # a Wednesday: that week's Monday is before it
    )
    got = occurrences(rule, date(2026, 9, 1), date(2026, 10, 25), autumn)
    assert got == days((9, 10), (9, 28), (10, 19), (10, 22))


def test_it_runs_monthly_on_a_day_skipping_or_moving_a_holiday(autumn):
    skip = Rule(RuleKind.MONTHLY_DAY, month_day=1, calendar_mode=CalendarMode.WORKDAYS)
    start, end = date(2026, 9, 1), date(2026, 12, 31)
    assert occurrences(skip, start, end, autumn) == days((9, 1), (12, 1))  # 1 Nov: Sunday
    move = Rule(
        RuleKind.MONTHLY_DAY,
        month_day=1,
        calendar_mode=CalendarMode.WORKDAYS,
        holiday_policy=HolidayPolicy.NEXT,
    )
    assert occurrences(move, start, end, autumn) == days((9, 1), (10, 8), (11, 2), (12, 1))


def test_it_uses_the_last_day_of_a_short_month(autumn):
    rule = Rule(RuleKind.MONTHLY_DAY, month_day=31, calendar_mode=CalendarMode.ALL_DAYS)
    got = occurrences(rule, date(2026, 9, 1), date(2026, 12, 31), autumn)
    assert got == days((9, 30), (10, 31), (11, 30), (12, 31))


def test_it_never_moves_a_monthly_day_out_of_the_vacation_into_the_next_month(autumn):
    rule = Rule(RuleKind.MONTHLY_DAY, month_day=5, holiday_policy=HolidayPolicy.NEXT)
    got = occurrences(rule, date(2026, 7, 1), date(2026, 9, 30), autumn)
    # 5 July and 5 August fall in the summer vacation: skipped, not piled onto September.
    assert got == days((9, 7))  # 5 September is a Saturday → Monday the 7th


def test_it_runs_on_the_nth_weekday_of_the_month(autumn):
    rule = Rule(RuleKind.MONTHLY_WEEKDAY, month_nth=1, month_weekday=WED)
    got = occurrences(rule, date(2026, 9, 1), date(2026, 12, 31), autumn)
    assert got == days((9, 2), (11, 4), (12, 2))  # 7 October: National Day
    moved = Rule(
        RuleKind.MONTHLY_WEEKDAY, month_nth=1, month_weekday=WED, holiday_policy=HolidayPolicy.NEXT
    )
    got = occurrences(moved, date(2026, 9, 1), date(2026, 12, 31), autumn)
    assert got == days((9, 2), (10, 8), (11, 4), (12, 2))


def test_it_runs_on_the_last_weekday_of_the_month(autumn):
    rule = Rule(
        RuleKind.MONTHLY_WEEKDAY,
        month_nth=LAST,
        month_weekday=FRI,
        holiday_policy=HolidayPolicy.NEXT,
    )
    got = occurrences(rule, date(2026, 9, 1), date(2026, 12, 31), autumn)
    assert got == days((9, 28), (10, 30), (11, 27), (12, 25))  # 25 Sep 中秋 → Mon 28


@pytest.mark.parametrize(
    ("nth", "weekday", "expected"),
    [
        (1, MON, date(2026, 6, 1)),
        (4, MON, date(2026, 6, 22)),
        (LAST, MON, date(2026, 6, 29)),
        (LAST, TUE, date(2026, 6, 30)),
        (1, SUN, date(2026, 6, 7)),
    ],
)
def test_it_finds_the_nth_weekday(nth, weekday, expected):
    assert nth_weekday(2026, 6, nth, weekday) == expected


def test_it_respects_the_rules_start_and_end(autumn):
    rule = Rule(
        RuleKind.WEEKLY,
        weekdays=frozenset({FRI}),
        start=date(2026, 10, 9),
        end=date(2026, 10, 23),
    )
    got = occurrences(rule, date(2026, 9, 1), date(2026, 12, 31), autumn)
    assert got == days((10, 9), (10, 16), (10, 23))


def test_it_lists_skipped_holidays_in_the_preview(autumn):
    rule = Rule(RuleKind.WEEKLY, weekdays=frozenset({FRI}))
    steps = upcoming(rule, date(2026, 9, 21), autumn, count=2, until=date(2026, 12, 31))
    assert [(s.planned, s.runs, s.reason) for s in steps] == [
        (date(2026, 9, 25), False, "中秋节"),
        (date(2026, 10, 2), False, "国庆节"),
        (date(2026, 10, 9), True, ""),
        (date(2026, 10, 16), True, ""),
    ]


def test_it_marks_weekends_of_a_daily_rule_as_plain_rest_days(autumn):
    steps = upcoming(
        Rule(RuleKind.DAILY), date(2026, 10, 9), autumn, count=3, until=date(2026, 12, 31)
    )
    assert [(s.planned, s.runs, s.rest_day) for s in steps] == [
        (date(2026, 10, 9), True, False),
        (date(2026, 10, 10), True, False),
        (date(2026, 10, 11), False, True),
        (date(2026, 10, 12), True, False),
    ]
