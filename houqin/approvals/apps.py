from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "houqin.approvals"
    verbose_name = _("审批")

    def ready(self):
        from houqin.approvals import work  # noqa: F401  (registers the pending-work provider)
        from houqin.approvals.models import Delegation, Flow, FlowStep
        from houqin.core.audit import register
        from houqin.core.navigation import NavItem
        from houqin.core.navigation import register as register_nav
        from houqin.notifications.events import register_event

        register(Flow, FlowStep, Delegation)
        register_event("approvals.pending", _("待我审批"), channels=("inbox", "email"))
        register_event("approvals.decided", _("审批结果"), channels=("inbox", "email"))
        register_event("approvals.copied", _("审批知会"), channels=("inbox",))
        register_nav(
            NavItem("approvals", _("审批"), "approvals:inbox", "check2-square", order=10),
            NavItem(
                "approval_flows",
                _("审批流程"),
                "approvals:flow_list",
                "diagram-2",
                perm="approvals.manage_flows",
                order=60,
                section="manage",
            ),
        )
