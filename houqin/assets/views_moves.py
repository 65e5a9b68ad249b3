"""调拨 (movements), 闲置资产 (the idle pool) and 处置 (disposals).

Who: the asset managers (``assets.manage``) ask for movements and run disposals; the
school's viewers (``assets.view_all``) read them; every staff member browses the idle
pool, asks for an idle card and reads their own requests. Another school's record is a
404. Every change goes through ``services_moves``; a refusal is shown in Chinese with what
was typed kept."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from houqin.accounts.access import school_required
from houqin.approvals import services as approvals
from houqin.assets import services_moves as moves
from houqin.assets.access import MANAGE, VIEW_ALL, VIEW_OWN, sees_all
from houqin.assets.forms_moves import (
    AppraisalForm,
    CancelForm,
    DisposalForm,
    IdleFilterForm,
    IdleRequestForm,
    MovementForm,
    WriteOffForm,
)
from houqin.assets.models import (
    Asset,
    Disposal,
    DisposalMethod,
    DisposalStatus,
    Movement,
    MovementKind,
    MovementLine,
    MovementStatus,
    Status,
)
from houqin.assets.services import AssetError
from houqin.assets.view_helpers import save_form
from houqin.core.htmx import render_page

PER_PAGE = 30


def _page(request, queryset):
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


def _status_counts(queryset):
    return dict(queryset.order_by().values_list("status").annotate(n=Count("pk")))


# ---------------------------------------------------------------------------------------
# 闲置资产


def _idle_cards(school):
    open_line = MovementLine.objects.filter(asset=OuterRef("pk"), is_open=True)
    return Asset.objects.filter(school=school, status=Status.IDLE).annotate(
        requested=Exists(open_line)
    )


@school_required(perm=VIEW_OWN)
def idle_pool(request):
    """The school's idle cards, for any department to find and ask for."""
    cards = _idle_cards(request.school)
    text = (request.GET.get("q") or "").strip()
    if text:
        cards = cards.filter(
            Q(name__icontains=text)
            | Q(name_initials__startswith=text.lower())
            | Q(number__istartswith=text)
        )
    code = (request.GET.get("category") or "").strip()
    if code:
        cards = cards.filter(category__code__startswith=code)
    building = request.GET.get("building") or ""
    if building.isdigit():
        cards = cards.filter(place__building_id=building)
    cards = cards.select_related("category", "place__building", "using_department")
    context = {
        "page": _page(request, cards.order_by("name", "pk")),
        "filters": IdleFilterForm(request.GET, school=request.school),
        "sees_all": sees_all(request.user),
        "section": "idle",
    }
    return render_page(request, "assets/moves/idle_pool.html", context)


@school_required(perm=VIEW_OWN)
def idle_request(request, pk):
    """申请调用 one idle card: a 闲置调剂 movement to me and my department."""
    asset = _idle_cards(request.school).select_related("category", "place__building")
    asset = asset.filter(pk=pk).first()
    if asset is None:
        raise Http404
    form = IdleRequestForm(request.POST or None, school=request.school)
    done = save_form(
        request,
        form,
        lambda data: moves.movement_create(
            by=request.staff,
            kind=MovementKind.IDLE_REQUEST,
            asset_ids=[asset.pk],
            reason=data["reason"],
            to_place=data["to_place"],
        ),
        message=lambda movement: (
            _("已提交调用申请 %(number)s，等待审批。") % {"number": movement.number}
        ),
    )
    if done:
        return done
    context = {"asset": asset, "form": form, "section": "idle"}
    return render(request, "assets/moves/idle_request.html", context)


# ---------------------------------------------------------------------------------------
# 调拨


def visible_movements(request):
    movements = Movement.objects.filter(school=request.school)
    if sees_all(request.user):
        return movements
    return movements.filter(requested_by=request.staff)


def _movement_for(request, pk):
    movement = (
        visible_movements(request)
        .select_related("to_place__building", "to_department", "to_custodian", "requested_by")
        .filter(pk=pk)
        .first()
    )
    if movement is None:
        raise Http404
    return movement


