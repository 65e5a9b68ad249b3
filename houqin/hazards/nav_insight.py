"""Navigation entries of the hazard statistics, camera and district pages (imported from
``HazardsConfig.ready``)."""

from django.utils.translation import gettext_lazy as _

from houqin.core.navigation import NavItem, register

register(
    NavItem(
        "hazard_stats",
        _("隐患统计"),
        "hazards:stats",
        "bar-chart-line",
        perm="hazards.view_all",
        order=46,
        section="manage",
    ),
    NavItem(
        "hazard_cameras",
        _("监控点位"),
        "hazards:camera_list",
        "camera-video",
        perm="hazards.view_all",
        order=47,
        section="manage",
    ),
    NavItem(
        "district_hazards",
        _("辖区重大隐患"),
        "hazards:district",
        "exclamation-octagon",
        perm="hazards.view_district",
        order=10,
        section="district",
    ),
)
