"""The asset screens: the card list (with labels and Excel for the current filter), 我的资产,
one card with its four sections, photos, QR and history; entering and editing cards;
status changes; 录入进度; acceptances (验收) from delivery to booked cards.

Every change goes through ``services``; a refusal (``AssetError``) is shown in Chinese
with what was typed kept."""

from urllib.parse import parse_qsl, urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from houqin.accounts.access import school_required
from houqin.accounts.pickers import PICKER_LIMIT, picker_query
from houqin.assets import export, listing, services
from houqin.assets.access import (
    MANAGE,
    VIEW_ALL,
    VIEW_OWN,
    get_acceptance_or_404,
    get_visible_or_404,
    sees_all,
    visible_acceptances,
    visible_assets,
)
from houqin.assets.forms import (
    AcceptanceForm,
    AcceptanceLineForm,
    AcceptForm,
    AssetFilterForm,
    AssetForm,
    RejectForm,
    StatusForm,
)
from houqin.assets.models import (
    Acceptance,
    AcceptanceLine,
    Asset,
    Category,
    Status,
)
from houqin.assets.view_helpers import save_form
from houqin.core.audit import history_for
from houqin.core.htmx import render_page
from houqin.qr.forms import LabelPrintForm
from houqin.qr.labels import MAX_LABELS

PER_PAGE = 30
# A card's history on its page: the newest rows (a card has a few a year).
HISTORY_SHOWN = 200
# 房屋和构筑物: buildings are where things are kept, not kept somewhere.
PLACELESS_CLASSES = "A01"
# Up to this many ids go to the label page in its address; more are posted.
LABEL_LINK_MAX = 200
CARD_RELATED = (
    "category",
    "managing_department",
    "using_department",
    "custodian__department",
    "place__building",
    "place__campus",
    "acceptance",
)


# ---------------------------------------------------------------------------------------
# Lists


@school_required(perm=VIEW_ALL)
def asset_list(request):
    """资产管理: the school's cards with filters, search and sort (``listing``); labels
    and Excel for the cards ticked or the current filter."""
    page = listing.search_assets(visible_assets(request), request.GET, school=request.school)
    filters = page.filters
    current = filters.query_string(after=None, before=None)
    context = {
        "page": page,
        "filters": AssetFilterForm(request.GET, school=request.school, user=request.user),
        "filter_pairs": parse_qsl(current),
        "export_url": _with_query(reverse("assets:export"), current),
        "section": "cards",
    }
    return render_page(request, "assets/list.html", context)


def _with_query(url, query):
    query = query if isinstance(query, str) else urlencode(query)
    return f"{url}?{query}" if query else url


def _filtered(request, cards):
    filters = listing.AssetFilters.from_params(request.GET)
    return listing.filter_assets(cards, filters, school=request.school)


@school_required(perm=VIEW_OWN)
def mine(request):
    """我的资产: the cards I am the custodian of (使用人)."""
    cards = Asset.objects.filter(school=request.school, custodian=request.staff).on_books()
    text = (request.GET.get("q") or "").strip()
    if text:
        cards = cards.filter(
            Q(name__icontains=text)
            | Q(name_initials__startswith=text.lower())
            | Q(number__istartswith=text)
        )
    cards = cards.select_related("category", "place__building").order_by("number", "pk")
    page = Paginator(cards, PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "q": text, "section": "mine"}
    return render_page(request, "assets/mine.html", context)


@school_required(perm=VIEW_ALL)
def export_cards(request):
    """The card list as Excel: every card field, with the list's current filters."""
    cards = _filtered(request, visible_assets(request))
    output = export.assets_workbook(cards)
    filename = _("资产卡片-%(date)s.xlsx") % {"date": timezone.localdate().strftime("%Y%m%d")}
    return FileResponse(
        output, as_attachment=True, filename=filename, content_type=export.XLSX_CONTENT_TYPE
    )