@school_required(perm=MANAGE)
def movement_list(request):
    movements = visible_movements(request)
    counts = _status_counts(movements)
    status = request.GET.get("status") or ""
    if status in MovementStatus.values:
        movements = movements.filter(status=status)
    movements = movements.select_related(
        "requested_by", "to_place__building", "to_department", "to_custodian"
    ).annotate(line_count=Count("lines"))
    context = {
        "page": _page(request, movements.order_by("-created_at", "-pk")),
        "status": status,
        "statuses": [(v, label, counts.get(v, 0)) for v, label in MovementStatus.choices],
        "section": "movements",
    }
    return render_page(request, "assets/moves/movement_list.html", context)


def _prefill_numbers(request):
    ids = [part for part in request.GET.getlist("asset") if part.isdigit()]
    numbers = Asset.objects.filter(school=request.school, pk__in=ids).values_list(
        "number", flat=True
    )
    return "\n".join(numbers)


@school_required(perm=MANAGE)
def movement_create(request):
    kind = request.POST.get("kind") or request.GET.get("kind") or MovementKind.TRANSFER
    if kind not in (MovementKind.TRANSFER, MovementKind.RETURN_TO_STORE):
        kind = MovementKind.TRANSFER
    store = moves.store_room(request.school)
    form = MovementForm(
        request.POST or None,
        school=request.school,
        kind=kind,
        store=store,
        initial={"numbers": _prefill_numbers(request)},
    )
    done = save_form(
        request,
        form,
        lambda data: moves.movement_create(
            by=request.staff,
            kind=kind,
            asset_ids=form.asset_ids,
            reason=data["reason"],
            to_place=data.get("to_place"),
            to_department=data.get("to_department"),
            to_custodian=data.get("to_custodian"),
        ),
        message=lambda movement: (
            _("已提交调拨单 %(number)s，等待审批。") % {"number": movement.number}
        ),
    )
    if done:
        return done
    context = {
        "form": form,
        "kind": kind,
        "kind_label": MovementKind(kind).label,
        "store": store,
        "section": "movements",
    }
    return render(request, "assets/moves/movement_form.html", context)


@school_required(perm=VIEW_OWN)
def movement_detail(request, pk):
    movement = _movement_for(request, pk)
    lines = movement.lines.select_related(
        "asset__category", "from_place__building", "from_department", "from_custodian"
    )
    context = {
        "movement": movement,
        "lines": list(lines),
        "total": sum((line.original_value for line in lines), 0),
        "approval": approvals.latest_for(movement),
        "can_withdraw": movement.is_open and movement.requested_by_id == request.staff.pk,
        "sees_all": sees_all(request.user),
        "section": "movements" if request.user.has_perm(MANAGE) else "idle",
    }
    return render(request, "assets/moves/movement_detail.html", context)


@require_POST
@school_required(perm=VIEW_OWN)
def movement_withdraw(request, pk):
    movement = _movement_for(request, pk)
    try:
        moves.movement_withdraw(movement, by=request.staff)
    except AssetError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已撤回调拨单 %(number)s。") % {"number": movement.number})
    return redirect(movement)


# ---------------------------------------------------------------------------------------
# 处置


def _disposal_for(request, pk):
    disposal = (
        Disposal.objects.filter(school=request.school, pk=pk)
        .select_related("requested_by", "written_off_by")
        .first()
    )
    if disposal is None:
        raise Http404
    return disposal


@school_required(perm=MANAGE)
def disposal_list(request):
    disposals = Disposal.objects.filter(school=request.school)
    counts = _status_counts(disposals)
    status = request.GET.get("status") or ""
    if status in DisposalStatus.values:
        disposals = disposals.filter(status=status)
    disposals = disposals.select_related("requested_by").annotate(line_count=Count("lines"))
    context = {
        "page": _page(request, disposals.order_by("-created_at", "-pk")),
        "status": status,
        "statuses": [(v, label, counts.get(v, 0)) for v, label in DisposalStatus.choices],
        "section": "disposals",
    }
    return render_page(request, "assets/moves/disposal_list.html", context)


