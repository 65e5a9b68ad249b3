"""Coverage and ledger URLs for tests/test_tenancy.py (merged by ``tenancy.py``): another
school's place is a 404 on its coverage visits. The coverage, statistics and ledger pages
name no record (filters in the query string are narrowed to the user's school)."""

OBJECT_URLS = {
    "patrols:coverage_place": ("place", "pk"),
}


def objects(school, base):
    return {}
