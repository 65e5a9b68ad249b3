"""Every change to a stocktake goes through here.

Each function runs in ``transaction.atomic``, refuses what the rules forbid with
``StocktakeError`` (a Chinese message) and leaves nothing half-saved. ``by`` is the acting
``Staff``; creating, assigning, ending the count and submitting need ``assets.manage``;
scans come from the counters (and the asset managers).

Scans (``record_scans``) carry a UUID made by the phone under a unique constraint, so a
sync sent twice, or replayed after the phone lost the answer, adds nothing."""

import uuid
from collections import defaultdict
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.assets import services as asset_services
from houqin.assets.models import AcquisitionMethod, Asset, AssetEvent
from houqin.assets.models import Status as AssetStatus
from houqin.core import workflow
from houqin.org.models import Place, School
from houqin.stocktakes.models import (
    Counter,
    Difference,
    DifferenceKind,
    Line,
    Observed,
    Scan,
    ScanPhoto,
    Status,
    Stocktake,
)

APPROVAL_KIND = "stocktake"
BATCH_SIZE = 1000
# stocktake.js sends scans in batches of 50; a bigger batch does not come from our page.
MAX_SCANS = 200
DEFAULT_HANDLING = {
    DifferenceKind.SURPLUS: gettext_lazy("补建资产卡片（盘盈入账）"),
    DifferenceKind.MISSING: gettext_lazy("查明原因，按规定办理报损"),
    DifferenceKind.WRONG_PLACE: gettext_lazy("按实际存放地点更新卡片"),
    DifferenceKind.WRONG_STATUS: gettext_lazy("按实际使用状态更新卡片"),
    DifferenceKind.DAMAGED: gettext_lazy("报修，无法修复的办理处置"),
}
OBSERVED_TO_STATUS = {
    Observed.IN_USE: AssetStatus.IN_USE,
    Observed.IDLE: AssetStatus.IDLE,
    Observed.DAMAGED: AssetStatus.REPAIRING,
}


class StocktakeError(Exception):
    """A refused change; ``str(error)`` is the Chinese message to show."""


class ScanNotFound(StocktakeError):
    """The scan a photo names is not (yet) on the server: a 404."""


def _check_manager(by, school_id):
    if by is None or by.user_id is None or not by.user.has_perm("assets.manage"):
        raise StocktakeError(_("您没有管理资产盘点的权限。"))
    if by.school_id != school_id:
        raise StocktakeError(_("这不是本校的盘点。"))


def _lock(stocktake):
    return Stocktake.objects.select_for_update().get(pk=stocktake.pk)


def _check_status(stocktake, *allowed):
    if stocktake.status not in allowed:
        raise StocktakeError(
            _("盘点当前为“%(status)s”，不能进行这个操作。")
            % {"status": stocktake.get_status_display()}
        )


def _sync(target, source, *names):
    for name in names:
        setattr(target, name, getattr(source, name))


def _next_number(school_id, year):
    return workflow.next_number(Stocktake.objects.filter(school_id=school_id), f"PD{year}", 4)


# --- setting up ----------------------------------------------------------------------


def stocktake_save(stocktake, *, by, values, campuses=(), buildings=(), departments=()):
    """Create (``stocktake.pk`` is None) or change a draft stocktake. An empty scope is
    the whole school; the scopes combine (a building's cards of one department)."""
    school_id = stocktake.school_id if stocktake.pk else by.school_id
    _check_manager(by, school_id)
    for record in (*campuses, *buildings, *departments):
        if record.school_id != school_id:
            raise StocktakeError(_("所选校区、楼栋或部门不属于本校。"))
    with transaction.atomic():
        if stocktake.pk is None:
            stocktake.school_id = by.school_id
            stocktake.created_by = by
            School.objects.select_for_update(no_key=True).filter(pk=school_id).first()
            stocktake.number = _next_number(school_id, values["base_date"].year)
        else:
            _check_status(_lock(stocktake), Status.DRAFT)
        for name, value in values.items():
            setattr(stocktake, name, value)
        stocktake.save()
        stocktake.campuses.set(campuses)
        stocktake.buildings.set(buildings)
        stocktake.departments.set(departments)
    return stocktake


