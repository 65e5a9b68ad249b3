"""Every change to a repair request goes through here (the views never set ``status``).

Each function runs in ``transaction.atomic`` with ``select_for_update`` on the request,
checks who may do it (``RepairError`` with a Chinese message otherwise), writes one
``RepairEvent`` and tells the people concerned through ``notify()``.

``by`` is always the acting ``Staff``; ``now`` defaults to ``timezone.now()``. The
functions that take a request update the object passed in and return it.
"""

import difflib
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.accounts.roles import Position, permissions_for
from houqin.core import workflow
from houqin.org.models import School
from houqin.repairs import deadlines
from houqin.repairs.models import (
    OPEN_STATUSES,
    WORKING_STATUSES,
    Category,
    DispatchRule,
    RepairEvent,
    RepairRequest,
    Status,
    Urgency,
)

Action = RepairEvent.Action

# Notification events (registered in apps.py).
EVENT_NEW = "repairs.new"
EVENT_ASSIGNED = "repairs.assigned"
EVENT_PROGRESS = "repairs.progress"
EVENT_DONE = "repairs.done"
EVENT_OVERDUE = "repairs.overdue"

# Before work starts: the reporter may still cancel, the response deadline counts.
NOT_STARTED = [Status.SUBMITTED, Status.ASSIGNED]


class RepairError(Exception):
    """A refused action; ``str(error)`` is the Chinese message to show."""


# --- helpers -------------------------------------------------------------------------


_now = workflow.now_or


def _url(repair):
    try:
        return repair.get_absolute_url()
    except NoReverseMatch:  # the screens are not wired yet
        return ""


def _refuse_status(repair, action_label):
    message = _("报修单当前为“%(status)s”，不能%(action)s。")
    workflow.refuse_status(repair, message, action_label, error=RepairError)


_can = workflow.can


def _is_manager(by):
    return _can(by, "repairs.manage")


def _is_follower(repair, by):
    return repair.followers.filter(pk=by.pk).exists()


def _check_school(repair, by):
    if by is None or by.school_id != repair.school_id:
        raise RepairError(_("这不是本校的报修单。"))


def _lock(repair, by=None):
    """The request locked for update (fresh from the database)."""
    if by is not None:
        _check_school(repair, by)
    return (
        RepairRequest.objects.select_for_update()
        .select_related("place", "school")
        .get(pk=repair.pk)
    )


def _sync(target, source):
    """Copy the saved values back to the caller's object."""
    return workflow.copy_saved(target, source, ("assignee", "vendor", "responsible_class"))


_event = RepairEvent.record
_move = RepairEvent.move


def _notify(recipients, *, event, title, body="", repair):
    return workflow.notify_people(
        recipients, event=event, title=title, body=body, url=_url(repair), school=repair.school
    )


def _label(repair):
    return f"{repair.number} {repair.place.full_name}"


_holders = workflow.holders
positions_with = workflow.positions_with


def managers_of(school, campus_id=None):
    """Who dispatches (holders of ``repairs.manage``: the logistics managers)."""
    return _holders(school, positions_with("repairs.manage"), campus_id=campus_id)


def vice_principals_in_charge(school):
    """The vice principal whose charge includes 后勤, else every vice principal, else the
    principal."""
    return (
        _holders(school, [Position.VICE_PRINCIPAL], charge="后勤")
        or _holders(school, [Position.VICE_PRINCIPAL])
        or _holders(school, [Position.PRINCIPAL])
    )


def is_worker(staff, school):
    """An active staff member of ``school`` who holds ``repairs.work``."""
    return (
        staff is not None
        and staff.is_active
        and staff.school_id == school.pk
        and "repairs.work" in permissions_for(staff.positions)
    )


def _money(value, label):
    return workflow.parse_money(
        value,
        error=RepairError,
        invalid=_("%(label)s不是有效的金额。") % {"label": label},
        negative=_("%(label)s不能为负数。") % {"label": label},
        too_large=_("%(label)s金额过大。") % {"label": label},
    )


def _required_note(note, message):
    return workflow.required_text(note, message, error=RepairError)


def _rating(rating):
    try:
        value = int(rating)
    except (TypeError, ValueError):
        raise RepairError(_("评分须为 1 到 5 星。")) from None
    if not 1 <= value <= 5 or str(rating).strip() not in {str(value), f"{value}.0"}:
        raise RepairError(_("评分须为 1 到 5 星。"))
    return value


