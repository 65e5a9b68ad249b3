"""Flow administration: the list by kind, a flow's page, the editor with its steps,
archive and restore, and 试算."""

from decimal import Decimal

import pytest

from houqin.accounts.roles import Position
from houqin.approvals.demo import load
from houqin.approvals.models import ApproverType, Flow
from houqin.approvals.tests.factories import FlowFactory


@pytest.fixture
def leave_flow(school):
    return FlowFactory(
        school=school,
        kind="leave",
        name="一天以内",
        max_days=Decimal("1"),
        steps=[ApproverType.GRADE_LEADER, ApproverType.PRINCIPAL],
    )


def _post(flow_fields, steps, *, initial=0):
    """The editor's POST: the flow's fields and its step rows."""
    data = {
        "kind": "leave",
        "name": "新流程",
        "priority": "100",
        "steps-TOTAL_FORMS": str(len(steps)),
        "steps-INITIAL_FORMS": str(initial),
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
        **flow_fields,
    }
    for index, step in enumerate(steps):
        for key, value in step.items():
            data[f"steps-{index}-{key}"] = value
    return data


# Who may


@pytest.mark.parametrize(
    "url",
    ["/approvals/flows/", "/approvals/flows/new/", "/approvals/flows/simulate/"],
)
def test_it_forbids_flow_pages_without_manage_flows(login, teacher, url):
    assert login(teacher).get(url).status_code == 403


def test_it_forbids_a_flows_pages_without_manage_flows(login, teacher, manager, leave_flow):
    for suffix in ("", "edit/"):
        assert login(manager).get(f"/approvals/flows/{leave_flow.pk}/{suffix}").status_code == 403
    assert login(teacher).post(f"/approvals/flows/{leave_flow.pk}/archive/").status_code == 403


def test_it_hides_another_schools_flow(login, sysadmin, other_school):
    theirs = FlowFactory(school=other_school, steps=[ApproverType.PRINCIPAL])
    assert login(sysadmin).get(f"/approvals/flows/{theirs.pk}/").status_code == 404
    assert login(sysadmin).get(f"/approvals/flows/{theirs.pk}/edit/").status_code == 404


# The list and a flow's page


def test_it_lists_flows_by_kind(login, sysadmin, leave_flow):
    body = login(sysadmin).get("/approvals/flows/").content.decode()
    assert "请假" in body and "资产处置" in body
    assert "一天以内" in body
    assert "天数 ≤ 1" in body
    assert "申请人的年级组长" in body


def test_it_lists_the_demo_flows_in_few_queries(
    login, sysadmin, school, django_assert_max_num_queries
):
    load(school, {})
    client = login(sysadmin)
    with django_assert_max_num_queries(14):
        response = client.get("/approvals/flows/")
    assert response.content.decode().count('data-testid="flow"') == Flow.objects.count()


def test_it_shows_a_flow_with_its_history(login, sysadmin, leave_flow):
    client = login(sysadmin)
    client.post(
        f"/approvals/flows/{leave_flow.pk}/edit/",
        _post(
            {"name": "一天以内（改）", "max_days": "1"},
            [
                {"id": step.pk, "approver_type": step.approver_type, "ORDER": str(n)}
                for n, step in enumerate(leave_flow.steps.all(), start=1)
            ]
            + [{"approver_type": ApproverType.DISTRICT, "notify_only": "on", "ORDER": "3"}],
            initial=2,
        ),
    )
    body = client.get(f"/approvals/flows/{leave_flow.pk}/").content.decode()
    assert "一天以内（改）" in body
    assert "区县教育局" in body
    assert "步骤“区县教育局”" in body  # the added step, in the flow's history


# The editor


