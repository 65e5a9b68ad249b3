"""Movements (调拨, 退库, 闲置调剂) and disposals (处置) of asset cards.

Each function runs in ``transaction.atomic``, locks the cards it takes (in id order, so
two requests for the same cards queue instead of deadlocking), refuses with
``AssetError`` (a Chinese message) and leaves nothing half-done.

A card is in at most one open movement and one open disposal, and never in both: the
service checks it under the card's row lock, and a partial unique index on the open lines
makes it an invariant of the database as well.

Approval goes through ``houqin.approvals`` (kinds "transfer" and "disposal"); the outcome
comes back through ``Movement.on_approval_decided`` / ``Disposal.on_approval_decided``:

- a movement approved: its cards move (place, department, custodian) with a "move" or
  "return" event each; rejected or withdrawn: nothing moves. Sent back: it stays pending
  and the requester resubmits on the approval page.
- a disposal approved: it waits for the write-off (核销) by the asset clerk; rejected or
  withdrawn: its cards go back to the status they had.
"""

import calendar
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.approvals import services as approvals
from houqin.approvals.models import ApprovalError, RequestStatus
from houqin.assets.models import (
    Asset,
    AssetEvent,
    Disposal,
    DisposalLine,
    DisposalMethod,
    DisposalStatus,
    Movement,
    MovementKind,
    MovementLine,
    MovementStatus,
    Status,
)
from houqin.assets.services import (
    AssetError,
    _check_manager,
    _lock_school,
    minimum_life_months,
    snapshot,
)
from houqin.core import workflow
from houqin.org.models import Place, PlaceType

Action = AssetEvent.Action
# How many cards one movement or disposal may take (a class's worth of desks is 50).
MAX_LINES = 200
# The approval's sub_type for each kind of movement (the flows may tell them apart).
SUB_TYPES = {
    MovementKind.TRANSFER: "调拨",
    MovementKind.RETURN_TO_STORE: "退库",
    MovementKind.IDLE_REQUEST: "闲置调剂",
}
PROOF_ROLE, APPRAISAL_ROLE = "proof", "appraisal"


def _next_number(model, school_id, prefix, year):
    """``<prefix>-<year>-<4 digits>``, consecutive per school and year. The caller holds
    the school lock."""
    return workflow.next_number(model.objects.filter(school_id=school_id), f"{prefix}-{year}-", 4)


def _lock_cards(school_id, asset_ids):
    ids = sorted({int(pk) for pk in asset_ids})
    if not ids:
        raise AssetError(_("请至少选择一件资产。"))
    if len(ids) > MAX_LINES:
        raise AssetError(_("一次最多办理 %(max)s 件资产。") % {"max": MAX_LINES})
    cards = list(
        Asset.objects.select_for_update(of=("self",))
        .filter(school_id=school_id, pk__in=ids)
        .select_related(
            "category", "managing_department", "using_department", "custodian", "place__building"
        )
        .order_by("pk")
    )
    if len(cards) != len(ids):
        raise AssetError(_("所选资产不存在或不属于本校。"))
    return cards


def _check_free(cards):
    """No card disposed, being disposed, or already in an open movement or disposal."""
    for card in cards:
        if card.status in (Status.DISPOSED, Status.PENDING_DISPOSAL):
            raise AssetError(
                _("资产 %(number)s %(name)s 当前为“%(status)s”，不能办理。")
                % {"number": card.number, "name": card.name, "status": card.get_status_display()}
            )
    ids = [card.pk for card in cards]
    busy = (
        MovementLine.objects.filter(asset_id__in=ids, is_open=True)
        .select_related("asset", "movement")
        .first()
    )
    if busy is not None:
        raise AssetError(
            _("资产 %(number)s 已在调拨单 %(movement)s 中办理，不能同时办理。")
            % {"number": busy.asset.number, "movement": busy.movement.number}
        )
    busy = (
        DisposalLine.objects.filter(asset_id__in=ids, is_open=True)
        .select_related("asset", "disposal")
        .first()
    )
    if busy is not None:
        raise AssetError(
            _("资产 %(number)s 已在处置单 %(disposal)s 中办理，不能同时办理。")
            % {"number": busy.asset.number, "disposal": busy.disposal.number}
        )