@school_required(perm=MANAGE)
def disposal_create(request):
    method = request.GET.get("method") or ""
    initial = {
        "numbers": _prefill_numbers(request),
        "method": method if method in DisposalMethod.values else "",
    }
    form = DisposalForm(request.POST or None, school=request.school, initial=initial)
    done = save_form(
        request,
        form,
        lambda data: moves.disposal_create(
            by=request.staff,
            method=data["method"],
            asset_ids=form.asset_ids,
            reason=data["reason"],
        ),
        message=lambda disposal: (
            _("已建处置单 %(number)s，资产已标为待处置。请上传材料并送技术鉴定。")
            % {"number": disposal.number}
        ),
    )
    return done or render(
        request, "assets/moves/disposal_form.html", {"form": form, "section": "disposals"}
    )


@school_required(perm=VIEW_ALL)
def disposal_detail(request, pk):
    return _disposal_detail(request, _disposal_for(request, pk))


def _disposal_detail(request, disposal, *, forms=None):
    lines = list(disposal.lines.select_related("asset__category", "asset__place__building"))
    can_manage = request.user.has_perm(MANAGE)
    forms = forms or {}
    if can_manage:
        if disposal.status == DisposalStatus.APPRAISING:
            forms.setdefault("appraisal", AppraisalForm())
        if disposal.status in (DisposalStatus.DRAFT, DisposalStatus.APPRAISING):
            forms.setdefault("cancel", CancelForm())
        if disposal.status == DisposalStatus.APPROVED:
            forms.setdefault("write_off", WriteOffForm())
    context = {
        "disposal": disposal,
        "lines": lines,
        "totals": {
            name: sum((getattr(line, name) for line in lines), 0)
            for name in ("original_value", "accumulated_depreciation", "net_value")
        },
        "approval": approvals.latest_for(disposal),
        "can_manage": can_manage,
        "needs_proof": disposal.method == DisposalMethod.LOSS,
        "forms": forms,
        "section": "disposals",
    }
    return render(request, "assets/moves/disposal_detail.html", context)


@require_POST
@school_required(perm=MANAGE)
def disposal_start_appraisal(request, pk):
    disposal = _disposal_for(request, pk)
    try:
        moves.disposal_start_appraisal(disposal, by=request.staff)
    except AssetError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已送技术鉴定。鉴定后请填写鉴定结论并提交审批。"))
    return redirect(disposal)


@require_POST
@school_required(perm=MANAGE)
def disposal_submit(request, pk):
    disposal = _disposal_for(request, pk)
    form = AppraisalForm(request.POST)
    done = save_form(
        request,
        form,
        lambda data: moves.disposal_submit(
            disposal,
            by=request.staff,
            appraiser=data["appraiser"],
            appraised_on=data["appraised_on"],
            conclusion=data["conclusion"],
        ),
        message=_("已提交审批。"),
        to=disposal,
    )
    return done or _disposal_detail(request, disposal, forms={"appraisal": form})


@require_POST
@school_required(perm=MANAGE)
def disposal_cancel(request, pk):
    disposal = _disposal_for(request, pk)
    form = CancelForm(request.POST)
    done = save_form(
        request,
        form,
        lambda data: moves.disposal_cancel(disposal, by=request.staff, reason=data["reason"]),
        message=_("已撤销处置单，资产已恢复原状态。"),
        to=disposal,
    )
    return done or _disposal_detail(request, disposal, forms={"cancel": form})


@require_POST
@school_required(perm=MANAGE)
def disposal_write_off(request, pk):
    disposal = _disposal_for(request, pk)
    form = WriteOffForm(request.POST)
    done = save_form(
        request,
        form,
        lambda data: moves.disposal_write_off(
            disposal,
            by=request.staff,
            written_off_on=data["written_off_on"],
            note=data["note"],
        ),
        message=_("已核销，资产已转为已处置。"),
        to=disposal,
    )
    return done or _disposal_detail(request, disposal, forms={"write_off": form})
