"""The jobs a schedule can run. Each app registers its own in ``AppConfig.ready``:

    register_job(
        "patrols.daily_rounds",
        _("生成每日巡查任务"),
        run=create_daily_rounds,          # run(schedule, slot_date) -> str
        params_form=DailyRoundsParamsForm,  # optional: a JobParamsForm subclass
        description=_("每个教学日为所选路线生成当天的巡查任务。"),
    )

``run(schedule, slot)`` does the work of one slot (a date) and returns a short result for
the run history ("已生成 3 条巡查任务"). It runs inside a transaction together with the
run's "done" mark, so if it raises nothing it wrote is kept and the run is "failed" (raise
``JobFailed("…")`` for a message a person can act on; any other exception is recorded with
its traceback). It must itself be idempotent for the slot — compute the slot's key
("patrol 2026-11-23 route 3") and insert under a unique constraint — because a retried or
doubled run may call it again.

A params form is a ``JobParamsForm``: built with ``school=`` and the schedule's params as
``initial``; ``to_params()`` turns its cleaned data into JSON (records become their ids).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Model, QuerySet

from houqin.core.forms import StyledForm


class JobFailed(Exception):
    """A job could not do its work for a reason a person can fix; the message is shown
    in the run history as is."""


class JobParamsForm(StyledForm):
    def __init__(self, *args, school, **kwargs):
        self.school = school
        super().__init__(*args, **kwargs)

    def to_params(self) -> dict:
        return {name: _json_value(value) for name, value in self.cleaned_data.items()}


def _json_value(value):
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, QuerySet | list | tuple | set):
        return [_json_value(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


@dataclass(frozen=True)
class Job:
    code: str
    label: str
    run: Callable
    params_form: type[JobParamsForm] | None = None
    description: str = ""
    # summary(schedule) -> str: one line for lists ("提醒 保安、周静").
    summary: Callable | None = None


_jobs: dict[str, Job] = {}


def register_job(code, label, run, params_form=None, description="", summary=None):
    _jobs[code] = Job(code, label, run, params_form, description, summary)
    return _jobs[code]


def get_job(code) -> Job | None:
    return _jobs.get(code)


def all_jobs() -> list[Job]:
    return sorted(_jobs.values(), key=lambda job: job.code)