@school_required(perm=VIEW_ALL)
def labels(request):
    """打印标签 for the cards ticked on the list, a booked acceptance, or the list's
    current filter: a short selection goes to the label page in its address, a long one
    is posted to it from here."""
    if not request.user.has_perm("qr.print_labels"):
        raise PermissionDenied
    cards = visible_assets(request)
    chosen = [part for part in request.GET.getlist("ids") if part.isdigit()]
    acceptance_id = request.GET.get("acceptance") or ""
    if chosen:
        cards = cards.filter(pk__in=chosen[: MAX_LABELS + 1])
    elif acceptance_id.isdigit():
        cards = cards.filter(acceptance_id=acceptance_id)
    else:
        cards = _filtered(request, cards)
    ids = list(cards.order_by("pk").values_list("pk", flat=True)[: MAX_LABELS + 1])
    if ids and len(ids) <= LABEL_LINK_MAX:
        return redirect(_qr_labels_url(ids))
    context = {
        "count": len(ids),
        "too_many": len(ids) > MAX_LABELS,
        "max_labels": MAX_LABELS,
        "ids": ",".join(map(str, ids[:MAX_LABELS])),
        "print_form": LabelPrintForm(),
        "back_url": _with_query(reverse("assets:list"), request.GET.urlencode()),
        "section": "cards",
    }
    return render(request, "assets/labels.html", context)


def _qr_labels_url(ids):
    return f"{reverse('qr:labels')}?{urlencode({'kind': 'A', 'ids': ','.join(map(str, ids))})}"


# ---------------------------------------------------------------------------------------
# One card


def _card_for(request, pk):
    return get_visible_or_404(request, pk, Asset.objects.select_related(*CARD_RELATED))


@school_required(perm=VIEW_OWN)
def detail(request, pk):
    asset = _card_for(request, pk)
    return _detail(request, asset)


def _detail(request, asset, *, status_form=None):
    events = asset.events.select_related("actor__staff").order_by("-created_at", "-pk")
    can_edit = request.user.has_perm(MANAGE) and asset.status != Status.DISPOSED
    context = {
        "asset": asset,
        "events": list(events[:HISTORY_SHOWN]),
        "repairs": list(
            asset.repairs.select_related("reporter", "assignee").order_by("-reported_at")[:20]
        ),
        "can_edit": can_edit,
        "can_change_status": can_edit and asset.status in services.DAILY_STATUSES,
        "status_form": status_form or StatusForm(asset=asset),
        "minimum_life": services.minimum_life_months(asset.category),
        "sees_all": sees_all(request.user),
        "section": "cards" if sees_all(request.user) else "mine",
    }
    return render(request, "assets/detail.html", context)


@school_required(perm=MANAGE)
def asset_create(request):
    form = AssetForm(request.POST or None, request.FILES or None, school=request.school)
    if request.method == "POST":
        done = save_form(
            request,
            form,
            lambda data: services.asset_create(
                by=request.staff,
                school=request.school,
                values=form.values(),
                photos=data["photos"],
            ),
            message=lambda asset: _("已建卡，资产编号 %(number)s。") % {"number": asset.number},
        )
        if done:
            return done
        if any(request.FILES.getlist("photos")) and "photos" not in form.errors:
            # A browser cannot keep chosen files across a page load: say so.
            form.add_error("photos", _("请重新选择照片（页面刷新后需重新添加）。"))
    return render(request, "assets/form.html", {"form": form, "asset": None, "section": "cards"})


@school_required(perm=MANAGE)
def asset_edit(request, pk):
    asset = _card_for(request, pk)
    if asset.status == Status.DISPOSED:
        messages.error(request, _("已处置的资产不能再修改。"))
        return redirect("assets:detail", pk=asset.pk)
    form = AssetForm(request.POST or None, instance=asset, school=request.school)
    done = save_form(
        request,
        form,
        lambda data: services.asset_update(asset, by=request.staff, values=form.values()),
        message=_("已保存资产卡片。"),
        to=asset,
    )
    if done:
        return done
    context = {"form": form, "asset": asset, "section": "cards"}
    return render(request, "assets/form.html", context)


