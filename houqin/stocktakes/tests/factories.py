import uuid
from datetime import date

import factory
from django.utils import timezone

from houqin.accounts.roles import Position
from houqin.assets.tests.factories import staff_in
from houqin.org.tests.factories import SchoolFactory
from houqin.stocktakes.models import Counter, Scan, Stocktake


class StocktakeFactory(factory.django.DjangoModelFactory):
    """A draft stocktake of the whole school, made by an asset clerk."""

    class Meta:
        model = Stocktake

    school = factory.SubFactory(SchoolFactory)
    number = factory.Sequence(lambda n: f"PD2026{n + 1:04d}")
    name = factory.Sequence(lambda n: f"2026年资产盘点{n}")
    base_date = date(2026, 6, 30)
    created_by = factory.LazyAttribute(lambda o: staff_in(o.school, Position.ASSET_CLERK))


class CounterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Counter

    stocktake = factory.SubFactory(StocktakeFactory)
    staff = factory.LazyAttribute(lambda o: staff_in(o.stocktake.school))


class ScanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scan

    stocktake = factory.SubFactory(StocktakeFactory)
    client_uuid = factory.LazyFunction(uuid.uuid4)
    counted_by = factory.SelfAttribute("stocktake.created_by")
    scanned_at = factory.LazyFunction(timezone.now)
