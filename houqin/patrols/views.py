"""The patrol pages: 今日巡查 (a patroller's rounds of today), 巡查记录 and one round,
应巡任务 for managers, and the settings — checklists (versioned), routes of checkpoints,
plans with their days.

Every change goes through ``services``; a refusal (``PatrolError``) is shown in Chinese
with what was typed kept. The phone round itself is in ``views_phone``."""

from collections import OrderedDict
from datetime import datetime, time

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from houqin.accounts.access import get_for_user, school_required
from houqin.core.audit import history_for
from houqin.core.forms import ArchiveForm
from houqin.core.htmx import render_page
from houqin.core.views import restore_from_post
from houqin.patrols import services
from houqin.patrols.access import get_round_or_404, sees_all, visible_rounds
from houqin.patrols.forms import (
    ChecklistForm,
    CheckpointChecklistForm,
    CheckpointForm,
    ExpectedFilterForm,
    ItemForm,
    PlanForm,
    PlanScheduleForm,
    PublishForm,
    RoundFilterForm,
    RouteForm,
)
from houqin.patrols.models import (
    AnswerPhoto,
    Checklist,
    ChecklistItem,
    ChecklistKind,
    ChecklistVersion,
    Checkpoint,
    ExpectedRound,
    Plan,
    Round,
    Route,
    Visit,
)
from houqin.patrols.services import PatrolError, local_today, school_tz
from houqin.schedules.forms import RULE_FIELDS
from houqin.schedules.models import Schedule

PATROL, VIEW_ALL, MANAGE = "patrols.patrol", "patrols.view_all", "patrols.manage"
PER_PAGE = 30


# ---------------------------------------------------------------------------------------
# 今日巡查


@school_required(perm=PATROL)
def today(request):
    """My expected rounds of today, each with 开始巡查, and my rounds of today."""
    staff = request.staff
    day = local_today(request.school)
    expected = list(
        ExpectedRound.objects.filter(school=request.school, plan__patrollers=staff, day=day)
        .select_related("plan__route", "round")
        .order_by("due_at", "pk")
    )
    start = datetime.combine(day, time(0), school_tz(request.school))
    rounds = list(
        Round.objects.filter(school=request.school, patroller=staff, started_at__gte=start)
        .select_related("route", "place__building", "checklist_version__checklist")
        .order_by("-started_at", "-pk")[:20]
    )
    routes = list(
        Route.objects.for_user(request.user)
        .filter(is_active=True, checklist__versions__published_at__isnull=False)
        .distinct()
        .order_by("name", "pk")
    )
    context = {
        "day": day,
        "expected": expected,
        "rounds": rounds,
        "routes": routes,
        "pending": sum(1 for e in expected if e.state == ExpectedRound.State.PENDING),
        "now": timezone.now(),
        "section": "today",
    }
    return render(request, "patrols/today.html", context)


# ---------------------------------------------------------------------------------------
# 巡查记录


@school_required(perm=PATROL)
def round_list(request):
    all_people = sees_all(request.user)
    filters = RoundFilterForm(request.GET or None, school=request.school, all_people=all_people)
    rounds = filters.filter(visible_rounds(request), tz=school_tz(request.school))
    rounds = rounds.select_related(
        "route", "place__building", "patroller", "checklist_version__checklist", "expected__plan"
    ).order_by("-started_at", "-pk")
    page = Paginator(rounds, PER_PAGE).get_page(request.GET.get("page"))
    context = {"filters": filters, "page": page, "all_people": all_people, "section": "rounds"}
    return render_page(request, "patrols/round_list.html", context)


