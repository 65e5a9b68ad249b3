"""Forms of the repair screens. Forms that name people, places, vendors or classes take
``school`` (or ``user``): choices offer only that school's records, and ``school`` is never
a form field. The forms only check input; every change goes through ``services``."""

from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from houqin.accounts.models import Staff
from houqin.accounts.roles import GRANTS
from houqin.assets.models import Asset
from houqin.assets.models import Status as AssetStatus
from houqin.core.forms import StatusFilterMixin, StyledForm, StyledModelForm
from houqin.core.widgets import PickerWidget
from houqin.files.forms import PhotosField
from houqin.org.models import Building, Campus, Place, SchoolClass
from houqin.repairs.models import (
    OPEN_STATUSES,
    Category,
    Deadline,
    DispatchRule,
    RepairRequest,
    Status,
    Urgency,
    Vendor,
)

WORK_POSITIONS = sorted(p for p, perms in GRANTS.items() if "repairs.work" in perms)


def workers_of(school):
    """The school's active people who hold a position that repairs (维修工)."""
    return (
        Staff.objects.filter(
            school=school,
            is_active=True,
            appointments__position__in=WORK_POSITIONS,
            appointments__ended_on__isnull=True,
        )
        .distinct()
        .order_by("name_initials", "name")
    )


def overdue_q(now):
    """Open requests past their deadline: not yet accepted past the response deadline,
    or not done past the completion deadline."""
    return Q(status__in=OPEN_STATUSES) & (
        Q(status__in=[Status.SUBMITTED, Status.ASSIGNED], response_due__lt=now)
        | Q(completion_due__lt=now)
    )


def vendors_of(school):
    return Vendor.objects.filter(school=school, is_active=True).order_by("name")


