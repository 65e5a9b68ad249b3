"""Delegations: set one up before going away, end it early."""

from datetime import timedelta

from django.utils import timezone

from houqin.accounts.roles import Position
from houqin.approvals.models import Delegation
from houqin.approvals.tests.factories import DelegationFactory


def _form(to_staff, **fields):
    today = timezone.localdate()
    return {
        "to_staff": to_staff.pk,
        "start": today.isoformat(),
        "end": (today + timedelta(days=3)).isoformat(),
        "reason": "外出培训",
        **fields,
    }


def test_it_sets_up_my_delegation(login, org):
    response = login(org.principal).post(
        "/approvals/delegations/", _form(org.vice_principal, kinds=["leave", "going_out"])
    )
    assert response.status_code == 302
    delegation = Delegation.objects.get()
    assert delegation.from_staff == org.principal
    assert delegation.to_staff == org.vice_principal
    assert delegation.created_by == org.principal
    assert delegation.school == org.school
    assert delegation.kinds == ["leave", "going_out"]
    body = login(org.vice_principal).get("/approvals/delegations/").content.decode()
    assert "陈校长 不在时由 谢副校长 代为审批" in body
    assert "请假、外出" in body


def test_it_refuses_a_bad_delegation_and_keeps_what_was_typed(login, org, other_school, make_staff):
    client = login(org.principal)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    body = client.post(
        "/approvals/delegations/", _form(org.principal, end=yesterday)
    ).content.decode()
    assert "代理人不能是委托人本人" in body
    assert "结束日期" in body
    assert "外出培训" in body
    stranger = make_staff(other_school, name="外校人")
    client.post("/approvals/delegations/", _form(stranger))
    assert not Delegation.objects.exists()


def test_it_lets_a_manager_delegate_for_someone_else(login, org, sysadmin):
    login(sysadmin).post(
        "/approvals/delegations/", _form(org.vice_principal, from_staff=org.principal.pk)
    )
    delegation = Delegation.objects.get()
    assert (delegation.from_staff, delegation.created_by) == (org.principal, sysadmin)


def test_it_ignores_from_staff_from_someone_who_may_not(login, org):
    login(org.teacher).post(
        "/approvals/delegations/", _form(org.vice_principal, from_staff=org.principal.pk)
    )
    assert Delegation.objects.get().from_staff == org.teacher


def test_it_lists_only_my_delegations(login, org, make_staff):
    DelegationFactory(from_staff=org.principal, to_staff=org.vice_principal)
    body = login(org.teacher).get("/approvals/delegations/").content.decode()
    assert "陈校长 不在时" not in body


def test_it_ends_a_delegation_early(login, org):
    delegation = DelegationFactory(
        from_staff=org.principal,
        to_staff=org.vice_principal,
        end=timezone.localdate() + timedelta(days=5),
    )
    assert (
        login(org.vice_principal).post(f"/approvals/delegations/{delegation.pk}/end/").status_code
        == 403
    )
    response = login(org.principal).post(f"/approvals/delegations/{delegation.pk}/end/")
    assert response.status_code == 302
    delegation.refresh_from_db()
    assert delegation.ended_at is not None and not delegation.in_force
    assert Delegation.objects.acting_for(org.vice_principal) == []


def test_it_hides_another_schools_delegation(login, org, other_school, make_staff):
    theirs = DelegationFactory(
        from_staff=make_staff(other_school, name="甲"), to_staff=make_staff(other_school, name="乙")
    )
    assert login(org.principal).post(f"/approvals/delegations/{theirs.pk}/end/").status_code == 404


def test_it_lists_delegations_in_few_queries(
    login, org, sysadmin, make_staff, django_assert_max_num_queries
):
    for n in range(20):
        DelegationFactory(
            from_staff=make_staff(org.school, Position.TEACHER, name=f"甲{n}"),
            to_staff=org.vice_principal,
            created_by=sysadmin,
        )
    client = login(sysadmin)
    with django_assert_max_num_queries(16):
        response = client.get("/approvals/delegations/")
    assert response.content.decode().count("代为审批") == 20


def test_it_refuses_a_person_that_is_not_an_id_in_chinese(login, org, sysadmin):
    data = {**_form(org.principal, from_staff="x1", reason="外出开会"), "to_staff": "abc"}
    response = login(sysadmin).post("/approvals/delegations/", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "to_staff" in form.errors and "from_staff" in form.errors
    assert "外出开会" in response.content.decode()
    assert not Delegation.objects.exists()