@school_required(perm=PATROL)
def round_detail(request, pk):
    round_ = get_round_or_404(
        request,
        pk,
        Round.objects.select_related(
            "route__campus",
            "place__building",
            "patroller",
            "checklist_version__checklist",
            "expected__plan",
        ),
    )
    visits = {
        visit.place_id: visit
        for visit in round_.visits.select_related("place__building").order_by("scanned_at")
    }
    answers = list(
        round_.answers.select_related("item", "place__building", "hazard").order_by(
            "item__order", "pk"
        )
    )
    photos = {}
    for photo in AnswerPhoto.objects.filter(answer__round=round_).select_related("attachment"):
        if photo.attachment.is_active:
            photos.setdefault(photo.answer_id, []).append(photo.attachment)
    for answer in answers:
        answer.photo_list = photos.get(answer.pk, [])
    # Answers grouped by checkpoint, in route order; then any other place answered.
    if round_.route_id:
        order = [
            point.place for point in round_.route.checkpoints.select_related("place__building")
        ]
    else:
        order = [round_.place]
    groups = OrderedDict((place.pk, {"place": place, "answers": []}) for place in order)
    for answer in answers:
        groups.setdefault(answer.place_id, {"place": answer.place, "answers": []})
        groups[answer.place_id]["answers"].append(answer)
    for place_id, group in groups.items():
        group["visit"] = visits.get(place_id)
        group["proven"] = group["visit"] is not None and group["visit"].method == Visit.Method.QR
        group["checkpoint"] = place_id in {place.pk for place in order}
    context = {
        "round": round_,
        "groups": list(groups.values()),
        "hazards": [answer.hazard for answer in answers if answer.hazard_id],
        "section": "rounds",
    }
    return render(request, "patrols/round_detail.html", context)


# ---------------------------------------------------------------------------------------
# 应巡任务


@school_required(perm=VIEW_ALL)
def expected_list(request):
    filters = ExpectedFilterForm(request.GET or None)
    day = local_today(request.school)
    first, last = filters.days(day)
    expected = filters.filter(ExpectedRound.objects.filter(school=request.school), day)
    expected = expected.select_related("plan__route", "round__patroller").prefetch_related(
        "plan__patrollers"
    )
    expected = expected.order_by("day", "due_at", "pk")
    counts = ExpectedRound.objects.filter(
        school=request.school, day__gte=first, day__lte=last
    ).aggregate(
        pending=Count("pk", filter=Q(state=ExpectedRound.State.PENDING)),
        done=Count("pk", filter=Q(state=ExpectedRound.State.DONE)),
        missed=Count("pk", filter=Q(state=ExpectedRound.State.MISSED)),
    )
    page = Paginator(expected, PER_PAGE * 2).get_page(request.GET.get("page"))
    context = {
        "filters": filters,
        "page": page,
        "counts": counts,
        "first": first,
        "last": last,
        "now": timezone.now(),
        "section": "expected",
    }
    return render_page(request, "patrols/expected_list.html", context)


# ---------------------------------------------------------------------------------------
# Checklists


@school_required(perm=MANAGE)
def checklist_list(request):
    kind = request.GET.get("kind", "")
    archived = request.GET.get("archived") == "1"
    checklists = Checklist.objects.filter(school=request.school, is_active=not archived)
    if kind in ChecklistKind.values:
        checklists = checklists.filter(kind=kind)
    versions = ChecklistVersion.objects.order_by("-number")
    checklists = checklists.prefetch_related(Prefetch("versions", queryset=versions)).annotate(
        route_count=Count("routes", filter=Q(routes__is_active=True), distinct=True)
    )
    rows = []
    for checklist in checklists.order_by("kind", "name", "pk"):
        all_versions = list(checklist.versions.all())
        rows.append(
            {
                "checklist": checklist,
                "current": next((v for v in all_versions if not v.is_draft), None),
                "draft": next((v for v in all_versions if v.is_draft), None),
            }
        )
    context = {
        "rows": rows,
        "kind": kind,
        "kinds": ChecklistKind.choices,
        "archived": archived,
        "section": "checklists",
    }
    return render(request, "patrols/checklist_list.html", context)


