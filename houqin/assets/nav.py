"""Navigation entries of the asset pages (imported from ``AssetsConfig.ready``)."""

from django.utils.translation import gettext_lazy as _

from houqin.core.navigation import NavItem, register

register(
    NavItem(
        "assets_mine", _("我的资产"), "assets:mine", "laptop", perm="assets.view_own", order=40
    ),
    NavItem(
        "assets",
        _("资产管理"),
        "assets:list",
        "box-seam",
        perm="assets.view_all",
        order=40,
        section="manage",
    ),
    NavItem(
        "assets_district",
        _("辖区资产"),
        "assets:district",
        "buildings",
        perm="assets.view_district",
        order=41,
        section="district",
    ),
)
