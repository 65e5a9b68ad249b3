"""Hazards on "我的工作": the owner's 我的整改; the manager's 待指派, 待验证 (never the
ones they rectified themselves) and 超期; and 上报隐患 among the quick actions. Each
provider runs one query."""

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
from houqin.hazards.access import visible_hazards
from houqin.hazards.models import Hazard, Status, overdue_q


@register_provider
def my_rectifications(request):
    """我的整改: hazards I must rectify."""
    staff = school_staff(request, "hazards.report")
    if staff is None:
        return []
    counts = Hazard.objects.filter(school_id=staff.school_id, owner=staff).aggregate(
        open=Count("pk", filter=Q(status=Status.RECTIFYING)),
        overdue=Count("pk", filter=overdue_q(timezone.localdate())),
    )
    detail = _("请整改并上传整改后照片")
    if counts["overdue"]:
        detail = _("其中 %(count)s 条已超过整改期限") % {"count": counts["overdue"]}
    return counted(
        counts["open"],
        title=_("我的隐患整改"),
        detail=detail,
        url=reverse("hazards:tasks"),
        icon="cone-striped",
        urgent=bool(counts["overdue"]),
    )


@register_provider
def manager_queue(request):
    """待指派, 待我验证 and 超期 for those who run the register (hazards.manage)."""
    staff = school_staff(request, "hazards.manage")
    if staff is None:
        return []
    counts = visible_hazards(request).aggregate(
        unassigned=Count("pk", filter=Q(status=Status.REPORTED)),
        to_verify=Count("pk", filter=Q(status=Status.RECTIFIED) & ~Q(rectified_by_id=staff.pk)),
        overdue=Count("pk", filter=overdue_q(timezone.localdate())),
    )
    url = reverse("hazards:list")
    return counted_each(
        counts,
        unassigned={
            "title": _("隐患待指派"),
            "detail": _("指定整改责任人和整改期限"),
            "url": f"{url}?status={Status.REPORTED}",
            "icon": "exclamation-triangle",
        },
        to_verify={
            "title": _("隐患待验证"),
            "detail": _("整改已完成，请到现场验证销号"),
            "url": f"{url}?status={Status.RECTIFIED}",
            "icon": "shield-check",
        },
        overdue={
            "title": _("隐患超期"),
            "detail": _("超过整改期限，请督办"),
            "url": f"{url}?overdue=1",
            "icon": "alarm",
            "urgent": True,
        },
    )


@register_quick_actions
def report_action(request):
    return quick_action(
        request, "hazards.report", _("上报隐患"), reverse("hazards:report"), "exclamation-triangle"
    )
