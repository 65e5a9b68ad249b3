"""隐患统计 and surveillance coverage: open hazards by building, domain and grade; overdue;
time to close; the monthly trend of hazards found and closed; places no camera watches.

Counts are ``GROUP BY`` aggregates, so the page runs a fixed number of queries whatever
the number of hazards. Medians need the single values, which no portable SQL gives: they
come from one narrow query of two timestamps per hazard closed in the chosen period.
"""

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.hazards.models import (
    OPEN_STATUSES,
    Camera,
    Domain,
    Grade,
    Hazard,
    Source,
    Status,
    overdue_q,
)
from houqin.org.models import PlaceType

# Places a school is expected to watch: where crowds pass (gates, corridors, stairs, the
# playground, the canteen), the kitchen (明厨亮灶) and building sites. Classrooms,
# offices, toilets and dormitories are left out on purpose.
WATCHED_PLACE_TYPES = (
    PlaceType.GATE,
    PlaceType.CORRIDOR,
    PlaceType.STAIRWELL,
    PlaceType.PLAYGROUND,
    PlaceType.CANTEEN,
    PlaceType.KITCHEN,
    PlaceType.CONSTRUCTION,
)
TREND_MIN_MONTHS = 6


def day_start(day):
    """The aware moment a local date begins."""
    return timezone.make_aware(datetime.combine(day, time.min))


def counted(hazards):
    """Hazards that count in the numbers: every one but those voided as mistakes."""
    return hazards.exclude(status=Status.VOID)


def percent(part, whole):
    return round(100 * part / whole, 1) if whole else 0


def _days(value):
    return round(value, 1) if value is not None else None


@dataclass
class Row:
    """One line of a breakdown of open hazards. ``filters`` are the register list's query
    parameters that show the same hazards (empty when the list cannot filter that way)."""

    key: object
    label: str
    count: int = 0
    overdue: int = 0
    major: int = 0
    filters: dict = field(default_factory=dict)
    share: float = 0
    bar: float = 0


@dataclass
class CloseRow:
    """Time to close of the hazards of one domain closed in the period, in days."""

    key: str
    label: str
    closed: int = 0
    median_days: float | None = None
    average_days: float | None = None


@dataclass
class MonthRow:
    month: date
    found: int = 0
    closed: int = 0
    found_bar: float = 0
    closed_bar: float = 0


@dataclass
class Stats:
    open: int = 0
    overdue: int = 0
    major_open: int = 0
    unassigned: int = 0
    awaiting_verification: int = 0
    found: int = 0  # in the period
    closed: int = 0  # in the period
    median_days: float | None = None
    average_days: float | None = None
    by_building: list = field(default_factory=list)
    by_domain: list = field(default_factory=list)
    by_grade: list = field(default_factory=list)
    close_by_domain: list = field(default_factory=list)
    trend: list = field(default_factory=list)

    @property
    def overdue_rate(self):
        return percent(self.overdue, self.open)


def _finish(rows, total):
    largest = max((row.count for row in rows), default=0)
    for row in rows:
        row.share = percent(row.count, total)
        row.bar = percent(row.count, largest)
    return rows


def _grouped(open_hazards, today, *keys):
    """(keys…, count, overdue, major) per group of open hazards."""
    return (
        open_hazards.values_list(*keys)
        .annotate(
            n=Count("pk"),
            late=Count("pk", filter=overdue_q(today)),
            major=Count("pk", filter=Q(grade=Grade.MAJOR)),
        )
        .values_list(*keys, "n", "late", "major")
    )


def open_breakdown(hazards, stats, *, today):
    """The open hazards: totals, then by building, domain and grade (four queries)."""
    open_hazards = hazards.filter(status__in=OPEN_STATUSES).order_by()
    totals = open_hazards.aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=overdue_q(today)),
        major_open=Count("pk", filter=Q(grade=Grade.MAJOR)),
        unassigned=Count("pk", filter=Q(status=Status.REPORTED)),
        awaiting_verification=Count("pk", filter=Q(status=Status.RECTIFIED)),
    )
    for name, value in totals.items():
        setattr(stats, name, value)

    buildings = [
        Row(
            key=building_id,
            label=name if building_id else _("未指定楼宇"),
            count=n,
            overdue=late,
            major=major,
            filters={"building": building_id} if building_id else {},
        )
        for building_id, name, n, late, major in _grouped(
            open_hazards, today, "place__building_id", "place__building__name"
        )
    ]
    # The largest first; hazards outside any building last.
    buildings.sort(key=lambda row: (row.key is None, -row.count, row.label))
    stats.by_building = _finish(buildings, stats.open)

    by_domain = {code: rest for code, *rest in _grouped(open_hazards, today, "domain")}
    stats.by_domain = _finish(
        [
            Row(key=code, label=str(label), filters={"domain": code}, **_counts(by_domain, code))
            for code, label in Domain.choices
        ],
        stats.open,
    )
    by_grade = {code: rest for code, *rest in _grouped(open_hazards, today, "grade")}
    stats.by_grade = _finish(
        [
            Row(key=code, label=str(label), filters={"grade": code}, **_counts(by_grade, code))
            for code, label in Grade.choices
        ],
        stats.open,
    )
    return stats


def _counts(grouped, key):
    n, late, major = grouped.get(key, (0, 0, 0))
    return {"count": n, "overdue": late, "major": major}


