"""Forms of the statistics, camera, blind-spot and district pages. Choices come from the
acting user's school (or, for the district, their district's schools) only."""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.core.forms import StyledForm, StyledModelForm
from houqin.core.widgets import PickerWidget
from houqin.hazards.forms import RegisterFilterForm
from houqin.hazards.models import OPEN_STATUSES, Camera, Status, overdue_q
from houqin.hazards.stats import WATCHED_PLACE_TYPES, day_start
from houqin.org.models import Building, Place, PlaceType, School, Term

MAX_PERIOD_DAYS = 3 * 366
COVER_OPTIONS_LIMIT = 20


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _search_widget(placeholder):
    return forms.TextInput(
        attrs={"type": "search", "placeholder": placeholder, "autocomplete": "off"}
    )


@dataclass
class Period:
    start: date
    end: date
    label: str


class StatsPeriodForm(StyledForm):
    """This term (the default), this month, or two dates of one's own."""

    TERM, MONTH, CUSTOM = "term", "month", "custom"

    period = forms.ChoiceField(
        label=gettext_lazy("统计期间"),
        choices=[
            (TERM, gettext_lazy("本学期")),
            (MONTH, gettext_lazy("本月")),
            (CUSTOM, gettext_lazy("自定义")),
        ],
        required=False,
    )
    start = forms.DateField(label=gettext_lazy("开始日期"), required=False, widget=_date_widget())
    end = forms.DateField(label=gettext_lazy("结束日期"), required=False, widget=_date_widget())

    def __init__(self, data=None, *, school, today=None, **kwargs):
        super().__init__(data, **kwargs)
        self.school = school
        self.today = today or timezone.localdate()
        self.note = ""

    @property
    def is_custom(self):
        return self.is_bound and self.data.get("period") == self.CUSTOM

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        # Both empty: "自定义" was just chosen and the dates are still to come.
        if cleaned.get("period") == self.CUSTOM and (start or end):
            if not start:
                self.add_error("start", _("请选择开始日期。"))
            if not end:
                self.add_error("end", _("请选择结束日期。"))
            if start and end:
                if end < start:
                    self.add_error("end", _("结束日期不能早于开始日期。"))
                elif (end - start).days > MAX_PERIOD_DAYS:
                    self.add_error("end", _("统计期间最长 3 年，请缩短日期范围。"))
        return cleaned

    def resolve(self):
        """The period asked for; a custom period without (good) dates counts as this term.
        Sets ``note`` when the dates are still to be chosen or the school has no term."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {}) if self.is_bound else {}
        choice = data.get("period") or self.TERM
        if choice == self.CUSTOM and not self.errors:
            if data["start"] and data["end"]:
                return Period(data["start"], data["end"], _("自定义"))
            self.note = _("请选择开始日期和结束日期。下面先按本学期统计。")
        if choice != self.MONTH:
            term = (
                Term.objects.filter(school=self.school, start__lte=self.today)
                .select_related("academic_year")
                .order_by("-start")
                .first()
            )
            if term:
                return Period(term.start, term.end, str(term))
            self.note = _("本校还没有设置学期，先按本月统计。")
        first = self.today.replace(day=1)
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        return Period(
            first, last, _("%(year)s年%(month)s月") % {"year": first.year, "month": first.month}
        )


# 隐患台账 (Excel)


class LedgerFilterForm(RegisterFilterForm):
    """The register list's filters (so its export button hands on its address as it is),
    plus the days the hazards were found, both included."""

    start = forms.DateField(label=gettext_lazy("发现日期从"), required=False, widget=_date_widget())
    end = forms.DateField(label=gettext_lazy("发现日期到"), required=False, widget=_date_widget())

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("结束日期不能早于开始日期。"))
        return cleaned

    def filter(self, hazards, *, today):
        hazards = super().filter(hazards, today=today)
        if self.is_valid():
            start, end = self.cleaned_data["start"], self.cleaned_data["end"]
            if start:
                hazards = hazards.filter(reported_at__gte=day_start(start))
            if end:
                hazards = hazards.filter(reported_at__lt=day_start(end + timedelta(days=1)))
        return hazards

    def describe(self):
        """The filters in force, for the ledger's second row: 状态 未销号；类别 消防安全…"""
        if not self.is_valid():
            return _("筛选：%(label)s %(value)s") % {
                "label": self.fields["status"].label,
                "value": dict(self.fields["status"].choices)[self.OPEN],
            }
        data = self.cleaned_data
        parts = []
        status = data["status"] or self.OPEN
        parts.append((self.fields["status"].label, dict(self.fields["status"].choices)[status]))
        for name in ("domain", "grade", "overdue"):
            if data[name]:
                parts.append((self.fields[name].label, dict(self.fields[name].choices)[data[name]]))
        for name in ("building", "owner"):
            if data[name]:
                parts.append((self.fields[name].label, str(data[name])))
        if data["q"]:
            parts.append((self.fields["q"].label, data["q"].strip()))
        if data["start"] or data["end"]:
            period = _("%(start)s 至 %(end)s") % {
                "start": data["start"] or _("最早"),
                "end": data["end"] or _("今天"),
            }
            parts.append((_("发现时间"), period))
        return _("筛选：%(filters)s") % {
            "filters": "；".join(f"{label} {value}" for label, value in parts)
        }


