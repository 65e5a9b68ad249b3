"""Stocktake screens: the list, the form, the page with progress per room, the
counters, the phone page that counts offline (with its sync endpoint), the differences
and their review, and the exports. Function views: parse → access → one call → render."""

import json

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Max, Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from houqin.accounts.access import school_required
from houqin.approvals.services import latest_for
from houqin.assets.models import Asset
from houqin.core.htmx import render_page
from houqin.org.models import Place
from houqin.qr.models import QrCode
from houqin.stocktakes import export, services
from houqin.stocktakes.access import get_visible_or_404, sees_all, visible_stocktakes
from houqin.stocktakes.forms import CancelForm, CounterForm, DifferenceForm, StocktakeForm
from houqin.stocktakes.models import (
    Counter,
    Difference,
    Line,
    Scan,
    ScanPhoto,
    Status,
    Stocktake,
)

# The detail page shows the latest photos; the differences page shows each one's.
DETAIL_PHOTOS = 12

MANAGE = "assets.manage"
VIEW_OWN = "assets.view_own"


def _manager_or_403(request):
    if not request.user.has_perm(MANAGE):
        raise PermissionDenied


@school_required(perm=VIEW_OWN)
def stocktake_list(request):
    if not sees_all(request.user):
        return redirect("stocktakes:mine")
    stocktakes = visible_stocktakes(request).select_related("created_by")
    status = request.GET.get("status", "")
    if status in Status.values:
        stocktakes = stocktakes.filter(status=status)
    page = Paginator(stocktakes.order_by("-base_date", "-id"), 30).get_page(request.GET.get("page"))
    context = {"page": page, "status": status, "statuses": Status.choices}
    return render_page(request, "stocktakes/list.html", context)


@school_required(perm=VIEW_OWN)
def mine(request):
    """我的盘点: the open stocktakes the user counts."""
    stocktakes = (
        Stocktake.objects.filter(school=request.school, counters__staff=request.staff)
        .filter(status__in=[Status.DRAFT, Status.COUNTING])
        .order_by("-base_date", "-id")
    )
    return render(request, "stocktakes/mine.html", {"stocktakes": stocktakes})


def _scope_kwargs(form):
    return {
        "campuses": list(form.cleaned_data["campuses"]),
        "buildings": list(form.cleaned_data["buildings"]),
        "departments": list(form.cleaned_data["departments"]),
    }


def _values(form):
    return {k: form.cleaned_data[k] for k in ("name", "base_date", "method_note")}


@school_required(perm=MANAGE)
def create(request):
    form = StocktakeForm(request.POST or None, school=request.school)
    if request.method == "POST" and form.is_valid():
        try:
            stocktake = services.stocktake_save(
                Stocktake(), by=request.staff, values=_values(form), **_scope_kwargs(form)
            )
        except services.StocktakeError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("盘点已创建，请指定盘点人后开始盘点。"))
            return redirect(stocktake)
    return render(request, "stocktakes/form.html", {"form": form})


@school_required(perm=VIEW_OWN)
def edit(request, pk):
    stocktake = get_visible_or_404(request, pk)
    _manager_or_403(request)
    form = StocktakeForm(request.POST or None, instance=stocktake, school=request.school)
    if request.method == "POST" and form.is_valid():
        try:
            services.stocktake_save(
                stocktake, by=request.staff, values=_values(form), **_scope_kwargs(form)
            )
        except services.StocktakeError as error:
            form.add_error(None, str(error))
        else:
            return redirect(stocktake)
    return render(request, "stocktakes/form.html", {"form": form, "stocktake": stocktake})


def progress_by_room(stocktake):
    """Expected / found / missing per room (one query), rooms grouped by building."""
    rows = (
        Line.objects.filter(stocktake=stocktake)
        .values(
            "expected_place_id",
            "expected_place__name",
            "expected_place__building__name",
        )
        .annotate(
            expected=Count("pk"),
            found=Count("pk", filter=Q(counted_at__isnull=False)),
            here=Count("pk", filter=Q(found_place_id=F("expected_place_id"))),
        )
        .order_by("expected_place__building__name", "expected_place__name")
    )
    buildings = {}
    for row in rows:
        name = row["expected_place__building__name"] or _("未登记地点")
        building = buildings.setdefault(
            name, {"name": name, "expected": 0, "found": 0, "rooms": []}
        )
        row["missing"] = row["expected"] - row["found"]
        building["expected"] += row["expected"]
        building["found"] += row["found"]
        building["rooms"].append(row)
    for building in buildings.values():
        building["missing"] = building["expected"] - building["found"]
    return list(buildings.values())


