"""Hazard workflows: report → assign → rectify → verify (pass: closed 销号; fail: back to
rectifying) — each a function that checks who may do it, writes a ``HazardEvent`` and
tells the people concerned, inside one transaction with the hazard's row locked. Refusals
raise ``HazardError`` with a Chinese message. ``by`` is always the acting ``Staff``; ``now``
defaults to ``timezone.now()``. The functions that take a hazard update the object passed
in and return it.

Rules kept here: the person who rectified a hazard never verifies it, and only a passed
verification closes it; a linked repair still open, a 重大 hazard without its plan, or a
blind spot no working camera covers yet keep it open.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.accounts.roles import Position
from houqin.core import workflow
from houqin.hazards.models import (
    OPEN_STATUSES,
    TO_FIX_STATUSES,
    Camera,
    Domain,
    Grade,
    Hazard,
    HazardEvent,
    HazardPlan,
    Source,
    Status,
)
from houqin.org import calendar
from houqin.org.models import School
from houqin.repairs import services as repair_services
from houqin.repairs.models import OPEN_STATUSES as REPAIR_OPEN_STATUSES

Action = HazardEvent.Action

# Notification events (registered in apps.py).
EVENT_NEW = "hazards.new"
EVENT_ASSIGNED = "hazards.assigned"
EVENT_RECTIFIED = "hazards.rectified"
EVENT_VERIFY_FAILED = "hazards.verify_failed"
EVENT_PROGRESS = "hazards.progress"
EVENT_OVERDUE = "hazards.overdue"
EVENT_MAJOR = "hazards.major"

# 一般隐患 are fixed at once: three working days unless the manager says otherwise.
GENERAL_WORKDAYS = 3
# Overdue by more than this many days: the principal is told (督办 level 2).
LEVEL_TWO_DAYS = 3


class HazardError(Exception):
    """A refused hazard action; the message is shown to the user as is."""


# --- helpers -------------------------------------------------------------------------


_now = workflow.now_or
_can = workflow.can


def _is_manager(by):
    return _can(by, "hazards.manage")


def _refuse_status(hazard, action_label):
    message = _("隐患当前为“%(status)s”，不能%(action)s。")
    workflow.refuse_status(hazard, message, action_label, error=HazardError)


def _check_school(hazard, by):
    if by is None or by.school_id != hazard.school_id:
        raise HazardError(_("这不是本校的隐患。"))


def _lock(hazard, by):
    """The hazard locked for update, fresh from the database."""
    _check_school(hazard, by)
    # of=("self",): PostgreSQL cannot lock the nullable side of the outer joins.
    return (
        Hazard.objects.select_for_update(of=("self",))
        .select_related("school", "place", "owner", "reported_by", "repair")
        .get(pk=hazard.pk)
    )


# Copy the saved values (and the related objects loaded with them) to the caller's object.
_sync = workflow.copy_saved
_event = HazardEvent.record
_move = HazardEvent.move


def _notify(recipients, *, event, title, body="", hazard, exclude=None):
    """Tell the active people among ``recipients`` (once each), never the one acting."""
    return workflow.notify_people(
        recipients,
        event=event,
        title=title,
        body=body,
        url=hazard.get_absolute_url(),
        school=hazard.school,
        exclude=exclude,
    )


def _label(hazard):
    return f"{hazard.number} {hazard.title}"


def _where(hazard):
    parts = [hazard.place.full_name if hazard.place_id else "", hazard.location_note]
    return " ".join(part for part in parts if part)


_holders = workflow.holders


def managers_of(school, campus_id=None):
    """Who runs the register (holders of ``hazards.manage``)."""
    return _holders(school, workflow.positions_with("hazards.manage"), campus_id=campus_id)


def principals_of(school):
    return _holders(school, [Position.PRINCIPAL])


def _campus_id(hazard):
    return hazard.place.campus_id if hazard.place_id else None


def _required(text, message, max_length=500):
    return workflow.required_text(text, message, error=HazardError, max_length=max_length)


def _money(value):
    return workflow.parse_money(
        value,
        error=HazardError,
        invalid=_("整改资金不是有效的金额。"),
        negative=_("整改资金不能为负数。"),
        too_large=_("整改资金金额过大。"),
    )


def _attach(hazard, photos, by, role):
    return workflow.attach_photos(hazard, photos, by=by, role=role, error=HazardError)


def _next_number(school, now):
    """YH-<year>-<4-digit sequence of that school's year>: YH-2026-0001."""
    School.objects.select_for_update().filter(pk=school.pk).first()
    prefix = f"YH-{timezone.localtime(now):%Y}-"
    return workflow.next_number(Hazard.objects.filter(school=school), prefix, 4)


