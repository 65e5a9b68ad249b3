"""The asset card list at district scale: filters, search, sort and keyset pagination.

One code path for the school's list (assets-cards' view) and the district's::

    page = search_assets(Asset.objects.for_user(user), request.GET, school=request.school)
    page.rows                    # at most 50 cards, with class, department, person, place
    page.count_display           # "1,234" or "1,000+" — never a COUNT(*) over the district
    page.next_query              # "status=idle&sort=name&after=123", or None

Why it stays fast at a million cards (see benchmarks/README.md for the figures):

- Pages are keyset pages: ``after=<id>`` (or ``before=<id>``) names the last row seen and
  the next page starts right after its sort key, so page 1,000 costs what page 1 does.
- Counts stop at ``count_cap`` ("1,000+").
- A number typed or scanned is looked up exactly first (the unique number index); a class
  code ("A0501") becomes a class filter; otherwise the name is matched through the trigram
  index on PostgreSQL (``ILIKE``; ``icontains`` on SQLite), the stored pinyin initials and
  number prefixes (the ``*_pattern`` indexes of migration 0004), and — within one school
  only — place and person names, resolved to ids first so the card query stays on one
  table and the planner can combine its indexes.
"""

import re
from dataclasses import dataclass, fields, replace
from urllib.parse import urlencode

from django.db import connection
from django.db.models import (
    CharField,
    Count,
    F,
    Func,
    Lookup,
    Prefetch,
    Q,
    Subquery,
    Sum,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, Collate
from django.utils.formats import number_format

from houqin.accounts.models import Staff
from houqin.assets.models import ZERO, Category, Status
from houqin.org.models import Department, Place, School

PAGE_SIZE = 50
COUNT_CAP = 1000
ON_BOOKS = "on_books"  # every status but 已处置
SORTS = (
    "-id",
    "id",
    "number",
    "-number",
    "name",
    "-name",
    "original_value",
    "-original_value",
    "acquired_on",
    "-acquired_on",
)
DEFAULT_SORT = "-id"
# How many places or people a name may match before the search stops adding more ids.
MATCH_LIMIT = 200

_NUMBER_LIKE = re.compile(r"[0-9A-Za-z][0-9A-Za-z\-_/.]*")
_CLASS_CODE = re.compile(r"[Aa][0-9]{2,8}")
_CODE_PREFIX = re.compile(r"[A-Za-z0-9]{1,20}")


class _ILike(Lookup):
    """``ILIKE`` on PostgreSQL: case-insensitive and served by the pg_trgm GIN index on the
    name (Django's ``icontains`` compares ``UPPER(name)``, which that index cannot serve)."""

    lookup_name = "ilike"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} ILIKE {rhs}", [*lhs_params, *rhs_params]


class _Spaced(Func):
    """``assets_spaced(name)``: ' 空 调 ' for 空调 (the SQL function of migration 0004)."""

    function = "assets_spaced"
    output_field = CharField()


