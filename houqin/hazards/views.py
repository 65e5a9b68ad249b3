"""The hazard screens: 隐患上报 (from a scan, the place picker or a repair), 我上报的,
我的整改, the managers' 隐患台账 with filters, and one hazard with its plan, photos, the
patrol answers that found it, its timeline and the actions each person may take.

Every change goes through ``services``; a refusal (``HazardError``) is shown in Chinese
with what was typed kept."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from houqin.accounts.access import school_required
from houqin.core.audit import history_for
from houqin.core.htmx import render_page
from houqin.core.pages import done_tab, photos_lost, visible_place
from houqin.hazards import services
from houqin.hazards.access import get_visible_or_404, is_manager, visible_hazards
from houqin.hazards.forms import (
    DOMAIN_OF_CATEGORY,
    AssignForm,
    PlanForm,
    RectifyForm,
    RegisterFilterForm,
    RegradeForm,
    ReportForm,
    ToRepairForm,
    VerifyForm,
    VoidForm,
)
from houqin.hazards.models import (
    OPEN_STATUSES,
    TO_FIX_STATUSES,
    Grade,
    Hazard,
    HazardPlan,
    Source,
    Status,
    overdue_q,
)
from houqin.hazards.services import HazardError
from houqin.qr.registry import scan_url
from houqin.repairs.access import visible_requests
from houqin.repairs.models import Urgency

REPORT, MANAGE = "hazards.report", "hazards.manage"
PER_PAGE = 30
LIST_RELATED = ("place__building", "reported_by", "owner")


def _today():
    return timezone.localdate()


# ---------------------------------------------------------------------------------------
# Reporting


@school_required(perm=REPORT)
def report(request):
    """隐患上报: the place pre-filled from ``?place=<id>`` (a scan sends people here), or
    place and domain from ``?repair=<id>`` (a hazard found during a repair)."""
    can_assign = request.user.has_perm(MANAGE)
    options = {"user": request.user, "school": request.school, "can_assign": can_assign}
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES, **options)
        repair = _repair_for(request, request.POST.get("repair"))
        if form.is_valid():
            data = form.cleaned_data
            try:
                hazard = services.hazard_report(
                    school=request.school,
                    by=request.staff,
                    title=data["title"],
                    domain=data["domain"],
                    grade=data["grade"],
                    place=data["place"],
                    location_note=data["location_note"],
                    detail=data["detail"],
                    source=Source.REPAIR if repair else Source.REPORT,
                    repair=repair,
                    photos=data["photos"],
                    owner=data.get("owner"),
                    deadline=data.get("deadline"),
                )
            except HazardError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("已上报隐患，编号 %(number)s。处理进展会通知您。")
                    % {"number": hazard.number},
                )
                return redirect("hazards:detail", pk=hazard.pk)
        photos_lost(request, form)
    else:
        initial = {}
        repair = _repair_for(request, request.GET.get("repair"))
        if request.GET.get("repair") and repair is None:
            messages.error(request, _("没有找到这张报修单。"))
        if repair is not None:
            initial.update(place=repair.place_id, repair=repair.pk)
            if repair.category in DOMAIN_OF_CATEGORY:
                initial["domain"] = DOMAIN_OF_CATEGORY[repair.category]
        place_id = request.GET.get("place")
        if place_id:
            place = visible_place(request, place_id)
            if place is None:
                messages.error(request, _("没有找到这个场所，请重新选择隐患地点。"))
            else:
                initial["place"] = place.pk
        form = ReportForm(initial=initial, **options)
    context = {
        "form": form,
        "repair": repair,
        "scan_url": scan_url("hazard"),
        "can_assign": can_assign,
    }
    return render(request, "hazards/report.html", context)


def _repair_for(request, repair_id):
    """A repair request the user may see, or None (also for garbled ids)."""
    if not repair_id:
        return None
    try:
        return visible_requests(request).select_related("place").filter(pk=int(repair_id)).first()
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------------------------------
# Lists


@school_required(perm=REPORT)
def mine(request):
    """我上报的: the hazards I reported, open ones first."""
    tab = done_tab(request)
    hazards = Hazard.objects.filter(school=request.school, reported_by=request.staff)
    if tab == "open":
        hazards = hazards.filter(status__in=OPEN_STATUSES)
    else:
        hazards = hazards.exclude(status__in=OPEN_STATUSES)
    hazards = hazards.select_related(*LIST_RELATED).order_by("-reported_at", "-pk")
    context = {
        "page": Paginator(hazards, PER_PAGE).get_page(request.GET.get("page")),
        "tab": tab,
        "today": _today(),
        "section": "mine",
        "scan_url": scan_url("hazard"),
    }
    return render_page(request, "hazards/mine.html", context)


@school_required(perm=REPORT)
def tasks(request):
    """我的整改: the hazards I must rectify, the nearest deadline first."""
    tab = done_tab(request)
    today = _today()
    mine = Hazard.objects.filter(school=request.school, owner=request.staff)
    counts = mine.aggregate(
        rectifying=Count("pk", filter=Q(status=Status.RECTIFYING)),
        overdue=Count("pk", filter=overdue_q(today)),
    )
    if tab == "open":
        hazards = mine.filter(status__in=OPEN_STATUSES).order_by("deadline", "pk")
    else:
        hazards = mine.exclude(status__in=OPEN_STATUSES).order_by("-reported_at", "-pk")
    hazards = hazards.select_related(*LIST_RELATED)
    context = {
        "page": Paginator(hazards, PER_PAGE).get_page(request.GET.get("page")),
        "tab": tab,
        "counts": counts,
        "today": today,
        "section": "tasks",
    }
    return render_page(request, "hazards/tasks.html", context)


@school_required
def register(request):
    """隐患台账: the school's hazards with filters and counts."""
    if not is_manager(request.user):
        raise PermissionDenied
    today = _today()
    filters = RegisterFilterForm(request.GET or None, user=request.user, school=request.school)
    visible = visible_hazards(request)
    hazards = filters.filter(visible, today=today)
    hazards = hazards.select_related(*LIST_RELATED).order_by("-reported_at", "-pk")
    counts = visible.aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        unassigned=Count("pk", filter=Q(status=Status.REPORTED)),
        to_verify=Count("pk", filter=Q(status=Status.RECTIFIED)),
        overdue=Count("pk", filter=overdue_q(today)),
        major=Count("pk", filter=Q(status__in=OPEN_STATUSES, grade=Grade.MAJOR)),
    )
    context = {
        "filters": filters,
        "page": Paginator(hazards, PER_PAGE).get_page(request.GET.get("page")),
        "counts": counts,
        "today": today,
        "section": "register",
    }
    return render_page(request, "hazards/register.html", context)


