"""The schedule pages: list, record, form with preview, and the actions."""

from datetime import date, time

import pytest
from freezegun import freeze_time

from houqin.accounts.roles import Position
from houqin.schedules.models import RunStatus, Schedule, ScheduleRun
from houqin.schedules.recurrence import CalendarMode, HolidayPolicy, RuleKind
from houqin.schedules.tests.factories import ScheduleFactory, ScheduleRunFactory, at


@pytest.fixture
def foreign_schedule(other_school):
    return ScheduleFactory(school=other_school, name="别校提醒")


def form_data(**fields):
    data = {
        "name": "每周五安全教育",
        "job_code": "reminder",
        "rule": RuleKind.WEEKLY,
        "weekdays": ["4"],
        "interval_weeks": "",
        "anchor_date": "",
        "month_day": "",
        "month_nth": "",
        "month_weekday": "",
        "calendar_mode": CalendarMode.TEACHING_DAYS,
        "holiday_policy": HolidayPolicy.SKIP,
        "time_of_day": "07:40",
        "start_date": "2026-09-01",
        "end_date": "",
        "params-title": "{日期}安全教育",
        "params-body": "班会课进行安全教育",
        "params-positions": ["class_teacher"],
        "params-campus": "",
        "params-link": "",
    }
    data.update(fields)
    return data


# Permissions


@pytest.mark.parametrize("url", ["/schedules/", "/schedules/new/", "/schedules/preview/"])
def test_it_refuses_people_without_the_permission(login, teacher, url):
    assert login(teacher).get(url).status_code == 403


@pytest.mark.parametrize(
    "name", ["", "edit/", "pause/", "resume/", "run/", "archive/", "restore/", "runs/1/retry/"]
)
def test_it_refuses_a_teacher_on_a_schedule(login, teacher, friday_reminder, name):
    client = login(teacher)
    url = f"/schedules/{friday_reminder.pk}/{name}"
    assert client.get(url).status_code in (403, 405)
    assert client.post(url).status_code == 403


@pytest.mark.parametrize("name", ["", "edit/", "pause/", "resume/", "run/", "archive/", "restore/"])
def test_it_hides_another_schools_schedule(login, manager, foreign_schedule, name):
    assert login(manager).post(f"/schedules/{foreign_schedule.pk}/{name}").status_code == 404


def test_it_hides_a_run_of_another_schedule(login, manager, friday_reminder, foreign_schedule):
    run = ScheduleRunFactory(schedule=foreign_schedule, status=RunStatus.FAILED)
    client = login(manager)
    assert client.post(f"/schedules/{friday_reminder.pk}/runs/{run.pk}/retry/").status_code == 404


# List


def test_it_lists_schedules_with_their_next_and_last_run(
    login, manager, friday_reminder, foreign_schedule
):
    ScheduleRunFactory(schedule=friday_reminder, slot=date(2026, 10, 9), status=RunStatus.FAILED)
    with freeze_time(at(2026, 9, 30, 12, 0)):
        body = login(manager).get("/schedules/").content.decode()
    assert "每周五安全教育" in body
    assert "别校提醒" not in body
    assert "每周 周五 07:30 · 仅教学日 · 遇假跳过" in body
    assert "10-09" in body  # next run: 2 October is National Day
    assert "失败" in body


def test_it_lists_in_a_bounded_number_of_queries(
    login, manager, school, term, django_assert_max_num_queries
):
    for number in range(25):
        schedule = ScheduleFactory(school=school, name=f"提醒{number:02d}", rule=RuleKind.DAILY)
        ScheduleRunFactory(schedule=schedule, status=RunStatus.DONE)
    client = login(manager)
    client.get("/schedules/")  # warm the session and the staff lookups
    with django_assert_max_num_queries(15):
        response = client.get("/schedules/")
    assert response.content.decode().count('data-testid="schedule-row"') == 25


def test_it_filters_paused_failed_and_archived(login, manager, school, term):
    running = ScheduleFactory(school=school, name="在用的")
    paused = ScheduleFactory(school=school, name="暂停的", is_paused=True)
    failed = ScheduleFactory(school=school, name="失败的")
    ScheduleRunFactory(schedule=failed, status=RunStatus.FAILED)
    archived = ScheduleFactory(school=school, name="停用的", is_active=False)
    client = login(manager)

    def names(state):
        body = client.get("/schedules/", {"state": state}).content.decode()
        return {s.name for s in (running, paused, failed, archived) if s.name in body}

    assert names("") == {"在用的", "暂停的", "失败的"}
    assert names("paused") == {"暂停的"}
    assert names("failed") == {"失败的"}
    assert names("archived") == {"停用的"}


