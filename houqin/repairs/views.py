"""The repair screens: report (from a scan or the place picker), 我的报修, the manager's
queue, the worker's 我的维修单, one request with its timeline and the buttons each person
may press, and the settings (vendors, dispatch rules, deadlines).

Every change goes through ``services``; a refusal (``RepairError``) is shown in Chinese
with what was typed kept."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from houqin.accounts.access import get_for_user, school_required
from houqin.core.htmx import render_page
from houqin.core.pages import done_tab, photos_lost, visible_place
from houqin.core.views import archive_from_post, restore_from_post
from houqin.qr.registry import scan_url
from houqin.repairs import services
from houqin.repairs.access import get_visible_or_404, is_manager, visible_requests
from houqin.repairs.forms import (
    AssignForm,
    ConfirmForm,
    CostsForm,
    DeadlineForm,
    DispatchRuleForm,
    FinishForm,
    JoinForm,
    NoteForm,
    OutsourceForm,
    QueueFilterForm,
    RateForm,
    ReportForm,
    VendorForm,
    overdue_q,
    vendors_of,
    workers_of,
)
from houqin.repairs.models import (
    OPEN_STATUSES,
    WORKING_STATUSES,
    Deadline,
    DispatchRule,
    RepairRequest,
    Status,
    Vendor,
)
from houqin.repairs.services import RepairError

REPORT, WORK, MANAGE = "repairs.report", "repairs.work", "repairs.manage"
PER_PAGE = 30
LIST_RELATED = ("place__building", "reporter", "assignee", "vendor")


def _now():
    return timezone.now()


# ---------------------------------------------------------------------------------------
# Reporting


@school_required(perm=REPORT)
def report(request):
    """报修: place pre-filled from ``?place=<id>`` (a scan sends people here)."""
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                repair = services.report(
                    by=request.staff,
                    place=data["place"],
                    category=data["category"],
                    urgency=data["urgency"],
                    description=data["description"],
                    photos=data["photos"],
                    asset=data.get("asset"),
                )
            except RepairError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("已提交报修，单号 %(number)s。维修进展会通知您。")
                    % {"number": repair.number},
                )
                return redirect("repairs:detail", pk=repair.pk)
        else:
            photos_lost(request, form)
    else:
        initial = {}
        asset = _asset_for(request, request.GET.get("asset"))
        if request.GET.get("asset") and asset is None:
            messages.error(request, _("没有找到这件资产，或它已处置。请选择报修地点。"))
        elif asset is not None:
            initial["asset"] = asset.pk
            if asset.place_id:
                initial["place"] = asset.place_id
        place_id = request.GET.get("place")
        if place_id:
            place = _place_for(request, place_id)
            if place is None:
                messages.error(request, _("没有找到这个场所，请重新选择报修地点。"))
            else:
                initial["place"] = place.pk
        form = ReportForm(initial=initial, user=request.user)
    place = _chosen_place(request, form)
    context = {
        "form": form,
        "place": place,
        "asset": _asset_for(request, form["asset"].value()),
        "similar": _similar(request, place, form["description"].value() or ""),
        "scan_url": scan_url("repair"),
    }
    return render(request, "repairs/report.html", context)


def _asset_for(request, asset_id):
    """The card a label scan named (``?asset=``), if the reporter's school has it."""
    if not asset_id:
        return None
    from houqin.assets.models import Asset, Status

    try:
        return (
            Asset.objects.for_user(request.user)
            .exclude(status=Status.DISPOSED)
            .filter(pk=int(asset_id))
            .first()
        )
    except (TypeError, ValueError):
        return None


def _place_for(request, place_id):
    return visible_place(request, place_id, "building")


def _chosen_place(request, form):
    value = form["place"].value()
    return _place_for(request, value) if value not in (None, "") else None


def _similar(request, place, description):
    if place is None:
        return []
    return list(
        services.similar_open_requests(request.school, place=place, description=description)
    )


