"""The demo school's leave: types, maternity rules, and requests and slips in every state,
made once."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.db.models import F
from django.utils import timezone
from freezegun import freeze_time

from houqin.accounts.roles import Position
from houqin.approvals import demo as approvals_demo
from houqin.approvals.models import RequestStep
from houqin.leave import demo
from houqin.leave.models import (
    Absence,
    Cover,
    GoingOutSlip,
    LeaveRequest,
    LeaveStatus,
    LeaveType,
    MaternityRule,
    SlipStatus,
)
from houqin.org.models import Campus, SchoolSetting
from houqin.org.tests.factories import DepartmentFactory, SchoolClassFactory

NOW = datetime(2026, 10, 14, 10, 0)  # a Wednesday


@pytest.fixture
def demo_staff(school, make_staff):
    office = DepartmentFactory(school=school, name="综合管理中心", code="ZHGL")
    staff = {
        "chenliqun": make_staff(school, Position.PRINCIPAL, name="陈立群", staff_no="SZ0001"),
        "xiefeng": make_staff(
            school,
            Position.VICE_PRINCIPAL,
            Position.DEPARTMENT_HEAD,
            name="谢丰",
            staff_no="SZ0002",
            department=office,
        ),
        "zhoujing": make_staff(school, Position.LOGISTICS_MANAGER, name="周静", staff_no="SZ0003"),
        "liuwei": make_staff(
            school, Position.DUTY_ADMIN, name="刘伟", staff_no="SZ0005", department=office
        ),
        "wangjiajia": make_staff(school, Position.TEACHER, name="王佳佳", staff_no="SZ0006"),
        "guard": make_staff(school, Position.SECURITY_STAFF, name="门卫", staff_no="SZ0310"),
    }
    campus = Campus.objects.get(school=school)
    leader = make_staff(school, Position.GRADE_LEADER, Position.TEACHER, name="年级组长")
    head = make_staff(
        school, Position.CLASS_TEACHER, Position.TEACHER, name="班主任", staff_no="SZ0102"
    )
    SchoolClassFactory(
        school=school,
        grade__school=school,
        grade__campus=campus,
        grade__leader=leader,
        head_teacher=head,
    )
    for n in range(8):
        make_staff(school, Position.TEACHER, name=f"老师{n}", staff_no=f"SZ02{n:02d}")
    approvals_demo.load(school, staff)
    return staff


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (LeaveType, MaternityRule, LeaveRequest, Cover, Absence, GoingOutSlip)
    }


def test_it_loads_leave_in_every_state_once(school, demo_staff):
    with freeze_time(timezone.make_aware(NOW)):
        demo.load(school, demo_staff)
        first = _counts()
        demo.load(school, demo_staff)
    assert _counts() == first
    names = list(LeaveType.objects.filter(school=school).values_list("name", flat=True))
    assert names == ["事假", "病假", "婚假", "丧假", "产假", "陪产假", "公假", "哺乳假"]
    assert LeaveType.objects.get(school=school, name="病假").proof_after_days == 2
    assert LeaveType.objects.get(school=school, name="产假").counting == "calendar"
    assert MaternityRule.objects.get(province="广东").province_extra_days == 80
    assert SchoolSetting.objects.get(school=school, key="leave.province").value == "浙江"

    statuses = set(LeaveRequest.objects.values_list("status", flat=True))
    assert {
        LeaveStatus.PENDING,
        LeaveStatus.APPROVED,
        LeaveStatus.REJECTED,
        LeaveStatus.ENDED,
    } <= statuses
    late = LeaveRequest.objects.get(reason="家中老人住院陪护")
    assert late.status == LeaveStatus.ENDED and late.overrun_days == Decimal(1)
    assert Absence.objects.filter(kind=Absence.Kind.OVERRUN, leave=late).exists()
    assert Absence.objects.filter(kind=Absence.Kind.UNAPPROVED).count() == 1
    sick = LeaveRequest.objects.get(reason="孩子发烧，需在家照看")
    assert sick.staff.name == "班主任" and sick.status == LeaveStatus.APPROVED
    assert sick.covers.filter(kind=Cover.Kind.CLASS_TEACHER).count() == 2
    assert set(GoingOutSlip.objects.values_list("status", flat=True)) == {
        SlipStatus.BACK,
        SlipStatus.OUT,
        SlipStatus.PENDING,
    }
    # Nobody approved their own request.
    assert RequestStep.objects.filter(acted_by__isnull=False).exists()
    assert not RequestStep.objects.filter(acted_by=F("request__requester")).exists()


def test_it_loads_into_a_school_without_people(school):
    demo.load(school, {})
    assert LeaveType.objects.filter(school=school).count() == 8
    assert not LeaveRequest.objects.exists()