def _like_escape(text):
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _int(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


@dataclass(frozen=True)
class AssetFilters:
    """What the list is narrowed to, parsed leniently from a query string: a value that
    makes no sense is ignored rather than refused, so an old bookmark still opens."""

    q: str = ""
    status: str = ""  # a Status value, ON_BOOKS, or "" for all
    category: str = ""  # a class code prefix: "A05" is every card of 家具和用具
    department: int | None = None  # using department
    campus: int | None = None
    building: int | None = None
    place: int | None = None
    custodian: int | None = None
    school: int | None = None  # the district's list
    sort: str = DEFAULT_SORT
    after: int | None = None
    before: int | None = None

    @classmethod
    def from_params(cls, params):
        params = params or {}
        status = (params.get("status") or "").strip()
        category = (params.get("category") or "").strip().upper()
        sort = (params.get("sort") or "").strip()
        return cls(
            q=" ".join((params.get("q") or "").split())[:100],
            status=status if status in (*Status.values, ON_BOOKS) else "",
            category=category if _CODE_PREFIX.fullmatch(category) else "",
            department=_int(params.get("department")),
            campus=_int(params.get("campus")),
            building=_int(params.get("building")),
            place=_int(params.get("place")),
            custodian=_int(params.get("custodian")),
            school=_int(params.get("school")),
            sort=sort if sort in SORTS else DEFAULT_SORT,
            after=_int(params.get("after")),
            before=_int(params.get("before")),
        )

    @property
    def is_filtered(self):
        return any(
            getattr(self, name)
            for name in (
                "q",
                "status",
                "category",
                "department",
                "campus",
                "building",
                "place",
                "custodian",
                "school",
            )
        )

    def query_string(self, **changes):
        """The filters as a query string (empty values left out), e.g. for the next page:
        ``filters.query_string(after=123, before=None)``."""
        values = replace(self, **changes)
        pairs = []
        for field in fields(values):
            value = getattr(values, field.name)
            if value in (None, "") or (field.name == "sort" and value == DEFAULT_SORT):
                continue
            pairs.append((field.name, value))
        return urlencode(pairs)


@dataclass
class AssetPage:
    rows: list
    filters: AssetFilters
    count: int  # the matching cards, up to count_cap + 1
    count_cap: int
    has_next: bool
    has_previous: bool

    @property
    def count_capped(self):
        return self.count > self.count_cap

    @property
    def count_display(self):
        if self.count_capped:
            return f"{number_format(self.count_cap, force_grouping=True)}+"
        return number_format(self.count, force_grouping=True)

    @property
    def next_query(self):
        if not self.has_next or not self.rows:
            return None
        return self.filters.query_string(after=self.rows[-1].pk, before=None)

    @property
    def previous_query(self):
        if not self.has_previous or not self.rows:
            return None
        return self.filters.query_string(before=self.rows[0].pk, after=None)

    @property
    def first_query(self):
        return self.filters.query_string(after=None, before=None)


def search_assets(queryset, params, *, school=None, page_size=PAGE_SIZE, count_cap=COUNT_CAP):
    """One page of the cards in ``queryset`` (already limited to what the user may see)
    that match ``params`` (a QueryDict, a dict or an ``AssetFilters``).

    ``school``: the school the list belongs to, so that a search also finds cards by the
    names of their place and person (skipped across a district unless the school filter
    is set). Runs a fixed number of queries: the count, the rows, five look-ups of what
    the rows show, and for a search up to three more.
    """
    filters = params if isinstance(params, AssetFilters) else AssetFilters.from_params(params)
    if school is None and filters.school:
        school = filters.school
    matching = filter_assets(queryset, filters, school=school)
    count = matching.order_by().values("pk")[: count_cap + 1].count()

    field = filters.sort.lstrip("-")
    descending = filters.sort.startswith("-")
    anchor_id, backwards = (filters.before, True) if filters.before else (filters.after, False)
    page = matching
    if anchor_id:
        # Rows after (or before) the anchor in the sort order; its key is read by a
        # sub-query from the unfiltered list, so a card that has since left the filter
        # still marks the place.
        upwards = descending == backwards
        key = Subquery(queryset.order_by().filter(pk=anchor_id).values(field)[:1])
        if field == "id":
            page = page.filter(pk__gt=anchor_id) if upwards else page.filter(pk__lt=anchor_id)
        elif upwards:
            page = page.filter(
                Q(**{f"{field}__gte": key}),
                Q(**{f"{field}__gt": key}) | Q(pk__gt=anchor_id),
            )
        else:
            page = page.filter(
                Q(**{f"{field}__lte": key}),
                Q(**{f"{field}__lt": key}) | Q(pk__lt=anchor_id),
            )
    rows = list(page.order_by(*_order(field, descending != backwards))[: page_size + 1])
    # What the rows show, by id (a query each): planning one six-table join costs the
    # planner more than the five look-ups cost together. Only the fields a list shows of
    # them are read (class code and name; department, person, school and place names).
    prefetch_related_objects(
        rows,
        Prefetch("school", queryset=School.objects.only("name", "short_name")),
        Prefetch("category", queryset=Category.objects.only("code", "name")),
        Prefetch("using_department", queryset=Department.objects.only("name")),
        Prefetch("custodian", queryset=Staff.objects.only("name")),
        Prefetch(
            "place",
            queryset=Place.objects.select_related("building").only(
                "name", "code", "campus_id", "building__name"
            ),
        ),
    )
    more = len(rows) > page_size
    rows = rows[:page_size]
    if backwards:
        rows.reverse()
        has_next, has_previous = True, more
    else:
        has_next, has_previous = more, bool(anchor_id)
    return AssetPage(
        rows=rows,
        filters=filters,
        count=count,
        count_cap=count_cap,
        has_next=has_next,
        has_previous=has_previous,
    )


def _order(field, descending):
    if field == "id":
        return ["-id"] if descending else ["id"]
    return [f"-{field}", "-id"] if descending else [field, "id"]


def filter_assets(queryset, filters, *, school=None):
    """``queryset`` narrowed by ``filters`` (no order, no page): for the list, its count
    and an export of the same cards."""
    if filters.school:
        queryset = queryset.filter(school_id=filters.school)
    if filters.status == ON_BOOKS:
        queryset = queryset.exclude(status=Status.DISPOSED)
    elif filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.category:
        queryset = queryset.filter(category__in=_classes(filters.category))
    if filters.department:
        queryset = queryset.filter(using_department_id=filters.department)
    if filters.custodian:
        queryset = queryset.filter(custodian_id=filters.custodian)
    if filters.place:
        queryset = queryset.filter(place_id=filters.place)
    elif filters.building:
        queryset = queryset.filter(place__building_id=filters.building)
    elif filters.campus:
        queryset = queryset.filter(place__campus_id=filters.campus)
    if filters.q:
        queryset = _search(queryset, filters.q, school=school)
    return queryset


def _classes(code_prefix):
    """The ids of the classes under a code prefix, as a list: the planner then knows how
    many cards they hold (a sub-query it would guess as one class)."""
    return list(
        Category.objects.filter(code__startswith=code_prefix)
        .order_by()
        .values_list("pk", flat=True)
    )


def _search(queryset, text, *, school):
    """Within one school the cards are a few thousand: reading them all through the
    school's index and testing each is fast and always bounded, so there the text is
    compared byte by byte (``COLLATE "C"``), which no district-wide index serves — the
    planner would otherwise sometimes prefer one that returns the whole district. Across
    a district the tests are written for the district's indexes."""
    if _NUMBER_LIKE.fullmatch(text):
        exact = queryset.filter(number=text)
        if exact.exists():
            return exact
    if _CLASS_CODE.fullmatch(text):
        return queryset.filter(category__in=_classes(text.upper()))
    lowered = text.lower()
    initials = lowered.isascii() and lowered.isalnum()
    number = bool(_NUMBER_LIKE.fullmatch(text))
    escaped = _like_escape(text)
    if connection.vendor != "postgresql":
        condition = Q(name__icontains=text)
        if initials:
            condition |= Q(name_initials__startswith=lowered)
        if number:
            condition |= Q(number__istartswith=text)
    elif school is not None:
        condition = Q(_ILike(Collate(F("name"), "C"), f"%{escaped}%"))
        if initials:
            condition |= Q(_ILike(Collate(F("name_initials"), "C"), f"{escaped}%"))
        if number:
            condition |= Q(_ILike(Collate(F("number"), "C"), f"{escaped}%"))
    else:
        condition = _name_contains(text)
        if initials:
            condition |= Q(name_initials__startswith=lowered)
        if number:
            condition |= Q(number__startswith=text)
    if school is not None:
        condition |= _places_and_people(text, lowered, school)
    return queryset.filter(condition)


def _name_contains(text):
    """The name contains ``text``, case-insensitively, through a district-wide index: the
    trigram index when a word of the text has three characters or more;
    for shorter text (空调, 钢琴 — pg_trgm finds no trigram in it) the index of the name
    spelled one character per word (migration 0004), whose matches the name confirms."""
    contains = Q(_ILike(F("name"), f"%{_like_escape(text)}%"))
    if any(len(word) >= 3 for word in re.findall(r"\w+", text)):
        return contains
    spaced = "".join(f"{_like_escape(ch)} " for ch in text)
    return Q(_ILike(_Spaced(F("name")), f"% {spaced}%")) & contains


def _places_and_people(text, lowered, school):
    """Cards whose place or person matches, by the ids of those places and people in the
    school (two small indexed look-ups), so the card query stays on one table."""
    names = Q(name__contains=text)
    if lowered.isascii() and lowered.isalnum():
        names |= Q(name_initials__startswith=lowered)
    places = list(
        Place.objects.filter(names | Q(code__iexact=text), school=school)
        .order_by()
        .values_list("pk", flat=True)[:MATCH_LIMIT]
    )
    people = list(
        Staff.objects.filter(names, school=school)
        .order_by()
        .values_list("pk", flat=True)[:MATCH_LIMIT]
    )
    condition = Q(pk__in=[])
    if places:
        condition |= Q(place_id__in=places)
    if people:
        condition |= Q(custodian_id__in=people)
    return condition


def school_totals(queryset):
    """The cards on the books in ``queryset`` (one school's): count, original value and
    net value — one aggregate over that school's index range."""
    return queryset.exclude(status=Status.DISPOSED).aggregate(
        count=Count("pk"),
        original_value=Coalesce(Sum("original_value"), ZERO),
        net_value=Coalesce(Sum("net_value"), ZERO),
    )


def totals_by_school(queryset):
    """``school_totals`` for every school of ``queryset`` at once: {school id: totals}. One
    GROUP BY over the whole district (about half a second at a million cards — cache it)."""
    return {
        row.pop("school_id"): row
        for row in queryset.exclude(status=Status.DISPOSED)
        .values("school_id")
        .annotate(
            count=Count("pk"),
            original_value=Coalesce(Sum("original_value"), ZERO),
            net_value=Coalesce(Sum("net_value"), ZERO),
        )
        .order_by()
    }