def test_it_creates_a_flow_with_ordered_steps(login, sysadmin, school, other_school):
    response = login(sysadmin).post(
        "/approvals/flows/new/",
        _post(
            {
                "name": "病假三天以上",
                "min_days": "3",
                "sub_types": "病假、事假",
                "requester_positions": [Position.TEACHER, Position.CLASS_TEACHER],
                "school": other_school.pk,
            },
            [
                {"approver_type": ApproverType.DISTRICT, "notify_only": "on", "ORDER": "3"},
                {"approver_type": ApproverType.PRINCIPAL, "ORDER": "1"},
                {
                    "approver_type": ApproverType.POSITION,
                    "position": Position.LOGISTICS_MANAGER,
                    "label": "后勤备案",
                    "ORDER": "2",
                },
                {"approver_type": "", "ORDER": "4"},  # an added row left empty
            ],
        ),
    )
    flow = Flow.objects.get(name="病假三天以上")
    assert response.status_code == 302
    assert response.url == f"/approvals/flows/{flow.pk}/"
    assert flow.school == school
    assert flow.min_days == Decimal("3")
    assert flow.sub_types == ["病假", "事假"]
    assert flow.requester_positions == [Position.TEACHER, Position.CLASS_TEACHER]
    assert [(s.order, s.approver_type, s.notify_only) for s in flow.steps.all()] == [
        (1, ApproverType.PRINCIPAL, False),
        (2, ApproverType.POSITION, False),
        (3, ApproverType.DISTRICT, True),
    ]


def test_it_reorders_and_removes_steps(login, sysadmin, leave_flow):
    grade_leader, principal = leave_flow.steps.all()
    login(sysadmin).post(
        f"/approvals/flows/{leave_flow.pk}/edit/",
        _post(
            {"name": leave_flow.name, "max_days": "1"},
            [
                {"id": grade_leader.pk, "approver_type": ApproverType.GRADE_LEADER, "ORDER": "2"},
                {"id": principal.pk, "approver_type": ApproverType.PRINCIPAL, "ORDER": "1"},
                {"approver_type": ApproverType.DEPARTMENT_HEAD, "ORDER": "3", "DELETE": "on"},
            ],
            initial=2,
        ),
    )
    assert [(s.order, s.approver_type) for s in leave_flow.steps.all()] == [
        (1, ApproverType.PRINCIPAL),
        (2, ApproverType.GRADE_LEADER),
    ]
    login(sysadmin).post(
        f"/approvals/flows/{leave_flow.pk}/edit/",
        _post(
            {"name": leave_flow.name, "max_days": "1"},
            [
                {"id": principal.pk, "approver_type": ApproverType.PRINCIPAL, "ORDER": "1"},
                {
                    "id": grade_leader.pk,
                    "approver_type": ApproverType.GRADE_LEADER,
                    "ORDER": "2",
                    "DELETE": "on",
                },
            ],
            initial=2,
        ),
    )
    assert [s.approver_type for s in leave_flow.steps.all()] == [ApproverType.PRINCIPAL]


@pytest.mark.parametrize(
    ("fields", "steps", "message"),
    [
        ({"name": ""}, [{"approver_type": "principal"}], "这个字段是必填项"),
        ({"min_days": "3", "max_days": "1"}, [{"approver_type": "principal"}], "必须小于"),
        ({"min_amount": "100"}, [{"approver_type": "principal"}], "“请假”不按金额审批"),
        ({"sub_types": "年假"}, [{"approver_type": "principal"}], "“请假”没有这些类型：年假"),
        ({"max_days": "0.25"}, [{"approver_type": "principal"}], "小数不超过 1 位"),
        ({}, [], "流程至少要有一个需要审批的步骤"),
        ({}, [{"approver_type": "district", "notify_only": "on"}], "至少要有一个需要审批"),
        ({}, [{"approver_type": "position"}], "请选择职务。"),
        ({}, [{"approver_type": "person"}], "请选择人员。"),
    ],
)
def test_it_refuses_a_bad_flow_and_keeps_what_was_typed(login, sysadmin, fields, steps, message):
    data = _post({"note": "我写的说明", **fields}, steps)
    response = login(sysadmin).post("/approvals/flows/new/", data)
    body = response.content.decode()
    assert response.status_code == 200
    assert message in body
    assert "我写的说明" in body
    assert not Flow.objects.exists()


def test_it_refuses_a_duplicate_name_within_the_kind(login, sysadmin, leave_flow):
    data = _post({"name": "一天以内"}, [{"approver_type": "principal"}])
    body = login(sysadmin).post("/approvals/flows/new/", data).content.decode()
    assert "这个事项已有同名的流程" in body


def test_it_names_a_person_of_the_school_only(login, sysadmin, other_school, make_staff):
    stranger = make_staff(other_school, name="外校人")
    data = _post({}, [{"approver_type": "person", "person": str(stranger.pk)}])
    response = login(sysadmin).post("/approvals/flows/new/", data)
    assert response.status_code == 200
    assert not Flow.objects.exists()


