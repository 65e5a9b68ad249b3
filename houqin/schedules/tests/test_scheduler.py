"""``manage.py run_scheduler``: one tick queues the due slots and calls every heartbeat
callback, one failing callback stopping none of the others."""

from io import StringIO

from django.core.management import call_command
from freezegun import freeze_time

from houqin.schedules import heartbeat
from houqin.schedules.models import RunStatus, ScheduleRun
from houqin.schedules.tests.factories import at


def test_it_runs_one_tick_with_once(
    friday_reminder, notified, heartbeat_callbacks, django_capture_on_commit_callbacks
):
    heartbeat._callbacks.clear()  # only this test's callbacks
    ticks = []

    @heartbeat.on_tick
    def broken(now):
        raise RuntimeError("outbox down")

    @heartbeat.on_tick
    def record(now):
        ticks.append(now)

    out = StringIO()
    with freeze_time(at(2026, 10, 9, 7, 31)), django_capture_on_commit_callbacks(execute=True):
        call_command("run_scheduler", "--once", stdout=out)
        call_command("run_scheduler", "--once", stdout=out)

    assert ScheduleRun.objects.get().status == RunStatus.DONE
    assert len(notified) == 1
    assert ticks == [at(2026, 10, 9, 7, 31)] * 2
    assert "queued 1 run(s), 1 callback(s) failed" in out.getvalue()


def test_it_keeps_going_when_run_due_fails(heartbeat_callbacks, monkeypatch, db):
    heartbeat._callbacks.clear()
    ticks = []
    heartbeat.on_tick(ticks.append)

    def broken(now):
        raise RuntimeError("database gone")

    monkeypatch.setattr("houqin.schedules.management.commands.run_scheduler.run_due", broken)
    call_command("run_scheduler", "--once", stdout=StringIO())
    assert len(ticks) == 1


def test_it_registers_a_callback_once(heartbeat_callbacks):
    heartbeat._callbacks.clear()
    seen = []

    def callback(now):
        seen.append(now)

    heartbeat.on_tick(callback)
    heartbeat.on_tick(callback)
    assert heartbeat.callbacks() == [callback]
    assert heartbeat.tick(at(2026, 10, 9)) == []
    assert seen == [at(2026, 10, 9)]
