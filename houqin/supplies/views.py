"""The consumables screens: items with stock, stores, stock-in, 我要领用 (a phone-first
cart), 我的领用, the keeper's 待发放, returns (物品领用和归还清单), the count (盘库) and
the usage reports. Every change goes through ``services``; a refusal (``SupplyError``) is
shown in Chinese with what was typed kept."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from houqin.accounts.access import get_for_user, school_required
from houqin.approvals import services as approvals
from houqin.core.htmx import render_page
from houqin.core.views import archive_from_post, restore_from_post
from houqin.supplies import export, reports, services
from houqin.supplies.access import (
    MANAGE,
    REQUEST,
    VIEW_ALL,
    can_keep,
    get_requisition_or_404,
    is_keeper,
    is_manager,
    kept_stores,
)
from houqin.supplies.forms import (
    STOCK_IN_ROWS,
    CountForm,
    FilterForm,
    ItemForm,
    PeriodForm,
    StockInForm,
    StoreForm,
    TransferForm,
    quantities_from,
    stock_in_lines,
)
from houqin.supplies.models import (
    TO_ISSUE,
    CountSheet,
    CountStatus,
    Item,
    Requisition,
    RequisitionLine,
    RequisitionStatus,
    Stock,
    StockIn,
    StockMove,
    Store,
)
from houqin.supplies.services import SupplyError

PER_PAGE = 30


def _refused(request, error):
    for message in error.messages:
        messages.error(request, message)


def _search(queryset, q, prefix=""):
    if not q:
        return queryset
    return queryset.filter(
        Q(**{f"{prefix}name__icontains": q})
        | Q(**{f"{prefix}name_initials__istartswith": q.lower()})
        | Q(**{f"{prefix}spec__icontains": q})
    )


# --- items -------------------------------------------------------------------------------


@school_required(perm=VIEW_ALL)
def items(request):
    """物品与库存: every item with its stock across the stores; low stock first to see."""
    filters = FilterForm(request.GET or None)
    filters.is_valid()
    data = getattr(filters, "cleaned_data", {})
    queryset = Item.objects.filter(school=request.school).annotate(
        total=Coalesce(Sum("stocks__quantity"), Value(0))
    )
    queryset = _search(queryset, (data.get("q") or "").strip())
    if data.get("category"):
        queryset = queryset.filter(category=data["category"])
    if data.get("low"):
        queryset = queryset.filter(is_active=True, total__lt=F("min_stock"))
    page = Paginator(queryset.order_by("-is_active", "category", "name", "pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "filters": filters, "section": "items"}
    return render_page(request, "supplies/items.html", context)


def _item_form(request, item=None):
    form = ItemForm(request.POST or None, instance=item, school=request.school)
    if request.method == "POST" and form.is_valid():
        item = form.save()
        messages.success(request, _("已保存“%(name)s”。") % {"name": item})
        return redirect(item)
    return render(request, "supplies/form.html", {"form": form, "object": item, "kind": _("物品")})


@school_required(perm=MANAGE)
def item_new(request):
    return _item_form(request)


@school_required(perm=MANAGE)
def item_edit(request, pk):
    return _item_form(request, get_for_user(request, Item, pk))


@school_required(perm=VIEW_ALL)
def item_detail(request, pk):
    item = get_for_user(request, Item, pk)
    stocks = item.stocks.select_related("store").order_by("store__name")
    moves = item.moves.select_related("store", "by", "person", "department")
    page = Paginator(moves, PER_PAGE).get_page(request.GET.get("page"))
    context = {"item": item, "stocks": stocks, "page": page, "section": "items"}
    return render_page(request, "supplies/item_detail.html", context)


@require_POST
@school_required(perm=MANAGE)
def item_archive(request, pk):
    item = get_for_user(request, Item, pk)
    archive_from_post(request, item, label=str(item))
    return redirect(item)


@require_POST
@school_required(perm=MANAGE)
def item_restore(request, pk):
    item = get_for_user(request, Item, pk)
    restore_from_post(request, item, label=str(item))
    return redirect(item)


# --- stores ------------------------------------------------------------------------------


@school_required(perm=VIEW_ALL)
def stores(request):
    queryset = (
        Store.objects.filter(school=request.school)
        .select_related("place", "keeper")
        .annotate(total=Coalesce(Sum("stocks__quantity"), Value(0)))
        .order_by("-is_active", "name")
    )
    return render(request, "supplies/stores.html", {"stores": queryset, "section": "stores"})


def _store_form(request, store=None):
    form = StoreForm(request.POST or None, instance=store, school=request.school)
    if request.method == "POST" and form.is_valid():
        store = form.save()
        messages.success(request, _("已保存“%(name)s”。") % {"name": store})
        return redirect(store)
    context = {"form": form, "object": store, "kind": _("库房"), "section": "stores"}
    return render(request, "supplies/form.html", context)


@school_required(perm=MANAGE)
def store_new(request):
    return _store_form(request)


@school_required(perm=MANAGE)
def store_edit(request, pk):
    return _store_form(request, get_for_user(request, Store, pk))


@school_required(perm=VIEW_ALL)
def store_detail(request, pk):
    store = get_for_user(request, Store.objects.select_related("place", "keeper"), pk)
    stocks = (
        Stock.objects.filter(store=store, quantity__gt=0)
        .select_related("item")
        .order_by("item__category", "item__name")
    )
    moves = store.moves.select_related("item", "by", "person")[:20]
    keeper = can_keep(request.user, store)
    context = {
        "store": store,
        "stocks": stocks,
        "moves": moves,
        "can_keep": keeper,
        "transfer_form": TransferForm(store=store) if keeper else None,
        "section": "stores",
    }
    return render(request, "supplies/store_detail.html", context)


@require_POST
@school_required
def store_transfer(request, pk):
    store = get_for_user(request, Store, pk)
    if not can_keep(request.user, store):
        raise PermissionDenied
    form = TransferForm(request.POST, store=store)
    if not form.is_valid():
        messages.error(request, _("请选择物品、调入库房并填写数量。"))
        return redirect(store)
    try:
        services.store_transfer(
            by=request.staff,
            source=store,
            target=form.cleaned_data["target"],
            item=form.cleaned_data["item"],
            quantity=form.cleaned_data["quantity"],
            note=form.cleaned_data["note"],
        )
    except SupplyError as error:
        _refused(request, error)
    else:
        messages.success(request, _("已调拨。"))
    return redirect(store)


# --- stock-in ----------------------------------------------------------------------------


@school_required(perm=VIEW_ALL)
def stock_ins(request):
    queryset = (
        StockIn.objects.filter(school=request.school)
        .select_related("store", "by")
        .annotate(
            amount=Sum(
                F("lines__quantity") * F("lines__unit_price"),
                output_field=DecimalField(max_digits=16, decimal_places=2),
            )
        )
        .order_by("-date", "-pk")
    )
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "section": "stock_in", "can_add": kept_stores(request).exists()}
    return render_page(request, "supplies/stock_ins.html", context)


@school_required
def stock_in_new(request):
    stores_kept = kept_stores(request).filter(is_active=True)
    if not stores_kept.exists():
        raise PermissionDenied
    all_items = list(Item.objects.filter(school=request.school, is_active=True))
    form = StockInForm(request.POST or None, request.FILES or None, stores=stores_kept)
    rows = [
        {
            "index": index,
            "item": request.POST.get(f"item_{index}", ""),
            "qty": request.POST.get(f"qty_{index}", ""),
            "price": request.POST.get(f"price_{index}", ""),
        }
        for index in range(STOCK_IN_ROWS)
    ]
    if request.method == "POST" and form.is_valid():
        try:
            stock_in = services.stock_in_create(
                by=request.staff,
                store=form.cleaned_data["store"],
                supplier=form.cleaned_data["supplier"],
                date=form.cleaned_data["date"],
                note=form.cleaned_data["note"],
                lines=stock_in_lines(request.POST, all_items),
                invoice=form.cleaned_data["invoice"],
            )
        except SupplyError as error:
            _refused(request, error)
        else:
            messages.success(request, _("已入库 %(number)s。") % {"number": stock_in.number})
            return redirect(stock_in)
    context = {"form": form, "rows": rows, "items": all_items, "section": "stock_in"}
    return render(request, "supplies/stock_in_new.html", context)


@school_required(perm=VIEW_ALL)
def stock_in_detail(request, pk):
    stock_in = get_for_user(request, StockIn.objects.select_related("store", "by"), pk)
    lines = stock_in.lines.select_related("item")
    total = sum((line.amount for line in lines), 0)
    context = {"stock_in": stock_in, "lines": lines, "total": total, "section": "stock_in"}
    return render(request, "supplies/stock_in_detail.html", context)


# --- requisitions ------------------------------------------------------------------------


@school_required(perm=REQUEST)
def request_items(request):
    """我要领用: pick a store, type quantities on the items it has, say what for, send."""
    stores_open = list(Store.objects.filter(school=request.school, is_active=True))
    if not stores_open:
        return render(request, "supplies/request.html", {"stores": [], "section": "request"})
    wanted_store = request.POST.get("store") or request.GET.get("store")
    store = next((s for s in stores_open if str(s.pk) == str(wanted_store)), stores_open[0])
    q = (request.GET.get("q") or "").strip()
    stocks = (
        Stock.objects.filter(store=store, quantity__gt=0, item__is_active=True)
        .select_related("item")
        .order_by("item__category", "item__name")
    )
    if q:
        stocks = stocks.filter(
            Q(item__name__icontains=q)
            | Q(item__name_initials__istartswith=q.lower())
            | Q(item__spec__icontains=q)
        )
    typed = quantities_from(request.POST)
    purpose = request.POST.get("purpose", "")
    if request.method == "POST":
        chosen = {
            item.pk: item for item in Item.objects.filter(school=request.school, pk__in=list(typed))
        }
        lines = [(chosen[pk], typed[pk]) for pk in typed if pk in chosen]
        try:
            requisition = services.requisition_submit(
                by=request.staff, store=store, purpose=purpose, lines=lines
            )
        except SupplyError as error:
            _refused(request, error)
        else:
            messages.success(
                request,
                _("已提交领用单 %(number)s，等待审批。") % {"number": requisition.number},
            )
            return redirect(requisition)
    rows = [(stock, typed.get(stock.item_id, "")) for stock in stocks[:200]]
    context = {
        "stores": stores_open,
        "store": store,
        "rows": rows,
        "q": q,
        "purpose": purpose,
        "section": "request",
    }
    return render_page(request, "supplies/request.html", context, partial="cart")


@school_required(perm=REQUEST)
def mine(request):
    """我的领用: my requisitions, and the returnable items I still hold."""
    tab = request.GET.get("tab") if request.GET.get("tab") in ("done", "held") else "open"
    staff = request.staff
    if tab == "held":
        held = (
            RequisitionLine.objects.filter(
                requisition__school=request.school,
                requisition__requester=staff,
                item__returnable=True,
                issued__gt=F("returned"),
            )
            .select_related("item", "requisition__store")
            .order_by("-requisition__submitted_at")
        )
        context = {"tab": tab, "held": held, "section": "mine"}
        return render(request, "supplies/mine.html", context)
    queryset = Requisition.objects.filter(school=request.school, requester=staff)
    open_statuses = [RequisitionStatus.PENDING, *TO_ISSUE]
    if tab == "open":
        queryset = queryset.filter(status__in=open_statuses)
    else:
        queryset = queryset.exclude(status__in=open_statuses)
    queryset = queryset.select_related("store").prefetch_related("lines__item")
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    return render_page(request, "supplies/mine.html", {"tab": tab, "page": page, "section": "mine"})


@school_required
def queue(request):
    """待发放: approved requisitions of the stores I keep."""
    if not is_keeper(request.user):
        raise PermissionDenied
    queryset = (
        Requisition.objects.filter(status__in=TO_ISSUE, store__in=kept_stores(request))
        .select_related("store", "requester", "department")
        .prefetch_related("lines__item")
        .order_by("submitted_at", "pk")
    )
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    return render_page(request, "supplies/queue.html", {"page": page, "section": "queue"})


def _requisition(request, pk):
    return get_requisition_or_404(
        request,
        pk,
        Requisition.objects.select_related("store__keeper", "requester", "department"),
    )


@school_required
def detail(request, pk):
    requisition = _requisition(request, pk)
    lines = list(requisition.lines.select_related("item"))
    keeper = can_keep(request.user, requisition.store)
    context = {
        "requisition": requisition,
        "lines": lines,
        "approval": approvals.latest_for(requisition),
        "can_issue": keeper and requisition.can_issue,
        "can_take_back": keeper and any(line.held for line in lines),
        "moves": StockMove.objects.filter(requisition_line__requisition=requisition)
        .select_related("item", "by")
        .order_by("at", "pk"),
        "section": "mine",
    }
    return render(request, "supplies/detail.html", context)


def _keeper_action(request, pk, action, done_message):
    requisition = _requisition(request, pk)
    if not can_keep(request.user, requisition.store):
        raise PermissionDenied
    try:
        action(requisition)
    except SupplyError as error:
        _refused(request, error)
    else:
        messages.success(request, done_message)
    return redirect(requisition)


@require_POST
@school_required
def issue(request, pk):
    quantities = quantities_from(request.POST)
    return _keeper_action(
        request,
        pk,
        lambda r: services.requisition_issue(r, by=request.staff, quantities=quantities),
        _("已发放。"),
    )


@require_POST
@school_required
def take_back(request, pk):
    quantities = quantities_from(request.POST, "back_")
    return _keeper_action(
        request,
        pk,
        lambda r: services.requisition_return(r, by=request.staff, quantities=quantities),
        _("已登记归还。"),
    )


@require_POST
@school_required
def close(request, pk):
    return _keeper_action(
        request,
        pk,
        lambda r: services.requisition_close(r, by=request.staff),
        _("已结束发放。"),
    )


# --- returns (物品领用和归还清单) -----------------------------------------------------------


def _may_see_returns(request):
    if not (is_manager(request.user) or is_keeper(request.user)):
        raise PermissionDenied


@school_required
def returns(request):
    """物品领用和归还清单: returnable items each person holds, by person."""
    _may_see_returns(request)
    q = (request.GET.get("q") or "").strip()
    lines = reports.outstanding(request.school, q=q)
    page = Paginator(lines, PER_PAGE).get_page(request.GET.get("page"))
    return render_page(
        request, "supplies/returns.html", {"page": page, "q": q, "section": "returns"}
    )


@school_required
def returns_export(request):
    _may_see_returns(request)
    period = PeriodForm(request.GET)
    if not period.is_valid():
        messages.error(request, " ".join(period.non_field_errors()) or _("请填写正确的日期。"))
        return redirect("supplies:reports")
    return export.ledger_response(
        request.school, period.cleaned_data["start"], period.cleaned_data["end"]
    )


# --- count (盘库) --------------------------------------------------------------------------


@school_required(perm=VIEW_ALL)
def counts(request):
    queryset = CountSheet.objects.filter(school=request.school).select_related(
        "store", "created_by", "applied_by"
    )
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    stores_kept = kept_stores(request).filter(is_active=True)
    form = CountForm(stores=stores_kept) if stores_kept.exists() else None
    return render_page(
        request, "supplies/counts.html", {"page": page, "form": form, "section": "counts"}
    )


@require_POST
@school_required
def count_new(request):
    form = CountForm(request.POST, stores=kept_stores(request).filter(is_active=True))
    if not form.is_valid():
        messages.error(request, _("请选择库房并填写盘库名称。"))
        return redirect("supplies:counts")
    try:
        sheet = services.count_create(
            by=request.staff, store=form.cleaned_data["store"], title=form.cleaned_data["title"]
        )
    except SupplyError as error:
        _refused(request, error)
        return redirect("supplies:counts")
    return redirect(sheet)


@school_required(perm=VIEW_ALL)
def count_detail(request, pk):
    """The count sheet: on a phone, one card per item with the counted number and a cause."""
    sheet = get_for_user(request, CountSheet.objects.select_related("store"), pk)
    keeper = can_keep(request.user, sheet.store)
    if request.method == "POST":
        if not keeper:
            raise PermissionDenied
        counted = quantities_from(request.POST, "counted_")
        entries = {
            int(key[len("line_") :]): (
                counted.get(int(key[len("line_") :])),
                request.POST.get(f"cause_{key[len('line_') :]}", ""),
            )
            for key in request.POST
            if key.startswith("line_") and key[len("line_") :].isdigit()
        }
        try:
            services.count_record(sheet, by=request.staff, entries=entries)
            if request.POST.get("apply"):
                services.count_apply(sheet, by=request.staff)
                messages.success(request, _("盘库结果已调整入账。"))
            else:
                messages.success(request, _("已保存盘点数量。"))
        except SupplyError as error:
            _refused(request, error)
        return redirect(sheet)
    lines = list(sheet.lines.select_related("item"))
    context = {
        "sheet": sheet,
        "lines": lines,
        "editable": keeper and sheet.status == CountStatus.OPEN,
        "differences": [line for line in lines if line.difference],
        "section": "counts",
    }
    return render(request, "supplies/count_detail.html", context)


@require_POST
@school_required
def count_cancel(request, pk):
    sheet = get_for_user(request, CountSheet.objects.select_related("store"), pk)
    if not can_keep(request.user, sheet.store):
        raise PermissionDenied
    try:
        services.count_cancel(sheet, by=request.staff)
    except SupplyError as error:
        _refused(request, error)
    else:
        messages.success(request, _("已作废这张盘库单。"))
    return redirect(sheet)


# --- reports -----------------------------------------------------------------------------


@school_required(perm=VIEW_ALL)
def report(request):
    period = PeriodForm(request.GET)
    context = {"period": period, "section": "reports"}
    if period.is_valid():
        start, end = period.cleaned_data["start"], period.cleaned_data["end"]
        context.update(
            by_department=reports.usage_by_department(request.school, start, end),
            by_item=reports.usage_by_item(request.school, start, end),
        )
    context["low"] = reports.low_stock(request.school)
    return render(request, "supplies/reports.html", context)
