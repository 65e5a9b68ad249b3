"""Movement, idle pool and disposal records for tests/test_tenancy.py (merged by
``tenancy.py``): another school's movement, disposal and idle card are a 404 on every URL
that names them. Records are made directly (no approval flow is needed to look them up)."""

from decimal import Decimal

from houqin.assets.models import (
    Disposal,
    DisposalLine,
    DisposalMethod,
    Movement,
    MovementKind,
    MovementLine,
    Status,
)
from houqin.assets.tests.factories import AssetFactory

OBJECT_URLS = {
    "assets:idle_request": ("idle_asset", "pk"),
    "assets:movement_detail": ("movement", "pk"),
    "assets:movement_withdraw": ("movement", "pk"),
    "assets:disposal_detail": ("disposal", "pk"),
    "assets:disposal_start_appraisal": ("disposal", "pk"),
    "assets:disposal_submit": ("disposal", "pk"),
    "assets:disposal_cancel": ("disposal", "pk"),
    "assets:disposal_write_off": ("disposal", "pk"),
}


def objects(school, base):
    staff = base["staff"]
    movement = Movement.objects.create(
        school=school,
        number="DB-2026-0001",
        kind=MovementKind.TRANSFER,
        to_place=base["place"],
        reason="教室调整",
        requested_by=staff,
    )
    asset = base["asset"]
    MovementLine.objects.create(
        movement=movement, asset=asset, from_place=asset.place, original_value=asset.original_value
    )
    disposal = Disposal.objects.create(
        school=school,
        number="CZ-2026-0001",
        method=DisposalMethod.SCRAP,
        reason="损坏",
        requested_by=staff,
    )
    broken = AssetFactory(school=school, place=base["place"], status=Status.PENDING_DISPOSAL)
    DisposalLine.objects.create(
        disposal=disposal,
        asset=broken,
        original_value=broken.original_value,
        accumulated_depreciation=Decimal("0.00"),
        net_value=broken.net_value,
        previous_status=Status.IN_USE,
    )
    return {
        "movement": movement,
        "disposal": disposal,
        "idle_asset": AssetFactory(school=school, place=base["place"], status=Status.IDLE),
    }
