from django import template
from django.utils.http import urlencode

register = template.Library()


@register.simple_tag(takes_context=True)
def query(context, **changes):
    """The current query string with ``changes`` applied: ``?{% query page=2 %}``."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return urlencode(sorted(params.lists()), doseq=True)


@register.filter
def field_value(obj, name):
    return getattr(obj, name, "")
