"""How many days a leave takes, on the school calendar.

A leave runs from ``start_date``/``start_part`` to ``end_date``/``end_part`` in half days:
a start part of 全天 or 上午 starts in the morning, 下午 in the afternoon; an end part of
全天 or 下午 ends in the evening, 上午 at noon. Each half day counts 0.5 when the day
counts: a working day (holidays and weekends skipped, swapped working days 调休 counted)
for a type counted in working days, every day for a type counted in calendar days (产假).

A leave of class periods within one day (``periods`` "3-4" or "3,4") counts half a day
per ``leave.periods_per_half_day`` periods (school setting, default 4), at most one day.

    count = count_leave(school, leave_type, start, "full", end, "pm")
    count.days        # Decimal("2")
    count.skipped     # [DayInfo...] holidays/weekends not counted (working-day types)
    count.swapped     # [DayInfo...] swapped working days (调休) that were counted
    count.unknown_years  # years whose national holidays are not known yet
"""

import math
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from houqin.leave.models import HalfDay, LeaveType
from houqin.org.calendar import DayInfo, SchoolCalendar, holidays_known
from houqin.org.school_settings import get_setting

MAX_PERIOD = 12


class CountError(ValueError):
    """Dates or parts that do not make a leave; ``str(error)`` is the Chinese message."""


@dataclass
class Count:
    days: Decimal
    counted: list[date] = field(default_factory=list)
    skipped: list[DayInfo] = field(default_factory=list)
    swapped: list[DayInfo] = field(default_factory=list)
    unknown_years: list[int] = field(default_factory=list)
    by_calendar: bool = False

    def explanation(self) -> str:
        """One line for the apply form: what was skipped and what was counted."""
        parts = []
        if self.skipped:
            holidays = [i for i in self.skipped if i.name]
            weekends = len(self.skipped) - len(holidays)
            if holidays:
                names = sorted({i.name for i in holidays})
                parts.append(
                    _("%(names)s %(count)s 天不计")
                    % {"names": "、".join(names), "count": len(holidays)}
                )
            if weekends:
                parts.append(_("周末 %(count)s 天不计") % {"count": weekends})
        if self.swapped:
            parts.append(
                _("%(days)s 调休上班，计入")
                % {"days": "、".join(f"{i.day.month}月{i.day.day}日" for i in self.swapped)}
            )
        if self.unknown_years:
            parts.append(
                _("%(years)s 年的法定节假日尚未公布，暂按周一至周五计算")
                % {"years": "、".join(str(y) for y in self.unknown_years)}
            )
        return "；".join(parts)


def start_half(part) -> int:
    """0: starts in the morning; 1: in the afternoon."""
    return 1 if part == HalfDay.PM else 0


def end_half(part) -> int:
    """0: ends at noon; 1: ends in the evening."""
    return 0 if part == HalfDay.AM else 1


def parse_periods(text) -> list[int]:
    """ "3-4", "3,4", "3、4节" → [3, 4]. Raises CountError with a Chinese message."""
    text = (text or "").strip()
    if not text:
        return []
    cleaned = re.sub(r"[第节\s]", "", text.replace("，", ",").replace("、", ",").replace("－", "-"))
    cleaned = cleaned.replace("～", "-").replace("~", "-").replace("至", "-").replace("到", "-")
    periods = set()
    for piece in filter(None, cleaned.split(",")):
        match = re.fullmatch(r"(\d{1,2})(?:-(\d{1,2}))?", piece)
        if not match:
            raise CountError(_("节次请写成“3-4”或“3,4”这样的格式。"))
        low = int(match.group(1))
        high = int(match.group(2) or low)
        if low > high:
            low, high = high, low
        if low < 1 or high > MAX_PERIOD:
            raise CountError(_("节次须在第 1 到第 %(max)s 节之间。") % {"max": MAX_PERIOD})
        periods.update(range(low, high + 1))
    return sorted(periods)


