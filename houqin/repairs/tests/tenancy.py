"""Repair records for tests/test_tenancy.py: another school's request, vendor, dispatch
rule and deadline are a 404 on every URL that names them."""

from houqin.repairs import views
from houqin.repairs.tests.factories import (
    DeadlineFactory,
    DispatchRuleFactory,
    RepairRequestFactory,
    VendorFactory,
)

OBJECT_URLS = {
    "repairs:detail": ("repair_request", "pk"),
    "repairs:join": ("repair_request", "pk"),
    **{f"repairs:{action}": ("repair_request", "pk") for action in views.ACTIONS},
    "repairs:vendor_edit": ("repair_vendor", "pk"),
    "repairs:vendor_archive": ("repair_vendor", "pk"),
    "repairs:vendor_restore": ("repair_vendor", "pk"),
    "repairs:rule_edit": ("repair_rule", "pk"),
    "repairs:rule_delete": ("repair_rule", "pk"),
    "repairs:deadline_edit": ("repair_deadline", "pk"),
    "repairs:deadline_delete": ("repair_deadline", "pk"),
}


def objects(school, base):
    vendor = VendorFactory(school=school)
    return {
        "repair_request": RepairRequestFactory(
            school=school, place=base["place"], reporter=base["staff"]
        ),
        "repair_vendor": vendor,
        "repair_rule": DispatchRuleFactory(school=school, vendor=vendor),
        "repair_deadline": DeadlineFactory(school=school),
    }
