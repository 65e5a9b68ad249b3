"""The workflow: submit, approve, reject, send back, resubmit, withdraw; delegation; the
history that is never changed; the subject told the outcome once."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from houqin.approvals import services as approvals
from houqin.approvals.models import (
    ActionType,
    ApprovalAction,
    ApprovalError,
    ApproverType,
    RequestStatus,
    StepStatus,
)
from houqin.approvals.tests.conftest import TEST_KIND
from houqin.approvals.tests.factories import DelegationFactory, FlowFactory


def _actions(approval):
    return [(a.action, a.actor.name if a.actor else None) for a in approval.actions.all()]


def test_it_submits_to_the_first_approver_and_tells_them(submitted, org, notified):
    assert submitted.status == RequestStatus.PENDING
    assert submitted.flow.name == "两级审批"
    assert submitted.facts == {"days": "2", "sub_type": "病假", "positions": ["class_teacher"]}
    step = submitted.current_step
    assert step.label == "申请人的年级组长"
    assert list(step.approvers.all()) == [org.grade_leader]
    assert [s.status for s in submitted.steps.all()] == [
        StepStatus.PENDING,
        StepStatus.WAITING,
        StepStatus.WAITING,
    ]
    assert _actions(submitted) == [(ActionType.SUBMIT, "张老师")]
    [call] = notified
    assert call["event"] == "approvals.pending"
    assert call["recipients"] == [org.grade_leader]
    assert call["url"] == f"/approvals/{submitted.pk}/"
    assert call["school"] == org.school
    assert "张老师" in call["title"]


def test_it_runs_the_flow_to_the_end(submitted, org, notified, test_kind):
    approvals.approve(submitted, by=org.grade_leader, comment="同意")
    submitted.refresh_from_db()
    assert submitted.status == RequestStatus.PENDING
    assert list(submitted.current_step.approvers.all()) == [org.principal]
    assert test_kind == []

    approvals.approve(submitted, by=org.principal)
    submitted.refresh_from_db()
    assert submitted.status == RequestStatus.APPROVED
    assert submitted.decided_at is not None
    assert submitted.current_step is None
    assert [s.status for s in submitted.steps.all()] == [
        StepStatus.APPROVED,
        StepStatus.APPROVED,
        StepStatus.NOTIFIED,
    ]
    assert _actions(submitted) == [
        (ActionType.SUBMIT, "张老师"),
        (ActionType.APPROVE, "赵组长"),
        (ActionType.APPROVE, "陈校长"),
        (ActionType.NOTIFY, None),
    ]
    last_approval = submitted.actions.get(actor=org.principal)
    assert (last_approval.from_status, last_approval.to_status) == ("pending", "approved")
    assert test_kind == [(submitted.pk, RequestStatus.APPROVED)], "the subject is told once"
    assert [(c["event"], [p.name for p in c["recipients"]]) for c in notified] == [
        ("approvals.pending", ["赵组长"]),
        ("approvals.pending", ["陈校长"]),
        ("approvals.copied", ["郑科长"]),
        ("approvals.decided", ["张老师"]),
    ]


def test_it_calls_the_subjects_method_when_the_kind_has_no_callback(
    org, subject, test_kind, monkeypatch
):
    from houqin.approvals import kinds
    from houqin.org.models import Place

    kinds.register_kind(TEST_KIND, "测试事项")
    told = []
    monkeypatch.setattr(
        Place,
        "on_approval_decided",
        lambda place, request: told.append((place.pk, request.status)),
        raising=False,
    )
    FlowFactory(school=org.school, kind=TEST_KIND, steps=[ApproverType.PRINCIPAL])
    approval = approvals.submit(subject, kind=TEST_KIND, requester=org.teacher, title="测试")
    approvals.approve(approval, by=org.principal)
    assert told == [(subject.pk, RequestStatus.APPROVED)]
    assert approvals.latest_for(subject).status == RequestStatus.APPROVED


def test_it_records_who_skipped_and_why(org, subject, test_kind, make_staff):
    from houqin.accounts.roles import Position

    loner = make_staff(org.school, Position.TEACHER, name="孤老师")
    FlowFactory(
        school=org.school,
        kind=TEST_KIND,
        steps=[ApproverType.GRADE_LEADER, ApproverType.PRINCIPAL],
    )
    approval = approvals.submit(subject, kind=TEST_KIND, requester=loner, title="测试")
    skip = approval.actions.get(action=ActionType.SKIP)
    assert skip.actor is None
    assert skip.comment == "申请人不属于任何年级"
    assert list(approval.current_step.approvers.all()) == [org.principal]


def test_it_refuses_a_second_open_request_for_the_same_subject(submitted, org, subject):
    with pytest.raises(ApprovalError, match="已有审批在进行中"):
        approvals.submit(subject, kind=TEST_KIND, requester=org.teacher, title="再来")


def test_it_refuses_a_subject_of_another_school(org, other_school, two_step_flow):
    from houqin.org.tests.factories import PlaceFactory

    theirs = PlaceFactory(school=other_school, campus=other_school.campus_set.get())
    with pytest.raises(ApprovalError, match="不属于申请人的学校"):
        approvals.submit(theirs, kind=TEST_KIND, requester=org.teacher, title="越界")


# Refused transitions


def test_it_refuses_someone_who_is_not_the_approver(submitted, org):
    with pytest.raises(ApprovalError, match="您不是这一步的审批人"):
        approvals.approve(submitted, by=org.principal)
    assert submitted.actions.count() == 1


def test_it_refuses_the_requester_deciding_their_own_request(submitted, org):
    with pytest.raises(ApprovalError, match="不能审批自己提交的申请"):
        approvals.approve(submitted, by=org.teacher)


def test_it_refuses_a_decision_on_a_decided_request(submitted, org):
    approvals.reject(submitted, by=org.grade_leader, comment="人手不够")
    with pytest.raises(ApprovalError, match="当前状态为“未同意”，不能再审批"):
        approvals.approve(submitted, by=org.grade_leader)


def test_it_needs_a_reason_to_reject_or_send_back(submitted, org):
    with pytest.raises(ApprovalError, match="不同意时请填写理由"):
        approvals.reject(submitted, by=org.grade_leader, comment=" ")
    with pytest.raises(ApprovalError, match="退回时请写明需要修改的地方"):
        approvals.send_back(submitted, by=org.grade_leader, comment="")


# Reject, send back, resubmit, withdraw


def test_it_rejects_and_cancels_the_remaining_steps(submitted, org, test_kind, notified):
    approvals.reject(submitted, by=org.grade_leader, comment="期末考试周")
    submitted.refresh_from_db()
    assert submitted.status == RequestStatus.REJECTED
    assert [s.status for s in submitted.steps.all()] == [
        StepStatus.REJECTED,
        StepStatus.CANCELLED,
        StepStatus.CANCELLED,
    ]
    assert test_kind == [(submitted.pk, RequestStatus.REJECTED)]
    assert notified[-1]["event"] == "approvals.decided"
    assert notified[-1]["recipients"] == [org.teacher]
    assert "期末考试周" in notified[-1]["body"]


def test_it_sends_back_and_runs_the_flow_again_on_resubmit(submitted, org, test_kind):
    approvals.send_back(submitted, by=org.grade_leader, comment="请附病历")
    submitted.refresh_from_db()
    assert submitted.status == RequestStatus.RETURNED
    assert submitted.decided_at is None

    with pytest.raises(ApprovalError, match="只有申请人本人可以重新提交"):
        approvals.resubmit(submitted, by=org.grade_leader)
    approvals.resubmit(submitted, by=org.teacher, facts={"days": Decimal("1.5")}, comment="已附")
    submitted.refresh_from_db()
    assert submitted.status == RequestStatus.PENDING
    assert submitted.round == 2
    assert submitted.facts["days"] == "1.5"
    assert submitted.current_step.round == 2
    assert list(submitted.current_step.approvers.all()) == [org.grade_leader]
    assert submitted.steps.filter(round=1).first().status == StepStatus.RETURNED
    assert [a.action for a in submitted.actions.all()] == [
        ActionType.SUBMIT,
        ActionType.RETURN,
        ActionType.RESUBMIT,
    ]
    assert test_kind == [(submitted.pk, RequestStatus.RETURNED)]
    with pytest.raises(ApprovalError, match="只有被退回的申请可以重新提交"):
        approvals.resubmit(submitted, by=org.teacher)


def test_it_lets_only_the_requester_withdraw_while_open(submitted, org, test_kind, notified):
    with pytest.raises(ApprovalError, match="只有申请人本人可以撤回"):
        approvals.withdraw(submitted, by=org.grade_leader)
    approvals.withdraw(submitted, by=org.teacher, comment="不请了")
    submitted.refresh_from_db()
    assert submitted.status == RequestStatus.WITHDRAWN
    assert submitted.steps.filter(status=StepStatus.CANCELLED).count() == 3
    assert test_kind == [(submitted.pk, RequestStatus.WITHDRAWN)]
    assert notified[-1]["recipients"] == [org.grade_leader]
    assert "撤回" in notified[-1]["title"]
    with pytest.raises(ApprovalError, match="当前状态为“已撤回”，不能撤回"):
        approvals.withdraw(submitted, by=org.teacher)


def test_it_allows_a_new_request_once_the_last_one_is_closed(submitted, org, subject):
    approvals.withdraw(submitted, by=org.teacher)
    again = approvals.submit(subject, kind=TEST_KIND, requester=org.teacher, title="再次申请")
    assert again.status == RequestStatus.PENDING
    assert approvals.latest_for(subject) == again


# Delegation


def test_it_lets_a_delegate_act_on_behalf_of_the_approver(submitted, org, make_staff, notified):
    deputy = make_staff(org.school, name="代理人")
    DelegationFactory(from_staff=org.principal, to_staff=deputy)
    approvals.approve(submitted, by=org.grade_leader)
    assert [p.name for p in notified[-1]["recipients"]] == ["陈校长", "代理人"]

    approvals.approve(submitted, by=deputy, comment="代批")
    submitted.refresh_from_db()
    step = submitted.steps.get(order=2)
    assert (step.acted_by, step.on_behalf_of) == (deputy, org.principal)
    action = submitted.actions.get(actor=deputy)
    assert action.on_behalf_of == org.principal
    assert submitted.status == RequestStatus.APPROVED


def test_it_ignores_a_delegation_out_of_its_dates_kinds_or_ended(submitted, org, make_staff):
    deputy = make_staff(org.school, name="代理人")
    today = timezone.localdate()
    DelegationFactory(
        from_staff=org.grade_leader,
        to_staff=deputy,
        start=today - timedelta(days=5),
        end=today - timedelta(days=1),
    )
    DelegationFactory(from_staff=org.grade_leader, to_staff=deputy, kinds=["purchase"])
    DelegationFactory(from_staff=org.grade_leader, to_staff=deputy).end_now()
    with pytest.raises(ApprovalError, match="您不是这一步的审批人"):
        approvals.approve(submitted, by=deputy)


def test_it_never_lets_a_delegate_approve_their_own_request(org, subject, test_kind):
    FlowFactory(school=org.school, kind=TEST_KIND, steps=[ApproverType.PRINCIPAL])
    DelegationFactory(from_staff=org.principal, to_staff=org.teacher)
    approval = approvals.submit(subject, kind=TEST_KIND, requester=org.teacher, title="测试")
    with pytest.raises(ApprovalError, match="不能审批自己提交的申请"):
        approvals.approve(approval, by=org.teacher)


# The history is immutable


def test_it_never_changes_or_deletes_a_history_row(submitted):
    action = submitted.actions.get()
    action.comment = "改写"
    with pytest.raises(ApprovalError, match="审批记录不能修改"):
        action.save()
    with pytest.raises(ApprovalError, match="审批记录不能删除"):
        action.delete()
    with pytest.raises(ApprovalError):
        ApprovalAction.objects.filter(pk=action.pk).update(comment="改写")
    with pytest.raises(ApprovalError):
        ApprovalAction.objects.filter(pk=action.pk).delete()
    assert ApprovalAction.objects.get(pk=action.pk).comment == ""


def test_it_puts_the_notice_in_the_approvers_inbox(submitted, org):
    from houqin.notifications.models import Notification

    notice = Notification.objects.get(recipient=org.grade_leader.user)
    assert notice.event == "approvals.pending"
    assert notice.url == f"/approvals/{submitted.pk}/"
    assert "张老师" in notice.title