def counter_add(stocktake, *, by, staff, buildings=()):
    """Assign a counter (or change the buildings of one already assigned)."""
    _check_manager(by, stocktake.school_id)
    if staff.school_id != stocktake.school_id or not staff.is_active:
        raise StocktakeError(_("盘点人必须是本校在职人员。"))
    for building in buildings:
        if building.school_id != stocktake.school_id:
            raise StocktakeError(_("所选楼栋不属于本校。"))
    with transaction.atomic():
        _check_status(_lock(stocktake), Status.DRAFT, Status.COUNTING)
        counter, _created = Counter.objects.get_or_create(stocktake=stocktake, staff=staff)
        counter.buildings.set(buildings)
    return counter


def counter_remove(counter, *, by):
    """Take a counter off (their scans stay: they were made)."""
    stocktake = counter.stocktake
    _check_manager(by, stocktake.school_id)
    with transaction.atomic():
        _check_status(_lock(stocktake), Status.DRAFT, Status.COUNTING)
        counter.delete()


def scope_assets(stocktake):
    """The school's cards on the books (not disposed) that the scope takes in."""
    cards = Asset.objects.filter(school_id=stocktake.school_id).on_books()
    campus_ids = list(stocktake.campuses.values_list("pk", flat=True))
    building_ids = list(stocktake.buildings.values_list("pk", flat=True))
    department_ids = list(stocktake.departments.values_list("pk", flat=True))
    if campus_ids:
        cards = cards.filter(place__campus_id__in=campus_ids)
    if building_ids:
        cards = cards.filter(place__building_id__in=building_ids)
    if department_ids:
        cards = cards.filter(using_department_id__in=department_ids)
    return cards


def stocktake_start(stocktake, *, by, now=None):
    """开始盘点: snapshot the book — one line per card in scope, in bulk."""
    now = now or timezone.now()
    _check_manager(by, stocktake.school_id)
    with transaction.atomic():
        current = _lock(stocktake)
        _check_status(current, Status.DRAFT)
        if not current.counters.exists():
            raise StocktakeError(_("请先指定盘点人。"))
        rows = (
            scope_assets(current)
            .order_by("pk")
            .values_list("pk", "place_id", "custodian_id", "status", "net_value")
        )
        count = 0
        batch = []
        for asset_id, place_id, custodian_id, status, net_value in rows.iterator(
            chunk_size=BATCH_SIZE
        ):
            batch.append(
                Line(
                    stocktake=current,
                    asset_id=asset_id,
                    expected_place_id=place_id,
                    custodian_id=custodian_id,
                    book_status=status,
                    net_value=net_value,
                )
            )
            if len(batch) >= BATCH_SIZE:
                Line.objects.bulk_create(batch)
                count += len(batch)
                batch = []
        Line.objects.bulk_create(batch)
        count += len(batch)
        if not count:
            raise StocktakeError(_("盘点范围内没有在账的资产，请调整盘点范围。"))
        current.status = Status.COUNTING
        current.started_at = now
        current.line_count = count
        current.save(update_fields=["status", "started_at", "line_count", "updated_at"])
        _sync(stocktake, current, "status", "started_at", "line_count")
    return stocktake


# --- counting ------------------------------------------------------------------------


def can_count(staff, stocktake, *, user=None):
    """``user``: the request's login, when there is one — its permissions are cached for
    the request already (``staff.user`` would load the login and its permissions again)."""
    if staff is None or staff.school_id != stocktake.school_id:
        return False
    user = user if user is not None and user.pk == staff.user_id else staff.user
    if staff.user_id and user.has_perm("assets.manage"):
        return True
    return Counter.objects.filter(stocktake=stocktake, staff=staff).exists()


