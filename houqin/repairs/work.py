"""Repairs on "我的工作": the manager's 待派单 and 超期, the worker's 我的维修单, the
reporter's 待确认; and 报修 among the quick actions. Each provider runs one query."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.core.work import (
    counted,
    counted_each,
    quick_action,
    register_provider,
    register_quick_actions,
    school_staff,
)
from houqin.qr.registry import scan_url
from houqin.repairs.access import visible_requests
from houqin.repairs.forms import overdue_q
from houqin.repairs.models import WORKING_STATUSES, RepairRequest, Status


@register_provider
def manager_queue(request):
    """待派单 and 超期 for those who dispatch (repairs.manage)."""
    if school_staff(request, "repairs.manage") is None:
        return []
    counts = visible_requests(request).aggregate(
        waiting=Count("pk", filter=Q(status=Status.SUBMITTED)),
        overdue=Count("pk", filter=overdue_q(timezone.now())),
    )
    url = reverse("repairs:queue")
    return counted_each(
        counts,
        waiting={
            "title": _("报修待派单"),
            "detail": _("派给维修人员或维修单位"),
            "url": f"{url}?status={Status.SUBMITTED}",
            "icon": "tools",
        },
        overdue={
            "title": _("报修超期"),
            "detail": _("超过响应或完成时限，请督办"),
            "url": f"{url}?overdue=1",
            "icon": "alarm",
            "urgent": True,
        },
    )


@register_provider
def worker_jobs(request):
    """我的维修单 for the worker: new jobs to accept and jobs in hand."""
    staff = school_staff(request, "repairs.work")
    if staff is None:
        return []
    counts = RepairRequest.objects.filter(school_id=staff.school_id, assignee=staff).aggregate(
        new=Count("pk", filter=Q(status=Status.ASSIGNED)),
        working=Count("pk", filter=Q(status__in=WORKING_STATUSES)),
        late=Count(
            "pk",
            filter=Q(status__in=[Status.ASSIGNED, *WORKING_STATUSES])
            & Q(completion_due__lt=timezone.now()),
        ),
    )
    return counted(
        counts["new"] + counts["working"],
        title=_("我的维修单"),
        detail=_("%(new)s 单待接单，%(working)s 单维修中")
        % {"new": counts["new"], "working": counts["working"]},
        url=reverse("repairs:jobs"),
        icon="wrench-adjustable",
        urgent=bool(counts["new"] or counts["late"]),
    )


@register_provider
def to_confirm(request):
    """待确认: repairs I reported that are done and wait for my word."""
    staff = school_staff(request, "repairs.report")
    if staff is None:
        return []
    count = RepairRequest.objects.filter(
        school_id=staff.school_id, reporter=staff, status=Status.DONE
    ).count()
    return counted(
        count,
        title=_("报修待确认"),
        detail=_("维修已完成，请确认是否修好并评价"),
        url=reverse("repairs:mine"),
        icon="patch-check",
    )


@register_quick_actions
def report_action(request):
    return quick_action(request, "repairs.report", _("报修"), scan_url("repair"), "tools")
