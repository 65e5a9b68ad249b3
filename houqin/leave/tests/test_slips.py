"""Going-out slips: apply, approval, the gate, late returns; and who sees what."""

from datetime import date, datetime, time, timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from houqin.approvals import services as approvals
from houqin.approvals.models import ApprovalError
from houqin.leave import access, services
from houqin.leave.models import SlipStatus
from houqin.leave.services import LeaveError
from houqin.leave.tests.factories import (
    GoingOutSlipFactory,
    LeaveRequestFactory,
    LeaveTypeFactory,
    leave_org,
)
from houqin.notifications.models import Notification
from houqin.org.models import SchoolSetting
from houqin.qr import registry as qr
from houqin.qr.models import QrCode
from houqin.schedules import heartbeat

DAY = date(2026, 10, 9)  # a Friday


def at(hour, minute=0, day=DAY):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def org(school):
    return leave_org(school)


def apply_slip(org, out=14, back=16, by=None, now=None):
    return services.apply_slip(
        by=by or org.teacher,
        destination="区教育局",
        reason="送材料",
        planned_out=at(out),
        planned_back=at(back),
        now=now or at(8),
    )


def approved_slip(org, **kwargs):
    slip = apply_slip(org, **kwargs)
    approvals.approve(approvals.latest_for(slip), by=org.head)
    slip.refresh_from_db()
    return slip


def test_a_slip_goes_to_the_department_head_and_through_the_gate(org):
    slip = apply_slip(org)
    assert slip.status == SlipStatus.PENDING
    approval = approvals.latest_for(slip)
    assert approval.kind == "going_out"
    assert approval.title == "陈老师 外出：区教育局 10月9日 14:00–16:00"
    assert [p.pk for p in approval.current_step.approvers.all()] == [org.head.pk]
    with pytest.raises(ApprovalError, match="不能审批自己"):
        approvals.approve(approval, by=org.teacher)
    with pytest.raises(LeaveError, match="审批中"):
        services.gate_out(slip, by=org.guard, now=at(14))
    approvals.approve(approval, by=org.head)
    slip.refresh_from_db()
    assert slip.status == SlipStatus.APPROVED
    with pytest.raises(LeaveError, match="还没有登记出校"):
        services.gate_back(slip, by=org.guard, now=at(14))
    services.gate_out(slip, by=org.guard, now=at(14, 5))
    assert (slip.status, slip.out_at, slip.out_by) == (SlipStatus.OUT, at(14, 5), org.guard)
    with pytest.raises(LeaveError, match="已于 14:05 登记出校"):
        services.gate_out(slip, by=org.guard, now=at(14, 6))
    services.gate_back(slip, by=org.guard, now=at(15, 50))
    assert (slip.status, slip.back_at, slip.back_by) == (SlipStatus.BACK, at(15, 50), org.guard)
    with pytest.raises(LeaveError, match="已于 15:50 登记返校"):
        services.gate_back(slip, by=org.guard, now=at(15, 51))


def test_only_the_gate_records_and_only_on_the_day(org, school, other_school):
    from houqin.accounts.roles import Position
    from houqin.accounts.tests.factories import StaffFactory

    slip = approved_slip(org)
    with pytest.raises(LeaveError, match="只有门岗保安"):
        services.gate_out(slip, by=org.teacher, now=at(14))
    foreign_guard = StaffFactory(school=other_school, positions=[Position.SECURITY_STAFF])
    with pytest.raises(LeaveError, match="不是本校"):
        services.gate_out(slip, by=foreign_guard, now=at(14))
    with pytest.raises(LeaveError, match="这张出门条是 2026年10月9日 的"):
        services.gate_out(slip, by=org.guard, now=at(8, day=DAY + timedelta(days=1)))


def test_rejected_and_withdrawn_slips(org):
    slip = apply_slip(org)
    approvals.reject(approvals.latest_for(slip), by=org.head, comment="下午有课")
    slip.refresh_from_db()
    assert slip.status == SlipStatus.REJECTED
    other = apply_slip(org)
    services.cancel_slip(other, by=org.teacher)
    assert other.status == SlipStatus.CANCELLED
    assert approvals.latest_for(other).status == "withdrawn"
    third = approved_slip(org)
    services.cancel_slip(third, by=org.teacher)
    assert third.status == SlipStatus.CANCELLED


