from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeaveConfig(AppConfig):
    name = "houqin.leave"
    verbose_name = _("请假与外出")

    def ready(self):
        from houqin.approvals.kinds import DAYS, LEAVE_TYPES, SUB_TYPE, register_kind
        from houqin.core.audit import register as audit
        from houqin.files.registry import register_attachable
        from houqin.leave import access, nav, services, work  # noqa: F401
        from houqin.leave.models import Absence, Cover, GoingOutSlip, LeaveRequest, LeaveType
        from houqin.notifications.events import register_event
        from houqin.qr.registry import register_kind as register_qr_kind
        from houqin.qr.registry import register_purpose
        from houqin.schedules.heartbeat import on_tick

        audit(LeaveType, LeaveRequest, Cover, Absence, GoingOutSlip)
        register_kind(
            services.KIND_LEAVE,
            _("请假"),
            facts=(DAYS, SUB_TYPE),
            sub_types=LEAVE_TYPES,
            on_decided=services.leave_decided,
        )
        register_kind(
            services.KIND_GOING_OUT,
            _("外出"),
            facts=(DAYS, SUB_TYPE),
            on_decided=services.slip_decided,
        )
        register_event(services.EVENT_CANCELLED, _("请假已取消"))
        register_event(services.EVENT_OVERRUN, _("超假（旷工）提醒"), channels=("inbox", "email"))
        register_event(
            services.EVENT_SLIP_LATE,
            _("外出逾期未返校"),
            channels=("inbox", "email"),
            optional=False,
        )
        register_attachable(
            LeaveRequest,
            can_view=access.can_view_attachments,
            can_add=access.can_add_proof,
            roles=("proof",),
        )
        register_qr_kind(
            "G",
            GoingOutSlip,
            label=_("出门条"),
            code_of=slip_code,
            find_by_code=find_slip,
            url_of=lambda slip: slip.get_absolute_url(),
            label_lines=lambda slip: [str(slip.staff), slip.destination],
            can_view=access.can_view_slip,
            queryset=lambda user: access.visible_slips(user).select_related("staff"),
            label_hint=_("门岗扫码登记出校、返校"),
        )
        register_purpose(
            "gate",
            _("门岗出门条"),
            kinds=["G"],
            url_for=gate_url,
            perm="leave.gate",
            require_token=True,
            hint=_("扫教师手机上的出门条二维码，登记出校或返校"),
        )
        on_tick(services.on_heartbeat)


def slip_code(slip):
    """The human code of a slip: CM + its number, e.g. CM123."""
    return f"CM{slip.pk}"


def find_slip(school, text):
    from houqin.leave.models import GoingOutSlip

    text = (text or "").strip().upper()
    if text.startswith("CM"):
        text = text[2:]
    if not text.isdigit():
        return None
    return GoingOutSlip.objects.filter(school=school, pk=int(text)).first()


def gate_url(request, found):
    """Scan at the gate → the gate page of that slip (refused when it cannot pass)."""
    from django.urls import reverse

    from houqin.leave.models import SlipStatus
    from houqin.qr.registry import ScanRefused

    slip = found.obj
    if slip.status not in (SlipStatus.APPROVED, SlipStatus.OUT, SlipStatus.BACK):
        raise ScanRefused(
            _("这张出门条当前为“%(status)s”，不能出校。") % {"status": slip.get_status_display()}
        )
    return reverse("leave:gate_slip", args=[slip.pk])
