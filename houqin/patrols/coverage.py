"""Patrol coverage, of places and of the plan.

``place_coverage``: which places were visited in a period, laid out by campus, building
and floor (top floor first) the way the school's buildings stand, each place a tile —
visited with its QR scanned, visited only by manual confirmation, on a route but not
visited, or on no route at all.

``patrol_stats`` (the plan's "脚步勤"): per person, the rounds their plans expected, done,
done late, missed, their ad-hoc rounds, checkpoints scanned, failures found and hazards
raised; per route, how many of the expected rounds were done.

Both run in a fixed number of queries whatever the number of places, rounds and visits:
the counts are ``GROUP BY`` aggregates joined up in Python.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import Count, F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.accounts.models import Staff
from houqin.hazards.models import Hazard
from houqin.org.models import Floor
from houqin.patrols.models import Answer, Checkpoint, ExpectedRound, Result, Round, Visit


def day_start(day):
    """The aware moment a local date begins."""
    return timezone.make_aware(datetime.combine(day, time.min))


def period_bounds(start, end):
    """``[start 00:00, the day after end 00:00)`` for local dates, both included."""
    return day_start(start), day_start(end + timedelta(days=1))


def week_of(day):
    """Monday and Sunday of the week ``day`` is in."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def _rate(part, whole):
    return round(100 * part / whole, 1) if whole else None


# -- places --------------------------------------------------------------------------------


class TileState:
    QR = "qr"
    MANUAL = "manual"
    NOT_VISITED = "not_visited"
    OFF_ROUTE = "off_route"

    LABELS = {
        QR: gettext_lazy("扫码到点"),
        MANUAL: gettext_lazy("仅手动确认"),
        NOT_VISITED: gettext_lazy("未巡到"),
        OFF_ROUTE: gettext_lazy("不在巡查路线上"),
    }


@dataclass
class Tile:
    place: object
    on_route: bool
    qr_visits: int = 0
    manual_visits: int = 0
    last_visit: datetime | None = None

    @property
    def state(self):
        if self.qr_visits:
            return TileState.QR
        if self.manual_visits:
            return TileState.MANUAL
        return TileState.NOT_VISITED if self.on_route else TileState.OFF_ROUTE

    @property
    def state_label(self):
        return TileState.LABELS[self.state]

    @property
    def visited(self):
        return bool(self.qr_visits or self.manual_visits)


@dataclass
class Counts:
    total: int = 0
    on_routes: int = 0
    visited: int = 0
    by_qr: int = 0
    # Places on a route that nobody visited: what the manager has to look at.
    missed: int = 0

    def add(self, tile):
        self.total += 1
        self.on_routes += tile.on_route
        self.visited += tile.visited
        self.by_qr += tile.state == TileState.QR
        self.missed += tile.state == TileState.NOT_VISITED

    def merge(self, other):
        for name in ("total", "on_routes", "visited", "by_qr", "missed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def route_rate(self):
        """Share of the places on routes that were visited."""
        return _rate(self.on_routes - self.missed, self.on_routes)


@dataclass
class FloorRow:
    label: str
    tiles: list = field(default_factory=list)


@dataclass
class Block:
    """A building (its floors, top first), or a campus's places outside any building."""

    campus: object
    building: object | None
    floors: list = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)

    @property
    def title(self):
        return self.building.name if self.building else _("室外及其他场所")

    @property
    def key(self):
        return f"b{self.building.pk}" if self.building else f"c{self.campus.pk}"


@dataclass
class Coverage:
    blocks: list
    counts: Counts