@school_required(perm=MANAGE)
def checklist_create(request):
    form = ChecklistForm(request.POST or None, school=request.school)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        checklist = services.checklist_create(
            by=request.staff, name=data["name"], kind=data["kind"], description=data["description"]
        )
        messages.success(request, _("已新建检查表，请添加检查项后发布。"))
        return redirect("patrols:checklist_detail", pk=checklist.pk)
    context = {
        "form": form,
        "heading": _("新建检查表"),
        "cancel_url": reverse("patrols:checklist_list"),
        "section": "checklists",
    }
    return render(request, "patrols/form.html", context)


@school_required(perm=MANAGE)
def checklist_edit(request, pk):
    checklist = get_for_user(request, Checklist, pk)
    form = ChecklistForm(request.POST or None, instance=checklist, school=request.school)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("已保存检查表。"))
        return redirect("patrols:checklist_detail", pk=checklist.pk)
    context = {
        "form": form,
        "heading": _("编辑检查表"),
        "cancel_url": checklist.get_absolute_url(),
        "section": "checklists",
    }
    return render(request, "patrols/form.html", context)


@school_required(perm=MANAGE)
def checklist_detail(request, pk):
    """The draft being edited (if any) above the current version; older versions listed."""
    checklist = get_for_user(request, Checklist, pk)
    versions = list(
        checklist.versions.select_related("published_by__staff").prefetch_related("items")
    )
    draft = next((v for v in versions if v.is_draft), None)
    current = next((v for v in versions if not v.is_draft), None)
    return _checklist_page(request, checklist, versions, draft, current)


def _checklist_page(request, checklist, versions, draft, current, *, publish_form=None):
    context = {
        "checklist": checklist,
        "versions": versions,
        "draft": draft,
        "current": current,
        "older": [v for v in versions if v is not draft and v is not current],
        "publish_form": publish_form or PublishForm(),
        "archive_form": ArchiveForm(),
        "routes": checklist.routes.filter(is_active=True).order_by("name"),
        "history": history_for(checklist),
        "section": "checklists",
    }
    return render(request, "patrols/checklist_detail.html", context)


@school_required(perm=MANAGE)
def version_detail(request, pk):
    version = _version_for(request, pk)
    context = {
        "checklist": version.checklist,
        "version": version,
        "items": version.items.all(),
        "round_count": Round.objects.filter(checklist_version=version).count(),
        "section": "checklists",
    }
    return render(request, "patrols/version_detail.html", context)


def _version_for(request, pk):
    queryset = ChecklistVersion.objects.select_related("checklist", "published_by__staff")
    try:
        return queryset.get(pk=pk, checklist__school=request.school)
    except (ChecklistVersion.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@require_POST
@school_required(perm=MANAGE)
def checklist_publish(request, pk):
    checklist = get_for_user(request, Checklist, pk)
    form = PublishForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        version = services.checklist_publish(checklist, by=request.staff, note=note)
    except PatrolError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("已发布第 %(number)d 版，新开始的巡查按这一版检查。") % {"number": version.number},
        )
    return redirect("patrols:checklist_detail", pk=checklist.pk)


@require_POST
@school_required(perm=MANAGE)
def checklist_revise(request, pk):
    checklist = get_for_user(request, Checklist, pk)
    draft = services.checklist_revise(checklist, by=request.staff)
    messages.success(
        request,
        _("已生成第 %(number)d 版草稿，修改后点“发布”生效；发布前巡查仍按当前版本。")
        % {"number": draft.number},
    )
    return redirect("patrols:checklist_detail", pk=checklist.pk)


@require_POST
@school_required(perm=MANAGE)
def checklist_archive(request, pk):
    checklist = get_for_user(request, Checklist, pk)
    form = ArchiveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写停用原因。"))
    elif checklist.is_active:
        try:
            services.checklist_archive(
                checklist, by=request.staff, reason=form.cleaned_data["reason"]
            )
        except PatrolError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("已停用“%(name)s”。") % {"name": checklist.name})
    return redirect("patrols:checklist_detail", pk=checklist.pk)


