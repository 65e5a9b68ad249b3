from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliesConfig(AppConfig):
    name = "houqin.supplies"
    verbose_name = _("低值易耗品")

    def ready(self):
        from houqin.approvals.kinds import AMOUNT, SUB_TYPE, register_kind
        from houqin.core.audit import register as audit
        from houqin.files.registry import register_attachable
        from houqin.notifications.events import register_event
        from houqin.supplies import access, nav, services, work  # noqa: F401
        from houqin.supplies.models import CountSheet, Item, StockIn, Store

        audit(Store, Item, StockIn, CountSheet)
        register_kind(
            services.KIND,
            _("物品领用"),
            facts=(AMOUNT, SUB_TYPE),
            on_decided=services.requisition_decided,
        )
        register_event(services.EVENT_TO_ISSUE, _("领用单待发放"), channels=("inbox", "email"))
        register_event(services.EVENT_ISSUED, _("领用物品已发放"))
        register_attachable(
            StockIn,
            can_view=access.can_view_stock_in,
            can_add=access.can_add_invoice,
            roles=("invoice",),
        )
