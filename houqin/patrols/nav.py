"""Navigation entries of the patrol pages (imported from ``PatrolsConfig.ready``)."""

from django.utils.translation import gettext_lazy as _

from houqin.core.navigation import NavItem, register

register(
    NavItem(
        "patrol_today",
        _("今日巡查"),
        "patrols:today",
        "shield-check",
        perm="patrols.patrol",
        order=14,
    ),
    NavItem(
        "patrol_rounds",
        _("巡查记录"),
        "patrols:round_list",
        "journal-check",
        perm="patrols.view_all",
        order=40,
        section="manage",
    ),
    NavItem(
        "patrol_expected",
        _("应巡任务"),
        "patrols:expected_list",
        "calendar-check",
        perm="patrols.view_all",
        order=41,
        section="manage",
    ),
    NavItem(
        "patrol_settings",
        _("巡查设置"),
        "patrols:plan_list",
        "signpost-split",
        perm="patrols.manage",
        order=44,
        section="manage",
    ),
)
