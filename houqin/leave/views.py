"""The teacher and gate screens: apply for leave on a phone with a live day count, 我的请假,
one request (status, approval steps, cancel or change before it starts, 销假), the
going-out slip with its big QR code, and the guard's gate page (scan or today's list,
出校/返校).

Every change goes through ``services``; a refusal (``LeaveError``) is shown in Chinese with
what was typed kept."""

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from houqin.accounts.access import get_for_user, school_required
from houqin.approvals import services as approvals
from houqin.core.htmx import render_page
from houqin.leave import access, counting, services
from houqin.leave.forms import (
    CancelForm,
    CountForm,
    GateCodeForm,
    LeaveForm,
    ReportBackForm,
    SlipForm,
)
from houqin.leave.models import (
    GoingOutSlip,
    HalfDay,
    LeaveRequest,
    LeaveType,
    SlipStatus,
)
from houqin.leave.services import LeaveError
from houqin.org.school_settings import get_setting
from houqin.qr import codes
from houqin.qr import registry as qr_registry
from houqin.qr.models import QrCode

APPLY, GATE = "leave.apply", "leave.gate"
FORM_FIELDS = (
    "leave_type",
    "start_date",
    "start_part",
    "end_date",
    "end_part",
    "periods",
    "reason",
)
SLIP_CANCELLABLE = (SlipStatus.PENDING, SlipStatus.APPROVED)
LIST_LIMIT = 50


# ---------------------------------------------------------------------------------------
# 我的请假


@school_required(perm=APPLY)
def mine(request):
    """我的请假 and 我的出门条 (``?tab=slips``)."""
    tab = "slips" if request.GET.get("tab") == "slips" else "leave"
    context = {"tab": tab, "today": timezone.localdate()}
    if tab == "leave":
        context["leaves"] = list(
            LeaveRequest.objects.filter(school=request.school, staff=request.staff)
            .select_related("leave_type")
            .order_by("-start_date", "-id")[:LIST_LIMIT]
        )
    else:
        context["slips"] = list(
            GoingOutSlip.objects.filter(school=request.school, staff=request.staff).order_by(
                "-planned_out", "-id"
            )[:LIST_LIMIT]
        )
    return render(request, "leave/mine.html", context)


# ---------------------------------------------------------------------------------------
# Apply, change, live count


@school_required(perm=APPLY)
def apply(request):
    return _leave_form(request, original=None)


@school_required(perm=APPLY)
def change(request, pk):
    """修改: a new request in place of one that has not started (the old one is cancelled
    and its approval withdrawn, in one transaction)."""
    leave = get_for_user(request, access.visible_leaves(request.user), pk)
    if leave.staff_id != request.staff.pk:
        raise PermissionDenied
    if not services.can_change(leave, request.staff):
        messages.error(request, _("请假已经开始或已结束，不能再修改。"))
        return redirect("leave:detail", pk=leave.pk)
    return _leave_form(request, original=leave)


def _leave_form(request, *, original):
    if request.method == "POST":
        form = LeaveForm(request.POST, request.FILES, school=request.school)
        if form.is_valid():
            data = form.cleaned_data
            fields = {name: data[name] for name in FORM_FIELDS}
            try:
                if original is None:
                    leave = services.apply(by=request.staff, proof=data["proof"], **fields)
                else:
                    leave = services.change(
                        original, by=request.staff, proof=data["proof"], **fields
                    )
            except LeaveError as error:
                for message in error.messages:
                    form.add_error(None, message)
                _ask_files_again(request, form)
            else:
                if original is None:
                    done = _("已提交请假申请（%(days)s 天），审批结果会通知您。")
                else:
                    done = _("已修改请假申请（%(days)s 天），将重新审批。")
                messages.success(request, done % {"days": _days(leave.days)})
                return redirect("leave:detail", pk=leave.pk)
        else:
            _ask_files_again(request, form)
    else:
        initial = {}
        if original is not None:
            initial = {name: getattr(original, name) for name in FORM_FIELDS}
            initial["leave_type"] = original.leave_type_id
        form = LeaveForm(initial=initial, school=request.school)
    context = {
        "form": form,
        "original": original,
        "count": _count_for(request, form, exclude=original),
    }
    return render(request, "leave/apply.html", context)


def _ask_files_again(request, form):
    if any(request.FILES.getlist("proof")) and "proof" not in form.errors:
        # A browser cannot keep chosen files across a page load: say so.
        form.add_error("proof", _("请重新选择证明材料（页面刷新后需重新添加）。"))


@school_required(perm=APPLY)
def count(request):
    """The live day count under the dates (htmx, as the form changes)."""
    form = CountForm(request.GET, school=request.school)
    return render(request, "leave/_count.html", {"count": _count_for(request, form)})