@require_POST
@school_required(perm=MANAGE)
def asset_status(request, pk):
    asset = _card_for(request, pk)
    form = StatusForm(request.POST, asset=asset)
    done = save_form(
        request,
        form,
        lambda data: services.asset_set_status(
            asset, by=request.staff, status=data["status"], note=data["note"]
        ),
        message=_("已变更使用状态。"),
        to=asset,
    )
    return done or _detail(request, asset, status_form=form)


@school_required
def pick_categories(request):
    """The classes a card may name, by code, name or pinyin initials."""
    text = picker_query(request)
    classes = services.card_classes().distinct()
    if text:
        classes = classes.filter(
            Q(code__istartswith=text)
            | Q(name__icontains=text)
            | Q(name_initials__startswith=text.lower())
            | Q(code_2010__startswith=text)
        )
    options = [
        (category.pk, str(category), _life_label(category))
        for category in classes.order_by("code")[:PICKER_LIMIT]
    ]
    return render(request, "core/picker_options.html", {"options": options})


def _life_label(category):
    if not category.depreciable:
        return _("不计提折旧")
    if category.life_years:
        return _("最低 %(years)s 年") % {"years": category.life_years}
    return ""


# ---------------------------------------------------------------------------------------
# 录入进度


def missing_conditions(broad_classes):
    """What a card needs to count as fully entered, as (key, label, condition)."""
    return [
        (
            "place",
            _("无存放地点"),
            Q(place__isnull=True) & ~Q(category__code__startswith=PLACELESS_CLASSES),
        ),
        (
            "person",
            _("无使用部门和使用人"),
            Q(using_department__isnull=True, custodian__isnull=True),
        ),
        ("category", _("分类不够具体"), Q(category_id__in=broad_classes)),
        ("booked", _("无记账日期"), Q(booked_on__isnull=True)),
        ("life", _("无折旧年限"), Q(category__depreciable=True, life_months__isnull=True)),
    ]


def broad_class_ids():
    """Classes too general for a card (大类 with children): a few dozen ids."""
    return set(
        Category.objects.filter(level__lt=services.CARD_MIN_LEVEL, children__isnull=False)
        .values_list("pk", flat=True)
        .distinct()
    )


@school_required(perm=VIEW_ALL)
def progress(request):
    """录入进度: how many cards are fully entered, by campus, building and department,
    and the ones still missing something, with links to fix them."""
    broad = broad_class_ids()
    conditions = missing_conditions(broad)
    incomplete = Q()
    for _key, _label, condition in conditions:
        incomplete |= condition
    cards = visible_assets(request).on_books()
    counts = cards.aggregate(
        total=Count("pk"),
        missing=Count("pk", filter=incomplete),
        **{f"missing_{key}": Count("pk", filter=condition) for key, _l, condition in conditions},
    )
    total, missing = counts["total"], counts["missing"]
    percent = round((total - missing) * 100 / total, 1) if total else None

    def breakdown(*fields):
        """(label, cards, incomplete) per value of ``fields`` ("未填写" for none)."""
        rows = (
            cards.values_list(*fields)
            .annotate(count=Count("pk"), missing=Count("pk", filter=incomplete))
            .order_by(*fields)
        )
        return [
            (" · ".join(name or _("未填写") for name in names), count, missing_count)
            for *names, count, missing_count in rows
        ]

    chosen = request.GET.get("missing") or ""
    labels = {key: label for key, label, _condition in conditions}
    by_key = {key: condition for key, _label, condition in conditions}
    rows = cards.filter(by_key.get(chosen, incomplete))
    rows = rows.select_related("category", "using_department", "custodian", "place__building")
    page = Paginator(rows.order_by("number", "pk"), PER_PAGE).get_page(request.GET.get("page"))
    for card in page:
        lacks = {
            "place": card.place_id is None and not card.category.code.startswith(PLACELESS_CLASSES),
            "person": card.using_department_id is None and card.custodian_id is None,
            "category": card.category_id in broad,
            "booked": card.booked_on is None,
            "life": card.category.depreciable and card.life_months is None,
        }
        card.missing_labels = [label for key, label in labels.items() if lacks[key]]
    context = {
        "total": total,
        "missing": missing,
        "complete": total - missing,
        "percent": percent,
        "reasons": [(key, label, counts[f"missing_{key}"]) for key, label, _c in conditions],
        "chosen": chosen if chosen in labels else "",
        "by_campus": breakdown("place__campus__name"),
        "by_building": breakdown("place__campus__name", "place__building__name"),
        "by_department": breakdown("using_department__name"),
        "page": page,
        "section": "progress",
    }
    return render_page(request, "assets/progress.html", context)


