"""When a recurring schedule runs: date arithmetic checked against the school calendar.

Pure functions of a ``Rule`` and a calendar (anything with ``info(day) -> DayInfo``, such
as ``houqin.org.calendar.SchoolCalendar``); nothing here reads the database itself.

A rule names *planned* days (every day; Mondays and Fridays; every second Thursday from an
anchor week; the 5th of each month; the first Wednesday of each month). A planned day
runs when the calendar mode allows it:

- teaching days (default): a working day inside one of the school's terms — national
  holidays, weekends, the school's own days off and the vacations are skipped, swapped
  working days (调休上班) and make-up days run;
- working days: holidays and weekends are skipped, vacations are not;
- every day: nothing is skipped.

A planned day that is not allowed is skipped, or — with ``HolidayPolicy.NEXT`` — moved to
the next allowed day before the rule's next planned day, and for a monthly rule within the
same month (so a move never doubles up with the next occurrence, and a monthly drill
planned in the summer vacation is skipped rather than piled onto the start of term). A
daily rule always skips.
"""

import calendar as month_calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# A planned day is never moved further than this; also how far before a window the walk
# starts, so a day planned just before the window and moved into it is found.
MAX_MOVE_DAYS = 31


class RuleKind(models.TextChoices):
    DAILY = "daily", gettext_lazy("每天")
    WEEKLY = "weekly", gettext_lazy("每周")
    EVERY_N_WEEKS = "every_n_weeks", gettext_lazy("每隔几周")
    MONTHLY_DAY = "monthly_day", gettext_lazy("每月某日")
    MONTHLY_WEEKDAY = "monthly_weekday", gettext_lazy("每月第几个星期几")


class CalendarMode(models.TextChoices):
    TEACHING_DAYS = "teaching_days", gettext_lazy("仅教学日（跳过节假日、周末和寒暑假）")
    WORKDAYS = "workdays", gettext_lazy("工作日（跳过节假日和周末，寒暑假照常）")
    ALL_DAYS = "all_days", gettext_lazy("每天（不跳过任何日子）")


class HolidayPolicy(models.TextChoices):
    SKIP = "skip", gettext_lazy("跳过这一次")
    NEXT = "next", gettext_lazy("顺延到下一个可执行日")


WEEKDAYS = [
    (0, gettext_lazy("周一")),
    (1, gettext_lazy("周二")),
    (2, gettext_lazy("周三")),
    (3, gettext_lazy("周四")),
    (4, gettext_lazy("周五")),
    (5, gettext_lazy("周六")),
    (6, gettext_lazy("周日")),
]
WEEKDAY_NAMES = dict(WEEKDAYS)

LAST = -1
NTH_CHOICES = [
    (1, gettext_lazy("第一个")),
    (2, gettext_lazy("第二个")),
    (3, gettext_lazy("第三个")),
    (4, gettext_lazy("第四个")),
    (LAST, gettext_lazy("最后一个")),
]
NTH_NAMES = dict(NTH_CHOICES)


@dataclass(frozen=True)
class Rule:
    kind: str
    weekdays: frozenset = frozenset()  # 0 = Monday … 6 = Sunday
    interval_weeks: int = 1
    anchor: date | None = None  # every N weeks: the week counting starts from
    month_day: int | None = None  # 1–31; a shorter month uses its last day
    month_nth: int | None = None  # 1–4, or LAST
    month_weekday: int | None = None
    calendar_mode: str = CalendarMode.TEACHING_DAYS
    holiday_policy: str = HolidayPolicy.SKIP
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class Step:
    """One planned day of a rule: where it runs, or why it does not."""

    day: date  # the day it runs on, or the planned day when skipped
    planned: date
    runs: bool
    reason: str = ""  # why the planned day could not be used ("国庆节", "假期", …)
    rest_day: bool = False  # skipped for an ordinary weekend, nothing worth listing

    @property
    def moved(self):
        return self.runs and self.day != self.planned


def allowed(info, mode) -> bool:
    if mode == CalendarMode.ALL_DAYS:
        return True
    if mode == CalendarMode.WORKDAYS:
        return info.is_workday
    return info.is_teaching_day


def skip_reason(info, mode) -> str:
    if not info.is_workday:
        return info.name or _("休息日")
    return _("假期（不在学期内）")


