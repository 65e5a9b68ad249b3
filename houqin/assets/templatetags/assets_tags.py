"""Template helpers of the asset pages.

{% load assets_tags %}
{{ asset.original_value|yuan }}              → 12,345.60
{% event_changes event as changes %}          → [{"label", "old", "new"}, …]
"""

from decimal import Decimal

from django import template
from django.core.exceptions import FieldDoesNotExist

from houqin.assets.models import Asset

register = template.Library()


@register.filter
def yuan(value):
    """Money with thousands separators and two decimals; blank for none."""
    if value is None or value == "":
        return ""
    return f"{Decimal(value):,.2f}"


@register.simple_tag
def event_changes(event):
    """A history row's changes, each field by its label in the reader's language."""
    rows = []
    for name, (old, new) in (event.changes or {}).items():
        try:
            label = Asset._meta.get_field(name).verbose_name
        except FieldDoesNotExist:
            label = name
        rows.append({"label": label, "old": old, "new": new})
    return rows
