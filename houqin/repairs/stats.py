"""The numbers (报修统计): counts by category, building and worker; response and completion
times in working hours; overdue rate; satisfaction; places repaired often.

Everything runs in a fixed number of queries whatever the number of requests: counts are
``GROUP BY`` aggregates, and the times are worked out in Python from one narrow query of
timestamps on one ``deadlines.WorkingClock`` (the calendar loaded once per 120 days of
the period, however many requests).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db.models import Avg, Count, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.repairs import deadlines
from houqin.repairs.models import OPEN_STATUSES, Category, Status

RATINGS = (5, 4, 3, 2, 1)
FINISHED = (Status.DONE, Status.CLOSED)
OFTEN_DAYS, OFTEN_THRESHOLD, OFTEN_LIMIT = 90, 3, 20


def day_start(day):
    """The aware moment a local date begins."""
    return timezone.make_aware(datetime.combine(day, time.min))


def filter_requests(requests, *, start=None, end=None, campus=None):
    """``requests`` reported from ``start`` to ``end`` (local dates, both included) on
    ``campus`` (a Campus or its id); a missing bound is no bound."""
    if start:
        requests = requests.filter(reported_at__gte=day_start(start))
    if end:
        requests = requests.filter(reported_at__lt=day_start(end + timedelta(days=1)))
    if campus:
        requests = requests.filter(place__campus=campus)
    return requests


def responded_at(row):
    """When the request was answered: accepted, started or finished, whichever came first;
    a request handed straight to a vendor is answered when it is assigned."""
    moments = [row[name] for name in ("accepted_at", "started_at", "done_at") if row[name]]
    if not moments and row["vendor_id"] and row["assigned_at"]:
        moments = [row["assigned_at"]]
    return min(moments) if moments else None


def is_overdue(row, now):
    """Answered or finished after its deadline, or still waiting past it. Cancelled
    requests are never overdue."""
    if row["status"] == Status.CANCELLED:
        return False
    response = responded_at(row) or now
    finished = row["done_at"] or now
    return response > row["response_due"] or finished > row["completion_due"]


def _hours(value):
    return None if value is None else round(float(value), 1)


def _share(part, whole):
    return round(100 * part / whole, 1) if whole else 0


@dataclass
class Row:
    """One line of a breakdown: a label, a count and its share of the total."""

    key: object
    label: str
    count: int = 0
    share: float = 0
    finished: int = 0
    overdue: int = 0
    rating: float | None = None
    response_hours: float | None = None
    completion_hours: float | None = None
    cost: Decimal = Decimal("0")

    @property
    def bar(self):
        """Width of the row's bar, in percent of the largest row (set by ``_finish``)."""
        return getattr(self, "_bar", 0)


@dataclass
class Stats:
    total: int = 0
    open: int = 0
    finished: int = 0
    closed: int = 0
    cancelled: int = 0
    overdue: int = 0
    overdue_open: int = 0
    escalated: int = 0
    reopened: int = 0
    student_damage: int = 0
    response_hours: float | None = None
    completion_hours: float | None = None
    rated: int = 0
    rating: float | None = None
    ratings: list = field(default_factory=list)  # [Row(key=5…1)]
    labour_cost: Decimal = Decimal("0")
    parts_cost: Decimal = Decimal("0")
    vendor_cost: Decimal = Decimal("0")
    by_category: list = field(default_factory=list)
    by_building: list = field(default_factory=list)
    by_worker: list = field(default_factory=list)
    often_repaired: list = field(default_factory=list)

    @property
    def counted(self):
        """Requests that count for the overdue rate: all but the cancelled."""
        return self.total - self.cancelled

    @property
    def overdue_rate(self):
        return _share(self.overdue, self.counted)

    @property
    def total_cost(self):
        return self.labour_cost + self.parts_cost + self.vendor_cost

    @property
    def satisfied_rate(self):
        """Share of ratings of 4 or 5."""
        good = sum(row.count for row in self.ratings if row.key >= 4)
        return _share(good, self.rated)