def _parse_scan(data, now):
    if not isinstance(data, dict):
        raise StocktakeError(_("扫描记录格式不正确。"))
    try:
        client_uuid = uuid.UUID(str(data.get("uuid")))
    except (TypeError, ValueError, AttributeError):
        raise StocktakeError(_("扫描记录编号格式不正确。")) from None
    try:
        place_id = int(data.get("place"))
        line_id = int(data["line"]) if data.get("line") not in (None, "") else None
    except (TypeError, ValueError):
        raise StocktakeError(_("扫描记录的房间或资产格式不正确。")) from None
    observed = data.get("status") or Observed.IN_USE
    if observed not in Observed.values:
        raise StocktakeError(_("实盘状态不正确。"))
    surplus_name = str(data.get("name") or "").strip()[:100]
    if line_id is None and not surplus_name:
        raise StocktakeError(_("盘盈物品请填写名称。"))
    scanned_at = parse_datetime(str(data.get("at") or "")) or now
    if timezone.is_naive(scanned_at):
        scanned_at = timezone.make_aware(scanned_at)
    # A phone's clock may be off; a scan is never later than its arrival.
    scanned_at = min(scanned_at, now)
    return {
        "client_uuid": client_uuid,
        "place_id": place_id,
        "line_id": line_id,
        "observed_status": observed,
        "surplus_name": "" if line_id else surplus_name,
        "surplus_note": "" if line_id else str(data.get("note") or "").strip()[:300],
        "scanned_at": scanned_at,
    }


def record_scans(stocktake, *, staff, scans, now=None, user=None):
    """Store the scans a phone sent (a list of dicts: ``uuid``, ``place``, ``line`` or
    ``name``/``note`` for 盘盈, ``status``, ``at``) and mark their lines found.

    Returns ``{"saved": [uuid, …], "results": {uuid: "found" | "wrong_place" | "surplus"}}``
    — scans already stored are in ``saved`` too, so the phone drops them. The whole batch
    is refused (nothing saved) when any scan is malformed or names another stocktake's
    card or another school's room. ``user``: as for ``can_count``."""
    now = now or timezone.now()
    if stocktake.status != Status.COUNTING:
        raise StocktakeError(_("盘点已不在进行中，扫描未保存。"))
    if not can_count(staff, stocktake, user=user):
        raise StocktakeError(_("您不是这次盘点的盘点人。"))
    if not isinstance(scans, list) or len(scans) > MAX_SCANS:
        raise StocktakeError(_("扫描记录格式不正确。"))
    parsed = [_parse_scan(data, now) for data in scans]
    if not parsed:
        return {"saved": [], "results": {}}
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _store_scans(stocktake, staff, parsed)
        except IntegrityError:
            # The same scans sent twice at once: the second finds the first's.
            if attempt:
                raise StocktakeError(_("扫描保存冲突，请稍后再同步。")) from None
    raise AssertionError("unreachable")