def format_periods(periods) -> str:
    """[3, 4, 6] → "3-4,6": how periods are stored."""
    runs, periods = [], sorted(periods)
    for period in periods:
        if runs and period == runs[-1][1] + 1:
            runs[-1][1] = period
        else:
            runs.append([period, period])
    return ",".join(f"{a}-{b}" if a != b else str(a) for a, b in runs)


def check_range(start_date, start_part, end_date, end_part, periods=""):
    """Refuse a range that is not a leave."""
    if start_date is None or end_date is None:
        raise CountError(_("请填写开始和结束日期。"))
    if end_date < start_date:
        raise CountError(_("结束日期不能早于开始日期。"))
    if start_date == end_date and start_half(start_part) > end_half(end_part):
        raise CountError(_("同一天请假时，不能从下午开始、到上午结束。"))
    if periods and start_date != end_date:
        raise CountError(_("按节次请假只能在同一天内；跨天请按全天或半天请假。"))
    if (end_date - start_date).days > 366:
        raise CountError(_("一次请假不能超过一年。"))


def counts_by_calendar(leave_type) -> bool:
    counting = getattr(leave_type, "counting", leave_type)
    return counting == LeaveType.Counting.CALENDAR


def count_leave(
    school, leave_type, start_date, start_part, end_date, end_part, periods="", *, calendar=None
) -> Count:
    """The days of a leave of ``leave_type`` (or a ``LeaveType.Counting`` value)."""
    check_range(start_date, start_part, end_date, end_part, periods)
    by_calendar = counts_by_calendar(leave_type)
    calendar = calendar or SchoolCalendar(school, start_date, end_date)
    count = Count(days=Decimal("0"), by_calendar=by_calendar)
    years = range(start_date.year, end_date.year + 1)
    if not by_calendar:
        count.unknown_years = [y for y in years if not holidays_known(y)]
    halves = 0
    day = start_date
    while day <= end_date:
        info = calendar.info(day)
        first = start_half(start_part) if day == start_date else 0
        last = end_half(end_part) if day == end_date else 1
        if by_calendar or info.is_workday:
            halves += last - first + 1
            count.counted.append(day)
            if not by_calendar and info.is_workday and day.weekday() >= 5:
                count.swapped.append(info)
        else:
            count.skipped.append(info)
        day += timedelta(days=1)
    count.days = Decimal(halves) / 2
    period_list = parse_periods(periods)
    if period_list and count.counted:
        per_half = max(1, int(get_setting(school, "leave.periods_per_half_day")))
        count.days = min(Decimal(math.ceil(len(period_list) / per_half)) / 2, count.days)
    return count


def count_days(
    school, leave_type, start_date, start_part, end_date, end_part, periods=""
) -> Decimal:
    return count_leave(school, leave_type, start_date, start_part, end_date, end_part, periods).days


def workdays_in_halves(
    school, start_date, start_half_index, end_date, end_half_index, calendar=None
):
    """Working days (in half days) from one half day to another, both included; 0 when
    the end is before the start. Used for overruns."""
    if (end_date, end_half_index) < (start_date, start_half_index):
        return Decimal("0")
    calendar = calendar or SchoolCalendar(school, start_date, end_date)
    halves = 0
    day = start_date
    while day <= end_date:
        if calendar.info(day).is_workday:
            first = start_half_index if day == start_date else 0
            last = end_half_index if day == end_date else 1
            halves += last - first + 1
        day += timedelta(days=1)
    return Decimal(halves) / 2


def next_workday_half(school, day, half, calendar=None):
    """The first working half day after (``day``, ``half``): (date, 0|1)."""
    if half == 0:
        calendar = calendar or SchoolCalendar(school, day, day + timedelta(days=40))
        if calendar.info(day).is_workday:
            return day, 1
    cursor = day + timedelta(days=1)
    calendar = SchoolCalendar(school, cursor, cursor + timedelta(days=40))
    while not calendar.info(cursor).is_workday:
        cursor += timedelta(days=1)
        if cursor > calendar.end:
            calendar = SchoolCalendar(school, cursor, cursor + timedelta(days=40))
    return cursor, 0
