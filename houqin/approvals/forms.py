"""Forms for deciding, delegating, editing flows and trying them out (试算).

Forms that name people or flows take ``school``: pickers and choices offer only that
school's records, and ``school`` is never a form field."""

import re

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from houqin.accounts.models import Staff
from houqin.accounts.roles import Position
from houqin.approvals import kinds as registry
from houqin.approvals.models import ApproverType, Delegation, Flow, FlowStep
from houqin.core.forms import StyledForm, StyledModelForm
from houqin.core.widgets import PickerWidget

# Positions a flow or a step may name: the district is a step type of its own.
SCHOOL_POSITIONS = [(v, label) for v, label in Position.choices if v != Position.DISTRICT_OFFICER]


def _people_field(school, label, *, required=True):
    return forms.ModelChoiceField(
        label=label,
        queryset=Staff.objects.filter(school=school, is_active=True),
        required=required,
        widget=PickerWidget("accounts:pick_people", Staff),
    )


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _checkboxes(field):
    field.widget.attrs["class"] = "form-check-input"


class DecisionForm(StyledForm):
    """A decision on the current step. Approving needs no comment; rejecting and sending
    back say why."""

    ACTIONS = ("approve", "reject", "return", "withdraw", "resubmit")

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS], widget=forms.HiddenInput)
    # The step the page showed: a decision is not taken for a step that came after it.
    step = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("意见"),
        max_length=500,
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": _("同意可不填；退回或不同意请写明理由")}
        ),
    )

    def clean(self):
        cleaned = super().clean()
        action, comment = cleaned.get("action"), (cleaned.get("comment") or "").strip()
        if action == "reject" and not comment:
            self.add_error("comment", _("不同意时请填写理由。"))
        elif action == "return" and not comment:
            self.add_error("comment", _("退回时请写明需要修改的地方。"))
        cleaned["comment"] = comment
        return cleaned


# ---------------------------------------------------------------------------------------
# Flows


def split_sub_types(text):
    return [part for part in re.split(r"[,，、;；\s]+", text or "") if part]


class FlowForm(StyledModelForm):
    kind = forms.ChoiceField(label=_("审批事项"))
    requester_positions = forms.MultipleChoiceField(
        label=_("申请人职务"),
        choices=SCHOOL_POSITIONS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示不限；选了则申请人担任其中任一职务时才适用"),
    )
    sub_types = forms.CharField(
        label=_("类型"),
        required=False,
        max_length=200,
        help_text=_("不填表示不限；多个用顿号分隔，如 病假、事假"),
    )

    class Meta:
        model = Flow
        fields = [
            "kind",
            "name",
            "priority",
            "min_days",
            "max_days",
            "min_amount",
            "max_amount",
            "requester_positions",
            "sub_types",
            "note",
        ]

    def __init__(self, *args, school, **kwargs):
        self.school = school
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = registry.kind_choices()
        _checkboxes(self.fields["requester_positions"])
        if self.instance.pk:
            self.initial["sub_types"] = "、".join(self.instance.sub_types)

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean_sub_types(self):
        return split_sub_types(self.cleaned_data["sub_types"])

    def clean(self):
        cleaned = super().clean()
        kind = registry.get_kind(cleaned.get("kind") or "")
        name = cleaned.get("name")
        if kind and name:
            taken = Flow.objects.filter(school=self.school, kind=kind.code, name=name)
            if self.instance.pk:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("name", _("这个事项已有同名的流程。"))
        for low, high, message in (
            ("min_days", "max_days", _("“天数超过”必须小于“天数不超过”。")),
            ("min_amount", "max_amount", _("“金额不低于”必须小于“金额低于”。")),
        ):
            lo, hi = cleaned.get(low), cleaned.get(high)
            if lo is not None and hi is not None and lo >= hi:
                self.add_error(high, message)
        for field in ("min_days", "max_days", "min_amount", "max_amount"):
            value = cleaned.get(field)
            if value is not None and value < 0:
                self.add_error(field, _("不能是负数。"))
        if kind:
            for fields, has, message in (
                (("min_days", "max_days"), kind.has_days, _("“%(kind)s”不按天数审批。")),
                (("min_amount", "max_amount"), kind.has_amount, _("“%(kind)s”不按金额审批。")),
                (("sub_types",), kind.has_sub_type, _("“%(kind)s”没有类型可选。")),
            ):
                for field in fields:
                    if cleaned.get(field) not in (None, [], "") and not has:
                        self.add_error(field, message % {"kind": kind.label})
            unknown = [s for s in cleaned.get("sub_types") or [] if s not in kind.sub_types]
            if kind.sub_types and unknown:
                self.add_error(
                    "sub_types",
                    _("“%(kind)s”没有这些类型：%(unknown)s。可选：%(known)s")
                    % {
                        "kind": kind.label,
                        "unknown": "、".join(unknown),
                        "known": "、".join(kind.sub_types),
                    },
                )
        return cleaned