def _store_scans(stocktake, staff, parsed):
    uuids = [scan["client_uuid"] for scan in parsed]
    # No ordering: the models' default one (by stocktake) would join the stocktake table.
    stored = set(
        Scan.objects.filter(client_uuid__in=uuids).order_by().values_list("client_uuid", flat=True)
    )
    fresh = {scan["client_uuid"]: scan for scan in parsed if scan["client_uuid"] not in stored}
    results = {str(u): "duplicate" for u in stored}
    if fresh:
        place_ids = {scan["place_id"] for scan in fresh.values()}
        if Place.objects.filter(school_id=stocktake.school_id, pk__in=place_ids).count() != len(
            place_ids
        ):
            raise StocktakeError(_("扫描记录中的房间不属于本校。"))
        line_ids = {scan["line_id"] for scan in fresh.values() if scan["line_id"]}
        expected = dict(
            Line.objects.filter(stocktake=stocktake, pk__in=line_ids)
            .order_by()
            .values_list("pk", "expected_place_id")
        )
        if len(expected) != len(line_ids):
            raise StocktakeError(_("扫描记录中的资产不在这次盘点中。"))
        Scan.objects.bulk_create(
            [Scan(stocktake=stocktake, counted_by=staff, **scan) for scan in fresh.values()]
        )
        latest = {}
        for scan in sorted(fresh.values(), key=lambda s: s["scanned_at"]):
            if scan["line_id"]:
                latest[scan["line_id"]] = scan
                results[str(scan["client_uuid"])] = (
                    "found" if expected[scan["line_id"]] == scan["place_id"] else "wrong_place"
                )
            else:
                results[str(scan["client_uuid"])] = "surplus"
        for line_id, scan in latest.items():
            # The latest sighting wins, whichever phone synced first.
            Line.objects.filter(pk=line_id).filter(
                Q(counted_at__isnull=True) | Q(counted_at__lte=scan["scanned_at"])
            ).update(
                found_place_id=scan["place_id"],
                observed_status=scan["observed_status"],
                counted_by=staff,
                counted_at=scan["scanned_at"],
            )
    return {"saved": [str(u) for u in uuids], "results": results}


# --- photos of scans -----------------------------------------------------------------


def attach_scan_photo(stocktake, *, user, scan_uuid, photo_uuid, file):
    """Attach a photo to a scan of ``stocktake`` (a damaged card, a 盘盈 item), once per
    ``photo_uuid``: a retried upload returns the first. Returns ``(attachment, created)``.
    Raises ``ScanNotFound`` when the scan has not reached the server, ``PermissionError``
    when ``user`` may not add photos to it, ``StocktakeError`` for a bad upload."""
    from houqin.stocktakes.access import can_add_scan_photo

    try:
        scan_uuid = uuid.UUID(str(scan_uuid))
        photo_uuid = uuid.UUID(str(photo_uuid))
    except (TypeError, ValueError, AttributeError):
        raise StocktakeError(_("照片编号格式不正确。")) from None
    scan = (
        Scan.objects.select_related("stocktake")
        .filter(stocktake=stocktake, client_uuid=scan_uuid)
        .first()
    )
    if scan is None:
        raise ScanNotFound(_("没有找到这条扫描记录，请先同步扫描。"))
    if not can_add_scan_photo(user, scan):
        raise PermissionError
    return workflow.attach_client_photo(
        ScanPhoto, "scan", scan, photo_uuid, file, user=user, error=StocktakeError
    )


def photos_by_scan(scan_ids):
    """The active photos of these scans, ``{scan_id: [attachment, …]}``, in one query."""
    photos = {}
    rows = (
        ScanPhoto.objects.filter(scan_id__in=scan_ids, attachment__is_active=True)
        .select_related("attachment")
        .order_by("created_at", "id")
    )
    for photo in rows:
        photos.setdefault(photo.scan_id, []).append(photo.attachment)
    return photos


# --- differences ---------------------------------------------------------------------


def _kinds_of(expected, found, book, observed):
    if not observed:
        return [DifferenceKind.MISSING]
    kinds = [DifferenceKind.WRONG_PLACE] if found != expected else []
    if observed == Observed.DAMAGED:
        kinds.append(DifferenceKind.DAMAGED)
    elif OBSERVED_TO_STATUS[observed] != book:
        kinds.append(DifferenceKind.WRONG_STATUS)
    return kinds


