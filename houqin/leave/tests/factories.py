"""Factories for leave tests.

``LeaveTypeFactory(school=school)`` makes a 事假-like type counted in working days;
``LeaveTypeFactory(school=school, calendar=True)`` counts calendar days (产假);
``LeaveTypeFactory(school=school, sick=True)`` is 病假 needing proof beyond 2 days.

``LeaveRequestFactory(school=school)`` makes a pending one-day request of a new teacher;
``LeaveRequestFactory(staff=teacher, start_date=d, end_date=d2, days=Decimal("2"))``
uses yours. ``approved=True`` / ``ended=True`` set the status. Rows are written directly
(no approval request, no notifications): use ``houqin.leave.services`` for the flow.

``GoingOutSlipFactory(school=school)`` makes a pending slip for today 14:00–16:00;
``approved=True``, ``out=True`` (left at 14:05), ``back=True`` set the state.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from houqin.accounts.models import Appointment
from houqin.accounts.roles import Position
from houqin.accounts.tests.factories import StaffFactory
from houqin.leave.models import (
    GoingOutSlip,
    HalfDay,
    LeaveRequest,
    LeaveStatus,
    LeaveType,
    MaternityRule,
    SlipStatus,
)
from houqin.org.tests.factories import SchoolFactory


def teacher_in(school, **fields):
    return StaffFactory(school=school, positions=[Position.TEACHER], **fields)


class LeaveTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeaveType

    class Params:
        calendar = factory.Trait(
            code="maternity", name="产假", counting=LeaveType.Counting.CALENDAR
        )
        sick = factory.Trait(code="sick", name="病假", proof_after_days=Decimal("2"))

    school = factory.SubFactory(SchoolFactory)
    code = factory.Sequence(lambda n: f"personal{n}")
    name = "事假"
    counting = LeaveType.Counting.WORKDAYS


class MaternityRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MaternityRule
        django_get_or_create = ("province",)

    province = "浙江"
    province_extra_days = 60


def _next_monday():
    today = timezone.localdate()
    return today + timedelta(days=7 - today.weekday())


class LeaveRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeaveRequest

    class Params:
        approved = factory.Trait(status=LeaveStatus.APPROVED)
        ended = factory.Trait(
            status=LeaveStatus.ENDED,
            returned_on=factory.SelfAttribute("end_date"),
            returned_part=HalfDay.FULL,
            returned_at=factory.LazyFunction(timezone.now),
        )

    school = factory.SubFactory(SchoolFactory)
    staff = factory.LazyAttribute(lambda o: teacher_in(o.school))
    leave_type = factory.LazyAttribute(lambda o: LeaveTypeFactory(school=o.school))
    start_date = factory.LazyFunction(_next_monday)
    end_date = factory.SelfAttribute("start_date")
    start_part = HalfDay.FULL
    end_part = HalfDay.FULL
    days = Decimal("1")
    reason = factory.Sequence(lambda n: f"家中有事{n}")
    status = LeaveStatus.PENDING

    @classmethod
    def _generate(cls, strategy, params):
        # ``staff=`` alone: the request belongs to that person's school.
        if params.get("staff") is not None and "school" not in params:
            params = {**params, "school": params["staff"].school}
        return super()._generate(strategy, params)


def _today_at(hour, minute=0):
    return timezone.make_aware(datetime.combine(timezone.localdate(), time(hour, minute)))


class GoingOutSlipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GoingOutSlip

    class Params:
        approved = factory.Trait(status=SlipStatus.APPROVED)
        out = factory.Trait(
            status=SlipStatus.OUT,
            out_at=factory.LazyAttribute(lambda o: o.planned_out + timedelta(minutes=5)),
        )
        back = factory.Trait(
            status=SlipStatus.BACK,
            out_at=factory.LazyAttribute(lambda o: o.planned_out + timedelta(minutes=5)),
            back_at=factory.LazyAttribute(lambda o: o.planned_back - timedelta(minutes=5)),
        )

    school = factory.SubFactory(SchoolFactory)
    staff = factory.LazyAttribute(lambda o: teacher_in(o.school))
    destination = "区教育局"
    reason = factory.Sequence(lambda n: f"送材料{n}")
    planned_out = factory.LazyFunction(lambda: _today_at(14))
    planned_back = factory.LazyAttribute(lambda o: o.planned_out + timedelta(hours=2))
    status = SlipStatus.PENDING

    @classmethod
    def _generate(cls, strategy, params):
        if params.get("staff") is not None and "school" not in params:
            params = {**params, "school": params["staff"].school}
        return super()._generate(strategy, params)


@dataclass
class LeaveOrg:
    """A school set up for leave: people, a department, the demo's leave flows (≤ 1 day
    the vice principal, longer the principal) and a going-out flow (department head)."""

    school: object
    department: object
    principal: object
    vice_principal: object
    head: object
    teacher: object
    guard: object
    manager: object


def leave_org(school) -> LeaveOrg:
    """``leave_org(school)``: people and approval flows for leave tests."""
    from houqin.approvals.models import ApproverType
    from houqin.approvals.tests.factories import FlowFactory
    from houqin.org.tests.factories import DepartmentFactory

    department = DepartmentFactory(school=school, name="语文组")

    def person(position, name, **fields):
        return StaffFactory(school=school, positions=[position], name=name, **fields)

    org = LeaveOrg(
        school=school,
        department=department,
        principal=person(Position.PRINCIPAL, "王校长"),
        vice_principal=person(Position.VICE_PRINCIPAL, "李副校长"),
        head=person(Position.DEPARTMENT_HEAD, "赵组长", department=department),
        teacher=person(Position.TEACHER, "陈老师", department=department),
        guard=person(Position.SECURITY_STAFF, "门卫老刘"),
        manager=person(Position.LOGISTICS_MANAGER, "后勤周静"),
    )
    Appointment.objects.filter(staff=org.head).update(department=department)
    FlowFactory(
        school=school,
        kind="leave",
        name="一天以内",
        priority=10,
        max_days=Decimal("1"),
        steps=[ApproverType.VICE_PRINCIPAL_IN_CHARGE],
    )
    FlowFactory(
        school=school,
        kind="leave",
        name="一天以上",
        priority=20,
        min_days=Decimal("1"),
        steps=[ApproverType.PRINCIPAL],
    )
    FlowFactory(
        school=school,
        kind="going_out",
        name="外出",
        priority=10,
        steps=[ApproverType.DEPARTMENT_HEAD],
    )
    return org
