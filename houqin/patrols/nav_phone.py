"""The phone round's navigation entry and its QR purpose (imported from
``PatrolsConfig.ready``): scanning a place with ``?for=inspect`` opens the inspection
chooser with that place set."""

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from houqin.core.navigation import NavItem, register
from houqin.qr.registry import ScanRefused, register_purpose


def inspect_url(request, found):
    """Scan → the chooser for that place; the QR's token (not a typed code) comes along
    as proof of presence."""
    if not getattr(found.obj, "is_active", True):
        raise ScanRefused(_("该场所已停用，不能检查。"))
    query = {"place": found.obj.pk}
    if found.by_token:
        query["token"] = found.token
    return f"{reverse('patrols:round_new')}?{urlencode(query)}"


register(
    NavItem(
        "patrol_inspect",
        _("检查"),
        "patrols:round_new",
        "clipboard2-check",
        perm="patrols.patrol",
        order=16,
    ),
)

register_purpose(
    "inspect",
    _("检查"),
    kinds=["P"],
    url_for=inspect_url,
    perm="patrols.patrol",
    hint=_("扫描场所门口的二维码，开始对这个场所的检查（月检查、专项检查、食堂、厕所等）"),
)
