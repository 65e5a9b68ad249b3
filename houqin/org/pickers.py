from django.db.models import Q
from django.shortcuts import render

from houqin.accounts.access import school_required
from houqin.accounts.pickers import PICKER_LIMIT, picker_query
from houqin.org.models import Place


@school_required
def places(request):
    """Places of the user's school by name, pinyin initials or code."""
    text = picker_query(request)
    places = Place.objects.for_user(request.user).active().select_related("building", "campus")
    if text:
        places = places.filter(
            Q(name__icontains=text)
            | Q(name_initials__startswith=text.lower())
            | Q(code__istartswith=text)
            | Q(building__name__icontains=text)
        )
    options = [
        (p.pk, p.full_name, f"{p.code} · {p.get_place_type_display()}")
        for p in places.order_by("code")[:PICKER_LIMIT]
    ]
    return render(request, "core/picker_options.html", {"options": options})
