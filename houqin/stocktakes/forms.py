from django import forms
from django.utils.translation import gettext_lazy as _

from houqin.accounts.models import Staff
from houqin.assets.services import card_classes
from houqin.core.forms import StyledForm, StyledModelForm
from houqin.org.models import Building, Campus, Department
from houqin.stocktakes.models import Difference, DifferenceKind, Stocktake


class StocktakeForm(StyledModelForm):
    class Meta:
        model = Stocktake
        fields = ["name", "base_date", "campuses", "buildings", "departments", "method_note"]
        widgets = {
            "base_date": forms.DateInput(attrs={"type": "date"}),
            "campuses": forms.CheckboxSelectMultiple,
            "buildings": forms.CheckboxSelectMultiple,
            "departments": forms.SelectMultiple(attrs={"size": 6}),
            "method_note": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"campuses": _("校区、楼栋、部门都不选即盘点全校在账资产。")}

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campuses"].queryset = Campus.objects.filter(school=school)
        self.fields["buildings"].queryset = Building.objects.filter(school=school)
        self.fields["departments"].queryset = Department.objects.filter(school=school)


class CounterForm(StyledForm):
    staff = forms.ModelChoiceField(
        label=_("盘点人"),
        queryset=Staff.objects.none(),
        error_messages={"required": _("请选择盘点人。")},
    )
    buildings = forms.ModelMultipleChoiceField(
        label=_("负责楼栋"),
        queryset=Building.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则负责全部范围。"),
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = Staff.objects.filter(school=school, is_active=True)
        self.fields["buildings"].queryset = Building.objects.filter(school=school)


class DifferenceForm(StyledModelForm):
    class Meta:
        model = Difference
        fields = ["cause", "handling", "category", "amount"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.kind == DifferenceKind.SURPLUS:
            self.fields["category"].queryset = card_classes().order_by("code")
            self.fields["category"].required = True
            self.fields["amount"].label = _("估计价值(元)")
        else:
            del self.fields["category"]
            del self.fields["amount"]


class CancelForm(StyledForm):
    reason = forms.CharField(label=_("取消原因"), max_length=200)