def _differences_of(stocktake):
    differences = []
    lines = Line.objects.filter(stocktake=stocktake).values_list(
        "pk", "expected_place_id", "found_place_id", "book_status", "observed_status", "net_value"
    )
    for pk, expected, found, book, observed, value in lines.iterator(chunk_size=BATCH_SIZE):
        for kind in _kinds_of(expected, found, book, observed):
            amount = value if kind in (DifferenceKind.MISSING, DifferenceKind.DAMAGED) else 0
            differences.append(
                Difference(
                    stocktake=stocktake,
                    kind=kind,
                    line_id=pk,
                    amount=amount,
                    handling=str(DEFAULT_HANDLING[kind]),
                )
            )
    for scan in Scan.objects.filter(stocktake=stocktake, line__isnull=True):
        differences.append(
            Difference(
                stocktake=stocktake,
                kind=DifferenceKind.SURPLUS,
                scan=scan,
                cause=scan.surplus_note[:200],
                handling=str(DEFAULT_HANDLING[DifferenceKind.SURPLUS]),
            )
        )
    return differences


def stocktake_end_counting(stocktake, *, by, now=None):
    """结束盘点: compute the differences (盘盈, 盘亏, wrong place, wrong status, damaged)."""
    now = now or timezone.now()
    _check_manager(by, stocktake.school_id)
    with transaction.atomic():
        current = _lock(stocktake)
        _check_status(current, Status.COUNTING)
        Difference.objects.bulk_create(_differences_of(current), batch_size=BATCH_SIZE)
        current.status = Status.REVIEWING
        current.ended_at = now
        current.save(update_fields=["status", "ended_at", "updated_at"])
        _sync(stocktake, current, "status", "ended_at")
    return stocktake


def difference_update(difference, *, by, values):
    """The asset clerk's cause and handling (and, for 盘盈, the class and value)."""
    stocktake = difference.stocktake
    _check_manager(by, stocktake.school_id)
    with transaction.atomic():
        _check_status(_lock(stocktake), Status.REVIEWING)
        if difference.kind == DifferenceKind.SURPLUS:
            category = values.get("category")
            if category is not None:
                asset_services.check_category(category)
            if values.get("amount") is not None and values["amount"] < 0:
                raise StocktakeError(_("金额不能为负数。"))
        else:
            values = {k: v for k, v in values.items() if k in ("cause", "handling")}
        for name, value in values.items():
            setattr(difference, name, value)
        difference.save()
    return difference


def missing_amount(stocktake):
    total = stocktake.differences.filter(kind=DifferenceKind.MISSING).aggregate(s=Sum("amount"))
    return total["s"] or Decimal("0.00")


def stocktake_submit(stocktake, *, by):
    """Submit the results for approval (amount = the net value of the 盘亏)."""
    from houqin.approvals.models import ApprovalError
    from houqin.approvals.services import submit

    _check_manager(by, stocktake.school_id)
    with transaction.atomic():
        current = _lock(stocktake)
        _check_status(current, Status.REVIEWING)
        undecided = current.differences.filter(kind=DifferenceKind.SURPLUS, category__isnull=True)
        if undecided.exists():
            raise StocktakeError(_("盘盈物品请先选择资产分类并填写价值，才能提交审批。"))
        current.status = Status.PENDING
        current.reviewed_by = by
        current.save(update_fields=["status", "reviewed_by", "updated_at"])
        try:
            submit(
                current,
                kind=APPROVAL_KIND,
                requester=by,
                title=_("盘点结果：%(name)s") % {"name": current.name},
                facts={"amount": missing_amount(current)},
            )
        except ApprovalError as error:
            raise StocktakeError(str(error)) from None
        _sync(stocktake, current, "status", "reviewed_by")
    return stocktake


def approval_decided(stocktake, approval):
    """The approval's outcome: approved → apply the results; anything else → back to
    复核 so the clerk can correct and submit again."""
    current = _lock(stocktake)
    if current.status != Status.PENDING:
        return
    if approval.status == "approved":
        _apply(current, now=timezone.now())
    else:
        current.status = Status.REVIEWING
        current.save(update_fields=["status", "updated_at"])


