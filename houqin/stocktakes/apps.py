from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StocktakesConfig(AppConfig):
    name = "houqin.stocktakes"
    verbose_name = _("资产盘点")

    def ready(self):
        from houqin.approvals.kinds import AMOUNT, register_kind
        from houqin.core.audit import register as audit
        from houqin.files.registry import register_attachable
        from houqin.stocktakes import access, nav, work  # noqa: F401
        from houqin.stocktakes.models import Difference, Scan, Stocktake

        audit(Stocktake, Difference)
        register_attachable(
            Scan,
            can_view=access.can_view_scan,
            can_add=access.can_add_scan_photo,
            can_remove=access.can_remove_scan_photo,
        )
        register_kind("stocktake", _("盘点结果"), facts=(AMOUNT,))
