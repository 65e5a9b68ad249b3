"""Which slots are due, one run per slot whoever asks, and what a run records."""

from datetime import date, time

import pytest
from django.db import connection
from django.utils import timezone
from freezegun import freeze_time

from houqin.org.models import CalendarDay
from houqin.schedules import services
from houqin.schedules.jobs import JobFailed
from houqin.schedules.models import RunStatus, ScheduleRun
from houqin.schedules.recurrence import CalendarMode, RuleKind
from houqin.schedules.tests.factories import ScheduleFactory, ScheduleRunFactory, at


def run_due(now, capture):
    with capture(execute=True):
        return services.run_due(now)


# Due slots


def test_it_runs_the_due_slot_once_however_often_it_is_asked(
    friday_reminder, class_teacher, notified, django_capture_on_commit_callbacks
):
    friday_morning = at(2026, 10, 9, 8, 0)
    created = run_due(friday_morning, django_capture_on_commit_callbacks)
    again = run_due(friday_morning, django_capture_on_commit_callbacks)
    later = run_due(at(2026, 10, 9, 17, 0), django_capture_on_commit_callbacks)

    assert [run.slot for run in created] == [date(2026, 10, 9)]
    assert again == [] and later == []
    run = ScheduleRun.objects.get()
    assert run.status == RunStatus.DONE
    assert run.attempts == 1
    assert run.result == "已提醒 1 人：李老师"
    assert len(notified) == 1
    call = notified[0]
    assert call["recipients"] == [class_teacher]
    assert call["event"] == "schedules.reminder"
    assert call["title"] == "安全教育"
    assert call["school"] == friday_reminder.school
    assert call["robots"] is False


def test_it_waits_for_the_time_of_day(
    friday_reminder, notified, django_capture_on_commit_callbacks
):
    assert run_due(at(2026, 10, 9, 7, 29), django_capture_on_commit_callbacks) == []
    assert len(run_due(at(2026, 10, 9, 7, 30), django_capture_on_commit_callbacks)) == 1


def test_it_creates_nothing_on_a_holiday(
    friday_reminder, notified, django_capture_on_commit_callbacks
):
    # Friday 2 October 2026 is National Day; Friday 25 September was 中秋节.
    assert run_due(at(2026, 10, 2, 9, 0), django_capture_on_commit_callbacks) == []
    assert not ScheduleRun.objects.exists()


def test_it_catches_up_a_week_at_most(
    friday_reminder, notified, django_capture_on_commit_callbacks
):
    created = run_due(at(2026, 10, 30, 9, 0), django_capture_on_commit_callbacks)
    assert sorted(run.slot for run in created) == [date(2026, 10, 23), date(2026, 10, 30)]
    assert len(notified) == 2


def test_it_does_not_catch_up_what_came_before_it_was_made_or_resumed(
    friday_reminder, notified, django_capture_on_commit_callbacks
):
    friday_reminder.runs_from = at(2026, 10, 9, 9, 0)
    friday_reminder.save()
    assert run_due(at(2026, 10, 9, 10, 0), django_capture_on_commit_callbacks) == []
    created = run_due(at(2026, 10, 16, 7, 31), django_capture_on_commit_callbacks)
    assert [run.slot for run in created] == [date(2026, 10, 16)]


def test_it_never_runs_before_the_start_date(
    friday_reminder, notified, django_capture_on_commit_callbacks
):
    friday_reminder.start_date = date(2026, 10, 10)
    friday_reminder.save()
    assert run_due(at(2026, 10, 9, 9, 0), django_capture_on_commit_callbacks) == []


def test_it_skips_paused_and_archived_schedules(
    friday_reminder, manager, notified, django_capture_on_commit_callbacks
):
    services.schedule_pause(friday_reminder)
    assert run_due(at(2026, 10, 9, 9, 0), django_capture_on_commit_callbacks) == []
    friday_reminder.is_paused = False
    friday_reminder.save()
    friday_reminder.archive(by=manager.user, reason="不再需要")
    assert run_due(at(2026, 10, 9, 9, 0), django_capture_on_commit_callbacks) == []