def close_times(hazards, stats, *, start, end):
    """Days from found to closed (销号) of the hazards closed from ``start`` to ``end``
    (local dates, both included): median and average, overall and by domain."""
    rows = (
        hazards.filter(
            status=Status.CLOSED,
            closed_at__gte=day_start(start),
            closed_at__lt=day_start(end + timedelta(days=1)),
        )
        .order_by()
        .values_list("domain", "reported_at", "closed_at")
    )
    every, by_domain = [], {}
    for domain, reported_at, closed_at in rows:
        days = max((closed_at - reported_at).total_seconds(), 0) / 86400
        every.append(days)
        by_domain.setdefault(domain, []).append(days)
    stats.median_days, stats.average_days = _median_and_mean(every)
    stats.close_by_domain = []
    for code, label in Domain.choices:
        values = by_domain.get(code)
        if values:
            median, mean = _median_and_mean(values)
            stats.close_by_domain.append(
                CloseRow(
                    key=code,
                    label=str(label),
                    closed=len(values),
                    median_days=median,
                    average_days=mean,
                )
            )
    return stats


def _median_and_mean(values):
    if not values:
        return None, None
    return _days(statistics.median(values)), _days(statistics.fmean(values))


def _month_start(day):
    return day.replace(day=1)


def _next_month(day):
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def trend_months(start, end):
    """The first days of the months shown in the trend: those of the period, and at least
    the ``TREND_MIN_MONTHS`` months up to its end so one month still has a context."""
    last = _month_start(end)
    first = _month_start(start)
    earliest = last
    for _n in range(TREND_MIN_MONTHS - 1):
        earliest = _month_start(earliest - timedelta(days=1))
    first = min(first, earliest)
    months = []
    while first <= last:
        months.append(first)
        first = _next_month(first)
    return months


def _per_month(hazards, moment_field, since, until):
    counts = (
        hazards.filter(**{f"{moment_field}__gte": since, f"{moment_field}__lt": until})
        .order_by()
        .annotate(month=TruncMonth(moment_field))
        .values_list("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    return {timezone.localtime(month).date(): n for month, n in counts}


def monthly_trend(hazards, stats, *, start, end):
    """Hazards found and closed per month (two queries)."""
    months = trend_months(start, end)
    since, until = day_start(months[0]), day_start(_next_month(months[-1]))
    found = _per_month(counted(hazards), "reported_at", since, until)
    closed = _per_month(hazards.filter(status=Status.CLOSED), "closed_at", since, until)
    largest = max([*found.values(), *closed.values(), 0])
    stats.trend = [
        MonthRow(
            month=month,
            found=found.get(month, 0),
            closed=closed.get(month, 0),
            found_bar=percent(found.get(month, 0), largest),
            closed_bar=percent(closed.get(month, 0), largest),
        )
        for month in months
    ]
    return stats


def period_counts(hazards, stats, *, start, end):
    """Hazards found and closed in the period (one query)."""
    since, until = day_start(start), day_start(end + timedelta(days=1))
    totals = counted(hazards).aggregate(
        found=Count("pk", filter=Q(reported_at__gte=since, reported_at__lt=until)),
        closed=Count(
            "pk",
            filter=Q(status=Status.CLOSED, closed_at__gte=since, closed_at__lt=until),
        ),
    )
    stats.found, stats.closed = totals["found"], totals["closed"]
    return stats


def summarize(hazards, *, start, end, today=None):
    """The whole statistics page for ``hazards`` (a Hazard queryset already narrowed to
    what the user may read): the open ones as of ``today``, the times and the trend over
    the period from ``start`` to ``end`` (local dates, both included)."""
    today = today or timezone.localdate()
    stats = Stats()
    open_breakdown(hazards, stats, today=today)
    period_counts(hazards, stats, start=start, end=end)
    close_times(hazards, stats, start=start, end=end)
    monthly_trend(hazards, stats, start=start, end=end)
    return stats


# Surveillance coverage


def working_cameras():
    """Cameras that count as watching: in use and not faulty."""
    return Camera.objects.filter(is_active=True, status=Camera.CameraStatus.WORKING)


def open_blind_spot_hazards(hazards=None):
    """The open hazards of ``hazards`` (default: all) registered as blind spots."""
    hazards = Hazard.objects.all() if hazards is None else hazards
    return hazards.filter(source=Source.BLIND_SPOT, status__in=OPEN_STATUSES)


def with_coverage(places):
    """``places`` annotated with ``is_covered`` (a working camera in use covers it) and
    ``blind_spot_hazard_id`` (the open blind-spot hazard that names it, if any)."""
    latest = open_blind_spot_hazards().filter(place=OuterRef("pk")).order_by("-reported_at")
    return places.annotate(
        is_covered=Exists(working_cameras().filter(covers=OuterRef("pk"))),
        blind_spot_hazard_id=Subquery(latest.values("pk")[:1]),
    )


def watched_places(places):
    """The places of ``places`` a school is expected to watch: in use, of a watched type."""
    return places.filter(is_active=True, place_type__in=WATCHED_PLACE_TYPES)


def blind_spots(places):
    """Watched places that no working camera covers."""
    return with_coverage(watched_places(places)).filter(is_covered=False)


def open_blind_spot_hazard(place):
    """The open blind-spot hazard of ``place``, or None."""
    return open_blind_spot_hazards().filter(place=place).order_by("-reported_at", "-pk").first()
