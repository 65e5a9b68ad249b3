"""The demo school's repairs: every state, real histories, made once."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from houqin.accounts.roles import Position
from houqin.org.models import Campus
from houqin.org.tests.factories import PlaceFactory, SchoolClassFactory
from houqin.repairs import demo, stats
from houqin.repairs.models import (
    Deadline,
    DispatchRule,
    RepairEvent,
    RepairRequest,
    Status,
    Vendor,
)

CODES = ["PX-301", "PX-101", "PX-102", "XZ-303", "XZ-403", "PX-507", "TYG-101", "CC"]


def at(year, month, day, hour=9, minute=0):
    return timezone.make_aware(datetime(year, month, day, hour, minute))


@pytest.fixture
def demo_staff(school, make_staff):
    campus = Campus.objects.get(school=school)
    places = {
        code: PlaceFactory(floor__building__campus=campus, code=code, name=code) for code in CODES
    }
    SchoolClassFactory(grade__school=school, grade__campus=campus, room=places["PX-101"])
    staff = {
        "zhoujing": make_staff(school, Position.LOGISTICS_MANAGER, name="周静", staff_no="SZ0003"),
        "taoxiangming": make_staff(
            school, Position.MAINTENANCE_STAFF, name="陶向明", staff_no="SZ0008"
        ),
        "wangjiajia": make_staff(school, Position.TEACHER, name="王佳佳", staff_no="SZ0006"),
    }
    make_staff(school, Position.MAINTENANCE_STAFF, name="维修工甲", staff_no="SZ0101")
    make_staff(school, Position.MAINTENANCE_STAFF, name="维修工乙", staff_no="SZ0102")
    for n in range(4):
        make_staff(school, Position.TEACHER, name=f"老师{n}", staff_no=f"SZ02{n:02d}")
    return staff


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (RepairRequest, RepairEvent, Vendor, DispatchRule, Deadline)
    }


def test_it_loads_requests_in_every_state_once(school, demo_staff):
    now = at(2026, 3, 20, 15, 0)
    with freeze_time(now):
        demo.load(school, demo_staff)
        counts = _counts()
        demo.load(school, demo_staff)
        assert _counts() == counts

    requests = list(RepairRequest.objects.filter(school=school).prefetch_related("events"))
    assert len(requests) == len(demo.SPECS) == 16
    assert {r.status for r in requests} == set(Status.values)
    assert counts["Vendor"] == 3 and counts["DispatchRule"] == 2 and counts["Deadline"] == 5

    for repair in requests:
        events = list(repair.events.all())
        assert events[0].action == RepairEvent.Action.REPORT
        assert events[0].created_at == repair.reported_at
        assert all(repair.reported_at <= e.created_at <= now for e in events)
        assert now - timedelta(days=35) <= repair.reported_at <= now
    closed = [r for r in requests if r.status == Status.CLOSED]
    assert all(r.rating for r in closed)
    assert any(r.reopen_count for r in closed)
    damaged = [r for r in requests if r.damaged_by_students]
    assert len(damaged) == 2
    assert any(r.responsible_class for r in damaged)
    assert sum(r.total_cost for r in requests) > 0
    network = [r for r in requests if r.category == "network"]
    assert {e.action for r in network for e in r.events.all()} >= {RepairEvent.Action.AUTO_ASSIGN}

    result = stats.compute(RepairRequest.objects.filter(school=school), school=school, now=now)
    assert result.overdue_open >= 1
    assert result.rated >= 5
    assert result.by_worker
    often = stats.often_repaired_places(school, (now - timedelta(days=90)).date())
    assert [place.code for place in often] == ["PX-301"]


def test_it_keeps_every_step_in_the_past_early_in_the_morning(school, demo_staff):
    now = at(2026, 3, 23, 7, 30)  # Monday, before work
    with freeze_time(now):
        demo.load(school, demo_staff)
    assert not RepairEvent.objects.filter(created_at__gt=now).exists()
    assert RepairRequest.objects.filter(school=school).count() == 16


def test_it_does_nothing_without_a_manager_or_workers(school, make_staff):
    demo.load(school, {"wangjiajia": make_staff(school, Position.TEACHER)})
    assert not RepairRequest.objects.exists()
