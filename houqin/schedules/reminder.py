"""The built-in job "reminder" (提醒): tell people by position and/or by name, and
optionally the school's group robots, with a title and text of the school's choosing."""

from django import forms
from django.db.models import Q
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from houqin.accounts.models import Appointment, Staff
from houqin.accounts.roles import Position
from houqin.org.models import Campus
from houqin.schedules.jobs import JobFailed, JobParamsForm
from houqin.schedules.recurrence import WEEKDAY_NAMES

CODE = "reminder"
EVENT = "schedules.reminder"
NAMES_SHOWN = 5
POSITIONS = [(value, label) for value, label in Position.choices if value != "district_officer"]


class ReminderParamsForm(JobParamsForm):
    title = forms.CharField(
        label=_("提醒标题"),
        max_length=200,
        help_text=_("可以写 {日期} 和 {星期}，发送时换成当天的日期和星期，如“{日期}安全教育”。"),
    )
    body = forms.CharField(
        label=_("提醒内容"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    positions = forms.MultipleChoiceField(
        label=_("按职务提醒"),
        choices=POSITIONS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("提醒当前担任这些职务的所有人。"),
    )
    campus = forms.ModelChoiceField(
        label=_("限定校区"),
        queryset=Campus.objects.none(),
        required=False,
        empty_label=_("全校"),
        help_text=_("只提醒该校区的职务人员（全校范围任职的人也会收到）。"),
    )
    people = forms.ModelMultipleChoiceField(
        label=_("指定人员"),
        queryset=Staff.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("按住 Ctrl（手机上直接点选）可选多人。"),
    )
    robots = forms.BooleanField(label=_("同时发到群机器人（企业微信、钉钉）"), required=False)
    link = forms.CharField(
        label=_("链接（可选）"),
        max_length=300,
        required=False,
        help_text=_("点开提醒时打开的本系统页面，如 /org/places/"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campus"].queryset = Campus.objects.filter(school=self.school, is_active=True)
        self.fields["people"].queryset = Staff.objects.filter(
            school=self.school, is_active=True, user__isnull=False
        ).order_by("name_initials", "name")
        # Checkboxes, not one form-control box around the whole list.
        self.fields["positions"].widget.attrs["class"] = "form-check-input"

    def clean_link(self):
        link = self.cleaned_data["link"].strip()
        # A browser reads "/\evil.example" as "//evil.example": a link to another site.
        local = link.startswith("/") and url_has_allowed_host_and_scheme(link, allowed_hosts=None)
        if link and not local:
            raise forms.ValidationError(_t("链接须是本系统内以 / 开头的地址，如 /org/places/。"))
        return link

    def clean(self):
        data = super().clean()
        if not (data.get("positions") or data.get("people") or data.get("robots")):
            raise forms.ValidationError(_t("请至少选择一个职务或一位人员（或发到群机器人）。"))
        return data


def recipients(school, params):
    """Active people with a login who hold one of the positions (on the campus, when one
    is named) or are named."""
    wanted = Q(pk__in=[int(pk) for pk in params.get("people") or []])
    positions = params.get("positions") or []
    if positions:
        appointments = Appointment.objects.current().filter(
            staff__school=school, position__in=positions
        )
        if params.get("campus"):
            appointments = appointments.filter(
                Q(campus_id=params["campus"]) | Q(campus__isnull=True)
            )
        wanted |= Q(pk__in=appointments.values("staff_id"))
    return list(
        Staff.objects.filter(wanted, school=school, is_active=True, user__is_active=True)
        .select_related("user")
        .order_by("staff_no")
    )


def fill(text, slot):
    return text.replace("{日期}", f"{slot.month}月{slot.day}日").replace(
        "{星期}", str(WEEKDAY_NAMES[slot.weekday()])
    )


def run(schedule, slot):
    from houqin.notifications import services

    params = schedule.params
    people = recipients(schedule.school, params)
    robots = bool(params.get("robots"))
    if not people and not robots:
        raise JobFailed(_t("没有可提醒的人：所选职务目前无人担任，或所选人员已停用。"))
    services.notify(
        people,
        event=EVENT,
        title=fill(params.get("title") or schedule.name, slot),
        body=fill(params.get("body") or "", slot),
        url=params.get("link") or "",
        school=schedule.school,
        robots=robots,
    )
    names = "、".join(person.name for person in people[:NAMES_SHOWN])
    if len(people) > NAMES_SHOWN:
        names = _t("%(names)s 等") % {"names": names}
    result = _t("已提醒 %(count)d 人：%(names)s") % {"count": len(people), "names": names}
    if robots:
        result += _t("；已发到群机器人")
    return result


def summary(schedule):
    params = schedule.params
    labels = dict(POSITIONS)
    parts = [str(labels.get(position, position)) for position in params.get("positions") or []]
    if params.get("people"):
        parts.append(_t("%(count)d 位指定人员") % {"count": len(params["people"])})
    if params.get("robots"):
        parts.append(_t("群机器人"))
    return _t("提醒%(whom)s：%(title)s") % {
        "whom": "、".join(parts),
        "title": params.get("title", ""),
    }
