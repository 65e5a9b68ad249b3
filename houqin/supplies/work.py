"""Consumables on "我的工作": the keeper's 待发放 and the items I still have to return.
Each provider runs at most two queries."""

from django.db.models import F, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from houqin.core.work import (
    QuickAction,
    counted,
    register_provider,
    register_quick_actions,
    school_staff,
)
from houqin.supplies.access import kept_stores
from houqin.supplies.models import TO_ISSUE, Requisition, RequisitionLine


@register_provider
def to_issue(request):
    """领用单待发放 for whoever keeps the stores they were asked from."""
    if school_staff(request) is None:
        return []
    count = Requisition.objects.filter(
        status__in=TO_ISSUE, store__in=kept_stores(request.user)
    ).count()
    return counted(
        count,
        title=_("领用单待发放"),
        detail=_("审批已通过，请按单发放物品"),
        url=reverse("supplies:queue"),
        icon="box-arrow-right",
    )


@register_provider
def to_return(request):
    """Returnable items (tools, projectors) I was issued and still hold."""
    staff = school_staff(request, "supplies.request")
    if staff is None:
        return []
    held = RequisitionLine.objects.filter(
        requisition__requester=staff,
        requisition__school_id=staff.school_id,
        item__returnable=True,
        issued__gt=F("returned"),
    ).aggregate(total=Sum(F("issued") - F("returned")))["total"]
    return counted(
        held,
        title=_("待归还物品"),
        detail=_("领用的工具、设备用完请归还库房"),
        url=reverse("supplies:mine") + "?tab=held",
        icon="arrow-return-left",
    )


@register_quick_actions
def request_action(request):
    if not request.user.has_perm("supplies.request"):
        return []
    return [QuickAction(_("我要领用"), reverse("supplies:request"), "basket")]
