"""Forms of the movement, idle pool and disposal screens. Each that names records takes
``school`` and offers only that school's; the rules are checked again in
``services_moves``."""

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from houqin.accounts.models import Staff
from houqin.assets.forms import Picker
from houqin.assets.models import Asset, Category, DisposalMethod, MovementKind
from houqin.core.forms import StyledForm
from houqin.core.widgets import PickerWidget
from houqin.org.models import Building, Department, Place

# Numbers are typed, pasted from Excel or scanned: any run of spaces, commas or lines
# separates them.
SEPARATORS = re.compile(r"[\s,，;；、]+")


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CardNumbersField(forms.CharField):
    """Asset numbers, one a line (or separated by commas): cleaned to the cards of the
    form's school, in the order typed."""

    widget = forms.Textarea(
        attrs={"rows": 3, "placeholder": _("每行一个资产编号，可扫描标签输入，如 2026-000123")}
    )

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("资产编号"))
        kwargs.setdefault("error_messages", {"required": _("请至少填写一个资产编号。")})
        super().__init__(**kwargs)


class CardsFormMixin:
    def clean_numbers(self):
        numbers = list(
            dict.fromkeys(n for n in SEPARATORS.split(self.cleaned_data["numbers"]) if n)
        )
        if not numbers:
            raise forms.ValidationError(_("请至少填写一个资产编号。"))
        cards = dict(
            Asset.objects.filter(school=self.school, number__in=numbers).values_list("number", "pk")
        )
        missing = [number for number in numbers if number not in cards]
        if missing:
            raise forms.ValidationError(
                _("本校没有这些资产编号：%(numbers)s") % {"numbers": "、".join(missing[:10])}
            )
        self.asset_ids = [cards[number] for number in numbers]
        return "\n".join(numbers)


class MovementForm(CardsFormMixin, StyledForm):
    """调拨 or 退库 by the asset clerk. 退库 asks for a place only when the school has
    no store room."""

    numbers = CardNumbersField()
    to_place = forms.ModelChoiceField(
        label=_("调入地点"), queryset=Place.objects.none(), required=False
    )
    to_department = forms.ModelChoiceField(
        label=_("调入部门"), queryset=Department.objects.none(), required=False
    )
    to_custodian = forms.ModelChoiceField(
        label=_("新使用人"), queryset=Staff.objects.none(), required=False
    )
    reason = forms.CharField(
        label=_("事由"),
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": _("如：三年级(2)班调整到实验楼上课")}),
        error_messages={"required": _("请填写事由。")},
    )

    def __init__(self, *args, school, kind, store=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.school, self.kind = school, kind
        self.fields["to_place"].queryset = Place.objects.filter(
            school=school, is_active=True
        ).select_related("building")
        self.fields["to_place"].widget = Picker(
            "org:pick_places", Place, placeholder=_("输入场所名称、拼音首字母或编码搜索")
        )
        self.fields["to_department"].queryset = Department.objects.filter(
            school=school, is_active=True
        ).order_by("code")
        self.fields["to_custodian"].queryset = Staff.objects.filter(school=school, is_active=True)
        self.fields["to_custodian"].widget = PickerWidget("accounts:pick_people", Staff)
        if kind == MovementKind.RETURN_TO_STORE:
            del self.fields["to_department"], self.fields["to_custodian"]
            if store is not None:
                del self.fields["to_place"]
            else:
                self.fields["to_place"].label = _("退库存放地点")
                self.fields["to_place"].required = True
                self.fields["to_place"].error_messages["required"] = _("请选择退库存放的地点。")

    def clean(self):
        cleaned = super().clean()
        if self.kind == MovementKind.TRANSFER and not any(
            cleaned.get(name) for name in ("to_place", "to_department", "to_custodian")
        ):
            raise forms.ValidationError(_("请至少选择调入地点、调入部门或新使用人中的一项。"))
        return cleaned


class IdleRequestForm(StyledForm):
    """申请调用 an idle card, for the requester's department and themselves."""

    to_place = forms.ModelChoiceField(
        label=_("放到哪里"),
        queryset=Place.objects.none(),
        required=False,
        help_text=_("不填则保持原存放地点，由资产管理员安排。"),
    )
    reason = forms.CharField(
        label=_("用途"),
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": _("如：新开设的创客教室需要投影仪")}),
        error_messages={"required": _("请写明用途。")},
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_place"].queryset = Place.objects.filter(
            school=school, is_active=True
        ).select_related("building")
        self.fields["to_place"].widget = Picker(
            "org:pick_places", Place, placeholder=_("输入场所名称、拼音首字母或编码搜索")
        )


class IdleFilterForm(StyledForm):
    """The idle pool's filters; only renders them (the view reads the same names)."""

    q = forms.CharField(
        label=_("搜索"),
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("名称、拼音首字母或资产编号")}
        ),
    )
    category = forms.ChoiceField(label=_("资产分类"), required=False)
    building = forms.ChoiceField(label=_("楼宇"), required=False)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        classes = Category.objects.filter(level__lte=2).order_by("code")
        self.fields["category"].choices = [
            ("", _("全部分类")),
            *(
                (c.code, f"{c.code} {c.name}" if c.level == 1 else f"　{c.code} {c.name}")
                for c in classes
            ),
        ]
        buildings = Building.objects.filter(school=school, is_active=True).order_by(
            "campus", "code"
        )
        self.fields["building"].choices = [
            ("", _("全部楼宇")),
            *buildings.values_list("pk", "name"),
        ]


class DisposalForm(CardsFormMixin, StyledForm):
    numbers = CardNumbersField()
    method = forms.ChoiceField(label=_("处置方式"), choices=DisposalMethod.choices)
    reason = forms.CharField(
        label=_("处置原因"),
        max_length=500,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": _("如：主板损坏，维修费用超过原值的一半")}
        ),
        error_messages={"required": _("请填写处置原因。")},
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school


class AppraisalForm(StyledForm):
    """技术鉴定 and 提交审批 in one step: the appraisal is what the approvers read."""

    appraiser = forms.CharField(
        label=_("鉴定人/鉴定机构"),
        max_length=100,
        error_messages={"required": _("请填写鉴定人或鉴定机构。")},
    )
    appraised_on = forms.DateField(
        label=_("鉴定日期"),
        widget=_date_widget(),
        error_messages={"required": _("请填写鉴定日期。")},
    )
    conclusion = forms.CharField(
        label=_("鉴定结论"),
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": _("如：主板烧毁，无维修价值，符合报废条件")}
        ),
        error_messages={"required": _("请填写鉴定结论。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["appraised_on"].initial = timezone.localdate()


class CancelForm(StyledForm):
    reason = forms.CharField(
        label=_("撤销原因"),
        max_length=500,
        error_messages={"required": _("请填写撤销原因。")},
    )


class WriteOffForm(StyledForm):
    written_off_on = forms.DateField(
        label=_("核销日期"),
        widget=_date_widget(),
        error_messages={"required": _("请填写核销日期。")},
    )
    note = forms.CharField(
        label=_("核销说明"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如：残值收入 120 元已上缴")}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["written_off_on"].initial = timezone.localdate()
