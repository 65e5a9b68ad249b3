"""Helpers shared by the workflow modules' screens (repairs, hazards…): the 我的/已办
tab of a list, a place named in the query string, chosen photos lost on a refused post."""

from django.utils.translation import gettext as _


def done_tab(request):
    """The list tab asked for: "done" with ``?tab=done``, else "open"."""
    return "done" if request.GET.get("tab") == "done" else "open"


def visible_place(request, place_id, *related):
    """The active place ``place_id`` names among those the user may see (with ``related``
    loaded), or None, also for a garbled id."""
    from houqin.org.models import Place

    try:
        places = Place.objects.for_user(request.user).active()
        if related:
            places = places.select_related(*related)
        return places.filter(pk=int(place_id)).first()
    except (TypeError, ValueError):
        return None


def photos_lost(request, form, field="photos"):
    """A browser cannot keep chosen files across a page load: say so on ``field``."""
    if any(request.FILES.getlist(field)) and field not in form.errors:
        form.add_error(field, _("请重新选择照片（页面刷新后需重新添加）。"))