def _plan_of(hazard):
    try:
        return hazard.plan
    except HazardPlan.DoesNotExist:
        return None


def default_deadline(hazard, today=None):
    """The rectification deadline a hazard gets when none is given: 一般 three working
    days after ``today`` (school calendar); 重大 the plan's deadline (None before the plan
    is written)."""
    if hazard.grade == Grade.MAJOR:
        plan = _plan_of(hazard)
        return plan.deadline if plan else None
    return calendar.add_workdays(hazard.school, today or timezone.localdate(), GENERAL_WORKDAYS)


def repair_is_open(hazard):
    """The linked repair request is not done (nor cancelled) yet."""
    return hazard.repair_id is not None and hazard.repair.status in REPAIR_OPEN_STATUSES


def _check_repair_done(hazard, message):
    if repair_is_open(hazard):
        raise HazardError(message % {"number": hazard.repair.number})


def _check_owner(owner, school):
    if owner is None:
        raise HazardError(_("请选择整改责任人。"))
    if owner.school_id != school.pk or not owner.is_active or not owner.user_id:
        raise HazardError(
            _("%(name)s不是本校在岗的教职工。") % {"name": getattr(owner, "name", "")}
        )
    if not _can(owner, "hazards.report"):
        # They could not even open the hazard's page.
        raise HazardError(_("%(name)s没有处理隐患的权限。") % {"name": owner.name})


def _tell_principal(hazard, by, reason):
    """A 重大 hazard goes to the principal and the school's group robots (挂牌督办)."""
    from houqin.notifications.services import notify

    principals = [p for p in principals_of(hazard.school) if p.pk != by.pk and p.user_id]
    notify(
        principals,
        event=EVENT_MAJOR,
        title=_("重大隐患：%(label)s") % {"label": _label(hazard)},
        body="\n".join(
            filter(
                None,
                [
                    reason,
                    _("地点：%(where)s") % {"where": _where(hazard)} if _where(hazard) else "",
                    _("类别：%(domain)s") % {"domain": hazard.get_domain_display()},
                    hazard.detail,
                ],
            )
        ),
        url=hazard.get_absolute_url(),
        school=hazard.school,
        robots=True,
    )


# --- reporting and assigning ---------------------------------------------------------


def hazard_report(
    *,
    school,
    by,
    title,
    domain,
    grade=Grade.GENERAL,
    place=None,
    location_note="",
    detail="",
    source=Source.REPORT,
    repair=None,
    photos=(),
    owner=None,
    deadline=None,
    now=None,
):
    """A new hazard (numbered YH-<year>-<seq> per school). Photos attach with role
    "found". With an owner (a manager's choice) it goes straight to 整改中, the deadline
    defaulting from the grade; a 重大 hazard tells the principal. Returns the hazard."""
    now = _now(now)
    if by is None or school is None or by.school_id != school.pk:
        raise HazardError(_("只能上报本校的隐患。"))
    if not _can(by, "hazards.report"):
        raise HazardError(_("你没有上报隐患的权限。"))
    title = " ".join((title or "").split())
    if not title:
        raise HazardError(_("请用一句话描述隐患。"))
    detail = (detail or "").strip()
    if len(title) > 200:
        # A checklist item's text and the patroller's note may outrun a title: keep it all.
        detail = "\n".join(filter(None, [title, detail]))
        title = title[:199] + "…"
    if domain not in Domain.values:
        raise HazardError(_("请选择隐患类别。"))
    if grade not in Grade.values:
        raise HazardError(_("请选择隐患等级。"))
    if source not in Source.values:
        raise HazardError(_("隐患来源无效。"))
    if place is not None and place.school_id != school.pk:
        raise HazardError(_("隐患地点不属于本校。"))
    location_note = (location_note or "").strip()[:200]
    if place is None and not location_note:
        raise HazardError(_("请选择隐患地点，或填写具体位置。"))
    if repair is not None and repair.school_id != school.pk:
        raise HazardError(_("关联的报修单不属于本校。"))
    if (owner is not None or deadline is not None) and not _is_manager(by):
        raise HazardError(_("只有隐患管理员可以指派整改责任人。"))
    if deadline is not None and owner is None:
        raise HazardError(_("填写整改期限时请同时选择整改责任人。"))
    if owner is not None:
        _check_owner(owner, school)

    with transaction.atomic():
        hazard = Hazard.objects.create(
            school=school,
            number=_next_number(school, now),
            title=title,
            detail=detail,
            place=place,
            location_note=location_note,
            domain=domain,
            grade=grade,
            source=source,
            status=Status.REPORTED,
            reported_by=by,
            reported_at=now,
            repair=repair,
        )
        _event(
            hazard,
            Action.REPORT,
            by,
            to_status=Status.REPORTED,
            note=hazard.get_source_display(),
            at=now,
        )
        _attach(hazard, photos, by, "found")
        if owner is not None:
            _assign(hazard, by=by, owner=owner, deadline=deadline, note="", now=now)
        else:
            _notify(
                managers_of(school, _campus_id(hazard)),
                event=EVENT_NEW,
                title=_("新的隐患待指派：%(label)s") % {"label": _label(hazard)},
                body="\n".join(filter(None, [_where(hazard), hazard.detail])),
                hazard=hazard,
                exclude=by,
            )
        if hazard.is_major:
            _tell_principal(hazard, by, _("%(name)s上报了重大隐患。") % {"name": by.name})
    return hazard