def test_it_adds_an_empty_step_row_without_losing_anything(login, sysadmin):
    data = _post({"name": "草稿", "add_step": "1"}, [{"approver_type": "principal"}])
    response = login(sysadmin).post("/approvals/flows/new/", data)
    body = response.content.decode()
    assert body.count('data-testid="step-row"') == 3  # two rows and the template
    assert 'value="草稿"' in body
    assert not Flow.objects.exists()


def test_it_starts_a_new_flow_of_the_kind_asked_for(login, sysadmin):
    body = login(sysadmin).get("/approvals/flows/new/?kind=purchase").content.decode()
    assert '<option value="purchase" selected>' in body
    assert body.count('data-testid="step-row"') == 2  # one empty row and the template


# Archive and restore


def test_it_archives_and_restores_a_flow(login, sysadmin, leave_flow):
    client = login(sysadmin)
    client.post(f"/approvals/flows/{leave_flow.pk}/archive/", {"reason": "改用新流程"})
    client.get("/approvals/flows/")  # shows the message "已停用“一天以内”" once
    leave_flow.refresh_from_db()
    assert not leave_flow.is_active and leave_flow.archive_reason == "改用新流程"
    assert "一天以内" not in client.get("/approvals/flows/").content.decode()
    assert "一天以内" in client.get("/approvals/flows/?archived=on").content.decode()
    client.post(f"/approvals/flows/{leave_flow.pk}/restore/")
    leave_flow.refresh_from_db()
    assert leave_flow.is_active


def test_it_needs_a_reason_to_archive(login, sysadmin, leave_flow):
    response = login(sysadmin).post(f"/approvals/flows/{leave_flow.pk}/archive/", follow=True)
    assert "请填写停用原因" in response.content.decode()
    leave_flow.refresh_from_db()
    assert leave_flow.is_active


# 试算


def test_it_simulates_which_flow_and_who(login, org, sysadmin):
    load(org.school, {})
    body = (
        login(sysadmin)
        .get(
            "/approvals/flows/simulate/",
            {"kind": "leave", "requester": org.teacher.pk, "days": "4"},
        )
        .content.decode()
    )
    assert "适用流程：" in body and "三天以上" in body
    assert "陈校长" in body
    assert "郑科长" in body and "仅知会" in body


def test_it_simulates_a_skip_and_the_fallback(login, org, sysadmin, make_staff):
    load(org.school, {})
    loner = make_staff(org.school, Position.TEACHER, name="孤老师")
    body = (
        login(sysadmin)
        .get(
            "/approvals/flows/simulate/",
            {"kind": "leave", "requester": loner.pk, "days": "0.5"},
        )
        .content.decode()
    )
    assert "跳过：申请人不属于任何年级" in body
    assert "兜底" in body


def test_it_says_when_no_flow_matches(login, org, sysadmin):
    body = (
        login(sysadmin)
        .get("/approvals/flows/simulate/", {"kind": "purchase", "requester": org.teacher.pk})
        .content.decode()
    )
    assert "没有适用于这个采购申请的审批流程" in body


def test_it_refuses_a_requester_of_another_school(login, sysadmin, other_school, make_staff):
    stranger = make_staff(other_school, name="外校人")
    response = login(sysadmin).get(
        "/approvals/flows/simulate/", {"kind": "leave", "requester": stranger.pk}
    )
    assert "适用流程" not in response.content.decode()


def test_it_answers_garbled_ids_and_numbers_without_an_error_page(login, sysadmin):
    client = login(sysadmin)
    response = client.get(
        "/approvals/flows/simulate/", {"kind": "zzz", "requester": "abc", "days": "abc"}
    )
    assert response.status_code == 200
    assert "requester" in response.context["form"].errors

    data = _post(
        {"name": "草稿", "min_days": "abc"},
        [{"approver_type": "person", "person": "abc", "ORDER": "x"}],
    )
    response = client.post("/approvals/flows/new/", data)
    assert response.status_code == 200
    assert 'value="草稿"' in response.content.decode()

    data.update({"steps-TOTAL_FORMS": "abc", "add_step": "1"})
    assert client.post("/approvals/flows/new/", data).status_code == 200
    assert not Flow.objects.exists()
