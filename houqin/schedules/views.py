"""Schedules: the list, a schedule's page with its next runs and run history, the form
with a live preview, and the actions (pause, resume, run now, retry, archive)."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from houqin.accounts.access import get_for_user, school_required
from houqin.core.audit import history_for
from houqin.core.forms import ArchiveForm
from houqin.core.htmx import render_page
from houqin.core.views import archive_from_post, restore_from_post
from houqin.schedules import reminder, services
from houqin.schedules.forms import (
    RULE_FIELDS,
    RunFilterForm,
    ScheduleFilterForm,
    ScheduleForm,
    params_form_for,
)
from houqin.schedules.jobs import all_jobs, get_job
from houqin.schedules.models import RunStatus, Schedule, ScheduleRun

MANAGE = "schedules.manage"
SCHEDULES_PER_PAGE = 50
RUNS_PER_PAGE = 30
PREVIEW_COUNT = 10
# Form fields that decide the dates: their errors are shown in the preview.
DATE_FIELDS = {*RULE_FIELDS, "rule", "calendar_mode", "time_of_day", "start_date", "end_date"}
STATES = {
    "": lambda qs: qs.filter(is_active=True),
    "paused": lambda qs: qs.filter(is_active=True, is_paused=True),
    "failed": lambda qs: qs.filter(last_status=RunStatus.FAILED),
    "archived": lambda qs: qs.filter(is_active=False),
}


@school_required(perm=MANAGE)
def schedule_list(request):
    filters = ScheduleFilterForm(request.GET or None)
    state = request.GET.get("state", "")
    last_run = ScheduleRun.objects.filter(schedule=OuterRef("pk")).order_by("-slot")
    schedules = Schedule.objects.for_user(request.user).annotate(
        last_slot=Subquery(last_run.values("slot")[:1]),
        last_status=Subquery(last_run.values("status")[:1]),
    )
    schedules = STATES.get(state, STATES[""])(schedules).order_by("time_of_day", "name")
    page = Paginator(schedules, SCHEDULES_PER_PAGE).get_page(request.GET.get("page"))
    _attach_next_runs(request.school, page.object_list)
    context = {"filters": filters, "page": page, "state": state, "jobs": all_jobs()}
    return render_page(request, "schedules/schedule_list.html", context)


def _attach_next_runs(school, schedules):
    """Each running schedule's next run, from one calendar loaded for the whole page."""
    now = timezone.now()
    running = [s for s in schedules if s.is_active and not s.is_paused]
    for schedule in schedules:
        schedule.school = school
        schedule.next_run = None
    if not running:
        return
    # One calendar from the earliest day a preview window starts to the latest it ends
    # (a schedule that starts later looks further), not one per schedule.
    first = min(max(s.local_date(now), s.start_date) for s in running)
    last = max(max(s.local_date(now), s.start_date) for s in running)
    calendar = services.calendar_for(school, first, last + timedelta(days=services.HORIZON_DAYS))
    for schedule in running:
        upcoming = services.next_occurrences(schedule, 1, after=now, calendar=calendar)
        schedule.next_run = upcoming[0] if upcoming else None


@school_required(perm=MANAGE)
def schedule_detail(request, pk):
    schedule = get_for_user(
        request, Schedule.objects.select_related("school", "created_by", "archived_by"), pk
    )
    filters = RunFilterForm(request.GET or None)
    runs = schedule.runs.select_related("requested_by").order_by("-slot")
    if filters.is_valid() and filters.cleaned_data["status"]:
        runs = runs.filter(status=filters.cleaned_data["status"])
    page = Paginator(runs, RUNS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "schedule": schedule,
        "filters": filters,
        "page": page,
        # Refresh the list while a run is on its way (not once it looks lost).
        "polling": any(
            run.status in (RunStatus.QUEUED, RunStatus.RUNNING) and not run.is_stale for run in page
        ),
    }
    if request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request:
        return render(request, "schedules/schedule_detail.html#runs", context)
    context.update(
        {
            "upcoming": services.preview(schedule, PREVIEW_COUNT)
            if schedule.is_active and not schedule.is_paused
            else None,
            "params": _params_display(schedule),
            "archive_form": ArchiveForm(),
            "history": history_for(schedule),
        }
    )
    return render(request, "schedules/schedule_detail.html", context)


def _params_display(schedule):
    """The job's params as (label, value) rows, read through its params form."""
    form = params_form_for(schedule.job, schedule.school, instance=schedule)
    if form is None:
        return []
    rows = []
    for name, field in form.fields.items():
        value = schedule.params.get(name)
        if isinstance(field, forms.ModelMultipleChoiceField):
            shown = "、".join(str(obj) for obj in field.queryset.filter(pk__in=value or []))
        elif isinstance(field, forms.ModelChoiceField):
            obj = field.queryset.filter(pk=value).first() if value else None
            shown = str(obj) if obj else field.empty_label or ""
        elif isinstance(field, forms.MultipleChoiceField):
            labels = dict(field.choices)
            shown = "、".join(str(labels.get(item, item)) for item in value or [])
        elif isinstance(field, forms.BooleanField):
            shown = _("是") if value else _("否")
        else:
            shown = "" if value is None else str(value)
        rows.append((field.label, shown))
    return rows


@school_required(perm=MANAGE)
def schedule_create(request):
    return _schedule_form(request, Schedule(school=request.school))


@school_required(perm=MANAGE)
def schedule_edit(request, pk):
    return _schedule_form(request, get_for_user(request, Schedule, pk))


