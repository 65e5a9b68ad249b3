"""The leave services: apply, the approval's outcome, change, cancel, 销假, 旷工."""

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from houqin.approvals import services as approvals
from houqin.approvals.models import ApprovalError, RequestStatus
from houqin.files.services import attachments_for
from houqin.leave import services
from houqin.leave.models import Absence, Cover, LeaveRequest, LeaveStatus, LeaveType
from houqin.leave.services import LeaveError
from houqin.leave.tests.factories import (
    LeaveRequestFactory,
    LeaveTypeFactory,
    MaternityRuleFactory,
    leave_org,
)
from houqin.notifications.models import Notification
from houqin.org.models import SchoolSetting
from houqin.org.tests.factories import TermFactory

D = date


def at(day, hour=9):
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def org(school):
    return leave_org(school)


@pytest.fixture
def personal(school):
    return LeaveTypeFactory(school=school, code="personal", name="事假")


@pytest.fixture
def sick(school):
    return LeaveTypeFactory(school=school, code="sick", name="病假")


def pdf(name="证明.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")


def apply(org, leave_type, start, end, **kwargs):
    kwargs.setdefault("reason", "家中有事")
    return services.apply(
        by=kwargs.pop("by", org.teacher),
        leave_type=leave_type,
        start_date=start,
        end_date=end,
        **kwargs,
    )


# --- apply and the approval ---------------------------------------------------------------


def test_the_issues_count_goes_to_the_principal_and_is_approved(org, personal):
    leave = apply(org, personal, D(2026, 10, 10), D(2026, 10, 12))
    assert leave.days == Decimal("2")
    assert leave.status == LeaveStatus.PENDING
    approval = approvals.latest_for(leave)
    assert approval.kind == "leave"
    assert approval.facts["days"] == "2"
    assert approval.facts["sub_type"] == "事假"
    assert approval.title == "陈老师 事假 2 天（2026年10月10日 至 2026年10月12日）"
    assert [p.pk for p in approval.current_step.approvers.all()] == [org.principal.pk]
    approvals.approve(approval, by=org.principal)
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.APPROVED


def test_a_day_goes_to_the_vice_principal(org, personal):
    leave = apply(org, personal, D(2026, 10, 9), D(2026, 10, 9))
    approval = approvals.latest_for(leave)
    assert [p.pk for p in approval.current_step.approvers.all()] == [org.vice_principal.pk]


def test_nobody_approves_their_own(org, personal):
    leave = apply(org, personal, D(2026, 10, 9), D(2026, 10, 9), by=org.vice_principal)
    approval = approvals.latest_for(leave)
    approvers = [p.pk for p in approval.current_step.approvers.all()]
    assert org.vice_principal.pk not in approvers
    assert approvers == [org.principal.pk]
    with pytest.raises(ApprovalError, match="不能审批自己"):
        approvals.approve(approval, by=org.vice_principal)
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.PENDING


def test_rejected_and_returned(org, personal):
    leave = apply(org, personal, D(2026, 10, 9), D(2026, 10, 9))
    approvals.reject(approvals.latest_for(leave), by=org.vice_principal, comment="期中考试")
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.REJECTED
    other = apply(org, personal, D(2026, 10, 9), D(2026, 10, 9))  # rejected holds nothing
    approvals.send_back(approvals.latest_for(other), by=org.vice_principal, comment="写清事由")
    other.refresh_from_db()
    assert other.status == LeaveStatus.RETURNED


def test_no_flow_is_a_clear_refusal_and_saves_nothing(school, personal, make_staff):
    from houqin.accounts.roles import Position

    lonely = make_staff(school, Position.TEACHER, name="孤老师")
    with pytest.raises(LeaveError, match="没有适用于这个请假申请的审批流程"):
        services.apply(
            by=lonely,
            leave_type=personal,
            start_date=D(2026, 10, 9),
            end_date=D(2026, 10, 9),
            reason="事",
        )
    assert not LeaveRequest.objects.exists()