def _apply(stocktake, *, now):
    """Book the approved differences on the cards, each card once with a 盘点 event."""
    by = stocktake.reviewed_by or stocktake.created_by
    note = _("盘点 %(number)s 调账") % {"number": stocktake.number}
    differences = list(
        stocktake.differences.select_related("line", "line__found_place", "scan", "category")
    )
    per_asset = defaultdict(list)
    for difference in differences:
        if difference.line_id:
            per_asset[difference.line.asset_id].append(difference)
    events = []
    assets = Asset.objects.select_for_update(of=("self",)).select_related(
        "category", "managing_department", "using_department", "custodian", "place__building"
    )
    for asset in assets.filter(pk__in=per_asset):
        before = asset_services.snapshot(asset)
        for difference in per_asset[asset.pk]:
            _apply_one(asset, difference)
        after = asset_services.snapshot(asset)
        changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if changes:
            asset.save(update_fields=["place", "status", "updated_at"])
        kinds = "、".join(str(d.get_kind_display()) for d in per_asset[asset.pk])
        events.append(
            AssetEvent(
                asset=asset,
                action=AssetEvent.Action.STOCKTAKE,
                actor=by.user,
                note=f"{note}：{kinds}",
                changes=changes,
                created_at=now,
            )
        )
    AssetEvent.objects.bulk_create(events)
    for difference in differences:
        if difference.kind == DifferenceKind.SURPLUS:
            _book_surplus(stocktake, difference, by=by, now=now, note=note)
    stocktake.status = Status.APPLIED
    stocktake.applied_at = now
    stocktake.save(update_fields=["status", "applied_at", "updated_at"])


def _apply_one(asset, difference):
    line = difference.line
    if asset.status == AssetStatus.DISPOSED:
        return
    if difference.kind == DifferenceKind.WRONG_PLACE and line.found_place_id:
        asset.place = line.found_place
    elif difference.kind == DifferenceKind.WRONG_STATUS:
        if asset.status in asset_services.DAILY_STATUSES:
            asset.status = OBSERVED_TO_STATUS[line.observed_status]
    elif difference.kind == DifferenceKind.DAMAGED:
        if asset.status in asset_services.DAILY_STATUSES:
            asset.status = AssetStatus.REPAIRING
    elif difference.kind == DifferenceKind.MISSING:
        asset.status = AssetStatus.PENDING_DISPOSAL


def _book_surplus(stocktake, difference, *, by, now, note):
    from houqin.approvals.models import ApprovalError

    scan = difference.scan
    value = difference.amount
    try:
        asset = asset_services.asset_create(
            by=by,
            school=stocktake.school,
            values={
                "name": scan.surplus_name,
                "category": difference.category,
                "acquisition_method": AcquisitionMethod.SURPLUS,
                "acquired_on": stocktake.base_date,
                "booked_on": timezone.localdate(now),
                "original_value": value,
                "fiscal_amount": Decimal("0.00"),
                "non_fiscal_amount": value,
                "place": scan.place,
                "note": scan.surplus_note,
            },
            now=now,
        )
    except asset_services.AssetError as error:
        raise ApprovalError(
            _("盘盈物品“%(name)s”不能入账：%(error)s") % {"name": scan.surplus_name, "error": error}
        ) from None
    AssetEvent.objects.create(
        asset=asset,
        action=AssetEvent.Action.STOCKTAKE,
        actor=by.user,
        note=f"{note}：{DifferenceKind.SURPLUS.label}",
        created_at=now,
    )
    difference.new_asset = asset
    difference.save(update_fields=["new_asset"])


def stocktake_cancel(stocktake, *, by, reason):
    _check_manager(by, stocktake.school_id)
    reason = (reason or "").strip()
    if not reason:
        raise StocktakeError(_("请写明取消原因。"))
    with transaction.atomic():
        current = _lock(stocktake)
        _check_status(current, Status.DRAFT, Status.COUNTING, Status.REVIEWING)
        current.status = Status.CANCELLED
        current.cancel_reason = reason[:200]
        current.save(update_fields=["status", "cancel_reason", "updated_at"])
        _sync(stocktake, current, "status", "cancel_reason")
    return stocktake
