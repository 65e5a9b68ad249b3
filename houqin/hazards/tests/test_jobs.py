"""Overdue escalation on the scheduler heartbeat: past the deadline the logistics managers
and the owner are told (level 1); three days later the principal (level 2). A second
heartbeat tells nobody again."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from houqin.accounts.models import Appointment
from houqin.accounts.roles import Position
from houqin.hazards import jobs, services
from houqin.hazards.models import HazardEvent, Status
from houqin.hazards.tests.factories import HazardFactory
from houqin.notifications.models import Notification
from houqin.org.tests.factories import CampusFactory
from houqin.repairs.tests.factories import place_in
from houqin.schedules import heartbeat

pytestmark = pytest.mark.django_db

Action = HazardEvent.Action


def at(*parts):
    return timezone.make_aware(datetime(*parts))


def titles(staff):
    return list(
        Notification.objects.filter(recipient=staff.user, event=services.EVENT_OVERDUE)
        .order_by("pk")
        .values_list("title", flat=True)
    )


@pytest.fixture
def principal(school, make_staff):
    return make_staff(school, Position.PRINCIPAL, name="林校长")


@pytest.fixture
def hazard(school, teacher):
    return HazardFactory(
        school=school,
        owner=teacher,
        status=Status.RECTIFYING,
        deadline=date(2026, 3, 12),
        reported_at=at(2026, 3, 9, 9, 0),
        title="消防通道堆放杂物",
    )


def test_it_escalates_to_the_managers_then_the_principal_once_each(
    hazard, manager, teacher, principal
):
    label = f"{hazard.number} 消防通道堆放杂物"
    assert services.escalate_overdue(at(2026, 3, 12, 18, 0)) == 0  # the deadline day itself

    assert services.escalate_overdue(at(2026, 3, 13, 8, 0)) == 1
    hazard.refresh_from_db()
    assert hazard.escalation_level == 1
    assert titles(manager) == [f"隐患超期督办：{label}（超期 1 天）"]
    assert titles(teacher) == [f"隐患已超过整改期限，请尽快整改：{label}"]
    assert titles(principal) == []
    event = hazard.events.last()
    assert event.action == Action.ESCALATE and event.actor is None
    assert event.note == "超过整改期限 1 天，第 1 级督办：周静"

    assert services.escalate_overdue(at(2026, 3, 13, 8, 1)) == 0  # the next heartbeat
    assert services.escalate_overdue(at(2026, 3, 15, 8, 0)) == 0  # three days over: not yet

    assert jobs.on_heartbeat(at(2026, 3, 16, 8, 0)) == 1
    hazard.refresh_from_db()
    assert hazard.escalation_level == 2
    assert titles(principal) == [f"隐患超期督办：{label}（超期 4 天）"]
    assert len(titles(manager)) == 1 and len(titles(teacher)) == 1
    assert services.escalate_overdue(at(2026, 3, 16, 8, 1)) == 0
    assert hazard.events.filter(action=Action.ESCALATE).count() == 2


def test_a_long_overdue_hazard_goes_to_both_at_once(hazard, manager, principal):
    assert services.escalate_overdue(at(2026, 4, 1, 8, 0)) == 1
    assert len(titles(manager)) == 1 and len(titles(principal)) == 1
    hazard.refresh_from_db()
    assert hazard.escalation_level == 2
    assert services.escalate_overdue(at(2026, 4, 2, 8, 0)) == 0


def test_it_runs_on_the_scheduler_heartbeat(hazard, manager):
    assert heartbeat.tick(at(2026, 3, 13, 8, 0)) == []
    hazard.refresh_from_db()
    assert hazard.escalation_level == 1
    heartbeat.tick(at(2026, 3, 13, 8, 1))
    assert len(titles(manager)) == 1


def test_it_leaves_what_is_not_the_owners_to_do(school, manager):
    later = at(2026, 5, 1, 8, 0)
    for trait in ("rectified", "closed"):
        HazardFactory(school=school, deadline=date(2026, 3, 12), **{trait: True})
    HazardFactory(school=school, status=Status.VOID, deadline=date(2026, 3, 12))
    HazardFactory(school=school, major=True, rectifying=True, deadline=None)
    assert services.escalate_overdue(later) == 0
    assert titles(manager) == []


def test_a_new_deadline_starts_the_escalation_again(hazard, manager, teacher):
    services.escalate_overdue(at(2026, 3, 13, 8, 0))
    services.hazard_assign(
        hazard, by=manager, owner=teacher, deadline=date(2026, 3, 20), now=at(2026, 3, 13, 9, 0)
    )
    hazard.refresh_from_db()
    assert hazard.escalation_level == 0
    assert services.escalate_overdue(at(2026, 3, 19, 8, 0)) == 0
    assert services.escalate_overdue(at(2026, 3, 21, 8, 0)) == 1
    assert len(titles(teacher)) == 2


def test_campus_managers_hear_only_of_their_campus(school, make_staff, teacher):
    north = CampusFactory(school=school, name="北校区", code="NORTH")
    main_manager = make_staff(school, name="本部主任")
    Appointment.objects.create(
        staff=main_manager,
        position=Position.LOGISTICS_MANAGER,
        campus=school.campus_set.get(code="MAIN"),
    )
    north_place = place_in(school)
    north_place.campus = north
    north_place.save()
    HazardFactory(
        place=north_place,
        owner=teacher,
        status=Status.RECTIFYING,
        deadline=date(2026, 3, 12),
    )
    assert services.escalate_overdue(at(2026, 3, 13, 8, 0)) == 1
    assert titles(main_manager) == []
