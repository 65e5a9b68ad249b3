"""Stock never negative, approval → issue (in parts), returns, counts → adjustments, and a
ledger that cannot be changed."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from houqin.accounts.roles import Position
from houqin.approvals import services as approvals
from houqin.supplies import services
from houqin.supplies.models import (
    CountStatus,
    LedgerError,
    MoveKind,
    RequisitionStatus,
    Stock,
    StockMove,
)
from houqin.supplies.services import SupplyError
from houqin.supplies.tests.factories import ItemFactory, StoreFactory, put_in, self_approving_flow

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(school, manager):
    return StoreFactory(school=school, keeper=manager, name="总务库房")


@pytest.fixture
def paper(school):
    return ItemFactory(school=school, name="A4复印纸", unit="包", last_price=25)


@pytest.fixture
def drill(school):
    return ItemFactory(school=school, name="电钻", unit="把", returnable=True, last_price=300)


def _approved(school, manager, teacher, store, lines):
    self_approving_flow(school)
    requisition = services.requisition_submit(
        by=teacher, store=store, purpose="期中考试", lines=lines
    )
    assert requisition.status == RequisitionStatus.PENDING
    approvals.approve(approvals.latest_for(requisition), by=manager)
    requisition.refresh_from_db()
    return requisition


def test_it_stocks_in_and_sets_the_latest_price(school, manager, store, paper):
    stock_in = services.stock_in_create(
        by=manager,
        store=store,
        supplier="晨光文具",
        date=date(2026, 3, 1),
        lines=[(paper, 40, "23.50")],
    )
    assert Stock.objects.get(store=store, item=paper).quantity == 40
    paper.refresh_from_db()
    assert str(paper.last_price) == "23.50"
    assert stock_in.moves.get().kind == MoveKind.IN


def test_it_refuses_a_stock_in_by_someone_else(school, teacher, store, paper):
    with pytest.raises(SupplyError, match="库管员"):
        services.stock_in_create(
            by=teacher, store=store, supplier="x", date=date(2026, 3, 1), lines=[(paper, 1, 1)]
        )


def test_it_approves_then_issues_in_parts(school, manager, teacher, store, paper):
    put_in(store, paper, 10, by=manager)
    requisition = _approved(school, manager, teacher, store, [(paper, 8)])
    assert requisition.status == RequisitionStatus.APPROVED
    assert requisition.amount == 200
    line = requisition.lines.get()
    services.requisition_issue(requisition, by=manager, quantities={line.pk: 5})
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.PARTIAL
    services.requisition_issue(requisition, by=manager, quantities={line.pk: 3})
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.ISSUED
    assert Stock.objects.get(store=store, item=paper).quantity == 2
    issued = StockMove.objects.filter(kind=MoveKind.ISSUE, person=teacher)
    assert sorted(issued.values_list("quantity", flat=True)) == [-5, -3]


def test_it_refuses_to_issue_more_than_is_left_naming_the_item(
    school, manager, teacher, store, paper
):
    put_in(store, paper, 10, by=manager)
    requisition = _approved(school, manager, teacher, store, [(paper, 8)])
    # Someone else took most of it meanwhile.
    Stock.objects.filter(store=store, item=paper).update(quantity=3)
    with pytest.raises(SupplyError) as refused:
        services.requisition_issue(
            requisition, by=manager, quantities={requisition.lines.get().pk: 8}
        )
    assert "A4复印纸" in str(refused.value) and "只剩 3包" in str(refused.value)
    assert Stock.objects.get(store=store, item=paper).quantity == 3
    assert not StockMove.objects.filter(kind=MoveKind.ISSUE).exists()


def test_it_refuses_a_requisition_above_the_stock(school, teacher, store, paper, manager):
    put_in(store, paper, 2, by=manager)
    self_approving_flow(school)
    with pytest.raises(SupplyError, match="只剩 2包"):
        services.requisition_submit(by=teacher, store=store, purpose="x", lines=[(paper, 5)])


def test_it_follows_a_rejection(school, manager, teacher, store, paper):
    put_in(store, paper, 10, by=manager)
    self_approving_flow(school)
    requisition = services.requisition_submit(
        by=teacher, store=store, purpose="x", lines=[(paper, 1)]
    )
    approvals.reject(approvals.latest_for(requisition), by=manager, comment="不需要")
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.REJECTED
    with pytest.raises(SupplyError, match="不能发放"):
        services.requisition_issue(
            requisition, by=manager, quantities={requisition.lines.get().pk: 1}
        )


def test_it_takes_back_only_what_is_held(school, manager, teacher, store, paper, drill):
    put_in(store, drill, 3, by=manager)
    put_in(store, paper, 3, by=manager)
    requisition = _approved(school, manager, teacher, store, [(drill, 2), (paper, 1)])
    lines = {line.item_id: line for line in requisition.lines.all()}
    services.requisition_issue(
        requisition, by=manager, quantities={lines[drill.pk].pk: 2, lines[paper.pk].pk: 1}
    )
    with pytest.raises(SupplyError, match="未还 2把"):
        services.requisition_return(requisition, by=manager, quantities={lines[drill.pk].pk: 3})
    with pytest.raises(SupplyError, match="消耗品"):
        services.requisition_return(requisition, by=manager, quantities={lines[paper.pk].pk: 1})
    with pytest.raises(SupplyError, match="库管员"):
        services.requisition_return(requisition, by=teacher, quantities={lines[drill.pk].pk: 1})
    services.requisition_return(requisition, by=manager, quantities={lines[drill.pk].pk: 2})
    assert Stock.objects.get(store=store, item=drill).quantity == 3


def test_it_turns_count_differences_into_adjustments(school, manager, store, paper, drill):
    put_in(store, paper, 10, by=manager)
    put_in(store, drill, 2, by=manager)
    sheet = services.count_create(by=manager, store=store, title="期末盘库")
    lines = {line.item_id: line for line in sheet.lines.all()}
    assert lines[paper.pk].book_quantity == 10
    services.count_record(
        sheet, by=manager, entries={lines[paper.pk].pk: (7, ""), lines[drill.pk].pk: (2, "")}
    )
    with pytest.raises(SupplyError, match="差异原因"):
        services.count_apply(sheet, by=manager)
    services.count_record(sheet, by=manager, entries={lines[paper.pk].pk: (7, "受潮报损")})
    services.count_apply(sheet, by=manager)
    sheet.refresh_from_db()
    assert sheet.status == CountStatus.APPLIED
    adjustment = StockMove.objects.get(kind=MoveKind.ADJUST)
    assert (adjustment.item, adjustment.quantity, adjustment.note) == (paper, -3, "受潮报损")
    assert Stock.objects.get(store=store, item=paper).quantity == 7
    with pytest.raises(SupplyError, match="不能修改"):
        services.count_apply(sheet, by=manager)


def test_it_transfers_between_stores(school, manager, store, paper):
    other = StoreFactory(school=school, keeper=manager, name="分校库房")
    put_in(store, paper, 5, by=manager)
    services.store_transfer(by=manager, source=store, target=other, item=paper, quantity=2)
    assert Stock.objects.get(store=other, item=paper).quantity == 2
    with pytest.raises(SupplyError, match="只剩 3包"):
        services.store_transfer(by=manager, source=store, target=other, item=paper, quantity=4)


def test_it_keeps_the_ledger_unchanged(school, manager, store, paper):
    put_in(store, paper, 5, by=manager)
    move = StockMove.objects.get()
    with pytest.raises(LedgerError):
        move.save()
    with pytest.raises(LedgerError):
        move.delete()
    with pytest.raises(LedgerError):
        StockMove.objects.update(quantity=1)


def test_it_never_lets_stock_go_negative_in_the_database(school, manager, store, paper):
    stock = put_in(store, paper, 1, by=manager)
    with pytest.raises(IntegrityError), transaction.atomic():
        Stock.objects.filter(pk=stock.pk).update(quantity=-1)


def test_it_needs_a_department_head_in_the_demo_flow(school, make_staff, store, paper, manager):
    """Without a requisition flow the submit is refused in Chinese and nothing is saved."""
    put_in(store, paper, 5, by=manager)
    teacher = make_staff(school, Position.TEACHER)
    with pytest.raises(SupplyError, match="审批流程"):
        services.requisition_submit(by=teacher, store=store, purpose="x", lines=[(paper, 1)])
    assert not teacher.requisitions.exists()
