"""The request pages: 待我审批, 我已审批, 我发起的, one request and its buttons, and the
items on 我的工作."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from houqin.accounts.roles import Position
from houqin.approvals import services as approvals
from houqin.approvals.models import ApprovalRequest, ApproverType, RequestStatus
from houqin.approvals.tests.conftest import TEST_KIND
from houqin.approvals.tests.factories import DelegationFactory, FlowFactory
from houqin.org.tests.factories import PlaceFactory


def _url(approval, action=""):
    return f"/approvals/{approval.pk}/{action}"


# 待我审批


def test_it_lists_what_waits_for_me(login, submitted, org):
    body = login(org.grade_leader).get("/approvals/").content.decode()
    assert "张老师 病假 2 天" in body
    assert "病假 · 2 天" in body
    assert "代理" not in body.split('data-testid="inbox"')[1]


def test_it_does_not_list_it_for_the_next_approver_yet(login, submitted, org):
    body = login(org.principal).get("/approvals/").content.decode()
    assert "张老师 病假 2 天" not in body
    assert "没有等待您审批的申请" in body


def test_it_lists_delegated_requests_marked(login, submitted, org, make_staff):
    deputy = make_staff(org.school, Position.TEACHER, name="代理人")
    DelegationFactory(from_staff=org.grade_leader, to_staff=deputy)
    body = login(deputy).get("/approvals/").content.decode()
    assert "张老师 病假 2 天" in body
    assert "代理" in body


def test_it_lists_many_requests_in_few_queries(
    login, org, two_step_flow, django_assert_max_num_queries
):
    campus = org.school.campus_set.get()
    for n in range(25):
        place = PlaceFactory(school=org.school, campus=campus, building=None, floor=None)
        approvals.submit(place, kind=TEST_KIND, requester=org.teacher, title=f"申请{n}")
    client = login(org.grade_leader)
    with django_assert_max_num_queries(16):
        response = client.get("/approvals/")
    assert response.content.decode().count('data-testid="inbox-item"') == 25
    for approval in ApprovalRequest.objects.all()[:10]:
        approvals.approve(approval, by=org.grade_leader)
    with django_assert_max_num_queries(16):
        assert client.get("/approvals/done/").status_code == 200
    client = login(org.teacher)
    with django_assert_max_num_queries(16):
        assert client.get("/approvals/mine/").status_code == 200


def test_it_renders_only_the_results_for_htmx(login, submitted, org):
    response = login(org.grade_leader).get("/approvals/", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "张老师 病假 2 天" in body
    assert "hq-page-header" not in body


def test_it_sends_anonymous_visitors_to_log_in(client, db):
    response = client.get("/approvals/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


# 我发起的 and 我已审批


def test_it_lists_my_requests_with_who_they_wait_for(login, submitted, org):
    body = login(org.teacher).get("/approvals/mine/").content.decode()
    assert "张老师 病假 2 天" in body
    assert "赵组长" in body
    assert "审批中" in body
    assert (
        "张老师 病假 2 天" not in login(org.grade_leader).get("/approvals/mine/").content.decode()
    )


def test_it_lists_what_i_decided(login, submitted, org):
    approvals.approve(submitted, by=org.grade_leader, comment="同意")
    body = login(org.grade_leader).get("/approvals/done/").content.decode()
    assert "张老师 病假 2 天" in body
    assert "已同意" in body


# One request


def test_it_shows_a_request_with_steps_history_and_buttons(login, submitted, org, monkeypatch):
    from houqin.org.models import Place

    monkeypatch.setattr(
        Place, "get_absolute_url", lambda place: f"/org/places/{place.pk}/", raising=False
    )
    body = login(org.grade_leader).get(_url(submitted)).content.decode()
    assert 'data-testid="approve"' in body
    assert 'data-testid="reject"' in body
    assert 'data-testid="return"' in body
    assert "报区备案" in body
    assert "郑科长" in body
    assert "提交" in body
    assert f"/org/places/{submitted.subject_id}/" in body  # the subject's own page


def test_it_shows_no_buttons_to_the_requester_but_withdraw(login, submitted, org):
    body = login(org.teacher).get(_url(submitted)).content.decode()
    assert 'data-testid="approve"' not in body
    assert 'data-testid="withdraw"' in body
    assert 'data-testid="resubmit"' not in body


def test_it_hides_a_request_from_people_not_involved(login, submitted, org, make_staff):
    bystander = make_staff(org.school, Position.TEACHER, name="旁观者")
    assert login(bystander).get(_url(submitted)).status_code == 404
    assert login(bystander).post(_url(submitted, "act/"), {"action": "approve"}).status_code == 404


def test_it_shows_a_request_to_those_who_manage_flows(login, submitted, sysadmin):
    response = login(sysadmin).get(_url(submitted))
    assert response.status_code == 200
    assert 'data-testid="approve"' not in response.content.decode()


def test_it_hides_another_schools_request(login, submitted, other_school, make_staff):
    outsider = make_staff(other_school, Position.SYSTEM_ADMIN, name="外校管理员")
    assert login(outsider).get(_url(submitted)).status_code == 404


def test_it_shows_the_district_officer_a_request_they_approve(login, org, subject, test_kind):
    FlowFactory(school=org.school, kind=TEST_KIND, steps=[ApproverType.DISTRICT])
    approval = approvals.submit(subject, kind=TEST_KIND, requester=org.teacher, title="报区")
    client = login(org.district_officer)
    assert "报区" in client.get("/approvals/").content.decode()
    assert 'data-testid="approve"' in client.get(_url(approval)).content.decode()
    response = client.post(_url(approval, "act/"), {"action": "approve"})
    assert response.status_code == 302
    approval.refresh_from_db()
    assert approval.status == RequestStatus.APPROVED


def test_it_approves_in_one_tap(login, submitted, org):
    client = login(org.grade_leader)
    response = client.post(_url(submitted, "act/"), {"action": "approve"}, follow=True)
    assert "已同意。" in response.content.decode()
    submitted.refresh_from_db()
    assert list(submitted.current_step.approvers.all()) == [org.principal]


def test_it_offers_the_next_request_after_deciding(login, org, subject, two_step_flow):
    first = approvals.submit(subject, kind=TEST_KIND, requester=org.teacher, title="第一项")
    place = PlaceFactory(school=org.school, campus=subject.campus, building=None, floor=None)
    second = approvals.submit(place, kind=TEST_KIND, requester=org.teacher, title="第二项")
    client = login(org.grade_leader)
    response = client.post(_url(first, "act/"), {"action": "approve"}, follow=True)
    assert f'href="/approvals/{second.pk}/"' in response.content.decode()


def test_it_keeps_the_typed_comment_when_a_reason_is_missing(login, submitted, org):
    response = login(org.grade_leader).post(_url(submitted, "act/"), {"action": "reject"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "不同意时请填写理由。" in body
    submitted.refresh_from_db()
    assert submitted.status == RequestStatus.PENDING


def test_it_sends_back_with_a_comment(login, submitted, org):
    response = login(org.grade_leader).post(
        _url(submitted, "act/"), {"action": "return", "comment": "请附病历"}
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == RequestStatus.RETURNED
    body = login(org.teacher).get(_url(submitted)).content.decode()
    assert 'data-testid="resubmit"' in body
    assert "请附病历" in body


def test_it_says_why_a_decision_is_refused_and_keeps_the_comment(login, submitted, org):
    approvals.approve(submitted, by=org.grade_leader)
    response = login(org.grade_leader).post(
        _url(submitted, "act/"), {"action": "approve", "comment": "我的意见"}
    )
    body = response.content.decode()
    assert "当前状态为" not in body  # still pending: the refusal is about the person
    assert "您不是这一步的审批人，不能办理。" in body


def test_it_lets_the_requester_withdraw_and_resubmit(login, submitted, org):
    client = login(org.teacher)
    approvals.send_back(submitted, by=org.grade_leader, comment="改一下")
    client.post(_url(submitted, "act/"), {"action": "resubmit", "comment": "改好了"})
    submitted.refresh_from_db()
    assert submitted.status == RequestStatus.PENDING and submitted.round == 2
    client.post(_url(submitted, "act/"), {"action": "withdraw"})
    submitted.refresh_from_db()
    assert submitted.status == RequestStatus.WITHDRAWN


def test_it_refuses_a_get_on_the_action_url(login, submitted, org):
    assert login(org.grade_leader).get(_url(submitted, "act/")).status_code == 405


def test_it_refuses_an_unknown_action(login, submitted, org):
    response = login(org.grade_leader).post(_url(submitted, "act/"), {"action": "delete"})
    assert response.status_code == 200
    submitted.refresh_from_db()
    assert submitted.status == RequestStatus.PENDING


def test_it_shows_the_detail_in_few_queries(login, submitted, org, django_assert_max_num_queries):
    approvals.approve(submitted, by=org.grade_leader, comment="同意")
    client = login(org.principal)
    with django_assert_max_num_queries(25):
        assert client.get(_url(submitted)).status_code == 200


# 我的工作


def test_it_puts_waiting_requests_on_my_work(login, submitted, org):
    body = login(org.grade_leader).get("/").content.decode()
    assert "待我审批" in body
    assert "审批：张老师 病假 2 天" in body
    assert f'href="/approvals/{submitted.pk}/"' in body
    assert "审批：" not in login(org.principal).get("/").content.decode()


def test_it_marks_a_request_older_than_a_day_urgent(rf, submitted, org):
    from houqin.approvals.work import pending_approvals

    request = rf.get("/")
    request.staff = org.grade_leader
    assert not any(item.urgent for item in pending_approvals(request))
    ApprovalRequest.objects.filter(pk=submitted.pk).update(
        submitted_at=timezone.now() - timedelta(days=1, minutes=1)
    )
    items = pending_approvals(request)
    assert items[0].title == "待我审批" and items[0].count == 1
    assert all(item.urgent for item in items)


@pytest.mark.parametrize("count", [3, 8])
def test_it_counts_on_my_work_in_few_queries(
    rf, org, two_step_flow, count, django_assert_max_num_queries
):
    from houqin.approvals.work import pending_approvals

    campus = org.school.campus_set.get()
    for n in range(count):
        place = PlaceFactory(school=org.school, campus=campus, building=None, floor=None)
        approvals.submit(
            place,
            kind=TEST_KIND,
            requester=org.teacher,
            title=f"申请{n}",
            facts={"days": Decimal("1")},
        )
    request = rf.get("/")
    request.staff = org.grade_leader
    with django_assert_max_num_queries(3):
        items = pending_approvals(request)
    assert items[0].count == count
    assert len(items) == 1 + min(count, 5)


def test_it_forbids_a_login_without_a_staff_record(client, django_user_model):
    user = django_user_model.objects.create_user(username="nobody", password="x")
    client.force_login(user)
    assert client.get("/approvals/").status_code == 403
    assert client.get("/approvals/mine/").status_code == 403
    assert client.get("/approvals/delegations/").status_code == 403


def test_it_refuses_a_click_meant_for_a_step_already_decided(login, submitted, org, make_staff):
    """A deputy for both the grade leader and the principal has the page open at the
    grade leader's step; the grade leader approves meanwhile. The deputy's 同意 was meant
    for that step and must not approve the principal's."""
    deputy = make_staff(org.school, Position.TEACHER, name="代理人")
    DelegationFactory(from_staff=org.grade_leader, to_staff=deputy)
    DelegationFactory(from_staff=org.principal, to_staff=deputy)
    client = login(deputy)
    shown = client.get(_url(submitted)).context["approval"].current_step_id
    approvals.approve(submitted, by=org.grade_leader)

    response = client.post(_url(submitted, "act/"), {"action": "approve", "step": shown})
    assert response.status_code == 200
    assert "这个申请已有新的进展" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == RequestStatus.PENDING
    assert list(submitted.current_step.approvers.all()) == [org.principal]

    # Looking again and deciding the step now shown works.
    shown = client.get(_url(submitted)).context["approval"].current_step_id
    response = client.post(_url(submitted, "act/"), {"action": "approve", "step": shown})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == RequestStatus.APPROVED


