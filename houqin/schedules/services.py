"""Running schedules: which slots are due, one run per slot, and the run itself.

Every path that creates a run goes through ``claim_slot``, an insert under the unique
(schedule, slot) constraint: two schedulers on two machines, a scheduler and a person
pressing 立即执行, or the same tick run twice all end with one run. Every path that runs
one goes through ``execute_run``, which first moves the run from queued to running in one
conditional UPDATE, so a run handed to two workers is done once.
"""

import logging
import traceback
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.org.calendar import SchoolCalendar, holidays_known
from houqin.org.models import Term
from houqin.schedules.jobs import JobFailed, get_job
from houqin.schedules.models import RunStatus, Schedule, ScheduleRun
from houqin.schedules.recurrence import MAX_MOVE_DAYS, CalendarMode, occurrences, upcoming

logger = logging.getLogger(__name__)

# The scheduler makes up for at most this many days it was not running.
CATCH_UP_DAYS = 7
# How far ahead a preview or "next run" looks for a day the rule runs on.
HORIZON_DAYS = 400


def calendar_for(school, start: date, end: date) -> SchoolCalendar:
    """A calendar wide enough for the recurrence functions over ``start``–``end``."""
    margin = timedelta(days=MAX_MOVE_DAYS + 1)
    return SchoolCalendar(school, start - margin, end + margin)


# Which slots are due


def due_slots(schedule: Schedule, now: datetime, calendar=None) -> list[date]:
    """Slots of ``schedule`` whose time has come by ``now``: at most CATCH_UP_DAYS back,
    never before its start, never before ``runs_from`` (made, edited or resumed)."""
    today = schedule.local_date(now)
    start = max(
        schedule.start_date,
        today - timedelta(days=CATCH_UP_DAYS),
        schedule.local_date(schedule.runs_from),
    )
    if start > today:
        return []
    calendar = calendar or calendar_for(schedule.school, start, today)
    return [
        slot
        for slot in occurrences(schedule.as_rule(), start, today, calendar)
        if schedule.runs_from <= schedule.slot_time(slot) <= now
    ]


def run_due(now: datetime | None = None) -> list[ScheduleRun]:
    """Create and queue a run for every slot that has come due. Safe to call again, and
    from several machines at once: a slot that has a run already is left alone."""
    now = now or timezone.now()
    schedules = list(Schedule.objects.runnable().select_related("school").order_by("school_id"))
    calendars = {}
    created = []
    for schedule in schedules:
        if schedule.school_id not in calendars:
            today = schedule.local_date(now)
            calendars[schedule.school_id] = calendar_for(
                schedule.school, today - timedelta(days=CATCH_UP_DAYS), today
            )
        try:
            slots = due_slots(schedule, now, calendars[schedule.school_id])
        except Exception:
            logger.exception("schedule %s: could not work out its due slots", schedule.pk)
            continue
        if not slots:
            continue
        existing = set(schedule.runs.filter(slot__in=slots).values_list("slot", flat=True))
        for slot in slots:
            if slot in existing:
                continue
            run = claim_slot(schedule, slot)
            if run is not None:
                created.append(run)
    return created


def claim_slot(schedule: Schedule, slot: date, *, by=None) -> ScheduleRun | None:
    """Insert the run of ``slot`` and queue it once committed; None when the slot has a
    run already (made by this or another scheduler, or by hand)."""
    try:
        with transaction.atomic():
            run = ScheduleRun.objects.create(schedule=schedule, slot=slot, requested_by=by)
            enqueue(run)
    except IntegrityError:
        return None
    return run


def enqueue(run: ScheduleRun):
    """Hand the run to the task queue once the transaction that made it commits."""
    from houqin.schedules.tasks import run_slot

    def send():
        try:
            run_slot.enqueue(run.pk)
        except Exception:
            # The run stays queued; after STALE_AFTER it can be retried from its page.
            logger.exception("could not queue schedule run %s", run.pk)

    transaction.on_commit(send)


# Running one slot


def execute_run(run_id: int) -> str:
    """Run the job of one run: queued → running → done or failed. Does nothing for a run
    that is not queued (done already, or taken by another worker)."""
    claimed = ScheduleRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING,
        started_at=timezone.now(),
        finished_at=None,
        error="",
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return "skipped"
    run = ScheduleRun.objects.select_related("schedule__school").get(pk=run_id)
    # This attempt's own: a run retried as lost while this worker was still on it belongs
    # to the newer attempt, and what this one did is rolled back rather than done twice.
    mine = ScheduleRun.objects.filter(pk=run_id, status=RunStatus.RUNNING, attempts=run.attempts)
    job = get_job(run.schedule.job_code)
    try:
        if job is None:
            raise JobFailed(_("未知的任务类型“%(code)s”。") % {"code": run.schedule.job_code})
        with transaction.atomic():
            result = job.run(run.schedule, run.slot) or ""
            finished = mine.update(
                status=RunStatus.DONE, result=str(result)[:2000], finished_at=timezone.now()
            )
            if not finished:
                raise _Superseded
    except _Superseded:
        logger.warning("schedule run %s: retried meanwhile, this attempt rolled back", run_id)
        return "skipped"
    except Exception as error:
        message = str(error) if isinstance(error, JobFailed) else traceback.format_exc()
        if not isinstance(error, JobFailed):
            logger.exception("schedule run %s (%s) failed", run_id, run.schedule.job_code)
        mine.update(status=RunStatus.FAILED, error=message, finished_at=timezone.now())
        return "failed"
    return "done"