def test_it_shows_an_empty_state(login, manager):
    assert "还没有定时任务" in login(manager).get("/schedules/").content.decode()


# Create and edit


def test_it_creates_a_weekly_reminder(login, sysadmin, school, term):
    response = login(sysadmin).post("/schedules/new/", form_data())
    schedule = Schedule.objects.get()
    assert response.status_code == 302
    assert response.url == f"/schedules/{schedule.pk}/"
    assert schedule.school == school
    assert schedule.weekday_list == [4]
    assert schedule.time_of_day == time(7, 40)
    assert schedule.created_by == sysadmin.user
    assert schedule.params == {
        "title": "{日期}安全教育",
        "body": "班会课进行安全教育",
        "positions": ["class_teacher"],
        "campus": None,
        "people": [],
        "robots": False,
        "link": "",
    }
    # Fields of other rule types are not kept.
    assert schedule.month_day is None and schedule.anchor_date is None
    assert schedule.interval_weeks == 1


def test_it_saves_named_people_and_a_campus(login, manager, school, make_staff):
    person = make_staff(school, Position.TEACHER, name="王老师")
    campus = school.campus_set.get()
    data = form_data(**{"params-people": [str(person.pk)], "params-campus": str(campus.pk)})
    assert login(manager).post("/schedules/new/", data).status_code == 302
    params = Schedule.objects.get().params
    assert params["people"] == [person.pk]
    assert params["campus"] == campus.pk


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"rule": RuleKind.WEEKLY, "weekdays": []}, "weekdays", "请选择星期几执行"),
        (
            {"rule": RuleKind.EVERY_N_WEEKS, "interval_weeks": "2"},
            "anchor_date",
            "需要填写起算日期",
        ),
        (
            {"rule": RuleKind.EVERY_N_WEEKS, "interval_weeks": "1", "anchor_date": "2026-09-03"},
            "interval_weeks",
            "间隔周数须在 2 到 52 之间",
        ),
        (
            {"rule": RuleKind.EVERY_N_WEEKS, "interval_weeks": "60", "anchor_date": "2026-09-03"},
            "interval_weeks",
            "52",
        ),
        ({"rule": RuleKind.MONTHLY_DAY}, "month_day", "请填写每月几号执行"),
        ({"rule": RuleKind.MONTHLY_DAY, "month_day": "32"}, "month_day", ""),
        ({"rule": RuleKind.MONTHLY_WEEKDAY, "month_weekday": "2"}, "month_nth", "请选择每月第几个"),
        ({"end_date": "2026-08-01"}, "end_date", "结束日期不能早于开始日期"),
        ({"name": ""}, "name", ""),
    ],
)
def test_it_refuses_an_incomplete_rule_in_chinese_keeping_the_input(
    login, manager, fields, field, message
):
    response = login(manager).post("/schedules/new/", form_data(**fields))
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert message in " ".join(form.errors[field])
    assert not Schedule.objects.exists()
    assert "{日期}安全教育" in response.content.decode()  # nothing typed is lost


def test_it_needs_someone_to_remind(login, manager):
    data = form_data(**{"params-positions": []})
    response = login(manager).post("/schedules/new/", data)
    assert response.status_code == 200
    assert "请至少选择一个职务或一位人员" in response.content.decode()
    assert not Schedule.objects.exists()


def test_it_refuses_a_link_outside_houqin(login, manager):
    data = form_data(**{"params-link": "https://example.com/"})
    response = login(manager).post("/schedules/new/", data)
    assert "链接须是本系统内以 / 开头的地址" in response.content.decode()


def test_it_edits_a_schedule_and_restarts_its_clock(login, manager, friday_reminder):
    with freeze_time(at(2026, 10, 9, 9, 0)):
        response = login(manager).post(
            f"/schedules/{friday_reminder.pk}/edit/",
            form_data(
                rule=RuleKind.MONTHLY_WEEKDAY,
                month_nth="1",
                month_weekday="2",
                holiday_policy=HolidayPolicy.NEXT,
                weekdays=["4"],
            ),
        )
    assert response.status_code == 302
    friday_reminder.refresh_from_db()
    assert friday_reminder.rule == RuleKind.MONTHLY_WEEKDAY
    assert friday_reminder.weekdays == 0
    assert friday_reminder.runs_from == at(2026, 10, 9, 9, 0)
    assert friday_reminder.created_by is None  # kept, not taken over by the editor


def test_it_shows_the_edit_form_with_the_saved_values(login, manager, friday_reminder):
    body = login(manager).get(f"/schedules/{friday_reminder.pk}/edit/").content.decode()
    assert 'value="4" class="form-check-input" id="id_weekdays_4" checked' in body
    assert "安全教育" in body


