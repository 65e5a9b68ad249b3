"""Places (rooms and areas) carry QR labels: the code on the door opens the place's page."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from houqin.org.models import Place
from houqin.qr.registry import register_kind


def find_place(school, text):
    """The place whose code is ``text``, ignoring case; an exact match wins."""
    places = list(Place.objects.filter(school=school, code__iexact=text)[:5])
    exact = [place for place in places if place.code == text]
    return (exact or places or [None])[0]


def place_label_lines(place):
    where = [place.building.name if place.building_id else place.campus.name]
    if place.floor_id:
        where.append(place.floor.label)
    return [place.name, " ".join(where)]


def can_view_place(user, place):
    return (
        user.has_perm("org.view_org") and Place.objects.for_user(user).filter(pk=place.pk).exists()
    )


def places_for(user):
    return Place.objects.for_user(user).select_related("campus", "building", "floor")


PLACE = register_kind(
    "P",
    Place,
    label=_("场所"),
    code_of=lambda place: place.code,
    find_by_code=find_place,
    url_of=lambda place: reverse("org:place_detail", args=[place.pk]),
    label_lines=place_label_lines,
    can_view=can_view_place,
    queryset=places_for,
)