def _event(asset, action, by, *, note="", changes=None, at=None):
    AssetEvent.record(asset, action, by, note=note, changes=changes or {}, at=at)


def _changes(before, after):
    return {name: [before[name], after[name]] for name in before if before[name] != after[name]}


def _same_school(school_id, **records):
    for record in records.values():
        if record is not None and record.school_id != school_id:
            raise AssetError(_("所选部门、人员或地点不属于本校。"))


# --- movements -----------------------------------------------------------------------


def store_room(school):
    """The school's store room (a place of type 仓库), or None when it has none."""
    return (
        Place.objects.filter(school=school, place_type=PlaceType.WAREHOUSE, is_active=True)
        .order_by("-campus__is_main", "code")
        .first()
    )


def movement_create(
    *,
    by,
    kind,
    asset_ids,
    reason,
    to_place=None,
    to_department=None,
    to_custodian=None,
    now=None,
):
    """Ask for a movement and send it for approval (kind "transfer"). 调拨 needs at
    least one of place, department and person; 退库 goes to the store room (``to_place``
    when the school has none); 闲置调剂 is asked by any staff for idle cards, to their
    department and themselves. Returns the movement."""
    now = now or timezone.now()
    school = by.school
    if kind not in MovementKind.values:
        raise AssetError(_("未知的调拨类型。"))
    if kind != MovementKind.IDLE_REQUEST:
        _check_manager(by, school.pk)
    reason = (reason or "").strip()
    if not reason:
        raise AssetError(_("请填写事由。"))
    if kind == MovementKind.TRANSFER and not (to_place or to_department or to_custodian):
        raise AssetError(_("请至少选择调入地点、调入部门或新使用人中的一项。"))
    if kind == MovementKind.RETURN_TO_STORE:
        to_place = store_room(school) or to_place
        to_department = to_custodian = None
        if to_place is None:
            raise AssetError(_("本校还没有类型为“仓库”的场所，请选择退库存放的地点。"))
    if kind == MovementKind.IDLE_REQUEST:
        to_custodian, to_department = by, by.department
    _same_school(
        school.pk, to_place=to_place, to_department=to_department, to_custodian=to_custodian
    )
    with transaction.atomic():
        cards = _lock_cards(school.pk, asset_ids)
        _check_free(cards)
        if kind == MovementKind.IDLE_REQUEST:
            for card in cards:
                if card.status != Status.IDLE:
                    raise AssetError(
                        _("资产 %(number)s 不是闲置资产，不能申请调用。") % {"number": card.number}
                    )
        _lock_school(school.pk)
        movement = Movement.objects.create(
            school=school,
            number=_next_number(Movement, school.pk, "DB", timezone.localdate(now).year),
            kind=kind,
            to_place=to_place,
            to_department=to_department,
            to_custodian=to_custodian,
            reason=reason[:500],
            requested_by=by,
        )
        MovementLine.objects.bulk_create(
            [
                MovementLine(
                    movement=movement,
                    asset=card,
                    from_place_id=card.place_id,
                    from_department_id=card.using_department_id,
                    from_custodian_id=card.custodian_id,
                    original_value=card.original_value,
                )
                for card in cards
            ]
        )
        total = sum((card.original_value for card in cards), start=0)
        title = _("%(kind)s %(number)s：%(name)s等 %(count)s 件") % {
            "kind": movement.get_kind_display(),
            "number": movement.number,
            "name": cards[0].name,
            "count": len(cards),
        }
        try:
            approvals.submit(
                movement,
                kind="transfer",
                requester=by,
                title=title[:200],
                facts={"amount": total, "sub_type": SUB_TYPES[kind]},
            )
        except ApprovalError as error:
            raise AssetError(str(error)) from None
    movement.refresh_from_db()
    return movement


