"""Stocktake records for tests/test_tenancy.py: another school's stocktake, its counter
and its difference are a 404 on every URL that names them."""

import uuid

from django.utils import timezone

from houqin.assets.tests.factories import AssetFactory
from houqin.stocktakes.models import Counter, Difference, Scan
from houqin.stocktakes.tests.factories import StocktakeFactory

OBJECT_URLS = {
    "stocktakes:detail": ("stocktake", "pk"),
    "stocktakes:edit": ("stocktake", "pk"),
    "stocktakes:counter_add": ("stocktake", "pk"),
    "stocktakes:counter_remove": lambda o: {
        "pk": o["stocktake"].pk,
        "counter_pk": o["stocktake_counter"].pk,
    },
    "stocktakes:start": ("stocktake", "pk"),
    "stocktakes:count": ("stocktake", "pk"),
    "stocktakes:sync": ("stocktake", "pk"),
    "stocktakes:scan_photo": lambda o: {
        "pk": o["stocktake"].pk,
        "scan_uuid": o["stocktake_scan"].client_uuid,
    },
    "stocktakes:end": ("stocktake", "pk"),
    "stocktakes:differences": ("stocktake", "pk"),
    "stocktakes:difference_edit": lambda o: {
        "pk": o["stocktake"].pk,
        "difference_pk": o["stocktake_difference"].pk,
    },
    "stocktakes:submit": ("stocktake", "pk"),
    "stocktakes:cancel": ("stocktake", "pk"),
    "stocktakes:export_xlsx": ("stocktake", "pk"),
    "stocktakes:export_pdf": ("stocktake", "pk"),
}


def objects(school, base):
    AssetFactory(school=school, place=base["place"])
    stocktake = StocktakeFactory(school=school, created_by=base["staff"])
    counter = Counter.objects.create(stocktake=stocktake, staff=base["staff"])
    stocktake.status = "counting"
    stocktake.save()
    line = stocktake.lines.create(
        asset=AssetFactory(school=school, place=base["place"]),
        expected_place=base["place"],
        book_status="in_use",
    )
    difference = Difference.objects.create(
        stocktake=stocktake, kind=Difference.Kind.MISSING, line=line
    )
    scan = Scan.objects.create(
        stocktake=stocktake,
        client_uuid=uuid.uuid4(),
        line=line,
        place=base["place"],
        counted_by=base["staff"],
        scanned_at=timezone.now(),
    )
    return {
        "stocktake": stocktake,
        "stocktake_scan": scan,
        "stocktake_counter": counter,
        "stocktake_difference": difference,
    }
