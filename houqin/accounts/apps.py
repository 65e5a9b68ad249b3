from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "houqin.accounts"
    verbose_name = _("人员与账号")

    def ready(self):
        from houqin.accounts.models import Appointment, Staff, User
        from houqin.core.audit import register
        from houqin.core.navigation import NavItem
        from houqin.core.navigation import register as register_nav

        register(User, Staff, Appointment)
        register_nav(
            NavItem(
                "staff",
                _("教职工"),
                "accounts:staff_list",
                "person-vcard",
                perm="accounts.view_staff",
                order=50,
                section="manage",
            ),
            NavItem(
                "login_records",
                _("登录记录"),
                "accounts:login_records",
                "shield-lock",
                perm="accounts.view_login_records",
                order=90,
                section="manage",
            ),
            NavItem(
                "audit_log",
                _("审计日志"),
                "accounts:audit_log",
                "journal-text",
                perm="accounts.view_audit_log",
                order=91,
                section="manage",
            ),
        )
