"""Which flow a request takes, and who each step goes to."""

from decimal import Decimal

import pytest

from houqin.accounts.models import Appointment
from houqin.accounts.roles import Position
from houqin.approvals import kinds
from houqin.approvals.demo import load
from houqin.approvals.models import ApprovalError, ApproverType, Flow
from houqin.approvals.routing import plan, request_facts, resolve
from houqin.approvals.tests.conftest import TEST_KIND
from houqin.approvals.tests.factories import FlowFactory

T = ApproverType


def _plan(org, requester, kind="leave", **facts):
    return plan(
        school=org.school, kind=kind, facts=request_facts(requester, facts), requester=requester
    )


def _names(step):
    return sorted(person.name for person in step.approvers)


# Rule matching: the demo school's leave flows, at their boundaries


@pytest.fixture
def demo_flows(org):
    load(org.school, {})
    return org


@pytest.mark.parametrize(
    ("days", "flow"),
    [
        ("0.5", "半天以内"),
        ("1", "一天以内"),
        ("1.5", "一至三天"),
        ("3", "一至三天"),
        ("3.5", "三天以上"),
    ],
)
def test_it_picks_the_leave_flow_by_days(demo_flows, days, flow):
    assert _plan(demo_flows, demo_flows.teacher, days=Decimal(days)).flow.name == flow


def test_it_sends_half_a_day_to_the_grade_leader(demo_flows):
    route = _plan(demo_flows, demo_flows.teacher, days=Decimal("0.5"))
    assert [_names(s) for s in route.steps] == [["赵组长"]]


def test_it_sends_a_day_to_the_vice_principal_in_charge(demo_flows):
    route = _plan(demo_flows, demo_flows.teacher, days=Decimal("1"))
    assert [_names(s) for s in route.steps] == [["谢副校长"]]


def test_it_reports_long_leave_to_the_district(demo_flows):
    route = _plan(demo_flows, demo_flows.teacher, days=Decimal("5"))
    assert [(s.label, _names(s), s.notify_only) for s in route.steps] == [
        ("校长审批", ["陈校长"], False),
        ("报区教育局备案", ["郑科长"], True),
    ]


def test_it_sends_a_leaders_leave_to_the_principal(demo_flows):
    route = _plan(demo_flows, demo_flows.vice_principal, days=Decimal("0.5"))
    assert route.flow.name == "校领导请假"
    assert [_names(s) for s in route.steps] == [["陈校长"]]


def test_it_sends_the_principals_own_leave_to_the_district(demo_flows):
    route = _plan(demo_flows, demo_flows.principal, days=Decimal("2"))
    assert route.flow.name == "校领导请假"
    skipped, fallback = route.steps
    assert skipped.skip_reason == "审批人是申请人本人"
    assert fallback.fallback and _names(fallback) == ["郑科长"]


def test_it_refuses_when_no_flow_matches(org, test_kind):
    FlowFactory(school=org.school, kind=TEST_KIND, max_days=Decimal("1"), steps=[T.PRINCIPAL])
    with pytest.raises(ApprovalError, match="没有适用于这个测试事项申请的审批流程"):
        _plan(org, org.teacher, kind=TEST_KIND, days=Decimal("2"))


def test_it_refuses_an_unknown_kind(org):
    with pytest.raises(ApprovalError, match="未知的审批事项"):
        _plan(org, org.teacher, kind="nonsense")


def test_it_ignores_archived_flows_and_other_schools(org, other_school, test_kind, sysadmin):
    archived = FlowFactory(school=org.school, kind=TEST_KIND, priority=1, steps=[T.PRINCIPAL])
    archived.archive(by=sysadmin.user, reason="旧流程")
    FlowFactory(school=other_school, kind=TEST_KIND, priority=1, steps=[T.PRINCIPAL])
    live = FlowFactory(school=org.school, kind=TEST_KIND, priority=5, steps=[T.PRINCIPAL])
    assert _plan(org, org.teacher, kind=TEST_KIND).flow == live