def test_it_resumes_from_now_without_catching_up(friday_reminder, notified):
    services.schedule_pause(friday_reminder)
    with freeze_time(at(2026, 10, 9, 9, 0)):
        services.schedule_resume(friday_reminder)
    friday_reminder.refresh_from_db()
    assert not friday_reminder.is_paused
    assert friday_reminder.runs_from == at(2026, 10, 9, 9, 0)
    assert services.due_slots(friday_reminder, at(2026, 10, 9, 10, 0)) == []


def test_it_follows_the_school_calendar_when_due(school, term, class_teacher, notified):
    CalendarDay.objects.create(
        school=school, day=date(2026, 10, 16), is_workday=False, name="运动会"
    )
    schedule = ScheduleFactory(school=school)
    assert services.due_slots(schedule, at(2026, 10, 16, 9, 0)) == [date(2026, 10, 9)]


# One run per slot


def test_it_claims_a_slot_only_once(friday_reminder, django_capture_on_commit_callbacks, notified):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = services.claim_slot(friday_reminder, date(2026, 10, 9))
        second = services.claim_slot(friday_reminder, date(2026, 10, 9))
    assert first is not None and second is None
    assert len(callbacks) == 1  # one task queued
    assert ScheduleRun.objects.count() == 1


def test_it_survives_another_scheduler_inserting_between_check_and_insert(
    friday_reminder, monkeypatch, notified, django_capture_on_commit_callbacks
):
    """The other machine's insert lands after this one looked for existing runs."""
    real_claim = services.claim_slot

    def racing_claim(schedule, slot, **kwargs):
        ScheduleRun.objects.create(schedule=schedule, slot=slot, status=RunStatus.DONE)
        return real_claim(schedule, slot, **kwargs)

    monkeypatch.setattr(services, "claim_slot", racing_claim)
    assert run_due(at(2026, 10, 9, 8, 0), django_capture_on_commit_callbacks) == []
    assert ScheduleRun.objects.count() == 1
    assert notified == []


@pytest.mark.django_db(transaction=True)
def test_it_makes_one_run_when_two_schedulers_tick_at_once(school, make_staff, monkeypatch):
    """Two scheduler processes (threads here, each with its own connection) race."""
    if connection.vendor == "sqlite":
        pytest.skip("needs a database server: SQLite in tests is one shared in-memory file")
    import threading

    from houqin.accounts.roles import Position
    from houqin.org.tests.factories import TermFactory

    TermFactory(school=school, academic_year__school=school)
    make_staff(school, Position.CLASS_TEACHER)
    ScheduleFactory(school=school)
    sent = []
    monkeypatch.setattr(
        "houqin.notifications.services.notify", lambda people, **kw: sent.append(kw)
    )
    barrier = threading.Barrier(2)
    results, errors = [], []

    def scheduler():
        from django.db import connections

        try:
            barrier.wait()
            results.append(services.run_due(at(2026, 10, 9, 8, 0)))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(len(created) for created in results) == 1
    assert ScheduleRun.objects.get().status == RunStatus.DONE
    assert len(sent) == 1


# Running a slot


def test_it_does_nothing_for_a_slot_already_done(friday_reminder, notified):
    run = ScheduleRunFactory(schedule=friday_reminder, status=RunStatus.DONE, result="已提醒")
    assert services.execute_run(run.pk) == "skipped"
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.result == "已提醒"
    assert notified == []


def test_it_records_a_failing_job_and_retries_it(
    school, job_registry, django_capture_on_commit_callbacks
):
    attempts = []

    def flaky(schedule, slot):
        attempts.append(slot)
        CalendarDay.objects.create(school=school, day=slot, is_workday=False, name="写了一半")
        if len(attempts) == 1:
            raise RuntimeError("网络超时")
        return "第二次成功"

    job_registry.register_job("tests.flaky", "测试", flaky)
    schedule = ScheduleFactory(school=school, job_code="tests.flaky", rule=RuleKind.DAILY)
    schedule.calendar_mode = CalendarMode.ALL_DAYS
    schedule.save()

    with django_capture_on_commit_callbacks(execute=True):
        run = services.claim_slot(schedule, date(2026, 10, 9))
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "RuntimeError: 网络超时" in run.error
    assert run.error_summary == "RuntimeError: 网络超时"
    assert run.finished_at is not None
    # What the failed attempt wrote was rolled back with it.
    assert not CalendarDay.objects.filter(name="写了一半").exists()

    with django_capture_on_commit_callbacks(execute=True):
        assert services.retry_run(run)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert run.result == "第二次成功"
    assert run.error == ""
    assert run.attempts == 2
    assert CalendarDay.objects.filter(name="写了一半").count() == 1
    assert not services.retry_run(run)  # done: nothing to retry