@school_required(perm=VIEW_OWN)
def detail(request, pk):
    stocktake = get_visible_or_404(request, pk)
    counters = list(stocktake.counters.select_related("staff").prefetch_related("buildings"))
    # What each counter's phone has sent: before ending the count, the office can see
    # who has synced lately (scans still on a phone are refused once counting ends).
    sent = {
        row["counted_by"]: row
        for row in Scan.objects.filter(stocktake=stocktake)
        .values("counted_by")
        .annotate(scans=Count("id"), last=Max("synced_at"))
    }
    for counter in counters:
        counter.sent = sent.get(counter.staff_id)
    progress = progress_by_room(stocktake) if stocktake.status != Status.DRAFT else []
    found = sum(b["found"] for b in progress)
    context = {
        "stocktake": stocktake,
        "counters": counters,
        "progress": progress,
        "found": found,
        "surplus_count": Scan.objects.filter(stocktake=stocktake, line__isnull=True).count(),
        "can_manage": request.user.has_perm(MANAGE),
        "can_count": stocktake.status == Status.COUNTING
        and services.can_count(request.staff, stocktake, user=request.user),
        "counter_form": CounterForm(school=request.school),
        "cancel_form": CancelForm(),
        "approval": latest_for(stocktake),
        "scope": _scope_text(stocktake),
        **_latest_photos(stocktake),
    }
    return render(request, "stocktakes/detail.html", context)


def _latest_photos(stocktake):
    photos = ScanPhoto.objects.filter(scan__stocktake=stocktake, attachment__is_active=True)
    latest = photos.select_related(
        "attachment", "scan__line__asset", "scan__place__building"
    ).order_by("-created_at", "-id")[:DETAIL_PHOTOS]
    return {"photos": list(latest), "photo_count": photos.count()}


def _attach_photos(differences):
    """Each difference's ``photo_list``: the photos of its scan (盘盈) or of the scans of
    its card (a damaged card, a card in the wrong room) — one query for the page."""
    line_ids = [d.line_id for d in differences if d.line_id]
    scan_ids = [d.scan_id for d in differences if d.scan_id]
    by_line, by_scan = {}, {}
    rows = (
        ScanPhoto.objects.filter(Q(scan__line_id__in=line_ids) | Q(scan_id__in=scan_ids))
        .filter(attachment__is_active=True)
        .select_related("attachment", "scan")
        .order_by("created_at", "id")
    )
    for photo in rows:
        if photo.scan.line_id:
            by_line.setdefault(photo.scan.line_id, []).append(photo.attachment)
        else:
            by_scan.setdefault(photo.scan_id, []).append(photo.attachment)
    for difference in differences:
        difference.photo_list = (
            by_line.get(difference.line_id, [])
            if difference.line_id
            else by_scan.get(difference.scan_id, [])
        )


def _scope_text(stocktake):
    parts = [
        *(str(c) for c in stocktake.campuses.all()),
        *(str(b) for b in stocktake.buildings.all()),
        *(str(d) for d in stocktake.departments.all()),
    ]
    return "、".join(parts) or _("全校")


def _act(request, stocktake, action, success, **kwargs):
    try:
        action(stocktake, by=request.staff, **kwargs)
    except services.StocktakeError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return redirect(stocktake)


@require_POST
@school_required(perm=VIEW_OWN)
def counter_add(request, pk):
    stocktake = get_visible_or_404(request, pk)
    _manager_or_403(request)
    form = CounterForm(request.POST, school=request.school)
    if not form.is_valid():
        messages.error(request, _("请选择盘点人。"))
        return redirect(stocktake)
    return _act(
        request,
        stocktake,
        services.counter_add,
        _("已指定盘点人。"),
        staff=form.cleaned_data["staff"],
        buildings=list(form.cleaned_data["buildings"]),
    )


@require_POST
@school_required(perm=VIEW_OWN)
def counter_remove(request, pk, counter_pk):
    stocktake = get_visible_or_404(request, pk)
    _manager_or_403(request)
    counter = get_object_or_404(Counter, stocktake=stocktake, pk=counter_pk)
    try:
        services.counter_remove(counter, by=request.staff)
    except services.StocktakeError as error:
        messages.error(request, str(error))
    return redirect(stocktake)


@require_POST
@school_required(perm=VIEW_OWN)
def start(request, pk):
    stocktake = get_visible_or_404(request, pk)
    _manager_or_403(request)
    return _act(request, stocktake, services.stocktake_start, _("已开始盘点，账面已生成快照。"))


