"""Every change to an asset card or an acceptance goes through here.

Each function runs in ``transaction.atomic``, locks what it changes, checks the rules of
``DOMAIN.md`` (a card's class is specific enough, its life is not shorter than the class
minimum and is not changed once depreciation has locked it, 财政拨款 + 非财政拨款 = 原值),
refuses the rest with ``AssetError`` (a Chinese message) and writes one ``AssetEvent`` per
card changed, with ``changes`` as ``{field name: [old, new]}`` display strings.

``by`` is always the acting ``Staff``; it must hold ``assets.manage``.

Card numbers are ``<year>-<6 digits>`` (2026-000123), consecutive per school and year,
taken under a lock on the school's row so two acceptances booked at once never share or
skip a number.
"""

import re
from datetime import date

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.assets.models import (
    ZERO,
    Acceptance,
    AcceptanceLine,
    AcquisitionMethod,
    Asset,
    AssetEvent,
    Category,
    Status,
)
from houqin.core import workflow
from houqin.core.pinyin import initials
from houqin.org.models import School

Action = AssetEvent.Action

NUMBER_RE = re.compile(r"^(\d{4})-(\d{6})$")
NUMBER_PATTERN = r"^[0-9]{4}-[0-9]{6}$"
ACCEPTANCE_NUMBER_RE = re.compile(r"^YS(\d{4})(\d{4,})$")
# GB/T 14885 levels: 门类 A05 (1), 大类 A0501 (2), 中类 A050101 (3), 小类 (4). A card
# names a 中类 or finer; a shallower class only when it has no children.
CARD_MIN_LEVEL = 3
# The statuses a card moves between in daily use; 待处置/已处置 belong to disposal.
DAILY_STATUSES = (Status.IN_USE, Status.IDLE, Status.REPAIRING)
# 经费来源 values that are 财政拨款: cards bought with them book their value as fiscal.
FISCAL_SOURCES = ("财政拨款", "财政专项资金")
FUNDING_SOURCES = (*FISCAL_SOURCES, "自筹资金", "捐赠", "其他")
PROCUREMENT_FORMS = ("政府集中采购", "部门集中采购", "分散采购", "自行采购")
# Fields a card edit may change and its history records. Depreciation's own fields are
# kept by the monthly job, without an event per card.
TRACKED_FIELDS = (
    "number",
    "name",
    "category",
    "legacy_code",
    "spec",
    "model_name",
    "brand",
    "serial_number",
    "unit",
    "quantity",
    "area",
    "acquisition_method",
    "acquired_on",
    "booked_on",
    "original_value",
    "fiscal_amount",
    "non_fiscal_amount",
    "project_code",
    "funding_source",
    "procurement_form",
    "invoice_number",
    "life_months",
    "status",
    "purpose",
    "managing_department",
    "using_department",
    "custodian",
    "place",
    "note",
)
BATCH_SIZE = 500
# One acceptance books at most this many cards (a lot of 5,000 books is one card).
MAX_CARDS = 5000


class AssetError(Exception):
    """A refused change; ``str(error)`` is the Chinese message to show."""


# --- rules ---------------------------------------------------------------------------


def card_classes():
    """The classes a card may name: 中类 or finer, or a shallower class with no children."""
    return Category.objects.filter(Q(level__gte=CARD_MIN_LEVEL) | Q(children__isnull=True))


def is_card_class(category):
    if category is None:
        return False
    return category.level >= CARD_MIN_LEVEL or not category.children.exists()


def minimum_life_months(category):
    """The class's minimum life in months, or None when it has none or is not
    depreciated (图书, 文物…)."""
    if category is None or not category.depreciable or not category.life_years:
        return None
    return category.life_years * 12


def check_life(category, life_months):
    minimum = minimum_life_months(category)
    if minimum and life_months is not None and life_months < minimum:
        raise AssetError(
            _(
                "“%(category)s”的最低折旧年限是 %(years)s 年（%(months)s 个月），"
                "折旧年限不能短于它。"
            )
            % {"category": category.name, "years": category.life_years, "months": minimum}
        )