def _attach(repair, photos, by, role):
    return workflow.attach_photos(repair, photos, by=by, role=role, error=RepairError)


def _next_number(school, now):
    """BX + local date + a 3-digit sequence of that school's day: BX20260305001."""
    School.objects.select_for_update().filter(pk=school.pk).first()
    prefix = "BX" + timezone.localtime(now).strftime("%Y%m%d")
    return workflow.next_number(RepairRequest.objects.filter(school=school), prefix, 3)


def _rule_for(school, category, campus_id):
    """The school's dispatch rule for the category, the campus's own first; rules whose
    worker left or whose vendor is archived are skipped."""
    rules = (
        DispatchRule.objects.filter(school=school, category=category)
        .filter(Q(campus_id=campus_id) | Q(campus__isnull=True))
        .select_related("assignee", "vendor")
    )
    # The campus's own rule first, then the school-wide one.
    for rule in sorted(rules, key=lambda r: r.campus_id is None):
        assignee = rule.assignee if is_worker(rule.assignee, school) else None
        vendor = rule.vendor if rule.vendor and rule.vendor.is_active else None
        if assignee or vendor:
            return assignee, vendor
    return None, None


# --- reporting -----------------------------------------------------------------------


def similar_open_requests(school, *, place, description="", limit=5):
    """Open requests for the same place, most similar description first (shown before
    submitting so a teacher can join one instead of filing a duplicate). Each request
    carries ``similarity`` (0–1)."""
    if place is None:
        return []
    candidates = list(
        RepairRequest.objects.filter(school=school, place=place, status__in=OPEN_STATUSES)
        .select_related("place", "reporter", "assignee")
        .order_by("-reported_at", "-pk")[:50]
    )
    text = (description or "").strip()
    for repair in candidates:
        repair.similarity = (
            difflib.SequenceMatcher(None, text, repair.description).ratio() if text else 0.0
        )
    candidates.sort(key=lambda r: (-r.similarity, -r.reported_at.timestamp(), -r.pk))
    return candidates[:limit]


def report(*, by, place, category, urgency, description, photos=(), asset=None, now=None):
    """A new request: number, deadlines from ``deadlines.py``, auto-dispatch by the
    school's DispatchRule, photos attached with role "report"; ``asset`` is the card it
    was reported from (its label). Returns the request."""
    now = _now(now)
    if by is None or by.school_id is None or not _can(by, "repairs.report"):
        raise RepairError(_("你没有报修的权限。"))
    if place is None:
        raise RepairError(_("请选择报修地点。"))
    if place.school_id != by.school_id:
        raise RepairError(_("报修地点不属于本校。"))
    if not place.is_active:
        raise RepairError(_("该场所已停用，不能报修。"))
    if category not in Category.values:
        raise RepairError(_("请选择维修类别。"))
    if urgency not in Urgency.values:
        raise RepairError(_("请选择紧急程度。"))
    description = (description or "").strip()
    if not description:
        raise RepairError(_("请写一句故障描述。"))
    if len(description) > 500:
        raise RepairError(_("故障描述最多 500 字。"))

    school = by.school
    if asset is not None and asset.school_id != school.pk:
        raise RepairError(_("没有找到这件资产。"))
    with transaction.atomic():
        number = _next_number(school, now)
        response_due, completion_due = deadlines.due_dates(school, urgency, category, now)
        repair = RepairRequest.objects.create(
            school=school,
            number=number,
            place=place,
            asset=asset,
            category=category,
            urgency=urgency,
            description=description,
            reporter=by,
            reported_at=now,
            response_due=response_due,
            completion_due=completion_due,
        )
        _event(repair, Action.REPORT, by, to_status=Status.SUBMITTED, at=now)
        _attach(repair, photos, by, "report")

        assignee, vendor = _rule_for(school, category, place.campus_id)
        if assignee or vendor:
            repair.assignee, repair.vendor = assignee, vendor
            repair.status = Status.ASSIGNED if assignee else Status.OUTSOURCED
            repair.assigned_at = now
            repair.save()
            _event(
                repair,
                Action.AUTO_ASSIGN,
                None,
                from_status=Status.SUBMITTED,
                to_status=repair.status,
                note=str(assignee or vendor),
                at=now,
            )
        title_args = {"label": _label(repair), "category": repair.get_category_display()}
        if assignee:
            _notify(
                [assignee],
                event=EVENT_ASSIGNED,
                title=_("新的维修单：%(label)s（%(category)s）") % title_args,
                body=description,
                repair=repair,
            )
        else:
            title = (
                _("报修已自动派给%(vendor)s，请联系维修单位：%(label)s")
                % {**title_args, "vendor": vendor}
                if vendor
                else _("新的报修待派单：%(label)s（%(category)s）") % title_args
            )
            _notify(
                managers_of(school, place.campus_id),
                event=EVENT_NEW,
                title=title,
                body=description,
                repair=repair,
            )
    return repair


