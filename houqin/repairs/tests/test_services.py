"""The repair services: report, join, dispatch, work, close the loop, costs; every
refusal with its Chinese message."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from houqin.accounts.roles import Position
from houqin.files.models import Attachment
from houqin.files.services import attachments_for
from houqin.files.tests.factories import jpeg_upload, upload
from houqin.notifications.models import Notification
from houqin.org.tests.factories import SchoolClassFactory
from houqin.repairs import access, services
from houqin.repairs.models import Category, RepairEvent, RepairRequest, Status, Urgency
from houqin.repairs.services import RepairError
from houqin.repairs.tests.factories import (
    DispatchRuleFactory,
    RepairRequestFactory,
    VendorFactory,
    place_in,
    worker_in,
)

pytestmark = pytest.mark.django_db

Action = RepairEvent.Action


def at(*parts):
    return timezone.make_aware(datetime(*parts))


MONDAY = at(2026, 3, 9, 9, 0)


@pytest.fixture
def place(school):
    return place_in(school, name="301教室")


@pytest.fixture
def worker(school):
    return worker_in(school, name="刘师傅")


def titles(staff):
    return list(Notification.objects.filter(recipient=staff.user).values_list("title", flat=True))


def last_event(repair):
    return repair.events.order_by("-pk").first()


def actions(repair):
    return list(repair.events.order_by("pk").values_list("action", flat=True))


def new_request(teacher, place=None, **kwargs):
    fields = {
        "by": teacher,
        "place": place,
        "category": Category.DOORS_WINDOWS,
        "urgency": Urgency.NORMAL,
        "description": "前门门锁坏了，关不上",
        "now": MONDAY,
    }
    fields.update(kwargs)
    return services.report(**fields)


def refused(message, func, *args, **kwargs):
    with pytest.raises(RepairError) as error:
        func(*args, **kwargs)
    assert str(error.value) == message
    return error


# --- report ---------------------------------------------------------------------------


def test_it_reports_with_number_deadlines_and_tells_the_manager(school, teacher, manager, place):
    repair = new_request(teacher, place)
    assert repair.number == "BX20260309001"
    assert repair.status == Status.SUBMITTED
    assert repair.reporter == teacher and repair.reported_at == MONDAY
    # Normal: 4 working hours to respond, 16 to complete (two working days).
    assert repair.response_due == at(2026, 3, 9, 14, 30)
    assert repair.completion_due == at(2026, 3, 11, 9, 0)
    assert actions(repair) == [Action.REPORT]
    assert titles(manager) == ["新的报修待派单：BX20260309001 " + place.full_name + "（门窗）"]
    second = new_request(teacher, place, description="窗户玻璃裂了")
    assert second.number == "BX20260309002"


def test_it_attaches_the_report_photos(teacher, place):
    repair = new_request(teacher, place, photos=[jpeg_upload("门锁.jpg"), jpeg_upload("门.jpg")])
    photos = attachments_for(repair, role="report")
    assert [p.original_name for p in photos] == ["门锁.jpg", "门.jpg"]
    assert photos[0].uploaded_by == teacher.user


def test_a_bad_photo_refuses_the_whole_report(teacher, place):
    with pytest.raises(RepairError) as error:
        new_request(teacher, place, photos=[jpeg_upload(), upload("病毒.exe", b"MZ\x90\x00" * 10)])
    assert "病毒.exe" in str(error.value)
    assert not RepairRequest.objects.exists()
    assert not Attachment.objects.exists()


def test_an_oversized_photo_is_refused_in_chinese(teacher, place, settings):
    settings.HOUQIN_UPLOAD_MAX_MB = 0
    with pytest.raises(RepairError) as error:
        new_request(teacher, place, photos=[jpeg_upload("大照片.jpg")])
    assert "超过了单个文件" in str(error.value)
    assert not RepairRequest.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"place": None}, "请选择报修地点。"),
        ({"category": "rocket"}, "请选择维修类别。"),
        ({"urgency": "now"}, "请选择紧急程度。"),
        ({"description": "   "}, "请写一句故障描述。"),
        ({"description": "坏" * 501}, "故障描述最多 500 字。"),
    ],
)
def test_bad_reports_are_refused(teacher, place, change, message):
    refused(message, new_request, teacher, **{"place": place, **change})
    assert not RepairRequest.objects.exists()


def test_a_place_of_another_school_or_archived_is_refused(teacher, place, other_school):
    refused("报修地点不属于本校。", new_request, teacher, place_in(other_school))
    place.archive(by=None, reason="拆除")
    refused("该场所已停用，不能报修。", new_request, teacher, place)


def test_someone_without_the_report_permission_cannot_report(school, make_staff, place):
    officer = make_staff(school)  # no position: no permissions
    refused("你没有报修的权限。", new_request, officer, place)


# --- similar requests and join --------------------------------------------------------


def test_similar_open_requests_come_most_similar_first(school, teacher, place):
    lock = RepairRequestFactory(place=place, description="前门门锁坏了")
    light = RepairRequestFactory(place=place, description="日光灯不亮")
    RepairRequestFactory(place=place, description="前门门锁坏了", status=Status.CLOSED)
    RepairRequestFactory(school=school, description="前门门锁坏了")  # another place
    found = services.similar_open_requests(school, place=place, description="门锁坏了关不上")
    assert found == [lock, light]
    assert found[0].similarity > found[1].similarity
    assert services.similar_open_requests(school, place=place, limit=1) == [light]


def test_join_instead_of_a_duplicate(school, teacher, make_staff, place):
    repair = RepairRequestFactory(place=place, reporter=teacher)
    colleague = make_staff(school, Position.TEACHER, name="李老师")
    services.join(repair, by=colleague, note="我们班也发现了")
    assert list(repair.followers.all()) == [colleague]
    assert actions(repair)[-1] == Action.JOIN
    assert RepairRequest.objects.count() == 1
    assert access.can_view(colleague.user, repair)
    refused("你已经加入了这张报修单。", services.join, repair, by=colleague)
    refused("这是你自己报的修，无需再次报修。", services.join, repair, by=teacher)
    repair.status = Status.CLOSED
    repair.save()
    refused(
        "报修单当前为“已完成”，不能同时报修。",
        services.join,
        repair,
        by=make_staff(school, Position.TEACHER),
    )


def test_join_across_schools_is_refused(place, other_school, make_staff):
    repair = RepairRequestFactory(place=place)
    stranger = make_staff(other_school, Position.TEACHER)
    refused("这不是本校的报修单。", services.join, repair, by=stranger)


# --- dispatch -------------------------------------------------------------------------


def test_a_category_rule_assigns_a_worker_at_once(school, teacher, manager, worker, place):
    DispatchRuleFactory(school=school, category=Category.DOORS_WINDOWS, assignee=worker)
    repair = new_request(teacher, place)
    assert repair.status == Status.ASSIGNED
    assert repair.assignee == worker and repair.assigned_at == MONDAY
    assert actions(repair) == [Action.REPORT, Action.AUTO_ASSIGN]
    assert titles(worker) == [f"新的维修单：{repair.number} {place.full_name}（门窗）"]
    assert titles(manager) == []


def test_the_campus_rule_wins_and_a_vendor_rule_outsources(school, teacher, manager, place):
    campus_worker, school_worker = worker_in(school), worker_in(school)
    DispatchRuleFactory(school=school, category=Category.DOORS_WINDOWS, assignee=school_worker)
    DispatchRuleFactory(
        school=school, category=Category.DOORS_WINDOWS, campus=place.campus, assignee=campus_worker
    )
    assert new_request(teacher, place).assignee == campus_worker

    vendor = VendorFactory(school=school, name="格力空调售后")
    DispatchRuleFactory(school=school, category=Category.AIR_CONDITIONING, vendor=vendor)
    repair = new_request(teacher, place, category=Category.AIR_CONDITIONING)
    assert repair.status == Status.OUTSOURCED and repair.vendor == vendor
    assert repair.assignee is None
    assert titles(manager)[0].startswith("报修已自动派给格力空调售后")


def test_a_rule_whose_worker_left_is_skipped(school, teacher, manager, worker, place):
    DispatchRuleFactory(school=school, category=Category.DOORS_WINDOWS, assignee=worker)
    worker.appointments.get().end()
    repair = new_request(teacher, place)
    assert repair.status == Status.SUBMITTED and repair.assignee is None


def test_the_manager_assigns_and_reassigns(school, teacher, manager, worker, place):
    repair = RepairRequestFactory(place=place, reporter=teacher)
    services.assign(repair, by=manager, assignee=worker, note="今天处理", now=MONDAY)
    assert repair.status == Status.ASSIGNED and repair.assignee == worker
    assert last_event(repair).note == "刘师傅：今天处理"
    other = worker_in(school, name="王师傅")
    services.assign(repair, by=manager, assignee=other)
    repair.refresh_from_db()
    assert repair.assignee == other
    assert titles(worker)[0].startswith("维修单已改派他人")
    vendor = VendorFactory(school=school)
    services.assign(repair, by=manager, vendor=vendor)
    assert repair.status == Status.OUTSOURCED and repair.assignee is None


def test_assign_refusals(school, teacher, manager, worker, place, other_school):
    repair = RepairRequestFactory(place=place, reporter=teacher)
    refused("只有后勤管理员可以派单。", services.assign, repair, by=worker, assignee=worker)
    refused("请选择维修人员或维修单位。", services.assign, repair, by=manager)
    refused("张老师不是本校在岗的维修人员。", services.assign, repair, by=manager, assignee=teacher)
    refused(
        "请选择本校在用的维修单位。",
        services.assign,
        repair,
        by=manager,
        vendor=VendorFactory(school=other_school),
    )
    services.assign(repair, by=manager, assignee=worker)
    refused("这张报修单已派给刘师傅。", services.assign, repair, by=manager, assignee=worker)
    repair.status = Status.CANCELLED
    repair.save()
    refused(
        "报修单当前为“已撤销”，不能派单。", services.assign, repair, by=manager, assignee=worker
    )


# --- the worker's steps ---------------------------------------------------------------


def test_the_whole_flow_is_in_the_history_with_times(school, teacher, manager, worker, place):
    repair = new_request(teacher, place)
    services.assign(repair, by=manager, assignee=worker, now=at(2026, 3, 9, 9, 10))
    services.accept(repair, by=worker, now=at(2026, 3, 9, 9, 20))
    assert titles(teacher) == [f"刘师傅已接单：{repair.number} {place.full_name}"]
    services.start(repair, by=worker, now=at(2026, 3, 9, 9, 30))
    services.wait_for_parts(repair, by=worker, note="需要换锁芯", now=at(2026, 3, 9, 9, 40))
    services.start(repair, by=worker, now=at(2026, 3, 10, 9, 0))
    services.finish(
        repair,
        by=worker,
        note="已更换锁芯",
        photos=[jpeg_upload("修好.jpg")],
        labour_cost="20",
        parts_cost=Decimal("35.5"),
        now=at(2026, 3, 10, 10, 0),
    )
    assert repair.status == Status.DONE
    assert repair.done_at == at(2026, 3, 10, 10, 0) and repair.done_note == "已更换锁芯"
    assert repair.started_at == at(2026, 3, 9, 9, 30)
    assert repair.total_cost == Decimal("55.50")
    assert [a.original_name for a in attachments_for(repair, role="done")] == ["修好.jpg"]
    assert titles(teacher)[0] == f"维修完成，请确认：{repair.number} {place.full_name}"
    services.confirm(repair, by=teacher, rating=5, comment="很及时", now=at(2026, 3, 10, 11, 0))
    assert repair.status == Status.CLOSED and repair.rating == 5
    assert repair.closed_at == at(2026, 3, 10, 11, 0) and not repair.auto_confirmed
    events = list(repair.events.all())
    assert [e.action for e in events] == [
        Action.REPORT,
        Action.ASSIGN,
        Action.ACCEPT,
        Action.START,
        Action.WAIT_PARTS,
        Action.START,
        Action.DONE,
        Action.CONFIRM,
    ]
    assert [e.to_status for e in events][-3:] == [Status.IN_PROGRESS, Status.DONE, Status.CLOSED]
    assert events[2].created_at == at(2026, 3, 9, 9, 20) and events[2].actor == worker.user
    assert events[-1].note == "5 星 很及时"
    saved = RepairRequest.objects.get(pk=repair.pk)
    assert saved.status == Status.CLOSED and saved.parts_cost == Decimal("35.50")


def test_a_worker_may_outsource_to_a_vendor(school, teacher, manager, worker, place):
    repair = RepairRequestFactory(
        place=place, reporter=teacher, assignee=worker, status=Status.ACCEPTED
    )
    vendor = VendorFactory(school=school, name="弱电公司")
    services.outsource(repair, by=worker, vendor=vendor, note="需要专业设备")
    assert repair.status == Status.OUTSOURCED and repair.vendor == vendor
    assert titles(manager) == [f"维修需委外：{repair.number} {place.full_name}"]
    services.finish(repair, by=worker, note="厂家已修好", vendor_cost=300)
    assert repair.status == Status.DONE and repair.vendor_cost == Decimal("300.00")


@pytest.mark.parametrize(
    ("status", "call", "message"),
    [
        (Status.SUBMITTED, "accept", "报修单当前为“待派单”，不能接单。"),
        (Status.ACCEPTED, "accept", "报修单当前为“已接单”，不能接单。"),
        (Status.ASSIGNED, "start", "报修单当前为“待接单”，不能开始维修。"),
        (Status.IN_PROGRESS, "start", "报修单当前为“维修中”，不能开始维修。"),
        (Status.ASSIGNED, "wait_for_parts", "报修单当前为“待接单”，不能登记等待配件。"),
        (Status.OUTSOURCED, "outsource", "报修单当前为“委外维修”，不能委外维修。"),
        (Status.ASSIGNED, "finish", "报修单当前为“待接单”，不能登记维修完成。"),
        (Status.DONE, "finish", "报修单当前为“待确认”，不能登记维修完成。"),
        (Status.IN_PROGRESS, "confirm", "报修单当前为“维修中”，不能确认修好。"),
        (Status.CLOSED, "confirm", "报修单当前为“已完成”，不能确认修好。"),
        (Status.CLOSED, "reopen", "报修单当前为“已完成”，不能返修。"),
        (Status.DONE, "rate", "报修单当前为“待确认”，不能评价。"),
        (Status.CLOSED, "cancel", "报修单当前为“已完成”，不能撤销。"),
        (Status.CANCELLED, "record_costs", "报修单当前为“已撤销”，不能登记费用。"),
    ],
)
def test_every_refused_transition_says_why(
    school, teacher, manager, worker, place, status, call, message
):
    repair = RepairRequestFactory(place=place, reporter=teacher, assignee=worker, status=status)
    worker_calls = {
        "accept": lambda: services.accept(repair, by=worker),
        "start": lambda: services.start(repair, by=worker),
        "wait_for_parts": lambda: services.wait_for_parts(repair, by=worker, note="配件"),
        "outsource": lambda: services.outsource(repair, by=worker, note="委外"),
        "finish": lambda: services.finish(repair, by=worker, note="修好"),
        "confirm": lambda: services.confirm(repair, by=teacher),
        "reopen": lambda: services.reopen(repair, by=teacher, note="没修好"),
        "rate": lambda: services.rate(repair, by=teacher, rating=4),
        "cancel": lambda: services.cancel(repair, by=manager, note="重复"),
        "record_costs": lambda: services.record_costs(
            repair,
            by=manager,
            labour_cost=1,
            parts_cost=0,
            vendor_cost=0,
            damaged_by_students=False,
        ),
    }
    refused(message, worker_calls[call])
    assert RepairRequest.objects.get(pk=repair.pk).status == status
    assert actions(repair) == [Action.REPORT]


def test_who_may_do_what(school, teacher, manager, worker, place, make_staff):
    stranger = make_staff(school, Position.TEACHER, name="路人")
    other_worker = worker_in(school)
    repair = RepairRequestFactory(
        place=place, reporter=teacher, assignee=worker, status=Status.ASSIGNED
    )
    refused("只有被派单的维修人员可以接单。", services.accept, repair, by=other_worker)
    refused("只有被派单的维修人员可以接单。", services.accept, repair, by=manager)
    services.accept(repair, by=worker)
    refused("只有维修人员可以开始维修。", services.start, repair, by=teacher)
    refused(
        "只有维修人员可以登记等待配件。", services.wait_for_parts, repair, by=other_worker, note="x"
    )
    refused(
        "只有维修人员或后勤管理员可以委外维修。", services.outsource, repair, by=teacher, note="x"
    )
    refused("只有维修人员可以登记维修完成。", services.finish, repair, by=stranger, note="x")
    services.finish(repair, by=worker, note="修好了")
    refused("只有报修人可以确认修好。", services.confirm, repair, by=worker)
    refused("只有报修人可以要求返修。", services.reopen, repair, by=stranger, note="x")
    services.confirm(repair, by=teacher)
    refused("只有报修人可以评价。", services.rate, repair, by=manager, rating=3)
    refused(
        "只有维修人员或后勤管理员可以登记费用。",
        services.record_costs,
        repair,
        by=stranger,
        labour_cost=0,
        parts_cost=0,
        vendor_cost=0,
        damaged_by_students=False,
    )


def test_notes_are_required_where_a_reason_is_needed(teacher, manager, worker, place):
    repair = RepairRequestFactory(
        place=place, reporter=teacher, assignee=worker, status=Status.IN_PROGRESS
    )
    refused("请写明需要什么配件。", services.wait_for_parts, repair, by=worker, note=" ")
    refused("请写明委外的原因。", services.outsource, repair, by=worker, note="")
    refused("请写一句维修说明。", services.finish, repair, by=worker, note="")
    refused("请写明撤销的原因。", services.cancel, repair, by=manager, note="")
    repair.status = Status.DONE
    repair.save()
    refused("请写明哪里没有修好。", services.reopen, repair, by=teacher, note="")


# --- close the loop -------------------------------------------------------------------


def test_a_failed_fix_reopens_to_the_same_worker(school, teacher, worker, place):
    repair = RepairRequestFactory(
        place=place, reporter=teacher, done=True, assignee=worker, escalation_level=1
    )
    services.reopen(repair, by=teacher, note="还是关不上", now=MONDAY)
    assert repair.status == Status.ASSIGNED and repair.assignee == worker
    assert repair.reopen_count == 1 and repair.done_at is None and repair.escalation_level == 0
    assert repair.response_due == at(2026, 3, 9, 14, 30)
    assert repair.completion_due == at(2026, 3, 11, 9, 0)
    assert titles(worker) == [f"报修未修好，需返修：{repair.number} {place.full_name}"]
    event = last_event(repair)
    assert (event.action, event.from_status, event.to_status, event.note) == (
        Action.REOPEN,
        Status.DONE,
        Status.ASSIGNED,
        "还是关不上",
    )
    services.accept(repair, by=worker)
    services.finish(repair, by=worker, note="换了整把锁")
    services.confirm(repair, by=teacher, rating=4)
    assert repair.status == Status.CLOSED and repair.reopen_count == 1


def test_a_follower_may_confirm_but_only_the_reporter_rates(school, teacher, make_staff, place):
    colleague = make_staff(school, Position.TEACHER)
    repair = RepairRequestFactory(place=place, reporter=teacher, done=True)
    repair.followers.add(colleague)
    services.confirm(repair, by=colleague, rating=1)
    assert repair.status == Status.CLOSED and repair.rating is None
    services.rate(repair, by=teacher, rating="4", comment="还行")
    assert (repair.rating, repair.rating_comment) == (4, "还行")
    services.rate(repair, by=teacher, rating=5)
    assert RepairRequest.objects.get(pk=repair.pk).rating == 5
    assert actions(repair)[-2:] == [Action.RATE, Action.RATE]


@pytest.mark.parametrize("rating", [0, 6, "五", 4.5, None])
def test_a_rating_is_one_to_five(teacher, place, rating):
    repair = RepairRequestFactory(place=place, reporter=teacher, closed=True)
    refused("评分须为 1 到 5 星。", services.rate, repair, by=teacher, rating=rating)


def test_the_reporter_cancels_before_work_starts_only(school, teacher, manager, worker, place):
    repair = RepairRequestFactory(
        place=place, reporter=teacher, assignee=worker, status=Status.ASSIGNED
    )
    services.cancel(repair, by=teacher, note="自己修好了")
    assert repair.status == Status.CANCELLED
    assert titles(worker) == [f"报修已撤销：{repair.number} {place.full_name}"]
    started = RepairRequestFactory(
        place=place, reporter=teacher, assignee=worker, status=Status.IN_PROGRESS
    )
    refused(
        "维修人员已接单，请联系后勤管理员撤销。", services.cancel, started, by=teacher, note="x"
    )
    refused("只有报修人或后勤管理员可以撤销报修。", services.cancel, started, by=worker, note="x")
    services.cancel(started, by=manager, note="重复报修")
    assert started.status == Status.CANCELLED
    assert f"报修已撤销：{started.number} {place.full_name}" in titles(teacher)


# --- costs and student damage ---------------------------------------------------------


def test_costs_and_student_damage_are_recorded(school, teacher, manager, worker, place):
    klass = SchoolClassFactory(grade__campus=place.campus, name="五(2)中队")
    repair = RepairRequestFactory(
        place=place, reporter=teacher, assignee=worker, status=Status.IN_PROGRESS
    )
    services.finish(
        repair,
        by=worker,
        note="课桌桌腿断了，已更换",
        parts_cost="80",
        damaged_by_students=True,
        responsible_class=klass,
        responsible_person="王小明",
    )
    saved = RepairRequest.objects.get(pk=repair.pk)
    assert saved.damaged_by_students and saved.responsible_class == klass
    assert saved.responsible_person == "王小明"
    assert (
        RepairRequest.objects.filter(responsible_class=klass, damaged_by_students=True).count() == 1
    )
    services.record_costs(
        repair,
        by=manager,
        labour_cost="30",
        parts_cost="75.5",
        vendor_cost=0,
        damaged_by_students=False,
    )
    saved.refresh_from_db()
    assert (saved.labour_cost, saved.parts_cost, saved.total_cost) == (
        Decimal("30.00"),
        Decimal("75.50"),
        Decimal("105.50"),
    )
    assert not saved.damaged_by_students and saved.responsible_class is None
    assert last_event(repair).note == "人工费 30.00 元；材料费 75.50 元；外包费 0.00 元"


def test_cost_and_damage_refusals(school, teacher, manager, worker, place, other_school):
    repair = RepairRequestFactory(
        place=place, reporter=teacher, assignee=worker, status=Status.IN_PROGRESS
    )
    costs = {"labour_cost": 0, "parts_cost": 0, "vendor_cost": 0}
    refused(
        "人工费不能为负数。",
        services.record_costs,
        repair,
        by=manager,
        **{**costs, "labour_cost": "-5"},
        damaged_by_students=False,
    )
    refused(
        "材料费不是有效的金额。",
        services.record_costs,
        repair,
        by=manager,
        **{**costs, "parts_cost": "很多"},
        damaged_by_students=False,
    )
    refused(
        "学生损坏须填写责任班级或责任人。",
        services.record_costs,
        repair,
        by=worker,
        **costs,
        damaged_by_students=True,
    )
    refused(
        "责任班级不属于本校。",
        services.finish,
        repair,
        by=worker,
        note="修好",
        damaged_by_students=True,
        responsible_class=SchoolClassFactory(grade__campus__school=other_school),
    )
    assert RepairRequest.objects.get(pk=repair.pk).status == Status.IN_PROGRESS


# --- who sees what --------------------------------------------------------------------


def test_only_parties_and_managers_see_a_request(
    school, teacher, manager, worker, place, make_staff, other_school
):
    repair = RepairRequestFactory(
        place=place, reporter=teacher, assignee=worker, status=Status.ASSIGNED
    )
    RepairRequestFactory(school=school)  # somebody else's
    principal = make_staff(school, Position.PRINCIPAL)
    stranger = make_staff(school, Position.TEACHER)
    foreign_manager = make_staff(other_school, Position.LOGISTICS_MANAGER)
    for person, count in ((teacher, 1), (worker, 1), (manager, 2), (principal, 2), (stranger, 0)):
        assert access.visible_requests(person.user).count() == count, person
    assert access.can_view(worker.user, repair)
    assert not access.can_view(stranger.user, repair)
    assert not access.can_view(foreign_manager.user, repair)
    assert access.visible_requests(foreign_manager.user).count() == 0


# --- what apps.py registers -----------------------------------------------------------


def test_scanning_a_place_for_repair_opens_the_report_form(rf, teacher, place):
    from houqin.qr.registry import Found, ScanRefused, get_kind, get_purpose

    purpose = get_purpose("repair")
    assert purpose.kinds == ("P", "A") and purpose.perm == "repairs.report"
    request = rf.get("/q/scan/")
    request.user = teacher.user
    found = Found(obj=place, kind=get_kind("P"), token=None, by_token=False)
    assert purpose.url_for(request, found) == f"/repairs/report/?place={place.pk}"
    place.archive(by=None, reason="拆除")
    with pytest.raises(ScanRefused) as error:
        purpose.url_for(request, found)
    assert str(error.value) == "该场所已停用，不能报修。"


def test_photos_follow_who_sees_the_request(school, teacher, manager, worker, place, make_staff):
    from houqin.files import registry

    stranger = make_staff(school, Position.TEACHER)
    repair = RepairRequestFactory(
        place=place, reporter=teacher, assignee=worker, status=Status.ASSIGNED
    )
    assert registry.role_allowed(repair, "report") and registry.role_allowed(repair, "done")
    assert not registry.role_allowed(repair, "other")
    for person in (teacher, worker, manager):
        assert registry.can_view(person.user, repair) and registry.can_add(person.user, repair)
    assert not registry.can_view(stranger.user, repair)
    assert not registry.can_add(stranger.user, repair)
    assert registry.can_remove(manager.user, repair) and not registry.can_remove(
        teacher.user, repair
    )
    repair.status = Status.CLOSED
    assert not registry.can_add(teacher.user, repair)


def test_the_events_are_registered():
    from houqin.notifications.events import all_events

    codes = {event.code for event in all_events()}
    assert {
        services.EVENT_NEW,
        services.EVENT_ASSIGNED,
        services.EVENT_PROGRESS,
        services.EVENT_DONE,
        services.EVENT_OVERDUE,
    } <= codes


def test_the_factories_make_consistent_requests(school):
    for trait in ("assigned", "done", "closed"):
        repair = RepairRequestFactory(school=school, **{trait: True})
        assert repair.place.school == school == repair.reporter.school
        assert access.can_view(repair.assignee.user, repair)
    assert RepairRequestFactory(school=school).events.get().action == Action.REPORT
