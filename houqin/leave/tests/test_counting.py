"""Counting leave days on the school calendar (2026 National Day: Oct 1–7 off, Sat Oct 10
a swapped working day; Mid-autumn Sept 25–27 off)."""

from datetime import date
from decimal import Decimal

import pytest

from houqin.leave import counting
from houqin.leave.counting import CountError, count_leave
from houqin.leave.models import LeaveType
from houqin.org.models import CalendarDay, SchoolSetting

W = LeaveType.Counting.WORKDAYS
C = LeaveType.Counting.CALENDAR

pytestmark = pytest.mark.django_db


def days(school, start, end, start_part="full", end_part="full", periods="", kind=W):
    return count_leave(school, kind, start, start_part, end, end_part, periods).days


def test_two_working_days_over_the_national_day_holiday(school):
    count = count_leave(school, W, date(2026, 9, 30), "full", date(2026, 10, 8), "full")
    assert count.days == Decimal("2")
    assert count.counted == [date(2026, 9, 30), date(2026, 10, 8)]
    assert len(count.skipped) == 7
    assert {info.name for info in count.skipped} == {"国庆节"}
    assert "国庆节 7 天不计" in count.explanation()


def test_a_swapped_working_day_counts_and_sunday_does_not(school):
    count = count_leave(school, W, date(2026, 10, 10), "full", date(2026, 10, 12), "full")
    assert count.days == Decimal("2")  # Sat 10th (调休上班) and Mon 12th
    assert [info.day for info in count.swapped] == [date(2026, 10, 10)]
    assert [info.day for info in count.skipped] == [date(2026, 10, 11)]
    assert "10月10日 调休上班，计入" in count.explanation()
    assert "周末 1 天不计" in count.explanation()


def test_calendar_day_types_count_every_day(school):
    assert days(school, date(2026, 9, 30), date(2026, 10, 8), kind=C) == Decimal("9")


@pytest.mark.parametrize(
    ("start", "start_part", "end", "end_part", "expected"),
    [
        (date(2026, 10, 9), "am", date(2026, 10, 9), "am", "0.5"),
        (date(2026, 10, 9), "pm", date(2026, 10, 9), "pm", "0.5"),
        (date(2026, 10, 9), "am", date(2026, 10, 9), "pm", "1"),
        (date(2026, 10, 9), "full", date(2026, 10, 9), "full", "1"),
        (date(2026, 9, 30), "pm", date(2026, 10, 8), "am", "1"),
        (date(2026, 10, 9), "pm", date(2026, 10, 12), "am", "2"),
        (date(2026, 10, 9), "full", date(2026, 10, 13), "pm", "4"),
    ],
)
def test_half_days(school, start, start_part, end, end_part, expected):
    assert days(school, start, end, start_part, end_part) == Decimal(expected)


def test_a_holiday_alone_counts_nothing(school):
    assert days(school, date(2026, 10, 1), date(2026, 10, 7)) == Decimal("0")


def test_the_schools_own_day_off_and_make_up_day(school):
    CalendarDay.objects.create(
        school=school, day=date(2026, 10, 9), is_workday=False, name="运动会"
    )
    CalendarDay.objects.create(school=school, day=date(2026, 10, 11), is_workday=True, name="补课")
    assert days(school, date(2026, 10, 8), date(2026, 10, 12)) == Decimal("4")


def test_periods_count_half_a_day_per_four_periods_at_most_one(school):
    day = date(2026, 10, 9)
    assert days(school, day, day, periods="3-4") == Decimal("0.5")
    assert days(school, day, day, periods="1,2,3,4") == Decimal("0.5")
    assert days(school, day, day, periods="1-5") == Decimal("1")
    assert days(school, day, day, periods="1-8") == Decimal("1")
    assert days(school, day, day, "am", "am", periods="1-6") == Decimal("0.5")
    assert days(school, date(2026, 10, 11), date(2026, 10, 11), periods="3-4") == Decimal("0")


def test_periods_per_half_day_is_a_school_setting(school):
    SchoolSetting.objects.create(school=school, key="leave.periods_per_half_day", value=2)
    day = date(2026, 10, 9)
    assert days(school, day, day, periods="1-2") == Decimal("0.5")
    assert days(school, day, day, periods="1-3") == Decimal("1")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3-4", [3, 4]),
        ("3,4", [3, 4]),
        ("第3、4节", [3, 4]),
        ("4-3", [3, 4]),
        ("１,５－６", [1, 5, 6]),
        ("", []),
    ],
)
def test_parse_periods(text, expected):
    import unicodedata

    assert counting.parse_periods(unicodedata.normalize("NFKC", text)) == expected


@pytest.mark.parametrize("text", ["abc", "0-2", "3-13", "3--4"])
def test_bad_periods_are_refused_in_chinese(text):
    with pytest.raises(CountError, match="节"):
        counting.parse_periods(text)


def test_format_periods():
    assert counting.format_periods([3, 4, 6]) == "3-4,6"
    assert counting.format_periods([]) == ""


@pytest.mark.parametrize(
    ("start", "start_part", "end", "end_part", "periods", "message"),
    [
        (date(2026, 10, 9), "full", date(2026, 10, 8), "full", "", "结束日期不能早于开始日期"),
        (date(2026, 10, 9), "pm", date(2026, 10, 9), "am", "", "不能从下午开始"),
        (date(2026, 10, 9), "full", date(2026, 10, 12), "full", "3-4", "按节次请假只能在同一天"),
        (None, "full", date(2026, 10, 12), "full", "", "请填写开始和结束日期"),
        (date(2026, 1, 1), "full", date(2027, 3, 1), "full", "", "不能超过一年"),
    ],
)
def test_ranges_that_are_not_a_leave(school, start, start_part, end, end_part, periods, message):
    with pytest.raises(CountError, match=message):
        count_leave(school, W, start, start_part, end, end_part, periods)


def test_years_without_known_holidays_are_reported(school):
    count = count_leave(school, W, date(2031, 3, 3), "full", date(2031, 3, 4), "full")
    assert count.days == Decimal("2")
    assert count.unknown_years == [2031]
    assert "2031 年的法定节假日尚未公布" in count.explanation()


def test_next_working_half_day_and_working_halves(school):
    assert counting.next_workday_half(school, date(2026, 9, 30), 1) == (date(2026, 10, 8), 0)
    assert counting.next_workday_half(school, date(2026, 9, 30), 0) == (date(2026, 9, 30), 1)
    assert counting.next_workday_half(school, date(2026, 10, 9), 1) == (date(2026, 10, 10), 0)
    assert counting.workdays_in_halves(
        school, date(2026, 9, 30), 1, date(2026, 10, 8), 0
    ) == Decimal("1")
    assert counting.workdays_in_halves(
        school, date(2026, 10, 8), 0, date(2026, 10, 7), 1
    ) == Decimal("0")
