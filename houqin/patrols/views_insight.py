"""巡查覆盖, 巡查统计 and the inspection-records ledger (Excel), for the school's managers
(``patrols.view_all``).

Filters come in the query string, so a filtered page, a bookmarked address and the export
button all show the same records.
"""

from datetime import timedelta

from django import forms
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.accounts.access import get_for_user, school_required
from houqin.core.forms import StyledForm
from houqin.core.htmx import render_page
from houqin.org.models import Building, Campus, Place
from houqin.patrols import coverage, export
from houqin.patrols.access import visible_rounds
from houqin.patrols.forms import RoundFilterForm
from houqin.patrols.models import Checkpoint
from houqin.patrols.services import school_tz

PERM = "patrols.view_all"
MAX_DAYS = 366


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _campus_field():
    return forms.ModelChoiceField(
        label=gettext_lazy("校区"),
        queryset=Campus.objects.none(),
        required=False,
        empty_label=gettext_lazy("全部校区"),
    )


class PeriodForm(StyledForm):
    """A period of local dates, both included; missing or bad dates fall back to this
    week."""

    start = forms.DateField(label=gettext_lazy("开始日期"), required=False, widget=_date_widget())
    end = forms.DateField(label=gettext_lazy("结束日期"), required=False, widget=_date_widget())

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("结束日期不能早于开始日期。"))
            elif (end - start).days >= MAX_DAYS:
                self.add_error("end", _("日期范围最长一年，请缩短。"))
        return cleaned

    def cleaned(self, name):
        self.is_valid()
        return getattr(self, "cleaned_data", {}).get(name)

    def dates(self):
        """(start, end) from the valid fields: one date alone means the week from (or to)
        it; none, or a bad range, means this week."""
        start, end = coverage.week_of(timezone.localdate())
        chosen_start, chosen_end = self.cleaned("start"), self.cleaned("end")
        if "end" in self.errors or "start" in self.errors:
            return start, end
        if chosen_start and chosen_end:
            return chosen_start, chosen_end
        length = end - start
        if chosen_start:
            return chosen_start, chosen_start + length
        if chosen_end:
            return chosen_end - length, chosen_end
        return start, end


class CoverageFilterForm(PeriodForm):
    campus = _campus_field()
    building = forms.ModelChoiceField(
        label=gettext_lazy("楼宇"),
        queryset=Building.objects.none(),
        required=False,
        empty_label=gettext_lazy("全部楼宇"),
    )

    field_order = ["campus", "building", "start", "end"]

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["campus"].queryset = Campus.objects.for_user(user).active()
        self.fields["building"].queryset = (
            Building.objects.for_user(user).active().select_related("campus").order_by("code")
        )
        self.fields["building"].label_from_instance = lambda b: f"{b.name}（{b.campus.name}）"

    def places(self, places):
        campus, building = self.cleaned("campus"), self.cleaned("building")
        if campus:
            places = places.filter(campus=campus)
        if building:
            places = places.filter(building=building)
        return places


class StatsFilterForm(PeriodForm):
    campus = _campus_field()

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["campus"].queryset = Campus.objects.for_user(user).active()


def quick_periods(today):
    """The periods one tap away: (label, start, end)."""
    last_month_end = today.replace(day=1) - timedelta(days=1)
    return [
        (_("本周"), *coverage.week_of(today)),
        (_("上周"), *coverage.week_of(today - timedelta(days=7))),
        (_("本月"), *_month_of(today)),
        (_("上月"), *_month_of(last_month_end)),
    ]


def _month_of(day):
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


# -- coverage ------------------------------------------------------------------------------


@school_required(perm=PERM)
def coverage_page(request):
    form = CoverageFilterForm(request.GET or None, user=request.user)
    start, end = form.dates()
    places = form.places(Place.objects.for_user(request.user).active())
    result = coverage.place_coverage(places, school=request.school, start=start, end=end)
    week = timedelta(days=7)
    context = {
        "form": form,
        "coverage": result,
        "start": start,
        "end": end,
        "states": coverage.TileState.LABELS,
        "previous": (start - week, end - week),
        "following": (start + week, end + week),
        "this_week": coverage.week_of(timezone.localdate()),
    }
    return render_page(request, "patrols/insight/coverage.html", context)


@school_required(perm=PERM)
def coverage_place(request, pk):
    place = get_for_user(request, Place.objects.select_related("building", "campus"), pk)
    form = CoverageFilterForm(request.GET or None, user=request.user)
    start, end = form.dates()
    visits = list(coverage.place_visits(place, school=request.school, start=start, end=end))
    context = {
        "place": place,
        "visits": visits,
        "start": start,
        "end": end,
        "last_before": None
        if visits
        else coverage.last_visit_before(place, school=request.school, start=start),
        "routes": Checkpoint.objects.filter(
            place=place, route__school=request.school, route__is_active=True
        )
        .select_related("route")
        .order_by("route__name"),
    }
    return render_page(request, "patrols/insight/coverage_place.html", context, partial="visits")


# -- statistics ----------------------------------------------------------------------------


@school_required(perm=PERM)
def stats_page(request):
    form = StatsFilterForm(request.GET or None, user=request.user)
    start, end = form.dates()
    campus = form.cleaned("campus")
    context = {
        "form": form,
        "quick": quick_periods(timezone.localdate()),
        "stats": coverage.patrol_stats(school=request.school, start=start, end=end, campus=campus),
        "start": start,
        "end": end,
        "campus": campus,
    }
    return render_page(request, "patrols/insight/stats.html", context)


# -- the ledger ----------------------------------------------------------------------------


@school_required(perm=PERM)
def rounds_export(request):
    """巡查检查记录台账: the rounds list's filters (``patrols:rounds``) as they are."""
    form = RoundFilterForm(request.GET or None, school=request.school, all_people=True)
    tz = school_tz(request.school)
    rounds = form.filter(visible_rounds(request), tz=tz)
    # The period the filter used: its valid fields, as on the rounds list.
    data = getattr(form, "cleaned_data", {})
    start, end = data.get("start"), data.get("end")
    with timezone.override(tz):
        output = export.rounds_workbook(rounds, school=request.school, start=start, end=end)
    return FileResponse(
        output,
        as_attachment=True,
        filename=export.filename(start, end),
        content_type=export.XLSX_CONTENT_TYPE,
    )
