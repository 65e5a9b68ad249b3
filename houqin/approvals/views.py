"""Requests: what waits for me, what I decided, what I asked for; one request with its
steps and history, and the buttons to decide it; delegations while someone is away."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from houqin.accounts.access import get_for_user, school_required, staff_of
from houqin.approvals import services
from houqin.approvals.forms import DecisionForm, DelegationForm
from houqin.approvals.models import (
    ApprovalAction,
    ApprovalError,
    ApprovalRequest,
    Delegation,
    RequestStatus,
    RequestStep,
)
from houqin.approvals.work import awaiting
from houqin.core.htmx import render_page

MANAGE = "approvals.manage_flows"
PER_PAGE = 30


def staff_required(view):
    """Signed in as a person of a school, or a district officer who approves a step."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        staff = staff_of(request.user)
        if staff is None:
            raise PermissionDenied
        request.staff, request.school = staff, staff.school
        return view(request, *args, **kwargs)

    return wrapper


def visible_requests(request):
    """Requests the user may open: their own, those they approve or approved, those
    waiting for someone who delegated to them; every one of the school for those who
    manage the flows. Never another school's (nor, for a district officer, another
    district's)."""
    staff = request.staff
    if staff.school_id:
        requests = ApprovalRequest.objects.filter(school_id=staff.school_id)
        if request.user.has_perm(MANAGE):
            return requests
    else:
        requests = ApprovalRequest.objects.filter(school__district_id=staff.district_id)
    involved = Q(requester=staff) | Q(steps__approvers=staff) | Q(steps__acted_by=staff)
    for delegation in Delegation.objects.acting_for(staff):
        # Only the kinds delegated: a delegate for leave does not read purchases.
        rule = Q(status=RequestStatus.PENDING, steps__approvers=delegation.from_staff_id)
        if delegation.kinds:
            rule &= Q(kind__in=delegation.kinds)
        involved |= rule
    ids = requests.filter(involved).values("pk")
    return ApprovalRequest.objects.filter(pk__in=ids)


# ---------------------------------------------------------------------------------------
# Lists


@staff_required
def inbox(request):
    """待我审批: oldest first, delegated ones marked."""
    staff = request.staff
    own = RequestStep.approvers.through.objects.filter(requeststep_id=OuterRef("pk"), staff=staff)
    steps = (
        awaiting(staff)
        .select_related("request__requester__department", "request__school")
        .annotate(is_mine=Exists(own))
    )
    page = Paginator(steps, PER_PAGE).get_page(request.GET.get("page"))
    return render_page(request, "approvals/inbox.html", {"page": page, "tab": "inbox"})


@staff_required
def done(request):
    """我已审批: the steps I decided, newest first."""
    steps = (
        RequestStep.objects.filter(acted_by=request.staff)
        .select_related("request__requester", "on_behalf_of")
        .order_by("-acted_at", "-pk")
    )
    page = Paginator(steps, PER_PAGE).get_page(request.GET.get("page"))
    return render_page(request, "approvals/done.html", {"page": page, "tab": "done"})


@school_required
def mine(request):
    """我发起的: my requests with where each one stands."""
    requests = (
        ApprovalRequest.objects.filter(school=request.school, requester=request.staff)
        .select_related("current_step")
        .prefetch_related("current_step__approvers")
        .order_by("-submitted_at", "-pk")
    )
    page = Paginator(requests, PER_PAGE).get_page(request.GET.get("page"))
    return render_page(request, "approvals/mine.html", {"page": page, "tab": "mine"})


# ---------------------------------------------------------------------------------------
# One request