def _count_for(request, form, exclude=None):
    """What the count box says for the form's current values: the days, what was skipped
    or counted, and what ``apply`` would refuse for (overlap, caps); or why not yet."""
    data = _values(form)
    if not data.get("start_date") or not data.get("end_date"):
        return {"state": "empty"}
    leave_type = data.get("leave_type")
    args = (
        data["start_date"],
        data.get("start_part") or HalfDay.FULL,
        data["end_date"],
        data.get("end_part") or HalfDay.FULL,
        data.get("periods") or "",
    )
    problems, needs_proof = [], False
    try:
        if leave_type is None:
            result = counting.count_leave(request.school, LeaveType.Counting.WORKDAYS, *args)
        else:
            found = services.check(
                request.staff, leave_type, *args, exclude=exclude, has_proof=True
            )
            if found.count is None:
                return {"state": "error", "message": "；".join(found.problems)}
            result, problems, needs_proof = found.count, found.problems, found.proof_required
    except counting.CountError as error:
        return {"state": "error", "message": str(error)}
    return {
        "state": "ok",
        "days": _days(result.days),
        "by_calendar": result.by_calendar,
        "explanation": result.explanation(),
        "problems": problems,
        "needs_proof": needs_proof,
        "proof_after": _days(services.proof_threshold(request.school, leave_type))
        if needs_proof
        else "",
        "leave_type": leave_type,
    }


