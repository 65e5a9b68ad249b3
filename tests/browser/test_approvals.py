"""Approvals on a phone: the grade leader sees a teacher's request on 我的工作, taps it,
taps 同意, and the teacher finds it approved. A school administrator adds a step to the
leave flow and saves it."""

import pytest
from playwright.sync_api import expect

from houqin.accounts.models import Appointment
from houqin.accounts.roles import Position
from houqin.accounts.tests.factories import StaffFactory
from houqin.approvals import kinds
from houqin.approvals import services as approvals
from houqin.approvals.models import ApprovalRequest, ApproverType, RequestStatus
from houqin.approvals.tests.factories import FlowFactory
from houqin.notifications.models import Notification
from houqin.org.tests.factories import GradeFactory, PlaceFactory, SchoolClassFactory
from tests.browser.helpers import demo_school, person, sign_in, sign_out

pytestmark = pytest.mark.django_db(transaction=True)

KIND = "browser_item"


@pytest.fixture
def school():
    return demo_school()[0]


@pytest.fixture
def browser_kind():
    kinds.register_kind(KIND, "测试申请", facts=(kinds.DAYS, kinds.SUB_TYPE))
    yield
    kinds._kinds.pop(KIND, None)


def test_it_approves_a_request_in_two_taps(phone, school, browser_kind):
    campus = school.campus_set.get()
    grade = GradeFactory(school=school, campus=campus, number=3)
    teacher = person(school, "张老师", "zhangls", Position.TEACHER)
    SchoolClassFactory(school=school, grade=grade, number=1, head_teacher=teacher)
    leader = StaffFactory(school=school, name="赵组长", user__username="zhaozz")
    Appointment.objects.create(staff=leader, position=Position.GRADE_LEADER, grade=grade)
    FlowFactory(school=school, kind=KIND, name="年级审批", steps=[ApproverType.GRADE_LEADER])
    subject = PlaceFactory(school=school, campus=campus, building=None, floor=None)
    approval = approvals.submit(
        subject, kind=KIND, requester=teacher, title="张老师 事假 0.5 天", facts={"days": "0.5"}
    )

    sign_in(phone, "zhaozz", heading="我的工作")
    pending = phone.get_by_test_id("pending")
    pending.get_by_text("审批：张老师 事假 0.5 天").click()  # tap one
    expect(phone.get_by_role("heading", name="张老师 事假 0.5 天")).to_be_visible()
    phone.get_by_test_id("approve").click()  # tap two

    expect(phone.get_by_text("已同意。")).to_be_visible()
    expect(phone.get_by_test_id("request-status")).to_have_text("已同意")
    expect(phone.get_by_test_id("approve")).to_have_count(0)
    approval.refresh_from_db()
    assert approval.status == RequestStatus.APPROVED
    assert Notification.objects.filter(recipient=teacher.user, event="approvals.decided").exists()

    sign_out(phone)
    sign_in(phone, "zhangls", heading="我的工作")
    phone.goto(phone.url_for("/approvals/mine/"))
    mine = phone.get_by_test_id("mine")
    expect(mine.get_by_text("张老师 事假 0.5 天")).to_be_visible()
    expect(mine.get_by_test_id("request-status")).to_have_text("已同意")


def test_it_sends_back_with_a_reason(phone, school, browser_kind):
    teacher = StaffFactory(school=school, name="张老师", positions=[Position.TEACHER])
    StaffFactory(
        school=school, name="陈校长", user__username="chenxz", positions=[Position.PRINCIPAL]
    )
    FlowFactory(school=school, kind=KIND, name="校长审批", steps=[ApproverType.PRINCIPAL])
    subject = PlaceFactory(school=school, campus=school.campus_set.get(), building=None, floor=None)
    approval = approvals.submit(subject, kind=KIND, requester=teacher, title="张老师 病假 2 天")

    sign_in(phone, "chenxz", heading="我的工作")
    phone.goto(phone.url_for(f"/approvals/{approval.pk}/"))
    phone.get_by_test_id("return").click()
    expect(phone.get_by_text("退回时请写明需要修改的地方。")).to_be_visible()
    phone.get_by_label("意见").fill("请补充病假证明")
    phone.get_by_test_id("return").click()
    expect(phone.get_by_test_id("request-status")).to_have_text("已退回")
    expect(phone.get_by_test_id("approval-history")).to_contain_text("请补充病假证明")
    assert ApprovalRequest.objects.get().status == RequestStatus.RETURNED


def test_it_adds_a_step_to_the_leave_flow(phone, school):
    person(school, "系统管理员", "admin", Position.SYSTEM_ADMIN)
    person(school, "周静", "zhoujing", Position.LOGISTICS_MANAGER)
    flow = FlowFactory(
        school=school,
        kind="leave",
        name="一天以内",
        max_days="1",
        steps=[ApproverType.VICE_PRINCIPAL_IN_CHARGE],
    )

    sign_in(phone, "admin", heading="我的工作")
    phone.goto(phone.url_for("/approvals/flows/"))
    phone.get_by_test_id("kind-leave").get_by_text("一天以内").click()
    phone.get_by_test_id("flow-edit").click()
    # The editor's script adds the row in place; wait until it has run, so the tap on
    # 添加步骤 is not the no-JavaScript submit that reloads the page.
    phone.wait_for_url(f"**/approvals/flows/{flow.pk}/edit/")
    phone.wait_for_load_state("load")

    phone.get_by_test_id("add-step").click()
    rows = phone.get_by_test_id("steps-editor").get_by_test_id("step-row")
    expect(rows).to_have_count(2)  # the template's row is not shown
    added = rows.nth(1)
    added.locator("select[name$='-approver_type']").select_option("person")
    picker = added.get_by_test_id("picker-steps-1-person")
    expect(picker).to_be_visible()
    picker.fill("zj")
    added.get_by_role("button", name="周静").click()
    added.locator("input[name$='-label']").fill("后勤知会")
    added.get_by_label("仅知会").check()
    added.get_by_role("button", name="上移").click()  # the notice first, then the approval
    phone.get_by_test_id("flow-save").click()

    expect(phone.get_by_text("已保存审批流程“一天以内”。")).to_be_visible()
    steps = phone.get_by_test_id("flow-steps")
    expect(steps).to_contain_text("后勤知会")
    assert [
        (s.order, s.approver_type, s.person_id is not None, s.notify_only) for s in flow.steps.all()
    ] == [
        (1, ApproverType.PERSON, True, True),
        (2, ApproverType.VICE_PRINCIPAL_IN_CHARGE, False, False),
    ]
