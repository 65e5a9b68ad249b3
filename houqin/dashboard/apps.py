from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "houqin.dashboard"
    verbose_name = _("我的工作")

    def ready(self):
        from houqin.core.navigation import NavItem, register

        register(NavItem("home", _("我的工作"), "dashboard:home", "house-door", order=0))
