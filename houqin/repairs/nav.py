"""Navigation entries of the repair pages (imported from ``RepairsConfig.ready``)."""

from django.utils.translation import gettext_lazy as _

from houqin.core.navigation import NavItem, register

register(
    NavItem("repairs", _("报修"), "repairs:mine", "tools", perm="repairs.report", order=20),
    NavItem(
        "repair_jobs",
        _("我的维修单"),
        "repairs:jobs",
        "wrench-adjustable",
        perm="repairs.work",
        order=15,
    ),
    NavItem(
        "repair_queue",
        _("报修管理"),
        "repairs:queue",
        "clipboard-check",
        perm="repairs.view_all",
        order=30,
        section="manage",
    ),
    NavItem(
        "repair_settings",
        _("维修设置"),
        "repairs:vendor_list",
        "sliders",
        perm="repairs.manage",
        order=31,
        section="manage",
    ),
)