def join(request, *, by, note=""):
    """Add ``by`` as a follower of an open request (同时报修) instead of a duplicate."""
    with transaction.atomic():
        repair = _lock(request, by)
        if not _can(by, "repairs.report"):
            raise RepairError(_("你没有报修的权限。"))
        if repair.status not in OPEN_STATUSES:
            _refuse_status(repair, _("同时报修"))
        if by.pk == repair.reporter_id:
            raise RepairError(_("这是你自己报的修，无需再次报修。"))
        if _is_follower(repair, by):
            raise RepairError(_("你已经加入了这张报修单。"))
        repair.followers.add(by)
        _event(
            repair,
            Action.JOIN,
            by,
            from_status=repair.status,
            to_status=repair.status,
            note=(note or "").strip(),
        )
    return _sync(request, repair)


# --- dispatch and work ---------------------------------------------------------------


def assign(request, *, by, assignee=None, vendor=None, note="", now=None):
    """Manager (repairs.manage) assigns a worker (repairs.work holder) or a vendor;
    also used to reassign. Status → assigned (or outsourced for a vendor only)."""
    now = _now(now)
    with transaction.atomic():
        repair = _lock(request, by)
        if not _is_manager(by):
            raise RepairError(_("只有后勤管理员可以派单。"))
        if repair.status not in OPEN_STATUSES:
            _refuse_status(repair, _("派单"))
        if assignee is None and vendor is None:
            raise RepairError(_("请选择维修人员或维修单位。"))
        if assignee is not None and not is_worker(assignee, repair.school):
            raise RepairError(
                _("%(name)s不是本校在岗的维修人员。") % {"name": getattr(assignee, "name", "")}
            )
        if vendor is not None and (vendor.school_id != repair.school_id or not vendor.is_active):
            raise RepairError(_("请选择本校在用的维修单位。"))
        if (
            assignee is not None
            and assignee.pk == repair.assignee_id
            and vendor is None
            and repair.status == Status.ASSIGNED
        ):
            raise RepairError(_("这张报修单已派给%(name)s。") % {"name": assignee.name})
        previous_assignee = repair.assignee
        repair.assignee = assignee
        repair.vendor = vendor
        repair.assigned_at = now
        target = "、".join(str(x) for x in (assignee, vendor) if x is not None)
        note = (note or "").strip()
        _move(
            repair,
            Status.ASSIGNED if assignee else Status.OUTSOURCED,
            Action.ASSIGN,
            by,
            note=f"{target}：{note}" if note else target,
            at=now,
        )
        if assignee is not None:
            _notify(
                [assignee],
                event=EVENT_ASSIGNED,
                title=_("新的维修单：%(label)s（%(category)s）")
                % {"label": _label(repair), "category": repair.get_category_display()},
                body="\n".join(filter(None, [repair.description, note])),
                repair=repair,
            )
        if previous_assignee is not None and previous_assignee.pk != getattr(assignee, "pk", None):
            _notify(
                [previous_assignee],
                event=EVENT_PROGRESS,
                title=_("维修单已改派他人：%(label)s") % {"label": _label(repair)},
                repair=repair,
            )
    return _sync(request, repair)


def _check_assignee_or_manager(repair, by, message):
    if by.pk == repair.assignee_id or _is_manager(by):
        return
    raise RepairError(message)


