"""Seeing the hazards: 隐患统计, the Excel ledger (台账), the district's 重大 hazards, and
the surveillance cameras with the blind spots they leave.

The statistics, ledger and cameras are the school's (``hazards.view_all`` to read,
``hazards.manage`` to change cameras). The district pages read across the schools of the
officer's district (``hazards.view_district``), 重大 hazards only, never changing them.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Value,
    When,
)
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from houqin.accounts.access import get_for_user, require_perm, school_required, staff_of
from houqin.core.audit import history_for
from houqin.core.forms import ArchiveForm
from houqin.core.htmx import render_page
from houqin.core.views import archive_from_post, restore_from_post
from houqin.hazards import export
from houqin.hazards import stats as hazard_stats
from houqin.hazards.access import visible_hazards
from houqin.hazards.forms_insight import (
    BlindSpotFilterForm,
    CameraFilterForm,
    CameraForm,
    DistrictFilterForm,
    LedgerFilterForm,
    StatsPeriodForm,
    cover_options,
)
from houqin.hazards.models import (
    OPEN_STATUSES,
    Camera,
    Domain,
    Hazard,
    HazardEvent,
    Source,
    Status,
    overdue_q,
)
from houqin.hazards.services import HazardError, hazard_report
from houqin.org.models import Place

VIEW_ALL, MANAGE, REPORT = "hazards.view_all", "hazards.manage", "hazards.report"
DISTRICT = "hazards.view_district"
PER_PAGE = 30
READY_LIMIT = 50


def _list_url(filters):
    """The register list showing the open hazards that match ``filters``."""
    return f"{reverse('hazards:list')}?{urlencode({**filters, 'status': 'open'})}"


# ---------------------------------------------------------------------------------------
# 隐患统计


@school_required(perm=VIEW_ALL)
def stats_page(request):
    form = StatsPeriodForm(request.GET or None, school=request.school)
    period = form.resolve()
    summary = hazard_stats.summarize(visible_hazards(request), start=period.start, end=period.end)
    for row in (*summary.by_building, *summary.by_domain, *summary.by_grade):
        row.url = _list_url(row.filters) if row.filters and row.count else ""
    context = {
        "form": form,
        "stats": summary,
        "period": period,
        "overdue_url": f"{reverse('hazards:list')}?{urlencode({'overdue': '1'})}",
        "ledger_query": urlencode(
            {"status": "all", "start": period.start.isoformat(), "end": period.end.isoformat()}
        ),
    }
    return render_page(request, "hazards/stats.html", context)


# ---------------------------------------------------------------------------------------
# 隐患台账 (Excel)


@school_required(perm=VIEW_ALL)
def ledger_export(request):
    """The register as inspectors expect it, with the register list's filters."""
    form = LedgerFilterForm(request.GET or None, user=request.user, school=request.school)
    hazards = form.filter(visible_hazards(request), today=timezone.localdate())
    output = export.ledger_workbook(hazards, school=request.school, note=form.describe())
    return FileResponse(
        output,
        as_attachment=True,
        filename=export.filename(_("安全隐患排查整治台账"), request.school),
        content_type=export.XLSX_CONTENT_TYPE,
    )


# ---------------------------------------------------------------------------------------
# The district: 重大 hazards of every school of the officer's district


def _officer_district_id(request):
    require_perm(request, DISTRICT)
    staff = staff_of(request.user)
    if staff is None or staff.district_id is None:
        raise PermissionDenied
    return staff.district_id


def _district_hazards():
    return Hazard.objects.major().exclude(status=Status.VOID)


def _reachable_major_hazards(request):
    """The 重大 hazards a person can name: a district officer's, those of the district's
    schools; anyone else's, their own school's. So another school's record is a 404 before
    the permission is looked at, as on every page."""
    staff = staff_of(request.user)
    hazards = _district_hazards()
    if staff is None:
        return hazards.none()
    if staff.district_id and request.user.has_perm(DISTRICT):
        return hazards.filter(school__district_id=staff.district_id)
    if staff.school_id:
        return hazards.filter(school_id=staff.school_id)
    return hazards.none()