@school_required(perm=REPORT)
def similar(request):
    """The htmx panel under the report form: open requests for the chosen place."""
    place = _place_for(request, request.GET.get("place"))
    description = (request.GET.get("description") or "")[:500]
    context = {"place": place, "similar": _similar(request, place, description)}
    return render(request, "repairs/_similar.html", context)


@require_POST
@school_required(perm=REPORT)
def join(request, pk):
    """我也遇到了: add myself to an open request of a place I can see."""
    repair = get_for_user(request, RepairRequest.objects.select_related("place"), pk)
    # From the report form: what the person typed becomes the note on the request.
    form = JoinForm({"note": request.POST.get("note") or request.POST.get("description", "")})
    note = form.cleaned_data["note"].strip() if form.is_valid() else ""
    try:
        services.join(repair, by=request.staff, note=note)
    except RepairError as error:
        messages.error(request, str(error))
        return redirect(f"{reverse('repairs:report')}?place={repair.place_id}")
    messages.success(
        request,
        _("已加入报修单 %(number)s，维修进展会同时通知您。") % {"number": repair.number},
    )
    return redirect("repairs:detail", pk=repair.pk)


# ---------------------------------------------------------------------------------------
# Lists


@school_required(perm=REPORT)
def mine(request):
    """我的报修: what I reported or joined, open ones first."""
    staff = request.staff
    followed = RepairRequest.followers.through.objects.filter(staff_id=staff.pk).values(
        "repairrequest_id"
    )
    tab = done_tab(request)
    requests = RepairRequest.objects.filter(school=request.school).filter(
        Q(reporter=staff) | Q(pk__in=followed)
    )
    to_confirm = requests.filter(status=Status.DONE).count()
    if tab == "open":
        requests = requests.filter(status__in=[*OPEN_STATUSES, Status.DONE])
    else:
        requests = requests.exclude(status__in=[*OPEN_STATUSES, Status.DONE])
    requests = requests.select_related(*LIST_RELATED).order_by("-reported_at", "-pk")
    page = Paginator(requests, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "tab": tab,
        "to_confirm": to_confirm,
        "scan_url": scan_url("repair"),
        "section": "mine",
    }
    return render_page(request, "repairs/mine.html", context)


@school_required
def queue(request):
    """报修管理: the school's requests with filters; assign inline."""
    if not is_manager(request.user):
        raise PermissionDenied
    now = _now()
    filters = QueueFilterForm(request.GET or None, user=request.user)
    visible = visible_requests(request)
    requests = filters.filter(visible, now=now)
    requests = requests.select_related(*LIST_RELATED).order_by("-reported_at", "-pk")
    page = Paginator(requests, PER_PAGE).get_page(request.GET.get("page"))
    counts = visible.aggregate(
        waiting=Count("pk", filter=Q(status=Status.SUBMITTED)),
        overdue=Count("pk", filter=overdue_q(now)),
    )
    context = {
        "filters": filters,
        "page": page,
        "counts": counts,
        "now": now,
        "section": "queue",
        **_assign_choices(request),
    }
    return render_page(request, "repairs/queue.html", context)


def _assign_choices(request):
    if not request.user.has_perm(MANAGE):
        return {"can_assign": False}
    return {
        "can_assign": True,
        "workers": list(workers_of(request.school)),
        "vendors": list(vendors_of(request.school)),
    }


@school_required(perm=WORK)
def jobs(request):
    """我的维修单: the jobs assigned to me, the ones to act on first."""
    tab = done_tab(request)
    mine = RepairRequest.objects.filter(school=request.school, assignee=request.staff)
    active = [Status.ASSIGNED, *WORKING_STATUSES]
    counts = mine.aggregate(
        open=Count("pk", filter=Q(status__in=active)),
        new=Count("pk", filter=Q(status=Status.ASSIGNED)),
    )
    if tab == "open":
        jobs = mine.filter(status__in=active).order_by("completion_due", "pk")
    else:
        jobs = mine.exclude(status__in=active).order_by("-done_at", "-reported_at", "-pk")
    jobs = jobs.select_related(*LIST_RELATED)
    page = Paginator(jobs, PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "tab": tab, "counts": counts, "now": _now(), "section": "jobs"}
    return render_page(request, "repairs/jobs.html", context)