def accept(request, *, by, now=None):
    """The assignee accepts (接单): assigned → accepted. The response deadline is met;
    escalation starts again from 0 for the completion deadline."""
    now = _now(now)
    with transaction.atomic():
        repair = _lock(request, by)
        if by.pk != repair.assignee_id:
            raise RepairError(_("只有被派单的维修人员可以接单。"))
        if repair.status != Status.ASSIGNED:
            _refuse_status(repair, _("接单"))
        repair.status = Status.ACCEPTED
        repair.accepted_at = repair.accepted_at or now
        repair.escalation_level = 0
        repair.save()
        _event(
            repair, Action.ACCEPT, by, from_status=Status.ASSIGNED, to_status=repair.status, at=now
        )
        _notify(
            [repair.reporter, *repair.followers.all()],
            event=EVENT_PROGRESS,
            title=_("%(name)s已接单：%(label)s") % {"name": by.name, "label": _label(repair)},
            repair=repair,
        )
    return _sync(request, repair)


def start(request, *, by, now=None):
    """accepted/waiting_parts/outsourced → in_progress."""
    now = _now(now)
    with transaction.atomic():
        repair = _lock(request, by)
        _check_assignee_or_manager(repair, by, _("只有维修人员可以开始维修。"))
        allowed = [Status.ACCEPTED, Status.WAITING_PARTS, Status.OUTSOURCED]
        if repair.status not in allowed:
            _refuse_status(repair, _("开始维修"))
        repair.started_at = repair.started_at or now
        _move(repair, Status.IN_PROGRESS, Action.START, by, at=now)
    return _sync(request, repair)


def wait_for_parts(request, *, by, note, now=None):
    """in_progress/accepted → waiting_parts (note says what is needed)."""
    now = _now(now)
    with transaction.atomic():
        repair = _lock(request, by)
        _check_assignee_or_manager(repair, by, _("只有维修人员可以登记等待配件。"))
        if repair.status not in (Status.IN_PROGRESS, Status.ACCEPTED):
            _refuse_status(repair, _("登记等待配件"))
        note = _required_note(note, _("请写明需要什么配件。"))
        _move(repair, Status.WAITING_PARTS, Action.WAIT_PARTS, by, note=note, at=now)
        _notify(
            [repair.reporter, *managers_of(repair.school, repair.place.campus_id)],
            event=EVENT_PROGRESS,
            title=_("维修等待配件：%(label)s") % {"label": _label(repair)},
            body=note,
            repair=repair,
        )
    return _sync(request, repair)


def outsource(request, *, by, vendor=None, note, now=None):
    """The worker (or manager) hands it to an outside vendor → outsourced."""
    now = _now(now)
    with transaction.atomic():
        repair = _lock(request, by)
        _check_assignee_or_manager(repair, by, _("只有维修人员或后勤管理员可以委外维修。"))
        allowed = [Status.ASSIGNED, Status.ACCEPTED, Status.IN_PROGRESS, Status.WAITING_PARTS]
        if repair.status not in allowed:
            _refuse_status(repair, _("委外维修"))
        if vendor is not None and (vendor.school_id != repair.school_id or not vendor.is_active):
            raise RepairError(_("请选择本校在用的维修单位。"))
        note = _required_note(note, _("请写明委外的原因。"))
        if vendor is not None:
            repair.vendor = vendor
        said = f"{vendor}：{note}" if vendor else note
        _move(repair, Status.OUTSOURCED, Action.OUTSOURCE, by, note=said, at=now)
        if not _is_manager(by):
            _notify(
                managers_of(repair.school, repair.place.campus_id),
                event=EVENT_PROGRESS,
                title=_("维修需委外：%(label)s") % {"label": _label(repair)},
                body=note,
                repair=repair,
            )
    return _sync(request, repair)


def _apply_damage(repair, damaged_by_students, responsible_class, responsible_person):
    responsible_person = (responsible_person or "").strip()[:50]
    if damaged_by_students:
        if responsible_class is not None and responsible_class.school_id != repair.school_id:
            raise RepairError(_("责任班级不属于本校。"))
        if responsible_class is None and not responsible_person:
            raise RepairError(_("学生损坏须填写责任班级或责任人。"))
        repair.damaged_by_students = True
        repair.responsible_class = responsible_class
        repair.responsible_person = responsible_person
    else:
        repair.damaged_by_students = False
        repair.responsible_class = None
        repair.responsible_person = ""


