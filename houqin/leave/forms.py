"""The forms of the teacher and gate screens: apply for leave, report back (销假), cancel,
apply for a going-out slip. They only check what was typed; the rules (overlap, caps,
proof, statutory lengths) are in ``services`` and come back as a Chinese message."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from houqin.core.forms import StyledForm, StyledModelForm
from houqin.files.forms import MultipleFileField
from houqin.leave.models import GoingOutSlip, HalfDay, LeaveRequest, LeaveType


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _datetime_input():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def leave_types_of(school):
    return LeaveType.objects.filter(school=school, is_active=True).order_by("order", "id")


class LeaveForm(StyledModelForm):
    """请假: type, start and end (全天/上午/下午), periods within a day, reason, proof."""

    proof = MultipleFileField(
        label=_("证明材料"),
        help_text=_("病假证明、会议通知等；照片或 PDF。"),
    )

    class Meta:
        model = LeaveRequest
        fields = [
            "leave_type",
            "start_date",
            "start_part",
            "end_date",
            "end_part",
            "periods",
            "reason",
        ]
        widgets = {
            "start_date": _date_input(),
            "end_date": _date_input(),
            "reason": forms.Textarea(attrs={"rows": 3}),
            "periods": forms.TextInput(attrs={"placeholder": _("如：3-4节（请假不足半天时填写）")}),
        }
        labels = {"start_part": _("开始时段"), "end_part": _("结束时段")}

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leave_type"].queryset = leave_types_of(school)
        self.fields["leave_type"].empty_label = _("请选择请假类型")
        self.fields["start_part"].choices = HalfDay.choices
        self.fields["end_part"].choices = HalfDay.choices
        self.fields["periods"].required = False

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end:
            if end < start:
                self.add_error("end_date", _("结束日期不能早于开始日期。"))
            elif start == end:
                start_part = data.get("start_part")
                end_part = data.get("end_part")
                if start_part == HalfDay.PM and end_part == HalfDay.AM:
                    self.add_error("end_part", _("同一天请假，结束时段不能早于开始时段。"))
        return data


class CountForm(StyledForm):
    """The fields the live day count reads (sent by htmx as the form changes)."""

    leave_type = forms.ModelChoiceField(queryset=LeaveType.objects.none(), required=False)
    start_date = forms.DateField(required=False)
    start_part = forms.ChoiceField(choices=HalfDay.choices, required=False)
    end_date = forms.DateField(required=False)
    end_part = forms.ChoiceField(choices=HalfDay.choices, required=False)
    periods = forms.CharField(required=False)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leave_type"].queryset = leave_types_of(school)


class ReportBackForm(StyledModelForm):
    """销假: the day and part the teacher came back to work."""

    class Meta:
        model = LeaveRequest
        fields = ["returned_on", "returned_part"]
        widgets = {"returned_on": _date_input()}
        labels = {"returned_on": _("返岗日期"), "returned_part": _("返岗时段")}
        help_texts = {"returned_part": _("上午返岗选“上午”，下午才返岗选“下午”。")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["returned_on"].required = True
        self.fields["returned_part"].required = True
        self.fields["returned_part"].choices = [
            (HalfDay.AM, _("上午")),
            (HalfDay.PM, _("下午")),
        ]
        if not self.is_bound:
            self.initial.setdefault("returned_on", timezone.localdate())
            self.initial.setdefault(
                "returned_part", HalfDay.AM if timezone.localtime().hour < 12 else HalfDay.PM
            )


class CancelForm(StyledModelForm):
    class Meta:
        model = LeaveRequest
        fields = ["cancel_reason"]
        labels = {"cancel_reason": _("取消原因")}


class SlipForm(StyledModelForm):
    """出门条: where, why, when out and when back."""

    class Meta:
        model = GoingOutSlip
        fields = ["destination", "reason", "planned_out", "planned_back"]
        widgets = {
            "planned_out": _datetime_input(),
            "planned_back": _datetime_input(),
            "reason": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("planned_out", "planned_back"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        if not self.is_bound and "planned_out" not in self.initial:
            now = timezone.localtime().replace(second=0, microsecond=0)
            self.initial["planned_out"] = now
            self.initial["planned_back"] = now + timedelta(hours=1)

    def clean(self):
        data = super().clean()
        out, back = data.get("planned_out"), data.get("planned_back")
        if out and back:
            if back <= out:
                self.add_error("planned_back", _("返校时间要晚于出校时间。"))
            elif timezone.localtime(out).date() != timezone.localtime(back).date():
                self.add_error("planned_back", _("出门条只用于当天短时外出；跨天请走请假。"))
        return data


class GateCodeForm(StyledForm):
    """The gate list's search: the slip's code or the teacher's name."""

    q = forms.CharField(label=_("出门条编号或姓名"), required=False, max_length=40)
