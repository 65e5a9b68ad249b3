from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HazardsConfig(AppConfig):
    name = "houqin.hazards"
    verbose_name = _("隐患台账")

    def ready(self):
        from houqin.core.audit import register as audit
        from houqin.files.registry import register_attachable
        from houqin.hazards import access, jobs, nav, nav_insight, services, work  # noqa: F401
        from houqin.hazards.models import Camera, Hazard, HazardPlan
        from houqin.notifications.events import register_event
        from houqin.qr.registry import register_purpose
        from houqin.schedules.heartbeat import on_tick

        audit(Hazard, HazardPlan)
        audit(Camera, m2m=("covers",))
        register_event(services.EVENT_NEW, _("新的隐患待指派"), channels=("inbox", "email"))
        register_event(
            services.EVENT_ASSIGNED, _("指派给我整改的隐患"), channels=("inbox", "email")
        )
        register_event(services.EVENT_RECTIFIED, _("隐患已整改待验证"), channels=("inbox", "email"))
        register_event(
            services.EVENT_VERIFY_FAILED, _("隐患验证未通过"), channels=("inbox", "email")
        )
        register_event(services.EVENT_PROGRESS, _("隐患处理进度"))
        register_event(
            services.EVENT_OVERDUE, _("隐患超期督办"), channels=("inbox", "email"), optional=False
        )
        register_event(
            services.EVENT_MAJOR, _("重大隐患报告"), channels=("inbox", "email"), optional=False
        )
        register_attachable(
            Hazard,
            can_view=access.can_view,
            can_add=access.can_add_photos,
            can_remove=lambda user, hazard: access.can_manage(user),
            roles=("found", "after", "verify"),
        )
        register_purpose(
            "hazard",
            _("上报隐患"),
            kinds=["P"],
            url_for=report_url,
            perm="hazards.report",
            hint=_("扫场所门口的二维码，直接上报这里的安全隐患"),
        )
        on_tick(jobs.on_heartbeat)


def report_url(request, found):
    """Scan → the report form for that place."""
    from django.urls import reverse

    from houqin.qr.registry import ScanRefused

    if not getattr(found.obj, "is_active", True):
        raise ScanRefused(_("该场所已停用，请选择其他场所上报。"))
    return reverse("hazards:report") + f"?place={found.obj.pk}"
