"""Navigation entries of the ledger import pages."""

from django.utils.translation import gettext_lazy as _

from houqin.core.navigation import NavItem, register

register(
    NavItem(
        "assets_import",
        _("资产台账导入"),
        "assets:import",
        "file-earmark-arrow-up",
        perm="assets.manage",
        order=41,
        section="manage",
    ),
)