def test_it_sends_the_shown_step_with_the_decision(login, submitted, org):
    body = login(org.grade_leader).get(_url(submitted)).content.decode()
    assert f'name="step" value="{submitted.current_step_id}"' in body


def test_it_hides_from_a_delegate_the_kinds_not_delegated(login, submitted, org, make_staff):
    deputy = make_staff(org.school, Position.TEACHER, name="代理人")
    delegation = DelegationFactory(from_staff=org.grade_leader, to_staff=deputy, kinds=["leave"])
    assert login(deputy).get(_url(submitted)).status_code == 404
    delegation.kinds = [TEST_KIND]
    delegation.save()
    assert login(deputy).get(_url(submitted)).status_code == 200


@pytest.mark.parametrize(
    "data",
    [
        {"action": "zzz"},
        {},
        {"action": "approve", "step": "abc"},
        {"action": "approve", "comment": "长" * 600},
    ],
)
def test_it_answers_a_garbled_decision_without_an_error_page(login, submitted, org, data):
    response = login(org.grade_leader).post(_url(submitted, "act/"), data)
    assert response.status_code == 200
    submitted.refresh_from_db()
    assert submitted.status == RequestStatus.PENDING


@pytest.mark.parametrize(
    "url", ["/approvals/?page=abc", "/approvals/done/?page=-1", "/approvals/mine/?page=x"]
)
def test_it_answers_a_garbled_page_number(login, submitted, org, url):
    assert login(org.teacher).get(url).status_code == 200