def test_it_shows_a_job_failed_message_as_is(
    school, job_registry, django_capture_on_commit_callbacks
):
    def refuses(schedule, slot):
        raise JobFailed("巡查路线已停用，请先选择新的路线。")

    job_registry.register_job("tests.refuses", "测试", refuses)
    schedule = ScheduleFactory(school=school, job_code="tests.refuses")
    with django_capture_on_commit_callbacks(execute=True):
        run = services.claim_slot(schedule, date(2026, 10, 9))
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.error == "巡查路线已停用，请先选择新的路线。"


def test_it_fails_a_run_of_an_unknown_job(school, django_capture_on_commit_callbacks):
    schedule = ScheduleFactory(school=school, job_code="gone.away")
    with django_capture_on_commit_callbacks(execute=True):
        run = services.claim_slot(schedule, date(2026, 10, 9))
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "gone.away" in run.error


def test_it_fails_a_reminder_nobody_would_receive(
    school, term, notified, django_capture_on_commit_callbacks
):
    schedule = ScheduleFactory(school=school)  # no class teacher in this school
    with django_capture_on_commit_callbacks(execute=True):
        run = services.claim_slot(schedule, date(2026, 10, 9))
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "没有可提醒的人" in run.error
    assert notified == []


def test_it_lets_a_lost_run_be_retried(
    friday_reminder, notified, django_capture_on_commit_callbacks
):
    with freeze_time(at(2026, 10, 9, 7, 30)):
        run = ScheduleRunFactory(schedule=friday_reminder, status=RunStatus.QUEUED)
    with freeze_time(at(2026, 10, 9, 7, 45)):
        assert not run.can_retry  # a worker may still be on its way
    with freeze_time(at(2026, 10, 9, 8, 5)):
        assert run.is_stale and run.can_retry
        with django_capture_on_commit_callbacks(execute=True):
            assert services.retry_run(run)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert len(notified) == 1


def test_it_runs_today_now_and_only_once(
    friday_reminder, manager, notified, django_capture_on_commit_callbacks
):
    with freeze_time(at(2026, 10, 14, 10, 0)):  # a Wednesday: not a planned day
        with django_capture_on_commit_callbacks(execute=True):
            run, outcome = services.run_now(friday_reminder, by=manager.user)
        assert outcome == "queued"
        assert run.slot == date(2026, 10, 14)
        assert run.requested_by == manager.user
        with django_capture_on_commit_callbacks(execute=True):
            again, outcome = services.run_now(friday_reminder, by=manager.user)
    assert again.pk == run.pk
    assert outcome == RunStatus.DONE
    assert len(notified) == 1


# What comes next


def test_it_lists_the_next_runs_in_the_schools_time(friday_reminder):
    upcoming = services.next_occurrences(friday_reminder, 3, after=at(2026, 9, 21, 12, 0))
    assert upcoming == [at(2026, 10, 9, 7, 30), at(2026, 10, 16, 7, 30), at(2026, 10, 23, 7, 30)]
    assert timezone.is_aware(upcoming[0])


def test_it_starts_with_today_when_the_time_has_not_come(friday_reminder):
    upcoming = services.next_occurrences(friday_reminder, 1, after=at(2026, 10, 9, 7, 0))
    assert upcoming == [at(2026, 10, 9, 7, 30)]


def test_it_previews_skipped_holidays_grouped(school, term):
    schedule = ScheduleFactory(school=school, rule=RuleKind.DAILY, time_of_day=time(7, 30))
    preview = services.preview(schedule, 4, after=at(2026, 9, 30, 12, 0))
    rows = [(r["runs"], r["planned"], r["last"], r["count"], r["reason"]) for r in preview["rows"]]
    assert rows == [
        (False, date(2026, 10, 1), date(2026, 10, 7), 7, "国庆节"),
        (True, date(2026, 10, 8), date(2026, 10, 8), 1, ""),
        (True, date(2026, 10, 9), date(2026, 10, 9), 1, ""),
        (True, date(2026, 10, 10), date(2026, 10, 10), 1, ""),
        (True, date(2026, 10, 12), date(2026, 10, 12), 1, ""),
    ]
    assert preview["warnings"] == []