def test_reason_and_a_working_day_are_required(org, personal):
    with pytest.raises(LeaveError) as error:
        apply(org, personal, D(2026, 10, 9), D(2026, 10, 9), reason="  ")
    assert "请填写请假事由" in str(error.value)
    with pytest.raises(LeaveError, match="都是休息日或节假日"):
        apply(org, personal, D(2026, 10, 1), D(2026, 10, 7))


def test_another_schools_type_is_refused(org, other_school):
    foreign = LeaveTypeFactory(school=other_school)
    with pytest.raises(LeaveError, match="本校在用的请假类型"):
        apply(org, foreign, D(2026, 10, 9), D(2026, 10, 9))


# --- overlap ------------------------------------------------------------------------------


def test_an_overlap_is_refused_naming_it(org, personal, sick):
    apply(org, personal, D(2026, 10, 9), D(2026, 10, 12))
    with pytest.raises(LeaveError) as error:
        apply(org, sick, D(2026, 10, 12), D(2026, 10, 13), reason="发烧")
    assert str(error.value) == (
        "与已有的请假重叠：事假 2026年10月9日 至 2026年10月12日（审批中）。"
    )


def test_half_days_and_periods_that_do_not_touch_do_not_overlap(org, personal):
    apply(org, personal, D(2026, 10, 9), D(2026, 10, 9), start_part="am", end_part="am")
    apply(org, personal, D(2026, 10, 9), D(2026, 10, 9), start_part="pm", end_part="pm")
    apply(org, personal, D(2026, 10, 13), D(2026, 10, 13), periods="1-2")
    apply(org, personal, D(2026, 10, 13), D(2026, 10, 13), periods="5-6")
    with pytest.raises(LeaveError, match="第1-2节"):
        apply(org, personal, D(2026, 10, 13), D(2026, 10, 13), periods="2-3")
    with pytest.raises(LeaveError, match="2026年10月9日下午"):
        apply(org, personal, D(2026, 10, 9), D(2026, 10, 12), start_part="pm")


def test_withdrawn_rejected_cancelled_hold_nothing(org, personal):
    for status in (LeaveStatus.REJECTED, LeaveStatus.WITHDRAWN, LeaveStatus.CANCELLED):
        LeaveRequestFactory(
            staff=org.teacher,
            leave_type=personal,
            start_date=D(2026, 10, 9),
            end_date=D(2026, 10, 9),
            status=status,
        )
    apply(org, personal, D(2026, 10, 9), D(2026, 10, 9))


# --- caps, proof, statutory lengths --------------------------------------------------------


def test_per_term_cap_of_personal_leave_from_the_school_setting(org, personal, school):
    TermFactory(academic_year__school=school)
    SchoolSetting.objects.create(school=school, key="leave.personal_cap_days_per_term", value=3)
    apply(org, personal, D(2026, 10, 8), D(2026, 10, 9))
    with pytest.raises(LeaveError) as error:
        apply(org, personal, D(2026, 10, 12), D(2026, 10, 13))
    assert str(error.value) == ("本学期事假上限 3 天，已请 2 天，还可请 1 天，本次 2 天超出上限。")
    apply(org, personal, D(2026, 10, 12), D(2026, 10, 12))
    [balance] = services.balances(org.teacher, on=D(2026, 10, 20))
    assert (balance.term_cap, balance.term_used, balance.term_left) == (3, 3, 0)


def test_type_caps_per_term_and_year(org, school):
    TermFactory(academic_year__school=school)
    capped = LeaveTypeFactory(
        school=school, code="x", name="调研假", max_days_per_term=5, max_days_per_year=2
    )
    apply(org, capped, D(2026, 10, 8), D(2026, 10, 8))
    with pytest.raises(LeaveError, match="2026年调研假上限 2 天，已请 1 天，还可请 1 天"):
        apply(org, capped, D(2026, 10, 12), D(2026, 10, 13))
    # Outside any term: no term cap; the year cap still holds.
    assert services.balance(org.teacher, capped, D(2026, 8, 10)).term_cap is None


