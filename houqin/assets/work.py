"""Assets on "我的工作": the acceptances whose group I am in that still wait for their
result, one item each (the oldest delivery first). One query."""

from django.utils.translation import gettext as _

from houqin.assets.models import Acceptance
from houqin.core.work import WorkItem, register_provider, school_staff

SHOWN = 5


@register_provider
def acceptances_to_check(request):
    staff = school_staff(request)
    if staff is None:
        return []
    waiting = Acceptance.objects.filter(
        school_id=staff.school_id, group=staff, state=Acceptance.State.DRAFT
    ).order_by("delivered_on", "pk")[:SHOWN]
    return [
        WorkItem(
            title=_("资产验收：%(supplier)s") % {"supplier": acceptance.supplier},
            detail=_("%(date)s 到货，验收单 %(number)s，请核对物品并上传照片")
            % {"date": acceptance.delivered_on.isoformat(), "number": acceptance.number},
            url=acceptance.get_absolute_url(),
            icon="clipboard2-check",
        )
        for acceptance in waiting
    ]
