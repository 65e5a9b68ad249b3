"""The demo school's stocktakes: one finished (the building with the most cards, one
card not found and one item not on the books, applied), and one in progress with liugang
and zhoujing counting. Loading again creates nothing (found by name)."""

import uuid
from datetime import date
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from houqin.approvals.models import ApproverType, Flow, FlowStep
from houqin.assets.models import Asset, Category
from houqin.stocktakes import services
from houqin.stocktakes.models import Difference, Line, Stocktake

FINISHED, IN_PROGRESS = "2026年春季资产盘点", "2026年期末资产盘点"


def _flow(school):
    flow, created = Flow.objects.get_or_create(
        school=school, kind=services.APPROVAL_KIND, name="盘点结果", defaults={"priority": 10}
    )
    if created:
        FlowStep.objects.create(flow=flow, order=1, approver_type=ApproverType.PRINCIPAL)


def load(school, staff):
    clerk, manager = staff.get("liugang"), staff.get("zhoujing")
    if clerk is None or manager is None:
        return
    _flow(school)
    busiest = (
        Asset.objects.filter(school=school, place__isnull=False)
        .on_books()
        .values("place__building")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    if busiest is None:
        return
    from houqin.org.models import Building

    building = Building.objects.get(pk=busiest["place__building"])
    if not Stocktake.objects.filter(school=school, name=FINISHED).exists():
        _finished(school, clerk, building)
    if not Stocktake.objects.filter(school=school, name=IN_PROGRESS).exists():
        stocktake = services.stocktake_save(
            Stocktake(),
            by=clerk,
            values={
                "name": IN_PROGRESS,
                "base_date": timezone.localdate(),
                "method_note": "按楼栋逐间扫码，刘刚负责教学楼，周静负责其余楼栋。",
            },
        )
        services.counter_add(stocktake, by=clerk, staff=clerk, buildings=[building])
        services.counter_add(stocktake, by=clerk, staff=manager)
        services.stocktake_start(stocktake, by=clerk)
        lines = list(Line.objects.filter(stocktake=stocktake, expected_place__isnull=False)[:12])
        services.record_scans(
            stocktake,
            staff=clerk,
            scans=[
                {"uuid": str(uuid.uuid4()), "place": line.expected_place_id, "line": line.pk}
                for line in lines
            ],
        )


def _finished(school, clerk, building):
    from houqin.accounts.models import Staff
    from houqin.accounts.roles import Position
    from houqin.approvals import services as approvals

    stocktake = services.stocktake_save(
        Stocktake(),
        by=clerk,
        values={"name": FINISHED, "base_date": date(2026, 4, 30), "method_note": "逐间扫码。"},
        buildings=[building],
    )
    services.counter_add(stocktake, by=clerk, staff=clerk)
    services.stocktake_start(stocktake, by=clerk)
    lines = list(Line.objects.filter(stocktake=stocktake).order_by("pk"))
    scans = [
        {"uuid": str(uuid.uuid4()), "place": line.expected_place_id, "line": line.pk}
        for line in lines[1:]
    ]
    scans.append(
        {
            "uuid": str(uuid.uuid4()),
            "place": lines[0].expected_place_id,
            "name": "电子琴",
            "note": "卡西欧，无资产标签，家长捐赠未登记",
        }
    )
    for start in range(0, len(scans), services.MAX_SCANS):
        services.record_scans(
            stocktake, staff=clerk, scans=scans[start : start + services.MAX_SCANS]
        )
    services.stocktake_end_counting(stocktake, by=clerk)
    missing = stocktake.differences.get(kind=Difference.Kind.MISSING)
    services.difference_update(
        missing, by=clerk, values={"cause": "学期中外借未归还，已无法追回", "handling": "报损"}
    )
    surplus = stocktake.differences.get(kind=Difference.Kind.SURPLUS)
    services.difference_update(
        surplus,
        by=clerk,
        values={
            "cause": "家长捐赠未入账",
            "category": Category.objects.filter(code__startswith="A0232").order_by("code").last()
            or Category.objects.filter(level__gte=3).first(),
            "amount": Decimal("1200.00"),
        },
    )
    services.stocktake_submit(stocktake, by=clerk)
    principal = Staff.objects.filter(
        school=school, appointments__position=Position.PRINCIPAL
    ).first()
    if principal is not None:
        approvals.approve(approvals.latest_for(stocktake), by=principal, comment="同意调账")
