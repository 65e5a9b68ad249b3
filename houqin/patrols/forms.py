"""Forms of the patrol pages. ``school`` is always set from the signed-in user, never
posted; choices are narrowed to that school after ``super().__init__()``."""

from datetime import datetime, time, timedelta

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from houqin.accounts.models import Staff
from houqin.core.forms import StyledForm, StyledModelForm
from houqin.core.widgets import PickerWidget
from houqin.hazards.models import Domain
from houqin.org.models import Campus, Place
from houqin.patrols.models import (
    AnswerType,
    Checklist,
    ChecklistItem,
    ChecklistKind,
    ExpectedRound,
    Plan,
    Route,
)
from houqin.patrols.services import positions_with
from houqin.schedules.forms import ScheduleForm
from houqin.schedules.recurrence import RuleKind


def patrollers_of(school):
    """Active staff of the school who may walk rounds (``patrols.patrol``)."""
    return (
        Staff.objects.filter(
            school=school,
            is_active=True,
            appointments__position__in=positions_with("patrols.patrol"),
            appointments__ended_on__isnull=True,
        )
        .distinct()
        .order_by("name_initials", "name")
    )


def published_checklists(school):
    return Checklist.objects.filter(
        school=school, is_active=True, versions__published_at__isnull=False
    ).distinct()


# --- checklists -------------------------------------------------------------------------


class ChecklistForm(StyledModelForm):
    class Meta:
        model = Checklist
        fields = ["name", "kind", "description"]

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Checklist.objects.filter(school=self.school, name=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("本校已有同名的检查表。"))
        return name


class ItemForm(StyledModelForm):
    must_equal_key = forms.ChoiceField(
        label=_("须等于"),
        required=False,
        help_text=_("数值须与另一项相同，不同即不合格并立即告警（如校车下车人数须等于上车人数）"),
    )
    hazard_domain = forms.ChoiceField(
        label=_("不合格时的隐患类别"),
        required=False,
        choices=[("", _("其他")), *[c for c in Domain.choices if c[0] != Domain.OTHER]],
    )

    class Meta:
        model = ChecklistItem
        fields = [
            "text",
            "answer_type",
            "required",
            "photo_on_fail",
            "min_value",
            "max_value",
            "unit",
            "must_equal_key",
            "hazard_domain",
            "guidance",
        ]
        error_messages = {"text": {"required": _("请填写检查内容。")}}

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        others = version.items.exclude(pk=self.instance.pk).filter(answer_type=AnswerType.NUMBER)
        self.fields["must_equal_key"].choices = [
            ("", _("不要求")),
            *[(item.key, item.text) for item in others],
        ]
        for name in ("min_value", "max_value"):
            self.fields[name].widget.attrs["inputmode"] = "decimal"

    def clean(self):
        data = super().clean()
        number = data.get("answer_type") == AnswerType.NUMBER
        low, high = data.get("min_value"), data.get("max_value")
        if not number:
            for name in ("min_value", "max_value", "must_equal_key"):
                if data.get(name) not in (None, ""):
                    self.add_error(name, _("只有“数值”类的检查项可以设置。"))
        if low is not None and high is not None and low > high:
            self.add_error("max_value", _("上限不能小于下限。"))
        return data


