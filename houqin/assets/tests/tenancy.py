"""Asset records for tests/test_tenancy.py: another school's card, acceptance and
acceptance line are a 404 on every URL that names them. The report pages' URLs are kept
in ``tenancy_reports.py`` and merged here."""

from houqin.assets.tests import tenancy_import, tenancy_moves, tenancy_reports
from houqin.assets.tests.factories import AcceptanceFactory, AcceptanceLineFactory, AssetFactory

OBJECT_URLS = {
    "assets:detail": ("asset", "pk"),
    "assets:edit": ("asset", "pk"),
    "assets:status": ("asset", "pk"),
    "assets:acceptance_detail": ("acceptance", "pk"),
    "assets:acceptance_edit": ("acceptance", "pk"),
    "assets:acceptance_line_create": ("acceptance", "pk"),
    "assets:acceptance_line_edit": lambda o: {
        "pk": o["acceptance"].pk,
        "line_pk": o["acceptance_line"].pk,
    },
    "assets:acceptance_accept": ("acceptance", "pk"),
    "assets:acceptance_reject": ("acceptance", "pk"),
    **tenancy_reports.OBJECT_URLS,
    **tenancy_moves.OBJECT_URLS,
    **tenancy_import.OBJECT_URLS,
}


def objects(school, base):
    acceptance = AcceptanceFactory(school=school, created_by=base["staff"])
    records = {
        "asset": AssetFactory(school=school, place=base["place"], custodian=base["staff"]),
        "acceptance": acceptance,
        "acceptance_line": AcceptanceLineFactory(acceptance=acceptance),
        **tenancy_reports.objects(school, base),
    }
    # The movement and import parts may build on the card above.
    for part in (tenancy_moves, tenancy_import):
        records.update(part.objects(school, {**base, **records}))
    return records
