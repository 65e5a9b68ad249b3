"""Background tasks (Django's Tasks API, the django-tasks backport): what a worker runs.
Queued by ``services.enqueue`` once the run is committed; see docs/JOBS.md."""

from django_tasks import task

from houqin.schedules import services


@task()
def run_slot(run_id: int) -> str:
    """Run one ScheduleRun's job: "done", "failed", or "skipped" when it was not queued
    (done already, or taken by another worker)."""
    return services.execute_run(run_id)
