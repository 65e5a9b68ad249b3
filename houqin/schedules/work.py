"""What the schedules ask of their administrators on "我的工作": runs that failed."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.core.work import WorkItem, register_provider
from houqin.schedules.models import RunStatus, ScheduleRun

RECENT_DAYS = 7


@register_provider
def failed_runs(request):
    if not request.user.has_perm("schedules.manage"):
        return []
    count = ScheduleRun.objects.filter(
        schedule__school=request.school,
        status=RunStatus.FAILED,
        finished_at__gte=timezone.now() - timedelta(days=RECENT_DAYS),
    ).count()
    if not count:
        return []
    return [
        WorkItem(
            title=_("定时任务执行失败"),
            detail=_("最近 %(days)d 天有 %(count)d 次执行失败，请查看原因并重试。")
            % {"days": RECENT_DAYS, "count": count},
            url=f"{reverse('schedules:list')}?state=failed",
            icon="alarm",
            count=count,
            urgent=True,
        )
    ]