# ---------------------------------------------------------------------------------------
# One hazard


def _hazard_for(request, pk):
    queryset = Hazard.objects.select_related(
        "place__building",
        "place__campus",
        "reported_by__department",
        "owner",
        "rectified_by",
        "verified_by",
        "repair",
    )
    return get_visible_or_404(request, pk, queryset)


@school_required(perm=REPORT)
def detail(request, pk):
    return _detail(request, _hazard_for(request, pk))


def _plan(hazard):
    try:
        return hazard.plan
    except HazardPlan.DoesNotExist:
        return None


def _roles(request, hazard, plan):
    staff, user = request.staff, request.user
    manage = user.has_perm(MANAGE)
    is_owner = staff.pk == hazard.owner_id
    status = hazard.status
    to_fix = status in TO_FIX_STATUSES
    repair_open = services.repair_is_open(hazard)
    can_rectify = (is_owner and status == Status.RECTIFYING) or (manage and to_fix)
    rectify_blocked = ""
    if can_rectify and hazard.is_major and plan is None:
        rectify_blocked = _("重大隐患须先填写整改方案，才能登记整改。")
    elif can_rectify and repair_open:
        rectify_blocked = _("关联的报修单 %(number)s 还没有修好，修好后才能登记整改。") % {
            "number": hazard.repair.number
        }
    waiting = manage and status == Status.RECTIFIED
    verify_blocked = ""
    if waiting and repair_open:
        verify_blocked = _("关联的报修单 %(number)s 还没有修好，不能销号。") % {
            "number": hazard.repair.number
        }
    elif (
        waiting
        and hazard.source == Source.BLIND_SPOT
        and not services.place_is_covered(hazard.place)
    ):
        verify_blocked = _("该场所还没有正常工作的摄像头覆盖，监控盲区不能销号。")
    return {
        "manage": manage,
        "is_owner": is_owner,
        "can_assign": manage and to_fix,
        "can_regrade": manage and hazard.is_open,
        "can_plan": hazard.is_major and to_fix and (manage or is_owner),
        "can_to_repair": (manage or is_owner)
        and to_fix
        and hazard.place_id is not None
        and not repair_open,
        "can_rectify": can_rectify,
        "rectify_blocked": rectify_blocked,
        "can_verify": waiting and staff.pk != hazard.rectified_by_id,
        "verify_blocked": verify_blocked,
        "own_rectification": waiting and staff.pk == hazard.rectified_by_id,
        "can_void": manage and hazard.is_open,
    }


