"""Navigation entries of the stocktake pages (imported from ``StocktakesConfig.ready``)."""

from django.utils.translation import gettext_lazy as _

from houqin.core.navigation import NavItem, register

register(
    NavItem(
        "stocktakes",
        _("资产盘点"),
        "stocktakes:list",
        "clipboard-data",
        perm="assets.manage",
        order=43,
        section="manage",
    ),
    NavItem(
        "my_stocktakes",
        _("我的盘点"),
        "stocktakes:mine",
        "upc-scan",
        perm="assets.view_own",
        order=44,
    ),
)
