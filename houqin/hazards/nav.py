"""Navigation entries of the hazard pages (imported from ``HazardsConfig.ready``)."""

from django.utils.translation import gettext_lazy as _

from houqin.core.navigation import NavItem, register

register(
    NavItem(
        "hazards",
        _("隐患上报"),
        "hazards:mine",
        "exclamation-triangle",
        perm="hazards.report",
        order=22,
    ),
    NavItem(
        "hazard_register",
        _("隐患台账"),
        "hazards:list",
        "shield-exclamation",
        perm="hazards.view_all",
        order=32,
        section="manage",
    ),
)