# ---------------------------------------------------------------------------------------
# One request


def _repair_for(request, pk):
    queryset = RepairRequest.objects.select_related(
        "place__building",
        "place__campus",
        "reporter__department",
        "assignee",
        "vendor",
        "responsible_class",
    )
    return get_visible_or_404(request, pk, queryset)


@school_required(perm=REPORT)
def detail(request, pk):
    return _detail(request, _repair_for(request, pk))


def _roles(request, repair):
    staff, user = request.staff, request.user
    followers = list(repair.followers.all())
    is_reporter = staff.pk == repair.reporter_id
    is_follower = any(f.pk == staff.pk for f in followers)
    is_assignee = staff.pk == repair.assignee_id
    manage = user.has_perm(MANAGE)
    worker = is_assignee and user.has_perm(WORK)
    # A job only a vendor holds: the manager records its progress.
    vendor_job = manage and repair.assignee_id is None and repair.vendor_id is not None
    status = repair.status
    s = Status
    return followers, {
        "is_reporter": is_reporter,
        "is_assignee": is_assignee,
        "can_assign": manage and repair.is_open,
        "can_accept": worker and status == s.ASSIGNED,
        "can_start": (worker or vendor_job)
        and status in (s.ACCEPTED, s.WAITING_PARTS, s.OUTSOURCED),
        "can_wait_parts": worker and status in (s.ACCEPTED, s.IN_PROGRESS),
        "can_outsource": (worker or manage)
        and status in (s.ASSIGNED, s.ACCEPTED, s.IN_PROGRESS, s.WAITING_PARTS),
        "can_finish": (worker or vendor_job) and status in WORKING_STATUSES,
        "can_confirm": (is_reporter or is_follower) and status == s.DONE,
        "can_rate": is_reporter and status == s.CLOSED,
        "can_costs": (manage or worker) and status in (*WORKING_STATUSES, s.DONE, s.CLOSED),
        "can_cancel": repair.is_open
        and (manage or (is_reporter and status in (s.SUBMITTED, s.ASSIGNED))),
        "can_join": repair.is_open and not (is_reporter or is_follower or is_assignee),
    }


def _detail(request, repair, forms=None, *, open_panel=""):
    school = request.school
    followers, roles = _roles(request, repair)
    costs_initial = {
        "labour_cost": repair.labour_cost or None,
        "parts_cost": repair.parts_cost or None,
        "vendor_cost": repair.vendor_cost or None,
        "damaged_by_students": repair.damaged_by_students,
        "responsible_class": repair.responsible_class_id,
        "responsible_person": repair.responsible_person,
    }
    forms = forms or {}
    defaults = {}
    if roles["can_assign"]:
        initial = {"to": f"s{repair.assignee_id}" if repair.assignee_id else ""}
        if repair.vendor_id and not repair.assignee_id:
            initial["to"] = f"v{repair.vendor_id}"
        defaults["assign"] = lambda: AssignForm(initial=initial, school=school)
    if roles["can_wait_parts"]:
        defaults["wait_parts"] = lambda: NoteForm(
            label=_("需要什么配件"), placeholder=_("如：门锁锁芯一个")
        )
    if roles["can_outsource"]:
        defaults["outsource"] = lambda: OutsourceForm(school=school)
    if roles["can_finish"]:
        defaults["finish"] = lambda: FinishForm(initial=costs_initial, school=school)
    if roles["can_confirm"]:
        defaults["confirm"] = ConfirmForm
        defaults["reopen"] = lambda: NoteForm(
            label=_("哪里还没修好"), placeholder=_("如：门锁还是打不开")
        )
    if roles["can_rate"]:
        defaults["rate"] = lambda: RateForm(
            initial={"rating": repair.rating, "comment": repair.rating_comment}
        )
    if roles["can_costs"]:
        defaults["costs"] = lambda: CostsForm(initial=costs_initial, school=school)
    if roles["can_cancel"]:
        defaults["cancel"] = lambda: NoteForm(label=_("撤销原因"), placeholder=_("如：已自行解决"))
    for name, make in defaults.items():
        forms.setdefault(name, make())
    context = {
        "repair": repair,
        "followers": followers,
        "events": repair.timeline(),
        "forms": forms,
        "open_panel": open_panel,
        "now": _now(),
        "overdue": repair.is_open and _is_overdue(repair, _now()),
        "photos_readonly": repair.status in (Status.CLOSED, Status.CANCELLED),
        # Photos of the finished work come from those who did it.
        "done_photos_readonly": repair.status in (Status.CLOSED, Status.CANCELLED)
        or not (roles["is_assignee"] or request.user.has_perm(MANAGE)),
        "rating_stars": "★" * (repair.rating or 0),
        **roles,
    }
    return render(request, "repairs/detail.html", context)