class _Superseded(Exception):
    """The run was handed to a newer attempt while this one ran."""


def retry_run(run: ScheduleRun) -> bool:
    """Queue a failed (or lost) run again; False when there is nothing to retry."""
    if not run.can_retry:
        return False
    with transaction.atomic():
        updated = ScheduleRun.objects.filter(pk=run.pk, status=run.status).update(
            status=RunStatus.QUEUED, enqueued_at=timezone.now()
        )
        if updated:
            enqueue(run)
    return bool(updated)


def run_now(schedule: Schedule, *, by) -> tuple[ScheduleRun, str]:
    """立即执行: run today's slot now, whatever the rule says about today. Returns the
    run and what happened: "queued", "retried", or the existing run's status."""
    today = schedule.local_date(timezone.now())
    run = claim_slot(schedule, today, by=by)
    if run is not None:
        return run, "queued"
    run = schedule.runs.get(slot=today)
    if run.can_retry and retry_run(run):
        return run, "retried"
    return run, run.status


# Pausing, editing


def schedule_pause(schedule: Schedule):
    schedule.is_paused = True
    schedule.save(update_fields=["is_paused", "updated_at"])


def schedule_resume(schedule: Schedule):
    """Resume from now on: the days missed while paused are not caught up."""
    schedule.is_paused = False
    schedule.runs_from = timezone.now()
    schedule.save(update_fields=["is_paused", "runs_from", "updated_at"])


# What comes next


def next_occurrences(schedule: Schedule, n: int = 10, *, after=None, calendar=None) -> list:
    """The next ``n`` moments the schedule runs, after ``after`` (default: now)."""
    after = after or timezone.now()
    start, until = _preview_window(schedule, after)
    calendar = calendar or calendar_for(schedule.school, start, until)
    steps = upcoming(schedule.as_rule(), start, calendar, count=n + 1, until=until)
    moments = [schedule.slot_time(step.day) for step in steps if step.runs]
    return [moment for moment in moments if moment > after][:n]


def _preview_window(schedule, after):
    start = max(schedule.local_date(after), schedule.start_date)
    until = start + timedelta(days=HORIZON_DAYS)
    if schedule.end_date:
        until = min(until, schedule.end_date)
    return start, until


def preview(schedule: Schedule, count: int = 10, *, after=None, calendar=None) -> dict:
    """What a person sees before saving: the next ``count`` days it runs, the planned
    days skipped or moved for a holiday or vacation, and warnings."""
    after = after or timezone.now()
    start, until = _preview_window(schedule, after)
    calendar = calendar or calendar_for(schedule.school, start, until)
    # Today's run may be past already: look one further and keep ``count`` future runs.
    steps, runs = [], 0
    for step in upcoming(schedule.as_rule(), start, calendar, count=count + 1, until=until):
        if step.rest_day or (step.runs and schedule.slot_time(step.day) <= after):
            continue
        if runs == count:
            break
        steps.append(step)
        runs += step.runs
    warnings = []
    has_terms = Term.objects.filter(
        school=schedule.school, start__lte=until, end__gte=start
    ).exists()
    if schedule.calendar_mode == CalendarMode.TEACHING_DAYS and not has_terms:
        warnings.append(
            _(
                "本校在这段时间还没有设置学期，“仅教学日”的任务不会执行。"
                "请先在“学年学期”中设置学期，或改为按工作日执行。"
            )
        )
    elif not any(step.runs for step in steps):
        warnings.append(_("在接下来一年内没有可执行的日子，请检查重复方式和起止日期。"))
    for year in sorted({step.day.year for step in steps if step.runs}):
        if not holidays_known(year):
            warnings.append(
                _(
                    "%(year)d 年的法定节假日和调休还没有录入校历，这一年的日期暂按周一至周五计算；"
                    "录入后会自动按新校历执行。"
                )
                % {"year": year}
            )
    return {"rows": _group_skips(steps), "warnings": warnings}


def _group_skips(steps):
    """Consecutive skipped days with the same reason become one row (国庆节 10-01—10-07)."""
    rows = []
    for step in steps:
        last = rows[-1] if rows else None
        if (
            not step.runs
            and last is not None
            and not last["runs"]
            and last["reason"] == step.reason
        ):
            last["last"] = step.planned
            last["count"] += 1
            continue
        rows.append(
            {
                "runs": step.runs,
                "day": step.day,
                "planned": step.planned,
                "moved": step.moved,
                "reason": step.reason,
                "last": step.planned,
                "count": 1,
            }
        )
    return rows