def test_it_tries_flows_by_priority(org, test_kind):
    FlowFactory(school=org.school, kind=TEST_KIND, name="后", priority=20, steps=[T.PRINCIPAL])
    FlowFactory(school=org.school, kind=TEST_KIND, name="先", priority=10, steps=[T.PRINCIPAL])
    assert _plan(org, org.teacher, kind=TEST_KIND).flow.name == "先"


def test_it_matches_amounts_from_low_and_below_high(school):
    flow = Flow(
        school=school, kind=TEST_KIND, min_amount=Decimal("1000"), max_amount=Decimal("10000")
    )
    assert not flow.matches({"amount": "999.99"})
    assert flow.matches({"amount": "1000"})
    assert flow.matches({"amount": "9999.99"})
    assert not flow.matches({"amount": "10000"})
    assert not flow.matches({}), "a condition on a fact the request lacks does not hold"


def test_it_matches_sub_types_and_positions(school):
    flow = Flow(
        school=school, kind="leave", sub_types=["病假"], requester_positions=[Position.TEACHER]
    )
    assert flow.matches({"sub_type": "病假", "positions": [Position.TEACHER]})
    assert not flow.matches({"sub_type": "事假", "positions": [Position.TEACHER]})
    assert not flow.matches({"sub_type": "病假", "positions": [Position.PRINCIPAL]})


def test_it_describes_conditions_in_words(school):
    flow = Flow(
        school=school,
        kind="leave",
        min_days=Decimal("1"),
        max_days=Decimal("3"),
        requester_positions=[Position.PRINCIPAL],
    )
    assert flow.conditions() == ["1 < 天数 ≤ 3", "申请人是校长"]
    assert Flow(school=school, max_amount=Decimal("1000")).conditions() == ["金额 < 1,000.00"]


def test_it_adds_the_requesters_positions_to_the_facts(org):
    facts = request_facts(org.teacher, {"days": Decimal("0.5"), "amount": None})
    assert facts == {"days": "0.5", "positions": [Position.CLASS_TEACHER]}


def test_it_refuses_a_fact_that_is_not_a_number():
    with pytest.raises(ValueError):
        kinds.normalise_facts({"days": "两天"})


# Resolution through the organisation


def _resolve(org, approver_type, requester=None, **kwargs):
    people, reason = resolve(
        approver_type, school=org.school, requester=requester or org.teacher, **kwargs
    )
    return sorted(p.name for p in people), reason


def test_it_finds_the_grade_leader_through_the_class_the_requester_heads(org):
    assert _resolve(org, T.GRADE_LEADER) == (["赵组长"], "")


def test_it_finds_the_grade_leader_through_a_grade_appointment(org, make_staff):
    subject_teacher = make_staff(org.school, name="孙老师")
    Appointment.objects.create(staff=subject_teacher, position=Position.TEACHER, grade=org.grade)
    assert _resolve(org, T.GRADE_LEADER, subject_teacher) == (["赵组长"], "")


def test_it_finds_the_grade_leader_named_on_the_grade(org, make_staff):
    org.grade.leader = make_staff(org.school, name="钱组长")
    org.grade.save()
    assert _resolve(org, T.GRADE_LEADER)[0] == ["赵组长", "钱组长"]


def test_it_says_why_a_teacher_without_a_grade_has_no_grade_leader(org, make_staff):
    loner = make_staff(org.school, Position.TEACHER, name="孤老师")
    assert _resolve(org, T.GRADE_LEADER, loner) == ([], "申请人不属于任何年级")


def test_it_finds_the_department_head_by_appointment_and_by_the_department(org, make_staff):
    org.department.head = make_staff(org.school, name="刘主任")
    org.department.save()
    assert _resolve(org, T.DEPARTMENT_HEAD)[0] == ["刘主任", "王主任"]


def test_it_says_why_there_is_no_department_head(org, make_staff):
    outsider = make_staff(org.school, Position.TEACHER, name="无部门")
    assert _resolve(org, T.DEPARTMENT_HEAD, outsider) == ([], "申请人未设部门")
    member = make_staff(org.school, Position.TEACHER, department=org.other_department)
    assert _resolve(org, T.DEPARTMENT_HEAD, member) == ([], "后勤处未设负责人")


