"""The schedules' part of tests/test_tenancy.py: their URLs and a record for each."""

from datetime import date

from houqin.schedules.models import RunStatus, ScheduleRun
from houqin.schedules.tests.factories import ScheduleFactory

OBJECT_URLS = {
    "schedules:detail": ("schedule", "pk"),
    "schedules:edit": ("schedule", "pk"),
    "schedules:pause": ("schedule", "pk"),
    "schedules:resume": ("schedule", "pk"),
    "schedules:run_now": ("schedule", "pk"),
    "schedules:archive": ("schedule", "pk"),
    "schedules:restore": ("schedule", "pk"),
    "schedules:retry": lambda o: {"pk": o["schedule"].pk, "run_pk": o["schedule_run"].pk},
}


def objects(school, base):
    schedule = ScheduleFactory(school=school, name=f"{school.code} 提醒")
    run = ScheduleRun.objects.create(
        schedule=schedule, slot=date(2026, 10, 9), status=RunStatus.FAILED, error="x"
    )
    return {"schedule": schedule, "schedule_run": run}