# Cameras


class CameraFilterForm(StyledForm):
    """The camera list's filters; every field optional, bad values are ignored."""

    ACTIVE, ARCHIVED, ALL = "", "archived", "all"

    q = forms.CharField(
        label=gettext_lazy("搜索"),
        required=False,
        widget=_search_widget(gettext_lazy("名称、拼音首字母或编号")),
    )
    building = forms.ModelChoiceField(
        label=gettext_lazy("楼宇"),
        queryset=Building.objects.none(),
        required=False,
        empty_label=gettext_lazy("全部楼宇"),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("状态"),
        choices=[("", gettext_lazy("全部状态")), *Camera.CameraStatus.choices],
        required=False,
    )
    state = forms.ChoiceField(
        label=gettext_lazy("在用"),
        choices=[
            (ACTIVE, gettext_lazy("在用")),
            (ARCHIVED, gettext_lazy("已停用")),
            (ALL, gettext_lazy("全部")),
        ],
        required=False,
    )

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["building"].queryset = (
            Building.objects.for_user(user).active().order_by("campus__code", "code")
        )

    def filter(self, cameras):
        self.is_valid()
        data = self.cleaned_data if self.is_bound else {}
        state = data.get("state", self.ACTIVE)
        if state != self.ALL:
            cameras = cameras.filter(is_active=state != self.ARCHIVED)
        if data.get("building"):
            cameras = cameras.filter(place__building=data["building"])
        if data.get("status"):
            cameras = cameras.filter(status=data["status"])
        text = (data.get("q") or "").strip()
        if text:
            cameras = cameras.filter(
                Q(name__icontains=text)
                | Q(name_initials__startswith=text.lower())
                | Q(code__istartswith=text)
            )
        return cameras


class CoverPlacesWidget(forms.SelectMultiple):
    """The places a camera covers: the chosen ones as ticked boxes, and a search box that
    offers more over htmx (``hazards:camera_cover_options``). Unticking drops a place."""

    template_name = "hazards/_insight_covers_widget.html"

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.places = Place.objects.none()

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        ids = [v for v in (value or []) if str(v).isdigit()]
        chosen = self.places.filter(pk__in=ids).select_related("building") if ids else []
        context["widget"].update(
            {
                "chosen": list(chosen),
                "options_url": reverse("hazards:camera_cover_options"),
            }
        )
        return context


class CameraForm(StyledModelForm):
    class Meta:
        model = Camera
        fields = ["name", "code", "place", "covers", "status", "note"]
        widgets = {"covers": CoverPlacesWidget}
        help_texts = {
            "covers": gettext_lazy(
                "画面能看到的场所；安装位置本身在画面里也要选上。没有正常摄像头覆盖的场所列为监控盲区。"
            ),
        }

    def __init__(self, *args, user, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        if self.instance.school_id is None:
            self.instance.school = school
        places = Place.objects.for_user(user)
        current = self.instance.place_id
        self.fields["place"].queryset = places.filter(Q(is_active=True) | Q(pk=current))
        self.fields["place"].widget = PickerWidget("org:pick_places", Place)
        chosen = list(self.instance.covers.values_list("pk", flat=True)) if self.instance.pk else []
        self.fields["covers"].queryset = places.filter(Q(is_active=True) | Q(pk__in=chosen))
        self.fields["covers"].widget.places = self.fields["covers"].queryset
        self.fields["name"].error_messages["required"] = _("请填写摄像头名称。")
        self.fields["place"].error_messages["required"] = _("请选择安装位置。")
        self.fields["name"].widget.attrs["placeholder"] = _("如 南门入口枪机")

    def clean_code(self):
        code = (self.cleaned_data.get("code") or "").strip()
        taken = Camera.objects.filter(school=self.school, code=code).exclude(pk=self.instance.pk)
        if code and taken.exists():
            raise forms.ValidationError(
                _("本校已有编号为 %(code)s 的摄像头。"), params={"code": code}
            )
        return code


def cover_options(user, *, text, chosen_ids):
    """The cover picker's content: the chosen places (ticked) and up to
    ``COVER_OPTIONS_LIMIT`` more matching ``text`` (not ticked)."""
    places = Place.objects.for_user(user).select_related("building")
    ids = [value for value in chosen_ids if str(value).isdigit()]
    chosen = list(places.filter(pk__in=ids).order_by("code")) if ids else []
    found = []
    if text:
        found = list(
            places.filter(is_active=True)
            .filter(
                Q(name__icontains=text)
                | Q(name_initials__startswith=text.lower())
                | Q(code__istartswith=text)
                | Q(building__name__icontains=text)
            )
            .exclude(pk__in=[place.pk for place in chosen])
            .order_by("code")[:COVER_OPTIONS_LIMIT]
        )
    return chosen, found


# Blind spots


class BlindSpotFilterForm(StyledForm):
    q = forms.CharField(
        label=gettext_lazy("搜索"),
        required=False,
        widget=_search_widget(gettext_lazy("场所名称、拼音首字母或编码")),
    )
    building = forms.ModelChoiceField(
        label=gettext_lazy("楼宇"),
        queryset=Building.objects.none(),
        required=False,
        empty_label=gettext_lazy("全部楼宇"),
    )
    place_type = forms.ChoiceField(label=gettext_lazy("场所类型"), required=False)

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["building"].queryset = (
            Building.objects.for_user(user).active().order_by("campus__code", "code")
        )
        labels = dict(PlaceType.choices)
        self.fields["place_type"].choices = [
            ("", _("全部类型")),
            *((value, labels[value]) for value in WATCHED_PLACE_TYPES),
        ]

    def filter(self, places):
        self.is_valid()
        data = self.cleaned_data if self.is_bound else {}
        if data.get("building"):
            places = places.filter(building=data["building"])
        if data.get("place_type"):
            places = places.filter(place_type=data["place_type"])
        text = (data.get("q") or "").strip()
        if text:
            places = places.filter(
                Q(name__icontains=text)
                | Q(name_initials__startswith=text.lower())
                | Q(code__istartswith=text)
            )
        return places


# District


class DistrictFilterForm(StyledForm):
    OPEN, CLOSED, ALL = "", "closed", "all"

    school = forms.ModelChoiceField(
        label=gettext_lazy("学校"),
        queryset=School.objects.none(),
        required=False,
        empty_label=gettext_lazy("全部学校"),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("状态"),
        choices=[
            (OPEN, gettext_lazy("未销号")),
            (CLOSED, gettext_lazy("已销号")),
            (ALL, gettext_lazy("全部")),
        ],
        required=False,
    )
    overdue = forms.BooleanField(label=gettext_lazy("只看超期"), required=False)

    def __init__(self, data=None, *, district_id, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["school"].queryset = School.objects.filter(district_id=district_id)

    def filter(self, hazards, *, today):
        self.is_valid()
        data = self.cleaned_data if self.is_bound else {}
        if data.get("school"):
            hazards = hazards.filter(school=data["school"])
        status = data.get("status", self.OPEN)
        if status == self.OPEN:
            hazards = hazards.filter(status__in=OPEN_STATUSES)
        elif status == self.CLOSED:
            hazards = hazards.filter(status=Status.CLOSED)
        if data.get("overdue"):
            hazards = hazards.filter(overdue_q(today))
        return hazards