def check_category(category):
    if not is_card_class(category):
        raise AssetError(
            _("“%(category)s”是大类，请选择更具体的分类（中类或小类）。") % {"category": category}
        )


def split_by_funding(value, funding_source):
    """(财政拨款, 非财政拨款) for a value bought with ``funding_source``."""
    if funding_source in FISCAL_SOURCES:
        return value, ZERO
    return ZERO, value


def _check_manager(by, school_id):
    if not workflow.can(by, "assets.manage"):
        raise AssetError(_("您没有管理资产的权限。"))
    if by.school_id != school_id:
        raise AssetError(_("这不是本校的资产记录。"))


def _check_same_school(school_id, **records):
    for record in records.values():
        if record is not None and getattr(record, "school_id", school_id) != school_id:
            raise AssetError(_("所选部门、人员或地点不属于本校。"))


def _check_card(asset):
    check_category(asset.category)
    check_life(asset.category, asset.life_months)
    if asset.quantity is None or asset.quantity < 1:
        raise AssetError(_("数量至少为 1。"))
    if asset.original_value is None or asset.original_value < 0:
        raise AssetError(_("原值不能为负数。"))
    if asset.fiscal_amount < 0 or asset.non_fiscal_amount < 0:
        raise AssetError(_("财政拨款和非财政拨款不能为负数。"))
    if asset.fiscal_amount + asset.non_fiscal_amount != asset.original_value:
        raise AssetError(
            _("财政拨款（%(fiscal)s）加非财政拨款（%(other)s）应等于原值（%(value)s）。")
            % {
                "fiscal": asset.fiscal_amount,
                "other": asset.non_fiscal_amount,
                "value": asset.original_value,
            }
        )
    if asset.accumulated_depreciation > asset.original_value:
        raise AssetError(_("原值不能小于已计提的累计折旧。"))
    _check_same_school(
        asset.school_id,
        managing_department=asset.managing_department,
        using_department=asset.using_department,
        custodian=asset.custodian,
        place=asset.place,
    )


# --- numbers -------------------------------------------------------------------------


def _lock_school(school_id):
    """Serialise numbering within a school. ``no_key``: rows that merely reference the
    school (every insert of a school's record) are not blocked by this lock."""
    School.objects.select_for_update(no_key=True).filter(pk=school_id).first()