def test_sick_leave_beyond_the_setting_needs_proof(org, sick):
    apply(org, sick, D(2026, 10, 8), D(2026, 10, 9), reason="感冒")  # 2 days: no proof
    with pytest.raises(LeaveError, match="病假超过 2 天须上传证明材料"):
        apply(org, sick, D(2026, 10, 12), D(2026, 10, 14), reason="住院")
    leave = apply(org, sick, D(2026, 10, 12), D(2026, 10, 14), reason="住院", proof=[pdf()])
    assert [a.role for a in attachments_for(leave)] == ["proof"]
    assert services.check(
        org.teacher, sick, D(2026, 10, 19), "full", D(2026, 10, 21), "full"
    ).proof_required


def test_a_bad_file_is_refused_and_nothing_is_saved(org, sick):
    bad = SimpleUploadedFile("virus.exe", b"MZ\x90\x00", content_type="application/x-msdownload")
    with pytest.raises(LeaveError):
        apply(org, sick, D(2026, 10, 12), D(2026, 10, 14), reason="住院", proof=[bad])
    assert not LeaveRequest.objects.exists()


def test_statutory_marriage_leave(org, school):
    marriage = LeaveTypeFactory(school=school, code="marriage", name="婚假")
    with pytest.raises(LeaveError, match=r"婚假最多 3 天（婚假 3 天），本次 4 天"):
        apply(org, marriage, D(2026, 10, 12), D(2026, 10, 15))
    apply(org, marriage, D(2026, 10, 12), D(2026, 10, 14))
    SchoolSetting.objects.create(school=school, key="leave.marriage_days", value=13)
    assert services.entitlement(school, marriage).days == 13


def test_maternity_national_and_by_province(org, school):
    maternity = LeaveTypeFactory(school=school, calendar=True)
    start = D(2026, 11, 2)
    with pytest.raises(LeaveError, match="产假最多 98 天（国家标准：基本产假 98 天，共 98 天）"):
        apply(org, maternity, start, D(2027, 2, 8))  # 99 calendar days
    assert services.check(org.teacher, maternity, start, "full", D(2027, 2, 7), "full").ok
    MaternityRuleFactory(province="浙江", province_extra_days=60)
    SchoolSetting.objects.create(school=school, key="leave.province", value="浙江")
    item = services.entitlement(school, maternity, babies=2, difficult=True)
    assert item.days == 98 + 60 + 15 + 15
    assert item.explanation.startswith(
        "浙江：基本产假 98 天+本省延长 60 天+难产 15 天+多胞胎 15 天"
    )
    assert services.entitlement(school, maternity, miscarriage="early").days == 15
    leave = apply(org, maternity, start, D(2027, 4, 8), babies=1)  # 158 calendar days
    assert leave.days == Decimal("158")


def test_paternity_from_the_provinces_rule(school):
    paternity = LeaveTypeFactory(school=school, code="paternity", name="陪产假")
    assert services.entitlement(school, paternity) is None  # national: no rule
    MaternityRuleFactory(province="浙江", paternity_days=15)
    SchoolSetting.objects.create(school=school, key="leave.province", value="浙江省")
    assert services.entitlement(school, paternity).days == 15


# --- change and cancel --------------------------------------------------------------------


def test_change_a_pending_request_withdraws_and_resubmits(org, personal):
    leave = apply(org, personal, D(2026, 10, 9), D(2026, 10, 9))
    first = approvals.latest_for(leave)
    services.change(leave, by=org.teacher, end_date=D(2026, 10, 10), today=D(2026, 10, 1))
    assert leave.days == Decimal("2")
    assert leave.status == LeaveStatus.PENDING
    first.refresh_from_db()
    assert first.status == RequestStatus.WITHDRAWN
    second = approvals.latest_for(leave)
    assert second.pk != first.pk
    assert second.facts["days"] == "2"
    assert [p.pk for p in second.current_step.approvers.all()] == [org.principal.pk]