class PublishForm(StyledForm):
    note = forms.CharField(
        label=_("修订说明"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如：增加电动车充电检查")}),
    )


# --- routes -----------------------------------------------------------------------------


class RouteForm(StyledModelForm):
    class Meta:
        model = Route
        fields = ["name", "campus", "checklist", "description"]
        error_messages = {
            "checklist": {
                "required": _("请选择检查表。"),
                "invalid_choice": _("请选择已发布的检查表。"),
            }
        }

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.fields["campus"].queryset = Campus.objects.filter(school=school, is_active=True)
        checklists = published_checklists(school)
        if self.instance.checklist_id:
            checklists = Checklist.objects.filter(
                Q(pk__in=checklists.values("pk")) | Q(pk=self.instance.checklist_id)
            )
        self.fields["checklist"].queryset = checklists.order_by("kind", "name")
        self.fields["checklist"].help_text = _("只能选已发布的检查表")

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Route.objects.filter(school=self.school, name=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("本校已有同名的巡查路线。"))
        return name


class CheckpointForm(StyledForm):
    place = forms.ModelChoiceField(
        label=_("巡查点"),
        queryset=Place.objects.none(),
        error_messages={
            "required": _("请选择场所：输入场所名称、拼音首字母或编码搜索。"),
            "invalid_choice": _("没有找到这个场所，请重新选择。"),
        },
    )
    checklist = forms.ModelChoiceField(
        label=_("本点检查表"),
        queryset=Checklist.objects.none(),
        required=False,
        empty_label=_("与路线相同"),
        help_text=_("如食堂这一站另用食堂卫生检查表"),
    )

    def __init__(self, *args, user, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = Place.objects.for_user(user).active()
        self.fields["place"].widget = PickerWidget("org:pick_places", Place)
        self.fields["checklist"].queryset = published_checklists(school).order_by("kind", "name")


class CheckpointChecklistForm(StyledForm):
    checklist = forms.ModelChoiceField(
        label=_("本点检查表"),
        queryset=Checklist.objects.none(),
        required=False,
        empty_label=_("与路线相同"),
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checklist"].queryset = published_checklists(school).order_by("kind", "name")


# --- plans ------------------------------------------------------------------------------


class PlanForm(StyledModelForm):
    patrollers = forms.ModelMultipleChoiceField(
        label=_("巡查人员"),
        queryset=Staff.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一名巡查人员。")},
        help_text=_("任一人完成即算完成；列出的是有巡查权限的人员"),
    )

    class Meta:
        model = Plan
        fields = ["name", "route", "patrollers", "start_time", "due_time"]
        widgets = {
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "due_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        help_texts = {"due_time": _("到这个时间还没有完成，记为漏巡并通知管理人员")}

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        routes = Route.objects.filter(school=school, is_active=True)
        if self.instance.route_id:
            routes = Route.objects.filter(
                Q(pk__in=routes.values("pk")) | Q(pk=self.instance.route_id)
            )
        self.fields["route"].queryset = routes.order_by("name")
        people = patrollers_of(school)
        if self.instance.pk:
            # Someone who lost the position stays ticked until a person unticks them.
            people = Staff.objects.filter(
                Q(pk__in=people.values("pk")) | Q(pk__in=self.instance.patrollers.values("pk"))
            ).order_by("name_initials", "name")
        self.fields["patrollers"].queryset = people
        self.fields["patrollers"].widget.attrs["class"] = "form-check-input"

    def clean(self):
        data = super().clean()
        start, due = data.get("start_time"), data.get("due_time")
        if start is not None and due is not None and start == due:
            self.add_error("due_time", _("完成时限不能与开始时间相同。"))
        return data


class PlanScheduleForm(ScheduleForm):
    """The days of a plan: the schedule's rule fields (daily on teaching days by default).
    Name, job and time of day are the plan's own (set by ``services.plan_save``)."""

    class Meta(ScheduleForm.Meta):
        fields = [
            "rule",
            "interval_weeks",
            "anchor_date",
            "month_day",
            "month_nth",
            "month_weekday",
            "calendar_mode",
            "holiday_policy",
            "start_date",
            "end_date",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["job_code"]
        if not self.instance.pk:
            self.initial.setdefault("rule", RuleKind.DAILY)


# --- lists ------------------------------------------------------------------------------


class RoundFilterForm(StyledForm):
    start = forms.DateField(
        label=_("从"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("到"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    route = forms.ModelChoiceField(
        label=_("巡查路线"), queryset=Route.objects.none(), required=False
    )
    person = forms.ModelChoiceField(
        label=_("巡查人"), queryset=Staff.objects.none(), required=False
    )
    kind = forms.ChoiceField(label=_("检查类型"), required=False)
    failures = forms.ChoiceField(
        label=_("结果"),
        required=False,
        choices=[
            ("", _("全部结果")),
            ("failed", _("有不合格项")),
            ("missed", _("有漏检点")),
        ],
    )

    def __init__(self, *args, school, all_people, **kwargs):
        super().__init__(*args, **kwargs)
        route = self.fields["route"]
        route.queryset = Route.objects.filter(school=school).order_by("-is_active", "name")
        route.empty_label = _("全部路线")
        if all_people:
            person = self.fields["person"]
            person.queryset = patrollers_of(school)
            person.empty_label = _("全部人员")
        else:
            del self.fields["person"]
        self.fields["kind"].choices = [("", _("全部类型")), *ChecklistKind.choices]

    def filter(self, rounds, *, tz):
        """The rounds the valid fields select. A field with a bad value (a stale link: a
        person who no longer patrols) is left out and shows its error on the page."""
        if not self.is_bound:
            return rounds
        self.is_valid()
        data = self.cleaned_data
        if data.get("start"):
            rounds = rounds.filter(started_at__gte=_day_start(data["start"], tz))
        if data.get("end"):
            rounds = rounds.filter(started_at__lt=_day_start(data["end"] + timedelta(days=1), tz))
        if data.get("route"):
            rounds = rounds.filter(route=data["route"])
        if data.get("person"):
            rounds = rounds.filter(patroller=data["person"])
        if data.get("kind"):
            rounds = rounds.filter(checklist_version__checklist__kind=data["kind"])
        if data.get("failures") == "failed":
            rounds = rounds.filter(failed_items__gt=0)
        elif data.get("failures") == "missed":
            rounds = rounds.filter(missed_checkpoints__gt=0)
        return rounds


def _day_start(day, tz):
    return datetime.combine(day, time(0), tz)


class ExpectedFilterForm(StyledForm):
    TODAY, WEEK, LAST_WEEK = "today", "week", "last_week"

    period = forms.ChoiceField(
        label=_("时间"),
        required=False,
        choices=[(TODAY, _("今天")), (WEEK, _("本周")), (LAST_WEEK, _("上周"))],
    )
    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部状态")), *ExpectedRound.State.choices],
    )

    def days(self, today):
        period = self.cleaned_data.get("period") if self.is_valid() else ""
        if period == self.WEEK:
            monday = today - timedelta(days=today.weekday())
            return monday, monday + timedelta(days=6)
        if period == self.LAST_WEEK:
            monday = today - timedelta(days=today.weekday() + 7)
            return monday, monday + timedelta(days=6)
        return today, today

    def filter(self, expected, today):
        first, last = self.days(today)
        expected = expected.filter(day__gte=first, day__lte=last)
        state = self.cleaned_data.get("state") if self.is_valid() else ""
        if state:
            expected = expected.filter(state=state)
        return expected