def movement_decided(approval):
    """The approval of a movement left "pending": approved moves the cards, rejected or
    withdrawn closes it with nothing moved; sent back keeps it pending."""
    outcome = {
        RequestStatus.APPROVED: MovementStatus.DONE,
        RequestStatus.REJECTED: MovementStatus.REJECTED,
        RequestStatus.WITHDRAWN: MovementStatus.WITHDRAWN,
    }.get(approval.status)
    if outcome is None:
        return
    movement = (
        Movement.objects.select_for_update(of=("self",))
        .select_related("to_place__building", "to_department", "to_custodian", "requested_by")
        .filter(pk=approval.subject_id, school_id=approval.school_id)
        .first()
    )
    if movement is None or movement.status != MovementStatus.PENDING:
        return
    now = timezone.now()
    if outcome == MovementStatus.DONE:
        _move_cards(movement, now=now)
    movement.lines.update(is_open=False)
    movement.status = outcome
    movement.decided_at = now
    movement.save(update_fields=["status", "decided_at", "updated_at"])


def _move_cards(movement, *, now):
    lines = list(movement.lines.order_by("asset_id"))
    cards = _lock_cards(movement.school_id, [line.asset_id for line in lines])
    returning = movement.kind == MovementKind.RETURN_TO_STORE
    action = Action.RETURN if returning else Action.MOVE
    note = _("%(kind)s单 %(number)s：%(reason)s") % {
        "kind": movement.get_kind_display(),
        "number": movement.number,
        "reason": movement.reason,
    }
    by = movement.requested_by
    for card in cards:
        before = snapshot(card)
        if returning:
            card.custodian = None
            card.using_department = None
            card.place = movement.to_place
            card.status = Status.IDLE
        else:
            if movement.to_place_id:
                card.place = movement.to_place
            if movement.to_department_id:
                card.using_department = movement.to_department
            if movement.to_custodian_id:
                card.custodian = movement.to_custodian
            if card.status == Status.IDLE:
                card.status = Status.IN_USE
        card.save(update_fields=["place", "using_department", "custodian", "status", "updated_at"])
        _event(card, action, by, note=note, changes=_changes(before, snapshot(card)), at=now)


def movement_withdraw(movement, *, by):
    """The requester takes back a pending movement (its approval is withdrawn)."""
    if by.pk != movement.requested_by_id:
        raise AssetError(_("只有申请人本人可以撤回。"))
    if movement.status != MovementStatus.PENDING:
        raise AssetError(
            _("调拨单当前为“%(status)s”，不能撤回。") % {"status": movement.get_status_display()}
        )
    approval = approvals.latest_for(movement)
    with transaction.atomic():
        try:
            approvals.withdraw(approval, by=by, comment=_("申请人撤回"))
        except ApprovalError as error:
            raise AssetError(str(error)) from None
    movement.refresh_from_db()
    return movement


# --- disposals -----------------------------------------------------------------------


