"""Patrols on "我的工作": a patroller's rounds still to walk today, the managers' 漏巡 of
the last day; and 巡查 among the quick actions. Each provider runs one query."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.core.work import (
    QuickAction,
    counted,
    register_provider,
    register_quick_actions,
    school_staff,
)
from houqin.patrols.models import ExpectedRound
from houqin.patrols.services import local_today


@register_provider
def rounds_today(request):
    """今日巡查: my expected rounds of today not walked yet."""
    staff = school_staff(request, "patrols.patrol")
    if staff is None:
        return []
    count = ExpectedRound.objects.filter(
        school_id=staff.school_id,
        plan__patrollers=staff,
        day=local_today(staff.school),
        state=ExpectedRound.State.PENDING,
    ).count()
    return counted(
        count,
        title=_("今日巡查"),
        detail=_("还有 %(count)d 项巡查待完成") % {"count": count},
        url=reverse("patrols:today"),
        icon="shield-check",
    )


@register_provider
def missed_rounds(request):
    """漏巡 flagged in the last day, for those who manage patrols."""
    staff = school_staff(request, "patrols.manage")
    if staff is None:
        return []
    count = ExpectedRound.objects.filter(
        school_id=staff.school_id,
        state=ExpectedRound.State.MISSED,
        flagged_at__gte=timezone.now() - timedelta(days=1),
    ).count()
    return counted(
        count,
        title=_("漏巡"),
        detail=_("到时限还没有完成的巡查，请了解原因"),
        url=reverse("patrols:expected_list") + "?state=missed",
        icon="exclamation-octagon",
        urgent=True,
    )


@register_quick_actions
def patrol_action(request):
    if not request.user.has_perm("patrols.patrol"):
        return []
    return [QuickAction(_("巡查"), reverse("patrols:today"), "shield-check")]
