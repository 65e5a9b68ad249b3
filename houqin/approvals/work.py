"""What waits for a person's approval, on "我的工作": "待我审批 N" linking to the list,
and the oldest few requests as items of their own (tap one, tap 同意)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.approvals.models import Delegation, RequestStep
from houqin.core.work import WorkItem, register_provider

SHOWN = 5


def awaiting(staff):
    """Steps waiting for ``staff``'s decision, oldest first (own and delegated)."""
    delegations = Delegation.objects.acting_for(staff)
    return RequestStep.objects.awaiting(staff, delegations).order_by("request__submitted_at", "pk")


@register_provider
def pending_approvals(request):
    staff = getattr(request, "staff", None)
    if staff is None:
        return []
    waiting = awaiting(staff)
    steps = list(waiting.select_related("request__requester")[: SHOWN + 1])
    if not steps:
        return []
    urgent_before = timezone.now() - timedelta(days=1)
    items = [
        WorkItem(
            title=_("审批：%(title)s") % {"title": step.request.title},
            detail=_("%(name)s 的%(kind)s申请 · %(when)s提交")
            % {
                "name": step.request.requester.name,
                "kind": step.request.kind_label,
                "when": timezone.localtime(step.request.submitted_at).strftime("%m-%d %H:%M"),
            },
            url=reverse("approvals:request_detail", args=[step.request_id]),
            icon="check2-square",
            urgent=step.request.submitted_at < urgent_before,
        )
        for step in steps[:SHOWN]
    ]
    count = len(steps) if len(steps) <= SHOWN else waiting.count()
    summary = WorkItem(
        title=_("待我审批"),
        detail=_("最早一项提交于 %(when)s")
        % {"when": timezone.localtime(steps[0].request.submitted_at).strftime("%m-%d %H:%M")},
        url=reverse("approvals:inbox"),
        icon="list-check",
        count=count,
        urgent=steps[0].request.submitted_at < urgent_before,
    )
    return [summary, *items]
