from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "houqin.org"
    verbose_name = _("组织与场所")

    def ready(self):
        from houqin.core.navigation import NavItem, register
        from houqin.org import audit, work  # noqa: F401  (register audit and pending work)

        register(
            NavItem(
                "classes", _("年级班级"), "org:class_list", "people", perm="org.view_org", order=40
            ),
            NavItem(
                "departments",
                _("部门"),
                "org:department_list",
                "diagram-3",
                perm="org.view_org",
                order=20,
                section="manage",
            ),
            NavItem(
                "calendar",
                _("校历"),
                "org:calendar",
                "calendar3",
                perm="org.view_org",
                order=30,
                section="manage",
            ),
            NavItem(
                "terms",
                _("学年学期"),
                "org:term_list",
                "journal-text",
                perm="org.manage_calendar",
                order=31,
                section="manage",
            ),
            NavItem(
                "settings",
                _("学校设置"),
                "org:settings",
                "sliders",
                perm="org.manage_settings",
                order=90,
                section="manage",
            ),
        )

        register(
            NavItem(
                "places", _("场所"), "org:place_list", "geo-alt", perm="org.view_org", order=30
            ),
            NavItem(
                "campuses",
                _("校区与楼宇"),
                "org:campus_list",
                "buildings",
                perm="org.manage_places",
                order=30,
                section="manage",
            ),
        )