def _assign(hazard, *, by, owner, deadline, note, now):
    """Set the owner and deadline of a locked (or new) hazard → 整改中."""
    _check_owner(owner, hazard.school)
    today = timezone.localdate(now)
    if deadline is None:
        deadline = default_deadline(hazard, today)
    elif deadline < today and deadline != hazard.deadline:
        raise HazardError(_("整改期限不能早于今天。"))
    if (
        hazard.status == Status.RECTIFYING
        and owner.pk == hazard.owner_id
        and deadline == hazard.deadline
    ):
        raise HazardError(_("这条隐患已指派给%(name)s，期限未变。") % {"name": owner.name})
    previous_owner = hazard.owner
    if deadline != hazard.deadline:
        hazard.escalation_level = 0
    hazard.owner = owner
    hazard.deadline = deadline
    hazard.assigned_at = now
    due = _("期限 %(date)s") % {"date": f"{deadline:%Y-%m-%d}"} if deadline else _("期限按整改方案")
    note = (note or "").strip()
    _move(
        hazard,
        Status.RECTIFYING,
        Action.ASSIGN,
        by,
        note="，".join(filter(None, [owner.name, str(due), note])),
        at=now,
    )
    body = [_where(hazard), str(due), note]
    if hazard.is_major and _plan_of(hazard) is None:
        body.append(_("这是重大隐患：请先填写整改方案（目标、措施、资金、人员、时限、应急预案）。"))
    _notify(
        [owner],
        event=EVENT_ASSIGNED,
        title=_("请整改隐患：%(label)s") % {"label": _label(hazard)},
        body="\n".join(filter(None, body)),
        hazard=hazard,
        exclude=by,
    )
    if previous_owner is not None and previous_owner.pk != owner.pk:
        _notify(
            [previous_owner],
            event=EVENT_PROGRESS,
            title=_("隐患已改由%(name)s整改：%(label)s")
            % {"name": owner.name, "label": _label(hazard)},
            hazard=hazard,
            exclude=by,
        )


def hazard_assign(hazard, *, by, owner, deadline, note="", now=None):
    """A manager names the owner (整改责任人) and the deadline → 整改中; also to reassign
    or move the deadline. No deadline: the grade's default."""
    now = _now(now)
    with transaction.atomic():
        locked = _lock(hazard, by)
        if not _is_manager(by):
            raise HazardError(_("只有隐患管理员可以指派整改。"))
        if locked.status not in TO_FIX_STATUSES:
            _refuse_status(locked, _("指派整改"))
        _assign(locked, by=by, owner=owner, deadline=deadline, note=note, now=now)
    return _sync(hazard, locked)


