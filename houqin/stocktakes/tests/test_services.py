import uuid
from datetime import date
from decimal import Decimal

import pytest

from houqin.accounts.models import Staff
from houqin.accounts.roles import Position
from houqin.approvals import services as approvals
from houqin.assets.models import AcquisitionMethod, Asset, AssetEvent, Category
from houqin.assets.models import Status as AssetStatus
from houqin.assets.tests.factories import AssetFactory
from houqin.stocktakes import services
from houqin.stocktakes.models import Difference, Line, Scan, Status, Stocktake
from houqin.stocktakes.services import StocktakeError

pytestmark = pytest.mark.django_db


def _new(clerk, counter=None, **scope):
    stocktake = services.stocktake_save(
        Stocktake(),
        by=clerk,
        values={"name": "期末盘点", "base_date": date(2026, 6, 30)},
        **scope,
    )
    services.counter_add(stocktake, by=clerk, staff=counter or clerk)
    return stocktake


def _started(clerk, counter=None, **scope):
    stocktake = _new(clerk, counter, **scope)
    services.stocktake_start(stocktake, by=clerk)
    return stocktake


def _scan(stocktake, staff, place, line=None, **extra):
    data = {"uuid": str(uuid.uuid4()), "place": place.pk, "line": line.pk if line else None}
    data.update(extra)
    return data, services.record_scans(stocktake, staff=staff, scans=[data])


def _line(stocktake, asset):
    return Line.objects.get(stocktake=stocktake, asset=asset)


def test_it_snapshots_the_cards_on_books_in_scope(clerk, cards, rooms):
    disposed = AssetFactory(school=clerk.school, place=rooms[0], status=AssetStatus.DISPOSED)
    building = rooms[0].building
    stocktake = _started(clerk, buildings=[building])
    lines = Line.objects.filter(stocktake=stocktake)
    assert {line.asset_id for line in lines} == {c.pk for c in cards[:3]}
    assert disposed.pk not in {line.asset_id for line in lines}
    assert stocktake.status == Status.COUNTING and stocktake.line_count == 3
    line = _line(stocktake, cards[0])
    assert line.expected_place == rooms[0] and line.net_value == cards[0].net_value


def test_it_takes_the_whole_school_when_the_scope_is_empty(clerk, cards):
    assert _started(clerk).line_count == 4


def test_it_refuses_to_start_without_counters(clerk, cards):
    stocktake = services.stocktake_save(
        Stocktake(), by=clerk, values={"name": "x", "base_date": date.today()}
    )
    with pytest.raises(StocktakeError, match="盘点人"):
        services.stocktake_start(stocktake, by=clerk)


def test_it_refuses_a_teacher_creating(teacher):
    with pytest.raises(StocktakeError):
        services.stocktake_save(
            Stocktake(), by=teacher, values={"name": "x", "base_date": date.today()}
        )


def test_it_stores_a_scan_once_when_sent_twice(clerk, cards, rooms):
    stocktake = _started(clerk)
    data, result = _scan(stocktake, clerk, rooms[0], _line(stocktake, cards[0]))
    assert result["results"][data["uuid"]] == "found"
    again = services.record_scans(stocktake, staff=clerk, scans=[data, data])
    assert again["saved"] == [data["uuid"], data["uuid"]]
    assert Scan.objects.filter(stocktake=stocktake).count() == 1
    line = _line(stocktake, cards[0])
    assert line.found_place == rooms[0] and line.counted_by == clerk


def test_it_marks_a_card_in_another_room_as_wrong_place(clerk, cards, rooms):
    stocktake = _started(clerk)
    data, result = _scan(stocktake, clerk, rooms[1], _line(stocktake, cards[0]))
    assert result["results"][data["uuid"]] == "wrong_place"
    services.stocktake_end_counting(stocktake, by=clerk)
    kinds = set(stocktake.differences.filter(line__asset=cards[0]).values_list("kind", flat=True))
    assert kinds == {Difference.Kind.WRONG_PLACE}


def test_it_finds_missing_surplus_damaged_and_wrong_status(clerk, cards, rooms):
    stocktake = _started(clerk)
    _scan(stocktake, clerk, rooms[0], _line(stocktake, cards[0]))
    _scan(stocktake, clerk, rooms[0], _line(stocktake, cards[1]), status="damaged")
    _scan(stocktake, clerk, rooms[1], _line(stocktake, cards[2]), status="idle")
    _scan(stocktake, clerk, rooms[0], name="旧钢琴", note="无标签")
    services.stocktake_end_counting(stocktake, by=clerk)
    found = {(d.kind, d.line.asset_id if d.line else None) for d in stocktake.differences.all()}
    assert found == {
        (Difference.Kind.DAMAGED, cards[1].pk),
        (Difference.Kind.WRONG_STATUS, cards[2].pk),
        (Difference.Kind.MISSING, cards[3].pk),
        (Difference.Kind.SURPLUS, None),
    }
    assert services.missing_amount(stocktake) == cards[3].net_value
    assert stocktake.status == Status.REVIEWING


