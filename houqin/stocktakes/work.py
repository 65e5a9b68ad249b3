"""Stocktakes on "我的工作": a counter's stocktakes in counting (one query)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from houqin.core.work import WorkItem, register_provider, school_staff
from houqin.stocktakes.models import Status, Stocktake


@register_provider
def counting(request):
    staff = school_staff(request)
    if staff is None:
        return []
    stocktakes = list(
        Stocktake.objects.filter(
            school_id=staff.school_id, counters__staff=staff, status=Status.COUNTING
        ).order_by("-base_date", "-id")[:5]
    )
    return [
        WorkItem(
            title=_("盘点：%(name)s") % {"name": stocktake.name},
            detail=_("扫描房间和资产标签，离线也可盘点"),
            url=reverse("stocktakes:count", args=[stocktake.pk]),
            icon="upc-scan",
        )
        for stocktake in stocktakes
    ]
