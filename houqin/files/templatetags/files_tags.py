from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def attachments_card(context, obj, **options):
    """Photos and files attached to ``obj``, with an upload button for those who may add."""
    return ""
