from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "houqin.accounts"
    verbose_name = _("人员与账号")

    def ready(self):
        from houqin.accounts.models import Appointment, Staff, User
        from houqin.core.audit import register

        register(User, Staff, Appointment)