def test_it_refuses_a_whole_batch_with_a_bad_scan(clerk, cards, rooms, other_school):
    stocktake = _started(clerk)
    good = {"uuid": str(uuid.uuid4()), "place": rooms[0].pk, "line": _line(stocktake, cards[0]).pk}
    other_stocktake_line = {"uuid": str(uuid.uuid4()), "place": rooms[0].pk, "line": 999999}
    with pytest.raises(StocktakeError):
        services.record_scans(stocktake, staff=clerk, scans=[good, other_stocktake_line])
    assert not Scan.objects.exists()


def test_it_refuses_scans_from_someone_not_counting(clerk, cards, rooms, teacher):
    stocktake = _started(clerk)
    with pytest.raises(StocktakeError, match="盘点人"):
        _scan(stocktake, teacher, rooms[0], _line(stocktake, cards[0]))


def test_it_applies_the_results_on_approval(clerk, cards, rooms, stocktake_flow, school):
    stocktake = _started(clerk)
    _scan(stocktake, clerk, rooms[1], _line(stocktake, cards[0]))
    _scan(stocktake, clerk, rooms[0], _line(stocktake, cards[1]), status="idle")
    _scan(stocktake, clerk, rooms[1], _line(stocktake, cards[2]))
    _scan(stocktake, clerk, rooms[2], name="旧钢琴")
    services.stocktake_end_counting(stocktake, by=clerk)
    surplus = stocktake.differences.get(kind=Difference.Kind.SURPLUS)
    with pytest.raises(StocktakeError, match="分类"):
        services.stocktake_submit(stocktake, by=clerk)
    category = Category.objects.get(code="A02010105")
    services.difference_update(
        surplus, by=clerk, values={"category": category, "amount": Decimal("800.00")}
    )
    services.stocktake_submit(stocktake, by=clerk)
    assert stocktake.status == Status.PENDING
    approval = approvals.latest_for(stocktake)
    assert Decimal(approval.facts["amount"]) == cards[3].net_value
    approvals.approve(approval, by=Staff.objects.get(school=school, name="校长"))
    stocktake.refresh_from_db()
    assert stocktake.status == Status.APPLIED
    for card in cards:
        card.refresh_from_db()
    assert cards[0].place == rooms[1]
    assert cards[1].status == AssetStatus.IDLE
    assert cards[2].place == rooms[1] and cards[2].status == AssetStatus.IN_USE
    assert cards[3].status == AssetStatus.PENDING_DISPOSAL
    new = Asset.objects.get(acquisition_method=AcquisitionMethod.SURPLUS)
    assert new.name == "旧钢琴" and new.place == rooms[2] and new.original_value == 800
    touched = AssetEvent.objects.filter(action=AssetEvent.Action.STOCKTAKE)
    assert {e.asset_id for e in touched} == {cards[0].pk, cards[1].pk, cards[3].pk, new.pk}
    assert touched.get(asset=cards[0]).changes["place"][1] == rooms[1].full_name


def test_it_goes_back_to_review_when_rejected(clerk, cards, rooms, stocktake_flow, school):
    stocktake = _started(clerk)
    services.stocktake_end_counting(stocktake, by=clerk)
    services.stocktake_submit(stocktake, by=clerk)
    approval = approvals.latest_for(stocktake)
    approvals.reject(approval, by=Staff.objects.get(school=school, name="校长"), comment="再查")
    stocktake.refresh_from_db()
    assert stocktake.status == Status.REVIEWING
    cards[0].refresh_from_db()
    assert cards[0].status == AssetStatus.IN_USE


def test_it_cancels_with_a_reason(clerk, cards):
    stocktake = _started(clerk)
    with pytest.raises(StocktakeError):
        services.stocktake_cancel(stocktake, by=clerk, reason=" ")
    services.stocktake_cancel(stocktake, by=clerk, reason="范围有误")
    assert Stocktake.objects.get(pk=stocktake.pk).status == Status.CANCELLED


def test_it_limits_counter_assignment_to_the_school(clerk, other_school, make_staff):
    stocktake = _new(clerk)
    with pytest.raises(StocktakeError):
        services.counter_add(stocktake, by=clerk, staff=make_staff(other_school, Position.TEACHER))
