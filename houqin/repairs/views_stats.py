"""报修统计: the numbers page and the Excel exports (statistics and the request list).

For the school's managers (``repairs.view_all``). Filters come in the query string, so a
filtered page, its export buttons and a bookmarked address all show the same requests.
"""

from datetime import timedelta
from urllib.parse import urlencode

from django import forms
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.accounts.access import school_required
from houqin.core.forms import StyledForm
from houqin.core.htmx import render_page
from houqin.org.models import Campus, Place
from houqin.repairs import export
from houqin.repairs import stats as repair_stats
from houqin.repairs.access import visible_requests
from houqin.repairs.forms import QueueFilterForm

PERM = "repairs.view_all"
DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StatsFilterForm(StyledForm):
    """The period (both days included) and the campus. Empty dates mean the last
    ``DEFAULT_DAYS`` days."""

    start = forms.DateField(label=gettext_lazy("开始日期"), required=False, widget=_date_widget())
    end = forms.DateField(label=gettext_lazy("结束日期"), required=False, widget=_date_widget())
    campus = forms.ModelChoiceField(
        label=gettext_lazy("校区"),
        queryset=Campus.objects.none(),
        required=False,
        empty_label=gettext_lazy("全部校区"),
    )

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.user = user
        self.fields["campus"].queryset = Campus.objects.for_user(user).active()
        if not self.is_bound:  # show the default period in the date fields
            end = timezone.localdate()
            self.initial.setdefault("end", end)
            self.initial.setdefault("start", end - timedelta(days=DEFAULT_DAYS - 1))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("结束日期不能早于开始日期。"))
            elif (end - start).days > MAX_DAYS:
                self.add_error("end", _("统计期间最长 3 年，请缩短日期范围。"))
        return cleaned

    def period(self):
        """(start, end, campus) from the valid fields; a bad field counts as empty."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        today = timezone.localdate()
        start, end = data.get("start"), data.get("end")
        if "end" in self.errors:
            start = end = None
        end = end or today
        start = start or end - timedelta(days=DEFAULT_DAYS - 1)
        return start, end, data.get("campus")


class RequestExportForm(QueueFilterForm):
    """The manager's queue filters (status — open by default, ``all`` for every one —,
    category, building, overdue, search), plus a period and a campus: the queue's export
    button hands on its address as it is, the statistics page adds its period."""

    start = forms.DateField(label=gettext_lazy("开始日期"), required=False, widget=_date_widget())
    end = forms.DateField(label=gettext_lazy("结束日期"), required=False, widget=_date_widget())
    campus = forms.ModelChoiceField(
        label=gettext_lazy("校区"), queryset=Campus.objects.none(), required=False
    )

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, user=user, **kwargs)
        self.fields["campus"].queryset = Campus.objects.for_user(user)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("结束日期不能早于开始日期。"))
        return cleaned

    def filter(self, requests, *, now):
        requests = super().filter(requests, now=now)
        if self.is_valid():
            data = self.cleaned_data
            requests = repair_stats.filter_requests(
                requests, start=data["start"], end=data["end"], campus=data["campus"]
            )
        return requests


def _requests(request):
    return visible_requests(request)


@school_required(perm=PERM)
def stats_page(request):
    form = StatsFilterForm(request.GET or None, user=request.user)
    start, end, campus = form.period()
    summary = repair_stats.summarize(
        _requests(request),
        school=request.school,
        start=start,
        end=end,
        campus=campus,
        places=Place.objects.for_user(request.user),
    )
    query = {"start": start.isoformat(), "end": end.isoformat()}
    if campus:
        query["campus"] = campus.pk
    context = {
        "form": form,
        "stats": summary,
        "start": start,
        "end": end,
        "campus": campus,
        "query": urlencode(query),
        "often_threshold": repair_stats.OFTEN_THRESHOLD,
    }
    return render_page(request, "repairs/stats/index.html", context)


@school_required(perm=PERM)
def stats_export(request):
    form = StatsFilterForm(request.GET or None, user=request.user)
    start, end, campus = form.period()
    summary = repair_stats.summarize(
        _requests(request),
        school=request.school,
        start=start,
        end=end,
        campus=campus,
        places=Place.objects.for_user(request.user),
    )
    output = export.stats_workbook(
        summary, school=request.school, start=start, end=end, campus=campus
    )
    return _xlsx(output, export.filename(_("报修统计"), start, end))


@school_required(perm=PERM)
def requests_export(request):
    form = RequestExportForm(request.GET or None, user=request.user)
    now = timezone.now()
    requests = form.filter(_requests(request), now=now)
    output = export.requests_workbook(requests, school=request.school, now=now)
    data = form.cleaned_data if form.is_valid() else {}
    return _xlsx(output, export.filename(_("报修单"), data.get("start"), data.get("end")))


def _xlsx(output, filename):
    return FileResponse(
        output, as_attachment=True, filename=filename, content_type=export.XLSX_CONTENT_TYPE
    )