class FlowStepForm(StyledModelForm):
    position = forms.ChoiceField(
        label=_("职务"),
        choices=[("", _("（审批人为“指定职务”时选择）")), *SCHOOL_POSITIONS],
        required=False,
    )

    class Meta:
        model = FlowStep
        fields = ["approver_type", "position", "person", "label", "notify_only"]

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approver_type"].choices = [("", _("请选择审批人")), *ApproverType.choices]
        # A row added but left empty is ignored; an existing step must keep an approver.
        self.fields["approver_type"].required = False
        self.fields["person"] = _people_field(school, _("人员"), required=False)
        self.fields["person"].help_text = _("审批人为“指定人员”时选择")

    def clean(self):
        cleaned = super().clean()
        approver_type = cleaned.get("approver_type")
        if not approver_type and self.instance.pk and not cleaned.get("DELETE"):
            self.add_error("approver_type", _("请选择审批人。"))
        if approver_type == ApproverType.POSITION and not cleaned.get("position"):
            self.add_error("position", _("请选择职务。"))
        if approver_type == ApproverType.PERSON and not cleaned.get("person"):
            self.add_error("person", _("请选择人员。"))
        if approver_type != ApproverType.POSITION:
            cleaned["position"] = ""
        if approver_type != ApproverType.PERSON:
            cleaned["person"] = None
        return cleaned


class BaseStepFormSet(BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["ORDER"].label = _("顺序")
        form.fields["ORDER"].widget.attrs.update({"class": "form-control", "min": 1})
        form.fields["DELETE"].label = _("删除这一步")
        form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        kept = [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("approver_type")
        ]
        if not any(not form.cleaned_data.get("notify_only") for form in kept):
            raise forms.ValidationError(_("流程至少要有一个需要审批的步骤（不是“仅知会”）。"))


def _step_formset(extra):
    return inlineformset_factory(
        Flow,
        FlowStep,
        form=FlowStepForm,
        formset=BaseStepFormSet,
        extra=extra,
        can_order=True,
        can_delete=True,
    )


FlowStepFormSet = _step_formset(0)
NewFlowStepFormSet = _step_formset(1)


class ArchivedFilterForm(StyledForm):
    archived = forms.BooleanField(label=_("显示已停用的流程"), required=False)


# ---------------------------------------------------------------------------------------
# Trying a flow out


class SimulateForm(StyledForm):
    kind = forms.ChoiceField(label=_("审批事项"))
    requester = forms.ModelChoiceField(label=_("申请人"), queryset=Staff.objects.none())
    days = forms.DecimalField(
        label=_("天数"), required=False, min_value=0, max_digits=6, decimal_places=1
    )
    amount = forms.DecimalField(
        label=_("金额（元）"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    sub_type = forms.CharField(label=_("类型"), required=False, max_length=30)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = registry.kind_choices()
        self.fields["requester"] = _people_field(school, _("申请人"))

    def facts(self):
        data = self.cleaned_data
        return {
            registry.DAYS: data.get("days"),
            registry.AMOUNT: data.get("amount"),
            registry.SUB_TYPE: data.get("sub_type"),
        }


# ---------------------------------------------------------------------------------------
# Delegation


class DelegationForm(StyledModelForm):
    kinds = forms.MultipleChoiceField(
        label=_("代理的审批事项"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示全部事项"),
    )

    class Meta:
        model = Delegation
        fields = ["from_staff", "to_staff", "start", "end", "kinds", "reason"]
        widgets = {"start": _date_widget(), "end": _date_widget()}

    def __init__(self, *args, school, staff, for_others=False, **kwargs):
        self.staff = staff
        super().__init__(*args, **kwargs)
        self.fields["kinds"].choices = registry.kind_choices()
        _checkboxes(self.fields["kinds"])
        self.fields["to_staff"] = _people_field(school, _("代理人"))
        self.fields["to_staff"].help_text = _("您不在时由谁替您审批")
        if for_others:
            self.fields["from_staff"] = _people_field(school, _("委托人（谁不在）"))
            self.fields["from_staff"].help_text = _("不填表示您本人")
            self.fields["from_staff"].required = False
        else:
            del self.fields["from_staff"]
        today = timezone.localdate()
        self.fields["start"].initial = today
        self.fields["end"].initial = today

    def clean(self):
        cleaned = super().clean()
        from_staff = cleaned.get("from_staff") or self.staff
        cleaned["from_staff"] = from_staff
        to_staff = cleaned.get("to_staff")
        start, end = cleaned.get("start"), cleaned.get("end")
        if to_staff and to_staff.pk == from_staff.pk:
            self.add_error("to_staff", _("代理人不能是委托人本人。"))
        if start and end and end < start:
            self.add_error("end", _("结束日期不能早于开始日期。"))
        if end and end < timezone.localdate():
            self.add_error("end", _("结束日期已经过去。"))
        return cleaned

    def save(self, commit=True):
        self.instance.from_staff = self.cleaned_data["from_staff"]
        return super().save(commit)
