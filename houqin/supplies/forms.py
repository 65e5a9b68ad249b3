"""Forms of the consumables screens. Lines (stock-in, cart, issue, return, count) are
plain inputs named ``qty_<pk>``; ``quantities_from`` reads them."""

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from houqin.accounts.models import Staff
from houqin.core.forms import StyledForm, StyledModelForm
from houqin.files.forms import MultipleFileField
from houqin.org.models import Place
from houqin.supplies.models import Item, ItemCategory, Store

STOCK_IN_ROWS = 8


def quantities_from(data, prefix="qty_") -> dict[int, str]:
    """{pk: typed value} for every non-empty ``qty_<pk>`` input."""
    found = {}
    for key, value in data.items():
        if key.startswith(prefix) and key[len(prefix) :].isdigit() and str(value).strip():
            found[int(key[len(prefix) :])] = str(value).strip()
    return found


class StoreForm(StyledModelForm):
    class Meta:
        model = Store
        fields = ["name", "place", "keeper"]

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.school = school
        self.fields["place"].queryset = Place.objects.filter(school=school, is_active=True)
        self.fields["keeper"].queryset = Staff.objects.filter(school=school, is_active=True)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Store.objects.filter(school=self.instance.school, name=name)
        if clash.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("已有同名的库房。"))
        return name


class ItemForm(StyledModelForm):
    class Meta:
        model = Item
        fields = ["name", "spec", "unit", "category", "min_stock", "returnable"]

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.school = school

    def clean(self):
        data = super().clean()
        name, spec = (data.get("name") or "").strip(), (data.get("spec") or "").strip()
        clash = Item.objects.filter(school=self.instance.school, name=name, spec=spec)
        if name and clash.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("已有同名同规格的物品。"))
        return data


class StockInForm(StyledForm):
    store = forms.ModelChoiceField(label=_("库房"), queryset=Store.objects.none())
    supplier = forms.CharField(label=_("供应商"), max_length=100)
    date = forms.DateField(label=_("入库日期"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("备注"), max_length=200, required=False)
    invoice = MultipleFileField(label=_("发票"), max_files=5)

    def __init__(self, *args, stores, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("date", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores


def stock_in_lines(data, items):
    """[(item, quantity, price)] from rows ``item_N``/``qty_N``/``price_N``; rows without
    an item are skipped. Unknown items (another school's) are skipped too."""
    by_pk = {str(item.pk): item for item in items}
    lines = []
    for row in range(STOCK_IN_ROWS):
        item = by_pk.get(str(data.get(f"item_{row}", "")))
        if item is not None:
            lines.append((item, data.get(f"qty_{row}", ""), data.get(f"price_{row}", "")))
    return lines


class FilterForm(StyledForm):
    q = forms.CharField(label=_("搜索"), required=False)
    category = forms.ChoiceField(
        label=_("类别"), choices=[("", _("全部类别")), *ItemCategory.choices], required=False
    )
    low = forms.BooleanField(label=_("只看低库存"), required=False)


class PeriodForm(StyledForm):
    start = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data=None, **kwargs):
        today = timezone.localdate()
        initial = {"start": date(today.year, 1, 1) if today.month < 9 else date(today.year, 9, 1)}
        initial["end"] = today
        merged = {**initial, **{k: v for k, v in (data or {}).items() if v}}
        super().__init__(merged, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("开始日期不能晚于结束日期。"))
        return data


class TransferForm(StyledForm):
    item = forms.ModelChoiceField(label=_("物品"), queryset=Item.objects.none())
    target = forms.ModelChoiceField(label=_("调入库房"), queryset=Store.objects.none())
    quantity = forms.IntegerField(label=_("数量"), min_value=1)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, store, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = Item.objects.filter(
            stocks__store=store, stocks__quantity__gt=0
        )
        self.fields["target"].queryset = Store.objects.filter(
            school_id=store.school_id, is_active=True
        ).exclude(pk=store.pk)


class CountForm(StyledForm):
    store = forms.ModelChoiceField(label=_("库房"), queryset=Store.objects.none())
    title = forms.CharField(label=_("名称"), max_length=100)

    def __init__(self, *args, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores
