"""The QR URLs name a token: another school's token is a 404."""

from houqin.qr.models import QrCode


def _token(objects):
    return {"token": objects["qr_code"].token}


OBJECT_URLS = {
    "qr:open": _token,
    "qr:svg": _token,
    "qr:png": _token,
}


def objects(school, base):
    return {"qr_code": QrCode.objects.for_object(base["place"])}
