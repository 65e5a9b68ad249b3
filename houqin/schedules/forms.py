"""The schedule form: what job, with which params, on which days at what time. ``school``
is set here from the signed-in user, never posted."""

from datetime import time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from houqin.core.forms import StyledForm, StyledModelForm
from houqin.schedules.jobs import all_jobs, get_job
from houqin.schedules.models import RunStatus, Schedule
from houqin.schedules.recurrence import WEEKDAYS, RuleKind

# Which rule types each rule field belongs to; the form shows only the current type's.
RULE_FIELDS = {
    "weekdays": [RuleKind.WEEKLY, RuleKind.EVERY_N_WEEKS],
    "interval_weeks": [RuleKind.EVERY_N_WEEKS],
    "anchor_date": [RuleKind.EVERY_N_WEEKS],
    "month_day": [RuleKind.MONTHLY_DAY],
    "month_nth": [RuleKind.MONTHLY_WEEKDAY],
    "month_weekday": [RuleKind.MONTHLY_WEEKDAY],
    "holiday_policy": [k for k in RuleKind.values if k != RuleKind.DAILY],
}

# Dates a schedule may name: far enough for any school, near enough to compute with.
FIRST_YEAR, LAST_YEAR = 2000, 2100


class ScheduleForm(StyledModelForm):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("星期"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Schedule
        fields = [
            "name",
            "job_code",
            "rule",
            "interval_weeks",
            "anchor_date",
            "month_day",
            "month_nth",
            "month_weekday",
            "calendar_mode",
            "holiday_policy",
            "time_of_day",
            "start_date",
            "end_date",
        ]
        widgets = {
            "anchor_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "time_of_day": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, school, **kwargs):
        instance = kwargs.get("instance")
        if instance is not None:
            instance.school = school
            if instance.pk:
                kwargs.setdefault("initial", {})["weekdays"] = instance.weekday_list
        super().__init__(*args, **kwargs)
        self.school = school
        self.fields["job_code"] = forms.ChoiceField(
            label=_("任务类型"), choices=[(job.code, job.label) for job in all_jobs()]
        )
        self.fields["job_code"].widget.attrs["class"] = "form-select"
        if not self.instance.pk:
            self.initial["start_date"] = self.initial.get("start_date") or timezone.localdate()
            self.initial["time_of_day"] = self.initial.get("time_of_day") or time(8, 0)
        self.fields["weekdays"].widget.attrs["class"] = "form-check-input"
        self.fields["interval_weeks"].required = False
        for name in ("interval_weeks", "month_day"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"
        self.fields["interval_weeks"].widget.attrs.update(min=2, max=52)
        self.fields["month_day"].widget.attrs.update(min=1, max=31)
        self.fields["month_nth"].choices = [("", "—"), *self.fields["month_nth"].choices[1:]]

    def clean(self):
        data = super().clean()
        for name in ("start_date", "end_date", "anchor_date"):
            day = data.get(name)
            if day and not FIRST_YEAR <= day.year <= LAST_YEAR:
                self.add_error(
                    name,
                    _("日期须在 %(first)d 年到 %(last)d 年之间。")
                    % {"first": FIRST_YEAR, "last": LAST_YEAR},
                )
        rule = data.get("rule")
        # Values of fields the chosen rule does not use are dropped, not kept hidden.
        for name, kinds in RULE_FIELDS.items():
            if rule and rule not in kinds and name in data:
                data[name] = [] if name == "weekdays" else None
        if rule == RuleKind.WEEKLY or (rule and data.get("interval_weeks") is None):
            data["interval_weeks"] = 1
        if rule == RuleKind.DAILY:
            data["holiday_policy"] = Schedule._meta.get_field("holiday_policy").default
        self.instance.set_weekdays(data.get("weekdays") or [])
        return data

    @property
    def job(self):
        code = self.data.get(self.add_prefix("job_code")) if self.is_bound else None
        return get_job(code or self.initial.get("job_code") or self.instance.job_code)


def params_form_for(job, school, *, data=None, instance=None):
    """The job's params form (prefixed "params"), or None for a job without params."""
    if job is None or job.params_form is None:
        return None
    initial = instance.params if instance is not None and instance.job_code == job.code else {}
    return job.params_form(data, initial=initial, school=school, prefix="params")


class RunFilterForm(StyledForm):
    status = forms.ChoiceField(
        label=_("执行状态"),
        choices=[("", _("全部状态")), *RunStatus.choices],
        required=False,
    )


class ScheduleFilterForm(StyledForm):
    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[
            ("", _("在用")),
            ("paused", _("已暂停")),
            ("failed", _("最近一次失败")),
            ("archived", _("已停用")),
        ],
    )
