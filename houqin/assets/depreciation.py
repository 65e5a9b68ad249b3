"""Monthly depreciation (月度折旧) of a school's fixed assets, set-based.

The rules (``DOMAIN.md``, 政府会计准则第3号 and its 应用指南):

- Straight line (年限平均法), zero residual value: each month books the original value
  over the life in months, rounded to the fen; the last month books what is left, so the
  accumulated depreciation ends exactly at the original value.
- A card is depreciated from the month it came onto the books (its 记账日期, else its
  取得日期): the government rule is "当月增加的固定资产，当月开始计提折旧；当月减少的固定
  资产，当月不再计提折旧" — unlike the enterprise rule (from the next month). A disposed
  card is no longer depreciated.
- Not depreciated: classes marked so (文物和陈列品, 图书档案, 特种动植物…), cards without a
  life, cards already fully depreciated (提足折旧后不再计提).
- The first depreciation locks the card's life (``life_locked``).
- One run per school and month (``DepreciationRun``, unique): running a month again does
  nothing; months run in order, so a missed month is refused until it is run.

A month is two statements per school however many cards it has: one aggregate (the
``DepreciationLine`` rows by class and using department, for the reports) and one UPDATE
of every card due, both with the same amount expression; on PostgreSQL the cards are
locked first so that an edit between the two cannot make them disagree.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    FloatField,
    Max,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Least, Round, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.assets.models import MONEY, ZERO, Asset, Category, DepreciationLine, DepreciationRun
from houqin.assets.models import Status as AssetStatus
from houqin.org.models import Department


class DepreciationError(Exception):
    """A month that cannot be depreciated now; the message says why, in Chinese."""


@dataclass(frozen=True)
class MonthResult:
    run: DepreciationRun
    created: bool  # False: the month had been depreciated already; nothing was booked


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(period: date) -> date:
    return date(period.year + period.month // 12, period.month % 12 + 1, 1)


def previous_month(period: date) -> date:
    return date(period.year - (period.month == 1), (period.month - 2) % 12 + 1, 1)


def _money(expression):
    # SQLite keeps decimals as floats: round every amount written back to the fen.
    return Round(expression, 2, output_field=DecimalField(**MONEY))


def monthly_amount():
    """This month's depreciation of one card, as an SQL expression: the original value
    over the life, rounded to the fen; the last month (or one that would overshoot) takes
    what is left."""
    left = F("original_value") - F("accumulated_depreciation")
    value = F("original_value")
    if connection.vendor == "sqlite":
        # A whole-yuan value is stored as an integer there: divide as real numbers.
        value = Cast(value, FloatField())
    monthly = Round(value / F("life_months"), 2)
    return _money(
        Case(
            When(depreciated_months__gte=F("life_months") - 1, then=left),
            default=Least(monthly, left),
            output_field=DecimalField(**MONEY),
        )
    )


def due_cards(school, period: date):
    """The school's cards that book depreciation for ``period`` (the month's first day)."""
    return (
        Asset.objects.filter(
            school=school,
            category__in=Category.objects.filter(depreciable=True).values("pk"),
            life_months__gt=0,
            depreciated_months__lt=F("life_months"),
            accumulated_depreciation__lt=F("original_value"),
        )
        .exclude(status=AssetStatus.DISPOSED)
        .alias(on_books_from=Coalesce("booked_on", "acquired_on"))
        .filter(on_books_from__lt=next_month(period))
        .filter(Q(depreciated_through__isnull=True) | Q(depreciated_through__lt=period))
    )


def check_period(school, period: date, *, now=None):
    """Refuse a month after the current one, one earlier than the school's last run (or,
    before the first run, than its cards' 折旧计提至), and one that would leave a month
    out after it."""
    current = month_start(timezone.localdate(now))
    if period > current:
        raise DepreciationError(
            _("%(month)s 还没有到，不能计提折旧。") % {"month": f"{period:%Y-%m}"}
        )
    last = (
        DepreciationRun.objects.filter(school=school)
        .exclude(period=period)
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )
    if last is None:
        # No run yet: cards imported from another ledger say how far it had got.
        last = Asset.objects.filter(school=school).aggregate(last=Max("depreciated_through"))[
            "last"
        ]
    if last is None:
        return
    if period < last:
        raise DepreciationError(
            _("本校已计提到 %(last)s，不能再计提更早的 %(month)s。")
            % {"last": f"{last:%Y-%m}", "month": f"{period:%Y-%m}"}
        )
    if previous_month(period) > last:
        raise DepreciationError(
            _("本校折旧只计提到 %(last)s，请先计提 %(missing)s。")
            % {"last": f"{last:%Y-%m}", "missing": f"{next_month(last):%Y-%m}"}
        )


def depreciate_month(school, period: date, *, now=None) -> MonthResult:
    """Book ``period``'s depreciation (any day of the month names it) for ``school``'s
    cards. Idempotent: a month already run returns its run with ``created=False``."""
    period = month_start(period)
    now = now or timezone.now()
    existing = DepreciationRun.objects.filter(school=school, period=period).first()
    if existing is not None:
        return MonthResult(existing, False)
    check_period(school, period, now=now)
    with transaction.atomic():
        run, created = DepreciationRun.objects.get_or_create(school=school, period=period)
        if not created:  # another process ran it just now
            return MonthResult(run, False)
        cards = due_cards(school, period)
        if connection.vendor == "postgresql":
            # Hold the cards until the UPDATE, so the lines sum exactly what it books.
            list(cards.select_for_update(of=("self",)).values_list("pk", flat=True))
        amount = monthly_amount()
        lines = [
            DepreciationLine(
                run=run,
                category_id=row["category_id"],
                department_id=row["using_department_id"],
                asset_count=row["asset_count"],
                amount=row["amount"],
            )
            for row in cards.values("category_id", "using_department_id")
            .annotate(asset_count=Count("pk"), amount=Sum(amount))
            .order_by("category_id", "using_department_id")
        ]
        updated = cards.update(
            accumulated_depreciation=_money(F("accumulated_depreciation") + amount),
            net_value=_money(F("original_value") - F("accumulated_depreciation") - amount),
            depreciated_months=F("depreciated_months") + 1,
            depreciated_through=Value(period),
            life_locked=True,
        )
        DepreciationLine.objects.bulk_create(lines, batch_size=1000)
        run.asset_count = updated
        run.amount = sum((line.amount for line in lines), ZERO).quantize(Decimal("0.01"))
        run.finished_at = now
        run.save(update_fields=["asset_count", "amount", "finished_at", "updated_at"])
    return MonthResult(run, True)


# --- Reports -----------------------------------------------------------------------------
# Balances (count, original value, accumulated depreciation, net value) are those of the
# cards on the books now; a period's depreciation comes from the runs' lines.

GROUP_TOP_CLASS = "class1"
GROUP_SECOND_CLASS = "class2"
GROUP_DEPARTMENT = "department"
_CODE_LENGTH = {GROUP_TOP_CLASS: 3, GROUP_SECOND_CLASS: 5}


@dataclass
class ReportRow:
    key: object
    label: str
    count: int = 0
    original_value: Decimal = ZERO
    accumulated: Decimal = ZERO
    net_value: Decimal = ZERO
    period_amount: Decimal = ZERO

    def add(self, other):
        self.count += other.count
        self.original_value += other.original_value
        self.accumulated += other.accumulated
        self.net_value += other.net_value
        self.period_amount += other.period_amount


@dataclass
class DepreciationReport:
    group: str
    start: date
    end: date
    rows: list
    total: ReportRow
    months_run: list  # the months of [start, end] that have been depreciated

    @property
    def period_label(self):
        """``2026-10`` for a month, ``2026`` for a year."""
        return f"{self.start:%Y-%m}" if self.start == self.end else f"{self.start:%Y}"


def _fen(value):
    # SQLite sums decimals as floats: back to the fen.
    return (value or ZERO).quantize(Decimal("0.01"))


def _class_key(group, path):
    return Substr(path, 1, _CODE_LENGTH[group])


def _labels(group, keys):
    if group == GROUP_DEPARTMENT:
        names = dict(
            Department.objects.filter(pk__in=[k for k in keys if k]).values_list("pk", "name")
        )
        return {key: names.get(key, "") if key else _("未指定使用部门") for key in keys}
    names = dict(Category.objects.filter(code__in=keys).values_list("code", "name"))
    return {key: f"{key} {names[key]}" if key in names else key for key in keys}


def depreciation_report(cards, *, school, group, start, end):
    """Depreciation by class (门类 or second level) or by using department: the cards'
    balances and the depreciation the school booked from ``start`` to ``end`` (months,
    inclusive). ``cards``: the asset cards the reader may see (the booked amounts are the
    school's runs, which are not split by campus). Four queries whatever the size of the
    school."""
    if group == GROUP_DEPARTMENT:
        card_key, line_key = F("using_department"), F("department")
    else:
        card_key = _class_key(group, "category__code")
        line_key = _class_key(group, "category__code")
    rows = {}
    balances = (
        cards.exclude(status=AssetStatus.DISPOSED)
        .annotate(key=card_key)
        .values("key")
        .annotate(
            count=Count("pk"),
            original_value=Sum("original_value"),
            accumulated=Sum("accumulated_depreciation"),
            net_value=Sum("net_value"),
        )
        .order_by()
    )
    for row in balances:
        rows[row["key"]] = ReportRow(
            key=row["key"],
            label="",
            count=row["count"],
            original_value=_fen(row["original_value"]),
            accumulated=_fen(row["accumulated"]),
            net_value=_fen(row["net_value"]),
        )
    lines = DepreciationLine.objects.filter(
        run__school=school, run__period__gte=start, run__period__lte=end
    )
    for row in lines.annotate(key=line_key).values("key").annotate(amount=Sum("amount")).order_by():
        rows.setdefault(row["key"], ReportRow(key=row["key"], label=""))
        rows[row["key"]].period_amount = _fen(row["amount"])
    labels = _labels(group, list(rows))
    total = ReportRow(key=None, label=_("合计"))
    ordered = []
    for key in sorted(
        rows, key=lambda k: (k is None, str(k) if group != GROUP_DEPARTMENT else labels[k])
    ):
        row = rows[key]
        row.label = labels[key]
        total.add(row)
        ordered.append(row)
    months_run = list(
        DepreciationRun.objects.filter(school=school, period__gte=start, period__lte=end)
        .order_by("period")
        .values_list("period", flat=True)
    )
    return DepreciationReport(group, start, end, ordered, total, months_run)


@dataclass
class LedgerCell:
    count: int = 0
    original_value: Decimal = ZERO


@dataclass
class LedgerRow:
    key: str
    label: str
    cells: list  # a LedgerCell per status, in ``Status`` order
    books: ReportRow  # on the books: every status but 已处置

    @classmethod
    def empty(cls, key, label=""):
        return cls(
            key=key,
            label=label,
            cells=[LedgerCell() for _status in AssetStatus.values],
            books=ReportRow(key=key, label=label),
        )

    def add(self, status_index, count, value, accumulated, net_value, *, on_books):
        cell = self.cells[status_index]
        cell.count += count
        cell.original_value += value
        if on_books:
            self.books.add(
                ReportRow(
                    key=None,
                    label="",
                    count=count,
                    original_value=value,
                    accumulated=accumulated,
                    net_value=net_value,
                )
            )


def ledger_report(cards, *, group):
    """资产总账: counts and values by class × status, with the totals on the books.
    Returns (rows, total). One query for the cards, one for the class names."""
    statuses = list(AssetStatus.values)
    grouped = {}
    total = LedgerRow.empty("", _("合计"))
    for row in (
        cards.annotate(key=_class_key(group, "category__code"))
        .values("key", "status")
        .annotate(
            count=Count("pk"),
            original_value=Sum("original_value"),
            accumulated=Sum("accumulated_depreciation"),
            net_value=Sum("net_value"),
        )
        .order_by()
    ):
        values = (
            row["count"],
            _fen(row["original_value"]),
            _fen(row["accumulated"]),
            _fen(row["net_value"]),
        )
        index = statuses.index(row["status"])
        on_books = row["status"] != AssetStatus.DISPOSED
        grouped.setdefault(row["key"], LedgerRow.empty(row["key"])).add(
            index, *values, on_books=on_books
        )
        total.add(index, *values, on_books=on_books)
    labels = _labels(group, list(grouped))
    rows = []
    for key in sorted(grouped):
        grouped[key].label = labels[key]
        rows.append(grouped[key])
    return rows, total