def add_months(day, months):
    """``day`` plus ``months`` calendar months (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def minimum_life_end(asset) -> date | None:
    """The day ``asset`` reaches its minimum life: acquired + the class minimum (or the
    card's own life when the class has none). None: no minimum applies."""
    months = minimum_life_months(asset.category) or asset.life_months
    if not months or asset.acquired_on is None:
        return None
    return add_months(asset.acquired_on, months)


def _check_min_life(cards, method, today):
    """报废 before the minimum life is refused; a loss (报损) with proof is the way for a
    card destroyed early."""
    if method != DisposalMethod.SCRAP:
        return
    for card in cards:
        end = minimum_life_end(card)
        if end is not None and today < end:
            raise AssetError(
                _(
                    "资产 %(number)s %(name)s 要到 %(end)s 才达到最低使用年限，不能报废。"
                    "如确已损毁或丢失，请按“报损”办理并上传证明材料。"
                )
                % {"number": card.number, "name": card.name, "end": end.isoformat()}
            )


def disposal_create(*, by, method, asset_ids, reason, now=None):
    """A disposal request (待鉴定) for the cards; they become 待处置 at once. Returns it."""
    now = now or timezone.now()
    school = by.school
    _check_manager(by, school.pk)
    if method not in DisposalMethod.values:
        raise AssetError(_("请选择处置方式。"))
    reason = (reason or "").strip()
    if not reason:
        raise AssetError(_("请填写处置原因。"))
    with transaction.atomic():
        cards = _lock_cards(school.pk, asset_ids)
        _check_free(cards)
        _check_min_life(cards, method, timezone.localdate(now))
        _lock_school(school.pk)
        disposal = Disposal.objects.create(
            school=school,
            number=_next_number(Disposal, school.pk, "CZ", timezone.localdate(now).year),
            method=method,
            reason=reason[:500],
            requested_by=by,
        )
        DisposalLine.objects.bulk_create(
            [
                DisposalLine(
                    disposal=disposal,
                    asset=card,
                    original_value=card.original_value,
                    accumulated_depreciation=card.accumulated_depreciation,
                    net_value=card.net_value,
                    previous_status=card.status,
                )
                for card in cards
            ]
        )
        note = _("处置单 %(number)s（%(method)s）：%(reason)s") % {
            "number": disposal.number,
            "method": disposal.get_method_display(),
            "reason": reason,
        }
        for card in cards:
            _set_status(card, Status.PENDING_DISPOSAL, by, note=note, at=now)
    return disposal


def _set_status(card, status, by, *, note, at=None):
    before = snapshot(card)
    card.status = status
    card.save(update_fields=["status", "updated_at"])
    _event(card, Action.STATUS, by, note=note, changes=_changes(before, snapshot(card)), at=at)


def _lock_disposal(disposal):
    return Disposal.objects.select_for_update(of=("self",)).get(pk=disposal.pk)


def _check_status(disposal, *allowed):
    if disposal.status not in allowed:
        raise AssetError(
            _("处置单当前为“%(status)s”，不能办理这一步。")
            % {"status": disposal.get_status_display()}
        )


def disposal_start_appraisal(disposal, *, by):
    """送技术鉴定: the request is complete; the cards are appraised next."""
    _check_manager(by, disposal.school_id)
    with transaction.atomic():
        current = _lock_disposal(disposal)
        _check_status(current, DisposalStatus.DRAFT)
        current.status = DisposalStatus.APPRAISING
        current.save(update_fields=["status", "updated_at"])
    return current


def proof_count(disposal):
    from houqin.files.services import attachments_for

    return attachments_for(disposal, role=PROOF_ROLE).count()


def disposal_submit(disposal, *, by, appraiser, appraised_on, conclusion, now=None):
    """Record the technical appraisal and send the disposal for approval (kind
    "disposal", amount = the cards' original value, sub_type = the method). Checks the
    minimum-life rule again and that a loss (报损) has a proof attached."""
    now = now or timezone.now()
    _check_manager(by, disposal.school_id)
    appraiser, conclusion = (appraiser or "").strip(), (conclusion or "").strip()
    if not appraiser or not conclusion or appraised_on is None:
        raise AssetError(_("请填写鉴定人、鉴定日期和鉴定结论。"))
    if appraised_on > timezone.localdate(now):
        raise AssetError(_("鉴定日期不能晚于今天。"))
    with transaction.atomic():
        current = _lock_disposal(disposal)
        _check_status(current, DisposalStatus.APPRAISING)
        lines = list(current.lines.select_related("asset__category"))
        cards = [line.asset for line in lines]
        _check_min_life(cards, current.method, timezone.localdate(now))
        if current.method == DisposalMethod.LOSS and not proof_count(current):
            raise AssetError(_("报损须上传至少一份证明材料（如报案回执、损毁照片或鉴定报告）。"))
        current.appraiser = appraiser[:100]
        current.appraised_on = appraised_on
        current.appraisal_conclusion = conclusion
        current.status = DisposalStatus.PENDING
        current.save()
        total = sum((line.original_value for line in lines), start=0)
        title = _("%(method)s %(number)s：%(name)s等 %(count)s 件") % {
            "method": current.get_method_display(),
            "number": current.number,
            "name": cards[0].name,
            "count": len(cards),
        }
        try:
            approvals.submit(
                current,
                kind="disposal",
                requester=by,
                title=title[:200],
                facts={"amount": total, "sub_type": current.get_method_display()},
            )
        except ApprovalError as error:
            raise AssetError(str(error)) from None
    current.refresh_from_db()
    return current


def disposal_decided(approval):
    """The approval of a disposal left "pending": approved waits for the write-off;
    rejected or withdrawn puts the cards back; sent back stays pending."""
    if approval.status not in (
        RequestStatus.APPROVED,
        RequestStatus.REJECTED,
        RequestStatus.WITHDRAWN,
    ):
        return
    disposal = (
        Disposal.objects.select_for_update(of=("self",))
        .filter(pk=approval.subject_id, school_id=approval.school_id)
        .first()
    )
    if disposal is None or disposal.status != DisposalStatus.PENDING:
        return
    if approval.status == RequestStatus.APPROVED:
        disposal.status = DisposalStatus.APPROVED
        disposal.save(update_fields=["status", "updated_at"])
        return
    status = (
        DisposalStatus.REJECTED
        if approval.status == RequestStatus.REJECTED
        else DisposalStatus.CANCELLED
    )
    _close(disposal, status, by=None, note=approval.get_status_display())


def _close(disposal, status, *, by, note):
    """Refused or cancelled: every card goes back to the status it had."""
    lines = list(disposal.lines.order_by("asset_id"))
    locked = _lock_cards(disposal.school_id, [line.asset_id for line in lines])
    cards = {card.pk: card for card in locked}
    event_note = _("处置单 %(number)s %(outcome)s，恢复原状态") % {
        "number": disposal.number,
        "outcome": note,
    }
    for line in lines:
        card = cards[line.asset_id]
        if card.status == Status.PENDING_DISPOSAL:
            _set_status(card, line.previous_status, by, note=event_note)
    disposal.lines.update(is_open=False)
    disposal.status = status
    disposal.save(update_fields=["status", "updated_at"])


def disposal_cancel(disposal, *, by, reason):
    """撤销 a disposal not yet sent for approval; the cards go back."""
    _check_manager(by, disposal.school_id)
    reason = (reason or "").strip()
    if not reason:
        raise AssetError(_("请填写撤销原因。"))
    with transaction.atomic():
        current = _lock_disposal(disposal)
        _check_status(current, DisposalStatus.DRAFT, DisposalStatus.APPRAISING)
        current.closing_note = reason[:500]
        current.save(update_fields=["closing_note", "updated_at"])
        _close(current, DisposalStatus.CANCELLED, by=by, note=_("已撤销"))
    return current


def disposal_write_off(disposal, *, by, written_off_on=None, note="", now=None):
    """核销: the approved disposal's cards leave the books (已处置) with the method,
    date and note on their 处置信息, and a "dispose" event each."""
    now = now or timezone.now()
    _check_manager(by, disposal.school_id)
    today = timezone.localdate(now)
    written_off_on = written_off_on or today
    if written_off_on > today:
        raise AssetError(_("核销日期不能晚于今天。"))
    with transaction.atomic():
        current = _lock_disposal(disposal)
        _check_status(current, DisposalStatus.APPROVED)
        lines = list(current.lines.order_by("asset_id"))
        cards = _lock_cards(current.school_id, [line.asset_id for line in lines])
        card_note = (
            _("处置单 %(number)s：%(reason)s")
            % {"number": current.number, "reason": current.reason}
        )[:300]
        for card in cards:
            before = snapshot(card)
            card.status = Status.DISPOSED
            card.disposal_method = current.method
            card.disposed_on = written_off_on
            card.disposal_note = card_note
            card.save(
                update_fields=[
                    "status",
                    "disposal_method",
                    "disposed_on",
                    "disposal_note",
                    "updated_at",
                ]
            )
            changes = _changes(before, snapshot(card))
            changes["disposal_method"] = ["", current.get_method_display()]
            _event(card, Action.DISPOSE, by, note=card_note, changes=changes, at=now)
        current.lines.update(is_open=False)
        current.status = DisposalStatus.WRITTEN_OFF
        current.written_off_on = written_off_on
        current.written_off_by = by
        current.closing_note = (note or "").strip()[:500]
        current.save()
    return current
