"""The consumables workflows: stock-in, requisition → approval → issue, return, transfer
between stores, and the count (盘库).

Every stock change locks the (store, item) rows in item order, refuses what would take
a quantity below zero with a Chinese message naming the item and what is left, and
writes one ``StockMove``. A refusal raises ``SupplyError``; nothing is half-saved.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.approvals import services as approvals
from houqin.approvals.models import ApprovalError, RequestStatus
from houqin.notifications.services import notify
from houqin.supplies.access import can_keep
from houqin.supplies.models import (
    TO_ISSUE,
    CountLine,
    CountSheet,
    CountStatus,
    Item,
    MoveKind,
    Requisition,
    RequisitionLine,
    RequisitionStatus,
    Stock,
    StockIn,
    StockInLine,
    StockMove,
    Store,
)

KIND = "requisition"
EVENT_TO_ISSUE = "supplies.to_issue"
EVENT_ISSUED = "supplies.issued"


class SupplyError(Exception):
    def __init__(self, messages):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__(" ".join(str(m) for m in self.messages))

    def __str__(self):
        return " ".join(str(m) for m in self.messages)


def _check_school(by, *objects):
    if by is None or by.school_id is None:
        raise SupplyError(_("只有学校的教职工可以办理。"))
    for obj in objects:
        if obj is not None and obj.school_id != by.school_id:
            raise SupplyError(_("不是本校的记录。"))


def _must_keep(by, store):
    if not can_keep(by.user, store):
        raise SupplyError(
            _("只有“%(store)s”的库管员或物品管理员可以办理。") % {"store": store.name}
        )


def _lock_stocks(store, items) -> dict[int, Stock]:
    """The stock rows of ``items`` in ``store``, created at zero when missing, locked in
    item order so that two keepers never wait on each other in a circle."""
    ids = sorted({item.pk for item in items})
    existing = set(
        Stock.objects.filter(store=store, item_id__in=ids).values_list("item_id", flat=True)
    )
    for item_id in ids:
        if item_id not in existing:
            try:
                with transaction.atomic():
                    Stock.objects.create(school_id=store.school_id, store=store, item_id=item_id)
            except IntegrityError:
                pass  # created by someone else meanwhile: lock theirs below
    rows = (
        Stock.objects.select_for_update(of=("self",))
        .filter(store=store, item_id__in=ids)
        .order_by("item_id")
    )
    return {row.item_id: row for row in rows}


def shortage_message(item, wanted, left):
    return _("“%(item)s”库存不足：需要 %(wanted)s%(unit)s，库房只剩 %(left)s%(unit)s。") % {
        "item": item,
        "wanted": wanted,
        "left": left,
        "unit": item.unit,
    }


def _move(stock, item, kind, quantity, *, by, at=None, **links) -> StockMove:
    """Change ``stock`` (locked) by ``quantity`` and write the ledger row. The conditional
    update keeps the quantity from going below zero even if a caller forgot the lock."""
    changed = Stock.objects.filter(pk=stock.pk, quantity__gte=-quantity).update(
        quantity=F("quantity") + quantity, updated_at=timezone.now()
    )
    if not changed:
        raise SupplyError(shortage_message(item, -quantity, stock.quantity))
    stock.quantity += quantity
    return StockMove.objects.create(
        school_id=stock.school_id,
        store_id=stock.store_id,
        item=item,
        kind=kind,
        quantity=quantity,
        balance=stock.quantity,
        at=at or timezone.now(),
        by=by,
        **links,
    )


def _positive_int(value, label):
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise SupplyError(_("“%(item)s”的数量要填整数。") % {"item": label}) from None
    if number < 0:
        raise SupplyError(_("“%(item)s”的数量不能是负数。") % {"item": label})
    return number


# --- stock-in ------------------------------------------------------------------------------


def stock_in_create(*, by, store, supplier, date, lines, note="", invoice=()) -> StockIn:
    """入库: ``lines`` is [(item, quantity, unit_price)]; each raises the store's stock
    and sets the item's latest price. The invoice files are attached in the same
    transaction."""
    _check_school(by, store)
    _must_keep(by, store)
    supplier = (supplier or "").strip()
    problems = []
    if not supplier:
        problems.append(_("请填写供应商。"))
    if date is None:
        problems.append(_("请填写入库日期。"))
    merged: dict[int, list] = {}
    for item, quantity, price in lines:
        _check_school(by, item)
        quantity = _positive_int(quantity, item)
        price = Decimal(price if price not in (None, "") else "0")
        if quantity == 0:
            continue
        if price < 0:
            problems.append(_("“%(item)s”的单价不能是负数。") % {"item": item})
        if item.pk in merged:
            problems.append(_("“%(item)s”填了两行，请合并。") % {"item": item})
        merged[item.pk] = [item, quantity, price]
    if not merged:
        problems.append(_("请至少填写一种入库物品和数量。"))
    if problems:
        raise SupplyError(problems)
    with transaction.atomic():
        stock_in = StockIn.objects.create(
            school_id=by.school_id,
            store=store,
            supplier=supplier[:100],
            date=date,
            note=note,
            by=by,
        )
        stocks = _lock_stocks(store, [entry[0] for entry in merged.values()])
        for item, quantity, price in merged.values():
            StockInLine.objects.create(
                stock_in=stock_in, item=item, quantity=quantity, unit_price=price
            )
            _move(
                stocks[item.pk],
                item,
                MoveKind.IN,
                quantity,
                by=by,
                unit_price=price,
                stock_in=stock_in,
                note=supplier[:200],
            )
            Item.objects.filter(pk=item.pk).update(last_price=price)
        if invoice:
            from houqin.files.services import attach_all

            try:
                attach_all(stock_in, invoice, by=by.user, role="invoice")
            except ValidationError as error:
                raise SupplyError(error.messages) from None
    return stock_in


# --- requisitions -------------------------------------------------------------------------


def available(store, items) -> dict[int, int]:
    rows = Stock.objects.filter(store=store, item__in=items).values_list("item_id", "quantity")
    return dict(rows)


def _title(by, lines):
    names = "、".join(f"{item.name}×{quantity}" for item, quantity in lines[:4])
    more = _("等 %(count)s 种") % {"count": len(lines)} if len(lines) > 4 else ""
    return (_("%(name)s 领用 %(items)s") % {"name": by.name, "items": names + more})[:200]


def requisition_submit(*, by, store, purpose, lines: Iterable) -> Requisition:
    """我要领用: ``lines`` is [(item, quantity)]. Refused when the store has fewer than
    asked; otherwise saved and sent for approval (kind "requisition", amount at the latest
    unit prices). The flow may approve it at once."""
    _check_school(by, store)
    purpose = (purpose or "").strip()
    problems = []
    wanted = []
    for item, quantity in lines:
        _check_school(by, item)
        quantity = _positive_int(quantity, item)
        if quantity:
            wanted.append((item, quantity))
    if not store.is_active:
        problems.append(_("这个库房已停用。"))
    if not wanted:
        problems.append(_("请至少选择一种物品并填写数量。"))
    if not purpose:
        problems.append(_("请填写用途。"))
    left = available(store, [item for item, _quantity in wanted])
    for item, quantity in wanted:
        if not item.is_active:
            problems.append(_("“%(item)s”已停用，不能领用。") % {"item": item})
        elif quantity > left.get(item.pk, 0):
            problems.append(shortage_message(item, quantity, left.get(item.pk, 0)))
    if problems:
        raise SupplyError(problems)
    amount = sum((item.last_price * quantity for item, quantity in wanted), Decimal("0"))
    with transaction.atomic():
        requisition = Requisition.objects.create(
            school_id=by.school_id,
            requester=by,
            department=by.department,
            store=store,
            purpose=purpose[:200],
            amount=amount,
        )
        RequisitionLine.objects.bulk_create(
            RequisitionLine(
                requisition=requisition, item=item, quantity=quantity, unit_price=item.last_price
            )
            for item, quantity in wanted
        )
        try:
            approvals.submit(
                requisition,
                kind=KIND,
                requester=by,
                title=_title(by, wanted),
                facts={"amount": amount},
            )
        except ApprovalError as error:
            raise SupplyError(str(error)) from None
    requisition.refresh_from_db()
    return requisition


def _is_requisition(approval):
    return approval.subject_type_id == ContentType.objects.get_for_model(Requisition).pk


def requisition_decided(approval):
    """The approval left "pending": approved → 待发放 (the keeper is told); rejected or
    withdrawn → closed that way. A returned one stays 审批中 until it is resubmitted."""
    mapping = {
        RequestStatus.APPROVED: RequisitionStatus.APPROVED,
        RequestStatus.REJECTED: RequisitionStatus.REJECTED,
        RequestStatus.WITHDRAWN: RequisitionStatus.WITHDRAWN,
    }
    status = mapping.get(approval.status)
    if status is None or not _is_requisition(approval):
        return
    requisition = (
        Requisition.objects.select_for_update(of=("self",))
        .select_related("store__keeper")
        .filter(pk=approval.subject_id, school_id=approval.school_id)
        .first()
    )
    if requisition is None or requisition.status != RequisitionStatus.PENDING:
        return
    requisition.status = status
    requisition.save(update_fields=["status", "updated_at"])
    if status == RequisitionStatus.APPROVED and requisition.store.keeper_id:
        notify(
            [requisition.store.keeper],
            event=EVENT_TO_ISSUE,
            title=_("领用单 %(number)s 待发放：%(title)s")
            % {"number": requisition.number, "title": approval.title},
            url=requisition.get_absolute_url(),
            school=requisition.school,
        )


def _lock_requisition(requisition):
    return (
        Requisition.objects.select_for_update(of=("self",))
        .select_related("store", "requester", "school")
        .get(pk=requisition.pk)
    )


def requisition_issue(requisition, *, by, quantities: dict) -> Requisition:
    """发放: hand out ``quantities`` ({line pk: quantity}) — all or part of what is left to
    issue. Refused as a whole when any item is short in the store."""
    _check_school(by, requisition)
    with transaction.atomic():
        locked = _lock_requisition(requisition)
        _must_keep(by, locked.store)
        if locked.status not in TO_ISSUE:
            raise SupplyError(
                _("这张领用单当前为“%(status)s”，不能发放。")
                % {"status": locked.get_status_display()}
            )
        lines = list(
            locked.lines.select_for_update(of=("self",)).select_related("item").order_by("pk")
        )
        wanted = []
        problems = []
        for line in lines:
            quantity = _positive_int(quantities.get(line.pk, 0), line.item)
            if quantity > line.to_issue:
                problems.append(
                    _("“%(item)s”最多还能发放 %(left)s%(unit)s。")
                    % {"item": line.item, "left": line.to_issue, "unit": line.item.unit}
                )
            elif quantity:
                wanted.append((line, quantity))
        if not wanted and not problems:
            problems.append(_("请填写要发放的数量。"))
        if problems:
            raise SupplyError(problems)
        stocks = _lock_stocks(locked.store, [line.item for line, _q in wanted])
        short = [
            shortage_message(line.item, quantity, stocks[line.item_id].quantity)
            for line, quantity in wanted
            if stocks[line.item_id].quantity < quantity
        ]
        if short:
            raise SupplyError(short)
        now = timezone.now()
        for line, quantity in wanted:
            _move(
                stocks[line.item_id],
                line.item,
                MoveKind.ISSUE,
                -quantity,
                by=by,
                at=now,
                unit_price=line.unit_price,
                person=locked.requester,
                department_id=locked.department_id,
                requisition_line=line,
                note=locked.number,
            )
            line.issued += quantity
            line.save(update_fields=["issued"])
        done = all(line.issued == line.quantity for line in lines)
        locked.status = RequisitionStatus.ISSUED if done else RequisitionStatus.PARTIAL
        locked.issued_at = now
        locked.save(update_fields=["status", "issued_at", "updated_at"])
        notify(
            [locked.requester],
            event=EVENT_ISSUED,
            title=_("领用单 %(number)s 已发放：%(items)s")
            % {
                "number": locked.number,
                "items": "、".join(f"{line.item.name}×{quantity}" for line, quantity in wanted),
            },
            url=locked.get_absolute_url(),
            school=locked.school,
        )
    return locked


def requisition_close(requisition, *, by) -> Requisition:
    """结束发放: the rest will not be issued (the store has no more, or it is not needed)."""
    _check_school(by, requisition)
    with transaction.atomic():
        locked = _lock_requisition(requisition)
        _must_keep(by, locked.store)
        if locked.status not in TO_ISSUE:
            raise SupplyError(
                _("这张领用单当前为“%(status)s”，不能结束。")
                % {"status": locked.get_status_display()}
            )
        locked.status = RequisitionStatus.CLOSED
        locked.save(update_fields=["status", "updated_at"])
    return locked


def requisition_return(requisition, *, by, quantities: dict) -> Requisition:
    """归还: the keeper takes back returnable items ({line pk: quantity}); no more than the
    requester still holds."""
    _check_school(by, requisition)
    with transaction.atomic():
        locked = _lock_requisition(requisition)
        _must_keep(by, locked.store)
        lines = list(
            locked.lines.select_for_update(of=("self",)).select_related("item").order_by("pk")
        )
        wanted, problems = [], []
        for line in lines:
            quantity = _positive_int(quantities.get(line.pk, 0), line.item)
            if not quantity:
                continue
            if not line.item.returnable:
                problems.append(_("“%(item)s”是消耗品，不用归还。") % {"item": line.item})
            elif quantity > line.held:
                problems.append(
                    _("“%(item)s”%(name)s只领用未还 %(held)s%(unit)s。")
                    % {
                        "item": line.item,
                        "name": locked.requester.name,
                        "held": line.held,
                        "unit": line.item.unit,
                    }
                )
            else:
                wanted.append((line, quantity))
        if not wanted and not problems:
            problems.append(_("请填写归还的数量。"))
        if problems:
            raise SupplyError(problems)
        stocks = _lock_stocks(locked.store, [line.item for line, _q in wanted])
        for line, quantity in wanted:
            _move(
                stocks[line.item_id],
                line.item,
                MoveKind.RETURN,
                quantity,
                by=by,
                unit_price=line.unit_price,
                person=locked.requester,
                department_id=locked.department_id,
                requisition_line=line,
                note=locked.number,
            )
            line.returned += quantity
            line.save(update_fields=["returned"])
    return locked


# --- transfers between stores -------------------------------------------------------------


def store_transfer(*, by, source, target, item, quantity, note="") -> None:
    """调拨: move ``quantity`` of ``item`` from ``source`` to ``target`` (two ledger rows)."""
    _check_school(by, source, target, item)
    _must_keep(by, source)
    quantity = _positive_int(quantity, item)
    if source.pk == target.pk:
        raise SupplyError(_("调出和调入不能是同一个库房。"))
    if not quantity:
        raise SupplyError(_("请填写调拨数量。"))
    with transaction.atomic():
        # Lock both stores' rows in store order for the same reason as items.
        first, second = sorted([source, target], key=lambda store: store.pk)
        stocks = {first.pk: _lock_stocks(first, [item]), second.pk: _lock_stocks(second, [item])}
        out = stocks[source.pk][item.pk]
        if out.quantity < quantity:
            raise SupplyError(shortage_message(item, quantity, out.quantity))
        now = timezone.now()
        _move(
            out,
            item,
            MoveKind.TRANSFER_OUT,
            -quantity,
            by=by,
            at=now,
            unit_price=item.last_price,
            note=(_("调往%(store)s") % {"store": target})[:200],
        )
        _move(
            stocks[target.pk][item.pk],
            item,
            MoveKind.TRANSFER_IN,
            quantity,
            by=by,
            at=now,
            unit_price=item.last_price,
            note=(_("从%(store)s调入") % {"store": source})[:200],
        )


# --- count (盘库) --------------------------------------------------------------------------


def count_create(*, by, store, title) -> CountSheet:
    """Start a count: one line per item the store holds or has held, with its book
    quantity now."""
    _check_school(by, store)
    _must_keep(by, store)
    title = (title or "").strip()
    if not title:
        raise SupplyError(_("请填写盘库名称。"))
    with transaction.atomic():
        list(Store.objects.select_for_update().filter(pk=store.pk).values_list("pk"))
        if CountSheet.objects.filter(store=store, status=CountStatus.OPEN).exists():
            raise SupplyError(_("“%(store)s”已有一张盘点中的盘库单。") % {"store": store})
        sheet = CountSheet.objects.create(
            school_id=by.school_id, store=store, title=title[:100], created_by=by
        )
        stocks = Stock.objects.filter(store=store, item__is_active=True).order_by("item_id")
        CountLine.objects.bulk_create(
            CountLine(sheet=sheet, item_id=stock.item_id, book_quantity=stock.quantity)
            for stock in stocks
        )
    return sheet


def _open_sheet(sheet, by):
    _check_school(by, sheet)
    locked = (
        CountSheet.objects.select_for_update(of=("self",)).select_related("store").get(pk=sheet.pk)
    )
    _must_keep(by, locked.store)
    if locked.status != CountStatus.OPEN:
        raise SupplyError(
            _("这张盘库单当前为“%(status)s”，不能修改。") % {"status": locked.get_status_display()}
        )
    return locked


def count_record(sheet, *, by, entries: dict) -> CountSheet:
    """Save counted quantities and causes: ``entries`` is {line pk: (counted or None, cause)}."""
    with transaction.atomic():
        locked = _open_sheet(sheet, by)
        lines = {line.pk: line for line in locked.lines.select_related("item")}
        changed = []
        for pk, (counted, cause) in entries.items():
            line = lines.get(pk)
            if line is None:
                continue
            line.counted = None if counted in (None, "") else _positive_int(counted, line.item)
            line.cause = (cause or "").strip()[:200]
            changed.append(line)
        CountLine.objects.bulk_update(changed, ["counted", "cause"])
    return locked


def count_apply(sheet, *, by) -> CountSheet:
    """Apply the count: every line counted, every difference with a cause; each difference
    is added to the current stock (moves since the snapshot stay) as an adjustment row."""
    with transaction.atomic():
        locked = _open_sheet(sheet, by)
        lines = list(locked.lines.select_related("item"))
        problems = []
        for line in lines:
            if line.counted is None:
                problems.append(_("“%(item)s”还没有填写实盘数量。") % {"item": line.item})
            elif line.difference and not line.cause:
                problems.append(_("“%(item)s”有差异，请填写差异原因。") % {"item": line.item})
        if problems:
            raise SupplyError(problems)
        differing = [line for line in lines if line.difference]
        stocks = _lock_stocks(locked.store, [line.item for line in differing])
        now = timezone.now()
        for line in differing:
            stock = stocks[line.item_id]
            if stock.quantity + line.difference < 0:
                raise SupplyError(
                    _("“%(item)s”盘亏 %(loss)s，但库房现在只有 %(left)s，请核对后重新填写。")
                    % {"item": line.item, "loss": -line.difference, "left": stock.quantity}
                )
            _move(
                stock,
                line.item,
                MoveKind.ADJUST,
                line.difference,
                by=by,
                at=now,
                unit_price=line.item.last_price,
                count=locked,
                note=line.cause,
            )
        locked.status = CountStatus.APPLIED
        locked.applied_by = by
        locked.applied_at = now
        locked.save(update_fields=["status", "applied_by", "applied_at", "updated_at"])
    return locked


def count_cancel(sheet, *, by) -> CountSheet:
    with transaction.atomic():
        locked = _open_sheet(sheet, by)
        locked.status = CountStatus.CANCELLED
        locked.save(update_fields=["status", "updated_at"])
    return locked
