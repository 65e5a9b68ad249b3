"""The demo school's hazard register: every state, real histories, cameras, made once."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from houqin.accounts.roles import Position
from houqin.hazards import demo
from houqin.hazards.models import (
    Camera,
    Grade,
    Hazard,
    HazardEvent,
    HazardPlan,
    Source,
    Status,
)
from houqin.hazards.services import place_is_covered
from houqin.org.models import Campus
from houqin.org.tests.factories import PlaceFactory
from houqin.repairs.models import RepairRequest

NOW = timezone.make_aware(datetime(2026, 11, 18, 15, 0))


@pytest.fixture
def places(school):
    campus = Campus.objects.get(school=school)
    codes = {spec.place for spec in demo.SPECS}
    for _name, _code, installed, covers, _working in demo.CAMERAS:
        codes |= {installed, *covers}
    return {
        code: PlaceFactory(floor__building__campus=campus, code=code, name=code)
        for code in sorted(codes)
    }


@pytest.fixture
def demo_staff(school, make_staff, places):
    make_staff(school, Position.PRINCIPAL, name="陈立群", staff_no="SZ0001")
    return {
        "zhoujing": make_staff(school, Position.LOGISTICS_MANAGER, name="周静", staff_no="SZ0003"),
        "zhuzhigang": make_staff(
            school, Position.LOGISTICS_MANAGER, name="朱志刚", staff_no="SZ0004"
        ),
        "taoxiangming": make_staff(
            school, Position.MAINTENANCE_STAFF, name="陶向明", staff_no="SZ0008"
        ),
        "xiabin": make_staff(school, Position.SECURITY_STAFF, name="夏斌", staff_no="SZ0320"),
        "guojiahao": make_staff(school, Position.CANTEEN_MANAGER, name="郭家豪", staff_no="SZ0301"),
        "wangjiajia": make_staff(school, Position.TEACHER, name="王佳佳", staff_no="SZ0006"),
    }


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (Hazard, HazardEvent, HazardPlan, Camera, RepairRequest)
    }


def test_it_loads_hazards_in_every_state_once(school, demo_staff, places):
    with freeze_time(NOW):
        demo.load(school, demo_staff)
        counts = _counts()
        demo.load(school, demo_staff)
        assert _counts() == counts

    hazards = {h.title: h for h in Hazard.objects.filter(school=school)}
    assert len(hazards) == len(demo.SPECS) == 13
    assert {h.status for h in hazards.values()} == set(Status.values)
    for hazard in hazards.values():
        events = list(hazard.events.all())
        assert events[0].action == HazardEvent.Action.REPORT
        assert events[0].created_at == hazard.reported_at
        assert all(hazard.reported_at <= e.created_at <= NOW for e in events)
    # Numbered in the order they were found.
    by_number = sorted(hazards.values(), key=lambda h: h.number)
    assert [h.reported_at for h in by_number] == sorted(h.reported_at for h in by_number)

    closed = [h for h in hazards.values() if h.status == Status.CLOSED]
    assert len(closed) == 3
    assert all(h.verified_by and h.verified_by != h.rectified_by for h in closed)
    assert any(h.reopen_count == 1 for h in closed)
    reopened = hazards["操场看台栏杆锈蚀，两处焊点开裂"]
    assert (reopened.status, reopened.reopen_count) == (Status.RECTIFYING, 1)

    major = hazards["明德楼北侧外墙瓷砖空鼓、局部脱落"]
    assert major.grade == Grade.MAJOR
    assert major.plan.funds == 86000
    assert major.deadline == major.plan.deadline > NOW.date()

    linked = hazards["监控室空调漏水，滴到录像机机柜上"]
    assert linked.repair is not None and linked.repair.is_open

    blind = hazards["监控盲区：沛学楼 五楼西楼梯"]
    assert blind.source == Source.BLIND_SPOT
    assert not place_is_covered(blind.place)

    overdue = Hazard.objects.filter(school=school).overdue(NOW.date())
    assert overdue.filter(title="厨房排烟罩油污积聚较厚").exists()
    assert all(NOW - timedelta(days=25) <= h.reported_at <= NOW for h in hazards.values())


def test_it_puts_cameras_over_the_gates_and_corridors(school, demo_staff, places):
    with freeze_time(NOW):
        demo.load(school, demo_staff)

    assert Camera.objects.filter(school=school).count() == len(demo.CAMERAS)
    assert place_is_covered(places["GATE-E"])
    assert place_is_covered(places["PX-3F-CO"])
    # The broken camera leaves its corridor uncovered.
    assert not place_is_covered(places["MD-3F-CO"])


def test_it_keeps_every_step_in_the_past_early_in_the_morning(school, demo_staff, places):
    early = timezone.make_aware(datetime(2026, 11, 16, 6, 30))
    with freeze_time(early):
        demo.load(school, demo_staff)

    assert not HazardEvent.objects.filter(created_at__gt=early).exists()
    assert Hazard.objects.filter(school=school).count() == 13


def test_it_does_nothing_without_a_manager(school, make_staff):
    demo.load(school, {"wangjiajia": make_staff(school, Position.TEACHER)})

    assert not Hazard.objects.exists()
    assert not Camera.objects.exists()