def _is_overdue(repair, now):
    if repair.status in (Status.SUBMITTED, Status.ASSIGNED) and repair.response_due < now:
        return True
    return repair.completion_due < now


# Each action: (permission, form factory or None, call, success message).
def _note_form(label, required_message):
    return lambda request, repair, data=None, files=None: NoteForm(
        data, label=label, required_message=required_message
    )


def _school_form(form_class):
    return lambda request, repair, data=None, files=None: form_class(
        data, files, school=request.school
    )


def _plain_form(form_class):
    return lambda request, repair, data=None, files=None: form_class(data)


ACTIONS = {
    "assign": (
        MANAGE,
        lambda request, repair, data=None, files=None: AssignForm(data, school=request.school),
        lambda repair, by, d: services.assign(
            repair, by=by, assignee=d["assignee"], vendor=d["vendor"], note=d["note"]
        ),
        gettext_lazy("已派单。"),
    ),
    "accept": (
        WORK,
        None,
        lambda repair, by, d: services.accept(repair, by=by),
        gettext_lazy("已接单。"),
    ),
    "start": (
        None,
        None,
        lambda repair, by, d: services.start(repair, by=by),
        gettext_lazy("已开始维修。"),
    ),
    "wait_parts": (
        WORK,
        _note_form(gettext_lazy("需要什么配件"), gettext_lazy("请写明需要什么配件。")),
        lambda repair, by, d: services.wait_for_parts(repair, by=by, note=d["note"]),
        gettext_lazy("已标记为等待配件。"),
    ),
    "outsource": (
        None,
        _school_form(OutsourceForm),
        lambda repair, by, d: services.outsource(repair, by=by, vendor=d["vendor"], note=d["note"]),
        gettext_lazy("已转为委外维修。"),
    ),
    "finish": (
        None,
        _school_form(FinishForm),
        lambda repair, by, d: services.finish(
            repair,
            by=by,
            note=d["note"],
            photos=d["photos"],
            labour_cost=d["labour_cost"],
            parts_cost=d["parts_cost"],
            vendor_cost=d["vendor_cost"],
            damaged_by_students=d["damaged_by_students"],
            responsible_class=d["responsible_class"],
            responsible_person=d["responsible_person"],
        ),
        gettext_lazy("已提交维修完成，等待报修人确认。"),
    ),
    "confirm": (
        REPORT,
        _plain_form(ConfirmForm),
        lambda repair, by, d: services.confirm(
            repair, by=by, rating=d["rating"], comment=d["comment"]
        ),
        gettext_lazy("已确认修好，谢谢您的评价。"),
    ),
    "reopen": (
        REPORT,
        _note_form(gettext_lazy("哪里还没修好"), gettext_lazy("请写明哪里还没修好。")),
        lambda repair, by, d: services.reopen(repair, by=by, note=d["note"]),
        gettext_lazy("已退回返修，维修人员会再来处理。"),
    ),
    "rate": (
        REPORT,
        _plain_form(RateForm),
        lambda repair, by, d: services.rate(
            repair, by=by, rating=d["rating"], comment=d["comment"]
        ),
        gettext_lazy("已保存评价。"),
    ),
    "costs": (
        None,
        _school_form(CostsForm),
        lambda repair, by, d: services.record_costs(
            repair,
            by=by,
            labour_cost=d["labour_cost"],
            parts_cost=d["parts_cost"],
            vendor_cost=d["vendor_cost"],
            damaged_by_students=d["damaged_by_students"],
            responsible_class=d["responsible_class"],
            responsible_person=d["responsible_person"],
        ),
        gettext_lazy("已保存费用。"),
    ),
    "cancel": (
        REPORT,
        _note_form(gettext_lazy("撤销原因"), gettext_lazy("请填写撤销原因。")),
        lambda repair, by, d: services.cancel(repair, by=by, note=d["note"]),
        gettext_lazy("已撤销报修。"),
    ),
}
# Actions anyone may try who works on repairs or manages them.
WORK_OR_MANAGE = {"start", "outsource", "finish", "costs"}