def test_a_slip_that_went_out_cannot_be_cancelled(org):
    slip = approved_slip(org)
    services.gate_out(slip, by=org.guard, now=at(14))
    with pytest.raises(LeaveError, match="已出校"):
        services.cancel_slip(slip, by=org.teacher)
    with pytest.raises(LeaveError, match="只有申请人本人"):
        services.cancel_slip(slip, by=org.head)


@pytest.mark.parametrize(
    ("out", "back", "day", "now", "message"),
    [
        (16, 14, DAY, at(8), "计划返校时间须晚于出校时间"),
        (14, 16, date(2026, 10, 11), at(8, day=date(2026, 10, 11)), "休息日不需要申请"),
        (14, 16, DAY, at(15), "计划出校时间已经过去"),
    ],
)
def test_slip_refusals(org, out, back, day, now, message):
    with pytest.raises(LeaveError, match=message):
        services.apply_slip(
            by=org.teacher,
            destination="医院",
            reason="体检",
            planned_out=at(out, day=day),
            planned_back=at(back, day=day),
            now=now,
        )


def test_a_slip_over_two_days_or_without_text_is_refused(org):
    with pytest.raises(LeaveError) as error:
        services.apply_slip(
            by=org.teacher,
            destination=" ",
            reason="",
            planned_out=at(14),
            planned_back=at(9, day=DAY + timedelta(days=3)),
            now=at(8),
        )
    assert error.value.messages == [
        "请填写去向。",
        "请填写外出事由。",
        "出门条只用于当天外出；跨天外出请请假。",
    ]


def test_overlapping_slips_are_refused(org):
    apply_slip(org, 14, 16)
    with pytest.raises(LeaveError, match="与已有的出门条时间重叠：陈老师 外出：区教育局"):
        apply_slip(org, 15, 17)
    apply_slip(org, 16, 17)


def test_a_late_return_alerts_the_approver_once(org, school):
    slip = approved_slip(org)
    services.gate_out(slip, by=org.guard, now=at(14))
    assert services.alert_late_returns(at(16, 10)) == 0  # within 15 minutes' grace
    assert not services.is_late(slip, at(16, 10))
    assert services.is_late(slip, at(16, 20))
    assert services.alert_late_returns(at(16, 20)) == 1
    slip.refresh_from_db()
    assert slip.late_alerted_at == at(16, 20)
    [note] = Notification.objects.filter(event=services.EVENT_SLIP_LATE)
    assert note.recipient_id == org.head.user_id
    assert note.title == "陈老师 外出逾期未返校：计划 16:00 返校（区教育局）"
    assert services.alert_late_returns(at(16, 30)) == 0
    assert Notification.objects.filter(event=services.EVENT_SLIP_LATE).count() == 1


def test_the_grace_is_a_school_setting_and_back_slips_are_not_late(org, school):
    SchoolSetting.objects.create(school=school, key="leave.slip_late_minutes", value=0)
    late = approved_slip(org, out=9, back=10)
    services.gate_out(late, by=org.guard, now=at(9))
    back = approved_slip(org, out=10, back=11)
    services.gate_out(back, by=org.guard, now=at(10))
    services.gate_back(back, by=org.guard, now=at(11, 30))
    assert services.alert_late_returns(at(11, 31)) == 1
    late.refresh_from_db()
    assert late.late_alerted_at is not None


def test_the_heartbeat_and_the_kinds_are_registered():
    from houqin.approvals.kinds import get_kind

    assert services.on_heartbeat in heartbeat.callbacks()
    assert get_kind("leave").on_decided is services.leave_decided
    assert get_kind("going_out").on_decided is services.slip_decided
    assert qr.get_kind("G").model.__name__ == "GoingOutSlip"
    assert qr.get_purpose("gate").perm == "leave.gate"


