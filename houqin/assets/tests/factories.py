"""Factories for asset tests.

``category(code)`` is the GB/T class ``code`` as the seed migration loaded it, made (with
its parents, so the tree is real) if the test database lacks it.
``AssetFactory(school=school)`` makes a card in use on a new place of that school;
``AcceptanceFactory(school=school)`` a draft acceptance with a two-person group and no
lines (``AcceptanceLineFactory(acceptance=a)`` adds one).
"""

from datetime import date
from decimal import Decimal

import factory

from houqin.accounts.roles import Position
from houqin.accounts.tests.factories import StaffFactory
from houqin.assets.models import Acceptance, AcceptanceLine, Asset, AssetEvent, Category, Status
from houqin.org.models import Campus
from houqin.org.tests.factories import CampusFactory, PlaceFactory, SchoolFactory

# The classes tests use, as ``data/categories.csv`` has them (the seed migration usually
# loaded them already): code → (name, depreciable, minimum life in years).
CLASSES = {
    "A01": ("房屋和构筑物", True, None),
    "A0101": ("房屋", True, 50),
    "A010102": ("业务用房", True, 50),
    "A01010201": ("教学用房", True, 50),
    "A02": ("设备", True, None),
    "A0201": ("信息化设备", True, 6),
    "A020101": ("计算机", True, 6),
    "A02010105": ("台式计算机", True, 6),
    "A0206": ("电气设备", True, 5),
    "A020618": ("生活用电器", True, 5),
    "A02061804": ("空调机", True, 10),
    "A04": ("图书和档案", False, None),
    "A0401": ("图书", False, None),
    "A040101": ("普通图书", False, None),
    "A05": ("家具和用具", True, None),
    "A0501": ("家具", True, 15),
    "A050102": ("台、桌类", True, 15),
    "A05010203": ("教学、实验用桌", True, 15),
}


def category(code):
    """The class ``code`` (from ``CLASSES``), made with its parents if missing."""
    existing = Category.objects.filter(code=code).first()
    if existing is not None:
        return existing
    name, depreciable, life_years = CLASSES[code]
    parent_code = code[:-2] if len(code) > 3 else None
    return Category.objects.create(
        code=code,
        name=name,
        parent=category(parent_code) if parent_code else None,
        level=(len(code) - 1) // 2,
        depreciable=depreciable,
        life_years=life_years,
    )


def place_in(school, **fields):
    """A new room (with building and floor) on the school's first campus."""
    campus = Campus.objects.filter(school=school).order_by("-is_main", "pk").first()
    if campus is None:
        campus = CampusFactory(school=school)
    return PlaceFactory(floor__building__campus=campus, **fields)


def staff_in(school, position=Position.TEACHER, **fields):
    return StaffFactory(school=school, positions=[position], **fields)


class AssetFactory(factory.django.DjangoModelFactory):
    """A desktop computer in use; ``AssetFactory(school=s)`` puts it on a new place."""

    class Meta:
        model = Asset

    school = factory.SubFactory(SchoolFactory)
    number = factory.Sequence(lambda n: f"2026-{n + 1:06d}")
    name = factory.Sequence(lambda n: f"台式计算机{n}")
    category = factory.LazyFunction(lambda: category("A02010105"))
    unit = "台"
    acquired_on = date(2026, 3, 10)
    booked_on = date(2026, 3, 10)
    original_value = Decimal("4800.00")
    fiscal_amount = factory.SelfAttribute("original_value")
    non_fiscal_amount = Decimal("0.00")
    life_months = 72
    net_value = factory.SelfAttribute("original_value")
    status = Status.IN_USE
    place = factory.LazyAttribute(lambda o: place_in(o.school))


class AssetEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssetEvent

    asset = factory.SubFactory(AssetFactory)
    action = AssetEvent.Action.CREATE


class AcceptanceFactory(factory.django.DjangoModelFactory):
    """A draft acceptance; the group is the creator (an asset clerk) and one teacher unless
    ``group=[...]`` is given."""

    class Meta:
        model = Acceptance
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    number = factory.Sequence(lambda n: f"YS2026{n + 1:04d}")
    supplier = factory.Sequence(lambda n: f"供应商{n}")
    order_number = factory.Sequence(lambda n: f"HT-2026-{n:03d}")
    invoice_number = factory.Sequence(lambda n: f"FP{n:08d}")
    delivered_on = date(2026, 3, 2)
    funding_source = "财政拨款"
    procurement_form = "政府集中采购"
    created_by = factory.LazyAttribute(lambda o: staff_in(o.school, Position.ASSET_CLERK))

    @factory.post_generation
    def group(obj, create, extracted, **kwargs):
        if not create:
            return
        members = extracted if extracted is not None else [obj.created_by, staff_in(obj.school)]
        obj.group.set(members)


class AcceptanceLineFactory(factory.django.DjangoModelFactory):
    """Ten computers received of ten ordered, one card each."""

    class Meta:
        model = AcceptanceLine

    acceptance = factory.SubFactory(AcceptanceFactory)
    category = factory.LazyFunction(lambda: category("A02010105"))
    name = "台式计算机"
    model_name = "启天M430"
    brand = "联想"
    unit = "台"
    quantity_ordered = 10
    quantity_received = 10
    unit_price = Decimal("4800.00")
    card_per_unit = True
    life_months = None  # the class minimum when booked
