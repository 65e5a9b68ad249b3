"""Usage reports read from the stock ledger: net issues (issued minus returned) by
department and by item for a period, the low-stock list, and the returnable items each
person still holds. Each is one grouped query."""

from datetime import datetime, time, timedelta

from django.db.models import DecimalField, ExpressionWrapper, F, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from houqin.supplies.models import Item, MoveKind, RequisitionLine, StockMove

USAGE_KINDS = [MoveKind.ISSUE, MoveKind.RETURN]


def bounds(start, end):
    """Aware datetimes from the start of ``start`` to the end of ``end`` (school days)."""
    zone = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time.min), zone),
        timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), zone),
    )


def _usage(school, start, end):
    low, high = bounds(start, end)
    money = DecimalField(max_digits=16, decimal_places=2)
    return (
        StockMove.objects.filter(school=school, kind__in=USAGE_KINDS, at__gte=low, at__lt=high)
        .annotate(
            used=ExpressionWrapper(-F("quantity"), output_field=IntegerField()),
            value=ExpressionWrapper(-F("quantity") * F("unit_price"), output_field=money),
        )
        .order_by()
    )


def usage_by_department(school, start, end):
    """[{department__name, quantity, amount}] by amount, largest first."""
    return list(
        _usage(school, start, end)
        .values("department__name")
        .annotate(quantity=Sum("used"), amount=Sum("value"))
        .order_by("-amount", "department__name")
    )


def usage_by_item(school, start, end):
    """[{item__name, item__spec, item__unit, quantity, amount}] by amount, largest first."""
    return list(
        _usage(school, start, end)
        .values("item_id", "item__name", "item__spec", "item__unit")
        .annotate(quantity=Sum("used"), amount=Sum("value"))
        .order_by("-amount", "item__name")
    )


def low_stock(school):
    """Active items whose stock across all stores is below their minimum."""
    return list(
        Item.objects.filter(school=school, is_active=True, min_stock__gt=0)
        .annotate(total=Coalesce(Sum("stocks__quantity"), Value(0)))
        .filter(total__lt=F("min_stock"))
        .order_by("category", "name")
    )


def outstanding(school, q=""):
    """Returnable items issued and not yet returned, by person."""
    lines = (
        RequisitionLine.objects.filter(
            requisition__school=school, item__returnable=True, issued__gt=F("returned")
        )
        .annotate(outstanding=F("issued") - F("returned"))
        .select_related("item", "requisition__requester", "requisition__department")
        .order_by("requisition__requester__name", "requisition__submitted_at", "pk")
    )
    if q:
        lines = lines.filter(
            Q(requisition__requester__name__icontains=q)
            | Q(item__name__icontains=q)
            | Q(requisition__department__name__icontains=q)
        )
    return lines
