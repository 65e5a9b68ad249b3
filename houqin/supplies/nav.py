"""Navigation entries of the consumables pages (imported from ``SuppliesConfig.ready``)."""

from django.utils.translation import gettext_lazy as _

from houqin.core.navigation import NavItem, register

register(
    NavItem(
        "supplies", _("物品领用"), "supplies:mine", "basket", perm="supplies.request", order=25
    ),
    NavItem(
        "supplies_items",
        _("低值易耗品"),
        "supplies:items",
        "box-seam",
        perm="supplies.view_all",
        order=36,
        section="manage",
    ),
)
