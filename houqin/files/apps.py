from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FilesConfig(AppConfig):
    name = "houqin.files"
    verbose_name = _("照片和附件")

    def ready(self):
        from houqin.core.audit import register
        from houqin.files.models import Attachment
        from houqin.files.registry import register_attachable
        from houqin.org.models import Place

        register(Attachment)
        register_attachable(
            Place,
            can_view=lambda user, place: user.has_perm("org.view_org"),
            can_add=lambda user, place: user.has_perm("org.manage_places"),
            can_remove=lambda user, place: user.has_perm("org.manage_places"),
        )