class ChoiceTiles(forms.RadioSelect):
    """Radio buttons drawn as big tap targets (a grid of buttons on a phone)."""

    template_name = "repairs/widgets/tiles.html"
    option_template_name = "repairs/widgets/tile_option.html"

    def __init__(self, *args, columns=3, icons=None, **kwargs):
        self.columns = columns
        self.icons = icons or {}
        super().__init__(*args, **kwargs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["columns"] = self.columns
        return context

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["icon"] = self.icons.get(value, "")
        # The radio itself is hidden (btn-check); the label is the button.
        option["attrs"]["class"] = "btn-check"
        return option


CATEGORY_ICONS = {
    Category.WATER_POWER: "lightning-charge",
    Category.DOORS_WINDOWS: "door-closed",
    Category.DESKS_CHAIRS: "inboxes",
    Category.SCREENS: "display",
    Category.NETWORK: "wifi",
    Category.AIR_CONDITIONING: "snow",
    Category.FIRE_EQUIPMENT: "fire",
    Category.SURVEILLANCE: "camera-video",
    Category.OTHER: "three-dots",
}


class ReportForm(StyledModelForm):
    """The 30-second report: place (pre-filled from a scan), category, one line, photos,
    urgency."""

    place = forms.ModelChoiceField(
        label=_("报修地点"),
        queryset=Place.objects.none(),
        error_messages={
            "required": _("请选择报修地点：扫描门牌上的二维码，或输入场所名称、编码搜索。"),
            "invalid_choice": _("没有找到这个场所，请重新选择。"),
        },
    )
    photos = PhotosField(max_files=9, label=_("照片"))

    class Meta:
        model = RepairRequest
        fields = ["place", "asset", "category", "description", "urgency"]
        widgets = {
            "category": ChoiceTiles(columns=3, icons=CATEGORY_ICONS),
            "urgency": ChoiceTiles(columns=3),
            "description": forms.TextInput(
                attrs={"placeholder": _("一句话说明哪里坏了，如：后门门锁打不开")}
            ),
        }
        error_messages = {
            "category": {"required": _("请选择维修类别。")},
            "description": {"required": _("请用一句话说明故障。")},
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        places = Place.objects.for_user(user).active().select_related("building")
        self.fields["place"].queryset = places
        self.fields["place"].widget = PickerWidget("org:pick_places", Place)
        # Set from an asset label's scan (``?asset=``); shown, not chosen, on the form.
        self.fields["asset"].queryset = (
            Asset.objects.for_user(user)
            .exclude(status=AssetStatus.DISPOSED)
            .select_related("place")
        )
        self.fields["asset"].widget = forms.HiddenInput()
        self.fields["asset"].error_messages["invalid_choice"] = _("没有找到这件资产，或它已处置。")
        self.fields["category"].choices = Category.choices
        self.fields["urgency"].choices = Urgency.choices

    def clean_description(self):
        return " ".join((self.cleaned_data.get("description") or "").split())

    def clean(self):
        data = super().clean()
        # Reported from an asset's label: its room is the place unless another was chosen.
        asset = data.get("asset")
        if asset is not None and not data.get("place") and asset.place_id:
            data["place"] = asset.place
            self.errors.pop("place", None)
        return data


class TargetField(forms.ChoiceField):
    """One select for "who does it": a worker ("s<id>") or an outside vendor ("v<id>")."""

    def __init__(self, school, *, workers=None, vendors=None, **kwargs):
        self.workers = list(workers if workers is not None else workers_of(school))
        self.vendors = list(vendors if vendors is not None else vendors_of(school))
        choices = [("", _("选择维修人员或单位"))]
        if self.workers:
            choices.append((_("维修人员"), [(f"s{w.pk}", w.name) for w in self.workers]))
        if self.vendors:
            choices.append((_("维修单位"), [(f"v{v.pk}", v.name) for v in self.vendors]))
        kwargs.setdefault("label", _("派给"))
        kwargs.setdefault(
            "error_messages",
            {
                "required": _("请选择维修人员或维修单位。"),
                "invalid_choice": _("所选人员或单位不可用，请重新选择。"),
            },
        )
        super().__init__(choices=choices, **kwargs)

    def target(self, value):
        """``(assignee, vendor)`` for a cleaned value."""
        if not value:
            return None, None
        pk = int(value[1:])
        if value[0] == "s":
            return next(w for w in self.workers if w.pk == pk), None
        return None, next(v for v in self.vendors if v.pk == pk)


class AssignForm(StyledForm):
    note = forms.CharField(label=_("派单说明"), max_length=500, required=False)

    def __init__(self, *args, school, workers=None, vendors=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            "to": TargetField(school, workers=workers, vendors=vendors),
            **self.fields,
        }
        self.fields["to"].widget.attrs["class"] = "form-select"
        self.fields["note"].widget.attrs.update(
            {"class": "form-control", "placeholder": _("可不填")}
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("to"):
            cleaned["assignee"], cleaned["vendor"] = self.fields["to"].target(cleaned["to"])
        return cleaned


class NoteForm(StyledForm):
    """A required reason: waiting for parts, reopening, cancelling."""

    note = forms.CharField(
        label=_("说明"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, label=None, placeholder="", required_message=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["note"]
        if label:
            field.label = label
        if placeholder:
            field.widget.attrs["placeholder"] = placeholder
        field.error_messages["required"] = required_message or _("请填写说明。")

    def clean_note(self):
        return (self.cleaned_data.get("note") or "").strip()


class OutsourceForm(StyledForm):
    vendor = forms.ModelChoiceField(
        label=_("维修单位"),
        queryset=Vendor.objects.none(),
        required=False,
        empty_label=_("暂不指定"),
        error_messages={"invalid_choice": _("所选维修单位不可用，请重新选择。")},
    )
    note = forms.CharField(
        label=_("委外原因"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("如：主板损坏，需厂家上门")}),
        error_messages={"required": _("请写明为什么要委外维修。")},
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = vendors_of(school)


def _money(label):
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
        error_messages={
            "invalid": _("请输入金额，如 35.50。"),
            "min_value": _("金额不能为负数。"),
            "max_decimal_places": _("金额最多两位小数。"),
        },
    )


class CostsForm(StyledForm):
    """Costs and the "damaged by students" flag (kept for the class ratings)."""

    labour_cost = _money(_("人工费(元)"))
    parts_cost = _money(_("材料费(元)"))
    vendor_cost = _money(_("外包费(元)"))
    damaged_by_students = forms.BooleanField(label=_("学生损坏"), required=False)
    responsible_class = forms.ModelChoiceField(
        label=_("责任班级"),
        queryset=SchoolClass.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("所选班级不可用，请重新选择。")},
    )
    responsible_person = forms.CharField(label=_("责任人"), max_length=50, required=False)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_class"].queryset = (
            SchoolClass.objects.filter(school=school, is_active=True)
            .select_related("grade")
            .order_by("grade__number", "number")
        )

    def clean(self):
        cleaned = super().clean()
        for name in ("labour_cost", "parts_cost", "vendor_cost"):
            if cleaned.get(name) is None and name not in self.errors:
                cleaned[name] = Decimal("0")
        if not cleaned.get("damaged_by_students"):
            cleaned["responsible_class"], cleaned["responsible_person"] = None, ""
        return cleaned

    def cost_kwargs(self):
        keys = (
            "labour_cost",
            "parts_cost",
            "vendor_cost",
            "damaged_by_students",
            "responsible_class",
            "responsible_person",
        )
        return {key: self.cleaned_data[key] for key in keys}


class FinishForm(CostsForm):
    """维修完成: a note, photos of the fixed thing, and the costs."""

    note = forms.CharField(
        label=_("维修说明"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("如：更换门锁一把")}),
        error_messages={"required": _("请写一句维修说明。")},
    )
    photos = PhotosField(max_files=9, label=_("完工照片"))

    field_order = ["note", "photos"]


RATINGS = [(str(n), str(n)) for n in range(1, 6)]


class ConfirmForm(StyledForm):
    rating = forms.TypedChoiceField(
        label=_("评分"),
        choices=RATINGS,
        coerce=int,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("评分为 1 到 5 星。")},
    )
    comment = forms.CharField(
        label=_("评价"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("说说这次维修（可不填）")}),
    )


