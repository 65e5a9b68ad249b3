from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QrConfig(AppConfig):
    name = "houqin.qr"
    verbose_name = _("二维码与标签")

    def ready(self):
        from houqin.core.navigation import NavItem, register
        from houqin.qr import places, work  # noqa: F401  (register the place kind, quick action)

        register(
            NavItem("scan", _("扫码"), "qr:scan", "qr-code-scan", perm="org.view_org", order=10)
        )
