"""Flow administration (``approvals.manage_flows``): the school's flows by kind, a flow
with its conditions and ordered steps, archive and restore, and 试算 — which flow a
request would take and who each step would go to."""

from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Prefetch, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from houqin.accounts.access import get_for_user, school_required
from houqin.approvals import kinds as registry
from houqin.approvals.forms import (
    ArchivedFilterForm,
    FlowForm,
    FlowStepFormSet,
    NewFlowStepFormSet,
    SimulateForm,
)
from houqin.approvals.models import ApprovalError, Flow, FlowStep
from houqin.approvals.routing import plan, request_facts
from houqin.core.forms import ArchiveForm
from houqin.core.views import archive_from_post, restore_from_post

MANAGE = "approvals.manage_flows"
STEP_PREFIX = "steps"


def _flows(request):
    steps = FlowStep.objects.select_related("person").order_by("order", "pk")
    return Flow.objects.for_user(request.user).prefetch_related(Prefetch("steps", queryset=steps))


@school_required(perm=MANAGE)
def flow_list(request):
    filters = ArchivedFilterForm(request.GET or None)
    show_archived = filters.is_valid() and filters.cleaned_data["archived"]
    flows = _flows(request).order_by("kind", "priority", "pk")
    if not show_archived:
        flows = flows.filter(is_active=True)
    by_kind = {}
    for flow in flows:
        by_kind.setdefault(flow.kind, []).append(flow)
    groups = [(kind, by_kind.pop(kind.code, [])) for kind in registry.all_kinds()]
    # Flows of a kind no module registers any more stay visible, to be archived.
    groups += [(registry.Kind(code, code), rows) for code, rows in by_kind.items()]
    return render(
        request,
        "approvals/flows/flow_list.html",
        {"groups": groups, "show_archived": show_archived},
    )


@school_required(perm=MANAGE)
def flow_detail(request, pk):
    flow = get_for_user(request, _flows(request).select_related("archived_by"), pk)
    context = {"flow": flow, "archive_form": ArchiveForm(), "history": _flow_history(flow)}
    return render(request, "approvals/flows/flow_detail.html", context)


def _flow_history(flow, limit=50):
    """The flow's own changes and its steps' (added, changed, removed), newest first."""
    entries = (
        LogEntry.objects.filter(
            Q(content_type=ContentType.objects.get_for_model(Flow), object_pk=str(flow.pk))
            | Q(
                content_type=ContentType.objects.get_for_model(FlowStep),
                additional_data__flow_id=flow.pk,
            )
        )
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")[:limit]
    )
    return [
        {
            "entry": entry,
            "is_step": entry.content_type.model == "flowstep",
            "changes": [
                {"field": field, "old": old, "new": new}
                for field, (old, new) in entry.changes_display_dict.items()
            ],
        }
        for entry in entries
    ]


@school_required(perm=MANAGE)
def flow_create(request):
    kind = request.GET.get("kind")
    initial = {"kind": kind} if registry.get_kind(kind or "") else {}
    return _flow_form(request, Flow(school=request.school), initial)


@school_required(perm=MANAGE)
def flow_edit(request, pk):
    return _flow_form(request, get_for_user(request, Flow, pk), {})


def _flow_form(request, flow, initial):
    school = request.school
    step_kwargs = {"instance": flow, "prefix": STEP_PREFIX, "form_kwargs": {"school": school}}
    if request.method == "POST":
        form = FlowForm(request.POST, instance=flow, school=school)
        if "add_step" in request.POST:
            # One more empty row; everything typed so far stays as it was.
            data = request.POST.copy()
            total = f"{STEP_PREFIX}-TOTAL_FORMS"
            rows = data.get(total) or ""
            data[total] = str(int(rows) + 1) if rows.isdecimal() else "1"
            steps = FlowStepFormSet(data, **step_kwargs)
            return _render_flow_form(request, flow, form, steps)
        steps = FlowStepFormSet(request.POST, **step_kwargs)
        if form.is_valid() and steps.is_valid():
            with transaction.atomic():
                flow = form.save(commit=False)
                flow.school = school
                flow.save()
                _save_steps(flow, steps)
            messages.success(request, _("已保存审批流程“%(name)s”。") % {"name": flow.name})
            return redirect("approvals:flow_detail", pk=flow.pk)
    else:
        form = FlowForm(instance=flow, school=school, initial=initial)
        # A new flow starts with one empty step row to fill in.
        steps = (FlowStepFormSet if flow.pk else NewFlowStepFormSet)(**step_kwargs)
    return _render_flow_form(request, flow, form, steps)


def _save_steps(flow, steps):
    """Removed steps go; the others are numbered 1, 2, 3… in the order the form gives."""
    for form in steps.deleted_forms:
        if form.instance.pk:
            form.instance.delete()
    kept = [form for form in steps.ordered_forms if form.cleaned_data.get("approver_type")]
    for number, form in enumerate(kept, start=1):
        step = form.save(commit=False)
        step.flow = flow
        step.order = number
        step.save()


def _render_flow_form(request, flow, form, steps):
    kind = registry.get_kind(form["kind"].value() or "")
    context = {
        "flow": flow,
        "form": form,
        "steps": steps,
        "kind": kind,
        "kind_facts": {k.code: list(k.facts) for k in registry.all_kinds()},
    }
    return render(request, "approvals/flows/flow_form.html", context)


@require_POST
@school_required(perm=MANAGE)
def flow_archive(request, pk):
    flow = get_for_user(request, Flow, pk)
    archive_from_post(request, flow, label=flow.name)
    return redirect("approvals:flow_detail", pk=flow.pk)


@require_POST
@school_required(perm=MANAGE)
def flow_restore(request, pk):
    flow = get_for_user(request, Flow, pk)
    restore_from_post(request, flow, label=flow.name)
    return redirect("approvals:flow_detail", pk=flow.pk)


@school_required(perm=MANAGE)
def flow_simulate(request):
    """试算: the flow a request would take, and who each step would go to, without
    submitting anything."""
    form = SimulateForm(request.GET or None, school=request.school)
    result = error = None
    if form.is_valid():
        requester = form.cleaned_data["requester"]
        facts = request_facts(requester, form.facts())
        try:
            result = plan(
                school=request.school,
                kind=form.cleaned_data["kind"],
                facts=facts,
                requester=requester,
            )
        except ApprovalError as refusal:
            error = refusal.message
    return render(
        request,
        "approvals/flows/simulate.html",
        {"form": form, "result": result, "error": error},
    )
