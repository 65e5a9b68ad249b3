"""The files app's part of tests/test_tenancy.py: another school's attachment is a 404."""

from houqin.files.services import attach
from houqin.files.tests.factories import jpeg_upload

OBJECT_URLS = {
    "files:view": ("attachment", "pk"),
    "files:download": ("attachment", "pk"),
    "files:thumb": ("attachment", "pk"),
    "files:remove": ("attachment", "pk"),
    "files:restore": ("attachment", "pk"),
    "files:upload": lambda o: {"model": "org.place", "object_id": o["place"].pk},
}


def objects(school, base):
    return {"attachment": attach(base["place"], jpeg_upload(), by=base["staff"].user)}