def place_coverage(places, *, school, start, end):
    """The tiles of ``places`` (a queryset already narrowed to what the user may see and
    the chosen campus or building) for local dates ``start`` to ``end``. Four queries."""
    since, until = period_bounds(start, end)
    visits = {
        row["place"]: row
        for row in Visit.objects.filter(
            round__school=school, scanned_at__gte=since, scanned_at__lt=until, place__in=places
        )
        .values("place")
        .annotate(
            qr=Count("pk", filter=Q(method=Visit.Method.QR)),
            manual=Count("pk", filter=Q(method=Visit.Method.MANUAL)),
            last=Max("scanned_at"),
        )
        .order_by()
    }
    on_routes = set(
        Checkpoint.objects.filter(
            route__school=school, route__is_active=True, place__in=places
        ).values_list("place_id", flat=True)
    )
    rows = list(places.select_related("campus", "building").order_by("code", "pk"))
    floors_of = defaultdict(list)
    for floor in Floor.objects.filter(
        building_id__in={p.building_id for p in rows if p.building_id}
    ):
        floors_of[floor.building_id].append(floor)

    blocks, floor_rows = {}, {}
    for place in rows:
        key = (place.campus_id, place.building_id)
        block = blocks.get(key)
        if block is None:
            block = blocks[key] = Block(campus=place.campus, building=place.building)
            floor_rows[key] = _floor_rows(floors_of.get(place.building_id, []))
        seen = visits.get(place.pk, {})
        tile = Tile(
            place=place,
            on_route=place.pk in on_routes,
            qr_visits=seen.get("qr", 0),
            manual_visits=seen.get("manual", 0),
            last_visit=seen.get("last"),
        )
        rows_here = floor_rows[key]
        rows_here.get(place.floor_id, rows_here[None]).tiles.append(tile)
        block.counts.add(tile)

    totals = Counts()
    for key, block in blocks.items():
        # Every floor of a building, even one with no places, so the drawing keeps its shape;
        # the "no floor" row only when it has places.
        block.floors = [
            row for floor_id, row in floor_rows[key].items() if row.tiles or floor_id is not None
        ]
        totals.merge(block.counts)
    return Coverage(blocks=sorted(blocks.values(), key=_block_order), counts=totals)


def _floor_rows(floors):
    """Floor id → row, top floor first; ``None`` (no floor) last."""
    rows = {
        floor.pk: FloorRow(label=floor.label)
        for floor in sorted(floors, key=lambda f: f.level, reverse=True)
    }
    rows[None] = FloorRow(label=_("未分楼层") if floors else "")
    return rows


def _block_order(block):
    campus, building = block.campus, block.building
    return (
        not campus.is_main,
        campus.code,
        building is None,
        building.code if building else "",
    )


def place_visits(place, *, school, start, end):
    """The visits to ``place`` in the period, newest first, with who and which round."""
    since, until = period_bounds(start, end)
    return (
        Visit.objects.filter(
            round__school=school, place=place, scanned_at__gte=since, scanned_at__lt=until
        )
        .select_related("round__patroller", "round__route", "round__checklist_version__checklist")
        .order_by("-scanned_at", "-pk")
    )


def last_visit_before(place, *, school, start):
    return (
        Visit.objects.filter(round__school=school, place=place, scanned_at__lt=day_start(start))
        .select_related("round__patroller")
        .order_by("-scanned_at", "-pk")
        .first()
    )


# -- people and routes ("脚步勤") ------------------------------------------------------------


@dataclass
class PersonRow:
    staff: object
    expected: int = 0  # rounds their plans expected in the period
    done: int = 0  # expected rounds they walked (whoever's plan it was)
    late: int = 0  # of those, finished after the due time
    missed: int = 0  # expected rounds of their plans nobody walked in time
    pending: int = 0  # expected rounds of their plans still open (due later)
    adhoc: int = 0  # rounds not asked for by a plan
    scanned: int = 0  # checkpoints proven by QR
    manual: int = 0  # checkpoints confirmed by hand
    failures: int = 0  # items answered 不合格
    hazards: int = 0  # hazards they reported (from a round or otherwise)

    @property
    def rate(self):
        """Of their plans' rounds that are due (pending ones are not late yet), the share
        walked — by them or by a colleague covering for them."""
        due = self.expected - self.pending
        return _rate(due - self.missed, due)

    @property
    def rounds(self):
        return self.done + self.adhoc


@dataclass
class RouteRow:
    route_id: int
    name: str
    expected: int = 0
    done: int = 0
    late: int = 0
    missed: int = 0
    pending: int = 0
    adhoc: int = 0

    @property
    def rate(self):
        return _rate(self.done, self.done + self.missed)


@dataclass
class PatrolStats:
    people: list
    routes: list
    totals: PersonRow


