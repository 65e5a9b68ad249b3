"""Supplies records for tests/test_tenancy.py: another school's requisition, item, store,
stock-in and count sheet are a 404 on every URL that names them."""

from datetime import date

from houqin.supplies.models import CountSheet, Requisition, StockIn
from houqin.supplies.tests.factories import ItemFactory, StoreFactory

OBJECT_URLS = {
    "supplies:detail": ("supplies_requisition", "pk"),
    "supplies:issue": ("supplies_requisition", "pk"),
    "supplies:take_back": ("supplies_requisition", "pk"),
    "supplies:close": ("supplies_requisition", "pk"),
    "supplies:item_detail": ("supplies_item", "pk"),
    "supplies:item_edit": ("supplies_item", "pk"),
    "supplies:item_archive": ("supplies_item", "pk"),
    "supplies:item_restore": ("supplies_item", "pk"),
    "supplies:store_detail": ("supplies_store", "pk"),
    "supplies:store_edit": ("supplies_store", "pk"),
    "supplies:store_transfer": ("supplies_store", "pk"),
    "supplies:stock_in_detail": ("supplies_stock_in", "pk"),
    "supplies:count_detail": ("supplies_count", "pk"),
    "supplies:count_cancel": ("supplies_count", "pk"),
}


def objects(school, base):
    store = StoreFactory(school=school, keeper=base["staff"])
    return {
        "supplies_store": store,
        "supplies_item": ItemFactory(school=school),
        "supplies_requisition": Requisition.objects.create(
            school=school, requester=base["staff"], store=store, purpose="测试"
        ),
        "supplies_stock_in": StockIn.objects.create(
            school=school, store=store, supplier="文具店", date=date(2026, 3, 1), by=base["staff"]
        ),
        "supplies_count": CountSheet.objects.create(
            school=school, store=store, title="期末盘库", created_by=base["staff"]
        ),
    }