@login_required
def district_list(request):
    district_id = _officer_district_id(request)
    today = timezone.localdate()
    form = DistrictFilterForm(request.GET or None, district_id=district_id)
    hazards = (
        form.filter(_district_hazards().filter(school__district_id=district_id), today=today)
        .select_related("school", "place__building", "owner", "plan")
        .annotate(
            open_rank=Case(
                When(status__in=OPEN_STATUSES, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            is_late=Case(
                When(overdue_q(today), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .order_by("open_rank", "-reported_at", "-pk")
    )
    page = Paginator(hazards, PER_PAGE).get_page(request.GET.get("page"))
    # Each school's open 重大 hazards and how many are overdue, most first.
    schools = (
        _district_hazards()
        .filter(school__district_id=district_id, status__in=OPEN_STATUSES)
        .order_by()
        .values_list("school_id", "school__name")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=overdue_q(today)))
        .values_list("school_id", "school__name", "open", "overdue")
    )
    schools = sorted(schools, key=lambda row: (-row[2], row[1]))
    context = {
        "district": staff_of(request.user).district,
        "form": form,
        "page": page,
        "schools": schools,
        "today": today,
    }
    return render_page(request, "hazards/district_list.html", context)


@login_required
def district_detail(request, pk):
    hazards = _reachable_major_hazards(request).select_related(
        "school",
        "place__building",
        "place__campus",
        "reported_by",
        "owner",
        "rectified_by",
        "verified_by",
        "plan",
        "repair",
    )
    try:
        hazard = hazards.get(pk=pk)
    except (Hazard.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    _officer_district_id(request)
    events = HazardEvent.objects.filter(hazard=hazard).select_related("actor__staff")
    context = {
        "hazard": hazard,
        "plan": getattr(hazard, "plan", None),
        "events": events,
        "overdue": hazard.is_overdue(timezone.localdate()),
    }
    return render(request, "hazards/district_detail.html", context)


# ---------------------------------------------------------------------------------------
# Cameras


@school_required(perm=VIEW_ALL)
def camera_list(request):
    filters = CameraFilterForm(request.GET or None, user=request.user)
    cameras = Camera.objects.for_user(request.user)
    covers = Place.objects.select_related("building").order_by("code")
    rows = (
        filters.filter(cameras)
        .select_related("place__building")
        .prefetch_related(Prefetch("covers", queryset=covers))
        .order_by("name", "pk")
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    counts = cameras.aggregate(
        working=Count("pk", filter=Q(is_active=True, status=Camera.CameraStatus.WORKING)),
        faulty=Count("pk", filter=Q(is_active=True, status=Camera.CameraStatus.FAULTY)),
    )
    places = Place.objects.for_user(request.user)
    context = {
        "filters": filters,
        "page": page,
        "counts": counts,
        "blind_spot_count": hazard_stats.blind_spots(places).count(),
        "filtered": any(request.GET.get(k) for k in ("q", "building", "status", "state")),
    }
    return render_page(request, "hazards/camera_list.html", context)


@school_required(perm=VIEW_ALL)
def camera_detail(request, pk):
    camera = get_for_user(
        request, Camera.objects.select_related("place__building", "archived_by"), pk
    )
    others = hazard_stats.working_cameras().filter(covers=OuterRef("pk")).exclude(pk=camera.pk)
    covers = (
        camera.covers.select_related("building")
        .annotate(covered_by_others=Exists(others))
        .order_by("code")
    )
    context = {
        "camera": camera,
        "covers": covers,
        "archive_form": ArchiveForm(),
        "history": history_for(camera),
    }
    return render(request, "hazards/camera_detail.html", context)


@school_required(perm=MANAGE)
def camera_create(request):
    return _camera_form(request, Camera())


@school_required(perm=MANAGE)
def camera_edit(request, pk):
    return _camera_form(request, get_for_user(request, Camera, pk))


def _camera_form(request, camera):
    initial = None
    place = request.GET.get("place", "")
    if camera.pk is None and place.isdigit():
        # From a blind spot: the new camera hangs there and covers it.
        initial = {"place": place, "covers": [place]}
    form = CameraForm(
        request.POST or None,
        instance=camera,
        user=request.user,
        school=request.school,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            camera = form.save()
        messages.success(request, _("已保存摄像头“%(name)s”。") % {"name": camera.name})
        _warn_uncovered(request, camera)
        _tell_ready_to_close(request, camera)
        return redirect("hazards:camera_detail", pk=camera.pk)
    context = {"form": form, "camera": camera}
    return render(request, "hazards/camera_form.html", context)


def _warn_uncovered(request, camera):
    """A camera that stops watching (faulty, archived) may leave places uncovered: say so."""
    if camera.is_active and camera.status == Camera.CameraStatus.WORKING:
        return
    names = [
        place.full_name
        for place in hazard_stats.blind_spots(camera.covers.select_related("building"))
    ]
    if names:
        messages.warning(
            request,
            _("这些场所现在没有正常的摄像头覆盖，成为监控盲区：%(places)s")
            % {"places": "、".join(names)},
        )


def _tell_ready_to_close(request, camera):
    """A working camera may cover a registered blind spot: its hazard can now be closed."""
    if not (camera.is_active and camera.status == Camera.CameraStatus.WORKING):
        return
    numbers = list(
        hazard_stats.open_blind_spot_hazards(visible_hazards(request))
        .filter(place__in=camera.covers.all())
        .order_by("number")
        .values_list("number", flat=True)
    )
    if numbers:
        messages.info(
            request,
            _("监控盲区隐患 %(numbers)s 的场所已有摄像头覆盖，整改完成后可以验证销号。")
            % {"numbers": "、".join(numbers)},
        )


@require_POST
@school_required(perm=MANAGE)
def camera_archive(request, pk):
    camera = get_for_user(request, Camera, pk)
    archive_from_post(request, camera, label=camera.name)
    _warn_uncovered(request, camera)
    return redirect("hazards:camera_detail", pk=camera.pk)


@require_POST
@school_required(perm=MANAGE)
def camera_restore(request, pk):
    camera = get_for_user(request, Camera, pk)
    restore_from_post(request, camera, label=camera.name)
    return redirect("hazards:camera_detail", pk=camera.pk)


@school_required(perm=MANAGE)
def camera_cover_options(request):
    """The cover picker's ticked places and the places matching what was typed."""
    chosen, found = cover_options(
        request.user,
        text=request.GET.get("covers__q", "").strip(),
        chosen_ids=request.GET.getlist("covers"),
    )
    context = {"name": "covers", "chosen": chosen, "found": found, "searched": True}
    return render(request, "hazards/_insight_covers_options.html", context)


# ---------------------------------------------------------------------------------------
# 监控盲区


@school_required(perm=VIEW_ALL)
def blind_spots(request):
    filters = BlindSpotFilterForm(request.GET or None, user=request.user)
    places = Place.objects.for_user(request.user)
    spots = (
        filters.filter(hazard_stats.blind_spots(places))
        .select_related("campus", "building", "floor")
        .order_by("building__code", "floor__level", "code")
    )
    page = Paginator(spots, PER_PAGE).get_page(request.GET.get("page"))
    watched = hazard_stats.with_coverage(hazard_stats.watched_places(places))
    totals = watched.aggregate(total=Count("pk"), covered=Count("pk", filter=Q(is_covered=True)))
    # Blind-spot hazards whose place is now covered: ready to be verified and closed.
    ready = (
        hazard_stats.open_blind_spot_hazards(visible_hazards(request))
        .filter(Exists(hazard_stats.working_cameras().filter(covers=OuterRef("place"))))
        .select_related("place__building")
        .order_by("reported_at", "pk")[:READY_LIMIT]
    )
    context = {
        "filters": filters,
        "page": page,
        "totals": totals,
        "coverage": hazard_stats.percent(totals["covered"], totals["total"]),
        "ready": ready,
        "filtered": any(request.GET.get(k) for k in ("q", "building", "place_type")),
    }
    return render_page(request, "hazards/camera_blind_spots.html", context)


@require_POST
@school_required(perm=VIEW_ALL)
def blind_spot_report(request, pk):
    """登记为隐患: a blind-spot hazard (安防和监控) for the place, unless one is open."""
    place = get_for_user(request, Place, pk, perm=REPORT)
    with transaction.atomic():
        # One at a time per place, so a double tap cannot register the spot twice.
        # of=("self",): PostgreSQL cannot lock the nullable side of the building's join.
        place = (
            Place.objects.select_for_update(of=("self",))
            .select_related("building")
            .get(pk=place.pk)
        )
        if not place.is_active:
            messages.error(request, _("“%(place)s”已停用，不用登记。") % {"place": place.full_name})
            return redirect("hazards:blind_spots")
        existing = hazard_stats.open_blind_spot_hazard(place)
        if existing:
            messages.info(
                request,
                _("“%(place)s”的监控盲区已登记为隐患 %(number)s，还未销号。")
                % {"place": place.full_name, "number": existing.number},
            )
            return redirect(existing)
        if hazard_stats.working_cameras().filter(covers=place).exists():
            messages.error(
                request,
                _("“%(place)s”已有正常的摄像头覆盖，不是监控盲区。") % {"place": place.full_name},
            )
            return redirect("hazards:blind_spots")
        # The title is the school's record: in Chinese whatever language the user reads.
        with translation.override("zh-hans"):
            title = _("监控盲区：%(place)s") % {"place": place.full_name}
        try:
            hazard = hazard_report(
                school=request.school,
                by=request.staff,
                title=title,
                domain=Domain.SECURITY,
                place=place,
                source=Source.BLIND_SPOT,
            )
        except HazardError as error:
            messages.error(request, str(error))
            return redirect("hazards:blind_spots")
    messages.success(
        request,
        _("已登记隐患 %(number)s：%(title)s。请指派整改。")
        % {"number": hazard.number, "title": hazard.title},
    )
    return redirect(hazard)
