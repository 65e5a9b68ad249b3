"""Navigation entries of the coverage and statistics pages."""

from django.utils.translation import gettext_lazy as _

from houqin.core.navigation import NavItem, register

register(
    NavItem(
        "patrol_coverage",
        _("巡查覆盖"),
        "patrols:coverage",
        "grid-3x3-gap",
        perm="patrols.view_all",
        order=42,
        section="manage",
    ),
    NavItem(
        "patrol_stats",
        _("巡查统计"),
        "patrols:stats",
        "bar-chart-line",
        perm="patrols.view_all",
        order=43,
        section="manage",
    ),
)