def finish(
    request,
    *,
    by,
    note,
    photos=(),
    labour_cost=None,
    parts_cost=None,
    vendor_cost=None,
    damaged_by_students=False,
    responsible_class=None,
    responsible_person="",
    now=None,
):
    """Done (维修完成) with photos (role "done"), a note and costs → done; the reporter is
    asked to confirm. Costs left ``None`` keep their recorded value."""
    now = _now(now)
    with transaction.atomic():
        repair = _lock(request, by)
        _check_assignee_or_manager(repair, by, _("只有维修人员可以登记维修完成。"))
        if repair.status not in WORKING_STATUSES:
            _refuse_status(repair, _("登记维修完成"))
        note = _required_note(note, _("请写一句维修说明。"))
        for field, value, label in (
            ("labour_cost", labour_cost, _("人工费")),
            ("parts_cost", parts_cost, _("材料费")),
            ("vendor_cost", vendor_cost, _("外包费")),
        ):
            if value is not None and value != "":
                setattr(repair, field, _money(value, label))
        _apply_damage(repair, damaged_by_students, responsible_class, responsible_person)
        repair.done_at = now
        repair.done_note = note
        repair.started_at = repair.started_at or now
        _move(repair, Status.DONE, Action.DONE, by, note=note, at=now)
        _attach(repair, photos, by, "done")
        _notify(
            [repair.reporter, *repair.followers.all()],
            event=EVENT_DONE,
            title=_("维修完成，请确认：%(label)s") % {"label": _label(repair)},
            body=note,
            repair=repair,
        )
    return _sync(request, repair)


# --- closing the loop ----------------------------------------------------------------


def _check_reporter_or_follower(repair, by, message):
    if by.pk == repair.reporter_id or _is_follower(repair, by):
        return
    raise RepairError(message)


def confirm(request, *, by, rating=None, comment="", now=None):
    """The reporter (or a follower) confirms the fix → closed, optionally rating 1–5
    (the rating and comment are the reporter's only)."""
    now = _now(now)
    with transaction.atomic():
        repair = _lock(request, by)
        _check_reporter_or_follower(repair, by, _("只有报修人可以确认修好。"))
        if repair.status != Status.DONE:
            _refuse_status(repair, _("确认修好"))
        if rating not in (None, "") and by.pk == repair.reporter_id:
            repair.rating = _rating(rating)
            repair.rating_comment = (comment or "").strip()[:300]
        repair.status = Status.CLOSED
        repair.closed_at = now
        repair.auto_confirmed = False
        repair.save()
        stars = _("%(n)s 星") % {"n": repair.rating} if repair.rating else ""
        _event(
            repair,
            Action.CONFIRM,
            by,
            from_status=Status.DONE,
            to_status=repair.status,
            note=" ".join(filter(None, [stars, repair.rating_comment])),
            at=now,
        )
        _notify(
            [repair.assignee],
            event=EVENT_PROGRESS,
            title=_("报修人已确认修好：%(label)s") % {"label": _label(repair)},
            body=stars,
            repair=repair,
        )
    return _sync(request, repair)


def reopen(request, *, by, note, now=None):
    """The reporter says it is not fixed → assigned again to the same assignee (to the
    vendor, outsourced, when only a vendor had it; to the queue when nobody), reopen_count
    + 1, new response and completion deadlines from now, escalation back to 0."""
    now = _now(now)
    with transaction.atomic():
        repair = _lock(request, by)
        _check_reporter_or_follower(repair, by, _("只有报修人可以要求返修。"))
        if repair.status != Status.DONE:
            _refuse_status(repair, _("返修"))
        note = _required_note(note, _("请写明哪里没有修好。"))
        if repair.assignee_id and is_worker(repair.assignee, repair.school):
            repair.status = Status.ASSIGNED
        elif repair.vendor_id:
            repair.status = Status.OUTSOURCED
        else:
            repair.status = Status.SUBMITTED
            repair.assignee = None
        repair.reopen_count += 1
        repair.done_at = None
        repair.escalation_level = 0
        repair.response_due, repair.completion_due = deadlines.due_dates(
            repair.school, repair.urgency, repair.category, now
        )
        repair.save()
        _event(
            repair,
            Action.REOPEN,
            by,
            from_status=Status.DONE,
            to_status=repair.status,
            note=note,
            at=now,
        )
        title = _("报修未修好，需返修：%(label)s") % {"label": _label(repair)}
        if repair.status == Status.ASSIGNED:
            _notify([repair.assignee], event=EVENT_ASSIGNED, title=title, body=note, repair=repair)
        else:
            _notify(
                managers_of(repair.school, repair.place.campus_id),
                event=EVENT_NEW,
                title=title,
                body=note,
                repair=repair,
            )
    return _sync(request, repair)