# ---------------------------------------------------------------------------------------
# Acceptance (验收)


@school_required(perm=VIEW_ALL)
def acceptance_list(request):
    state = request.GET.get("state") or ""
    acceptances = visible_acceptances(request)
    counts = dict(
        acceptances.order_by()
        .values_list("state")
        .annotate(count=Count("pk"))
        .values_list("state", "count")
    )
    if state in Acceptance.State.values:
        acceptances = acceptances.filter(state=state)
    acceptances = acceptances.select_related("created_by").order_by("-delivered_on", "-pk")
    page = Paginator(acceptances, PER_PAGE).get_page(request.GET.get("page"))
    # Counted for the page's acceptances only, each table on its own (a join of lines and
    # cards would multiply the rows).
    ids = [acceptance.pk for acceptance in page]
    lines = _counts_by_acceptance(AcceptanceLine.objects.filter(acceptance_id__in=ids))
    cards = _counts_by_acceptance(Asset.objects.filter(acceptance_id__in=ids))
    for acceptance in page:
        acceptance.line_count = lines.get(acceptance.pk, 0)
        acceptance.card_count = cards.get(acceptance.pk, 0)
    context = {
        "page": page,
        "state": state,
        "states": [
            (value, label, counts.get(value, 0)) for value, label in Acceptance.State.choices
        ],
        "section": "acceptances",
    }
    return render_page(request, "assets/acceptance_list.html", context)


def _counts_by_acceptance(queryset):
    return dict(queryset.order_by().values_list("acceptance_id").annotate(count=Count("pk")))


def _acceptance_for(request, pk):
    return get_acceptance_or_404(request, pk, Acceptance.objects.select_related("created_by"))


@school_required
def acceptance_detail(request, pk):
    return _acceptance_detail(request, _acceptance_for(request, pk))


def _acceptance_detail(request, acceptance, *, forms=None, open_panel=""):
    lines = list(
        acceptance.lines.select_related(
            "category", "using_department", "custodian", "place__building"
        )
    )
    is_draft = acceptance.state == Acceptance.State.DRAFT
    can_manage = request.user.has_perm(MANAGE)
    forms = forms or {}
    if is_draft and can_manage:
        forms.setdefault("line", AcceptanceLineForm(school=request.school))
        forms.setdefault("accept", AcceptForm())
        forms.setdefault("reject", RejectForm())
    cards = acceptance.assets.all()
    card_count = cards.count()
    context = {
        "acceptance": acceptance,
        "lines": lines,
        "group": list(acceptance.group.select_related("department").order_by("name_initials")),
        "total": sum((line.amount for line in lines), 0),
        "cards_to_make": sum(
            line.quantity_received if line.card_per_unit else min(line.quantity_received, 1)
            for line in lines
        ),
        "is_draft": is_draft,
        "can_manage": can_manage and is_draft,
        "forms": forms,
        "open_panel": open_panel,
        "card_count": card_count,
        "first_cards": list(cards.order_by("number")[:10]) if card_count else [],
        "labels_url": _batch_labels_url(acceptance, cards, card_count),
        "history": history_for(acceptance),
        "section": "acceptances",
    }
    return render(request, "assets/acceptance_detail.html", context)