def patrol_stats(*, school, start, end, campus=None):
    """The numbers for local dates ``start`` to ``end``; with ``campus``, only the plans
    and rounds of routes on that campus (or of places there). Nine queries."""
    since, until = period_bounds(start, end)
    expected = ExpectedRound.objects.filter(school=school, day__gte=start, day__lte=end)
    rounds = Round.objects.filter(school=school).filter(
        Q(expected__day__gte=start, expected__day__lte=end)
        | Q(expected__isnull=True, started_at__gte=since, started_at__lt=until)
    )
    if campus:
        expected = expected.filter(plan__route__campus=campus)
        rounds = rounds.filter(Q(route__campus=campus) | Q(place__campus=campus))

    people = {}

    def person(staff_id):
        if staff_id not in people:
            people[staff_id] = PersonRow(staff=staff_id)
        return people[staff_id]

    state = ExpectedRound.State
    for row in (
        expected.filter(plan__patrollers__isnull=False)
        .values(staff=F("plan__patrollers"))
        .annotate(
            expected=Count("pk"),
            missed=Count("pk", filter=Q(state=state.MISSED)),
            pending=Count("pk", filter=Q(state=state.PENDING)),
        )
        .order_by()
    ):
        target = person(row["staff"])
        target.expected, target.missed, target.pending = (
            row["expected"],
            row["missed"],
            row["pending"],
        )

    finished = Q(state=Round.State.FINISHED)
    walked = Q(expected__isnull=False) & finished
    for row in (
        rounds.values("patroller")
        .annotate(
            done=Count("pk", filter=walked),
            late=Count("pk", filter=walked & Q(finished_at__gt=F("expected__due_at"))),
            adhoc=Count("pk", filter=Q(expected__isnull=True)),
        )
        .order_by()
    ):
        target = person(row["patroller"])
        target.done, target.late, target.adhoc = row["done"], row["late"], row["adhoc"]

    for row in (
        Visit.objects.filter(round__in=rounds)
        .values(staff=F("round__patroller"))
        .annotate(
            qr=Count("pk", filter=Q(method=Visit.Method.QR)),
            manual=Count("pk", filter=Q(method=Visit.Method.MANUAL)),
        )
        .order_by()
    ):
        target = person(row["staff"])
        target.scanned, target.manual = row["qr"], row["manual"]

    for row in (
        Answer.objects.filter(round__in=rounds, result=Result.FAIL)
        .values(staff=F("round__patroller"))
        .annotate(n=Count("pk"))
        .order_by()
    ):
        person(row["staff"]).failures = row["n"]

    hazards = Hazard.objects.filter(school=school, reported_at__gte=since, reported_at__lt=until)
    if campus:
        hazards = hazards.filter(place__campus=campus)
    # Only for the people already on the list: a teacher's 随手拍 is not a patrol.
    for row in (
        hazards.filter(reported_by__in=list(people))
        .values("reported_by")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        person(row["reported_by"]).hazards = row["n"]

    staff = Staff.objects.in_bulk(list(people))
    rows = []
    for staff_id, row in people.items():
        row.staff = staff[staff_id]
        rows.append(row)
    rows.sort(key=lambda r: (-(r.expected + r.adhoc), r.staff.name, r.staff.pk))

    totals = PersonRow(staff=None)
    for row in rows:
        for name in ("done", "late", "adhoc", "scanned", "manual", "failures", "hazards"):
            setattr(totals, name, getattr(totals, name) + getattr(row, name))
    # Each expected round once, however many patrollers its plan has.
    overall = expected.aggregate(
        expected=Count("pk"),
        missed=Count("pk", filter=Q(state=state.MISSED)),
        pending=Count("pk", filter=Q(state=state.PENDING)),
    )
    totals.expected, totals.missed, totals.pending = (
        overall["expected"],
        overall["missed"],
        overall["pending"],
    )
    return PatrolStats(people=rows, routes=_route_rows(expected, rounds), totals=totals)


def _route_rows(expected, rounds):
    state = ExpectedRound.State
    routes = {}
    for row in (
        expected.values("plan__route", "plan__route__name")
        .annotate(
            expected=Count("pk"),
            done=Count("pk", filter=Q(state=state.DONE)),
            late=Count("pk", filter=Q(round__finished_at__gt=F("due_at"))),
            missed=Count("pk", filter=Q(state=state.MISSED)),
            pending=Count("pk", filter=Q(state=state.PENDING)),
        )
        .order_by()
    ):
        routes[row["plan__route"]] = RouteRow(
            route_id=row["plan__route"],
            name=row["plan__route__name"],
            expected=row["expected"],
            done=row["done"],
            late=row["late"],
            missed=row["missed"],
            pending=row["pending"],
        )
    for row in (
        rounds.filter(expected__isnull=True, route__isnull=False)
        .values("route", "route__name")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        target = routes.setdefault(
            row["route"], RouteRow(route_id=row["route"], name=row["route__name"])
        )
        target.adhoc = row["n"]
    return sorted(routes.values(), key=lambda r: (r.rate is None, r.rate or 0, r.name))
