from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "houqin.imports"
    verbose_name = _("导入导出")

    def ready(self):
        from houqin.core.navigation import NavItem, register

        register(
            NavItem(
                "imports",
                _("导入导出"),
                "imports:index",
                "file-earmark-spreadsheet",
                perm="org.import_export",
                order=80,
                section="manage",
            )
        )