def rate(request, *, by, rating, comment=""):
    """Rate (or change the rating of) a closed request; reporter only."""
    with transaction.atomic():
        repair = _lock(request, by)
        if by.pk != repair.reporter_id:
            raise RepairError(_("只有报修人可以评价。"))
        if repair.status != Status.CLOSED:
            _refuse_status(repair, _("评价"))
        repair.rating = _rating(rating)
        repair.rating_comment = (comment or "").strip()[:300]
        repair.save()
        _event(
            repair,
            Action.RATE,
            by,
            from_status=repair.status,
            to_status=repair.status,
            note=" ".join(
                filter(None, [_("%(n)s 星") % {"n": repair.rating}, repair.rating_comment])
            ),
        )
    return _sync(request, repair)


def record_costs(
    request,
    *,
    by,
    labour_cost,
    parts_cost,
    vendor_cost,
    damaged_by_students,
    responsible_class=None,
    responsible_person="",
):
    """Manager or assignee records or corrects costs and the student-damage flag."""
    with transaction.atomic():
        repair = _lock(request, by)
        _check_assignee_or_manager(repair, by, _("只有维修人员或后勤管理员可以登记费用。"))
        if repair.status == Status.CANCELLED:
            _refuse_status(repair, _("登记费用"))
        repair.labour_cost = _money(labour_cost, _("人工费"))
        repair.parts_cost = _money(parts_cost, _("材料费"))
        repair.vendor_cost = _money(vendor_cost, _("外包费"))
        _apply_damage(repair, damaged_by_students, responsible_class, responsible_person)
        repair.save()
        parts = [
            _("人工费 %(amount)s 元") % {"amount": repair.labour_cost},
            _("材料费 %(amount)s 元") % {"amount": repair.parts_cost},
            _("外包费 %(amount)s 元") % {"amount": repair.vendor_cost},
        ]
        if repair.damaged_by_students:
            who = "、".join(
                str(x) for x in (repair.responsible_class, repair.responsible_person) if x
            )
            parts.append(_("学生损坏：%(who)s") % {"who": who})
        _event(
            repair,
            Action.COST,
            by,
            from_status=repair.status,
            to_status=repair.status,
            note="；".join(str(p) for p in parts),
        )
    return _sync(request, repair)


def cancel(request, *, by, note, now=None):
    """The reporter (before work starts) or a manager cancels with a reason → cancelled."""
    now = _now(now)
    with transaction.atomic():
        repair = _lock(request, by)
        manager = _is_manager(by)
        if not manager and by.pk != repair.reporter_id:
            raise RepairError(_("只有报修人或后勤管理员可以撤销报修。"))
        if repair.status not in OPEN_STATUSES:
            _refuse_status(repair, _("撤销"))
        if not manager and repair.status not in NOT_STARTED:
            raise RepairError(_("维修人员已接单，请联系后勤管理员撤销。"))
        note = _required_note(note, _("请写明撤销的原因。"))
        _move(repair, Status.CANCELLED, Action.CANCEL, by, note=note, at=now)
        title = _("报修已撤销：%(label)s") % {"label": _label(repair)}
        others = [repair.assignee]
        if by.pk != repair.reporter_id:
            others.append(repair.reporter)
        _notify(
            [p for p in others if p is not None and p.pk != by.pk],
            event=EVENT_PROGRESS,
            title=title,
            body=note,
            repair=repair,
        )
    return _sync(request, repair)


# --- scheduled jobs ------------------------------------------------------------------


def overdue_level(repair, now, clock, targets=None):
    """0, 1 (past a deadline) or 2 (past it by as long again as the target) for an open
    request: the response deadline while nobody has accepted it, and the completion
    deadline always."""
    response_hours, completion_hours = targets or deadlines.targets(
        repair.school, repair.urgency, repair.category
    )
    checks = [(repair.completion_due, completion_hours)]
    if repair.status in NOT_STARTED:
        checks.append((repair.response_due, response_hours))
    level = 0
    for due, hours in checks:
        if now <= due:
            continue
        second = clock.add(due, max(Decimal(hours), Decimal(1)))
        level = max(level, 2 if now >= second else 1)
    return level