def _schedule_form(request, schedule):
    school = request.school
    if request.method == "POST":
        form = ScheduleForm(request.POST, instance=schedule, school=school)
        params_form = params_form_for(form.job, school, data=request.POST, instance=schedule)
        forms_valid = form.is_valid() & (params_form is None or params_form.is_valid())
        if forms_valid:
            with transaction.atomic():
                schedule = form.save(commit=False)
                schedule.params = params_form.to_params() if params_form else {}
                schedule.runs_from = timezone.now()
                if schedule._state.adding:
                    schedule.created_by = request.user
                schedule.save()
            messages.success(request, _("已保存定时任务“%(name)s”。") % {"name": schedule.name})
            return redirect("schedules:detail", pk=schedule.pk)
    else:
        # A new schedule starts as the general reminder; modules' jobs are chosen on purpose.
        default_job = get_job(reminder.CODE) or next(iter(all_jobs()), None)
        job_code = (
            request.GET.get("job_code") or schedule.job_code or getattr(default_job, "code", "")
        )
        form = ScheduleForm(instance=schedule, initial={"job_code": job_code}, school=school)
        params_form = params_form_for(get_job(job_code), school, instance=schedule)
        if request.htmx and not request.htmx.boosted:
            context = {"params_form": params_form, "job": get_job(job_code)}
            return render(request, "schedules/schedule_form.html#params", context)
    context = {
        "form": form,
        "params_form": params_form,
        "job": form.job,
        "schedule": schedule,
        # Which rule types show each rule field (data-rules, read by schedule_form.js).
        "rule_fields": {name: " ".join(kinds) for name, kinds in RULE_FIELDS.items()},
    }
    return render(request, "schedules/schedule_form.html", context)


@school_required(perm=MANAGE)
def schedule_preview(request):
    """The next dates of the rule being typed (htmx), with skipped holidays."""
    form = ScheduleForm(
        request.GET, instance=Schedule(school=request.school), school=request.school
    )
    form.is_valid()
    errors = [
        error
        for name, field_errors in form.errors.items()
        if name in DATE_FIELDS
        for error in field_errors
    ]
    context = {"errors": errors, "upcoming": None}
    if not errors:
        context["upcoming"] = services.preview(form.instance, PREVIEW_COUNT)
    return render(request, "schedules/_preview.html", context)


# Actions


@require_POST
@school_required(perm=MANAGE)
def schedule_pause(request, pk):
    schedule = get_for_user(request, Schedule, pk)
    if not schedule.is_paused:
        services.schedule_pause(schedule)
        messages.success(
            request, _("已暂停“%(name)s”，恢复前不会再执行。") % {"name": schedule.name}
        )
    return redirect("schedules:detail", pk=schedule.pk)


@require_POST
@school_required(perm=MANAGE)
def schedule_resume(request, pk):
    schedule = get_for_user(request, Schedule, pk)
    if schedule.is_paused:
        services.schedule_resume(schedule)
        messages.success(
            request,
            _("已恢复“%(name)s”，从现在起按时执行；暂停期间错过的不会补发。")
            % {"name": schedule.name},
        )
    return redirect("schedules:detail", pk=schedule.pk)


@require_POST
@school_required(perm=MANAGE)
def schedule_run_now(request, pk):
    schedule = get_for_user(request, Schedule.objects.select_related("school"), pk)
    if not schedule.is_active:
        messages.error(request, _("已停用的定时任务不能执行，请先恢复使用。"))
        return redirect("schedules:detail", pk=schedule.pk)
    with transaction.atomic():
        run, outcome = services.run_now(schedule, by=request.user)
    day = f"{run.slot:%Y-%m-%d}"
    if outcome == "queued":
        messages.success(
            request, _("已开始执行今天（%(day)s）的任务，结果见执行记录。") % {"day": day}
        )
    elif outcome == "retried":
        messages.success(request, _("已重新执行今天（%(day)s）的任务。") % {"day": day})
    elif outcome == RunStatus.DONE:
        messages.info(request, _("今天（%(day)s）的任务已经执行过，不会重复执行。") % {"day": day})
    else:
        messages.info(
            request, _("今天（%(day)s）的任务正在执行，请稍后刷新查看结果。") % {"day": day}
        )
    return redirect("schedules:detail", pk=schedule.pk)


@require_POST
@school_required(perm=MANAGE)
def run_retry(request, pk, run_pk):
    schedule = get_for_user(request, Schedule, pk)
    run = get_object_or_404(schedule.runs, pk=run_pk)
    with transaction.atomic():
        retried = services.retry_run(run)
    if retried:
        messages.success(
            request, _("已重新执行 %(day)s 的任务。") % {"day": f"{run.slot:%Y-%m-%d}"}
        )
    else:
        messages.info(request, _("这次执行没有失败，无需重试。"))
    return redirect(reverse("schedules:detail", args=[schedule.pk]) + "#runs")


@require_POST
@school_required(perm=MANAGE)
def schedule_archive(request, pk):
    schedule = get_for_user(request, Schedule, pk)
    archive_from_post(request, schedule, label=schedule.name)
    return redirect("schedules:detail", pk=schedule.pk)


@require_POST
@school_required(perm=MANAGE)
def schedule_restore(request, pk):
    schedule = get_for_user(request, Schedule, pk)
    if not schedule.is_active:
        with transaction.atomic():
            restore_from_post(request, schedule, label=schedule.name)
            # Like resuming: days missed while archived are not caught up.
            Schedule.objects.filter(pk=schedule.pk).update(runs_from=timezone.now())
    return redirect("schedules:detail", pk=schedule.pk)