def hazard_regrade(hazard, *, by, grade, note, now=None):
    """A manager changes the grade, with a reason. To 重大: the principal is told and the
    owner must write the plan before rectifying."""
    now = _now(now)
    with transaction.atomic():
        locked = _lock(hazard, by)
        if not _is_manager(by):
            raise HazardError(_("只有隐患管理员可以调整隐患等级。"))
        if locked.status not in OPEN_STATUSES:
            _refuse_status(locked, _("调整等级"))
        if grade not in Grade.values:
            raise HazardError(_("请选择隐患等级。"))
        if grade == locked.grade:
            raise HazardError(_("隐患等级没有变化。"))
        note = _required(note, _("请写明调整等级的原因。"))
        before = locked.get_grade_display()
        locked.grade = grade
        if (
            grade == Grade.GENERAL
            and locked.status == Status.RECTIFYING
            and locked.deadline is None
        ):
            locked.deadline = default_deadline(locked, timezone.localdate(now))
        locked.save()
        change = f"{before} → {locked.get_grade_display()}"
        _event(
            locked,
            Action.REGRADE,
            by,
            from_status=locked.status,
            to_status=locked.status,
            note=f"{change}：{note}",
            at=now,
        )
        if locked.is_major:
            _tell_principal(
                locked,
                by,
                _("%(name)s将隐患调整为重大隐患：%(note)s") % {"name": by.name, "note": note},
            )
        body = [note]
        if locked.is_major and _plan_of(locked) is None:
            body.append(_("请先填写整改方案，再登记整改。"))
        _notify(
            [locked.owner],
            event=EVENT_PROGRESS,
            title=_("隐患等级已调整为%(grade)s：%(label)s")
            % {"grade": locked.get_grade_display(), "label": _label(locked)},
            body="\n".join(body),
            hazard=locked,
            exclude=by,
        )
    return _sync(hazard, locked)


def hazard_save_plan(hazard, *, by, goal, measures, funds, people, deadline, emergency_plan):
    """Write or change the 重大隐患 plan (owner or manager). Its 完成时限 becomes the
    hazard's deadline."""
    now = timezone.now()
    with transaction.atomic():
        locked = _lock(hazard, by)
        if not (by.pk == locked.owner_id or _is_manager(by)):
            raise HazardError(_("只有整改责任人或隐患管理员可以填写整改方案。"))
        if not locked.is_major:
            raise HazardError(_("只有重大隐患需要填写整改方案。"))
        if locked.status not in TO_FIX_STATUSES:
            _refuse_status(locked, _("填写整改方案"))
        plan = _plan_of(locked)
        values = {
            "goal": _required(goal, _("请填写整改目标。"), 5000),
            "measures": _required(measures, _("请填写整改措施。"), 5000),
            "funds": _money(funds),
            "people": _required(people, _("请填写责任人员。"), 200),
            "emergency_plan": _required(emergency_plan, _("请填写应急预案和临时防范措施。"), 5000),
        }
        if deadline is None:
            raise HazardError(_("请填写完成时限。"))
        if deadline < timezone.localdate(now) and (plan is None or deadline != plan.deadline):
            raise HazardError(_("完成时限不能早于今天。"))
        if plan is None:
            plan = HazardPlan(hazard=locked)
        for name, value in values.items():
            setattr(plan, name, value)
        plan.deadline = deadline
        plan.written_by = by.user
        plan.save()
        locked.plan = plan
        if locked.deadline != deadline:
            locked.deadline = deadline
            locked.escalation_level = 0
            locked.save()
        _event(
            locked,
            Action.PLAN,
            by,
            from_status=locked.status,
            to_status=locked.status,
            note=_("完成时限 %(date)s，整改资金 %(funds)s 元")
            % {"date": f"{deadline:%Y-%m-%d}", "funds": plan.funds},
            at=now,
        )
        _notify(
            [*managers_of(locked.school, _campus_id(locked)), locked.owner],
            event=EVENT_PROGRESS,
            title=_("重大隐患整改方案已填写：%(label)s") % {"label": _label(locked)},
            body=plan.measures,
            hazard=locked,
            exclude=by,
        )
    return _sync(hazard, locked)


def hazard_to_repair(hazard, *, by, category, description, urgency, now=None):
    """Create the repair request that fixes it; the hazard cannot be rectified or
    verified while that repair is open. Returns the repair."""
    now = _now(now)
    with transaction.atomic():
        locked = _lock(hazard, by)
        if not (by.pk == locked.owner_id or _is_manager(by)):
            raise HazardError(_("只有整改责任人或隐患管理员可以转报修。"))
        if locked.status not in TO_FIX_STATUSES:
            _refuse_status(locked, _("转报修"))
        if locked.place_id is None:
            raise HazardError(_("隐患没有登记地点，不能转报修。"))
        _check_repair_done(locked, _("已有未修好的报修单 %(number)s，不能再转报修。"))
        try:
            repair = repair_services.report(
                by=by,
                place=locked.place,
                category=category,
                urgency=urgency,
                description=(description or "").strip() or locked.title[:500],
                now=now,
            )
        except repair_services.RepairError as error:
            raise HazardError(str(error)) from None
        locked.repair = repair
        locked.save()
        _event(
            locked,
            Action.REPAIR,
            by,
            from_status=locked.status,
            to_status=locked.status,
            note=_("报修单 %(number)s") % {"number": repair.number},
            at=now,
        )
    _sync(hazard, locked)
    return repair


