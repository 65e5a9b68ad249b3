from django import template

from houqin.files.views import card_html

register = template.Library()


@register.simple_tag(takes_context=True)
def attachments_card(context, obj, role="", title=None, readonly=False):
    """Photos and files attached to ``obj``, with upload buttons for those who may add.

    ``{% attachments_card repair role="done" title=_("完工照片") %}``: ``role`` picks one
    set of the record's attachments (default: the unnamed set), ``title`` the card's
    heading, ``readonly=True`` hides uploading and removing (e.g. on a closed record).
    Shows nothing to a user who may not see the record's attachments."""
    request = context.get("request")
    if request is None:
        return ""
    return card_html(request, obj, role=role, title=title, readonly=readonly)