def _values(form):
    """The cleaned values of a form whether or not all of it is valid yet."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return getattr(form, "cleaned_data", {}) or {}


def _days(value):
    return f"{value.normalize():f}" if value is not None else ""


# ---------------------------------------------------------------------------------------
# One request


@school_required(perm=APPLY)
def detail(request, pk):
    leave = get_for_user(
        request,
        access.visible_leaves(request.user).select_related(
            "leave_type", "staff__department", "school"
        ),
        pk,
    )
    return render(request, "leave/detail.html", _detail_context(request, leave))


def _detail_context(request, leave, *, report_form=None):
    return {
        "leave": leave,
        "approval": approvals.latest_for(leave),
        "days": _days(leave.days),
        "overrun": _days(leave.overrun_days) if leave.overrun_days else "",
        "covers": list(leave.covers.select_related("school_class", "covered_by")),
        "absences": list(leave.absences.all()),
        "can_cancel": services.can_change(leave, request.staff),
        "can_report_back": services.can_report_back(leave, request.staff),
        "cancel_form": CancelForm(),
        "report_form": report_form or ReportBackForm(),
        "is_own": leave.staff_id == request.staff.pk,
    }


@require_POST
@school_required(perm=APPLY)
def cancel(request, pk):
    leave = get_for_user(request, access.visible_leaves(request.user), pk)
    if leave.staff_id != request.staff.pk:
        raise PermissionDenied
    form = CancelForm(request.POST)
    reason = form.cleaned_data["cancel_reason"] if form.is_valid() else ""
    try:
        services.cancel(leave, by=request.staff, reason=reason)
    except LeaveError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已取消这次请假。"))
    return redirect("leave:detail", pk=leave.pk)


@require_POST
@school_required(perm=APPLY)
def report_back(request, pk):
    """销假: the teacher (or the office, leave.manage) records the day and part she came
    back; a late return is flagged as 超假."""
    leave = get_for_user(request, access.visible_leaves(request.user), pk)
    if leave.staff_id != request.staff.pk and not request.user.has_perm("leave.manage"):
        raise PermissionDenied
    form = ReportBackForm(request.POST)
    if form.is_valid():
        try:
            leave = services.report_back(
                leave,
                by=request.staff,
                on=form.cleaned_data["returned_on"],
                part=form.cleaned_data["returned_part"],
            )
        except LeaveError as error:
            form.add_error(None, str(error))
        else:
            if leave.overrun_days:
                messages.warning(
                    request,
                    _("已销假。超出批准的假期 %(days)s 天，已记为超假。")
                    % {"days": _days(leave.overrun_days)},
                )
            else:
                messages.success(request, _("已销假，欢迎回来。"))
            return redirect("leave:detail", pk=leave.pk)
    leave.refresh_from_db()
    context = _detail_context(request, leave, report_form=form)
    return render(request, "leave/detail.html", context, status=400)


# ---------------------------------------------------------------------------------------
# Going-out slips


@school_required(perm=APPLY)
def slip_apply(request):
    if request.method == "POST":
        form = SlipForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                slip = services.apply_slip(
                    by=request.staff,
                    destination=data["destination"],
                    reason=data["reason"],
                    planned_out=data["planned_out"],
                    planned_back=data["planned_back"],
                )
            except LeaveError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("已提交出门申请，批准后出示二维码出校。"))
                return redirect("leave:slip_detail", pk=slip.pk)
    else:
        form = SlipForm()
    return render(request, "leave/slip_apply.html", {"form": form})


@school_required
def slip_detail(request, pk):
    """The slip with its big QR code for the gate. A guard who opens it (a phone camera
    scanning the code) lands on the gate page for it."""
    slip = get_for_user(request, access.visible_slips(request.user).select_related("staff"), pk)
    if slip.staff_id != request.staff.pk and request.user.has_perm(GATE):
        return redirect("leave:gate_slip", pk=slip.pk)
    if not request.user.has_perm(APPLY):
        raise PermissionDenied
    context = {
        "slip": slip,
        "approval": approvals.latest_for(slip),
        "qr": _slip_qr(request, slip),
        "can_cancel": slip.staff_id == request.staff.pk and slip.status in SLIP_CANCELLABLE,
        "late": _is_late(slip, _grace(request.school)),
    }
    return render(request, "leave/slip_detail.html", context)


def _slip_qr(request, slip):
    """The QR shown at the gate: it opens the gate page for this slip (``?for=gate``).
    Under it the QR's token, for the guard to type when the camera cannot read it (the
    gate purpose takes only the token: proof that the slip itself was shown)."""
    if slip.status not in (SlipStatus.APPROVED, SlipStatus.OUT):
        return None
    token = QrCode.objects.for_object(slip).token
    url = f"{codes.target_url(token, request)}?for=gate"
    kind = qr_registry.kind_of_model(GoingOutSlip)
    return {
        "svg": codes.svg_inline(url),
        "code": token,
        "number": kind.code_of(slip) if kind else "",
        "url": url,
    }


def _grace(school):
    return timedelta(minutes=get_setting(school, "leave.slip_late_minutes"))


def _is_late(slip, grace, now=None):
    """Out past the planned return (plus the school's grace), or came back late."""
    now = now or timezone.now()
    if slip.status == SlipStatus.OUT:
        return now > slip.planned_back + grace
    if slip.status == SlipStatus.BACK and slip.back_at:
        return slip.back_at > slip.planned_back + grace
    return False


@require_POST
@school_required(perm=APPLY)
def slip_cancel(request, pk):
    slip = get_for_user(request, access.visible_slips(request.user), pk)
    if slip.staff_id != request.staff.pk:
        raise PermissionDenied
    try:
        services.cancel_slip(slip, by=request.staff)
    except LeaveError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已取消出门申请。"))
    return redirect("leave:slip_detail", pk=slip.pk)


# ---------------------------------------------------------------------------------------
# The gate (保安)


@school_required(perm=GATE)
def gate(request):
    """The guard's page: scan a slip, or pick from today's approved slips and those still
    out."""
    form = GateCodeForm(request.GET or None)
    today = timezone.localdate()
    start = timezone.make_aware(datetime.combine(today, time.min))
    end = timezone.make_aware(datetime.combine(today, time.max))
    slips = GoingOutSlip.objects.filter(school=request.school).filter(
        Q(status=SlipStatus.APPROVED, planned_out__range=(start, end))
        | Q(status=SlipStatus.OUT)
        | Q(status=SlipStatus.BACK, back_at__range=(start, end))
    )
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    if query:
        slips = slips.filter(_slip_search(request, query))
    slips = list(slips.select_related("staff__department").order_by("planned_out", "id")[:100])
    now, grace = timezone.now(), _grace(request.school)
    context = {
        "form": form,
        "query": query,
        "waiting": [s for s in slips if s.status == SlipStatus.APPROVED],
        "out": [s for s in slips if s.status == SlipStatus.OUT],
        "back": [s for s in slips if s.status == SlipStatus.BACK],
        "late_ids": {s.pk for s in slips if _is_late(s, grace, now)},
        "scan_url": qr_registry.scan_url("gate"),
    }
    return render_page(request, "leave/gate.html", context)


def _slip_search(request, query):
    condition = Q(staff__name__icontains=query) | Q(staff__name_initials__icontains=query.lower())
    found = qr_registry.find(request.user, request.school, query, kinds_allowed=["G"])
    ids = [f.obj.pk for f in found if isinstance(f.obj, GoingOutSlip)]
    if ids:
        condition |= Q(pk__in=ids)
    return condition


@school_required(perm=GATE)
def gate_slip(request, pk):
    """Confirm at the gate: who, where to, when back; 出校 or 返校."""
    slip = get_for_user(
        request,
        GoingOutSlip.objects.select_related("staff__department", "out_by", "back_by"),
        pk,
    )
    kind = qr_registry.kind_of_model(GoingOutSlip)
    context = {
        "slip": slip,
        "code": kind.code_of(slip) if kind else "",
        "late": _is_late(slip, _grace(request.school)),
        "valid_today": slip.status != SlipStatus.APPROVED
        or timezone.localtime(slip.planned_out).date() == timezone.localdate(),
    }
    return render(request, "leave/gate_slip.html", context)


@require_POST
@school_required(perm=GATE)
def gate_out(request, pk):
    return _gate_act(request, pk, services.gate_out, _("已登记出校：%(name)s。"))


@require_POST
@school_required(perm=GATE)
def gate_back(request, pk):
    return _gate_act(request, pk, services.gate_back, _("已登记返校：%(name)s。"))


def _gate_act(request, pk, action, done):
    slip = get_for_user(request, GoingOutSlip, pk)
    try:
        slip = action(slip, by=request.staff)
    except LeaveError as error:
        messages.error(request, str(error))
        return redirect("leave:gate_slip", pk=slip.pk)
    messages.success(request, done % {"name": slip.staff.name})
    return redirect("leave:gate")
