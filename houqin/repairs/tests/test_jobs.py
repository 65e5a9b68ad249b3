"""The scheduled jobs on the heartbeat: overdue requests escalated to the logistics
manager, then the vice principal in charge; done requests auto-confirmed after N working
days. Running a job twice changes nothing the second time."""

from datetime import datetime

import pytest
from django.utils import timezone

from houqin.accounts.models import Appointment
from houqin.accounts.roles import Position
from houqin.notifications.models import Notification
from houqin.org.models import Campus, SchoolSetting
from houqin.org.tests.factories import CampusFactory
from houqin.repairs import jobs, services
from houqin.repairs.models import Category, RepairEvent, RepairRequest, Status, Urgency
from houqin.repairs.tests.factories import RepairRequestFactory, place_in, worker_in
from houqin.schedules import heartbeat

pytestmark = pytest.mark.django_db

Action = RepairEvent.Action


def at(*parts):
    return timezone.make_aware(datetime(*parts))


def titles(staff, event=services.EVENT_OVERDUE):
    return list(
        Notification.objects.filter(recipient=staff.user, event=event).values_list(
            "title", flat=True
        )
    )


@pytest.fixture
def place(school):
    return place_in(school, name="301教室")


@pytest.fixture
def vice_principal(school, make_staff):
    staff = make_staff(school, name="谢副校长")
    Appointment.objects.create(staff=staff, position=Position.VICE_PRINCIPAL, charge="后勤、安全")
    return staff


@pytest.fixture
def other_vice_principal(school, make_staff):
    staff = make_staff(school, name="教学副校长")
    Appointment.objects.create(staff=staff, position=Position.VICE_PRINCIPAL, charge="教学")
    return staff


def report(teacher, place, now, **kwargs):
    return services.report(
        by=teacher,
        place=place,
        category=kwargs.pop("category", Category.DOORS_WINDOWS),
        urgency=kwargs.pop("urgency", Urgency.NORMAL),
        description="门锁坏了",
        now=now,
    )


def escalations(repair):
    return list(
        repair.events.filter(action=Action.ESCALATE).order_by("pk").values_list("note", flat=True)
    )


def test_the_heartbeat_runs_the_repairs_jobs():
    assert jobs.on_heartbeat in heartbeat.callbacks()


def test_an_overdue_request_is_escalated_by_the_scheduled_job(
    school, teacher, manager, vice_principal, other_vice_principal, place
):
    repair = report(teacher, place, at(2026, 3, 9, 9, 0))  # response due Monday 14:30
    assert repair.response_due == at(2026, 3, 9, 14, 30)

    assert heartbeat.tick(at(2026, 3, 9, 14, 30)) == []
    repair.refresh_from_db()
    assert repair.escalation_level == 0 and titles(manager) == []

    # Level 1: past the response deadline → the logistics manager.
    heartbeat.tick(at(2026, 3, 9, 14, 31))
    repair.refresh_from_db()
    assert repair.escalation_level == 1
    label = f"{repair.number} {place.full_name}"
    assert titles(manager) == [f"报修超期督办：{label}（超过响应期限）"]
    assert titles(vice_principal) == []
    assert escalations(repair) == ["超过响应期限，第 1 级督办：周静"]

    # Running again escalates nothing more.
    heartbeat.tick(at(2026, 3, 9, 14, 32))
    heartbeat.tick(at(2026, 3, 9, 17, 0))
    assert len(titles(manager)) == 1 and len(escalations(repair)) == 1

    # Level 2: past the deadline by as long again (4 working hours: Tuesday 09:00) →
    # the vice principal in charge of logistics, not the other one.
    assert services.escalate_overdue(at(2026, 3, 10, 8, 59)) == 0
    assert services.escalate_overdue(at(2026, 3, 10, 9, 0)) == 1
    assert services.escalate_overdue(at(2026, 3, 10, 9, 0)) == 0
    repair.refresh_from_db()
    assert repair.escalation_level == 2
    assert titles(vice_principal) == [f"报修超期督办：{label}（超过响应期限）"]
    assert titles(other_vice_principal) == []
    assert len(titles(manager)) == 1
    assert escalations(repair)[-1] == "超过响应期限，第 2 级督办：谢副校长"
    heartbeat.tick(at(2026, 3, 20, 9, 0))
    assert len(titles(vice_principal)) == 1 and len(escalations(repair)) == 2


def test_without_a_vice_principal_for_logistics_every_vice_principal_is_told(
    school, teacher, manager, other_vice_principal, place
):
    repair = report(teacher, place, at(2026, 3, 9, 9, 0))
    # The scheduler was down: one run finds it far overdue → both levels at once.
    assert services.escalate_overdue(at(2026, 3, 12, 9, 0)) == 1
    repair.refresh_from_db()
    assert repair.escalation_level == 2
    assert len(titles(manager)) == 1 and len(titles(other_vice_principal)) == 1
    assert escalations(repair) == ["超过完成期限，第 2 级督办：周静、教学副校长"]


def test_deadlines_wait_over_the_weekend(school, teacher, manager, place):
    repair = report(teacher, place, at(2026, 3, 6, 16, 30))  # Friday: due Monday 11:00
    assert repair.response_due == at(2026, 3, 9, 11, 0)
    assert services.escalate_overdue(at(2026, 3, 8, 20, 0)) == 0
    assert services.escalate_overdue(at(2026, 3, 9, 11, 1)) == 1


