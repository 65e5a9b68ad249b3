from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepairsConfig(AppConfig):
    name = "houqin.repairs"
    verbose_name = _("报修")

    def ready(self):
        from houqin.core.audit import register as audit
        from houqin.files.registry import register_attachable
        from houqin.notifications.events import register_event
        from houqin.qr.registry import register_purpose
        from houqin.repairs import access, jobs, nav, services, work  # noqa: F401
        from houqin.repairs.models import Deadline, DispatchRule, RepairRequest, Vendor
        from houqin.schedules.heartbeat import on_tick

        audit(RepairRequest, Vendor, DispatchRule, Deadline)
        register_event(services.EVENT_NEW, _("新的报修待派单"), channels=("inbox", "email"))
        register_event(services.EVENT_ASSIGNED, _("派给我的维修单"), channels=("inbox", "email"))
        register_event(services.EVENT_PROGRESS, _("报修进度"))
        register_event(services.EVENT_DONE, _("维修完成待确认"))
        register_event(
            services.EVENT_OVERDUE, _("报修超期督办"), channels=("inbox", "email"), optional=False
        )
        register_attachable(
            RepairRequest,
            can_view=access.can_view,
            can_add=access.can_add_photos,
            can_remove=lambda user, repair: access.can_manage(user),
            roles=("report", "done"),
        )
        register_purpose(
            "repair",
            _("报修"),
            kinds=["P", "A"],
            url_for=report_url,
            perm="repairs.report",
            hint=_("扫教室门口或设备上的二维码，直接报修"),
            any_record=True,
        )
        on_tick(jobs.on_heartbeat)


def report_url(request, found):
    """Scan → the report form for that place."""
    from django.urls import reverse

    from houqin.qr.registry import ScanRefused

    if found.kind.prefix == "A":
        if found.obj.status == "disposed":
            raise ScanRefused(_("这件资产已处置，不能报修。"))
        return reverse("repairs:report") + f"?asset={found.obj.pk}"
    if not getattr(found.obj, "is_active", True):
        raise ScanRefused(_("该场所已停用，不能报修。"))
    return reverse("repairs:report") + f"?place={found.obj.pk}"
