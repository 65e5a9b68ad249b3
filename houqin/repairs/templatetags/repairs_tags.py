"""``{% load repairs_tags %}{% repairs_card place %}`` — a place's repairs on its page:
what is open now, the latest finished ones, and a flag when the place is repaired often."""

from datetime import timedelta

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from houqin.repairs.access import visible_requests
from houqin.repairs.models import OPEN_STATUSES, RepairRequest, Status

register = template.Library()

RECENT = 5


@register.simple_tag(takes_context=True)
def repairs_card(context, place):
    request = context.get("request")
    if request is None or not request.user.has_perm("repairs.report"):
        return ""
    from houqin.repairs.stats import OFTEN_DAYS, OFTEN_THRESHOLD, often_repaired_places

    since = timezone.now() - timedelta(days=OFTEN_DAYS)
    repairs = RepairRequest.objects.filter(place=place).order_by("-reported_at", "-pk")
    open_repairs = list(repairs.filter(status__in=[*OPEN_STATUSES, Status.DONE]))
    recent = list(repairs.filter(status=Status.CLOSED)[:RECENT])
    shown = [r.pk for r in open_repairs + recent]
    visible = set(visible_requests(request).filter(pk__in=shown).values_list("pk", flat=True))
    often = often_repaired_places(place.school, since).filter(pk=place.pk).first()
    html = render_to_string(
        "repairs/card.html",
        {
            "place": place,
            "open_repairs": open_repairs,
            "recent": recent,
            "visible": visible,
            "often": often,
            "often_days": OFTEN_DAYS,
            "threshold": OFTEN_THRESHOLD,
            "report_url": f"{reverse('repairs:report')}?place={place.pk}",
        },
        request=request,
    )
    return html