class RateForm(ConfirmForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rating"].required = True
        self.fields["rating"].error_messages["required"] = _("请选择 1 到 5 星。")


class JoinForm(StyledForm):
    note = forms.CharField(label=_("补充说明"), max_length=500, required=False)


# ---------------------------------------------------------------------------------------
# The manager's queue


OVERDUE_CHOICES = [("", _("不限期限")), ("1", _("仅看超期"))]


class QueueFilterForm(StatusFilterMixin, StyledForm):
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("单号、地点或描述"), "autocomplete": "off"}
        ),
    )
    status = forms.ChoiceField(label=_("状态"), required=False)
    category = forms.ChoiceField(label=_("维修类别"), required=False)
    building = forms.ModelChoiceField(
        label=_("楼宇"), queryset=Building.objects.none(), required=False, empty_label=None
    )
    overdue = forms.ChoiceField(label=_("超期"), choices=OVERDUE_CHOICES, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_status_choices(_("未完成"), Status.choices)
        self.fields["category"].choices = [("", _("全部类别")), *Category.choices]
        self.set_buildings(user)

    def filter(self, requests, *, now):
        if not self.is_valid():
            return requests.filter(status__in=OPEN_STATUSES)
        data = self.cleaned_data
        requests = self.filter_status(requests, OPEN_STATUSES)
        if data["category"]:
            requests = requests.filter(category=data["category"])
        if data["building"]:
            requests = requests.filter(place__building=data["building"])
        if data["overdue"]:
            requests = requests.filter(overdue_q(now))
        if data["q"]:
            text = data["q"].strip()
            requests = requests.filter(
                Q(number__icontains=text)
                | Q(description__icontains=text)
                | Q(place__name__icontains=text)
                | Q(place__code__istartswith=text)
            )
        return requests


# ---------------------------------------------------------------------------------------
# Settings


class VendorForm(StyledModelForm):
    categories = forms.MultipleChoiceField(
        label=_("维修类别"),
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Vendor
        fields = ["name", "contact", "phone", "categories", "note"]

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.fields["categories"].widget.attrs["class"] = "form-check-input"
        self.fields["name"].error_messages["required"] = _("请填写单位名称。")

    def clean_name(self):
        name = (self.cleaned_data.get("name") or "").strip()
        clash = Vendor.objects.filter(school=self.school, name=name).exclude(pk=self.instance.pk)
        if name and clash.exists():
            raise forms.ValidationError(_("已有同名的维修单位。"))
        return name

    def save(self, commit=True):
        self.instance.school = self.school
        return super().save(commit)


class DispatchRuleForm(StyledModelForm):
    class Meta:
        model = DispatchRule
        fields = ["category", "campus"]

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.fields["campus"].queryset = Campus.objects.filter(school=school)
        self.fields["campus"].empty_label = _("全部校区")
        self.fields["category"].error_messages["required"] = _("请选择维修类别。")
        initial = ""
        if self.instance.assignee_id:
            initial = f"s{self.instance.assignee_id}"
        elif self.instance.vendor_id:
            initial = f"v{self.instance.vendor_id}"
        self.fields["to"] = TargetField(school, initial=initial)
        self.fields["to"].widget.attrs["class"] = "form-select"

    def clean(self):
        cleaned = super().clean()
        category, campus = cleaned.get("category"), cleaned.get("campus")
        if category:
            clash = DispatchRule.objects.filter(
                school=self.school, category=category, campus=campus
            ).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("category", _("这个类别在该校区已有派单规则，请直接修改那一条。"))
        return cleaned

    def save(self, commit=True):
        rule = self.instance
        rule.school = self.school
        rule.assignee, rule.vendor = self.fields["to"].target(self.cleaned_data["to"])
        return super().save(commit)


class DeadlineForm(StyledModelForm):
    class Meta:
        model = Deadline
        fields = ["urgency", "category", "response_hours", "completion_hours"]

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.fields["category"].choices = [("", _("全部类别")), *Category.choices]
        for name in ("response_hours", "completion_hours"):
            field = self.fields[name]
            field.error_messages.update(
                {
                    "required": _("请填写工作小时数。"),
                    "invalid": _("请输入小时数，如 4 或 1.5。"),
                    "min_value": _("小时数不能为负数。"),
                }
            )
            field.widget.attrs.update({"step": "0.5", "min": "0", "inputmode": "decimal"})

    def clean(self):
        cleaned = super().clean()
        urgency, category = cleaned.get("urgency"), cleaned.get("category") or ""
        response, completion = cleaned.get("response_hours"), cleaned.get("completion_hours")
        if response is not None and completion is not None and completion < response:
            self.add_error("completion_hours", _("完成时限不能短于响应时限。"))
        if urgency:
            clash = Deadline.objects.filter(
                school=self.school, urgency=urgency, category=category
            ).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("urgency", _("这个紧急程度和类别已有时限，请直接修改那一条。"))
        return cleaned

    def save(self, commit=True):
        self.instance.school = self.school
        return super().save(commit)