def _finish(rows, total):
    """Shares of the total and bar widths relative to the largest row, largest first."""
    rows.sort(key=lambda row: (-row.count, str(row.label)))
    largest = max((row.count for row in rows), default=0)
    for row in rows:
        row.share = _share(row.count, total)
        row._bar = _share(row.count, largest)
    return rows


def working_hours_function(school):
    """``hours(a, b)``: working hours between two moments on the school's calendar, the
    calendar loaded once per window (``deadlines.WorkingClock``)."""
    return deadlines.WorkingClock(school).hours_between


def compute(requests, *, school, now=None):
    """The statistics of ``requests`` (a RepairRequest queryset, already narrowed to the
    user, dates and campus) as a ``Stats``."""
    now = now or timezone.now()
    stats = Stats()
    base = requests.order_by()

    # 1. Totals, costs and flags in one aggregate.
    totals = base.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        finished=Count("pk", filter=Q(status__in=FINISHED)),
        closed=Count("pk", filter=Q(status=Status.CLOSED)),
        cancelled=Count("pk", filter=Q(status=Status.CANCELLED)),
        escalated=Count("pk", filter=Q(escalation_level__gt=0)),
        reopened=Count("pk", filter=Q(reopen_count__gt=0)),
        student_damage=Count("pk", filter=Q(damaged_by_students=True)),
        labour=Sum("labour_cost"),
        parts=Sum("parts_cost"),
        vendor=Sum("vendor_cost"),
        rated=Count("rating"),
        rating=Avg("rating"),
    )
    for name in (
        "total",
        "open",
        "finished",
        "closed",
        "cancelled",
        "escalated",
        "reopened",
        "student_damage",
        "rated",
    ):
        setattr(stats, name, totals[name])
    stats.labour_cost = totals["labour"] or Decimal("0")
    stats.parts_cost = totals["parts"] or Decimal("0")
    stats.vendor_cost = totals["vendor"] or Decimal("0")
    stats.rating = round(float(totals["rating"]), 2) if totals["rating"] is not None else None

    # 2. Satisfaction distribution.
    rating_counts = dict(
        base.filter(rating__isnull=False)
        .values_list("rating")
        .annotate(n=Count("pk"))
        .values_list("rating", "n")
    )
    stats.ratings = [
        Row(key=value, label=_("%(n)s 分") % {"n": value}, count=rating_counts.get(value, 0))
        for value in RATINGS
    ]
    largest = max(rating_counts.values(), default=0)
    for row in stats.ratings:
        row.share = _share(row.count, stats.rated)
        row._bar = _share(row.count, largest)

    # 3. By category.
    labels = dict(Category.choices)
    stats.by_category = _finish(
        [
            Row(key=code, label=str(labels.get(code, code)), count=n)
            for code, n in base.values_list("category")
            .annotate(n=Count("pk"))
            .values_list("category", "n")
        ],
        stats.total,
    )

    # 4. By building (places outside any building count together).
    stats.by_building = _finish(
        [
            Row(
                key=building_id,
                label=name if building_id else _("不在楼内"),
                count=n,
            )
            for building_id, name, n in base.values_list(
                "place__building_id", "place__building__name"
            )
            .annotate(n=Count("pk"))
            .values_list("place__building_id", "place__building__name", "n")
        ],
        stats.total,
    )

    # 5. Times, overdue and the workers, from one narrow query.
    rows = list(
        base.values(
            "status",
            "assignee_id",
            "assignee__name",
            "vendor_id",
            "vendor__name",
            "reported_at",
            "assigned_at",
            "accepted_at",
            "started_at",
            "done_at",
            "response_due",
            "completion_due",
            "rating",
            "labour_cost",
            "parts_cost",
            "vendor_cost",
        )
    )
    hours = working_hours_function(school)
    response_times, completion_times = [], []
    workers = {}
    worker_times = defaultdict(lambda: ([], [], []))  # response, completion, ratings
    for row in rows:
        overdue = is_overdue(row, now)
        if overdue:
            stats.overdue += 1
            if row["status"] in OPEN_STATUSES:
                stats.overdue_open += 1
        response = responded_at(row)
        response_hours = hours(row["reported_at"], response) if response else None
        completion_hours = hours(row["reported_at"], row["done_at"]) if row["done_at"] else None
        if row["status"] != Status.CANCELLED:
            if response_hours is not None:
                response_times.append(response_hours)
            if completion_hours is not None:
                completion_times.append(completion_hours)
        if row["assignee_id"]:
            key, label = ("staff", row["assignee_id"]), row["assignee__name"]
        elif row["vendor_id"]:
            key, label = ("vendor", row["vendor_id"]), row["vendor__name"]
        else:
            continue
        worker = workers.get(key)
        if worker is None:
            worker = workers[key] = Row(key=key, label=label)
            if key[0] == "vendor":
                worker.label = _("%(name)s（外包）") % {"name": label}
        worker.count += 1
        worker.finished += row["status"] in FINISHED
        worker.overdue += overdue
        worker.cost += row["labour_cost"] + row["parts_cost"] + row["vendor_cost"]
        times = worker_times[key]
        if row["status"] != Status.CANCELLED:
            if response_hours is not None:
                times[0].append(response_hours)
            if completion_hours is not None:
                times[1].append(completion_hours)
        if row["rating"] is not None:
            times[2].append(row["rating"])
    stats.response_hours = _mean(response_times)
    stats.completion_hours = _mean(completion_times)
    for key, worker in workers.items():
        response, completion, ratings = worker_times[key]
        worker.response_hours = _mean(response)
        worker.completion_hours = _mean(completion)
        worker.rating = round(sum(ratings) / len(ratings), 2) if ratings else None
    stats.by_worker = _finish(list(workers.values()), stats.total)
    return stats