def next_numbers(school_id, count, *, year):
    """``count`` consecutive card numbers of ``year`` after the school's highest one.
    The caller holds the school lock (``_lock_school``) inside its transaction."""
    last = (
        Asset.objects.filter(
            school_id=school_id, number__startswith=f"{year}-", number__regex=NUMBER_PATTERN
        )
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    start = int(last[5:]) + 1 if last else 1
    if start + count - 1 > 999999:
        raise AssetError(_("%(year)s 年的资产编号已用完。") % {"year": year})
    return [f"{year}-{sequence:06d}" for sequence in range(start, start + count)]


def _next_acceptance_number(school_id, year):
    prefix = f"YS{year}"
    numbers = Acceptance.objects.filter(school_id=school_id, number__startswith=prefix)
    sequences = [
        int(match.group(2))
        for match in map(ACCEPTANCE_NUMBER_RE.match, numbers.values_list("number", flat=True))
        if match
    ]
    return f"{prefix}{max(sequences, default=0) + 1:04d}"


# --- history -------------------------------------------------------------------------


def _display(asset, name):
    field = asset._meta.get_field(name)
    value = getattr(asset, name)
    if value is None or value == "":
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(field, models.ForeignKey):
        # A place reads with its building: "沛学楼 301教室".
        return getattr(value, "full_name", None) or str(value)
    return str(value)


def snapshot(asset):
    return {name: _display(asset, name) for name in TRACKED_FIELDS}


def _changes(before, after):
    return {
        name: [before[name], after[name]] for name in TRACKED_FIELDS if before[name] != after[name]
    }


def _event(asset, action, by, *, note="", changes=None, at=None):
    return AssetEvent.record(asset, action, by, note=note, changes=changes or {}, at=at)


# --- cards ---------------------------------------------------------------------------


def _apply(asset, values):
    for name, value in values.items():
        if name not in TRACKED_FIELDS:
            raise ValueError(f"{name} is not a card field a person may set")
        setattr(asset, name, value)
    if asset.life_months is None:
        asset.life_months = minimum_life_months(asset.category)
    asset.net_value = asset.original_value - asset.accumulated_depreciation


def asset_create(*, by, school, values, photos=(), now=None):
    """A card entered by hand (an asset bought before the system, a donation, a
    building). A blank number takes the next one of this year; the life defaults to the
    class minimum. Returns the card."""
    now = now or timezone.now()
    _check_manager(by, school.pk)
    with transaction.atomic():
        asset = Asset(school=school)
        number = (values.get("number") or "").strip()
        _apply(asset, {**values, "number": number})
        if not asset.legacy_code and asset.category_id:
            asset.legacy_code = asset.category.code_2010
        _check_card(asset)
        _lock_school(school.pk)
        if not number:
            asset.number = next_numbers(school.pk, 1, year=timezone.localdate(now).year)[0]
        elif Asset.objects.filter(school=school, number=number).exists():
            raise AssetError(_("资产编号“%(number)s”已被使用。") % {"number": number})
        asset.save()
        _event(asset, Action.CREATE, by, at=now)
        _attach(asset, photos, by=by)
    return asset


def _attach(obj, photos, *, by, role=""):
    workflow.attach_photos(obj, photos, by=by, role=role, error=AssetError)


def _lock(asset):
    # Only the card's row: the related rows are read for the history's display strings.
    return (
        Asset.objects.select_for_update(of=("self",))
        .select_related(
            "category", "managing_department", "using_department", "custodian", "place__building"
        )
        .get(pk=asset.pk)
    )


def asset_update(asset, *, by, values, note=""):
    """Change a card's fields; one "edit" event lists what changed (none when nothing
    did). Refuses a new life or original value once depreciation has locked them, and
    daily status changes (use ``asset_set_status``). Returns the saved card."""
    _check_manager(by, asset.school_id)
    with transaction.atomic():
        current = _lock(asset)
        if current.status == Status.DISPOSED:
            raise AssetError(_("已处置的资产不能再修改。"))
        before = snapshot(current)
        if "status" in values and values["status"] != current.status:
            raise AssetError(_("使用状态请在卡片上用“变更状态”修改。"))
        old_life, old_value = current.life_months, current.original_value
        _apply(current, values)
        if current.life_locked and current.life_months != old_life:
            raise AssetError(_("折旧年限已在计提折旧时锁定，不能修改。"))
        if current.depreciated_months and current.original_value != old_value:
            raise AssetError(_("已开始计提折旧的资产不能直接修改原值，请办理价值调整。"))
        number = (current.number or "").strip()
        if not number:
            raise AssetError(_("请填写资产编号。"))
        if (
            number != before["number"]
            and Asset.objects.filter(school_id=current.school_id, number=number).exists()
        ):
            raise AssetError(_("资产编号“%(number)s”已被使用。") % {"number": number})
        current.number = number
        _check_card(current)
        changes = _changes(before, snapshot(current))
        if changes:
            current.save()
            _event(current, Action.EDIT, by, note=note, changes=changes)
    return current


def asset_set_status(asset, *, by, status, note):
    """在用 ⇄ 闲置 ⇄ 维修中, with a note. Entering 维修中 is recorded as a repair, so the
    card's repairs show in its history."""
    _check_manager(by, asset.school_id)
    if status not in DAILY_STATUSES:
        raise AssetError(_("只能在“在用”“闲置”“维修中”之间变更，处置请走处置流程。"))
    note = (note or "").strip()
    if not note:
        raise AssetError(_("请写明变更原因。"))
    with transaction.atomic():
        current = _lock(asset)
        if current.status not in DAILY_STATUSES:
            raise AssetError(
                _("资产当前为“%(status)s”，不能变更使用状态。")
                % {"status": current.get_status_display()}
            )
        if current.status == status:
            raise AssetError(
                _("资产已经是“%(status)s”。") % {"status": current.get_status_display()}
            )
        before = snapshot(current)
        current.status = status
        current.save(update_fields=["status", "updated_at"])
        action = Action.REPAIR if status == Status.REPAIRING else Action.STATUS
        _event(current, action, by, note=note, changes=_changes(before, snapshot(current)))
    return current


# --- acceptance ----------------------------------------------------------------------


def _lock_acceptance(acceptance):
    return Acceptance.objects.select_for_update().get(pk=acceptance.pk)


def _check_draft(acceptance):
    if acceptance.state != acceptance.State.DRAFT:
        raise AssetError(
            _("验收单当前为“%(state)s”，不能再修改。") % {"state": acceptance.get_state_display()}
        )


def _check_group(school_id, group):
    people = {person.pk: person for person in group}
    if len(people) < 2:
        raise AssetError(_("验收小组至少需要两人。"))
    for person in people.values():
        if person.school_id != school_id or not person.is_active:
            raise AssetError(_("验收小组成员必须是本校在职人员。"))
    return list(people.values())


def acceptance_save(acceptance, *, by, values, group):
    """Create (``acceptance.pk`` is None) or change a draft acceptance's header and
    group. Returns it."""
    _check_manager(by, acceptance.school_id if acceptance.pk else by.school_id)
    with transaction.atomic():
        if acceptance.pk is None:
            acceptance.school_id = by.school_id
            acceptance.created_by = by
            _lock_school(by.school_id)
            delivered_on = values.get("delivered_on") or timezone.localdate()
            acceptance.number = _next_acceptance_number(by.school_id, delivered_on.year)
        else:
            _check_draft(_lock_acceptance(acceptance))
        members = _check_group(acceptance.school_id, group)
        for name, value in values.items():
            setattr(acceptance, name, value)
        acceptance.save()
        acceptance.group.set(members)
    return acceptance


def _check_line(line):
    check_category(line.category)
    check_life(line.category, line.life_months)
    if line.quantity_received > line.quantity_ordered:
        raise AssetError(
            _("“%(name)s”实收 %(received)s 超过订购 %(ordered)s，请核对。")
            % {
                "name": line.name,
                "received": line.quantity_received,
                "ordered": line.quantity_ordered,
            }
        )
    if line.unit_price is None or line.unit_price < 0:
        raise AssetError(_("单价不能为负数。"))


def acceptance_line_save(line, *, by, values):
    """Add (``line.pk`` is None, ``line.acceptance`` set) or change a line of a draft
    acceptance. Returns it."""
    acceptance = line.acceptance
    _check_manager(by, acceptance.school_id)
    with transaction.atomic():
        _check_draft(_lock_acceptance(acceptance))
        for name, value in values.items():
            setattr(line, name, value)
        if line.life_months is None:
            line.life_months = minimum_life_months(line.category)
        _check_same_school(
            acceptance.school_id,
            using_department=line.using_department,
            custodian=line.custodian,
            place=line.place,
        )
        _check_line(line)
        line.save()
    return line


def _cards_for(line, acceptance, *, by, accepted_on):
    count = line.quantity_received if line.card_per_unit else 1
    quantity = 1 if line.card_per_unit else line.quantity_received
    value = line.unit_price * quantity
    fiscal, non_fiscal = split_by_funding(value, acceptance.funding_source)
    common = {
        "school_id": acceptance.school_id,
        "name": line.name,
        "name_initials": initials(line.name),
        "category": line.category,
        "legacy_code": line.category.code_2010,
        "spec": line.spec,
        "model_name": line.model_name,
        "brand": line.brand,
        "unit": line.unit,
        "quantity": quantity,
        "acquisition_method": AcquisitionMethod.PURCHASE,
        "acquired_on": accepted_on,
        "booked_on": accepted_on,
        "original_value": value,
        "fiscal_amount": fiscal,
        "non_fiscal_amount": non_fiscal,
        "funding_source": acceptance.funding_source,
        "procurement_form": acceptance.procurement_form,
        "invoice_number": acceptance.invoice_number,
        "life_months": line.life_months or minimum_life_months(line.category),
        "net_value": value,
        "status": Status.IN_USE,
        "managing_department_id": by.department_id,
        "using_department_id": line.using_department_id,
        "custodian_id": line.custodian_id,
        "place_id": line.place_id,
        "acceptance": acceptance,
    }
    return [Asset(**common) for _index in range(count)]


def acceptance_accept(acceptance, *, by, accepted_on=None, note="", now=None):
    """验收合格: book the cards of every line in bulk with consecutive numbers of the
    acceptance year, each with an "accept" event. Refuses a group of fewer than two, no
    lines, a line received over its order, an acceptance already decided. Returns the
    new cards in number order."""
    now = now or timezone.now()
    accepted_on = accepted_on or timezone.localdate(now)
    _check_manager(by, acceptance.school_id)
    with transaction.atomic():
        current = _lock_acceptance(acceptance)
        _check_draft(current)
        _check_group(current.school_id, list(current.group.all()))
        lines = list(AcceptanceLine.objects.filter(acceptance=current).select_related("category"))
        if not lines:
            raise AssetError(_("验收单还没有明细，请先添加验收的物品。"))
        for line in lines:
            _check_same_school(
                current.school_id,
                using_department=line.using_department,
                custodian=line.custodian,
                place=line.place,
            )
            _check_line(line)
        if accepted_on < current.delivered_on:
            raise AssetError(_("验收日期不能早于到货日期。"))
        if accepted_on > timezone.localdate(now):
            raise AssetError(_("验收日期不能晚于今天。"))
        cards = [
            card
            for line in lines
            for card in _cards_for(line, current, by=by, accepted_on=accepted_on)
        ]
        if not cards:
            raise AssetError(_("所有明细的实收数量都是 0，没有可入账的资产。"))
        if len(cards) > MAX_CARDS:
            raise AssetError(
                _(
                    "本次将生成 %(count)s 张卡片，超过一次 %(max)s 张的上限。"
                    "数量大的物品（如图书）请取消“每件一张卡片”，按批建一张卡片。"
                )
                % {"count": len(cards), "max": MAX_CARDS}
            )
        _lock_school(current.school_id)
        numbers = next_numbers(current.school_id, len(cards), year=accepted_on.year)
        for card, number in zip(cards, numbers, strict=True):
            card.number = number
        Asset.objects.bulk_create(cards, batch_size=BATCH_SIZE)
        if any(card.pk is None for card in cards):
            # A database that returns no ids from a bulk insert: read them back by number.
            ids = dict(
                Asset.objects.filter(school_id=current.school_id, number__in=numbers).values_list(
                    "number", "pk"
                )
            )
            for card in cards:
                card.pk = card.id = ids[card.number]
        event_note = _("验收单 %(number)s（%(supplier)s）") % {
            "number": current.number,
            "supplier": current.supplier,
        }
        AssetEvent.objects.bulk_create(
            [
                AssetEvent(
                    asset=card,
                    action=Action.ACCEPT,
                    actor=by.user,
                    note=event_note,
                    created_at=now,
                )
                for card in cards
            ],
            batch_size=BATCH_SIZE,
        )
        current.state = current.State.ACCEPTED
        current.accepted_on = accepted_on
        current.result_note = (note or "").strip()
        current.save(update_fields=["state", "accepted_on", "result_note", "updated_at"])
        _sync_acceptance(acceptance, current)
    return cards


def acceptance_reject(acceptance, *, by, note, rejected_on=None, now=None):
    """验收不合格: the delivery goes back with the reasons; no cards are made."""
    now = now or timezone.now()
    _check_manager(by, acceptance.school_id)
    note = (note or "").strip()
    if not note:
        raise AssetError(_("请写明验收不合格的原因。"))
    with transaction.atomic():
        current = _lock_acceptance(acceptance)
        _check_draft(current)
        current.state = current.State.REJECTED
        current.accepted_on = rejected_on or timezone.localdate(now)
        current.result_note = note
        current.save(update_fields=["state", "accepted_on", "result_note", "updated_at"])
        _sync_acceptance(acceptance, current)
    return acceptance


def _sync_acceptance(target, source):
    for name in ("state", "accepted_on", "result_note"):
        setattr(target, name, getattr(source, name))