@require_POST
@school_required
def act(request, pk, action):
    perm, make_form, call, done = ACTIONS[action]
    repair = _repair_for(request, pk)
    if perm and not request.user.has_perm(perm):
        raise PermissionDenied
    if action in WORK_OR_MANAGE and not (
        request.user.has_perm(WORK) or request.user.has_perm(MANAGE)
    ):
        raise PermissionDenied
    form, data = None, {}
    if make_form:
        form = make_form(request, repair, request.POST, request.FILES)
        if not form.is_valid():
            return _action_failed(request, repair, action, form)
        data = form.cleaned_data
    try:
        with transaction.atomic():
            call(repair, request.staff, data)
    except RepairError as error:
        if form is None:
            messages.error(request, str(error))
            return redirect("repairs:detail", pk=repair.pk)
        form.add_error(None, str(error))
        return _action_failed(request, _repair_for(request, pk), action, form)
    if request.htmx and request.POST.get("from") == "queue":
        return _queue_row(request, _repair_for(request, pk), message=str(done))
    messages.success(request, str(done))
    back = request.POST.get("next")
    if back in ("jobs", "queue", "mine"):
        return redirect(f"repairs:{back}")
    return redirect("repairs:detail", pk=repair.pk)


def _action_failed(request, repair, action, form):
    if request.htmx and request.POST.get("from") == "queue":
        return _queue_row(request, repair, form=form)
    return _detail(request, repair, {action: form}, open_panel=action)


def _queue_row(request, repair, *, form=None, message=""):
    context = {
        "repair": repair,
        "now": _now(),
        "row_form": form,
        "row_message": message,
        **_assign_choices(request),
    }
    return render(request, "repairs/queue.html#row", context)


# ---------------------------------------------------------------------------------------
# Settings: vendors, dispatch rules, deadlines (repairs.manage)


@school_required(perm=MANAGE)
def vendor_list(request):
    vendors = (
        Vendor.objects.filter(school=request.school)
        .annotate(
            open_count=Count("repairrequest", filter=Q(repairrequest__status__in=OPEN_STATUSES))
        )
        .order_by("-is_active", "name")
    )
    return render(
        request, "repairs/settings/vendors.html", {"vendors": vendors, "section": "vendors"}
    )


@school_required(perm=MANAGE)
def vendor_create(request):
    return _vendor_form(request, Vendor())


@school_required(perm=MANAGE)
def vendor_edit(request, pk):
    return _vendor_form(request, get_for_user(request, Vendor, pk))


def _settings_form(request, form, *, section, back, heading, message, help_text=""):
    """A settings page's create/edit form: save a valid post in one transaction, say so
    (``message`` may name the record as ``%(name)s``) and go back to the section's list;
    otherwise show the form (again, with its errors)."""
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
        messages.success(request, message % {"name": saved})
        return redirect(back)
    context = {
        "form": form,
        "heading": heading,
        "section": section,
        "cancel_url": reverse(back),
        "help": help_text,
    }
    return render(request, "repairs/settings/form.html", context)


