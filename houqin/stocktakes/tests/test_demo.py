import pytest

from houqin.accounts.roles import Position
from houqin.assets.models import AcquisitionMethod, Asset
from houqin.assets.models import Status as AssetStatus
from houqin.stocktakes import demo
from houqin.stocktakes.models import Status, Stocktake

pytestmark = pytest.mark.django_db


def test_it_loads_a_finished_and_a_running_stocktake_once(school, make_staff, cards):
    staff = {
        "liugang": make_staff(school, Position.ASSET_CLERK, name="刘刚"),
        "zhoujing": make_staff(school, Position.LOGISTICS_MANAGER, name="周静"),
    }
    make_staff(school, Position.PRINCIPAL, name="校长")
    demo.load(school, staff)
    demo.load(school, staff)
    finished = Stocktake.objects.get(name=demo.FINISHED)
    running = Stocktake.objects.get(name=demo.IN_PROGRESS)
    assert finished.status == Status.APPLIED
    assert Asset.objects.filter(status=AssetStatus.PENDING_DISPOSAL).count() == 1
    assert Asset.objects.filter(acquisition_method=AcquisitionMethod.SURPLUS).count() == 1
    assert running.status == Status.COUNTING
    assert {c.staff.name for c in running.counters.all()} == {"刘刚", "周静"}
    assert Stocktake.objects.count() == 2