def test_change_a_returned_request_resubmits_it(org, personal):
    leave = apply(org, personal, D(2026, 10, 9), D(2026, 10, 9))
    approval = approvals.latest_for(leave)
    approvals.send_back(approval, by=org.vice_principal, comment="写清事由")
    services.change(leave, by=org.teacher, reason="孩子生病，需去医院")
    approval.refresh_from_db()
    assert approval.status == RequestStatus.PENDING
    assert approval.round == 2
    assert leave.status == LeaveStatus.PENDING
    assert leave.reason == "孩子生病，需去医院"


def test_change_an_approved_request_before_it_starts(org, personal, school):
    leave = apply(org, personal, D(2026, 10, 9), D(2026, 10, 9))
    approvals.approve(approvals.latest_for(leave), by=org.vice_principal)
    Cover.objects.create(
        school=school,
        leave=leave,
        kind=Cover.Kind.SUBSTITUTE,
        date=D(2026, 10, 9),
        covered_by=org.head,
    )
    services.change(leave, by=org.teacher, start_part="pm", today=D(2026, 10, 8))
    assert leave.status == LeaveStatus.PENDING
    assert leave.days == Decimal("0.5")
    assert not leave.covers.exists()
    # The morning is free again; the afternoon is still held.
    apply(org, personal, D(2026, 10, 9), D(2026, 10, 9), start_part="am", end_part="am")
    with pytest.raises(LeaveError, match="与已有的请假重叠"):
        apply(org, personal, D(2026, 10, 9), D(2026, 10, 9))


def test_change_is_checked_again_and_excludes_itself(org, personal):
    leave = apply(org, personal, D(2026, 10, 9), D(2026, 10, 12))
    services.change(leave, by=org.teacher, end_date=D(2026, 10, 13), today=D(2026, 10, 1))
    other = apply(org, personal, D(2026, 10, 15), D(2026, 10, 15))
    with pytest.raises(LeaveError, match="与已有的请假重叠"):
        services.change(other, by=org.teacher, start_date=D(2026, 10, 13), today=D(2026, 10, 1))
    other.refresh_from_db()
    assert other.start_date == D(2026, 10, 15)


def test_an_approved_leave_that_has_started_cannot_change_or_cancel(org, personal):
    leave = apply(org, personal, D(2026, 10, 9), D(2026, 10, 9))
    approvals.approve(approvals.latest_for(leave), by=org.vice_principal)
    with pytest.raises(LeaveError, match="请假已经开始"):
        services.change(leave, by=org.teacher, reason="x", today=D(2026, 10, 9))
    with pytest.raises(LeaveError, match="请假已经开始"):
        services.cancel(leave, by=org.teacher, today=D(2026, 10, 9))


def test_only_the_teacher_changes_or_cancels(org, personal):
    leave = apply(org, personal, D(2026, 10, 9), D(2026, 10, 9))
    with pytest.raises(LeaveError, match="只有请假人本人可以取消"):
        services.cancel(leave, by=org.principal)
    with pytest.raises(LeaveError, match="只有请假人本人可以修改"):
        services.change(leave, by=org.principal, reason="x")


def test_cancel_a_pending_request_withdraws_its_approval(org, personal):
    leave = apply(org, personal, D(2026, 10, 9), D(2026, 10, 9))
    services.cancel(leave, by=org.teacher, reason="不用请了")
    assert leave.status == LeaveStatus.CANCELLED
    assert leave.cancel_reason == "不用请了"
    assert approvals.latest_for(leave).status == RequestStatus.WITHDRAWN
    apply(org, personal, D(2026, 10, 9), D(2026, 10, 9))  # the days are free again


