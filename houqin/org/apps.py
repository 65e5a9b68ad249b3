from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "houqin.org"
    verbose_name = _("组织与场所")

    def ready(self):
        from houqin.org import audit  # noqa: F401  (registers models with auditlog)
