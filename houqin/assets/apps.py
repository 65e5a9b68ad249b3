from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssetsConfig(AppConfig):
    name = "houqin.assets"
    verbose_name = _("固定资产")

    def ready(self):
        from houqin.assets import access, jobs, nav, nav_import, nav_moves, work  # noqa: F401
        from houqin.assets.models import Acceptance, Asset, Disposal, Movement
        from houqin.core.audit import register as audit
        from houqin.files.registry import register_attachable
        from houqin.qr.registry import register_kind

        audit(Asset, Acceptance, Movement, Disposal)
        register_attachable(
            Asset,
            can_view=access.can_view,
            can_add=access.can_add_photos,
            can_remove=access.can_add_photos,
        )
        register_attachable(
            Acceptance,
            can_view=access.can_view_acceptance,
            can_add=access.can_add_acceptance_files,
            roles=("photo", "invoice"),
        )
        register_attachable(
            Disposal,
            can_view=access.can_view_disposal,
            can_add=access.can_add_disposal_files,
            roles=("appraisal", "proof"),
        )
        register_kind(
            "A",
            Asset,
            label=_("资产"),
            code_of=lambda asset: asset.number,
            find_by_code=find_asset,
            url_of=lambda asset: asset.get_absolute_url(),
            label_lines=asset_label_lines,
            can_view=access.can_view,
            queryset=lambda user: access.visible_assets(user).select_related("place__building"),
            label_hint=_("扫码查看资产卡片"),
        )


def find_asset(school, text):
    """The card whose number is ``text``: the exact number (indexed) first, then
    ignoring case for numbers with letters typed in lower case."""
    from houqin.assets.models import Asset

    cards = Asset.objects.filter(school=school)
    return cards.filter(number=text).first() or cards.filter(number__iexact=text).first()


def asset_label_lines(asset):
    return [asset.name, asset.place.full_name if asset.place_id else ""]
