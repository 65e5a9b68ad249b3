"""The consumables screens through HTTP: the cart → approval → issue, 403 without the
permission, 404 for another school's records, bounded queries on the lists."""

import pytest
from django.urls import reverse

from houqin.approvals import services as approvals
from houqin.supplies.models import Requisition, RequisitionStatus, Stock
from houqin.supplies.tests.factories import ItemFactory, StoreFactory, put_in, self_approving_flow

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(school, manager):
    return StoreFactory(school=school, keeper=manager, name="总务库房")


@pytest.fixture
def paper(school, store, manager):
    item = ItemFactory(school=school, name="A4复印纸", unit="包", last_price=25, min_stock=50)
    put_in(store, item, 10, by=manager)
    return item


def test_it_requests_approves_and_issues(login, school, teacher, manager, store, paper):
    self_approving_flow(school)
    client = login(teacher)
    response = client.post(
        reverse("supplies:request"), {"store": store.pk, f"qty_{paper.pk}": "4", "purpose": "考试"}
    )
    requisition = Requisition.objects.get()
    assert response.url == reverse("supplies:detail", args=[requisition.pk])
    approvals.approve(approvals.latest_for(requisition), by=manager)
    client = login(manager)
    line = requisition.lines.get()
    assert "待发放" in client.get(reverse("supplies:queue")).content.decode()
    client.post(reverse("supplies:issue", args=[requisition.pk]), {f"qty_{line.pk}": "4"})
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.ISSUED
    assert Stock.objects.get(item=paper).quantity == 6


def test_it_shows_a_shortage_in_chinese(login, school, teacher, store, paper):
    self_approving_flow(school)
    response = login(teacher).post(
        reverse("supplies:request"),
        {"store": store.pk, f"qty_{paper.pk}": "40", "purpose": "考试"},
        follow=True,
    )
    assert "只剩 10包" in response.content.decode()
    assert not Requisition.objects.exists()


@pytest.mark.parametrize(
    "name", ["supplies:items", "supplies:stores", "supplies:counts", "supplies:reports"]
)
def test_it_refuses_teachers_the_manager_pages(login, teacher, name):
    assert login(teacher).get(reverse(name)).status_code == 403


def test_it_refuses_a_teacher_the_issue(login, school, teacher, store, paper):
    requisition = Requisition.objects.create(
        school=school, requester=teacher, store=store, purpose="x", status="approved"
    )
    response = login(teacher).post(reverse("supplies:issue", args=[requisition.pk]), {})
    assert response.status_code == 403


def test_it_hides_another_schools_requisition(login, other_school, manager, make_staff):
    stranger = make_staff(other_school)
    store = StoreFactory(school=other_school)
    requisition = Requisition.objects.create(
        school=other_school, requester=stranger, store=store, purpose="x"
    )
    assert login(manager).get(reverse("supplies:detail", args=[requisition.pk])).status_code == 404


def test_it_hides_someone_elses_requisition_from_a_teacher(
    login, school, teacher, make_staff, store
):
    other = make_staff(school)
    requisition = Requisition.objects.create(
        school=school, requester=other, store=store, purpose="x"
    )
    assert login(teacher).get(reverse("supplies:detail", args=[requisition.pk])).status_code == 404


@pytest.mark.parametrize(
    "name",
    [
        "supplies:items",
        "supplies:mine",
        "supplies:queue",
        "supplies:returns",
        "supplies:stock_ins",
        "supplies:counts",
        "supplies:reports",
        "supplies:stores",
        "supplies:request",
    ],
)
def test_it_lists_with_bounded_queries(
    login, school, manager, store, name, django_assert_max_num_queries
):
    for index in range(12):
        item = ItemFactory(school=school, returnable=index % 2 == 0)
        put_in(store, item, 5, by=manager)
    client = login(manager)
    with django_assert_max_num_queries(25):
        assert client.get(reverse(name)).status_code == 200


def test_it_exports_the_ledger(login, manager, paper):
    response = login(manager).get(
        reverse("supplies:returns_export"), {"start": "2020-01-01", "end": "2030-01-01"}
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
