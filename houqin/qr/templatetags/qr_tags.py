from django import template
from django.urls import reverse

from houqin.qr import codes, registry
from houqin.qr.models import QrCode

register = template.Library()


@register.inclusion_tag("qr/_card.html", takes_context=True)
def qr_card(context, obj):
    """The record's QR code, its code for manual entry, and a link to print its label.
    Makes the record's token the first time it is shown."""
    request = context.get("request")
    kind = registry.kind_of_model(type(obj))
    if kind is None or request is None or obj.pk is None:
        return {"kind": None}
    token = QrCode.objects.for_object(obj).token
    url = codes.target_url(token, request)
    return {
        "kind": kind,
        "obj": obj,
        "code": kind.code_of(obj),
        "svg": codes.svg_inline(url),
        "url": url,
        "png_url": reverse("qr:png", args=[token]),
        "labels_url": f"{reverse('qr:labels')}?kind={kind.prefix}&ids={obj.pk}",
        "perms": context.get("perms"),
    }