def test_it_swaps_the_params_form_for_the_chosen_job(login, manager):
    response = login(manager).get(
        "/schedules/new/", {"job_code": "reminder"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert 'id="job-params"' in body
    assert "<html" not in body
    assert "提醒标题" in body


# Preview


def test_it_previews_the_next_dates_with_the_skipped_holidays(login, manager, term):
    with freeze_time(at(2026, 9, 21, 12, 0)):
        response = login(manager).get("/schedules/preview/", form_data())
    body = response.content.decode()
    assert body.count('data-testid="preview-run"') == 10
    assert "2026-09-25" in body and "中秋节，跳过" in body
    assert "2026-10-02" in body and "国庆节，跳过" in body
    assert "2026-10-09" in body


def test_it_previews_a_move_to_the_next_teaching_day(login, manager, term):
    with freeze_time(at(2026, 9, 21, 12, 0)):
        response = login(manager).get(
            "/schedules/preview/", form_data(holiday_policy=HolidayPolicy.NEXT)
        )
    body = response.content.decode()
    assert "原定 10-02（国庆节），顺延" in body


def test_it_explains_an_incomplete_rule_in_the_preview(login, manager):
    response = login(manager).get(
        "/schedules/preview/", form_data(rule=RuleKind.EVERY_N_WEEKS, interval_weeks="2", name="")
    )
    body = response.content.decode()
    assert 'data-testid="preview-errors"' in body
    assert "需要填写起算日期" in body
    assert "这个字段是必填项" not in body  # the name is not the preview's business


def test_it_warns_when_there_is_no_term(login, manager):
    body = login(manager).get("/schedules/preview/", form_data()).content.decode()
    assert "还没有设置学期" in body


# Detail and actions


def test_it_shows_a_schedule_with_its_runs_and_next_dates(
    login, manager, friday_reminder, class_teacher
):
    ScheduleRunFactory(
        schedule=friday_reminder,
        slot=date(2026, 10, 9),
        status=RunStatus.DONE,
        result="已提醒 1 人：李老师",
    )
    ScheduleRunFactory(
        schedule=friday_reminder,
        slot=date(2026, 10, 16),
        status=RunStatus.FAILED,
        error="Traceback…\nRuntimeError: 网络超时",
    )
    with freeze_time(at(2026, 10, 19, 12, 0)):
        response = login(manager).get(f"/schedules/{friday_reminder.pk}/")
    body = response.content.decode()
    assert "已提醒 1 人：李老师" in body
    assert "RuntimeError: 网络超时" in body
    assert body.count('data-testid="retry"') == 1
    assert body.count('data-testid="preview-run"') == 10
    assert "班主任" in body  # the reminder's recipients, read through its form


def test_it_pages_runs_in_a_bounded_number_of_queries(
    login, manager, friday_reminder, django_assert_max_num_queries
):
    for day in range(1, 29):
        ScheduleRunFactory(schedule=friday_reminder, slot=date(2026, 2, day), status=RunStatus.DONE)
    client = login(manager)
    client.get(f"/schedules/{friday_reminder.pk}/")
    with django_assert_max_num_queries(20):
        response = client.get(f"/schedules/{friday_reminder.pk}/")
    assert response.content.decode().count('data-testid="run-row"') == 28


def test_it_filters_runs_by_status_over_htmx(login, manager, friday_reminder):
    ScheduleRunFactory(schedule=friday_reminder, slot=date(2026, 10, 9), status=RunStatus.DONE)
    ScheduleRunFactory(schedule=friday_reminder, slot=date(2026, 10, 16), status=RunStatus.FAILED)
    response = login(manager).get(
        f"/schedules/{friday_reminder.pk}/", {"status": "failed"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert "<html" not in body
    assert body.count('data-testid="run-row"') == 1
    assert "2026-10-16" in body


def test_it_pauses_and_resumes(login, manager, friday_reminder):
    client = login(manager)
    client.post(f"/schedules/{friday_reminder.pk}/pause/")
    friday_reminder.refresh_from_db()
    assert friday_reminder.is_paused
    with freeze_time(at(2026, 10, 9, 9, 0)):
        client.post(f"/schedules/{friday_reminder.pk}/resume/")
    friday_reminder.refresh_from_db()
    assert not friday_reminder.is_paused
    assert friday_reminder.runs_from == at(2026, 10, 9, 9, 0)


def test_it_runs_today_now(
    login, manager, friday_reminder, class_teacher, notified, django_capture_on_commit_callbacks
):
    client = login(manager)
    with freeze_time(at(2026, 10, 14, 10, 0)):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/schedules/{friday_reminder.pk}/run/", follow=True)
        body = response.content.decode()
        assert "已开始执行今天（2026-10-14）的任务" in body
        run = ScheduleRun.objects.get()
        assert run.status == RunStatus.DONE
        assert run.requested_by == manager.user
        response = client.post(f"/schedules/{friday_reminder.pk}/run/", follow=True)
    assert "今天（2026-10-14）的任务已经执行过，不会重复执行" in response.content.decode()
    assert ScheduleRun.objects.count() == 1
    assert len(notified) == 1


def test_it_retries_a_failed_run(
    login, manager, friday_reminder, class_teacher, notified, django_capture_on_commit_callbacks
):
    run = ScheduleRunFactory(schedule=friday_reminder, status=RunStatus.FAILED, error="x")
    with django_capture_on_commit_callbacks(execute=True):
        response = login(manager).post(f"/schedules/{friday_reminder.pk}/runs/{run.pk}/retry/")
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert len(notified) == 1


def test_it_does_not_rerun_a_done_run(login, manager, friday_reminder, notified):
    run = ScheduleRunFactory(schedule=friday_reminder, status=RunStatus.DONE)
    login(manager).post(f"/schedules/{friday_reminder.pk}/runs/{run.pk}/retry/")
    assert notified == []


def test_it_archives_and_restores(login, manager, friday_reminder, notified):
    client = login(manager)
    client.post(f"/schedules/{friday_reminder.pk}/archive/", {"reason": "本学期不再需要"})
    friday_reminder.refresh_from_db()
    assert not friday_reminder.is_active
    assert friday_reminder.archive_reason == "本学期不再需要"
    response = client.post(f"/schedules/{friday_reminder.pk}/run/", follow=True)
    assert "已停用的定时任务不能执行" in response.content.decode()
    assert not ScheduleRun.objects.exists()
    client.post(f"/schedules/{friday_reminder.pk}/restore/")
    friday_reminder.refresh_from_db()
    assert friday_reminder.is_active


def test_it_puts_failures_on_my_work(login, manager, friday_reminder):
    from django.utils import timezone

    ScheduleRunFactory(
        schedule=friday_reminder, status=RunStatus.FAILED, finished_at=timezone.now()
    )
    body = login(manager).get("/").content.decode()
    assert "定时任务执行失败" in body


def test_it_shows_the_navigation_entry_to_managers_only(login, manager, teacher):
    assert "定时任务" in login(manager).get("/").content.decode()


@pytest.mark.parametrize("link", ["/\\evil.example/", "/\\/evil.example", "///evil.example"])
def test_it_refuses_a_link_a_browser_reads_as_another_site(login, manager, link):
    response = login(manager).post("/schedules/new/", form_data(**{"params-link": link}))
    assert response.status_code == 200
    assert "链接须是本系统内以 / 开头的地址" in response.content.decode()
    assert not Schedule.objects.exists()


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"start_date": "9999-12-31"}, "start_date"),
        ({"start_date": "2026-09-01", "end_date": "9999-12-31"}, "end_date"),
        (
            {"rule": RuleKind.EVERY_N_WEEKS, "interval_weeks": "2", "anchor_date": "0001-01-01"},
            "anchor_date",
        ),
    ],
)
def test_it_refuses_a_date_out_of_range_in_chinese(login, manager, fields, field):
    client = login(manager)
    response = client.post("/schedules/new/", form_data(**fields))
    assert response.status_code == 200
    assert "日期须在 2000 年到 2100 年之间。" in response.context["form"].errors[field]
    assert not Schedule.objects.exists()
    response = client.get("/schedules/preview/", form_data(**fields))
    assert response.status_code == 200
    assert "日期须在 2000 年到 2100 年之间。" in response.content.decode()


@pytest.mark.parametrize(
    "query", ["?page=abc", "?page=-1", "?state=xyz", "?page=99999999999999999999"]
)
def test_it_answers_garbled_list_parameters(login, manager, friday_reminder, query):
    assert login(manager).get(f"/schedules/{query}").status_code == 200
    assert login(manager).get(f"/schedules/{friday_reminder.pk}/{query}").status_code == 200


def test_it_lists_schedules_starting_later_in_a_bounded_number_of_queries(
    login, manager, school, term, django_assert_max_num_queries
):
    for number in range(25):
        ScheduleFactory(
            school=school,
            name=f"提醒{number:02d}",
            rule=RuleKind.DAILY,
            start_date=date(2027, 1, 1 + number),
        )
    client = login(manager)
    client.get("/schedules/")
    with freeze_time(at(2026, 10, 9, 12, 0)), django_assert_max_num_queries(15):
        response = client.get("/schedules/")
    assert response.content.decode().count('data-testid="schedule-row"') == 25