def test_the_gate_scans_a_slips_qr(org, school, rf):
    slip = approved_slip(org)
    token = QrCode.objects.for_object(slip).token
    [found] = qr.find(org.guard.user, school, token, kinds_allowed=["G"])
    assert found.obj == slip
    request = rf.get("/")
    request.user = org.guard.user
    assert qr.get_purpose("gate").url_for(request, found) == f"/leave/gate/{slip.pk}/"
    assert qr.find(org.guard.user, school, f"CM{slip.pk}", kinds_allowed=["G"])[0].obj == slip
    pending = apply_slip(org, 16, 17)
    pending_token = QrCode.objects.for_object(pending).token
    assert qr.find(org.guard.user, school, pending_token) == []  # the gate sees it not
    [own] = qr.find(org.teacher.user, school, pending_token)
    with pytest.raises(qr.ScanRefused, match="审批中"):
        qr.get_purpose("gate").url_for(request, own)


def test_slips_for_gate(org, school):
    slip = approved_slip(org)
    apply_slip(org, 16, 17)  # pending: not at the gate
    GoingOutSlipFactory(
        school=school,
        staff=org.teacher,
        approved=True,
        planned_out=at(9, day=DAY + timedelta(days=3)),
        planned_back=at(10, day=DAY + timedelta(days=3)),
    )
    assert list(services.slips_for_gate(school, DAY)) == [slip]


# --- who sees what ------------------------------------------------------------------------


def test_leaves_teachers_see_their_own_approvers_what_they_approve(org, school, make_staff):
    from houqin.accounts.roles import Position

    personal = LeaveTypeFactory(school=school, code="personal")
    mine = services.apply(
        by=org.teacher, leave_type=personal, start_date=DAY, end_date=DAY, reason="事"
    )
    colleague = make_staff(school, Position.TEACHER, name="同事")
    theirs = LeaveRequestFactory(staff=colleague, leave_type=personal)
    assert list(access.visible_leaves(org.teacher.user)) == [mine]
    assert set(access.visible_leaves(org.vice_principal.user)) == {mine, theirs}  # view_all
    assert set(access.visible_leaves(org.principal.user)) == {mine, theirs}  # view_all
    assert set(access.visible_leaves(org.manager.user)) == {mine, theirs}  # leave.manage
    assert list(access.visible_leaves(org.head.user)) == []  # cover: approved only
    approvals.approve(approvals.latest_for(mine), by=org.vice_principal)
    assert list(access.visible_leaves(org.head.user)) == [mine]  # same department
    assert not access.can_view_leave(colleague.user, mine)
    assert access.can_view_leave(org.teacher.user, mine)
    assert access.get_leave_or_404(org.teacher.user, mine.pk) == mine
    with pytest.raises(Http404):
        access.get_leave_or_404(colleague.user, mine.pk)
    with pytest.raises(Http404):
        access.get_leave_or_404(colleague.user, "x")


def test_another_school_sees_nothing(org, other_school, make_staff):
    from houqin.accounts.roles import Position

    slip = apply_slip(org)
    principal = make_staff(other_school, Position.PRINCIPAL, name="别校校长")
    guard = make_staff(other_school, Position.SECURITY_STAFF, name="别校门卫")
    leave = LeaveRequestFactory(staff=org.teacher)
    assert not access.visible_leaves(principal.user).exists()
    assert not access.can_view_leave(principal.user, leave)
    assert not access.can_view_slip(guard.user, slip)
    with pytest.raises(Http404):
        access.get_slip_or_404(guard.user, slip.pk)


def test_slips_the_gate_sees_approved_ones(org):
    pending = apply_slip(org, 9, 10)
    ok = approved_slip(org, out=14, back=16)
    assert list(access.visible_slips(org.guard.user)) == [ok]
    assert set(access.visible_slips(org.teacher.user)) == {pending, ok}
    assert set(access.visible_slips(org.head.user)) == {pending, ok}  # the approver
    assert set(access.visible_slips(org.principal.user)) == {pending, ok}
    assert access.can_view_slip(org.guard.user, ok)
    assert not access.can_view_slip(org.guard.user, pending)