def test_it_finds_the_vice_principal_in_charge_of_the_department(org, make_staff):
    assert _resolve(org, T.VICE_PRINCIPAL_IN_CHARGE) == (["谢副校长"], "")
    outsider = make_staff(org.school, Position.TEACHER, name="无部门")
    assert _resolve(org, T.VICE_PRINCIPAL_IN_CHARGE, outsider)[0] == ["谢副校长", "钱副校长"]


def test_it_finds_the_principal_and_the_district(org):
    assert _resolve(org, T.PRINCIPAL) == (["陈校长"], "")
    assert _resolve(org, T.DISTRICT) == (["郑科长"], "")


def test_it_says_why_there_is_no_district(org):
    org.school.district = None
    org.school.save()
    assert _resolve(org, T.DISTRICT) == ([], "学校未设所属区县")


def test_it_finds_a_positions_holders_in_the_school_only(org, other_school, make_staff):
    make_staff(other_school, Position.LOGISTICS_MANAGER, name="别校后勤")
    assert _resolve(org, T.POSITION, position=Position.LOGISTICS_MANAGER) == (["周静"], "")
    assert _resolve(org, T.POSITION, position=Position.ASSET_CLERK) == (
        [],
        "本校没有在任的资产管理员",
    )


def test_it_ignores_ended_appointments_and_archived_people(org, sysadmin):
    org.principal.appointments.get().end()
    assert _resolve(org, T.PRINCIPAL) == ([], "学校未设校长")
    org.logistics.archive(by=sysadmin.user)
    assert _resolve(org, T.POSITION, position=Position.LOGISTICS_MANAGER)[0] == []


def test_it_finds_a_named_person(org, other_school, make_staff):
    assert _resolve(org, T.PERSON, person=org.logistics) == (["周静"], "")
    stranger = make_staff(other_school, name="外校人")
    assert _resolve(org, T.PERSON, person=stranger) == ([], "外校人已不在本校任职")


def test_it_never_names_the_requester(org):
    assert _resolve(org, T.GRADE_LEADER, org.grade_leader) == ([], "审批人是申请人本人")


# Skips and the fallback


def test_it_skips_a_step_without_anyone_and_the_same_approver_twice(org, test_kind, make_staff):
    loner = make_staff(org.school, Position.TEACHER, name="孤老师")
    FlowFactory(
        school=org.school,
        kind=TEST_KIND,
        steps=[T.GRADE_LEADER, T.PRINCIPAL, T.PRINCIPAL],
    )
    first, second, third = _plan(org, loner, kind=TEST_KIND).steps
    assert first.skipped and first.skip_reason == "申请人不属于任何年级"
    assert _names(second) == ["陈校长"]
    assert third.skipped and third.skip_reason == "与前面步骤的审批人相同"


def test_it_falls_back_to_the_principal_when_every_step_is_skipped(org, test_kind, make_staff):
    loner = make_staff(org.school, Position.TEACHER, name="孤老师")
    FlowFactory(
        school=org.school,
        kind=TEST_KIND,
        steps=[T.GRADE_LEADER, {"approver_type": T.DISTRICT, "notify_only": True}],
    )
    skipped, fallback, notice = _plan(org, loner, kind=TEST_KIND).steps
    assert skipped.skipped
    assert fallback.fallback and _names(fallback) == ["陈校长"]
    assert notice.notify_only and _names(notice) == ["郑科长"]


def test_it_refuses_when_nobody_at_all_can_approve(org, test_kind):
    org.school.district = None
    org.school.save()
    FlowFactory(school=org.school, kind=TEST_KIND, name="只有校长", steps=[T.PRINCIPAL])
    with pytest.raises(ApprovalError, match="找不到能审批这个申请的人"):
        _plan(org, org.principal, kind=TEST_KIND)
