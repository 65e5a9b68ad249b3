"""Leave on a phone, end to end (issue 7's "done when"): a teacher applies for two days
over the Spring Festival with its swapped working day (the count is right), the grade
leader and the principal approve it from 我的工作, the principal arranges a stand-in
class teacher on the office page, she reports back a
day late and the overrun is flagged; a going-out slip is approved, scanned out at the gate
(manual entry of the slip's code on the scan page) and back in from the gate list."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from houqin.accounts.models import Appointment
from houqin.accounts.roles import Position
from houqin.accounts.tests.factories import StaffFactory
from houqin.approvals.models import ApproverType
from houqin.approvals.tests.factories import FlowFactory
from houqin.leave.models import Absence, Cover, GoingOutSlip, LeaveRequest, LeaveStatus, SlipStatus
from houqin.leave.tests.factories import LeaveTypeFactory
from houqin.org.tests.factories import GradeFactory, SchoolClassFactory
from tests.browser.helpers import demo_school, person, sign_in, sign_out

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people():
    school, campus = demo_school()
    grade = GradeFactory(school=school, campus=campus, number=3)
    teacher = person(school, "张老师", "zhangls", Position.TEACHER)
    SchoolClassFactory(school=school, grade=grade, number=2, head_teacher=teacher)
    leader = StaffFactory(school=school, name="赵组长", user__username="zhaozz")
    Appointment.objects.create(staff=leader, position=Position.GRADE_LEADER, grade=grade)
    principal = person(school, "陈校长", "chenxz", Position.PRINCIPAL)
    person(school, "门卫老李", "security", Position.SECURITY_STAFF)
    colleague = person(school, "王老师", "wangls", Position.TEACHER)
    FlowFactory(
        school=school,
        kind="leave",
        name="请假审批",
        steps=[ApproverType.GRADE_LEADER, ApproverType.PRINCIPAL],
    )
    FlowFactory(school=school, kind="going_out", name="出门审批", steps=[ApproverType.GRADE_LEADER])
    LeaveTypeFactory(school=school, code="personal", name="事假", order=1)
    LeaveTypeFactory(school=school, sick=True, order=2)
    return {
        "school": school,
        "teacher": teacher,
        "principal": principal,
        "colleague": colleague,
    }


def _approve_from_my_work(phone, username, title_part):
    sign_in(phone, username, heading="我的工作")
    phone.get_by_test_id("pending").get_by_text(title_part).first.click()
    phone.get_by_test_id("approve").click()
    expect(phone.get_by_text("已同意。")).to_be_visible()
    sign_out(phone)


def test_it_applies_approves_covers_and_reports_back_late(phone, people, console_errors):
    teacher = people["teacher"]
    sign_in(phone, "zhangls", heading="我的工作")
    phone.goto(phone.url_for("/leave/"))
    phone.get_by_test_id("leave-new").click()
    form = phone.get_by_test_id("leave-form")
    form.get_by_label("类型").select_option(label="事假")
    # Sat Feb 14 2026 is a swapped working day, Feb 15–23 the Spring Festival: two days.
    form.get_by_label("开始日期").fill("2026-02-14")
    form.get_by_label("结束日期").fill("2026-02-24")
    form.get_by_label("结束日期").dispatch_event("change")
    expect(phone.get_by_test_id("count-days")).to_have_text("2")
    expect(phone.get_by_test_id("count-explanation")).to_contain_text("调休上班，计入")
    form.get_by_label("事由").fill("回老家处理家事")
    phone.get_by_test_id("leave-submit").click()

    expect(phone.get_by_test_id("leave-status")).to_have_text("审批中")
    expect(phone.get_by_test_id("leave-days")).to_contain_text("2 个工作日")
    leave = LeaveRequest.objects.get(staff=teacher)
    sign_out(phone)

    # The chain: the grade leader, then the principal, each from 我的工作.
    _approve_from_my_work(phone, "zhaozz", "张老师")
    _approve_from_my_work(phone, "chenxz", "张老师")
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.APPROVED

    # The principal arranges cover on the office page: 王老师 stands in as class teacher.
    sign_in(phone, "chenxz", heading="我的工作")
    phone.goto(phone.url_for(f"/leave/office/cover/{leave.pk}/"))
    form = phone.get_by_test_id("cover-form")
    form.get_by_label("方式").select_option(label="代班主任")
    picker = form.get_by_test_id("picker-covered_by")
    picker.fill("wls")
    form.get_by_role("button", name="王老师").click()
    form.get_by_label("整个请假期间每个工作日都由此人代班主任").check()
    phone.get_by_test_id("cover-save").click()
    expect(phone.get_by_test_id("cover-days")).to_contain_text("王老师")
    assert Cover.objects.filter(leave=leave, covered_by=people["colleague"]).count() == 2
    sign_out(phone)

    # She comes back on Thu Feb 26 morning, a working day late (Wed Feb 25).
    sign_in(phone, "zhangls", heading="我的工作")
    phone.goto(phone.url_for(f"/leave/{leave.pk}/"))
    expect(phone.get_by_test_id("leave-status")).to_have_text("已批准")
    expect(phone.get_by_test_id("covers")).to_contain_text("王老师")
    report = phone.get_by_test_id("report-back")
    report.get_by_label("返岗日期").fill("2026-02-26")
    report.get_by_label("返岗时段").select_option(label="上午")
    phone.get_by_test_id("report-back-submit").click()

    expect(phone.get_by_test_id("leave-status")).to_have_text("已销假")
    expect(phone.get_by_test_id("overrun")).to_have_text("超假 1 天")
    expect(phone.get_by_test_id("absences")).to_contain_text("超假")
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.ENDED
    absence = Absence.objects.get(leave=leave)
    assert absence.kind == Absence.Kind.OVERRUN
    assert console_errors == []


def test_it_scans_a_going_out_slip_out_and_back(phone, people, console_errors):
    now = timezone.localtime().replace(second=0, microsecond=0)
    if now.hour >= 22:  # a slip is for one day
        pytest.skip("too close to midnight for a same-day slip")
    out = now + timedelta(minutes=5)
    back = now + timedelta(hours=1)

    sign_in(phone, "zhangls", heading="我的工作")
    phone.goto(phone.url_for("/leave/"))
    phone.get_by_test_id("slip-new").click()
    form = phone.get_by_test_id("slip-form")
    form.get_by_label("去向").fill("区教育局")
    form.get_by_label("事由").fill("送教学材料")
    form.get_by_label("计划出校").fill(out.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("计划返校").fill(back.strftime("%Y-%m-%dT%H:%M"))
    phone.get_by_test_id("slip-submit").click()
    expect(phone.get_by_test_id("slip-waiting")).to_be_visible()
    slip = GoingOutSlip.objects.get()
    sign_out(phone)

    _approve_from_my_work(phone, "zhaozz", "张老师")

    sign_in(phone, "zhangls", heading="我的工作")
    phone.goto(phone.url_for(f"/leave/slips/{slip.pk}/"))
    expect(phone.get_by_test_id("slip-status")).to_have_text("已批准")
    expect(phone.get_by_test_id("slip-qr").locator("svg")).to_be_visible()
    code = phone.get_by_test_id("slip-code").inner_text().strip()
    assert code
    sign_out(phone)

    # The guard scans: the camera is not available here, so the slip's code is typed.
    sign_in(phone, "security", heading="我的工作")
    phone.goto(phone.url_for("/leave/gate/"))
    expect(phone.get_by_test_id("gate-waiting")).to_contain_text("张老师")
    phone.get_by_test_id("gate-scan").click()
    manual = phone.get_by_test_id("manual-entry")
    manual.get_by_label("标签上的编码").fill(code)
    manual.get_by_test_id("manual-submit").click()
    expect(phone.get_by_role("heading", name="张老师")).to_be_visible()
    phone.get_by_test_id("gate-out-submit").click()
    expect(phone.get_by_text("已登记出校：张老师。")).to_be_visible()
    slip.refresh_from_db()
    assert slip.status == SlipStatus.OUT

    # Back in: from the gate list.
    phone.get_by_test_id("gate-out").get_by_test_id("gate-item").click()
    phone.get_by_test_id("gate-back-submit").click()
    expect(phone.get_by_text("已登记返校：张老师。")).to_be_visible()
    expect(phone.get_by_test_id("gate-back")).to_contain_text("张老师")
    slip.refresh_from_db()
    assert slip.status == SlipStatus.BACK
    assert slip.out_at and slip.back_at
    assert console_errors == []