def escalate_overdue(now=None):
    """The scheduled job: requests past their response or completion deadline go to
    the logistics manager (level 1), then, past the deadline by as long again, to the
    vice principal in charge (level 2). Idempotent (a conditional update claims each
    step, so two schedulers never tell anyone twice). Returns how many were escalated."""
    now = _now(now)
    candidates = (
        RepairRequest.objects.filter(status__in=OPEN_STATUSES, escalation_level__lt=2)
        .filter(Q(completion_due__lt=now) | Q(status__in=NOT_STARTED, response_due__lt=now))
        .select_related("school", "place", "assignee")
        .order_by("school_id", "pk")
    )
    clocks, target_cache, count = {}, {}, 0
    for repair in candidates:
        clock = clocks.get(repair.school_id)
        if clock is None:
            clock = clocks[repair.school_id] = deadlines.WorkingClock(repair.school)
        key = (repair.school_id, repair.urgency, repair.category)
        if key not in target_cache:
            target_cache[key] = deadlines.targets(repair.school, repair.urgency, repair.category)
        level = overdue_level(repair, now, clock, target_cache[key])
        if level > repair.escalation_level and _escalate(repair, level, now):
            count += 1
    return count


def _escalate(repair, level, now):
    previous = repair.escalation_level
    with transaction.atomic():
        claimed = RepairRequest.objects.filter(
            pk=repair.pk, escalation_level=previous, status=repair.status
        ).update(escalation_level=level, updated_at=timezone.now())
        if not claimed:
            return False
        repair.escalation_level = level
        which = _("完成期限") if now > repair.completion_due else _("响应期限")
        managers = managers_of(repair.school, repair.place.campus_id) if previous < 1 else []
        leaders = vice_principals_in_charge(repair.school) if level >= 2 else []
        names = "、".join(p.name for p in [*managers, *leaders])
        note = _("超过%(which)s，第 %(level)s 级督办：%(names)s") % {
            "which": which,
            "level": level,
            "names": names or _("无人可通知"),
        }
        _event(
            repair,
            Action.ESCALATE,
            None,
            from_status=repair.status,
            to_status=repair.status,
            note=note,
            at=now,
        )
        title = _("报修超期督办：%(label)s（超过%(which)s）") % {
            "label": _label(repair),
            "which": which,
        }
        body = repair.description
        if repair.assignee_id:
            body = _("维修人员：%(name)s") % {"name": repair.assignee.name} + "\n" + body
        _notify(managers + leaders, event=EVENT_OVERDUE, title=title, body=body, repair=repair)
        if previous < 1 and repair.assignee_id:
            _notify(
                [repair.assignee],
                event=EVENT_OVERDUE,
                title=_("维修单已超过%(which)s，请尽快处理：%(label)s")
                % {"which": which, "label": _label(repair)},
                repair=repair,
            )
    return True


def auto_confirm_due(now=None):
    """The scheduled job: requests done for more than the school's configured number of
    working days ("repairs.auto_confirm_workdays") without confirmation are closed as
    auto-confirmed. Idempotent. Returns how many were closed."""
    now = _now(now)
    candidates = (
        RepairRequest.objects.filter(status=Status.DONE, done_at__lt=now)
        .select_related("school", "place", "assignee")
        .order_by("school_id", "pk")
    )
    clocks, days, count = {}, {}, 0
    for repair in candidates:
        if repair.school_id not in clocks:
            clocks[repair.school_id] = deadlines.WorkingClock(repair.school)
            days[repair.school_id] = repair.school.setting("repairs.auto_confirm_workdays")
        due = clocks[repair.school_id].add_workdays(repair.done_at, days[repair.school_id])
        if now < due:
            continue
        with transaction.atomic():
            claimed = RepairRequest.objects.filter(
                pk=repair.pk, status=Status.DONE, done_at=repair.done_at
            ).update(
                status=Status.CLOSED, closed_at=now, auto_confirmed=True, updated_at=timezone.now()
            )
            if not claimed:
                continue
            _event(
                repair,
                Action.AUTO_CONFIRM,
                None,
                from_status=Status.DONE,
                to_status=Status.CLOSED,
                note=_("完成后 %(days)s 个工作日未确认，系统自动确认")
                % {"days": days[repair.school_id]},
                at=now,
            )
            repair.status = Status.CLOSED
            _notify(
                [repair.reporter],
                event=EVENT_PROGRESS,
                title=_("报修已自动确认修好，欢迎评价：%(label)s") % {"label": _label(repair)},
                repair=repair,
            )
        count += 1
    return count
