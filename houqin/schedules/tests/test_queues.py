"""Round trips through the real queues: the embedded database queue run by ``db_worker``,
and the Redis queue run by an RQ worker (skipped when no Redis answers)."""

import signal
from datetime import date

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from houqin.schedules import services
from houqin.schedules.models import RunStatus, ScheduleRun
from houqin.schedules.tests.factories import ScheduleFactory

REDIS_URL = "redis://127.0.0.1:6379/11"  # a database of its own, away from a dev server's 0

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def signals_restored():
    """The workers install their own SIGINT/SIGTERM handlers; give pytest its own back."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


@pytest.fixture
def reminder(school, term, class_teacher, notified):
    return ScheduleFactory(school=school)


def test_it_runs_a_slot_through_the_database_queue(settings, reminder, notified, signals_restored):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    run = services.claim_slot(reminder, date(2026, 10, 9))
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED  # waiting for a worker
    task = DBTaskResult.objects.get()
    assert task.task_path == "houqin.schedules.tasks.run_slot"

    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)

    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert len(notified) == 1
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    assert task.return_value == "done"


def _redis_or_skip():
    import redis

    try:
        connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        connection.ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis is not reachable at {REDIS_URL} ({error}); start redis-server")
    return connection


def test_it_runs_a_slot_through_the_redis_queue(settings, reminder, notified, signals_restored):
    _redis_or_skip()
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 60}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    import django_rq

    queue = django_rq.get_queue("default")
    queue.empty()

    run = services.claim_slot(reminder, date(2026, 10, 9))
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED
    assert queue.count == 1

    # A burst worker that runs jobs in this process (no fork), so it sees the test database.
    call_command(
        "rqworker",
        "default",
        burst=True,
        worker_class="rq.worker.SimpleWorker",
        job_class="django_tasks_rq.Job",
        verbosity=0,
    )

    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert len(notified) == 1
    assert queue.count == 0
    assert ScheduleRun.objects.count() == 1
