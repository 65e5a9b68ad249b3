"""Forms of the hazard screens. Forms that name people, places or buildings take ``user``
or ``school``: choices offer only that school's records, and ``school`` is never a form
field. The forms only check input; every change goes through ``services``."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from houqin.accounts.models import Staff
from houqin.core.forms import StatusFilterMixin, StyledForm, StyledModelForm
from houqin.core.widgets import PickerWidget
from houqin.files.forms import PhotosField
from houqin.hazards.models import OPEN_STATUSES, Domain, Grade, Hazard, HazardPlan, Status
from houqin.org.models import Building, Place
from houqin.repairs.forms import CATEGORY_ICONS, ChoiceTiles
from houqin.repairs.models import Category, Urgency

DOMAIN_ICONS = {
    Domain.FIRE: "fire",
    Domain.BUILDINGS: "building",
    Domain.FOOD: "egg-fried",
    Domain.LABS: "eyedropper",
    Domain.BUS_TRAFFIC: "bus-front",
    Domain.CROWD: "people",
    Domain.SPECIAL_EQUIPMENT: "gear-wide-connected",
    Domain.UTILITIES: "lightning-charge",
    Domain.SECURITY: "camera-video",
    Domain.OTHER: "three-dots",
}

# A hazard found during a repair: its likely domain from the repair's category.
DOMAIN_OF_CATEGORY = {
    Category.WATER_POWER: Domain.UTILITIES,
    Category.DOORS_WINDOWS: Domain.BUILDINGS,
    Category.DESKS_CHAIRS: Domain.BUILDINGS,
    Category.AIR_CONDITIONING: Domain.UTILITIES,
    Category.FIRE_EQUIPMENT: Domain.FIRE,
    Category.SURVEILLANCE: Domain.SECURITY,
}

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def people_of(school):
    """Who may be named owner: the school's active staff with a login."""
    return Staff.objects.filter(school=school, is_active=True, user__isnull=False)


def _owner_field(label, *, required):
    return forms.ModelChoiceField(
        label=label,
        queryset=Staff.objects.none(),
        required=required,
        error_messages={
            "required": _("请选择整改责任人。"),
            "invalid_choice": _("所选人员不可用，请重新选择。"),
        },
    )


def _deadline_field(label, *, help_text=""):
    return forms.DateField(
        label=label,
        required=False,
        widget=DATE_WIDGET,
        help_text=help_text,
        error_messages={"invalid": _("请输入日期，如 2026-03-12。")},
    )