def _mean(values):
    return _hours(sum(values) / len(values)) if values else None


def often_repaired_places(
    school, since, threshold=OFTEN_THRESHOLD, *, until=None, campus=None, places=None
):
    """Places of ``school`` with at least ``threshold`` requests (cancelled ones aside)
    reported since ``since`` (a date or a moment) and, with ``until`` (a date), up to that
    day; most repaired first. A Place queryset annotated with ``repair_count`` and
    ``last_reported_at``, e.g. for a place's card:
    ``often_repaired_places(school, since).filter(pk=place.pk).exists()``. ``places``
    narrows the candidates (e.g. ``Place.objects.for_user(user)``)."""
    from houqin.org.models import Place

    if not isinstance(since, datetime):
        since = day_start(since)
    counted = Q(repairs__reported_at__gte=since) & ~Q(repairs__status=Status.CANCELLED)
    if until:
        counted &= Q(repairs__reported_at__lt=day_start(until + timedelta(days=1)))
    places = (Place.objects.all() if places is None else places).filter(school=school)
    if campus:
        places = places.filter(campus=campus)
    return (
        places.annotate(
            repair_count=Count("repairs", filter=counted),
            last_reported_at=Max("repairs__reported_at", filter=counted),
        )
        .filter(repair_count__gte=threshold)
        .select_related("campus", "building", "floor")
        .order_by("-repair_count", "-last_reported_at", "pk")
    )


def summarize(requests, *, school, start=None, end=None, campus=None, places=None, now=None):
    """``compute`` over ``requests`` narrowed to the period and campus, plus the places
    repaired at least ``OFTEN_THRESHOLD`` times in that period (with no start, in the last
    ``OFTEN_DAYS`` days)."""
    now = now or timezone.now()
    narrowed = filter_requests(requests, start=start, end=end, campus=campus)
    stats = compute(narrowed, school=school, now=now)
    since = start or (timezone.localdate(now) - timedelta(days=OFTEN_DAYS))
    often = often_repaired_places(school, since, until=end, campus=campus, places=places)
    stats.often_repaired = list(often[:OFTEN_LIMIT])
    return stats
