"""调拨 and 退库: submit through approvals; approved moves the cards, refused moves none;
a card is in one open movement at a time; the pages with their 403 and 404."""

from decimal import Decimal

import pytest
from django.urls import reverse

from houqin.accounts.roles import Position
from houqin.approvals import services as approvals
from houqin.approvals.models import ApproverType
from houqin.approvals.tests.factories import FlowFactory
from houqin.assets import services_moves as moves
from houqin.assets.models import AssetEvent, MovementKind, MovementStatus, Status
from houqin.assets.services import AssetError
from houqin.assets.tests.factories import AssetFactory, place_in
from houqin.org.models import PlaceType
from houqin.org.tests.factories import DepartmentFactory


@pytest.fixture
def clerk(school, make_staff):
    return make_staff(school, Position.ASSET_CLERK, name="刘刚")


@pytest.fixture
def principal(school, make_staff):
    return make_staff(school, Position.PRINCIPAL, name="王校长")


@pytest.fixture
def flow(school, principal):
    return FlowFactory(
        school=school, kind="transfer", name="资产调拨", steps=[ApproverType.PRINCIPAL]
    )


def transfer(clerk, cards, **kwargs):
    kwargs.setdefault("reason", "教室调整")
    return moves.movement_create(
        by=clerk,
        kind=kwargs.pop("kind", MovementKind.TRANSFER),
        asset_ids=[card.pk for card in cards],
        **kwargs,
    )


def test_it_moves_the_cards_when_approved(school, clerk, principal, flow, teacher):
    card = AssetFactory(school=school)
    room, dept = place_in(school), DepartmentFactory(school=school)
    movement = transfer(clerk, [card], to_place=room, to_department=dept, to_custodian=teacher)
    assert movement.number.startswith("DB-") and movement.status == MovementStatus.PENDING
    approval = approvals.latest_for(movement)
    assert approval.facts["amount"] == "4800.00" and approval.facts["sub_type"] == "调拨"
    card.refresh_from_db()
    assert card.place_id != room.pk  # nothing moves before the approval

    approvals.approve(approval, by=principal)

    movement.refresh_from_db()
    card.refresh_from_db()
    assert movement.status == MovementStatus.DONE
    assert (card.place, card.using_department, card.custodian) == (room, dept, teacher)
    event = card.events.get(action=AssetEvent.Action.MOVE)
    assert set(event.changes) >= {"place", "using_department", "custodian"}
    assert not movement.lines.filter(is_open=True).exists()


@pytest.mark.parametrize("decide", ["reject", "withdraw"])
def test_it_moves_nothing_when_rejected_or_withdrawn(
    decide, school, clerk, principal, flow, teacher
):
    card = AssetFactory(school=school)
    old_place = card.place
    movement = transfer(clerk, [card], to_custodian=teacher)
    approval = approvals.latest_for(movement)
    if decide == "reject":
        approvals.reject(approval, by=principal, comment="不需要")
    else:
        moves.movement_withdraw(movement, by=clerk)
    movement.refresh_from_db()
    card.refresh_from_db()
    assert movement.status == (
        MovementStatus.REJECTED if decide == "reject" else MovementStatus.WITHDRAWN
    )
    assert card.place == old_place and card.custodian is None
    assert not card.events.filter(action=AssetEvent.Action.MOVE).exists()
    # Closed: the card may be moved again.
    assert transfer(clerk, [card], to_custodian=teacher).status == MovementStatus.PENDING


def test_it_returns_a_card_to_the_store_room(school, clerk, principal, flow, teacher):
    store = place_in(school, place_type=PlaceType.WAREHOUSE, name="资产仓库")
    card = AssetFactory(school=school, custodian=teacher)
    movement = transfer(clerk, [card], kind=MovementKind.RETURN_TO_STORE)
    assert movement.to_place == store
    assert approvals.latest_for(movement).facts["sub_type"] == "退库"
    approvals.approve(approvals.latest_for(movement), by=principal)
    card.refresh_from_db()
    assert card.place == store and card.custodian is None and card.status == Status.IDLE
    assert card.events.filter(action=AssetEvent.Action.RETURN).exists()


def test_it_asks_for_a_place_to_return_to_without_a_store_room(school, clerk, flow):
    card = AssetFactory(school=school)
    with pytest.raises(AssetError, match="仓库"):
        transfer(clerk, [card], kind=MovementKind.RETURN_TO_STORE)


