"""The demo school's assets: about 400 cards with real acceptances and histories, made
once."""

import pytest
from freezegun import freeze_time

from houqin.accounts.roles import Position
from houqin.assets import demo
from houqin.assets.models import Acceptance, Asset, AssetEvent, Status
from houqin.org.models import Campus
from houqin.org.tests.factories import CampusFactory, DepartmentFactory, PlaceFactory

pytestmark = pytest.mark.django_db

LABS = ["PX-506", "PX-507", "MD-306", "MD-406", "MD-407", "MD-408", "SS-204", "SS-304"]
OTHER = ["XC", "TYG-101", "TYG-102", "TYG-201"]
DEPARTMENTS = ["XZS", "HQ", "ZHGL", "XSGL", "JWC", "ST"]


@pytest.fixture
def demo_staff(school, make_staff):
    main = Campus.objects.get(school=school)
    branch = CampusFactory(school=school, name="分校区", code="BRANCH", is_main=False)
    codes = [
        *demo.CLASSROOMS,
        *demo.GRADE_OFFICES,
        *demo.OFFICES,
        *demo.SPECIAL_ROOMS,
        *LABS,
        *OTHER,
    ]
    for code in codes:
        campus = branch if code.startswith("SS") else main
        PlaceFactory(floor__building__campus=campus, code=code, name=code)
    for code in DEPARTMENTS:
        DepartmentFactory(school=school, code=code, name=code)
    staff = {
        "liugang": make_staff(school, Position.ASSET_CLERK, name="刘刚", staff_no="SZ0007"),
        "zhoujing": make_staff(school, Position.LOGISTICS_MANAGER, name="周静", staff_no="SZ0003"),
        "wangjiajia": make_staff(school, Position.TEACHER, name="王佳佳", staff_no="SZ0006"),
    }
    for n in range(25):
        person = make_staff(school, Position.TEACHER, name=f"老师{n}", staff_no=f"SZ01{n:02d}")
        staff[f"teacher{n}"] = person
    return staff


def _counts():
    return {model.__name__: model.objects.count() for model in (Asset, AssetEvent, Acceptance)}


@freeze_time("2026-11-20 10:00")
def test_it_loads_about_400_cards_once(school, demo_staff):
    demo.load(school, demo_staff)
    counts = _counts()
    demo.load(school, demo_staff)
    assert _counts() == counts

    cards = Asset.objects.filter(school=school)
    assert 350 <= cards.count() <= 450
    assert cards.filter(status=Status.IDLE).count() >= 5
    assert cards.filter(status=Status.REPAIRING).exists()
    assert cards.filter(category__code__startswith="A01").count() == 6  # the buildings
    assert cards.filter(category__code="A02030604").count() == 1  # the school bus
    desks = cards.get(name="学生课桌", place__code="PX-101")
    assert (desks.quantity, desks.acceptance) == (45, None)
    assert cards.filter(name="教学一体机").count() == len(demo.CLASSROOMS)
    assert cards.filter(custodian=demo_staff["wangjiajia"]).exists()
    # Numbers are consecutive within each year.
    screens = sorted(cards.filter(number__startswith="2021-").values_list("number", flat=True))
    assert screens[0] == "2021-000001" and screens[-1] == f"2021-{len(screens):06d}"
    # Every card has its history; booked cards their acceptance.
    assert not cards.filter(events__isnull=True).exists()
    assert (
        AssetEvent.objects.filter(action=AssetEvent.Action.ACCEPT).count()
        == cards.filter(acceptance__isnull=False).count()
    )
    # Some cards of the entry campaign are still incomplete.
    assert cards.filter(booked_on__isnull=True).exists()
    assert cards.filter(place__isnull=True, category__code__startswith="A05").exists()

    pending = Acceptance.objects.get(state=Acceptance.State.DRAFT)
    assert set(pending.group.values_list("name", flat=True)) == {"刘刚", "周静"}
    assert pending.lines.count() == 2
    assert Acceptance.objects.filter(state=Acceptance.State.ACCEPTED).count() == 6


def test_it_does_nothing_without_the_asset_clerk(school, make_staff):
    demo.load(school, {"zhoujing": make_staff(school, Position.LOGISTICS_MANAGER)})
    assert not Asset.objects.exists()


@freeze_time("2026-11-20 10:00")
def test_it_books_a_depreciation_history_up_to_last_month(school, demo_staff):
    from decimal import Decimal

    from houqin.assets.models import DepreciationRun

    demo.load(school, demo_staff)
    run = DepreciationRun.objects.get(school=school)
    assert run.period.isoformat() == "2026-10-01"
    assert run.amount > 0 and run.asset_count > 0
    laptop = Asset.objects.filter(school=school, name="教师笔记本电脑").earliest("booked_on")
    assert laptop.life_locked and laptop.depreciated_through == run.period
    assert laptop.accumulated_depreciation > 0
    assert laptop.net_value == laptop.original_value - laptop.accumulated_depreciation
    for card in Asset.objects.filter(school=school):
        assert Decimal(0) <= card.accumulated_depreciation <= card.original_value
    demo.load(school, demo_staff)
    assert DepreciationRun.objects.filter(school=school).count() == 1