class ReportForm(StyledModelForm):
    """隐患上报: where (a scan or the place picker), what kind (big buttons), how grave,
    one line, details, photos. A manager may name the owner at once."""

    place = forms.ModelChoiceField(
        label=_("隐患地点"),
        queryset=Place.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("没有找到这个场所，请重新选择。")},
    )
    photos = PhotosField(max_files=9, label=_("现场照片"))
    repair = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Hazard
        fields = ["place", "location_note", "domain", "grade", "title", "detail"]
        widgets = {
            "domain": ChoiceTiles(columns=3, icons=DOMAIN_ICONS),
            "grade": ChoiceTiles(columns=2),
            "location_note": forms.TextInput(attrs={"placeholder": _("如：东侧楼梯二楼转角")}),
            "title": forms.TextInput(
                attrs={"placeholder": _("一句话说明隐患，如：安全出口指示灯不亮")}
            ),
            "detail": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "domain": {"required": _("请选择隐患类别。")},
            "title": {"required": _("请用一句话描述隐患。")},
        }

    def __init__(self, *args, user, school, can_assign=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = Place.objects.for_user(user).active()
        self.fields["place"].widget = PickerWidget("org:pick_places", Place)
        self.fields["domain"].choices = Domain.choices
        self.fields["grade"].choices = Grade.choices
        self.fields["grade"].help_text = _(
            "重大隐患：需要停课停用或请外单位整改的，须填写整改方案并报校长。"
        )
        if can_assign:
            self.fields["owner"] = _owner_field(_("整改责任人（可不填）"), required=False)
            self.fields["owner"].queryset = people_of(school)
            self.fields["owner"].widget = PickerWidget("accounts:pick_people", Staff)
            self.fields["deadline"] = _deadline_field(
                _("整改期限"), help_text=_("不填：一般隐患 3 个工作日，重大隐患按整改方案。")
            )
            self.fields["deadline"].widget.attrs["class"] = "form-control"

    def clean_title(self):
        return " ".join((self.cleaned_data.get("title") or "").split())

    def clean(self):
        cleaned = super().clean()
        where = cleaned.get("place") or (cleaned.get("location_note") or "").strip()
        if not where and "place" not in self.errors:
            self.add_error("place", _("请选择隐患地点，或填写具体位置。"))
        if cleaned.get("deadline") and not cleaned.get("owner"):
            self.add_error("owner", _("填写整改期限时请同时选择整改责任人。"))
        return cleaned


class AssignForm(StyledForm):
    """指派整改 / 改派: owner and deadline."""

    note = forms.CharField(label=_("指派说明"), max_length=500, required=False)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        owner = _owner_field(_("整改责任人"), required=True)
        owner.queryset = people_of(school)
        owner.widget = PickerWidget("accounts:pick_people", Staff)
        deadline = _deadline_field(
            _("整改期限"), help_text=_("不填：一般隐患 3 个工作日，重大隐患按整改方案。")
        )
        deadline.widget.attrs["class"] = "form-control"
        self.fields = {"owner": owner, "deadline": deadline, **self.fields}
        self.fields["note"].widget.attrs["placeholder"] = _("可不填")


class RegradeForm(StyledForm):
    grade = forms.ChoiceField(
        label=_("隐患等级"),
        choices=Grade.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择隐患等级。")},
    )
    note = forms.CharField(
        label=_("调整原因"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请写明调整等级的原因。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].widget.attrs["class"] = "form-check-input"


class PlanForm(StyledModelForm):
    """重大隐患整改方案: goal, measures, funds, people, deadline, the emergency plan."""

    class Meta:
        model = HazardPlan
        fields = ["goal", "measures", "funds", "people", "deadline", "emergency_plan"]
        widgets = {
            "goal": forms.Textarea(attrs={"rows": 2}),
            "measures": forms.Textarea(attrs={"rows": 3}),
            "funds": forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
            "deadline": DATE_WIDGET,
            "emergency_plan": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "goal": {"required": _("请填写整改目标。")},
            "measures": {"required": _("请填写整改措施。")},
            "people": {"required": _("请填写责任人员。")},
            "deadline": {
                "required": _("请填写完成时限。"),
                "invalid": _("请输入日期，如 2026-03-12。"),
            },
            "emergency_plan": {"required": _("请填写应急预案和临时防范措施。")},
            "funds": {
                "invalid": _("请输入金额，如 3500.00。"),
                "min_value": _("金额不能为负数。"),
                "max_decimal_places": _("金额最多两位小数。"),
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funds"].required = False
        self.fields["people"].widget.attrs["placeholder"] = _("如：总务处王主任及两名电工")

    def plan_kwargs(self):
        keys = ("goal", "measures", "funds", "people", "deadline", "emergency_plan")
        return {key: self.cleaned_data[key] for key in keys}


class ToRepairForm(StyledForm):
    """转报修: the repair request that fixes the hazard."""

    category = forms.ChoiceField(
        label=_("维修类别"),
        choices=Category.choices,
        widget=ChoiceTiles(columns=3, icons=CATEGORY_ICONS),
        error_messages={"required": _("请选择维修类别。")},
    )
    urgency = forms.ChoiceField(
        label=_("紧急程度"),
        choices=Urgency.choices,
        initial=Urgency.URGENT,
        widget=ChoiceTiles(columns=3),
        error_messages={"required": _("请选择紧急程度。")},
    )
    description = forms.CharField(
        label=_("故障描述"),
        max_length=500,
        error_messages={"required": _("请用一句话说明要修什么。")},
    )


class RectifyForm(StyledForm):
    note = forms.CharField(
        label=_("整改情况"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("如：已更换应急照明灯两只")}),
        error_messages={"required": _("请写明整改情况。")},
    )
    photos = PhotosField(max_files=9, label=_("整改后照片"))


class VerifyForm(StyledForm):
    PASS, FAIL = "pass", "fail"

    result = forms.ChoiceField(
        choices=[(PASS, _("验证通过")), (FAIL, _("验证未通过"))],
        widget=forms.HiddenInput,
        error_messages={"required": _("请选择验证结果。")},
    )
    note = forms.CharField(
        label=_("验证意见"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("未通过时写明哪里没有整改到位")}),
    )
    photos = PhotosField(max_files=9, label=_("验证照片"))

    def clean(self):
        cleaned = super().clean()
        note = (cleaned.get("note") or "").strip()
        if cleaned.get("result") == self.FAIL and not note:
            self.add_error("note", _("请写明哪里没有整改到位。"))
        cleaned["passed"] = cleaned.get("result") == self.PASS
        cleaned["note"] = note
        return cleaned


class VoidForm(StyledForm):
    reason = forms.CharField(
        label=_("作废原因"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("如：重复上报，已并入 YH-2026-0012")}),
        error_messages={"required": _("请填写作废原因。")},
    )


# ---------------------------------------------------------------------------------------
# The register (隐患台账)

OVERDUE_CHOICES = [("", _("不限期限")), ("1", _("仅看超期"))]


class RegisterFilterForm(StatusFilterMixin, StyledForm):
    """The register's filters; the names (status=open, domain, grade, building, overdue=1,
    owner, q) are also what the statistics pages link with."""

    q = forms.CharField(
        label=_("搜索"),
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("编号、描述或地点"), "autocomplete": "off"}
        ),
    )
    status = forms.ChoiceField(label=_("状态"), required=False)
    domain = forms.ChoiceField(label=_("隐患类别"), required=False)
    grade = forms.ChoiceField(label=_("隐患等级"), required=False)
    building = forms.ModelChoiceField(
        label=_("楼宇"), queryset=Building.objects.none(), required=False, empty_label=None
    )
    owner = forms.ModelChoiceField(
        label=_("整改责任人"), queryset=Staff.objects.none(), required=False, empty_label=None
    )
    overdue = forms.ChoiceField(label=_("超期"), choices=OVERDUE_CHOICES, required=False)

    def __init__(self, *args, user, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_status_choices(_("未销号"), Status.choices)
        self.fields["domain"].choices = [("", _("全部类别")), *Domain.choices]
        self.fields["grade"].choices = [("", _("全部等级")), *Grade.choices]
        self.set_buildings(user)
        # Only the people who have been owners: a short list, not the whole staff.
        owners = Hazard.objects.filter(school=school, owner__isnull=False).values("owner_id")
        owner = self.fields["owner"]
        owner.queryset = Staff.objects.filter(school=school, pk__in=owners).order_by(
            "name_initials", "name"
        )
        owner.choices = [("", _("全部责任人")), *owner.choices]

    def filter(self, hazards, *, today):
        if not self.is_valid():
            return hazards.filter(status__in=OPEN_STATUSES)
        data = self.cleaned_data
        hazards = self.filter_status(hazards, OPEN_STATUSES)
        for name in ("domain", "grade"):
            if data[name]:
                hazards = hazards.filter(**{name: data[name]})
        if data["building"]:
            hazards = hazards.filter(place__building=data["building"])
        if data["owner"]:
            hazards = hazards.filter(owner=data["owner"])
        if data["overdue"]:
            hazards = hazards.overdue(today)
        if data["q"]:
            text = data["q"].strip()
            hazards = hazards.filter(
                Q(number__icontains=text)
                | Q(title__icontains=text)
                | Q(location_note__icontains=text)
                | Q(place__name__icontains=text)
                | Q(place__code__istartswith=text)
            )
        return hazards