def _vendor_form(request, vendor):
    return _settings_form(
        request,
        VendorForm(request.POST or None, instance=vendor, school=request.school),
        section="vendors",
        back="repairs:vendor_list",
        heading=_("编辑维修单位") if vendor.pk else _("新增维修单位"),
        message=_("已保存维修单位“%(name)s”。"),
    )


@require_POST
@school_required(perm=MANAGE)
def vendor_archive(request, pk):
    vendor = get_for_user(request, Vendor, pk)
    archive_from_post(request, vendor, label=vendor.name)
    return redirect("repairs:vendor_list")


@require_POST
@school_required(perm=MANAGE)
def vendor_restore(request, pk):
    vendor = get_for_user(request, Vendor, pk)
    restore_from_post(request, vendor, label=vendor.name)
    return redirect("repairs:vendor_list")


@school_required(perm=MANAGE)
def rule_list(request):
    rules = (
        DispatchRule.objects.filter(school=request.school)
        .select_related("campus", "assignee", "vendor")
        .order_by("category", "campus__code")
    )
    return render(request, "repairs/settings/rules.html", {"rules": rules, "section": "rules"})


@school_required(perm=MANAGE)
def rule_create(request):
    return _rule_form(request, DispatchRule())


@school_required(perm=MANAGE)
def rule_edit(request, pk):
    return _rule_form(request, get_for_user(request, DispatchRule, pk))


def _rule_form(request, rule):
    return _settings_form(
        request,
        DispatchRuleForm(request.POST or None, instance=rule, school=request.school),
        section="rules",
        back="repairs:rule_list",
        heading=_("编辑自动派单规则") if rule.pk else _("新增自动派单规则"),
        message=_("已保存自动派单规则。"),
        help_text=_("报修提交后，这个类别（和校区）的报修单直接派给所选人员或单位，无需等待派单。"),
    )


@require_POST
@school_required(perm=MANAGE)
def rule_delete(request, pk):
    rule = get_for_user(request, DispatchRule, pk)
    rule.delete()
    messages.success(request, _("已删除自动派单规则。"))
    return redirect("repairs:rule_list")


@school_required(perm=MANAGE)
def deadline_list(request):
    from houqin.repairs.deadlines import DEFAULTS

    rows = Deadline.objects.filter(school=request.school).order_by("urgency", "category")
    defaults = [
        (label, *DEFAULTS[value]) for value, label in _urgency_choices() if value in DEFAULTS
    ]
    context = {"deadlines": rows, "defaults": defaults, "section": "deadlines"}
    return render(request, "repairs/settings/deadlines.html", context)


def _urgency_choices():
    from houqin.repairs.models import Urgency

    return Urgency.choices


@school_required(perm=MANAGE)
def deadline_create(request):
    return _deadline_form(request, Deadline())


@school_required(perm=MANAGE)
def deadline_edit(request, pk):
    return _deadline_form(request, get_for_user(request, Deadline, pk))


def _deadline_form(request, deadline):
    return _settings_form(
        request,
        DeadlineForm(request.POST or None, instance=deadline, school=request.school),
        section="deadlines",
        back="repairs:deadline_list",
        heading=_("编辑维修时限") if deadline.pk else _("新增维修时限"),
        message=_("已保存维修时限。新的报修单按新时限计算。"),
        help_text=_(
            "按学校作息的工作小时计算（节假日和下班时间不计）。"
            "不选类别的一条适用于该紧急程度的所有类别，选了类别的一条优先。"
        ),
    )


@require_POST
@school_required(perm=MANAGE)
def deadline_delete(request, pk):
    deadline = get_for_user(request, Deadline, pk)
    deadline.delete()
    messages.success(request, _("已删除维修时限，改用默认时限。"))
    return redirect("repairs:deadline_list")