def test_it_warns_when_teaching_days_have_no_term(school):
    schedule = ScheduleFactory(school=school)
    preview = services.preview(schedule, 10, after=at(2026, 10, 9, 12, 0))
    assert "还没有设置学期" in preview["warnings"][0]


def test_it_warns_when_a_year_has_no_holidays_entered(school, term):
    # chinese-calendar knows 2026 but not 2027 (the term runs to 2027-01-22).
    schedule = ScheduleFactory(school=school, rule=RuleKind.DAILY, time_of_day=time(7, 30))
    preview = services.preview(schedule, 10, after=at(2026, 12, 28, 12, 0))
    assert any("2027 年的法定节假日" in warning for warning in preview["warnings"])

    CalendarDay.objects.create(school=None, day=date(2027, 1, 1), is_workday=False, name="元旦")
    preview = services.preview(schedule, 10, after=at(2026, 12, 28, 12, 0))
    assert not any("2027" in warning for warning in preview["warnings"])


def test_it_rolls_back_an_attempt_retried_while_it_ran(
    friday_reminder, class_teacher, job_registry
):
    """A run taken as lost and retried while its first worker was still on it: the
    first attempt, finishing late, must not remind everyone a second time."""
    from houqin.notifications.models import Notification

    run = ScheduleRunFactory(schedule=friday_reminder, status=RunStatus.QUEUED)
    real_run = friday_reminder.job.run

    def slow_run(schedule, slot):
        result = real_run(schedule, slot)
        # Meanwhile someone pressed 重试 and another worker took the run (attempt 2).
        ScheduleRun.objects.filter(pk=run.pk).update(attempts=2)
        return result

    job_registry.register_job(friday_reminder.job_code, "提醒", slow_run)
    assert services.execute_run(run.pk) == "skipped"
    assert not Notification.objects.exists()


def test_it_notifies_nobody_twice_when_a_failed_reminder_is_retried(
    friday_reminder, class_teacher, job_registry, django_capture_on_commit_callbacks
):
    """A reminder whose run failed after notify() is rolled back whole: the retry tells
    each person once."""
    from houqin.notifications.models import Notification
    from houqin.schedules import reminder

    attempts = []

    def remind_then_fail_once(schedule, slot):
        result = reminder.run(schedule, slot)
        attempts.append(slot)
        if len(attempts) == 1:
            raise RuntimeError("连接中断")
        return result

    job_registry.register_job("tests.remind", "测试提醒", remind_then_fail_once)
    friday_reminder.job_code = "tests.remind"
    friday_reminder.save()
    with django_capture_on_commit_callbacks(execute=True):
        run = services.claim_slot(friday_reminder, date(2026, 10, 9))
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert not Notification.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.retry_run(run)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert list(Notification.objects.values_list("recipient", flat=True)) == [class_teacher.user_id]


def test_it_fires_at_the_schools_time_whatever_the_servers(
    settings, friday_reminder, notified, django_capture_on_commit_callbacks
):
    """07:30 in Shanghai is 23:30 UTC the day before: the slot is Shanghai's Friday."""
    from datetime import UTC, datetime

    settings.TIME_ZONE = "UTC"
    thursday_utc = datetime(2026, 10, 8, 23, 29, tzinfo=UTC)
    assert run_due(thursday_utc, django_capture_on_commit_callbacks) == []
    runs = run_due(datetime(2026, 10, 8, 23, 30, tzinfo=UTC), django_capture_on_commit_callbacks)
    assert [run.slot for run in runs] == [date(2026, 10, 9)]
    with freeze_time(datetime(2026, 10, 8, 23, 45, tzinfo=UTC)):
        upcoming = services.next_occurrences(friday_reminder, 1)
    assert upcoming[0] == at(2026, 10, 16, 7, 30)
