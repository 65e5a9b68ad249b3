from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QrConfig(AppConfig):
    name = "houqin.qr"
    verbose_name = _("二维码与标签")
