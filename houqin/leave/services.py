"""What happens to a leave request and a going-out slip. Screens call these; none writes
the rows itself.

Leave::

    from houqin.leave import services

    leave = services.apply(by=teacher, leave_type=sick, start_date=d1, end_date=d2,
                           start_part="full", end_part="am", reason="发烧", proof=files)
    services.check(teacher, sick, d1, "full", d2, "am")     # the live count and problems
    services.change(leave, by=teacher, end_date=d3)          # before it starts
    services.cancel(leave, by=teacher, reason="病好了")       # before it starts
    services.report_back(leave, by=teacher, on=day, part="full")   # 销假
    services.flag_absence(by=manager, staff=t, start_date=d, end_date=d)  # 旷工
    services.balances(teacher)                               # caps used and left

Going out::

    slip = services.apply_slip(by=teacher, destination="区教育局", reason="送材料",
                               planned_out=dt1, planned_back=dt2)
    services.gate_out(slip, by=guard); services.gate_back(slip, by=guard)
    services.alert_late_returns(now)      # on the scheduler heartbeat

Every refusal is a ``LeaveError`` whose ``str()`` is the Chinese message (``messages``
holds each problem). The approval runs in ``houqin.approvals`` (kinds "leave" and
"going_out"); its outcome comes back through ``leave_decided`` / ``slip_decided``.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.accounts.models import Staff
from houqin.approvals import services as approvals
from houqin.approvals.models import ApprovalError, RequestStatus, StepStatus
from houqin.core import workflow
from houqin.leave import counting
from houqin.leave.counting import CountError, end_half, start_half
from houqin.leave.models import (
    Absence,
    GoingOutSlip,
    HalfDay,
    LeaveRequest,
    LeaveStatus,
    LeaveType,
    MaternityRule,
    SlipStatus,
)
from houqin.notifications.services import notify
from houqin.org.calendar import is_workday
from houqin.org.models import Term
from houqin.org.school_settings import get_setting

KIND_LEAVE = "leave"
KIND_GOING_OUT = "going_out"

EVENT_CANCELLED = "leave.cancelled"
EVENT_OVERRUN = "leave.overrun"
EVENT_SLIP_LATE = "leave.slip_late"

# The codes of the leave types the rules know by name (LeaveType.code).
PERSONAL = "personal"  # 事假: per-term cap from leave.personal_cap_days_per_term
SICK = "sick"  # 病假: proof beyond leave.sick_certificate_days
MARRIAGE = "marriage"  # 婚假: leave.marriage_days
BEREAVEMENT = "bereavement"  # 丧假: leave.bereavement_days
MATERNITY = "maternity"  # 产假: MaternityRule of leave.province
PATERNITY = "paternity"  # 陪产假: MaternityRule.paternity_days
NURSING = "nursing"  # 哺乳假
OFFICIAL = "official"  # 公假

# Requests that hold their days: they overlap and use up caps.
HOLDING = (LeaveStatus.PENDING, LeaveStatus.RETURNED, LeaveStatus.APPROVED, LeaveStatus.ENDED)
# The teacher is (or was) away on these.
AWAY = (LeaveStatus.APPROVED, LeaveStatus.ENDED)
SLIP_OPEN = (SlipStatus.PENDING, SlipStatus.APPROVED, SlipStatus.OUT)


class LeaveError(Exception):
    """A refused action. ``str(error)`` is the Chinese message; ``messages`` each problem."""

    def __init__(self, messages):
        if isinstance(messages, str):
            messages = [messages]
        self.messages = [str(m) for m in messages]
        super().__init__("；".join(self.messages))

    def __str__(self):
        return "；".join(self.messages)


# --- small helpers ----------------------------------------------------------------------


def _now(now=None):
    return now or timezone.now()


def _url(obj):
    try:
        return obj.get_absolute_url()
    except NoReverseMatch:  # the screens are not wired yet
        return ""


_can = workflow.can


def _same_school(obj, by):
    if by is None or by.school_id is None or by.school_id != obj.school_id:
        raise LeaveError(_("这不是本校的记录。"))


def fmt_days(days) -> str:
    """Decimal("2.0") → "2", Decimal("1.5") → "1.5"."""
    value = Decimal(days).normalize()
    return f"{value:f}"


def fmt_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def describe_range(start_date, start_part, end_date, end_part, periods="") -> str:
    """ "2026年9月30日 至 2026年10月8日上午", "2026年10月9日下午", "2026年10月9日 第3-4节"."""
    if periods:
        return _("%(day)s 第%(periods)s节") % {"day": fmt_date(start_date), "periods": periods}
    first, last = start_half(start_part), end_half(end_part)
    if start_date == end_date:
        suffix = {(0, 0): _("上午"), (1, 1): _("下午")}.get((first, last), "")
        return fmt_date(start_date) + suffix
    start = fmt_date(start_date) + (_("下午") if first == 1 else "")
    end = fmt_date(end_date) + (_("上午") if last == 0 else "")
    return _("%(start)s 至 %(end)s") % {"start": start, "end": end}


def leave_range(leave) -> str:
    return describe_range(
        leave.start_date, leave.start_part, leave.end_date, leave.end_part, leave.periods
    )


def _title(staff, leave_type, days, range_text):
    title = _("%(name)s %(type)s %(days)s 天（%(range)s）") % {
        "name": staff.name,
        "type": leave_type.name,
        "days": fmt_days(days),
        "range": range_text,
    }
    return title[:200]


def approvers_of(subject) -> list[Staff]:
    """Who decided (or is deciding) ``subject``'s latest approval: the people who approved
    a step; else the approvers of its approving steps."""
    approval = approvals.latest_for(subject)
    if approval is None:
        return []
    steps = list(
        approval.steps.filter(round=approval.round, notify_only=False)
        .select_related("acted_by")
        .prefetch_related("approvers")
    )
    acted = [s.acted_by for s in steps if s.status == StepStatus.APPROVED and s.acted_by]
    if acted:
        return list({p.pk: p for p in acted}.values())
    people = [p for s in steps for p in s.approvers.all()]
    return [p for p in {p.pk: p for p in people}.values() if p.pk != approval.requester_id]


def _holders_of(school, perm):
    from houqin.accounts.roles import GRANTS

    positions = [position for position, perms in GRANTS.items() if perm in perms]
    return list(
        Staff.objects.filter(
            school=school,
            is_active=True,
            appointments__position__in=positions,
            appointments__ended_on__isnull=True,
        ).distinct()
    )


# --- rules: statutory lengths, caps, proof ------------------------------------------------


def maternity_rule(school) -> MaternityRule:
    """The MaternityRule of the school's province (setting ``leave.province``), or the
    national standard (98 days, nothing added) as an unsaved rule."""
    province = (get_setting(school, "leave.province") or "").strip()
    if province:
        rule = MaternityRule.objects.filter(province=province).first()
        if rule is None:
            rule = MaternityRule.objects.filter(province__startswith=province[:2]).first()
        if rule is not None:
            return rule
    return MaternityRule(province=_("国家标准"), paternity_days=0)


@dataclass
class Entitlement:
    days: Decimal
    explanation: str


def entitlement(
    school, leave_type, *, babies=1, difficult=False, miscarriage=""
) -> Entitlement | None:
    """The statutory length of one leave of ``leave_type``, or None when the request
    decides. ``babies``, ``difficult`` (难产) and ``miscarriage`` ("early": under 4 months,
    "late") refine 产假."""
    code = leave_type.code
    if code == MATERNITY:
        rule = maternity_rule(school)
        if miscarriage == "early":
            return Entitlement(
                Decimal(rule.miscarriage_early_days),
                _("%(province)s：怀孕未满4个月流产 %(days)s 天")
                % {"province": rule.province, "days": rule.miscarriage_early_days},
            )
        if miscarriage == "late":
            return Entitlement(
                Decimal(rule.miscarriage_late_days),
                _("%(province)s：怀孕满4个月流产 %(days)s 天")
                % {"province": rule.province, "days": rule.miscarriage_late_days},
            )
        babies = max(1, int(babies or 1))
        parts = [_("基本产假 %(days)s 天") % {"days": rule.base_days}]
        total = rule.base_days
        if rule.province_extra_days:
            total += rule.province_extra_days
            parts.append(_("本省延长 %(days)s 天") % {"days": rule.province_extra_days})
        if difficult:
            total += rule.difficult_birth_days
            parts.append(_("难产 %(days)s 天") % {"days": rule.difficult_birth_days})
        if babies > 1:
            extra = rule.extra_baby_days * (babies - 1)
            total += extra
            parts.append(_("多胞胎 %(days)s 天") % {"days": extra})
        return Entitlement(
            Decimal(total),
            _("%(province)s：%(parts)s，共 %(total)s 天")
            % {"province": rule.province, "parts": "+".join(str(p) for p in parts), "total": total},
        )
    if leave_type.statutory_days is not None:
        return Entitlement(
            leave_type.statutory_days,
            _("%(type)s %(days)s 天")
            % {"type": leave_type.name, "days": fmt_days(leave_type.statutory_days)},
        )
    setting = {MARRIAGE: "leave.marriage_days", BEREAVEMENT: "leave.bereavement_days"}.get(code)
    if setting:
        days = Decimal(get_setting(school, setting))
        return Entitlement(
            days, _("%(type)s %(days)s 天") % {"type": leave_type.name, "days": fmt_days(days)}
        )
    if code == PATERNITY:
        rule = maternity_rule(school)
        if rule.paternity_days:
            return Entitlement(
                Decimal(rule.paternity_days),
                _("%(province)s：陪产假 %(days)s 天")
                % {"province": rule.province, "days": rule.paternity_days},
            )
    return None


def term_cap(school, leave_type) -> Decimal | None:
    if leave_type.max_days_per_term is not None:
        return leave_type.max_days_per_term
    if leave_type.code == PERSONAL:
        cap = get_setting(school, "leave.personal_cap_days_per_term")
        return Decimal(cap) if cap else None
    return None


def proof_threshold(school, leave_type) -> Decimal | None:
    """Proof is required when a request is longer than this many days."""
    if leave_type.proof_after_days is not None:
        return leave_type.proof_after_days
    if leave_type.code == SICK:
        return Decimal(get_setting(school, "leave.sick_certificate_days"))
    return None


def proof_required(school, leave_type, days) -> bool:
    threshold = proof_threshold(school, leave_type)
    return threshold is not None and Decimal(days) > threshold


def _used(staff, leave_type, start, end, exclude=None) -> Decimal:
    queryset = LeaveRequest.objects.filter(
        staff=staff,
        leave_type=leave_type,
        status__in=HOLDING,
        start_date__gte=start,
        start_date__lte=end,
    )
    if exclude is not None and exclude.pk:
        queryset = queryset.exclude(pk=exclude.pk)
    return queryset.aggregate(total=Sum("days"))["total"] or Decimal("0")


@dataclass
class Balance:
    leave_type: LeaveType
    term: Term | None
    term_cap: Decimal | None
    term_used: Decimal
    year: int
    year_cap: Decimal | None
    year_used: Decimal

    @property
    def term_left(self):
        return None if self.term_cap is None else max(self.term_cap - self.term_used, Decimal(0))

    @property
    def year_left(self):
        return None if self.year_cap is None else max(self.year_cap - self.year_used, Decimal(0))


def balance(staff, leave_type, on: date, *, exclude=None) -> Balance:
    school = staff.school
    term = Term.objects.filter(school=school).on(on).first()
    cap = term_cap(school, leave_type)
    term_used = _used(staff, leave_type, term.start, term.end, exclude) if term else Decimal(0)
    year_cap = leave_type.max_days_per_year
    year_used = (
        _used(staff, leave_type, date(on.year, 1, 1), date(on.year, 12, 31), exclude)
        if year_cap is not None
        else Decimal(0)
    )
    return Balance(leave_type, term, cap if term else None, term_used, on.year, year_cap, year_used)


def balances(staff, on: date | None = None) -> list[Balance]:
    """The capped leave types of the staff's school, with what is used and left this
    term and year (for the apply screen and the teacher's page)."""
    on = on or timezone.localdate()
    result = []
    for leave_type in LeaveType.objects.filter(school=staff.school, is_active=True):
        item = balance(staff, leave_type, on)
        if item.term_cap is not None or item.year_cap is not None:
            result.append(item)
    return result


def overlapping(staff, start_date, start_part, end_date, end_part, periods="", *, exclude=None):
    """The staff's requests that hold any of the same half days (or class periods)."""
    queryset = LeaveRequest.objects.filter(
        staff=staff, status__in=HOLDING, start_date__lte=end_date, end_date__gte=start_date
    ).select_related("leave_type")
    if exclude is not None and exclude.pk:
        queryset = queryset.exclude(pk=exclude.pk)
    mine = ((start_date, start_half(start_part)), (end_date, end_half(end_part)))
    my_periods = set(counting.parse_periods(periods)) if periods else set()
    found = []
    for other in queryset:
        theirs = (
            (other.start_date, start_half(other.start_part)),
            (other.end_date, end_half(other.end_part)),
        )
        if not (mine[0] <= theirs[1] and theirs[0] <= mine[1]):
            continue
        if (
            my_periods
            and other.periods
            and other.start_date == start_date
            and not my_periods & set(counting.parse_periods(other.periods))
        ):
            continue
        found.append(other)
    return found


def overlap_message(other) -> str:
    return _("与已有的请假重叠：%(type)s %(range)s（%(status)s）。") % {
        "type": other.leave_type.name,
        "range": leave_range(other),
        "status": other.get_status_display(),
    }


@dataclass
class Check:
    """What ``check`` found: the count, and the problems ``apply`` would refuse for."""

    count: counting.Count | None
    problems: list[str] = field(default_factory=list)
    proof_required: bool = False
    entitlement: Entitlement | None = None
    balance: Balance | None = None

    @property
    def days(self):
        return self.count.days if self.count else None

    @property
    def ok(self):
        return not self.problems


def check(
    staff,
    leave_type,
    start_date,
    start_part,
    end_date,
    end_part,
    periods="",
    *,
    exclude=None,
    has_proof=False,
    **maternity,
) -> Check:
    """Count the days and find every problem with a request (for the live count on the
    apply form, and for ``apply``/``change``). ``has_proof``: files come with it."""
    start_part = start_part or HalfDay.FULL
    end_part = end_part or HalfDay.FULL
    try:
        count = counting.count_leave(
            staff.school, leave_type, start_date, start_part, end_date, end_part, periods
        )
    except CountError as error:
        return Check(None, [str(error)])
    result = Check(count)
    if leave_type.school_id != staff.school_id or not leave_type.is_active:
        result.problems.append(_("请选择本校在用的请假类型。"))
        return result
    if count.days <= 0:
        result.problems.append(_("所选时间都是休息日或节假日，不需要请假。"))
        return result
    for other in overlapping(
        staff, start_date, start_part, end_date, end_part, periods, exclude=exclude
    ):
        result.problems.append(overlap_message(other))
    result.entitlement = entitlement(staff.school, leave_type, **maternity)
    if result.entitlement is not None and count.days > result.entitlement.days:
        result.problems.append(
            _("%(type)s最多 %(max)s 天（%(why)s），本次 %(days)s 天。")
            % {
                "type": leave_type.name,
                "max": fmt_days(result.entitlement.days),
                "why": result.entitlement.explanation,
                "days": fmt_days(count.days),
            }
        )
    result.balance = balance(staff, leave_type, start_date, exclude=exclude)
    item = result.balance
    if item.term_cap is not None and item.term_used + count.days > item.term_cap:
        result.problems.append(
            _(
                "本学期%(type)s上限 %(cap)s 天，已请 %(used)s 天，还可请 %(left)s 天，"
                "本次 %(days)s 天超出上限。"
            )
            % {
                "type": leave_type.name,
                "cap": fmt_days(item.term_cap),
                "used": fmt_days(item.term_used),
                "left": fmt_days(item.term_left),
                "days": fmt_days(count.days),
            }
        )
    if item.year_cap is not None and item.year_used + count.days > item.year_cap:
        result.problems.append(
            _(
                "%(year)s年%(type)s上限 %(cap)s 天，已请 %(used)s 天，还可请 %(left)s 天，"
                "本次 %(days)s 天超出上限。"
            )
            % {
                "year": item.year,
                "type": leave_type.name,
                "cap": fmt_days(item.year_cap),
                "used": fmt_days(item.year_used),
                "left": fmt_days(item.year_left),
                "days": fmt_days(count.days),
            }
        )
    result.proof_required = proof_required(staff.school, leave_type, count.days)
    if result.proof_required and not has_proof:
        result.problems.append(
            _("%(type)s超过 %(after)s 天须上传证明材料（如病历、诊断证明）。")
            % {
                "type": leave_type.name,
                "after": fmt_days(proof_threshold(staff.school, leave_type)),
            }
        )
    return result


# --- leave: apply, change, cancel -------------------------------------------------------


def _attach_proof(leave, proof, by):
    if not proof:
        return []
    from houqin.files.services import attach_all

    try:
        return attach_all(leave, proof, by=by.user, role="proof")
    except ValidationError as error:
        raise LeaveError(error.messages) from None


def _has_proof(leave):
    if leave is None or not leave.pk:
        return False
    from houqin.files.services import attachments_for

    return attachments_for(leave, role="proof").exists()


def _submit(leave, by):
    try:
        approvals.submit(
            leave,
            kind=KIND_LEAVE,
            requester=by,
            title=_title(by, leave.leave_type, leave.days, leave_range(leave)),
            facts={"days": Decimal(fmt_days(leave.days)), "sub_type": leave.leave_type.name},
        )
    except ApprovalError as error:
        raise LeaveError(str(error)) from None


def apply(
    *,
    by,
    leave_type,
    start_date,
    end_date,
    start_part=HalfDay.FULL,
    end_part=HalfDay.FULL,
    periods="",
    reason,
    proof=(),
    **maternity,
) -> LeaveRequest:
    """请假: check the request, save it with its proof, submit it for approval (the
    flow may approve it at once). ``by`` is the teacher who is away. ``maternity``:
    ``babies``, ``difficult``, ``miscarriage`` for 产假."""
    if by is None or by.school_id is None:
        raise LeaveError(_("只有学校的教职工可以请假。"))
    reason = (reason or "").strip()
    periods = counting.format_periods(_periods(periods))
    result = check(
        by,
        leave_type,
        start_date,
        start_part,
        end_date,
        end_part,
        periods,
        has_proof=bool(proof),
        **maternity,
    )
    problems = list(result.problems)
    if not reason:
        problems.append(_("请填写请假事由。"))
    if problems:
        raise LeaveError(problems)
    with transaction.atomic():
        leave = LeaveRequest.objects.create(
            school=by.school,
            staff=by,
            leave_type=leave_type,
            start_date=start_date,
            start_part=start_part or HalfDay.FULL,
            end_date=end_date,
            end_part=end_part or HalfDay.FULL,
            periods=periods,
            days=result.days,
            reason=reason[:300],
            status=LeaveStatus.PENDING,
        )
        _attach_proof(leave, proof, by)
        _submit(leave, by)
    leave.refresh_from_db()
    return leave


def _periods(text):
    try:
        return counting.parse_periods(text)
    except CountError as error:
        raise LeaveError(str(error)) from None


def _lock(leave):
    return (
        LeaveRequest.objects.select_for_update(of=("self",))
        .select_related("leave_type", "staff", "school")
        .get(pk=leave.pk)
    )


def _sync(target, source):
    if target is not source:
        for f in LeaveRequest._meta.concrete_fields:
            setattr(target, f.attname, getattr(source, f.attname))
        target._state.fields_cache.pop("leave_type", None)
    return target


def has_started(leave, today=None) -> bool:
    today = today or timezone.localdate()
    return leave.start_date <= today


def can_change(leave, staff, today=None) -> bool:
    """The applicant may change or cancel a request that holds its days, before it
    starts (a pending or returned one also after)."""
    if staff is None or leave.staff_id != staff.pk:
        return False
    if leave.status in (LeaveStatus.PENDING, LeaveStatus.RETURNED):
        return True
    return leave.status == LeaveStatus.APPROVED and not has_started(leave, today)


def can_report_back(leave, staff, today=None) -> bool:
    """销假: the applicant, once an approved leave has started; leave.manage also corrects
    an ended one."""
    today = today or timezone.localdate()
    if staff is None or staff.school_id != leave.school_id:
        return False
    if _can(staff, "leave.manage") and leave.status in AWAY:
        return leave.start_date <= today
    return (
        leave.staff_id == staff.pk
        and leave.status == LeaveStatus.APPROVED
        and (leave.start_date <= today)
    )


def _refuse_change(leave):
    if leave.status == LeaveStatus.APPROVED:
        raise LeaveError(_("请假已经开始，不能再修改或取消；返校后请销假。"))
    raise LeaveError(
        _("这个请假当前为“%(status)s”，不能修改或取消。") % {"status": leave.get_status_display()}
    )


def change(leave, *, by, proof=(), today=None, **fields) -> LeaveRequest:
    """Change a request before it starts (type, dates, parts, periods, reason; more
    proof): checked again and sent for approval again (a returned one is resubmitted)."""
    allowed = {
        "leave_type",
        "start_date",
        "start_part",
        "end_date",
        "end_part",
        "periods",
        "reason",
        "babies",
        "difficult",
        "miscarriage",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"change() got unexpected fields: {sorted(unknown)}")
    maternity = {k: fields.pop(k) for k in ("babies", "difficult", "miscarriage") if k in fields}
    _same_school(leave, by)
    if leave.staff_id != by.pk:
        raise LeaveError(_("只有请假人本人可以修改请假。"))
    with transaction.atomic():
        locked = _lock(leave)
        if not can_change(locked, by, today):
            _refuse_change(locked)
        was = locked.status
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.reason = (locked.reason or "").strip()
        locked.periods = counting.format_periods(_periods(locked.periods))
        result = check(
            by,
            locked.leave_type,
            locked.start_date,
            locked.start_part,
            locked.end_date,
            locked.end_part,
            locked.periods,
            exclude=locked,
            has_proof=bool(proof) or _has_proof(locked),
            **maternity,
        )
        problems = list(result.problems)
        if not locked.reason:
            problems.append(_("请填写请假事由。"))
        if problems:
            raise LeaveError(problems)
        locked.days = result.days
        _attach_proof(locked, proof, by)
        approval = approvals.latest_for(locked)
        try:
            if approval is not None and approval.status == RequestStatus.RETURNED:
                locked.status = LeaveStatus.PENDING
                locked.save()
                approvals.resubmit(
                    approval,
                    by=by,
                    facts={
                        "days": Decimal(fmt_days(locked.days)),
                        "sub_type": locked.leave_type.name,
                    },
                    title=_title(by, locked.leave_type, locked.days, leave_range(locked)),
                )
            else:
                if approval is not None and approval.is_open:
                    approvals.withdraw(approval, by=by, comment=_("修改请假后重新提交"))
                locked.status = LeaveStatus.PENDING
                locked.save()
                _submit(locked, by)
        except ApprovalError as error:
            raise LeaveError(str(error)) from None
        if was == LeaveStatus.APPROVED:
            locked.covers.all().delete()
    locked.refresh_from_db()
    return _sync(leave, locked)


def cancel(leave, *, by, reason="", today=None) -> LeaveRequest:
    """Cancel a request before it starts: a pending one's approval is withdrawn; an
    approved one's approvers (and cover) are told and its cover arrangements dropped."""
    _same_school(leave, by)
    if leave.staff_id != by.pk:
        raise LeaveError(_("只有请假人本人可以取消请假。"))
    with transaction.atomic():
        locked = _lock(leave)
        if not can_change(locked, by, today):
            _refuse_change(locked)
        was = locked.status
        approval = approvals.latest_for(locked)
        if approval is not None and approval.is_open:
            try:
                approvals.withdraw(approval, by=by, comment=reason or _("取消请假"))
            except ApprovalError as error:
                raise LeaveError(str(error)) from None
        locked.refresh_from_db()
        locked.status = LeaveStatus.CANCELLED
        locked.cancel_reason = (reason or "").strip()[:200]
        locked.save(update_fields=["status", "cancel_reason", "updated_at"])
        if was == LeaveStatus.APPROVED:
            covers = list(locked.covers.select_related("covered_by"))
            people = approvers_of(locked) + [c.covered_by for c in covers]
            people += [
                c.arranged_by for c in locked.covers.select_related("arranged_by") if c.arranged_by
            ]
            locked.covers.all().delete()
            _tell(
                people,
                EVENT_CANCELLED,
                _("%(name)s 取消了请假：%(type)s %(range)s")
                % {
                    "name": locked.staff.name,
                    "type": locked.leave_type.name,
                    "range": leave_range(locked),
                },
                locked,
                body=locked.cancel_reason,
            )
    return _sync(leave, locked)


def _tell(people, event, title, obj, body=""):
    people = list({p.pk: p for p in people if p is not None}.values())
    if people:
        notify(people, event=event, title=title[:200], body=body, url=_url(obj), school=obj.school)


def _is_subject(approval, model):
    from django.contrib.contenttypes.models import ContentType

    return approval.subject_type_id == ContentType.objects.get_for_model(model).pk


def leave_decided(approval):
    """The approval of a leave left "pending": the request follows it."""
    mapping = {
        RequestStatus.APPROVED: LeaveStatus.APPROVED,
        RequestStatus.REJECTED: LeaveStatus.REJECTED,
        RequestStatus.RETURNED: LeaveStatus.RETURNED,
        RequestStatus.WITHDRAWN: LeaveStatus.WITHDRAWN,
    }
    status = mapping.get(approval.status)
    if status is None or not _is_subject(approval, LeaveRequest):
        return
    leave = (
        LeaveRequest.objects.select_for_update(of=("self",))
        .filter(pk=approval.subject_id, school_id=approval.school_id)
        .first()
    )
    if leave is None or leave.status not in (LeaveStatus.PENDING, LeaveStatus.RETURNED):
        return
    leave.status = status
    leave.save(update_fields=["status", "updated_at"])


# --- 销假 and absences --------------------------------------------------------------------


def return_half(part) -> int:
    """The half day the teacher was back at work from: 0 morning, 1 afternoon."""
    return 1 if part == HalfDay.PM else 0


def report_back(leave, *, by, on, part=HalfDay.FULL, now=None) -> LeaveRequest:
    """销假: the teacher was back at work from ``on`` (``part`` 全天/上午: the morning,
    下午: the afternoon). Back early: the days shrink to the time away. Back late: the
    working days past the leave are ``overrun_days`` and an Absence (超假) is recorded.
    leave.manage may correct an ended leave the same way."""
    now = _now(now)
    today = timezone.localdate(now)
    _same_school(leave, by)
    if on is None:
        raise LeaveError(_("请填写返校日期。"))
    if on > today:
        raise LeaveError(_("返校日期不能晚于今天。"))
    part = part or HalfDay.FULL
    with transaction.atomic():
        locked = _lock(leave)
        manager = _can(by, "leave.manage")
        if locked.staff_id != by.pk and not manager:
            raise LeaveError(_("只有请假人本人或请假管理员可以销假。"))
        if locked.status == LeaveStatus.ENDED and not manager:
            raise LeaveError(_("这个请假已经销假；如需更正请联系请假管理员。"))
        if locked.status not in AWAY:
            raise LeaveError(
                _("这个请假当前为“%(status)s”，不能销假。")
                % {"status": locked.get_status_display()}
            )
        back = (on, return_half(part))
        first = (locked.start_date, start_half(locked.start_part))
        if back <= first:
            raise LeaveError(
                _("返校时间不能早于请假开始时间（%(start)s）；没有休假请取消请假。")
                % {"start": leave_range(locked)}
            )
        school = locked.school
        # The last half day away.
        last = (on, 0) if back[1] == 1 else (on - timedelta(days=1), 1)
        end = (locked.end_date, end_half(locked.end_part))
        locked.absences.filter(kind=Absence.Kind.OVERRUN).delete()
        locked.overrun_days = Decimal("0")
        if last < end:  # back early: count the days actually away
            locked.days = counting.count_days(
                school,
                locked.leave_type,
                locked.start_date,
                locked.start_part,
                last[0],
                HalfDay.AM if last[1] == 0 else HalfDay.FULL,
                locked.periods if last[0] == locked.start_date else "",
            )
        else:
            locked.days = counting.count_days(
                school,
                locked.leave_type,
                locked.start_date,
                locked.start_part,
                locked.end_date,
                locked.end_part,
                locked.periods,
            )
            due = counting.next_workday_half(school, *end)
            overrun = counting.workdays_in_halves(school, *due, *last)
            if overrun > 0:
                locked.overrun_days = overrun
                Absence.objects.create(
                    school=school,
                    staff=locked.staff,
                    kind=Absence.Kind.OVERRUN,
                    start_date=due[0],
                    end_date=last[0],
                    days=overrun,
                    leave=locked,
                    note=_("请假至 %(end)s，%(back)s 才销假")
                    % {"end": leave_range(locked).split(" 至 ")[-1], "back": fmt_date(on)},
                    recorded_by=by,
                )
        locked.status = LeaveStatus.ENDED
        locked.returned_on = on
        locked.returned_part = part
        locked.returned_at = now
        locked.save()
        if locked.overrun_days > 0:
            _tell(
                approvers_of(locked) + _holders_of(school, "leave.manage"),
                EVENT_OVERRUN,
                _("%(name)s 超假 %(days)s 天：%(type)s %(range)s")
                % {
                    "name": locked.staff.name,
                    "days": fmt_days(locked.overrun_days),
                    "type": locked.leave_type.name,
                    "range": leave_range(locked),
                },
                locked,
            )
    return _sync(leave, locked)


def flag_absence(
    *,
    by,
    staff,
    start_date,
    end_date,
    start_part=HalfDay.FULL,
    end_part=HalfDay.FULL,
    note="",
) -> Absence:
    """Record 旷工 (absent without approved leave) for leave.manage; the days are the
    working days of the range. Refused where the person has approved leave or 旷工 is
    already recorded."""
    if not _can(by, "leave.manage"):
        raise LeaveError(_("只有请假管理员可以登记旷工。"))
    if staff is None or staff.school_id != by.school_id:
        raise LeaveError(_("请选择本校的教职工。"))
    try:
        count = counting.count_leave(
            by.school, LeaveType.Counting.WORKDAYS, start_date, start_part, end_date, end_part
        )
    except CountError as error:
        raise LeaveError(str(error)) from None
    if count.days <= 0:
        raise LeaveError(_("所选时间都是休息日或节假日，不能登记旷工。"))
    problems = [
        _("该时段有已批准的请假：%(type)s %(range)s。")
        % {"type": other.leave_type.name, "range": leave_range(other)}
        for other in overlapping(staff, start_date, start_part, end_date, end_part)
        if other.status in AWAY
    ]
    recorded = Absence.objects.filter(
        staff=staff,
        kind=Absence.Kind.UNAPPROVED,
        start_date__lte=end_date,
        end_date__gte=start_date,
    ).first()
    if recorded:
        problems.append(
            _("%(start)s 至 %(end)s 已登记旷工。")
            % {"start": fmt_date(recorded.start_date), "end": fmt_date(recorded.end_date)}
        )
    if problems:
        raise LeaveError(problems)
    return Absence.objects.create(
        school=by.school,
        staff=staff,
        kind=Absence.Kind.UNAPPROVED,
        start_date=start_date,
        end_date=end_date,
        days=count.days,
        note=(note or "").strip()[:200],
        recorded_by=by,
    )


def remove_absence(absence, *, by):
    """Delete a wrongly recorded absence (leave.manage); an overrun is corrected by
    销假 again instead."""
    if not _can(by, "leave.manage") or by.school_id != absence.school_id:
        raise LeaveError(_("只有请假管理员可以删除缺勤记录。"))
    if absence.kind == Absence.Kind.OVERRUN:
        raise LeaveError(_("超假记录由销假生成；请更正销假日期。"))
    absence.delete()


def away_on(school, day: date):
    """Approved (or ended) leaves of ``school`` that cover ``day`` — who is away."""
    return (
        LeaveRequest.objects.filter(
            school=school, status__in=AWAY, start_date__lte=day, end_date__gte=day
        )
        .exclude(status=LeaveStatus.ENDED, returned_on__lte=day, returned_part=HalfDay.FULL)
        .exclude(status=LeaveStatus.ENDED, returned_on__lt=day)
        .select_related("staff__department", "leave_type")
    )


# --- going-out slips --------------------------------------------------------------------


def _slip_title(slip):
    start = timezone.localtime(slip.planned_out)
    back = timezone.localtime(slip.planned_back)
    return _("%(name)s 外出：%(destination)s %(day)s %(out)s–%(back)s") % {
        "name": slip.staff.name,
        "destination": slip.destination,
        "day": f"{start.month}月{start.day}日",
        "out": start.strftime("%H:%M"),
        "back": back.strftime("%H:%M"),
    }


def apply_slip(*, by, destination, reason, planned_out, planned_back, now=None) -> GoingOutSlip:
    """出门条: a short exit on a working day, planned within one day, submitted to the
    supervising leader (approval kind "going_out")."""
    now = _now(now)
    if by is None or by.school_id is None:
        raise LeaveError(_("只有学校的教职工可以申请出门。"))
    destination = (destination or "").strip()
    reason = (reason or "").strip()
    problems = []
    if not destination:
        problems.append(_("请填写去向。"))
    if not reason:
        problems.append(_("请填写外出事由。"))
    if planned_out is None or planned_back is None:
        problems.append(_("请填写计划出校和返校时间。"))
        raise LeaveError(problems)
    if planned_back <= planned_out:
        problems.append(_("计划返校时间须晚于出校时间。"))
    elif timezone.localdate(planned_out) != timezone.localdate(planned_back):
        problems.append(_("出门条只用于当天外出；跨天外出请请假。"))
    if planned_out < now - timedelta(minutes=30):
        problems.append(_("计划出校时间已经过去。"))
    elif not is_workday(by.school, timezone.localdate(planned_out)):
        problems.append(_("出门条用于工作日在校时间内外出；休息日不需要申请。"))
    clash = (
        GoingOutSlip.objects.filter(
            staff=by,
            status__in=SLIP_OPEN,
            planned_out__lt=planned_back,
            planned_back__gt=planned_out,
        ).first()
        if planned_back > planned_out
        else None
    )
    if clash:
        problems.append(
            _("与已有的出门条时间重叠：%(title)s（%(status)s）。")
            % {"title": _slip_title(clash), "status": clash.get_status_display()}
        )
    if problems:
        raise LeaveError(problems)
    with transaction.atomic():
        slip = GoingOutSlip.objects.create(
            school=by.school,
            staff=by,
            destination=destination[:100],
            reason=reason[:200],
            planned_out=planned_out,
            planned_back=planned_back,
        )
        try:
            approvals.submit(
                slip,
                kind=KIND_GOING_OUT,
                requester=by,
                title=_slip_title(slip),
                facts={"sub_type": _("外出")},
            )
        except ApprovalError as error:
            raise LeaveError(str(error)) from None
    slip.refresh_from_db()
    return slip


def slip_decided(approval):
    """The approval of a slip left "pending". A returned slip stays pending: the teacher
    resubmits it on the approval page, or cancels it."""
    mapping = {
        RequestStatus.APPROVED: SlipStatus.APPROVED,
        RequestStatus.REJECTED: SlipStatus.REJECTED,
        RequestStatus.WITHDRAWN: SlipStatus.WITHDRAWN,
    }
    status = mapping.get(approval.status)
    if status is None or not _is_subject(approval, GoingOutSlip):
        return
    slip = (
        GoingOutSlip.objects.select_for_update(of=("self",))
        .filter(pk=approval.subject_id, school_id=approval.school_id)
        .first()
    )
    if slip is None or slip.status != SlipStatus.PENDING:
        return
    slip.status = status
    slip.save(update_fields=["status", "updated_at"])


def _lock_slip(slip):
    return (
        GoingOutSlip.objects.select_for_update(of=("self",))
        .select_related("staff", "school")
        .get(pk=slip.pk)
    )


def _sync_slip(target, source):
    if target is not source:
        for f in GoingOutSlip._meta.concrete_fields:
            setattr(target, f.attname, getattr(source, f.attname))
    return target


def cancel_slip(slip, *, by) -> GoingOutSlip:
    """The applicant cancels a slip before going out."""
    _same_school(slip, by)
    if slip.staff_id != by.pk:
        raise LeaveError(_("只有申请人本人可以取消出门条。"))
    with transaction.atomic():
        locked = _lock_slip(slip)
        if locked.status not in (SlipStatus.PENDING, SlipStatus.APPROVED):
            raise LeaveError(
                _("出门条当前为“%(status)s”，不能取消。") % {"status": locked.get_status_display()}
            )
        approval = approvals.latest_for(locked)
        if approval is not None and approval.is_open:
            try:
                approvals.withdraw(approval, by=by, comment=_("取消出门"))
            except ApprovalError as error:
                raise LeaveError(str(error)) from None
        locked.refresh_from_db()
        locked.status = SlipStatus.CANCELLED
        locked.save(update_fields=["status", "updated_at"])
    return _sync_slip(slip, locked)


def _check_guard(slip, by):
    _same_school(slip, by)
    if not _can(by, "leave.gate"):
        raise LeaveError(_("只有门岗保安可以登记出校和返校。"))


def gate_out(slip, *, by, now=None) -> GoingOutSlip:
    """The guard lets an approved slip's holder out (on the slip's day)."""
    now = _now(now)
    _check_guard(slip, by)
    with transaction.atomic():
        locked = _lock_slip(slip)
        if locked.status == SlipStatus.OUT:
            raise LeaveError(
                _("已于 %(time)s 登记出校，请勿重复登记。")
                % {"time": timezone.localtime(locked.out_at).strftime("%H:%M")}
            )
        if locked.status != SlipStatus.APPROVED:
            raise LeaveError(
                _("出门条当前为“%(status)s”，不能出校。") % {"status": locked.get_status_display()}
            )
        day = timezone.localdate(locked.planned_out)
        if day != timezone.localdate(now):
            raise LeaveError(_("这张出门条是 %(day)s 的，今天不能使用。") % {"day": fmt_date(day)})
        locked.status = SlipStatus.OUT
        locked.out_at = now
        locked.out_by = by
        locked.save(update_fields=["status", "out_at", "out_by", "updated_at"])
    return _sync_slip(slip, locked)


def gate_back(slip, *, by, now=None) -> GoingOutSlip:
    """The guard records the return of a slip that went out."""
    now = _now(now)
    _check_guard(slip, by)
    with transaction.atomic():
        locked = _lock_slip(slip)
        if locked.status == SlipStatus.BACK:
            raise LeaveError(
                _("已于 %(time)s 登记返校，请勿重复登记。")
                % {"time": timezone.localtime(locked.back_at).strftime("%H:%M")}
            )
        if locked.status != SlipStatus.OUT:
            raise LeaveError(
                _("出门条当前为“%(status)s”，还没有登记出校，不能登记返校。")
                % {"status": locked.get_status_display()}
            )
        locked.status = SlipStatus.BACK
        locked.back_at = now
        locked.back_by = by
        locked.save(update_fields=["status", "back_at", "back_by", "updated_at"])
    return _sync_slip(slip, locked)


def is_late(slip, now=None) -> bool:
    """Out past the planned return (plus the school's grace minutes)."""
    now = _now(now)
    if slip.status != SlipStatus.OUT:
        return False
    grace = timedelta(minutes=get_setting(slip.school, "leave.slip_late_minutes"))
    return now > slip.planned_back + grace


def alert_late_returns(now=None) -> int:
    """On the heartbeat: tell the approver(s) once about each slip out past its planned
    return plus ``leave.slip_late_minutes``. Returns how many were alerted."""
    now = _now(now)
    candidates = GoingOutSlip.objects.filter(
        status=SlipStatus.OUT, late_alerted_at__isnull=True, planned_back__lt=now
    ).select_related("school", "staff")
    grace_of = {}
    alerted = 0
    for slip in candidates:
        if slip.school_id not in grace_of:
            grace_of[slip.school_id] = timedelta(
                minutes=get_setting(slip.school, "leave.slip_late_minutes")
            )
        if now <= slip.planned_back + grace_of[slip.school_id]:
            continue
        with transaction.atomic():
            claimed = GoingOutSlip.objects.filter(
                pk=slip.pk, status=SlipStatus.OUT, late_alerted_at__isnull=True
            ).update(late_alerted_at=now)
            if not claimed:
                continue  # another machine's tick, or back in the meantime
            _tell(
                approvers_of(slip),
                EVENT_SLIP_LATE,
                _("%(name)s 外出逾期未返校：计划 %(back)s 返校（%(destination)s）")
                % {
                    "name": slip.staff.name,
                    "back": timezone.localtime(slip.planned_back).strftime("%H:%M"),
                    "destination": slip.destination,
                },
                slip,
                body=slip.reason,
            )
            alerted += 1
    return alerted


def on_heartbeat(now):
    alert_late_returns(now)


def slips_for_gate(school, day: date | None = None):
    """The day's slips the gate deals with: approved, out, back (for the guard's list)."""
    day = day or timezone.localdate()
    calendar_day_start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    return (
        GoingOutSlip.objects.filter(
            school=school,
            status__in=(SlipStatus.APPROVED, SlipStatus.OUT, SlipStatus.BACK),
            planned_out__gte=calendar_day_start,
            planned_out__lt=calendar_day_start + timedelta(days=1),
        )
        .select_related("staff__department")
        .order_by("planned_out", "pk")
    )
