"""Report URLs for tests/test_tenancy.py (merged by ``tenancy.py``)."""

OBJECT_URLS = {}


def objects(school, base):
    return {}
