from datetime import date

import pytest

from houqin.accounts.roles import Position
from houqin.approvals.models import ApproverType
from houqin.approvals.tests.factories import FlowFactory
from houqin.assets.tests.factories import AssetFactory, place_in


@pytest.fixture
def clerk(school, make_staff):
    return make_staff(school, Position.ASSET_CLERK, name="刘刚")


@pytest.fixture
def rooms(school):
    """Two rooms of one building and a room of another."""
    first = place_in(school, name="101教室")
    second = place_in(school, name="102教室", floor=first.floor)
    other = place_in(school, name="实验室")
    return first, second, other


@pytest.fixture
def cards(school, rooms):
    first, second, other = rooms
    return [
        AssetFactory(school=school, place=first, name="投影仪"),
        AssetFactory(school=school, place=first, name="电脑"),
        AssetFactory(school=school, place=second, name="空调"),
        AssetFactory(school=school, place=other, name="显微镜"),
    ]


@pytest.fixture
def stocktake_flow(school, make_staff):
    make_staff(school, Position.PRINCIPAL, name="校长")
    return FlowFactory(school=school, kind="stocktake", steps=[ApproverType.PRINCIPAL])


@pytest.fixture
def counting(clerk, cards, teacher):
    """A stocktake of the four cards being counted, the teacher its counter."""
    from houqin.stocktakes import services
    from houqin.stocktakes.models import Stocktake

    stocktake = services.stocktake_save(
        Stocktake(), by=clerk, values={"name": "期末盘点", "base_date": date(2026, 6, 30)}
    )
    services.counter_add(stocktake, by=clerk, staff=teacher)
    services.stocktake_start(stocktake, by=clerk)
    return stocktake
