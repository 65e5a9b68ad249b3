"""The one calendar service: "working day" as it is meant in China.

A day is a working day when, in order of precedence:
1. the school's own CalendarDay says so (a day off for sports day, a make-up day);
2. a national CalendarDay says so (entered when the State Council publishes a year the
   ``chinese_calendar`` package does not know yet);
3. the ``chinese_calendar`` package says so (national holidays and swapped working days);
4. otherwise it is Monday to Friday.

A *teaching day* is a working day inside one of the school's terms.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar
from django.db.models import Q
from django.utils.translation import gettext as _

from houqin.org.models import CalendarDay, Term


@dataclass(frozen=True)
class DayInfo:
    day: date
    is_workday: bool
    name: str  # the holiday's or adjustment's name, "" for an ordinary day
    source: str  # "school" | "national" | "package" | "weekday"
    term: Term | None
    week: int | None

    @property
    def is_teaching_day(self):
        return self.is_workday and self.term is not None


def package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def holidays_known(year: int) -> bool:
    """Whether the national holidays of ``year`` are known: the package covers the year,
    or someone has entered that year's national holidays."""
    from houqin.org.models import CalendarDay

    return (
        package_covers(year)
        or CalendarDay.objects.filter(
            school__isnull=True, day__year=year, is_workday=False
        ).exists()
    )


HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


class SchoolCalendar:
    """Calendar of one school over a date range; load once, ask many times."""

    def __init__(self, school, start: date, end: date):
        self.school = school
        self.start, self.end = start, end
        adjustments = CalendarDay.objects.filter(
            Q(school=school) | Q(school__isnull=True), day__gte=start, day__lte=end
        )
        self._national = {}
        self._school = {}
        for item in adjustments:
            target = self._national if item.school_id is None else self._school
            target[item.day] = item
        self._terms = list(
            Term.objects.filter(school=school, start__lte=end, end__gte=start).select_related(
                "academic_year"
            )
        )

    def term_on(self, day):
        for term in self._terms:
            if term.start <= day <= term.end:
                return term
        return None

    def info(self, day: date) -> DayInfo:
        term = self.term_on(day)
        week = term.week_of(day) if term else None
        for source, table in (("school", self._school), ("national", self._national)):
            if day in table:
                item = table[day]
                return DayInfo(day, item.is_workday, item.name, source, term, week)
        try:
            on_holiday, holiday = chinese_calendar.get_holiday_detail(day)
            is_workday = chinese_calendar.is_workday(day)
        except NotImplementedError:
            return DayInfo(day, day.weekday() < 5, "", "weekday", term, week)
        name = ""
        if holiday:
            label = HOLIDAY_NAMES.get(holiday, holiday)
            name = label if on_holiday else _("%(holiday)s调休上班") % {"holiday": label}
        return DayInfo(day, is_workday, name, "package", term, week)

    def days(self):
        day = self.start
        while day <= self.end:
            yield self.info(day)
            day += timedelta(days=1)


def day_info(school, day: date) -> DayInfo:
    return SchoolCalendar(school, day, day).info(day)


def is_workday(school, day: date) -> bool:
    return day_info(school, day).is_workday


def workdays_between(school, start: date, end: date) -> int:
    """Working days from ``start`` to ``end`` inclusive."""
    if end < start:
        return 0
    return sum(1 for info in SchoolCalendar(school, start, end).days() if info.is_workday)


def add_workdays(school, start: date, count: int) -> date:
    """The date ``count`` working days after ``start`` (``start`` itself not counted)."""
    horizon = start + timedelta(days=count * 3 + 60)
    calendar = SchoolCalendar(school, start, horizon)
    day, remaining = start, count
    while remaining > 0:
        day += timedelta(days=1)
        if day > calendar.end:
            calendar = SchoolCalendar(school, day, day + timedelta(days=120))
        if calendar.info(day).is_workday:
            remaining -= 1
    return day
