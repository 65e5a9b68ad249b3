"""The teacher and gate screens: apply with the live count, 我的请假, one request (cancel,
change, 销假), going-out slips with their QR code, and the guard's gate page."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from houqin.accounts.roles import Position
from houqin.approvals import services as approvals
from houqin.approvals.models import ApproverType, RequestStatus
from houqin.approvals.tests.factories import FlowFactory
from houqin.leave.models import Absence, GoingOutSlip, LeaveRequest, LeaveStatus, SlipStatus
from houqin.leave.tests.factories import (
    GoingOutSlipFactory,
    LeaveRequestFactory,
    LeaveTypeFactory,
)

pytestmark = pytest.mark.django_db

# 2026 Spring Festival: Sat Feb 14 is a swapped working day, Feb 15–23 the holiday, Tue
# Feb 24 back at work: Feb 14 → Feb 24 is two working days.
SWAP_DAY, BACK_DAY = date(2026, 2, 14), date(2026, 2, 24)


@pytest.fixture
def personal(school):
    return LeaveTypeFactory(school=school, code="personal", name="事假")


@pytest.fixture
def sick(school):
    return LeaveTypeFactory(school=school, sick=True)


@pytest.fixture
def principal(school, make_staff):
    return make_staff(school, Position.PRINCIPAL, name="陈校长")


@pytest.fixture
def flows(school, principal):
    FlowFactory(school=school, kind="leave", name="校长审批", steps=[ApproverType.PRINCIPAL])
    FlowFactory(school=school, kind="going_out", name="出门审批", steps=[ApproverType.PRINCIPAL])


@pytest.fixture
def guard(school, make_staff):
    return make_staff(school, Position.SECURITY_STAFF, name="门卫老李")


def _future(days=14):
    day = timezone.localdate() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _apply_data(leave_type, start, end, **extra):
    return {
        "leave_type": leave_type.pk,
        "start_date": start.isoformat(),
        "start_part": "full",
        "end_date": end.isoformat(),
        "end_part": "full",
        "periods": "",
        "reason": "家中有事",
        **extra,
    }


def _approve(leave_or_slip, principal):
    approval = approvals.latest_for(leave_or_slip)
    approvals.approve(approval, by=principal)
    leave_or_slip.refresh_from_db()
    return approval


# ---------------------------------------------------------------------------------------
# Apply


def test_it_counts_two_working_days_over_the_spring_festival(login, teacher, personal):
    response = login(teacher).get(
        reverse("leave:count"),
        {
            "leave_type": personal.pk,
            "start_date": SWAP_DAY.isoformat(),
            "start_part": "full",
            "end_date": BACK_DAY.isoformat(),
            "end_part": "full",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert '<span data-testid="count-days">2</span>' in html
    assert "调休上班，计入" in html


def test_it_counts_half_days_and_explains_a_bad_range(login, teacher, personal):
    client = login(teacher)
    day = _future()
    response = client.get(
        reverse("leave:count"),
        {"start_date": day, "start_part": "pm", "end_date": day + timedelta(days=1)},
    )
    assert '<span data-testid="count-days">1.5</span>' in response.content.decode()
    response = client.get(
        reverse("leave:count"), {"start_date": day, "end_date": day - timedelta(days=1)}
    )
    assert "结束日期不能早于开始日期" in response.content.decode()


def test_it_applies_and_goes_to_the_request(login, teacher, personal, flows):
    start = _future()
    response = login(teacher).post(reverse("leave:apply"), _apply_data(personal, start, start))
    leave = LeaveRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("leave:detail", args=[leave.pk])
    assert leave.staff == teacher
    assert leave.days == Decimal("1")
    assert leave.status == LeaveStatus.PENDING
    assert approvals.latest_for(leave).status == RequestStatus.PENDING


def test_it_keeps_what_was_typed_when_the_dates_are_wrong(login, teacher, personal, flows):
    start = _future()
    data = _apply_data(personal, start, start - timedelta(days=2), reason="看病复查")
    response = login(teacher).post(reverse("leave:apply"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "结束日期不能早于开始日期" in html
    assert "看病复查" in html
    assert not LeaveRequest.objects.exists()


def test_it_names_the_overlapping_request(login, teacher, personal, flows):
    start = _future()
    client = login(teacher)
    client.post(reverse("leave:apply"), _apply_data(personal, start, start))
    response = client.post(reverse("leave:apply"), _apply_data(personal, start, start))
    assert response.status_code == 200
    assert f"{start.month}月{start.day}日" in response.content.decode() or start.isoformat() in (
        response.content.decode()
    )
    assert LeaveRequest.objects.count() == 1


def test_it_asks_for_proof_of_a_long_sick_leave(login, teacher, sick, flows):
    start = _future()
    end = start + timedelta(days=4)
    response = login(teacher).post(reverse("leave:apply"), _apply_data(sick, start, end))
    assert response.status_code == 200
    assert "证明" in response.content.decode()
    assert not LeaveRequest.objects.exists()


def test_it_refuses_apply_without_a_school(client, django_user_model):
    user = django_user_model.objects.create_user("nobody", password="x")
    client.force_login(user)
    assert client.get(reverse("leave:apply")).status_code == 403


# ---------------------------------------------------------------------------------------
# 我的请假 and one request


def test_it_lists_only_my_requests_in_bounded_queries(
    login, teacher, school, make_staff, django_assert_max_num_queries
):
    for _ in range(5):
        LeaveRequestFactory(staff=teacher)
    LeaveRequestFactory(staff=make_staff(school, Position.TEACHER, name="别人"))
    client = login(teacher)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("leave:mine"))
    assert response.status_code == 200
    assert len(response.context["leaves"]) == 5


def test_it_lists_my_slips(login, teacher, django_assert_max_num_queries):
    for _ in range(4):
        GoingOutSlipFactory(staff=teacher)
    client = login(teacher)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("leave:mine"), {"tab": "slips"})
    assert len(response.context["slips"]) == 4


def test_it_hides_a_colleagues_request(login, teacher, school, make_staff):
    other = LeaveRequestFactory(staff=make_staff(school, Position.TEACHER, name="李老师"))
    assert login(teacher).get(reverse("leave:detail", args=[other.pk])).status_code == 404


def test_it_shows_the_school_to_the_principal(login, teacher, principal):
    leave = LeaveRequestFactory(staff=teacher)
    response = login(principal).get(reverse("leave:detail", args=[leave.pk]))
    assert response.status_code == 200
    assert response.context["can_cancel"] is False


def test_it_hides_another_schools_request(login, teacher, other_school):
    theirs = LeaveRequestFactory(school=other_school)
    assert login(teacher).get(reverse("leave:detail", args=[theirs.pk])).status_code == 404


def test_it_cancels_before_the_start_and_withdraws_the_approval(login, teacher, personal, flows):
    start = _future()
    client = login(teacher)
    client.post(reverse("leave:apply"), _apply_data(personal, start, start))
    leave = LeaveRequest.objects.get()
    response = client.get(reverse("leave:detail", args=[leave.pk]))
    assert response.context["can_cancel"] is True
    response = client.post(reverse("leave:cancel", args=[leave.pk]), {"cancel_reason": "不去了"})
    assert response.status_code == 302
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.CANCELLED
    assert approvals.latest_for(leave).status == RequestStatus.WITHDRAWN


def test_it_refuses_cancelling_someone_elses_request(login, teacher, principal):
    leave = LeaveRequestFactory(staff=teacher)
    response = login(principal).post(
        reverse("leave:cancel", args=[leave.pk]), {"cancel_reason": "x"}
    )
    assert response.status_code == 403


def test_it_changes_a_request_before_it_starts(login, teacher, personal, flows):
    start = _future()
    client = login(teacher)
    client.post(reverse("leave:apply"), _apply_data(personal, start, start))
    old = LeaveRequest.objects.get()
    assert client.get(reverse("leave:change", args=[old.pk])).status_code == 200
    new_end = start + timedelta(days=1)
    while new_end.weekday() >= 5:
        new_end += timedelta(days=1)
    response = client.post(
        reverse("leave:change", args=[old.pk]), _apply_data(personal, start, new_end)
    )
    assert response.status_code == 302
    leave = LeaveRequest.objects.get()
    assert leave.pk == old.pk
    assert leave.days == Decimal("2")
    assert leave.status == LeaveStatus.PENDING
    assert approvals.latest_for(leave).facts["days"] == "2"


def test_it_reports_back_late_and_flags_the_overrun(login, teacher, personal, principal, flows):
    client = login(teacher)
    client.post(reverse("leave:apply"), _apply_data(personal, SWAP_DAY, BACK_DAY))
    leave = LeaveRequest.objects.get()
    assert leave.days == Decimal("2")
    _approve(leave, principal)
    assert leave.status == LeaveStatus.APPROVED
    response = client.post(
        reverse("leave:report_back", args=[leave.pk]),
        {"returned_on": "2026-02-26", "returned_part": "am"},
    )
    assert response.status_code == 302
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.ENDED
    assert leave.overrun_days == Decimal("1")  # Wed Feb 25
    assert Absence.objects.get(leave=leave).kind == Absence.Kind.OVERRUN
    html = client.get(reverse("leave:detail", args=[leave.pk])).content.decode()
    assert "超假" in html


def test_it_refuses_reporting_back_for_a_colleague(login, teacher, principal, school):
    leave = LeaveRequestFactory(staff=teacher, approved=True, start_date=SWAP_DAY)
    response = login(principal).post(
        reverse("leave:report_back", args=[leave.pk]),
        {"returned_on": "2026-02-14", "returned_part": "am"},
    )
    assert response.status_code == 403


# ---------------------------------------------------------------------------------------
# Going-out slips and the gate


def _slip_data(hour=14):
    day = timezone.localdate()
    return {
        "destination": "区教育局",
        "reason": "送材料",
        "planned_out": f"{day.isoformat()}T{hour:02d}:00",
        "planned_back": f"{day.isoformat()}T{hour + 2:02d}:00",
    }


def test_it_applies_for_a_slip_and_shows_its_qr_once_approved(login, teacher, principal, flows):
    client = login(teacher)
    response = client.post(reverse("leave:slip_apply"), _slip_data())
    slip = GoingOutSlip.objects.get()
    assert response["Location"] == reverse("leave:slip_detail", args=[slip.pk])
    response = client.get(reverse("leave:slip_detail", args=[slip.pk]))
    assert response.context["qr"] is None
    _approve(slip, principal)
    assert slip.status == SlipStatus.APPROVED
    response = client.get(reverse("leave:slip_detail", args=[slip.pk]))
    assert response.context["qr"]["url"].endswith("?for=gate")
    assert 'data-testid="slip-qr"' in response.content.decode()


def test_it_refuses_a_slip_that_comes_back_before_it_leaves(login, teacher, flows):
    data = _slip_data()
    data["planned_back"] = data["planned_out"]
    response = login(teacher).post(reverse("leave:slip_apply"), data)
    assert response.status_code == 200
    assert "返校时间要晚于出校时间" in response.content.decode()


def test_it_sends_a_guard_opening_a_slip_to_the_gate(login, teacher, guard):
    slip = GoingOutSlipFactory(staff=teacher, approved=True)
    response = login(guard).get(reverse("leave:slip_detail", args=[slip.pk]))
    assert response["Location"] == reverse("leave:gate_slip", args=[slip.pk])


def test_it_keeps_teachers_out_of_the_gate(login, teacher):
    slip = GoingOutSlipFactory(staff=teacher, approved=True)
    client = login(teacher)
    assert client.get(reverse("leave:gate")).status_code == 403
    assert client.get(reverse("leave:gate_slip", args=[slip.pk])).status_code == 403
    assert client.post(reverse("leave:gate_out", args=[slip.pk])).status_code == 403


def test_it_lists_todays_slips_at_the_gate(login, guard, school, django_assert_max_num_queries):
    for _ in range(3):
        GoingOutSlipFactory(school=school, approved=True)
    GoingOutSlipFactory(school=school, out=True)
    GoingOutSlipFactory(school=school)  # still pending: not at the gate
    client = login(guard)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("leave:gate"))
    assert len(response.context["waiting"]) == 3
    assert len(response.context["out"]) == 1


def test_it_finds_a_slip_by_name_at_the_gate(login, guard, school, make_staff):
    GoingOutSlipFactory(staff=make_staff(school, Position.TEACHER, name="王芳"), approved=True)
    GoingOutSlipFactory(school=school, approved=True)
    response = login(guard).get(reverse("leave:gate"), {"q": "王芳"})
    assert [s.staff.name for s in response.context["waiting"]] == ["王芳"]


def test_it_scans_a_slip_out_and_back(login, guard, teacher):
    slip = GoingOutSlipFactory(staff=teacher, approved=True)
    client = login(guard)
    assert client.get(reverse("leave:gate_slip", args=[slip.pk])).status_code == 200
    response = client.post(reverse("leave:gate_out", args=[slip.pk]))
    assert response["Location"] == reverse("leave:gate")
    slip.refresh_from_db()
    assert slip.status == SlipStatus.OUT
    assert slip.out_by == guard
    client.post(reverse("leave:gate_back", args=[slip.pk]))
    slip.refresh_from_db()
    assert slip.status == SlipStatus.BACK
    assert slip.back_by == guard


def test_it_refuses_a_pending_slip_at_the_gate(login, guard, teacher):
    slip = GoingOutSlipFactory(staff=teacher)
    client = login(guard)
    response = client.post(reverse("leave:gate_out", args=[slip.pk]), follow=True)
    slip.refresh_from_db()
    assert slip.status == SlipStatus.PENDING
    assert response.status_code == 200
    assert 'data-testid="not-valid"' in response.content.decode()


def test_it_hides_another_schools_slip_from_the_guard(login, guard, other_school):
    theirs = GoingOutSlipFactory(school=other_school, approved=True)
    client = login(guard)
    assert client.get(reverse("leave:gate_slip", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("leave:gate_out", args=[theirs.pk])).status_code == 404


def test_it_shows_the_guard_late_returns_on_my_work(login, guard, school):
    now = timezone.now()
    GoingOutSlipFactory(
        school=school,
        out=True,
        planned_out=now - timedelta(hours=3),
        planned_back=now - timedelta(hours=1),
    )
    response = login(guard).get(reverse("dashboard:home"))
    assert "出门逾期未返校" in response.content.decode()
