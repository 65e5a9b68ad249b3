"""闲置资产: every staff member browses the school's idle cards and asks for one; the
approved request gives it to them and their department."""

import pytest
from django.urls import reverse

from houqin.accounts.roles import Position
from houqin.approvals import services as approvals
from houqin.approvals.models import ApproverType
from houqin.approvals.tests.factories import FlowFactory
from houqin.assets.models import MovementKind, MovementStatus, Status
from houqin.assets.tests.factories import AssetFactory
from houqin.org.tests.factories import DepartmentFactory


@pytest.fixture
def principal(school, make_staff):
    return make_staff(school, Position.PRINCIPAL, name="王校长")


@pytest.fixture
def flow(school, principal):
    return FlowFactory(school=school, kind="transfer", steps=[ApproverType.PRINCIPAL])


def test_it_lists_idle_cards_in_bounded_queries(
    login, school, teacher, other_school, django_assert_max_num_queries
):
    for _index in range(3):
        AssetFactory(school=school, status=Status.IDLE)
    AssetFactory(school=school, status=Status.IN_USE)
    AssetFactory(school=other_school, status=Status.IDLE)
    client = login(teacher)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("assets:idle_pool"))
    assert response.content.decode().count('data-testid="idle-row"') == 3


def test_it_filters_by_text(login, school, teacher):
    AssetFactory(school=school, status=Status.IDLE, name="投影仪")
    AssetFactory(school=school, status=Status.IDLE, name="钢琴")
    response = login(teacher).get(reverse("assets:idle_pool"), {"q": "投影"})
    content = response.content.decode()
    assert "投影仪" in content and "钢琴" not in content


def test_it_requests_an_idle_card(login, school, teacher, principal, flow):
    department = DepartmentFactory(school=school)
    teacher.department = department
    teacher.save()
    card = AssetFactory(school=school, status=Status.IDLE)
    client = login(teacher)
    response = client.post(reverse("assets:idle_request", args=[card.pk]), {"reason": "创客教室"})
    movement = card.movement_lines.get().movement
    assert response.url == movement.get_absolute_url()
    assert movement.kind == MovementKind.IDLE_REQUEST and movement.requested_by == teacher
    assert client.get(movement.get_absolute_url()).status_code == 200
    assert approvals.latest_for(movement).facts["sub_type"] == "闲置调剂"
    # Asked for once: the pool says so instead of offering it again.
    assert "已有人申请" in client.get(reverse("assets:idle_pool")).content.decode()

    approvals.approve(approvals.latest_for(movement), by=principal)
    card.refresh_from_db()
    movement.refresh_from_db()
    assert movement.status == MovementStatus.DONE
    assert card.custodian == teacher and card.using_department == department
    assert card.status == Status.IN_USE


def test_it_refuses_a_card_in_use(login, school, teacher, flow):
    card = AssetFactory(school=school, status=Status.IN_USE)
    response = login(teacher).get(reverse("assets:idle_request", args=[card.pk]))
    assert response.status_code == 404


def test_it_hides_another_schools_idle_card(login, school, other_school, teacher):
    card = AssetFactory(school=other_school, status=Status.IDLE)
    client = login(teacher)
    assert client.get(reverse("assets:idle_request", args=[card.pk])).status_code == 404
    assert client.post(reverse("assets:idle_request", args=[card.pk])).status_code == 404


def test_it_refuses_the_pool_to_someone_without_a_school(client, db):
    from houqin.accounts.tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(reverse("assets:idle_pool")).status_code == 403