@require_POST
@school_required(perm=MANAGE)
def checklist_restore(request, pk):
    checklist = get_for_user(request, Checklist, pk)
    restore_from_post(request, checklist, label=checklist.name)
    return redirect("patrols:checklist_detail", pk=checklist.pk)


# Items of a draft


def _item_for(request, pk):
    queryset = ChecklistItem.objects.select_related("version__checklist")
    try:
        return queryset.get(pk=pk, version__checklist__school=request.school)
    except (ChecklistItem.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@school_required(perm=MANAGE)
def item_create(request, pk):
    checklist = get_for_user(request, Checklist, pk)
    draft = checklist.draft_version()
    if draft is None:
        messages.error(request, _("这个检查表没有草稿。请先点“修订”再修改检查项。"))
        return redirect("patrols:checklist_detail", pk=checklist.pk)
    return _item_form(request, checklist, draft, ChecklistItem())


@school_required(perm=MANAGE)
def item_edit(request, pk):
    item = _item_for(request, pk)
    return _item_form(request, item.version.checklist, item.version, item)


def _item_form(request, checklist, version, item):
    form = ItemForm(request.POST or None, instance=item, version=version)
    if not version.is_draft:
        messages.error(request, _("已发布的版本不能修改。请点“修订”生成新版本后再改。"))
        return redirect("patrols:checklist_detail", pk=checklist.pk)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.item_save(form.save(commit=False), version=version)
        except PatrolError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已保存检查项。"))
            if request.POST.get("another"):
                return redirect("patrols:item_create", pk=checklist.pk)
            return redirect(f"{checklist.get_absolute_url()}#item-{form.instance.pk}")
    context = {
        "form": form,
        "checklist": checklist,
        "version": version,
        "item": item,
        "section": "checklists",
    }
    return render(request, "patrols/item_form.html", context)


@require_POST
@school_required(perm=MANAGE)
def item_delete(request, pk):
    item = _item_for(request, pk)
    try:
        services.item_delete(item)
    except PatrolError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已删除检查项“%(text)s”。") % {"text": item.text})
    return redirect("patrols:checklist_detail", pk=item.version.checklist_id)


@require_POST
@school_required(perm=MANAGE)
def item_move(request, pk):
    item = _item_for(request, pk)
    try:
        services.item_move(item, up=request.POST.get("direction") != "down")
    except PatrolError as error:
        messages.error(request, str(error))
    return redirect(
        f"{reverse('patrols:checklist_detail', args=[item.version.checklist_id])}#item-{item.pk}"
    )


# ---------------------------------------------------------------------------------------
# Routes


@school_required(perm=MANAGE)
def route_list(request):
    archived = request.GET.get("archived") == "1"
    routes = (
        Route.objects.filter(school=request.school, is_active=not archived)
        .select_related("campus", "checklist")
        .annotate(checkpoint_count=Count("checkpoints", distinct=True))
        .order_by("name", "pk")
    )
    context = {"routes": routes, "archived": archived, "section": "routes"}
    return render(request, "patrols/route_list.html", context)


@school_required(perm=MANAGE)
def route_create(request):
    return _route_form(request, Route(school=request.school))


@school_required(perm=MANAGE)
def route_edit(request, pk):
    return _route_form(request, get_for_user(request, Route, pk))


def _route_form(request, route):
    form = RouteForm(request.POST or None, instance=route, school=request.school)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            route = form.save(commit=False)
            route.school = request.school
            route.save()
        messages.success(request, _("已保存巡查路线“%(name)s”。") % {"name": route.name})
        return redirect("patrols:route_detail", pk=route.pk)
    context = {
        "form": form,
        "heading": _("编辑巡查路线") if route.pk else _("新建巡查路线"),
        "cancel_url": route.get_absolute_url() if route.pk else reverse("patrols:route_list"),
        "help": _("保存后在路线页面添加巡查点（场所），按巡查顺序排列。"),
        "section": "routes",
    }
    return render(request, "patrols/form.html", context)


@school_required(perm=MANAGE)
def route_detail(request, pk):
    route = get_for_user(request, Route.objects.select_related("campus", "checklist"), pk)
    return _route_page(request, route)


def _route_page(request, route, *, add_form=None):
    points = list(route.checkpoints.select_related("place__building", "place__floor", "checklist"))
    context = {
        "route": route,
        "points": points,
        "add_form": add_form
        or CheckpointForm(user=request.user, school=request.school, auto_id="add_%s"),
        "checklist_form": CheckpointChecklistForm(school=request.school),
        "label_ids": ",".join(str(point.place_id) for point in points),
        "plans": route.plans.filter(is_active=True).order_by("start_time"),
        "archive_form": ArchiveForm(),
        "history": history_for(route),
        "section": "routes",
    }
    return render(request, "patrols/route_detail.html", context)


@require_POST
@school_required(perm=MANAGE)
def checkpoint_add(request, pk):
    route = get_for_user(request, Route.objects.select_related("campus", "checklist"), pk)
    form = CheckpointForm(request.POST, user=request.user, school=request.school, auto_id="add_%s")
    if form.is_valid():
        try:
            point = services.checkpoint_add(
                route, place=form.cleaned_data["place"], checklist=form.cleaned_data["checklist"]
            )
        except PatrolError as error:
            form.add_error("place", str(error))
        else:
            messages.success(
                request, _("已添加巡查点“%(place)s”。") % {"place": point.place.full_name}
            )
            return redirect(f"{route.get_absolute_url()}#checkpoints")
    return _route_page(request, route, add_form=form)


def _checkpoint_for(request, pk):
    queryset = Checkpoint.objects.select_related("route", "place__building")
    try:
        return queryset.get(pk=pk, route__school=request.school)
    except (Checkpoint.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@require_POST
@school_required(perm=MANAGE)
def checkpoint_move(request, pk):
    point = _checkpoint_for(request, pk)
    services.checkpoint_move(point, up=request.POST.get("direction") != "down")
    return redirect(f"{point.route.get_absolute_url()}#checkpoints")


@require_POST
@school_required(perm=MANAGE)
def checkpoint_remove(request, pk):
    point = _checkpoint_for(request, pk)
    services.checkpoint_remove(point)
    messages.success(request, _("已移除巡查点“%(place)s”。") % {"place": point.place.full_name})
    return redirect(f"{point.route.get_absolute_url()}#checkpoints")


@require_POST
@school_required(perm=MANAGE)
def checkpoint_checklist(request, pk):
    point = _checkpoint_for(request, pk)
    form = CheckpointChecklistForm(request.POST, school=request.school)
    if form.is_valid():
        point.checklist = form.cleaned_data["checklist"]
        point.save(update_fields=["checklist"])
        messages.success(
            request, _("已保存“%(place)s”的检查表。") % {"place": point.place.full_name}
        )
    else:
        messages.error(request, _("请选择已发布的检查表。"))
    return redirect(f"{point.route.get_absolute_url()}#checkpoints")


@require_POST
@school_required(perm=MANAGE)
def route_archive(request, pk):
    route = get_for_user(request, Route, pk)
    form = ArchiveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写停用原因。"))
    elif route.plans.filter(is_active=True).exists():
        messages.error(request, _("还有在用的巡查安排使用这条路线，请先停用巡查安排。"))
    elif route.is_active:
        route.archive(by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("已停用“%(name)s”。") % {"name": route.name})
    return redirect("patrols:route_detail", pk=route.pk)


@require_POST
@school_required(perm=MANAGE)
def route_restore(request, pk):
    route = get_for_user(request, Route, pk)
    restore_from_post(request, route, label=route.name)
    return redirect("patrols:route_detail", pk=route.pk)


# ---------------------------------------------------------------------------------------
# Plans (巡查安排)


@school_required(perm=MANAGE)
def plan_list(request):
    archived = request.GET.get("archived") == "1"
    plans = (
        Plan.objects.filter(school=request.school, is_active=not archived)
        .select_related("route", "schedule")
        .prefetch_related("patrollers")
        .order_by("start_time", "name", "pk")
    )
    for plan in plans:
        plan.days_text = services.describe_days(plan.schedule) if plan.schedule_id else ""
    context = {"plans": plans, "archived": archived, "section": "plans"}
    return render(request, "patrols/plan_list.html", context)


@school_required(perm=MANAGE)
def plan_create(request):
    initial = {}
    route_id = request.GET.get("route")
    if route_id and route_id.isdigit():
        initial["route"] = route_id
    return _plan_form(request, Plan(school=request.school), initial=initial)


@school_required(perm=MANAGE)
def plan_edit(request, pk):
    return _plan_form(request, get_for_user(request, Plan.objects.select_related("schedule"), pk))


def _plan_form(request, plan, initial=None):
    schedule = plan.schedule if plan.schedule_id else Schedule(school=request.school)
    data = request.POST if request.method == "POST" else None
    form = PlanForm(data, instance=plan, school=request.school, initial=initial)
    days = PlanScheduleForm(data, instance=schedule, school=request.school)
    if data is not None and (form.is_valid() & days.is_valid()):
        plan = services.plan_save(
            form.save(commit=False),
            days.save(commit=False),
            by=request.staff,
            patrollers=form.cleaned_data["patrollers"],
        )
        messages.success(request, _("已保存巡查安排“%(name)s”。") % {"name": plan.name})
        return redirect("patrols:plan_detail", pk=plan.pk)
    context = {
        "form": form,
        "days": days,
        "plan": plan,
        "rule_fields": {name: " ".join(kinds) for name, kinds in RULE_FIELDS.items()},
        "generate_at": services.GENERATE_AT,
        "section": "plans",
    }
    return render(request, "patrols/plan_form.html", context)


@school_required(perm=MANAGE)
def plan_detail(request, pk):
    plan = get_for_user(request, Plan.objects.select_related("route", "schedule"), pk)
    recent = plan.expected_rounds.select_related("round__patroller").order_by("-day", "-pk")[:14]
    next_runs = []
    if plan.schedule_id and plan.is_active and plan.schedule.is_active:
        from houqin.schedules.services import next_occurrences

        next_runs = [moment.date() for moment in next_occurrences(plan.schedule, 5)]
    context = {
        "plan": plan,
        "patrollers": plan.patrollers.order_by("name_initials", "name"),
        "recent": recent,
        "next_days": next_runs,
        "days_text": services.describe_days(plan.schedule) if plan.schedule_id else "",
        "archive_form": ArchiveForm(),
        "history": history_for(plan),
        "now": timezone.now(),
        "section": "plans",
    }
    return render(request, "patrols/plan_detail.html", context)


@require_POST
@school_required(perm=MANAGE)
def plan_archive(request, pk):
    plan = get_for_user(request, Plan.objects.select_related("schedule"), pk)
    form = ArchiveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写停用原因。"))
    elif plan.is_active:
        services.plan_archive(plan, by=request.staff, reason=form.cleaned_data["reason"])
        messages.success(request, _("已停用“%(name)s”，不再生成巡查任务。") % {"name": plan.name})
    return redirect("patrols:plan_detail", pk=plan.pk)


@require_POST
@school_required(perm=MANAGE)
def plan_restore(request, pk):
    plan = get_for_user(request, Plan.objects.select_related("schedule"), pk)
    if not plan.is_active:
        services.plan_restore(plan)
        messages.success(request, _("已恢复“%(name)s”。") % {"name": plan.name})
    return redirect("patrols:plan_detail", pk=plan.pk)