def test_cancel_an_approved_request_tells_approvers_and_cover(org, personal, school):
    leave = apply(org, personal, D(2026, 10, 9), D(2026, 10, 9))
    approvals.approve(approvals.latest_for(leave), by=org.vice_principal)
    Cover.objects.create(
        school=school,
        leave=leave,
        kind=Cover.Kind.SUBSTITUTE,
        date=D(2026, 10, 9),
        covered_by=org.head,
        arranged_by=org.principal,
    )
    services.cancel(leave, by=org.teacher, today=D(2026, 10, 8))
    assert leave.status == LeaveStatus.CANCELLED
    assert not leave.covers.exists()
    told = set(
        Notification.objects.filter(event=services.EVENT_CANCELLED).values_list(
            "recipient_id", flat=True
        )
    )
    assert told == {org.vice_principal.user_id, org.head.user_id, org.principal.user_id}
    with pytest.raises(LeaveError, match="已取消"):
        services.cancel(leave, by=org.teacher, today=D(2026, 10, 8))


# --- 销假 ----------------------------------------------------------------------------------


def approved(org, leave_type, start, end, **kwargs):
    leave = apply(org, leave_type, start, end, **kwargs)
    approval = approvals.latest_for(leave)
    approvals.approve(approval, by=approval.current_step.approvers.first())
    leave.refresh_from_db()
    return leave


def test_report_back_on_time(org, personal):
    leave = approved(org, personal, D(2026, 10, 10), D(2026, 10, 12))
    services.report_back(leave, by=org.teacher, on=D(2026, 10, 13), now=at(D(2026, 10, 13)))
    assert leave.status == LeaveStatus.ENDED
    assert leave.overrun_days == 0
    assert leave.returned_on == D(2026, 10, 13)
    assert not Absence.objects.exists()


def test_report_back_late_flags_the_overrun_in_working_days(org, personal):
    leave = approved(org, personal, D(2026, 9, 29), D(2026, 9, 30))
    # Due back Oct 8 (after the holiday); back on Oct 9 afternoon: 1.5 working days late.
    services.report_back(
        leave, by=org.teacher, on=D(2026, 10, 9), part="pm", now=at(D(2026, 10, 9), 14)
    )
    assert leave.status == LeaveStatus.ENDED
    assert leave.overrun_days == Decimal("1.5")
    assert leave.days == Decimal("2")
    [absence] = Absence.objects.all()
    assert absence.kind == Absence.Kind.OVERRUN
    assert (absence.start_date, absence.end_date, absence.days) == (
        D(2026, 10, 8),
        D(2026, 10, 9),
        Decimal("1.5"),
    )
    assert absence.leave == leave
    assert absence.staff == org.teacher
    told = set(
        Notification.objects.filter(event=services.EVENT_OVERRUN).values_list(
            "recipient_id", flat=True
        )
    )
    assert {org.principal.user_id, org.manager.user_id} <= told


def test_report_back_early_shrinks_the_days(org, personal):
    leave = approved(org, personal, D(2026, 10, 12), D(2026, 10, 16))
    services.report_back(
        leave, by=org.teacher, on=D(2026, 10, 14), part="pm", now=at(D(2026, 10, 14), 13)
    )
    assert leave.days == Decimal("2.5")
    assert leave.overrun_days == 0


def test_report_back_refusals(org, personal, make_staff, school):
    pending = apply(org, personal, D(2026, 10, 12), D(2026, 10, 12))
    with pytest.raises(LeaveError, match="审批中"):
        services.report_back(pending, by=org.teacher, on=D(2026, 10, 13), now=at(D(2026, 10, 13)))
    services.cancel(pending, by=org.teacher)
    leave = approved(org, personal, D(2026, 10, 12), D(2026, 10, 13))
    with pytest.raises(LeaveError, match="不能晚于今天"):
        services.report_back(leave, by=org.teacher, on=D(2026, 10, 14), now=at(D(2026, 10, 13)))
    with pytest.raises(LeaveError, match="不能早于请假开始时间"):
        services.report_back(leave, by=org.teacher, on=D(2026, 10, 12), now=at(D(2026, 10, 13)))
    with pytest.raises(LeaveError, match="只有请假人本人或请假管理员"):
        services.report_back(leave, by=org.head, on=D(2026, 10, 14), now=at(D(2026, 10, 14)))
    services.report_back(leave, by=org.teacher, on=D(2026, 10, 14), now=at(D(2026, 10, 14)))
    with pytest.raises(LeaveError, match="已经销假"):
        services.report_back(leave, by=org.teacher, on=D(2026, 10, 15), now=at(D(2026, 10, 15)))