# --- rectifying and verifying --------------------------------------------------------


def hazard_rectify(hazard, *, by, note, photos=(), now=None):
    """The owner (or a manager) has fixed it, with a note and "after" photos → 待验证;
    the managers are asked to verify. A manager may fix an unassigned hazard at once."""
    now = _now(now)
    with transaction.atomic():
        locked = _lock(hazard, by)
        manager = _is_manager(by)
        if not (by.pk == locked.owner_id or manager):
            raise HazardError(_("只有整改责任人或隐患管理员可以登记整改。"))
        if not (
            locked.status == Status.RECTIFYING or (locked.status == Status.REPORTED and manager)
        ):
            _refuse_status(locked, _("登记整改完成"))
        if locked.is_major and _plan_of(locked) is None:
            raise HazardError(_("重大隐患须先填写整改方案，才能登记整改。"))
        _check_repair_done(locked, _("关联的报修单 %(number)s 还没有修好，修好后才能登记整改。"))
        note = _required(note, _("请写明整改情况。"), 5000)
        locked.rectification = note
        locked.rectified_by = by
        locked.rectified_at = now
        if locked.owner_id is None:
            locked.owner = by
            locked.assigned_at = now
        _move(locked, Status.RECTIFIED, Action.RECTIFY, by, note=note, at=now)
        _attach(locked, photos, by, "after")
        _notify(
            managers_of(locked.school, _campus_id(locked)),
            event=EVENT_RECTIFIED,
            title=_("隐患已整改，请验证：%(label)s") % {"label": _label(locked)},
            body=_("%(name)s：%(note)s") % {"name": by.name, "note": note},
            hazard=locked,
            exclude=by,
        )
    return _sync(hazard, locked)


def place_is_covered(place) -> bool:
    """A working, active camera covers the place (closes a blind spot)."""
    if place is None:
        return False
    return Camera.objects.filter(
        school_id=place.school_id,
        covers=place,
        is_active=True,
        status=Camera.CameraStatus.WORKING,
    ).exists()


def hazard_verify(hazard, *, by, passed, note, photos=(), now=None):
    """Passed → 已销号 (never by the person who rectified it); failed → 整改中 again,
    reopen_count + 1, the owner told."""
    now = _now(now)
    with transaction.atomic():
        locked = _lock(hazard, by)
        if not _is_manager(by):
            raise HazardError(_("只有隐患管理员可以验证销号。"))
        if locked.status != Status.RECTIFIED:
            _refuse_status(locked, _("验证"))
        if by.pk == locked.rectified_by_id:
            raise HazardError(_("整改人不能验证自己的整改，请由其他管理员验证。"))
        note = (note or "").strip()[:500]
        if passed:
            _check_repair_done(locked, _("关联的报修单 %(number)s 还没有修好，不能销号。"))
            if locked.source == Source.BLIND_SPOT and not place_is_covered(locked.place):
                raise HazardError(_("该场所还没有正常工作的摄像头覆盖，监控盲区不能销号。"))
            locked.status = Status.CLOSED
            locked.verified_by = by
            locked.verified_at = now
            locked.verification_note = note
            locked.closed_at = now
            locked.save()
            _event(
                locked,
                Action.VERIFY_PASS,
                by,
                from_status=Status.RECTIFIED,
                to_status=locked.status,
                note=note,
                at=now,
            )
            _notify(
                [locked.owner, locked.rectified_by, locked.reported_by],
                event=EVENT_PROGRESS,
                title=_("隐患已验证销号：%(label)s") % {"label": _label(locked)},
                body=note,
                hazard=locked,
                exclude=by,
            )
        else:
            if not note:
                raise HazardError(_("请写明哪里没有整改到位。"))
            locked.status = Status.RECTIFYING
            locked.reopen_count += 1
            locked.verification_note = note
            locked.save()
            _event(
                locked,
                Action.VERIFY_FAIL,
                by,
                from_status=Status.RECTIFIED,
                to_status=locked.status,
                note=note,
                at=now,
            )
            _notify(
                [locked.owner or locked.rectified_by],
                event=EVENT_VERIFY_FAILED,
                title=_("隐患验证未通过，请重新整改：%(label)s") % {"label": _label(locked)},
                body=note,
                hazard=locked,
                exclude=by,
            )
        _attach(locked, photos, by, "verify")
    return _sync(hazard, locked)