def _batch_labels_url(acceptance, cards, count):
    if not count:
        return ""
    if count <= LABEL_LINK_MAX:
        return _qr_labels_url(cards.order_by("pk").values_list("pk", flat=True))
    return _with_query(reverse("assets:labels"), {"acceptance": acceptance.pk})


@school_required(perm=MANAGE)
def acceptance_create(request):
    return _acceptance_form(request, Acceptance())


@school_required(perm=MANAGE)
def acceptance_edit(request, pk):
    acceptance = _acceptance_for(request, pk)
    if acceptance.state != Acceptance.State.DRAFT:
        messages.error(request, _("验收单已有结果，不能再修改。"))
        return redirect(acceptance)
    return _acceptance_form(request, acceptance)


def _acceptance_form(request, acceptance):
    form = AcceptanceForm(request.POST or None, instance=acceptance, school=request.school)
    done = save_form(
        request,
        form,
        lambda data: services.acceptance_save(
            acceptance, by=request.staff, values=form.values(), group=list(data["group"])
        ),
        message=lambda _saved: (
            _("已保存验收单 %(number)s。请添加验收明细。") % {"number": acceptance.number}
            if not acceptance.lines.exists()
            else _("已保存验收单 %(number)s。") % {"number": acceptance.number}
        ),
        to=acceptance,
    )
    if done:
        return done
    context = {"form": form, "acceptance": acceptance, "section": "acceptances"}
    return render(request, "assets/acceptance_form.html", context)


@require_POST
@school_required(perm=MANAGE)
def line_create(request, pk):
    acceptance = _acceptance_for(request, pk)
    return _save_line(request, acceptance, AcceptanceLine(acceptance=acceptance))


@school_required(perm=MANAGE)
def line_edit(request, pk, line_pk):
    acceptance = _acceptance_for(request, pk)
    line = acceptance.lines.filter(pk=line_pk).first()
    if line is None:
        raise Http404
    if request.method != "POST":
        form = AcceptanceLineForm(instance=line, school=request.school)
        context = {"form": form, "acceptance": acceptance, "line": line}
        return render(request, "assets/line_form.html", context)
    return _save_line(request, acceptance, line)


def _save_line(request, acceptance, line):
    form = AcceptanceLineForm(request.POST, instance=line, school=request.school)
    done = save_form(
        request,
        form,
        lambda data: services.acceptance_line_save(line, by=request.staff, values=form.values()),
        message=lambda _saved: _("已保存明细“%(name)s”。") % {"name": line.name},
        to=acceptance,
    )
    if done:
        return done
    if line.pk:
        context = {"form": form, "acceptance": acceptance, "line": line}
        return render(request, "assets/line_form.html", context)
    return _acceptance_detail(request, acceptance, forms={"line": form}, open_panel="line")


@require_POST
@school_required(perm=MANAGE)
def acceptance_accept(request, pk):
    acceptance = _acceptance_for(request, pk)
    form = AcceptForm(request.POST)
    done = save_form(
        request,
        form,
        lambda data: services.acceptance_accept(
            acceptance, by=request.staff, accepted_on=data["accepted_on"], note=data["note"]
        ),
        message=lambda cards: (
            _("验收合格，已生成 %(count)s 张资产卡片（%(first)s 至 %(last)s）。")
            % {"count": len(cards), "first": cards[0].number, "last": cards[-1].number}
        ),
        to=acceptance,
    )
    return done or _acceptance_detail(
        request, acceptance, forms={"accept": form}, open_panel="accept"
    )


@require_POST
@school_required(perm=MANAGE)
def acceptance_reject(request, pk):
    acceptance = _acceptance_for(request, pk)
    form = RejectForm(request.POST)
    done = save_form(
        request,
        form,
        lambda data: services.acceptance_reject(acceptance, by=request.staff, note=data["note"]),
        message=_("已记录验收不合格，未生成资产卡片。"),
        to=acceptance,
    )
    return done or _acceptance_detail(
        request, acceptance, forms={"reject": form}, open_panel="reject"
    )
