"""Campuses, buildings and places: lists, records, and the forms that keep them."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch, ProtectedError, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from houqin.accounts.access import get_for_user, school_required
from houqin.core.audit import history_for
from houqin.core.forms import ArchiveForm
from houqin.core.htmx import render_page
from houqin.core.views import archive_from_post, restore_from_post
from houqin.org.forms_places import (
    BuildingFilterForm,
    BuildingForm,
    CampusForm,
    PlaceFilterForm,
    PlaceForm,
)
from houqin.org.models import Building, Campus, Floor, Place

VIEW, MANAGE = "org.view_org", "org.manage_places"
PLACES_PER_PAGE = 50
FILTERS = ("q", "campus", "building", "place_type", "status")


# Places


@school_required(perm=VIEW)
def place_list(request):
    filters = PlaceFilterForm(request.GET or None, user=request.user)
    places = filters.filter(
        Place.objects.for_user(request.user).select_related("campus", "building", "floor")
    ).order_by("code")
    page = Paginator(places, PLACES_PER_PAGE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "org/places/place_list.html",
        {"filters": filters, "page": page, "filtered": any(request.GET.get(k) for k in FILTERS)},
    )


@school_required(perm=VIEW)
def place_detail(request, pk):
    place = get_for_user(
        request,
        Place.objects.select_related("campus", "building", "floor", "archived_by"),
        pk,
    )
    classes = place.classes.filter(is_active=True).select_related("grade", "head_teacher")
    context = {
        "place": place,
        "classes": classes,
        "archive_form": ArchiveForm(),
        "history": history_for(place),
    }
    return render(request, "org/places/place_detail.html", context)


@school_required(perm=MANAGE)
def place_create(request):
    return _place_form(request, Place())


@school_required(perm=MANAGE)
def place_edit(request, pk):
    return _place_form(request, get_for_user(request, Place, pk))


def _place_form(request, place):
    form_kwargs = {"instance": place, "user": request.user, "school": request.school}
    if request.method == "POST":
        form = PlaceForm(request.POST, **form_kwargs)
        if form.is_valid():
            with transaction.atomic():
                place = form.save()
            messages.success(request, _("已保存场所“%(name)s”。") % {"name": place.full_name})
            return redirect("org:place_detail", pk=place.pk)
    else:
        form = PlaceForm(initial=request.GET.dict(), **form_kwargs)
    if request.htmx and not request.htmx.boosted:
        return render(request, "org/places/place_form.html#location", {"form": form})
    return render(request, "org/places/place_form.html", {"form": form, "place": place})


@require_POST
@school_required(perm=MANAGE)
def place_archive(request, pk):
    place = get_for_user(request, Place, pk)
    archive_from_post(request, place, label=place.full_name)
    return redirect("org:place_detail", pk=place.pk)


@require_POST
@school_required(perm=MANAGE)
def place_restore(request, pk):
    place = get_for_user(request, Place, pk)
    restore_from_post(request, place, label=place.full_name)
    return redirect("org:place_detail", pk=place.pk)


# Campuses


@school_required(perm=VIEW)
def campus_list(request):
    campuses = Campus.objects.for_user(request.user).annotate(
        building_count=Count("buildings", filter=Q(buildings__is_active=True), distinct=True),
        place_count=Count("places", filter=Q(places__is_active=True), distinct=True),
    )
    return render(request, "org/places/campus_list.html", {"campuses": campuses})


@school_required(perm=VIEW)
def campus_detail(request, pk):
    campus = get_for_user(request, Campus, pk)
    buildings = campus.buildings.annotate(
        place_count=Count("places", filter=Q(places__is_active=True))
    ).order_by("-is_active", "code")
    context = {"campus": campus, "buildings": buildings, "history": history_for(campus)}
    return render(request, "org/places/campus_detail.html", context)


@school_required(perm=MANAGE)
def campus_create(request):
    return _campus_form(request, Campus())


@school_required(perm=MANAGE)
def campus_edit(request, pk):
    return _campus_form(request, get_for_user(request, Campus, pk))


def _campus_form(request, campus):
    form = CampusForm(
        request.POST or None, instance=campus, user=request.user, school=request.school
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            campus = form.save()
        messages.success(request, _("已保存校区“%(name)s”。") % {"name": campus.name})
        return redirect("org:campus_detail", pk=campus.pk)
    context = {
        "form": form,
        "heading": _("编辑校区") if campus.pk else _("新增校区"),
        "cancel_url": (
            reverse("org:campus_detail", args=[campus.pk])
            if campus.pk
            else reverse("org:campus_list")
        ),
    }
    return render(request, "org/places/_simple_form.html", context)


# Buildings


@school_required(perm=VIEW)
def building_list(request):
    filters = BuildingFilterForm(request.GET or None, user=request.user)
    buildings = (
        Building.objects.for_user(request.user)
        .select_related("campus")
        .annotate(place_count=Count("places", filter=Q(places__is_active=True)))
        .order_by("campus__code", "code")
    )
    if filters.is_valid() and filters.cleaned_data["campus"]:
        buildings = buildings.filter(campus=filters.cleaned_data["campus"])
    return render_page(
        request, "org/places/building_list.html", {"filters": filters, "buildings": buildings}
    )


@school_required(perm=VIEW)
def building_detail(request, pk):
    building = get_for_user(request, Building.objects.select_related("campus"), pk)
    places = Place.objects.filter(is_active=True).order_by("code")
    floors = building.floors.order_by("-level").prefetch_related(
        Prefetch("places", queryset=places, to_attr="active_places")
    )
    unfloored = building.places.filter(is_active=True, floor__isnull=True).order_by("code")
    context = {
        "building": building,
        "floors": floors,
        "unfloored": unfloored,
        "history": history_for(building),
    }
    return render(request, "org/places/building_detail.html", context)


@school_required(perm=MANAGE)
def building_create(request):
    initial = {"campus": request.GET.get("campus")}
    return _building_form(request, Building(), initial)


@school_required(perm=MANAGE)
def building_edit(request, pk):
    return _building_form(request, get_for_user(request, Building, pk), {})


def _building_form(request, building, initial):
    form = BuildingForm(
        request.POST or None,
        instance=building,
        initial=initial,
        user=request.user,
        school=request.school,
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            building = form.save()
            building_sync_floors(building)
        messages.success(request, _("已保存楼宇“%(name)s”。") % {"name": building.name})
        return redirect("org:building_detail", pk=building.pk)
    context = {
        "form": form,
        "heading": _("编辑楼宇") if building.pk else _("新增楼宇"),
        "cancel_url": (
            reverse("org:building_detail", args=[building.pk])
            if building.pk
            else reverse("org:building_list")
        ),
    }
    return render(request, "org/places/_simple_form.html", context)


def building_sync_floors(building):
    """Make the building's floors match its counts: 1..N above ground, -1..-M below.
    Missing floors are added; surplus floors are removed only when no place is on them
    (the form refuses counts that would strand a place)."""
    wanted = {*range(1, building.floors_above + 1), *range(-building.floors_below, 0)}
    existing = set(building.floors.values_list("level", flat=True))
    Floor.objects.bulk_create(
        Floor(school_id=building.school_id, building=building, level=level)
        for level in sorted(wanted - existing)
    )
    for floor in building.floors.filter(level__in=existing - wanted, places__isnull=True):
        try:
            with transaction.atomic():
                floor.delete()
        except ProtectedError:
            pass  # something elsewhere still points at it: keep the floor
