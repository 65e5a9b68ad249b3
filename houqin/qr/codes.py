"""Where a QR points and how it is drawn."""

import segno
from django.conf import settings
from django.urls import reverse


def base_url(request=None):
    """The address phones reach houqin at: ``HOUQIN_BASE_URL``, else the request's own."""
    configured = getattr(settings, "HOUQIN_BASE_URL", "")
    if configured:
        return configured.rstrip("/")
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return "http://127.0.0.1:8000"


def target_url(token, request=None):
    """What the QR encodes: ``https://houqin.example.cn/q/7KQ2M9XH4C``."""
    return base_url(request) + reverse("qr:open", args=[token])


def make(url, *, mask=None):
    # Medium error correction, raised by segno when it fits the same symbol size: a label
    # on a classroom door gets scratched.
    return segno.make_qr(url, error="m", boost_error=True, mask=mask)


def svg_inline(url, *, title=""):
    return make(url).svg_inline(
        scale=1, border=2, omitsize=True, svgclass="hq-qr-svg", title=title or None
    )