def test_accepting_meets_the_response_deadline_and_completion_is_watched(
    school, teacher, manager, vice_principal, place
):
    worker = worker_in(school, name="刘师傅")
    repair = report(teacher, place, at(2026, 3, 9, 9, 0))
    services.assign(repair, by=manager, assignee=worker, now=at(2026, 3, 9, 9, 5))
    services.escalate_overdue(at(2026, 3, 9, 15, 0))
    repair.refresh_from_db()
    assert repair.escalation_level == 1
    assert titles(worker) == [
        f"维修单已超过响应期限，请尽快处理：{repair.number} {place.full_name}"
    ]
    services.accept(repair, by=worker, now=at(2026, 3, 9, 15, 10))
    assert repair.escalation_level == 0
    # Accepted: the response deadline no longer counts; completion (Wednesday 09:00) does.
    assert services.escalate_overdue(at(2026, 3, 10, 17, 0)) == 0
    assert services.escalate_overdue(at(2026, 3, 11, 9, 1)) == 1
    repair.refresh_from_db()
    assert repair.escalation_level == 1
    assert escalations(repair)[-1] == "超过完成期限，第 1 级督办：周静"
    assert len(titles(worker)) == 2


def test_closed_cancelled_and_done_requests_are_never_escalated(school, teacher, manager, place):
    past = at(2026, 3, 2, 9, 0)
    for status in (Status.DONE, Status.CLOSED, Status.CANCELLED):
        RepairRequestFactory(
            place=place,
            status=status,
            reported_at=past,
            response_due=past,
            completion_due=past,
        )
    assert services.escalate_overdue(at(2026, 3, 20, 9, 0)) == 0
    assert titles(manager) == []


def test_a_campus_manager_is_told_only_about_their_campus(school, teacher, make_staff, place):
    annex = CampusFactory(school=school, name="分校区", is_main=False)
    annex_manager = make_staff(school, name="分校后勤")
    Appointment.objects.create(
        staff=annex_manager, position=Position.LOGISTICS_MANAGER, campus=annex
    )
    main_manager = make_staff(school, Position.LOGISTICS_MANAGER, name="本部后勤")
    assert place.campus == Campus.objects.get(school=school, is_main=True)
    report(teacher, place, at(2026, 3, 9, 9, 0))
    services.escalate_overdue(at(2026, 3, 9, 15, 0))
    assert len(titles(main_manager)) == 1 and titles(annex_manager) == []


def test_done_requests_are_auto_confirmed_after_three_working_days(school, teacher, place):
    repair = RepairRequestFactory(place=place, reporter=teacher, done=True)
    RepairRequest.objects.filter(pk=repair.pk).update(done_at=at(2026, 3, 5, 10, 0))  # Thursday
    # Friday, Monday, Tuesday: confirmed on Tuesday at 10:00.
    assert services.auto_confirm_due(at(2026, 3, 10, 9, 59)) == 0
    heartbeat.tick(at(2026, 3, 10, 10, 0))
    repair.refresh_from_db()
    assert repair.status == Status.CLOSED and repair.auto_confirmed
    assert repair.closed_at == at(2026, 3, 10, 10, 0)
    event = repair.events.order_by("-pk").first()
    assert (event.action, event.actor, event.note) == (
        Action.AUTO_CONFIRM,
        None,
        "完成后 3 个工作日未确认，系统自动确认",
    )
    assert titles(teacher, services.EVENT_PROGRESS) == [
        f"报修已自动确认修好，欢迎评价：{repair.number} {place.full_name}"
    ]
    assert services.auto_confirm_due(at(2026, 3, 11, 10, 0)) == 0
    assert repair.events.filter(action=Action.AUTO_CONFIRM).count() == 1
    # The reporter may still rate it.
    services.rate(repair, by=teacher, rating=4)
    assert RepairRequest.objects.get(pk=repair.pk).rating == 4


def test_auto_confirm_counts_working_days_over_a_holiday_and_uses_the_setting(
    school, teacher, place
):
    holiday = RepairRequestFactory(place=place, reporter=teacher, done=True)
    RepairRequest.objects.filter(pk=holiday.pk).update(done_at=at(2026, 4, 29, 15, 0))
    # 30 April, then 1–5 May off: 6 and 7 May → due 7 May 15:00.
    assert services.auto_confirm_due(at(2026, 5, 7, 14, 59)) == 0
    assert services.auto_confirm_due(at(2026, 5, 7, 15, 0)) == 1

    SchoolSetting.objects.create(school=school, key="repairs.auto_confirm_workdays", value=1)
    friday = RepairRequestFactory(place=place, reporter=teacher, done=True)
    RepairRequest.objects.filter(pk=friday.pk).update(done_at=at(2026, 3, 6, 10, 0))
    assert services.auto_confirm_due(at(2026, 3, 8, 23, 0)) == 0
    assert services.auto_confirm_due(at(2026, 3, 9, 10, 0)) == 1


def test_a_confirmed_or_reopened_request_is_not_auto_confirmed(school, teacher, place):
    repair = RepairRequestFactory(place=place, reporter=teacher, done=True)
    RepairRequest.objects.filter(pk=repair.pk).update(done_at=at(2026, 3, 2, 10, 0))
    repair.refresh_from_db()
    services.reopen(repair, by=teacher, note="没修好", now=at(2026, 3, 3, 9, 0))
    assert services.auto_confirm_due(at(2026, 3, 20, 9, 0)) == 0
    assert RepairRequest.objects.get(pk=repair.pk).status == Status.ASSIGNED
