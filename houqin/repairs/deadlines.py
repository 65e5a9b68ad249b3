"""Working-hours arithmetic on the school calendar.

A school works in the periods of its "repairs.working_hours" setting (default
08:00–12:00 and 13:30–17:30, local time) on the working days of ``org.calendar`` (national
holidays, swapped working days and the school's own days off included). Deadlines are
counted in those hours: a normal request reported on Friday at 16:30 with a 4-hour
response target is due on Monday at 10:00.

    from houqin.repairs import deadlines

    deadlines.targets(school, urgency, category)            # (response_h, completion_h)
    deadlines.add_working_hours(school, moment, Decimal(4))  # aware datetime
    deadlines.working_hours_between(school, start, end)      # float hours

For many requests of one school (stats), make one ``WorkingClock(school)`` and call its
``add``/``hours_between``: it loads the calendar once per 120-day window.
"""

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.org.calendar import SchoolCalendar
from houqin.repairs.models import Deadline, Urgency

# Response and completion targets in working hours when a school has no Deadline row.
DEFAULTS = {
    Urgency.URGENT: (Decimal("1"), Decimal("4")),
    Urgency.NORMAL: (Decimal("4"), Decimal("16")),
    Urgency.LOW: (Decimal("8"), Decimal("40")),
}
DEFAULT_PERIODS = ((time(8, 0), time(12, 0)), (time(13, 30), time(17, 30)))
WINDOW_DAYS = 120
MAX_DAYS = 3660  # never look further than ten years for working time

_PERIOD_RE = re.compile(r"^\s*(\d{1,2})[:：](\d{2})\s*[-–—~至到]\s*(\d{1,2})[:：](\d{2})\s*$")


def parse_periods(text):
    """``"08:00-12:00,13:30-17:30"`` → ((08:00, 12:00), (13:30, 17:30)); None when the text
    is not a list of increasing, non-overlapping periods."""
    periods = []
    for part in re.split(r"[,，;；、]+", (text or "").strip()):
        match = _PERIOD_RE.match(part)
        if not match:
            return None
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59:
            return None
        start = time(h1, m1)
        end = time(23, 59, 59, 999999) if (h2, m2) >= (24, 0) else time(h2, m2)
        if end <= start or (periods and start < periods[-1][1]):
            return None
        periods.append((start, end))
    return tuple(periods) or None


def validate_periods(text):
    """The school settings form's check of ``repairs.working_hours``."""
    if text and parse_periods(text) is None:
        raise ValidationError(
            _("工作时段格式不对：请写成 08:00-12:00,13:30-17:30，时段按先后排列且不重叠。")
        )


def working_periods(school):
    """The school's daily working periods (local times), the default if not set right."""
    return parse_periods(school.setting("repairs.working_hours")) or DEFAULT_PERIODS


def targets(school, urgency, category=""):
    """(response_hours, completion_hours) as Decimals: the category's row for the urgency,
    else the urgency's general row, else ``DEFAULTS``."""
    rows = {
        row.category: row
        for row in Deadline.objects.filter(
            school=school, urgency=urgency, category__in=["", category or ""]
        )
    }
    row = rows.get(category or "") or rows.get("")
    if row is not None:
        return row.response_hours, row.completion_hours
    return DEFAULTS.get(urgency, DEFAULTS[Urgency.NORMAL])


def _hours(value):
    return Decimal(str(value))


class WorkingClock:
    """Working time of one school; load once, ask many times."""

    def __init__(self, school, periods=None):
        self.school = school
        self.periods = periods or working_periods(school)
        self._calendar = None
        self._workdays = {}

    def is_workday(self, day: date) -> bool:
        if day not in self._workdays:
            calendar = self._calendar
            if calendar is None or not (calendar.start <= day <= calendar.end):
                calendar = self._calendar = SchoolCalendar(
                    self.school, day - timedelta(days=7), day + timedelta(days=WINDOW_DAYS)
                )
            self._workdays[day] = calendar.info(day).is_workday
        return self._workdays[day]

    def _spans(self, day):
        """The day's working periods as aware datetimes."""
        zone = timezone.get_current_timezone()
        for start, end in self.periods:
            yield (
                timezone.make_aware(datetime.combine(day, start), zone),
                timezone.make_aware(datetime.combine(day, end), zone),
            )

    def add(self, moment, hours):
        """The moment ``hours`` working hours after ``moment`` (aware). Zero hours: the
        moment itself."""
        remaining = timedelta(seconds=float(_hours(hours) * 3600))
        if remaining <= timedelta(0):
            return moment
        current = moment
        day = timezone.localtime(moment).date()
        for _step in range(MAX_DAYS):
            if self.is_workday(day):
                for span_start, span_end in self._spans(day):
                    begin = max(span_start, current)
                    if begin >= span_end:
                        continue
                    available = span_end - begin
                    if remaining <= available:
                        return begin + remaining
                    remaining -= available
            day += timedelta(days=1)
        raise ValueError("No working time within ten years.")

    def seconds_between(self, start, end):
        """Working seconds from ``start`` to ``end`` (0 when end is not after start)."""
        if start is None or end is None or end <= start:
            return 0.0
        total = 0.0
        day = timezone.localtime(start).date()
        last = timezone.localtime(end).date()
        while day <= last:
            if self.is_workday(day):
                for span_start, span_end in self._spans(day):
                    begin, finish = max(span_start, start), min(span_end, end)
                    if finish > begin:
                        total += (finish - begin).total_seconds()
            day += timedelta(days=1)
        return total

    def hours_between(self, start, end):
        """Working hours from ``start`` to ``end`` as a float (2 decimals)."""
        return round(self.seconds_between(start, end) / 3600, 2)

    def add_workdays(self, moment, count):
        """The same local time of day ``count`` working days after ``moment``'s day."""
        local = timezone.localtime(moment)
        day, remaining = local.date(), count
        for _step in range(MAX_DAYS):
            if remaining <= 0:
                break
            day += timedelta(days=1)
            if self.is_workday(day):
                remaining -= 1
        return timezone.make_aware(
            datetime.combine(day, local.time().replace(tzinfo=None)),
            timezone.get_current_timezone(),
        )


def add_working_hours(school, moment, hours):
    return WorkingClock(school).add(moment, hours)


def working_hours_between(school, start, end):
    return WorkingClock(school).hours_between(start, end)


def due_dates(school, urgency, category, moment, clock=None):
    """(response_due, completion_due) for a request reported at ``moment``."""
    clock = clock or WorkingClock(school)
    response_hours, completion_hours = targets(school, urgency, category)
    return clock.add(moment, response_hours), clock.add(moment, completion_hours)
