"""The hazard services: report (numbering, photos, who is told), assign, regrade, the
重大 plan, to repair, rectify, verify (never by the fixer; fail → rectify again → close),
void — every transition and every refusal with its Chinese message."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from houqin.accounts.roles import Position
from houqin.files.services import attachments_for
from houqin.files.tests.factories import exe_upload, jpeg_upload
from houqin.hazards import services
from houqin.hazards.models import (
    Camera,
    Domain,
    Grade,
    Hazard,
    HazardEvent,
    HazardPlan,
    Source,
    Status,
)
from houqin.hazards.services import HazardError
from houqin.hazards.tests.factories import HazardFactory, HazardPlanFactory
from houqin.notifications.models import Notification, OutboxMessage
from houqin.notifications.tests.helpers import make_robot
from houqin.repairs.models import Category, RepairRequest, Urgency
from houqin.repairs.models import Status as RepairStatus
from houqin.repairs.tests.factories import RepairRequestFactory, place_in

pytestmark = pytest.mark.django_db

Action = HazardEvent.Action


def at(*parts):
    return timezone.make_aware(datetime(*parts))


MONDAY = at(2026, 3, 9, 9, 0)


def titles(staff, event=None):
    notifications = Notification.objects.filter(recipient=staff.user)
    if event:
        notifications = notifications.filter(event=event)
    return list(notifications.values_list("title", flat=True))


def actions(hazard):
    return list(hazard.events.order_by("pk").values_list("action", flat=True))


@pytest.fixture
def place(school):
    return place_in(school, name="实验楼走廊", code="B201")


@pytest.fixture
def principal(school, make_staff):
    return make_staff(school, Position.PRINCIPAL, name="林校长")


@pytest.fixture
def second_manager(school, make_staff):
    return make_staff(school, Position.LOGISTICS_MANAGER, name="吴主任")


def report(by, place, **fields):
    values = {
        "school": by.school,
        "by": by,
        "title": "安全出口指示灯不亮",
        "domain": Domain.FIRE,
        "place": place,
        "now": MONDAY,
    }
    values.update(fields)
    return services.hazard_report(**values)


def refused(call, *args, **kwargs):
    with pytest.raises(HazardError) as error:
        call(*args, **kwargs)
    return str(error.value)


@pytest.fixture
def rectifying(manager, teacher, place):
    hazard = report(teacher, place)
    return services.hazard_assign(hazard, by=manager, owner=teacher, deadline=None, now=MONDAY)


# --- report --------------------------------------------------------------------------


def test_it_reports_a_hazard_and_tells_the_managers(teacher, manager, place):
    hazard = report(teacher, place, detail="二楼东侧", photos=[jpeg_upload()])
    hazard.refresh_from_db()
    assert hazard.number == "YH-2026-0001"
    assert hazard.status == Status.REPORTED
    assert hazard.reported_by == teacher and hazard.reported_at == MONDAY
    assert hazard.source == Source.REPORT and hazard.grade == Grade.GENERAL
    assert actions(hazard) == [Action.REPORT]
    assert [a.role for a in attachments_for(hazard)] == ["found"]
    assert titles(manager, services.EVENT_NEW) == [
        f"新的隐患待指派：{hazard.number} 安全出口指示灯不亮"
    ]
    assert titles(teacher) == []


def test_it_numbers_hazards_per_school_and_year(teacher, place, other_school, make_staff):
    assert report(teacher, place).number == "YH-2026-0001"
    assert report(teacher, place).number == "YH-2026-0002"
    theirs = make_staff(other_school, Position.TEACHER)
    assert report(theirs, None, location_note="操场").number == "YH-2026-0001"
    assert report(teacher, place, now=at(2027, 1, 4, 8, 0)).number == "YH-2027-0001"


def test_it_numbers_past_ten_thousand(school, teacher, place):
    HazardFactory(school=school, number="YH-2026-9999")
    assert report(teacher, place).number == "YH-2026-10000"
    assert report(teacher, place).number == "YH-2026-10001"


def test_it_refuses_a_report_it_cannot_take(school, teacher, place, other_school, make_staff):
    assert refused(report, teacher, place, title="  ") == "请用一句话描述隐患。"
    assert refused(report, teacher, place, domain="rain") == "请选择隐患类别。"
    assert refused(report, teacher, place, grade="huge") == "请选择隐患等级。"
    assert refused(report, teacher, None) == "请选择隐患地点，或填写具体位置。"
    theirs = place_in(other_school)
    assert refused(report, teacher, theirs) == "隐患地点不属于本校。"
    assert refused(report, teacher, place, school=other_school) == "只能上报本校的隐患。"
    nobody = make_staff(school)  # holds no position: no hazards.report
    assert refused(report, nobody, place) == "你没有上报隐患的权限。"
    assert refused(report, teacher, place, owner=teacher) == "只有隐患管理员可以指派整改责任人。"
    assert refused(report, teacher, place, photos=[exe_upload()])
    assert Hazard.objects.count() == 0


def test_a_long_patrol_title_keeps_its_text_in_the_detail(teacher, place):
    text = "消防通道堆放杂物" * 30
    hazard = report(teacher, place, title=text, detail="北侧")
    assert len(hazard.title) == 200 and hazard.title.endswith("…")
    assert hazard.detail == f"{text}\n北侧"


def test_a_manager_assigns_while_reporting(manager, teacher, place):
    hazard = report(manager, place, owner=teacher)
    assert hazard.status == Status.RECTIFYING
    assert hazard.owner == teacher
    assert hazard.deadline == date(2026, 3, 12)  # three working days
    assert actions(hazard) == [Action.REPORT, Action.ASSIGN]
    assert titles(teacher, services.EVENT_ASSIGNED) == [
        f"请整改隐患：{hazard.number} 安全出口指示灯不亮"
    ]
    assert titles(manager) == []  # the one acting is not told
    assert (
        refused(report, manager, place, deadline=date(2026, 3, 20))
        == "填写整改期限时请同时选择整改责任人。"
    )


def test_a_major_hazard_goes_to_the_principal_and_the_robots(school, teacher, place, principal):
    robot = make_robot(school, events=[services.EVENT_MAJOR])
    hazard = report(teacher, place, grade=Grade.MAJOR, title="教学楼外墙开裂")
    assert titles(principal, services.EVENT_MAJOR) == [f"重大隐患：{hazard.number} 教学楼外墙开裂"]
    assert OutboxMessage.objects.filter(robot=robot, event=services.EVENT_MAJOR).count() == 1


def test_a_hazard_found_during_a_repair_links_it(teacher, place):
    repair = RepairRequestFactory(place=place)
    hazard = report(teacher, place, source=Source.REPAIR, repair=repair)
    assert hazard.repair == repair and list(repair.hazards.all()) == [hazard]


# --- assign and regrade --------------------------------------------------------------


def test_a_manager_assigns_and_reassigns(manager, teacher, place, make_staff, school):
    hazard = report(teacher, place)
    other = make_staff(school, Position.TEACHER, name="李老师")
    services.hazard_assign(
        hazard,
        by=manager,
        owner=teacher,
        deadline=date(2026, 3, 20),
        note="先拉警戒线",
        now=MONDAY,
    )
    assert hazard.status == Status.RECTIFYING and hazard.owner == teacher
    assert hazard.deadline == date(2026, 3, 20)
    assert hazard.events.last().note == "张老师，期限 2026-03-20，先拉警戒线"
    services.hazard_assign(hazard, by=manager, owner=other, deadline=date(2026, 3, 20), now=MONDAY)
    hazard.refresh_from_db()
    assert hazard.owner == other
    assert titles(teacher, services.EVENT_PROGRESS) == [
        f"隐患已改由李老师整改：{hazard.number} 安全出口指示灯不亮"
    ]
    assert len(titles(other, services.EVENT_ASSIGNED)) == 1
    assert (
        refused(
            services.hazard_assign,
            hazard,
            by=manager,
            owner=other,
            deadline=hazard.deadline,
            now=MONDAY,
        )
        == "这条隐患已指派给李老师，期限未变。"
    )


def test_it_refuses_an_assignment_it_cannot_make(
    manager, teacher, place, make_staff, school, other_school
):
    hazard = report(teacher, place)
    assert (
        refused(services.hazard_assign, hazard, by=teacher, owner=teacher, deadline=None)
        == "只有隐患管理员可以指派整改。"
    )
    stranger = make_staff(other_school, Position.TEACHER, name="外校老师")
    assert (
        refused(services.hazard_assign, hazard, by=manager, owner=stranger, deadline=None)
        == "外校老师不是本校在岗的教职工。"
    )
    nobody = make_staff(school, name="无岗位")
    assert (
        refused(services.hazard_assign, hazard, by=manager, owner=nobody, deadline=None)
        == "无岗位没有处理隐患的权限。"
    )
    gone = make_staff(school, Position.TEACHER, name="离职老师")
    gone.archive(by=None, reason="调离")
    assert "不是本校在岗的教职工" in refused(
        services.hazard_assign, hazard, by=manager, owner=gone, deadline=None
    )
    assert (
        refused(
            services.hazard_assign,
            hazard,
            by=manager,
            owner=teacher,
            deadline=date(2020, 1, 1),
        )
        == "整改期限不能早于今天。"
    )
    theirs_manager = make_staff(other_school, Position.LOGISTICS_MANAGER)
    assert (
        refused(services.hazard_assign, hazard, by=theirs_manager, owner=teacher, deadline=None)
        == "这不是本校的隐患。"
    )
    closed = HazardFactory(school=school, closed=True)
    assert (
        refused(services.hazard_assign, closed, by=manager, owner=teacher, deadline=None)
        == "隐患当前为“已销号”，不能指派整改。"
    )


def test_regrading_to_major_tells_the_principal_and_the_owner(
    rectifying, manager, teacher, principal
):
    services.hazard_regrade(rectifying, by=manager, grade=Grade.MAJOR, note="需请专业单位")
    assert rectifying.grade == Grade.MAJOR
    event = rectifying.events.last()
    assert event.action == Action.REGRADE and event.note == "一般隐患 → 重大隐患：需请专业单位"
    assert titles(principal, services.EVENT_MAJOR) == [
        f"重大隐患：{rectifying.number} 安全出口指示灯不亮"
    ]
    assert titles(teacher, services.EVENT_PROGRESS) == [
        f"隐患等级已调整为重大隐患：{rectifying.number} 安全出口指示灯不亮"
    ]


def test_it_refuses_a_regrade_it_cannot_make(rectifying, manager, teacher):
    assert (
        refused(services.hazard_regrade, rectifying, by=teacher, grade=Grade.MAJOR, note="x")
        == "只有隐患管理员可以调整隐患等级。"
    )
    assert (
        refused(services.hazard_regrade, rectifying, by=manager, grade=Grade.GENERAL, note="x")
        == "隐患等级没有变化。"
    )
    assert (
        refused(services.hazard_regrade, rectifying, by=manager, grade=Grade.MAJOR, note=" ")
        == "请写明调整等级的原因。"
    )


# --- the 重大 plan ---------------------------------------------------------------------


def plan_values(**overrides):
    values = {
        "goal": "消除外墙脱落风险",
        "measures": "搭设防护棚，请专业单位修补",
        "funds": "35000",
        "people": "总务处王主任",
        "deadline": date(2026, 4, 30),
        "emergency_plan": "围挡，禁止学生靠近",
    }
    values.update(overrides)
    return values


def test_a_major_hazard_needs_its_plan_before_it_is_rectified(manager, teacher, place):
    hazard = report(teacher, place, grade=Grade.MAJOR, now=timezone.now())
    services.hazard_assign(hazard, by=manager, owner=teacher, deadline=None)
    assert hazard.deadline is None  # 重大: the plan sets it
    assert (
        refused(services.hazard_rectify, hazard, by=teacher, note="已修补")
        == "重大隐患须先填写整改方案，才能登记整改。"
    )
    deadline = timezone.localdate() + timedelta(days=30)
    services.hazard_save_plan(hazard, by=teacher, **plan_values(deadline=deadline))
    hazard.refresh_from_db()
    assert hazard.plan.funds == Decimal("35000.00") and hazard.plan.written_by == teacher.user
    assert hazard.deadline == deadline
    assert hazard.events.last().action == Action.PLAN
    assert len(titles(manager, services.EVENT_PROGRESS)) == 1
    services.hazard_rectify(hazard, by=teacher, note="已修补完毕")
    assert hazard.status == Status.RECTIFIED


def test_it_refuses_a_plan_it_cannot_take(school, manager, teacher, place, make_staff):
    general = report(teacher, place, now=timezone.now())
    assert (
        refused(services.hazard_save_plan, general, by=manager, **plan_values())
        == "只有重大隐患需要填写整改方案。"
    )
    major = HazardFactory(school=school, major=True, rectifying=True)
    assert (
        refused(services.hazard_save_plan, major, by=teacher, **plan_values())
        == "只有整改责任人或隐患管理员可以填写整改方案。"
    )
    future = timezone.localdate().replace(year=timezone.localdate().year + 1)
    assert (
        refused(
            services.hazard_save_plan, major, by=manager, **plan_values(goal="", deadline=future)
        )
        == "请填写整改目标。"
    )
    assert (
        refused(
            services.hazard_save_plan, major, by=manager, **plan_values(funds="-1", deadline=future)
        )
        == "整改资金不能为负数。"
    )
    assert (
        refused(
            services.hazard_save_plan, major, by=manager, **plan_values(deadline=date(2020, 1, 1))
        )
        == "完成时限不能早于今天。"
    )
    assert not HazardPlan.objects.exists()
    assert major.events.filter(action=Action.PLAN).count() == 0


# --- to repair ---------------------------------------------------------------------------


def test_a_hazard_turned_into_a_repair_waits_for_it(rectifying, teacher, manager, second_manager):
    repair = services.hazard_to_repair(
        rectifying,
        by=teacher,
        category=Category.FIRE_EQUIPMENT,
        description="更换安全出口指示灯",
        urgency=Urgency.URGENT,
    )
    assert isinstance(repair, RepairRequest) and repair.place == rectifying.place
    assert rectifying.repair == repair and repair.reporter == teacher
    assert rectifying.events.last().note == f"报修单 {repair.number}"
    assert (
        refused(
            services.hazard_to_repair,
            rectifying,
            by=teacher,
            category=Category.OTHER,
            description="x",
            urgency=Urgency.NORMAL,
        )
        == f"已有未修好的报修单 {repair.number}，不能再转报修。"
    )
    assert (
        refused(services.hazard_rectify, rectifying, by=teacher, note="已换灯")
        == f"关联的报修单 {repair.number} 还没有修好，修好后才能登记整改。"
    )
    RepairRequest.objects.filter(pk=repair.pk).update(status=RepairStatus.DONE)
    services.hazard_rectify(rectifying, by=teacher, note="已换灯")
    # The repair reopened (返修) before the verification: no closing yet.
    RepairRequest.objects.filter(pk=repair.pk).update(status=RepairStatus.ASSIGNED)
    assert (
        refused(services.hazard_verify, rectifying, by=manager, passed=True, note="")
        == f"关联的报修单 {repair.number} 还没有修好，不能销号。"
    )
    RepairRequest.objects.filter(pk=repair.pk).update(status=RepairStatus.CLOSED)
    services.hazard_verify(rectifying, by=manager, passed=True, note="已复查")
    assert rectifying.status == Status.CLOSED


def test_it_refuses_a_repair_it_cannot_make(school, teacher, manager, make_staff):
    nowhere = HazardFactory(school=school, place=None, location_note="校车停车场", rectifying=True)
    assert (
        refused(
            services.hazard_to_repair,
            nowhere,
            by=manager,
            category=Category.OTHER,
            description="x",
            urgency=Urgency.NORMAL,
        )
        == "隐患没有登记地点，不能转报修。"
    )
    hazard = HazardFactory(school=school, rectifying=True)
    assert (
        refused(
            services.hazard_to_repair,
            hazard,
            by=teacher,
            category=Category.OTHER,
            description="x",
            urgency=Urgency.NORMAL,
        )
        == "只有整改责任人或隐患管理员可以转报修。"
    )
    assert (
        refused(
            services.hazard_to_repair,
            hazard,
            by=manager,
            category="rocket",
            description="x",
            urgency=Urgency.NORMAL,
        )
        == "请选择维修类别。"
    )
    assert RepairRequest.objects.count() == 0


# --- rectify and verify ------------------------------------------------------------------


def test_the_loop_fails_once_then_closes(rectifying, teacher, manager, second_manager):
    services.hazard_rectify(
        rectifying, by=teacher, note="已更换指示灯", photos=[jpeg_upload()], now=MONDAY
    )
    assert rectifying.status == Status.RECTIFIED
    assert rectifying.rectified_by == teacher and rectifying.rectification == "已更换指示灯"
    assert titles(manager, services.EVENT_RECTIFIED) == [
        f"隐患已整改，请验证：{rectifying.number} 安全出口指示灯不亮"
    ]
    assert [a.role for a in attachments_for(rectifying, role="after")] == ["after"]

    services.hazard_verify(rectifying, by=manager, passed=False, note="二楼那只还不亮")
    assert rectifying.status == Status.RECTIFYING
    assert rectifying.reopen_count == 1 and rectifying.verification_note == "二楼那只还不亮"
    assert rectifying.closed_at is None and rectifying.verified_at is None
    assert titles(teacher, services.EVENT_VERIFY_FAILED) == [
        f"隐患验证未通过，请重新整改：{rectifying.number} 安全出口指示灯不亮"
    ]

    services.hazard_rectify(rectifying, by=teacher, note="二楼也换好了")
    services.hazard_verify(
        rectifying, by=manager, passed=True, note="现场复查合格", photos=[jpeg_upload()]
    )
    rectifying.refresh_from_db()
    assert rectifying.status == Status.CLOSED
    assert rectifying.verified_by == manager and rectifying.closed_at is not None
    assert rectifying.verification_note == "现场复查合格"
    assert [a.role for a in attachments_for(rectifying, role="verify")] == ["verify"]
    assert titles(teacher, services.EVENT_PROGRESS)[-1] == (
        f"隐患已验证销号：{rectifying.number} 安全出口指示灯不亮"
    )
    assert actions(rectifying) == [
        Action.REPORT,
        Action.ASSIGN,
        Action.RECTIFY,
        Action.VERIFY_FAIL,
        Action.RECTIFY,
        Action.VERIFY_PASS,
    ]


def test_the_fixer_cannot_verify(manager, second_manager, teacher, place):
    hazard = report(teacher, place)
    # A manager fixes an unassigned hazard at once, and becomes its owner.
    services.hazard_rectify(hazard, by=manager, note="当场清理了杂物")
    assert hazard.owner == manager and hazard.status == Status.RECTIFIED
    assert (
        refused(services.hazard_verify, hazard, by=manager, passed=True, note="")
        == "整改人不能验证自己的整改，请由其他管理员验证。"
    )
    assert titles(manager, services.EVENT_RECTIFIED) == []
    assert len(titles(second_manager, services.EVENT_RECTIFIED)) == 1
    services.hazard_verify(hazard, by=second_manager, passed=True, note="")
    assert hazard.status == Status.CLOSED


def test_it_refuses_a_rectification_it_cannot_take(
    rectifying, teacher, manager, make_staff, school
):
    stranger = make_staff(school, Position.TEACHER)
    assert (
        refused(services.hazard_rectify, rectifying, by=stranger, note="x")
        == "只有整改责任人或隐患管理员可以登记整改。"
    )
    assert refused(services.hazard_rectify, rectifying, by=teacher, note=" ") == "请写明整改情况。"
    reported = HazardFactory(school=school, owner=teacher)
    assert (
        refused(services.hazard_rectify, reported, by=teacher, note="x")
        == "隐患当前为“待指派”，不能登记整改完成。"
    )
    assert (
        refused(services.hazard_rectify, rectifying, by=teacher, note="x", photos=[exe_upload()])
        is not None
    )
    rectifying.refresh_from_db()
    assert rectifying.status == Status.RECTIFYING  # the bad photo left nothing half-saved


def test_it_refuses_a_verification_it_cannot_take(school, teacher, manager):
    hazard = HazardFactory(school=school, rectified=True)
    assert (
        refused(services.hazard_verify, hazard, by=teacher, passed=True, note="")
        == "只有隐患管理员可以验证销号。"
    )
    assert (
        refused(services.hazard_verify, hazard, by=manager, passed=False, note="  ")
        == "请写明哪里没有整改到位。"
    )
    waiting = HazardFactory(school=school, rectifying=True)
    assert (
        refused(services.hazard_verify, waiting, by=manager, passed=True, note="")
        == "隐患当前为“整改中”，不能验证。"
    )


def test_a_blind_spot_closes_only_once_a_camera_covers_it(school, manager, place):
    hazard = HazardFactory(place=place, source=Source.BLIND_SPOT, rectified=True)
    message = "该场所还没有正常工作的摄像头覆盖，监控盲区不能销号。"
    assert refused(services.hazard_verify, hazard, by=manager, passed=True, note="") == message
    camera = Camera.objects.create(
        school=school, name="走廊东", place=place, status=Camera.CameraStatus.FAULTY
    )
    camera.covers.add(place)
    assert not services.place_is_covered(place)
    assert refused(services.hazard_verify, hazard, by=manager, passed=True, note="") == message
    camera.status = Camera.CameraStatus.WORKING
    camera.save()
    assert services.place_is_covered(place)
    services.hazard_verify(hazard, by=manager, passed=True, note="已加装摄像头")
    assert hazard.status == Status.CLOSED


def test_only_a_working_active_camera_of_the_school_covers_a_place(school, place, manager):
    assert not services.place_is_covered(None)
    elsewhere = place_in(school)
    camera = Camera.objects.create(school=school, name="门口", place=place)
    camera.covers.add(elsewhere)
    assert not services.place_is_covered(place) and services.place_is_covered(elsewhere)
    camera.archive(by=manager.user, reason="拆除")
    assert not services.place_is_covered(elsewhere)


# --- void --------------------------------------------------------------------------------


def test_a_manager_voids_a_duplicate(rectifying, manager, teacher):
    assert (
        refused(services.hazard_void, rectifying, by=teacher, reason="重复")
        == "只有隐患管理员可以作废隐患。"
    )
    assert refused(services.hazard_void, rectifying, by=manager, reason=" ") == "请填写作废原因。"
    services.hazard_void(rectifying, by=manager, reason="重复上报")
    assert rectifying.status == Status.VOID and rectifying.void_reason == "重复上报"
    assert titles(teacher, services.EVENT_PROGRESS) == [
        f"隐患已作废：{rectifying.number} 安全出口指示灯不亮"
    ]
    assert (
        refused(services.hazard_void, rectifying, by=manager, reason="再次")
        == "隐患当前为“已作废”，不能作废。"
    )


# --- what apps.py registers and the factories ---------------------------------------------


def test_the_events_photos_and_scan_purpose_are_registered(rf, teacher, place):
    from houqin.files import registry
    from houqin.notifications.events import all_events
    from houqin.qr.registry import Found, ScanRefused, get_kind, get_purpose

    codes = {event.code: event for event in all_events()}
    assert codes[services.EVENT_OVERDUE].optional is False
    assert {services.EVENT_NEW, services.EVENT_RECTIFIED, services.EVENT_MAJOR} <= set(codes)
    hazard = HazardFactory(place=place)
    assert all(registry.role_allowed(hazard, role) for role in ("found", "after", "verify"))
    assert not registry.role_allowed(hazard, "done")
    purpose = get_purpose("hazard")
    assert purpose.kinds == ("P",) and purpose.perm == "hazards.report"
    request = rf.get("/q/scan/")
    request.user = teacher.user
    found = Found(obj=place, kind=get_kind("P"), token=None, by_token=False)
    assert purpose.url_for(request, found) == f"/hazards/report/?place={place.pk}"
    place.archive(by=None, reason="拆除")
    with pytest.raises(ScanRefused):
        purpose.url_for(request, found)


def test_the_factories_make_consistent_hazards(school):
    for trait in ("rectifying", "rectified", "closed"):
        hazard = HazardFactory(school=school, **{trait: True})
        assert hazard.place.school == school == hazard.reported_by.school == hazard.owner.school
    closed = Hazard.objects.get(status=Status.CLOSED)
    assert closed.verified_by.school == school and closed.rectified_by == closed.owner
    assert HazardFactory(school=school).events.get().action == Action.REPORT
    plan = HazardPlanFactory(hazard__school=school)
    assert plan.hazard.is_major and plan.hazard.school == school
