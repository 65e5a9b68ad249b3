from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FilesConfig(AppConfig):
    name = "houqin.files"
    verbose_name = _("照片和附件")