def _request_for(request, pk):
    queryset = visible_requests(request).select_related(
        "requester__department", "flow", "school", "current_step", "subject_type"
    )
    try:
        return queryset.get(pk=pk)
    except (ApprovalRequest.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@staff_required
def request_detail(request, pk):
    approval = _request_for(request, pk)
    return _detail(request, approval, DecisionForm())


def _detail(request, approval, form):
    staff = request.staff
    people = ("approvers",)
    steps = list(
        approval.steps.select_related("acted_by", "on_behalf_of").prefetch_related(*people)
    )
    actions = ApprovalAction.objects.filter(request=approval).select_related(
        "actor", "on_behalf_of", "step"
    )
    decision = services.may_decide(approval, staff)
    is_requester = staff.pk == approval.requester_id
    next_up = None
    if decision is None:
        next_up = (
            awaiting(staff).exclude(request=approval).order_by("request__submitted_at").first()
        )
    context = {
        "approval": approval,
        "current_steps": [s for s in steps if s.round == approval.round],
        "earlier_steps": [s for s in steps if s.round != approval.round],
        "actions": actions,
        "decision": decision,
        "form": form,
        "can_withdraw": is_requester and approval.is_open,
        "can_resubmit": is_requester and approval.status == RequestStatus.RETURNED,
        "subject_url": approval.subject_url(),
        "next_up": next_up,
    }
    return render(request, "approvals/request_detail.html", context)


DONE_MESSAGES = {
    "approve": gettext_lazy("已同意。"),
    "reject": gettext_lazy("已签署不同意意见。"),
    "return": gettext_lazy("已退回申请人修改。"),
    "withdraw": gettext_lazy("已撤回申请。"),
    "resubmit": gettext_lazy("已重新提交。"),
}


@require_POST
@staff_required
def request_act(request, pk):
    """Approve, reject, send back (approvers); withdraw, resubmit (the requester)."""
    approval = _request_for(request, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _detail(request, approval, form)
    action, comment = form.cleaned_data["action"], form.cleaned_data["comment"]
    try:
        with transaction.atomic():
            approval = _act(approval, action, request.staff, comment, form.cleaned_data["step"])
    except ApprovalError as error:
        # Say why, and keep what was typed: the request may have moved on meanwhile.
        form.add_error(None, error.message)
        return _detail(request, _request_for(request, pk), form)
    messages.success(request, DONE_MESSAGES[action])
    return redirect("approvals:request_detail", pk=approval.pk)


def _act(approval, action, by, comment, shown_step):
    if action in ("approve", "reject", "return") and shown_step:
        # Someone else may have decided the step shown while the page was open: the
        # click was meant for that step, not for the one after it.
        current = (
            ApprovalRequest.objects.select_for_update()
            .filter(pk=approval.pk)
            .values_list("current_step_id", flat=True)
            .get()
        )
        if current != shown_step:
            raise ApprovalError(_("这个申请已有新的进展，请查看最新情况后再办理。"))
    if action == "approve":
        return services.approve(approval, by=by, comment=comment)
    if action == "reject":
        return services.reject(approval, by=by, comment=comment)
    if action == "return":
        return services.send_back(approval, by=by, comment=comment)
    if action == "withdraw":
        return services.withdraw(approval, by=by, comment=comment)
    return services.resubmit(approval, by=by, comment=comment)


# ---------------------------------------------------------------------------------------
# Delegations


@school_required
def delegation_list(request):
    """Who approves for me while I am away (and whom I approve for). Those who manage
    the flows may set one up for anybody, and see the school's."""
    staff = request.staff
    manager = request.user.has_perm(MANAGE)
    form_kwargs = {"school": request.school, "staff": staff, "for_others": manager}
    if request.method == "POST":
        form = DelegationForm(request.POST, **form_kwargs)
        if form.is_valid():
            with transaction.atomic():
                delegation = form.save(commit=False)
                delegation.school = request.school
                delegation.created_by = staff
                delegation.save()
            messages.success(
                request,
                _("已设置：%(from)s 不在时，由 %(to)s 代为审批。")
                % {"from": delegation.from_staff.name, "to": delegation.to_staff.name},
            )
            return redirect("approvals:delegation_list")
    else:
        form = DelegationForm(**form_kwargs)
    delegations = Delegation.objects.filter(school=request.school).select_related(
        "from_staff", "to_staff", "created_by"
    )
    if not manager:
        delegations = delegations.filter(Q(from_staff=staff) | Q(to_staff=staff))
    page = Paginator(delegations.order_by("-start", "-pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {"form": form, "page": page, "manager": manager, "tab": "delegations"}
    return render(request, "approvals/delegations.html", context)


@require_POST
@school_required
def delegation_end(request, pk):
    delegation = get_for_user(request, Delegation, pk)
    staff = request.staff
    if staff.pk not in (delegation.from_staff_id, delegation.created_by_id) and not (
        request.user.has_perm(MANAGE)
    ):
        raise PermissionDenied
    if not delegation.is_over:
        delegation.end_now()
        messages.success(request, _("已结束这项代理。"))
    return redirect("approvals:delegation_list")