@require_POST
@school_required(perm=VIEW_OWN)
def end(request, pk):
    stocktake = get_visible_or_404(request, pk)
    _manager_or_403(request)
    try:
        services.stocktake_end_counting(stocktake, by=request.staff)
    except services.StocktakeError as error:
        messages.error(request, str(error))
        return redirect(stocktake)
    messages.success(request, _("盘点已结束，请复核差异。"))
    return redirect("stocktakes:differences", pk=stocktake.pk)


@require_POST
@school_required(perm=VIEW_OWN)
def submit(request, pk):
    stocktake = get_visible_or_404(request, pk)
    _manager_or_403(request)
    return _act(request, stocktake, services.stocktake_submit, _("盘点结果已提交审批。"))


@require_POST
@school_required(perm=VIEW_OWN)
def cancel(request, pk):
    stocktake = get_visible_or_404(request, pk)
    _manager_or_403(request)
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _act(request, stocktake, services.stocktake_cancel, _("盘点已取消。"), reason=reason)


# --- counting on the phone -----------------------------------------------------------


def _counter_or_403(request, stocktake):
    if not services.can_count(request.staff, stocktake, user=request.user):
        raise PermissionDenied


def count_payload(stocktake, staff):
    """Everything the phone needs to count offline: the rooms it may choose (with their
    QR tokens) and every line of the stocktake (number, name, label token, book room), so
    a card found in the wrong room is still recognised."""
    counter = Counter.objects.filter(stocktake=stocktake, staff=staff).first()
    building_ids = list(counter.buildings.values_list("pk", flat=True)) if counter else []
    lines = Line.objects.filter(stocktake=stocktake)
    asset_type = ContentType.objects.get_for_model(Asset)
    tokens = dict(
        QrCode.objects.filter(
            school_id=stocktake.school_id,
            content_type=asset_type,
            object_id__in=lines.values("asset_id"),
        ).values_list("object_id", "token")
    )
    line_rows = [
        [pk, number, name, tokens.get(asset_id, ""), place_id or 0, int(counted is not None)]
        for pk, asset_id, number, name, place_id, counted in lines.order_by("pk").values_list(
            "pk", "asset_id", "asset__number", "asset__name", "expected_place_id", "counted_at"
        )
    ]
    places = Place.objects.filter(school_id=stocktake.school_id, is_active=True)
    expected_places = lines.values("expected_place_id")
    scope = Q(pk__in=expected_places)
    building_scope = list(stocktake.buildings.values_list("pk", flat=True))
    if building_scope:
        scope |= Q(building_id__in=building_scope)
    places = places.filter(scope)
    if building_ids:
        places = places.filter(building_id__in=building_ids)
    place_type = ContentType.objects.get_for_model(Place)
    place_list = list(places.select_related("building").order_by("building__name", "code", "name"))
    place_tokens = dict(
        QrCode.objects.filter(
            content_type=place_type, object_id__in=[p.pk for p in place_list]
        ).values_list("object_id", "token")
    )
    rooms = [
        [p.pk, p.name, p.building.name if p.building_id else "", p.code, place_tokens.get(p.pk, "")]
        for p in place_list
    ]
    surplus = list(
        Scan.objects.filter(stocktake=stocktake, line__isnull=True).values_list(
            "client_uuid", "place_id", "surplus_name"
        )
    )
    return {
        "id": stocktake.pk,
        "rooms": rooms,
        "lines": line_rows,
        "surplus": [[str(u), place, name] for u, place, name in surplus],
    }


@school_required(perm=VIEW_OWN)
def count(request, pk):
    stocktake = get_visible_or_404(request, pk)
    _counter_or_403(request, stocktake)
    if stocktake.status != Status.COUNTING:
        messages.error(request, _("盘点不在进行中。"))
        return redirect(stocktake)
    context = {
        "stocktake": stocktake,
        "payload": count_payload(stocktake, request.staff),
        "texts": {
            "chooseRoom": _("请选择房间"),
            "noRoom": _("没有找到这个房间，请重新扫描或从列表中选择。"),
            "found": _("已盘：%s"),
            "wrongPlace": _("地点不符：%(name)s 账面在 %(room)s，已记为在本房间找到。"),
            "again": _("%s 已扫描过，状态已更新。"),
            "unknown": _("账上没有“%s”。"),
            "surplusSaved": _("已登记盘盈：%s"),
            "synced": _("已同步"),
            "pending": _("%s 条待同步"),
            "offline": _("离线，%s 条待同步"),
            "syncError": _("同步失败：%s"),
            "noCamera": _("无法使用相机，请输入编码。"),
            "scanning": _("请对准二维码"),
            "nothing": _("本房间没有账面资产。"),
            "photoCount": _("已拍 %s 张"),
            "photoNotKept": _("照片没能保存在手机上，请重拍。"),
            "photoLost": _("照片已不在手机上，请重拍。"),
            "photoRefused": _("照片未被接受。"),
        },
    }
    return render(request, "stocktakes/count.html", context)


