"""The rules of the books: card numbers, the class and life rules, 财政 + 非财政 = 原值,
the life lock, status changes, and every change written to the card's history."""

from datetime import date
from decimal import Decimal

import pytest
from freezegun import freeze_time

from houqin.accounts.roles import Position
from houqin.assets import services
from houqin.assets.models import Asset, AssetEvent, Status
from houqin.assets.services import AssetError
from houqin.assets.tests.factories import AssetFactory, category, place_in, staff_in
from houqin.org.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(school):
    return staff_in(school, Position.ASSET_CLERK, name="刘刚")


def _values(**overrides):
    values = {
        "name": "办公电脑",
        "category": category("A02010105"),
        "acquired_on": date(2026, 3, 1),
        "original_value": Decimal("5000.00"),
        "fiscal_amount": Decimal("5000.00"),
        "non_fiscal_amount": Decimal("0.00"),
    }
    values.update(overrides)
    return values


@freeze_time("2026-11-20 10:00")
def test_it_numbers_hand_made_cards_after_the_years_highest(school, clerk):
    AssetFactory(school=school, number="2026-000041")
    AssetFactory(school=school, number="2026-0000XX")  # an imported odd number is skipped
    AssetFactory(school=school, number="2025-000900")
    card = services.asset_create(by=clerk, school=school, values=_values())
    assert card.number == "2026-000042"
    assert card.name_initials == "bgdn"
    assert card.life_months == 72  # the class minimum
    assert card.net_value == Decimal("5000.00")
    assert [e.action for e in card.events.all()] == [AssetEvent.Action.CREATE]


def test_it_numbers_per_school(school, other_school, clerk):
    AssetFactory(school=other_school, number="2026-000500")
    assert services.next_numbers(school.pk, 3, year=2026) == [
        "2026-000001",
        "2026-000002",
        "2026-000003",
    ]


def test_it_keeps_a_number_typed_by_hand_and_refuses_a_used_one(school, clerk):
    card = services.asset_create(by=clerk, school=school, values=_values(number="ZC-0001"))
    assert card.number == "ZC-0001"
    with pytest.raises(AssetError, match="已被使用"):
        services.asset_create(by=clerk, school=school, values=_values(number="ZC-0001"))


def test_it_refuses_a_class_too_general(school, clerk):
    with pytest.raises(AssetError, match="更具体的分类"):
        services.asset_create(by=clerk, school=school, values=_values(category=category("A02")))
    assert not Asset.objects.exists()


def test_it_refuses_a_life_shorter_than_the_class_minimum(school, clerk):
    with pytest.raises(AssetError, match="最低折旧年限是 6 年"):
        services.asset_create(by=clerk, school=school, values=_values(life_months=60))
    card = services.asset_create(by=clerk, school=school, values=_values(life_months=96))
    assert card.life_months == 96


def test_it_leaves_books_without_a_life(school, clerk):
    card = services.asset_create(
        by=clerk,
        school=school,
        values=_values(name="图书一批", category=category("A040101"), life_months=None),
    )
    assert card.life_months is None
    assert card.monthly_depreciation == Decimal("0.00")


def test_it_refuses_funding_that_does_not_add_up(school, clerk):
    with pytest.raises(AssetError, match="应等于原值"):
        services.asset_create(
            by=clerk, school=school, values=_values(fiscal_amount=Decimal("3000.00"))
        )


def test_it_refuses_someone_who_does_not_manage_assets(school):
    teacher = staff_in(school)
    with pytest.raises(AssetError, match="没有管理资产的权限"):
        services.asset_create(by=teacher, school=school, values=_values())


def test_it_refuses_another_schools_place(school, other_school, clerk):
    with pytest.raises(AssetError, match="不属于本校"):
        services.asset_create(by=clerk, school=school, values=_values(place=place_in(other_school)))


def test_it_writes_what_changed_on_an_edit(school, clerk):
    card = AssetFactory(school=school, name="旧名称", brand="")
    department = DepartmentFactory(school=school, name="教务处")
    services.asset_update(
        card, by=clerk, values={"name": "新名称", "brand": "联想", "using_department": department}
    )
    event = card.events.get()
    assert event.action == AssetEvent.Action.EDIT
    assert event.actor == clerk.user
    assert event.changes == {
        "name": ["旧名称", "新名称"],
        "brand": ["", "联想"],
        "using_department": ["", "教务处"],
    }
    card.refresh_from_db()
    assert card.name_initials == "xmc"


def test_it_writes_nothing_when_nothing_changed(school, clerk):
    card = AssetFactory(school=school)
    services.asset_update(card, by=clerk, values={"name": card.name})
    assert not card.events.exists()


def test_it_refuses_a_new_life_once_locked(school, clerk):
    card = AssetFactory(school=school, life_months=72, life_locked=True)
    with pytest.raises(AssetError, match="锁定，不能修改"):
        services.asset_update(card, by=clerk, values={"life_months": 96})
    services.asset_update(card, by=clerk, values={"life_months": 72, "brand": "联想"})


def test_it_refuses_a_new_value_once_depreciated(school, clerk):
    card = AssetFactory(
        school=school,
        depreciated_months=2,
        accumulated_depreciation=Decimal("133.34"),
        net_value=Decimal("4666.66"),
    )
    with pytest.raises(AssetError, match="价值调整"):
        services.asset_update(card, by=clerk, values={"original_value": Decimal("6000.00")})


def test_it_keeps_the_net_value_in_step(school, clerk):
    card = AssetFactory(school=school)
    services.asset_update(
        card,
        by=clerk,
        values={
            "original_value": Decimal("6000.00"),
            "fiscal_amount": Decimal("6000.00"),
        },
    )
    card.refresh_from_db()
    assert card.net_value == Decimal("6000.00")


def test_it_changes_the_status_with_a_note(school, clerk):
    card = AssetFactory(school=school)
    services.asset_set_status(card, by=clerk, status=Status.REPAIRING, note="屏幕不亮，送修")
    services.asset_set_status(card, by=clerk, status=Status.IDLE, note="修好后暂不使用")
    card.refresh_from_db()
    assert card.status == Status.IDLE
    events = list(card.events.order_by("pk"))
    assert [e.action for e in events] == [AssetEvent.Action.REPAIR, AssetEvent.Action.STATUS]
    assert events[0].note == "屏幕不亮，送修"
    assert events[1].changes == {"status": ["维修中", "闲置"]}


def test_it_refuses_a_status_change_without_a_note_or_out_of_daily_use(school, clerk):
    card = AssetFactory(school=school)
    with pytest.raises(AssetError, match="变更原因"):
        services.asset_set_status(card, by=clerk, status=Status.IDLE, note=" ")
    with pytest.raises(AssetError, match="处置流程"):
        services.asset_set_status(card, by=clerk, status=Status.DISPOSED, note="坏了")
    card.status = Status.PENDING_DISPOSAL
    card.save()
    with pytest.raises(AssetError, match="待处置"):
        services.asset_set_status(card, by=clerk, status=Status.IN_USE, note="继续用")


def test_it_refuses_to_edit_a_disposed_card(school, clerk):
    card = AssetFactory(school=school, status=Status.DISPOSED)
    with pytest.raises(AssetError, match="已处置"):
        services.asset_update(card, by=clerk, values={"name": "改名"})