def _first_of_next_month(day):
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def nth_weekday(year, month, nth, weekday) -> date:
    """The nth (1–4, or LAST) ``weekday`` of a month."""
    if nth == LAST:
        last = date(year, month, month_calendar.monthrange(year, month)[1])
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def planned_days(rule: Rule, start: date, stop: date) -> Iterator[date]:
    """The days the rule names from ``start`` to ``stop`` (and within the rule's own
    start and end), ignoring the calendar."""
    day = max(start, rule.start) if rule.start else start
    if rule.kind == RuleKind.EVERY_N_WEEKS and rule.anchor:
        day = max(day, rule.anchor)
    stop = min(stop, rule.end) if rule.end else stop
    while day <= stop:
        if rule.kind in (RuleKind.MONTHLY_DAY, RuleKind.MONTHLY_WEEKDAY):
            candidate = _in_month(rule, day.year, day.month)
            if candidate is not None and day <= candidate <= stop:
                yield candidate
            day = _first_of_next_month(day)
            continue
        if _matches_week_rule(rule, day):
            yield day
        day += timedelta(days=1)


def _in_month(rule, year, month):
    if rule.kind == RuleKind.MONTHLY_DAY:
        if not rule.month_day:
            return None
        return date(year, month, min(rule.month_day, month_calendar.monthrange(year, month)[1]))
    if rule.month_nth is None or rule.month_weekday is None:
        return None
    return nth_weekday(year, month, rule.month_nth, rule.month_weekday)


def _matches_week_rule(rule, day):
    if rule.kind == RuleKind.DAILY:
        return True
    if day.weekday() not in rule.weekdays:
        return False
    if rule.kind == RuleKind.WEEKLY:
        return True
    if rule.kind == RuleKind.EVERY_N_WEEKS:
        if rule.anchor is None or day < rule.anchor:
            return False
        anchor_monday = rule.anchor - timedelta(days=rule.anchor.weekday())
        weeks = (day - anchor_monday).days // 7
        return weeks % max(rule.interval_weeks, 1) == 0
    return False


def walk(rule: Rule, start: date, calendar, *, until: date) -> Iterator[Step]:
    """Each planned day from ``start`` to ``until``, as a Step: runs on the day, moved to
    a later day, or skipped with the reason. ``calendar`` must know the days from
    ``start`` to ``until + MAX_MOVE_DAYS``."""
    # One planned day past the reach of a move is enough to bound every move.
    planned = planned_days(rule, start, until + timedelta(days=MAX_MOVE_DAYS + 1))
    current = next(planned, None)
    while current is not None and current <= until:
        following = next(planned, None)
        yield _step(rule, calendar, current, following)
        current = following


def _step(rule, calendar, day, following):
    info = calendar.info(day)
    if allowed(info, rule.calendar_mode):
        return Step(day, day, True)
    reason = skip_reason(info, rule.calendar_mode)
    rest_day = not info.is_workday and not info.name
    if rule.kind != RuleKind.DAILY and rule.holiday_policy == HolidayPolicy.NEXT:
        limit = day + timedelta(days=MAX_MOVE_DAYS)
        if following is not None:
            limit = min(limit, following - timedelta(days=1))
        if rule.end is not None:
            limit = min(limit, rule.end)
        if rule.kind in (RuleKind.MONTHLY_DAY, RuleKind.MONTHLY_WEEKDAY):
            # This month's drill stays in this month.
            limit = min(limit, _first_of_next_month(day) - timedelta(days=1))
        candidate = day + timedelta(days=1)
        while candidate <= limit:
            if allowed(calendar.info(candidate), rule.calendar_mode):
                return Step(candidate, day, True, reason)
            candidate += timedelta(days=1)
    return Step(day, day, False, reason, rest_day)


def occurrences(rule: Rule, start: date, end: date, calendar) -> list[date]:
    """The days the rule runs on from ``start`` to ``end`` inclusive. ``calendar`` must
    know the days from ``start - MAX_MOVE_DAYS`` to ``end + MAX_MOVE_DAYS``."""
    steps = walk(rule, start - timedelta(days=MAX_MOVE_DAYS), calendar, until=end)
    return sorted({s.day for s in steps if s.runs and start <= s.day <= end})


def upcoming(rule: Rule, start: date, calendar, *, count: int, until: date) -> list[Step]:
    """The steps from ``start`` until ``count`` of them have run (or ``until``): what a
    preview shows, skipped holidays included."""
    steps = []
    runs = 0
    for step in walk(rule, start - timedelta(days=MAX_MOVE_DAYS), calendar, until=until):
        if step.day < start or (not step.runs and step.planned < start):
            continue
        steps.append(step)
        runs += step.runs
        if runs >= count:
            break
    return steps