def hazard_void(hazard, *, by, reason, now=None):
    """A manager voids a hazard reported by mistake or twice (nothing is deleted)."""
    now = _now(now)
    with transaction.atomic():
        locked = _lock(hazard, by)
        if not _is_manager(by):
            raise HazardError(_("只有隐患管理员可以作废隐患。"))
        if locked.status not in OPEN_STATUSES:
            _refuse_status(locked, _("作废"))
        reason = _required(reason, _("请填写作废原因。"), 200)
        locked.void_reason = reason
        _move(locked, Status.VOID, Action.VOID, by, note=reason, at=now)
        _notify(
            [locked.owner, locked.reported_by],
            event=EVENT_PROGRESS,
            title=_("隐患已作废：%(label)s") % {"label": _label(locked)},
            body=reason,
            hazard=locked,
            exclude=by,
        )
    return _sync(hazard, locked)


# --- scheduled: overdue escalation ---------------------------------------------------


def overdue_level(hazard, today):
    """0; 1 past the deadline; 2 past it by more than ``LEVEL_TWO_DAYS`` days."""
    if hazard.status not in TO_FIX_STATUSES or hazard.deadline is None:
        return 0
    if today <= hazard.deadline:
        return 0
    return 2 if today > hazard.deadline + timedelta(days=LEVEL_TWO_DAYS) else 1


def escalate_overdue(now=None) -> int:
    """Overdue open hazards: level 1 tells the logistics managers, level 2 (3 days later)
    the principal. Idempotent: a conditional update claims each step, so a second
    heartbeat, or a second scheduler machine, tells nobody twice. Returns how many were
    escalated."""
    now = _now(now)
    today = timezone.localdate(now)
    candidates = (
        Hazard.objects.filter(
            status__in=TO_FIX_STATUSES, deadline__lt=today, escalation_level__lt=2
        )
        .select_related("school", "place", "owner")
        .order_by("school_id", "pk")
    )
    count = 0
    for hazard in candidates:
        level = overdue_level(hazard, today)
        if level > hazard.escalation_level and _escalate(hazard, level, now, today):
            count += 1
    return count


def _escalate(hazard, level, now, today):
    previous = hazard.escalation_level
    with transaction.atomic():
        claimed = Hazard.objects.filter(
            pk=hazard.pk,
            escalation_level=previous,
            status=hazard.status,
            deadline=hazard.deadline,
        ).update(escalation_level=level, updated_at=timezone.now())
        if not claimed:
            return False
        hazard.escalation_level = level
        days = (today - hazard.deadline).days
        managers = managers_of(hazard.school, _campus_id(hazard)) if previous < 1 else []
        principals = principals_of(hazard.school) if level >= 2 else []
        names = "、".join(dict.fromkeys(p.name for p in [*managers, *principals]))
        _event(
            hazard,
            Action.ESCALATE,
            None,
            from_status=hazard.status,
            to_status=hazard.status,
            note=_("超过整改期限 %(days)s 天，第 %(level)s 级督办：%(names)s")
            % {"days": days, "level": level, "names": names or _("无人可通知")},
            at=now,
        )
        owner = hazard.owner.name if hazard.owner_id else _("未指派")
        _notify(
            [*managers, *principals],
            event=EVENT_OVERDUE,
            title=_("隐患超期督办：%(label)s（超期 %(days)s 天）")
            % {"label": _label(hazard), "days": days},
            body=_("整改责任人：%(owner)s；整改期限：%(date)s")
            % {"owner": owner, "date": f"{hazard.deadline:%Y-%m-%d}"},
            hazard=hazard,
        )
        if previous < 1 and hazard.owner_id:
            _notify(
                [hazard.owner],
                event=EVENT_OVERDUE,
                title=_("隐患已超过整改期限，请尽快整改：%(label)s") % {"label": _label(hazard)},
                hazard=hazard,
            )
    return True
