"""Leave on "我的工作": the teacher's 待销假, the guard's slips waiting at the gate and those
late back; 请假 and 出门条 among the quick actions. Each provider runs one query.
(Requests waiting for someone's approval show through the approvals provider.)"""

from datetime import datetime, time

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.core.work import (
    QuickAction,
    WorkItem,
    counted,
    register_provider,
    register_quick_actions,
    school_staff,
)
from houqin.leave.models import GoingOutSlip, LeaveRequest, LeaveStatus, SlipStatus
from houqin.qr.registry import scan_url


@register_provider
def to_report_back(request):
    """待销假: my approved leave that has begun and is not reported back yet."""
    staff = school_staff(request, "leave.apply")
    if staff is None:
        return []
    today = timezone.localdate()
    leaves = list(
        LeaveRequest.objects.filter(
            school_id=staff.school_id,
            staff=staff,
            status=LeaveStatus.APPROVED,
            start_date__lte=today,
        ).order_by("end_date")[:5]
    )
    if not leaves:
        return []
    first = leaves[0]
    return [
        WorkItem(
            title=_("请假待销假"),
            detail=_("回到岗位后请及时销假；逾期返岗记为超假。"),
            url=reverse("leave:detail", args=[first.pk]),
            icon="box-arrow-in-left",
            count=len(leaves),
            urgent=first.end_date < today,
        )
    ]


@register_provider
def gate_slips(request):
    """For the guard: slips approved for today still to go out, and staff late back."""
    staff = school_staff(request, "leave.gate")
    if staff is None:
        return []
    now = timezone.now()
    today = timezone.localdate()
    start = timezone.make_aware(datetime.combine(today, time.min))
    end = timezone.make_aware(datetime.combine(today, time.max))
    counts = GoingOutSlip.objects.filter(school_id=staff.school_id).aggregate(
        waiting=Count("pk", filter=Q(status=SlipStatus.APPROVED, planned_out__range=(start, end))),
        late=Count("pk", filter=Q(status=SlipStatus.OUT, planned_back__lt=now)),
    )
    url = reverse("leave:gate")
    return [
        *counted(
            counts["late"],
            title=_("出门逾期未返校"),
            detail=_("已过计划返校时间"),
            url=url,
            icon="alarm",
            urgent=True,
        ),
        *counted(
            counts["waiting"],
            title=_("今日出门条"),
            detail=_("已批准、待出校"),
            url=url,
            icon="door-open",
        ),
    ]


@register_quick_actions
def leave_actions(request):
    actions = []
    if request.user.has_perm("leave.apply"):
        actions.append(QuickAction(_("请假"), reverse("leave:apply"), "calendar2-minus"))
        actions.append(QuickAction(_("出门条"), reverse("leave:slip_apply"), "box-arrow-right"))
    if request.user.has_perm("leave.gate"):
        actions.append(QuickAction(_("扫出门条"), scan_url("gate"), "qr-code-scan"))
    return actions
