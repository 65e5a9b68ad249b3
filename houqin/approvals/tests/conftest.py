"""An organisation to route requests through, a kind of request whose subject is a
Place, and a recorder in place of notify()."""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from houqin.accounts.models import Appointment
from houqin.accounts.roles import Position
from houqin.approvals import kinds
from houqin.approvals import services as approvals
from houqin.approvals.models import ApproverType
from houqin.approvals.tests.factories import FlowFactory
from houqin.org.tests.factories import (
    DepartmentFactory,
    DistrictFactory,
    GradeFactory,
    PlaceFactory,
    SchoolClassFactory,
)

TEST_KIND = "test_item"


@pytest.fixture(autouse=True)
def notified(monkeypatch):
    """Every notify() call, recorded on its way through: dicts of its arguments with the
    recipients under "recipients"."""
    calls = []
    real_notify = approvals.notify

    def record(recipients, **kwargs):
        calls.append({"recipients": list(recipients), **kwargs})
        return real_notify(recipients, **kwargs)

    monkeypatch.setattr(approvals, "notify", record)
    return calls


@pytest.fixture
def test_kind():
    """A kind of request on a Place, with every fact; its callback records each call."""
    decided = []
    kinds.register_kind(
        TEST_KIND,
        "测试事项",
        facts=(kinds.DAYS, kinds.AMOUNT, kinds.SUB_TYPE),
        on_decided=lambda request: decided.append((request.pk, request.status)),
    )
    yield decided
    kinds._kinds.pop(TEST_KIND, None)


@dataclass
class Org:
    school: object
    department: object
    other_department: object
    grade: object
    school_class: object
    principal: object
    vice_principal: object  # in charge of ``department``
    other_vice_principal: object  # in charge of ``other_department``
    department_head: object
    grade_leader: object
    teacher: object  # class teacher of ``school_class``, in ``department``
    logistics: object
    district_officer: object


@pytest.fixture
def org(school, make_staff):
    """A school with a district, two departments, a grade with a class, and a person in
    each position the flows name."""
    district = DistrictFactory(name="测试区")
    school.district = district
    school.save()
    campus = school.campus_set.get()
    department = DepartmentFactory(school=school, name="教务处", code="JW")
    other_department = DepartmentFactory(school=school, name="后勤处", code="HQ")
    grade = GradeFactory(school=school, campus=campus, number=3)
    school_class = SchoolClassFactory(school=school, grade=grade, number=1)

    principal = make_staff(school, Position.PRINCIPAL, name="陈校长")
    vice_principal = make_staff(school, name="谢副校长")
    Appointment.objects.create(
        staff=vice_principal, position=Position.VICE_PRINCIPAL, department=department
    )
    other_vice_principal = make_staff(school, name="钱副校长")
    Appointment.objects.create(
        staff=other_vice_principal, position=Position.VICE_PRINCIPAL, department=other_department
    )
    department_head = make_staff(school, name="王主任", department=department)
    Appointment.objects.create(
        staff=department_head, position=Position.DEPARTMENT_HEAD, department=department
    )
    grade_leader = make_staff(school, name="赵组长", department=department)
    Appointment.objects.create(staff=grade_leader, position=Position.GRADE_LEADER, grade=grade)
    teacher = make_staff(school, Position.CLASS_TEACHER, name="张老师", department=department)
    school_class.head_teacher = teacher
    school_class.save()
    logistics = make_staff(school, Position.LOGISTICS_MANAGER, name="周静")
    district_officer = make_staff(None, Position.DISTRICT_OFFICER, name="郑科长", district=district)
    return Org(
        school=school,
        department=department,
        other_department=other_department,
        grade=grade,
        school_class=school_class,
        principal=principal,
        vice_principal=vice_principal,
        other_vice_principal=other_vice_principal,
        department_head=department_head,
        grade_leader=grade_leader,
        teacher=teacher,
        logistics=logistics,
        district_officer=district_officer,
    )


@pytest.fixture
def subject(school):
    """Something to approve: a place of the school."""
    return PlaceFactory(school=school, campus=school.campus_set.get(), building=None, floor=None)


@pytest.fixture
def two_step_flow(org, test_kind):
    """Grade leader, then the principal, then a notify-only step for the district."""
    return FlowFactory(
        school=org.school,
        kind=TEST_KIND,
        name="两级审批",
        steps=[
            ApproverType.GRADE_LEADER,
            ApproverType.PRINCIPAL,
            {"approver_type": ApproverType.DISTRICT, "notify_only": True, "label": "报区备案"},
        ],
    )


@pytest.fixture
def submitted(org, subject, two_step_flow):
    """The teacher's request, waiting for the grade leader."""
    return approvals.submit(
        subject,
        kind=TEST_KIND,
        requester=org.teacher,
        title="张老师 病假 2 天",
        facts={"days": Decimal("2"), "sub_type": "病假"},
    )
