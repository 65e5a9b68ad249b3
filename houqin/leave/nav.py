"""Navigation entries of the leave pages (imported from ``LeaveConfig.ready``)."""

from django.utils.translation import gettext_lazy as _

from houqin.core.navigation import NavItem, register

register(
    NavItem("leave", _("请假"), "leave:mine", "calendar2-minus", perm="leave.apply", order=25),
    NavItem("leave_gate", _("门卫出入"), "leave:gate", "door-open", perm="leave.gate", order=12),
    NavItem(
        "leave_office",
        _("请假管理"),
        "leave:office",
        "clipboard-check",
        perm="leave.arrange_cover",
        order=26,
        section="manage",
    ),
)
