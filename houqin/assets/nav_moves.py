"""Navigation entries of the movement, idle pool and disposal pages (imported from
``AssetsConfig.ready``)."""

from django.utils.translation import gettext_lazy as _

from houqin.assets.access import MANAGE
from houqin.core.navigation import NavItem, register

register(
    NavItem(
        "assets_idle",
        _("闲置资产"),
        "assets:idle_pool",
        "recycle",
        perm="assets.view_own",
        order=41,
    ),
    NavItem(
        "assets_moves",
        _("调拨与处置"),
        "assets:movement_list",
        "arrow-left-right",
        perm=MANAGE,
        order=41,
        section="manage",
    ),
)