def test_the_manager_corrects_a_report_back(org, personal):
    leave = approved(org, personal, D(2026, 10, 12), D(2026, 10, 13))
    services.report_back(leave, by=org.teacher, on=D(2026, 10, 14), now=at(D(2026, 10, 14)))
    services.report_back(leave, by=org.manager, on=D(2026, 10, 16), now=at(D(2026, 10, 16)))
    assert leave.overrun_days == Decimal("2")
    assert Absence.objects.get().days == Decimal("2")
    services.report_back(leave, by=org.manager, on=D(2026, 10, 15), now=at(D(2026, 10, 16)))
    assert Absence.objects.get().days == Decimal("1")
    assert leave.overrun_days == Decimal("1")


# --- 旷工 ----------------------------------------------------------------------------------


def test_flag_an_unapproved_absence(org, personal):
    absence = services.flag_absence(
        by=org.manager, staff=org.teacher, start_date=D(2026, 10, 9), end_date=D(2026, 10, 12)
    )
    assert absence.kind == Absence.Kind.UNAPPROVED
    assert absence.days == Decimal("3")  # Fri, Sat (调休), Mon
    assert absence.recorded_by == org.manager
    with pytest.raises(LeaveError, match="已登记旷工"):
        services.flag_absence(
            by=org.manager, staff=org.teacher, start_date=D(2026, 10, 12), end_date=D(2026, 10, 12)
        )
    services.remove_absence(absence, by=org.manager)
    assert not Absence.objects.exists()


def test_absence_refusals(org, personal, other_school):
    from houqin.leave.tests.factories import teacher_in

    with pytest.raises(LeaveError, match="只有请假管理员"):
        services.flag_absence(
            by=org.principal, staff=org.teacher, start_date=D(2026, 10, 9), end_date=D(2026, 10, 9)
        )
    with pytest.raises(LeaveError, match="本校的教职工"):
        services.flag_absence(
            by=org.manager,
            staff=teacher_in(other_school),
            start_date=D(2026, 10, 9),
            end_date=D(2026, 10, 9),
        )
    approved(org, personal, D(2026, 10, 9), D(2026, 10, 9))
    with pytest.raises(LeaveError, match="该时段有已批准的请假：事假 2026年10月9日"):
        services.flag_absence(
            by=org.manager, staff=org.teacher, start_date=D(2026, 10, 9), end_date=D(2026, 10, 9)
        )
    with pytest.raises(LeaveError, match="休息日或节假日"):
        services.flag_absence(
            by=org.manager, staff=org.teacher, start_date=D(2026, 10, 3), end_date=D(2026, 10, 4)
        )


def test_away_on(org, personal, school):
    leave = approved(org, personal, D(2026, 10, 12), D(2026, 10, 16))
    apply(org, personal, D(2026, 10, 19), D(2026, 10, 19))  # pending: not away
    assert list(services.away_on(school, D(2026, 10, 13))) == [leave]
    assert not services.away_on(school, D(2026, 10, 19)).exists()
    services.report_back(leave, by=org.teacher, on=D(2026, 10, 14), now=at(D(2026, 10, 14)))
    assert not services.away_on(school, D(2026, 10, 15)).exists()
    assert list(services.away_on(school, D(2026, 10, 13))) == [leave]


def test_leave_type_counting_choices_exist():
    assert LeaveType.Counting.CALENDAR == "calendar"