@require_POST
@school_required(perm=VIEW_OWN)
def sync(request, pk):
    """The phone's scans, as JSON ``{"scans": [...]}``; see ``services.record_scans``."""
    try:
        stocktake = Stocktake.objects.get(school=request.school, pk=pk)
    except Stocktake.DoesNotExist:
        raise Http404 from None
    if not services.can_count(request.staff, stocktake, user=request.user):
        raise PermissionDenied
    try:
        data = json.loads(request.body or b"{}")
        result = services.record_scans(
            stocktake,
            staff=request.staff,
            user=request.user,
            scans=data.get("scans") if isinstance(data, dict) else None,
        )
    except (ValueError, services.StocktakeError) as error:
        message = (
            str(error) if isinstance(error, services.StocktakeError) else _("数据格式不正确。")
        )
        return JsonResponse({"errors": [message]}, status=400)
    return JsonResponse(result)


@require_POST
@school_required(perm=VIEW_OWN)
def scan_photo(request, pk, scan_uuid):
    """One photo of a scan (multipart ``photo`` + ``photo_uuid``), sent by the phone once
    the scan has synced; a retried upload with the same ``photo_uuid`` attaches nothing
    twice."""
    stocktake = get_visible_or_404(request, pk)
    try:
        attachment, created = services.attach_scan_photo(
            stocktake,
            user=request.user,
            scan_uuid=scan_uuid,
            photo_uuid=request.POST.get("photo_uuid"),
            file=request.FILES.get("photo"),
        )
    except services.ScanNotFound:
        raise Http404 from None
    except PermissionError:
        raise PermissionDenied from None
    except services.StocktakeError as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse({"id": attachment.pk, "created": created}, status=201 if created else 200)


# --- differences and report ----------------------------------------------------------


@school_required(perm=VIEW_OWN)
def differences(request, pk):
    stocktake = get_visible_or_404(request, pk)
    rows = stocktake.differences.select_related(
        "line__asset",
        "line__expected_place__building",
        "line__found_place__building",
        "scan__place__building",
        "category",
        "new_asset",
    ).order_by("kind", "id")
    kind = request.GET.get("kind", "")
    if kind in Difference.Kind.values:
        rows = rows.filter(kind=kind)
    counts = dict(
        stocktake.differences.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n")
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    _attach_photos(page.object_list)
    context = {
        "stocktake": stocktake,
        "page": page,
        "kind": kind,
        "kinds": [(value, label, counts.get(value, 0)) for value, label in Difference.Kind.choices],
        "can_edit": stocktake.status == Status.REVIEWING and request.user.has_perm(MANAGE),
        "missing_amount": services.missing_amount(stocktake),
        "approval": latest_for(stocktake),
    }
    return render_page(request, "stocktakes/differences.html", context)


@school_required(perm=VIEW_OWN)
def difference_edit(request, pk, difference_pk):
    stocktake = get_visible_or_404(request, pk)
    _manager_or_403(request)
    difference = get_object_or_404(
        Difference.objects.select_related("line__asset", "scan"),
        stocktake=stocktake,
        pk=difference_pk,
    )
    form = DifferenceForm(request.POST or None, instance=difference)
    if request.method == "POST" and form.is_valid():
        try:
            services.difference_update(
                Difference.objects.get(pk=difference.pk),
                by=request.staff,
                values=form.cleaned_data,
            )
        except services.StocktakeError as error:
            form.add_error(None, str(error))
        else:
            return redirect("stocktakes:differences", pk=stocktake.pk)
    context = {"stocktake": stocktake, "difference": difference, "form": form}
    return render(request, "stocktakes/difference_form.html", context)


@school_required(perm=VIEW_OWN)
def export_xlsx(request, pk):
    stocktake = get_visible_or_404(request, pk)
    if not sees_all(request.user):
        raise PermissionDenied
    return export.xlsx_response(stocktake)


@school_required(perm=VIEW_OWN)
def export_pdf(request, pk):
    stocktake = get_visible_or_404(request, pk)
    if not sees_all(request.user):
        raise PermissionDenied
    return export.pdf_response(stocktake)