def _detail(request, hazard, forms=None, *, open_panel=""):
    school = request.school
    plan = _plan(hazard)
    roles = _roles(request, hazard, plan)
    defaults = {
        "assign": lambda: AssignForm(
            initial={"owner": hazard.owner_id, "deadline": hazard.deadline}, school=school
        ),
        "regrade": lambda: RegradeForm(
            initial={"grade": Grade.GENERAL if hazard.is_major else Grade.MAJOR}
        ),
        "plan": lambda: PlanForm(instance=plan or HazardPlan(hazard=hazard)),
        "to_repair": lambda: ToRepairForm(
            initial={"description": hazard.title[:500], "urgency": Urgency.URGENT}
        ),
        "rectify": RectifyForm,
        "verify": VerifyForm,
        "void": VoidForm,
    }
    wanted = {
        "assign": roles["can_assign"],
        "regrade": roles["can_regrade"],
        "plan": roles["can_plan"],
        "to_repair": roles["can_to_repair"],
        "rectify": roles["can_rectify"] and not roles["rectify_blocked"],
        "verify": roles["can_verify"],
        "void": roles["can_void"],
    }
    forms = forms or {}
    for name, form in forms.items():
        # A refused action whose form this person is not shown: say why at the top.
        if not wanted[name]:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
    for name, make in defaults.items():
        if wanted[name]:
            forms.setdefault(name, make())
    answers = list(
        hazard.answers.select_related("round__patroller", "item", "place").order_by(
            "answered_at", "pk"
        )
    )
    today = _today()
    is_open = hazard.is_open
    context = {
        "hazard": hazard,
        "plan": plan,
        "events": hazard.timeline(),
        "answers": answers,
        "forms": forms,
        "open_panel": open_panel,
        "today": today,
        "overdue": hazard.is_overdue(today),
        "history": history_for(hazard) if is_manager(request.user) else None,
        "found_readonly": not is_open,
        "after_readonly": not is_open or not (roles["is_owner"] or roles["manage"]),
        "verify_readonly": not is_open or not roles["manage"],
        **roles,
    }
    return render(request, "hazards/detail.html", context)


def _assign(hazard, by, d):
    services.hazard_assign(hazard, by=by, owner=d["owner"], deadline=d["deadline"], note=d["note"])
    return _("已指派%(name)s整改。") % {"name": d["owner"].name}


def _regrade(hazard, by, d):
    services.hazard_regrade(hazard, by=by, grade=d["grade"], note=d["note"])
    if hazard.is_major:
        return _("已调整为重大隐患，并已报告校长。")
    return _("已调整隐患等级。")


def _save_plan(hazard, by, d):
    services.hazard_save_plan(hazard, by=by, **d)
    return _("已保存整改方案。")


def _to_repair(hazard, by, d):
    repair = services.hazard_to_repair(
        hazard,
        by=by,
        category=d["category"],
        description=d["description"],
        urgency=d["urgency"],
    )
    return _("已转报修，报修单号 %(number)s。修好后才能登记整改。") % {"number": repair.number}


def _rectify(hazard, by, d):
    services.hazard_rectify(hazard, by=by, note=d["note"], photos=d["photos"])
    return _("已登记整改完成，等待验证。")


def _verify(hazard, by, d):
    services.hazard_verify(hazard, by=by, passed=d["passed"], note=d["note"], photos=d["photos"])
    if d["passed"]:
        return _("验证通过，隐患已销号。")
    return _("验证未通过，已退回整改。")


def _void(hazard, by, d):
    services.hazard_void(hazard, by=by, reason=d["reason"])
    return _("已作废这条隐患。")


def _school_form(form_class):
    return lambda request, hazard, data, files: form_class(data, school=request.school)


def _plain_form(form_class):
    return lambda request, hazard, data, files: form_class(data, files)


# Each action: (permission beyond hazards.report, its form, the call that returns the
# success message). Owner-or-manager actions carry no permission: the service decides.
ACTIONS = {
    "assign": (MANAGE, _school_form(AssignForm), _assign),
    "regrade": (MANAGE, _plain_form(RegradeForm), _regrade),
    # A fresh instance: a refused plan must not show on the page as if saved.
    "plan": (
        None,
        lambda request, hazard, data, files: PlanForm(data, instance=HazardPlan(hazard=hazard)),
        _save_plan,
    ),
    "to_repair": (None, _plain_form(ToRepairForm), _to_repair),
    "rectify": (None, _plain_form(RectifyForm), _rectify),
    "verify": (MANAGE, _plain_form(VerifyForm), _verify),
    "void": (MANAGE, _plain_form(VoidForm), _void),
}


@require_POST
@school_required(perm=REPORT)
def act(request, pk, action):
    perm, make_form, call = ACTIONS[action]
    hazard = _hazard_for(request, pk)
    if perm and not request.user.has_perm(perm):
        raise PermissionDenied
    form = make_form(request, hazard, request.POST, request.FILES)
    if form.is_valid():
        data = form.plan_kwargs() if isinstance(form, PlanForm) else form.cleaned_data
        try:
            message = call(hazard, request.staff, data)
        except HazardError as error:
            form.add_error(None, str(error))
            hazard = _hazard_for(request, pk)
        else:
            messages.success(request, message)
            return redirect("hazards:detail", pk=hazard.pk)
    if "photos" in form.fields:
        photos_lost(request, form)
    return _detail(request, hazard, {action: form}, open_panel=action)