def test_it_keeps_a_card_in_one_open_movement(school, clerk, flow, teacher):
    card = AssetFactory(school=school)
    first = transfer(clerk, [card], to_custodian=teacher)
    with pytest.raises(AssetError, match=first.number):
        transfer(clerk, [card, AssetFactory(school=school)], to_custodian=teacher)
    assert card.movement_lines.count() == 1


@pytest.mark.parametrize("status", [Status.PENDING_DISPOSAL, Status.DISPOSED])
def test_it_refuses_a_card_being_or_already_disposed(status, school, clerk, flow, teacher):
    card = AssetFactory(school=school, status=status)
    with pytest.raises(AssetError, match="不能办理"):
        transfer(clerk, [card], to_custodian=teacher)


def test_it_refuses_a_transfer_without_a_destination(school, clerk, flow):
    with pytest.raises(AssetError, match="至少选择"):
        transfer(clerk, [AssetFactory(school=school)])


def test_it_saves_nothing_without_an_approval_flow(school, clerk, teacher):
    card = AssetFactory(school=school)
    with pytest.raises(AssetError, match="审批流程"):
        transfer(clerk, [card], to_custodian=teacher)
    assert not card.movement_lines.exists()


def test_it_refuses_a_teacher_a_transfer(school, teacher, flow):
    with pytest.raises(AssetError, match="权限"):
        transfer(teacher, [AssetFactory(school=school)], to_custodian=teacher)


# --- pages ---------------------------------------------------------------------------


def test_it_creates_a_transfer_from_the_card_page(login, school, clerk, flow, teacher):
    card = AssetFactory(school=school)
    client = login(clerk)
    page = client.get(reverse("assets:detail", args=[card.pk]))
    assert b'data-testid="asset-transfer"' in page.content
    form = client.get(reverse("assets:movement_create") + f"?kind=transfer&asset={card.pk}")
    assert card.number in form.content.decode()
    response = client.post(
        reverse("assets:movement_create"),
        {"kind": "transfer", "numbers": card.number, "to_custodian": teacher.pk, "reason": "换人"},
    )
    movement = card.movement_lines.get().movement
    assert response.status_code == 302 and response.url == movement.get_absolute_url()
    detail = client.get(movement.get_absolute_url())
    assert b'data-testid="approval-link"' in detail.content


def test_it_shows_an_unknown_number(login, school, clerk, flow):
    response = login(clerk).post(
        reverse("assets:movement_create"),
        {"kind": "transfer", "numbers": "2099-999999", "reason": "换人"},
    )
    assert response.status_code == 200
    assert "2099-999999" in response.content.decode()


def test_it_lists_movements_in_bounded_queries(
    login, school, clerk, flow, teacher, django_assert_max_num_queries
):
    for _index in range(4):
        transfer(clerk, [AssetFactory(school=school)], to_custodian=teacher)
    client = login(clerk)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("assets:movement_list"))
    assert response.content.decode().count('data-testid="movement-row"') == 4


def test_it_refuses_the_movement_pages_to_a_teacher(login, school, clerk, flow, teacher):
    movement = transfer(clerk, [AssetFactory(school=school)], to_custodian=teacher)
    client = login(teacher)
    assert client.get(reverse("assets:movement_list")).status_code == 403
    assert client.get(reverse("assets:movement_create")).status_code == 403
    # Not theirs: not found.
    assert client.get(movement.get_absolute_url()).status_code == 404


def test_it_hides_another_schools_movement(login, school, other_school, clerk, make_staff):
    FlowFactory(school=other_school, kind="transfer", steps=[ApproverType.PRINCIPAL])
    make_staff(other_school, Position.PRINCIPAL)
    their_clerk = make_staff(other_school, Position.ASSET_CLERK)
    movement = transfer(
        their_clerk,
        [AssetFactory(school=other_school)],
        to_custodian=their_clerk,
    )
    client = login(clerk)
    assert client.get(movement.get_absolute_url()).status_code == 404
    withdraw = reverse("assets:movement_withdraw", args=[movement.pk])
    assert client.post(withdraw).status_code == 404


def test_it_withdraws_from_the_page(login, school, clerk, flow, teacher):
    movement = transfer(clerk, [AssetFactory(school=school)], to_custodian=teacher)
    login(clerk).post(reverse("assets:movement_withdraw", args=[movement.pk]))
    movement.refresh_from_db()
    assert movement.status == MovementStatus.WITHDRAWN


def test_it_counts_the_total_original_value(school, clerk, flow, teacher):
    cards = [AssetFactory(school=school, original_value=Decimal("300.50")) for _i in range(2)]
    movement = transfer(clerk, cards, to_custodian=teacher)
    assert approvals.latest_for(movement).facts["amount"] == "601.00"
