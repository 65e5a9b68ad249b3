"""Forms of the asset screens. Each takes ``school``: its choices offer only that school's
departments, people and places (and a record's current one even if since archived);
``school`` is never a form field. The forms check input and say what is wrong in
Chinese; the rules that protect the books are checked again in ``services``."""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from houqin.accounts.models import Staff
from houqin.assets import services
from houqin.assets.listing import ON_BOOKS
from houqin.assets.models import Acceptance, AcceptanceLine, Asset, Category, Status
from houqin.core.forms import StyledForm, StyledModelForm
from houqin.core.widgets import PickerWidget
from houqin.files.forms import PhotosField
from houqin.org.models import Building, Campus, Department, Place


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _money_widget():
    return forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"})


def _choices_with(values, current):
    """Fixed choices, plus the record's current value when it is not one of them."""
    options = [("", "---------"), *((value, value) for value in values)]
    if current and current not in values:
        options.append((current, current))
    return options


class Picker(PickerWidget):
    """A picker whose search box says what it searches."""

    template_name = "assets/widgets/picker.html"

    def __init__(self, search_url_name, model, *, placeholder, attrs=None):
        super().__init__(search_url_name, model, attrs)
        self.placeholder = placeholder

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["placeholder"] = self.placeholder
        return context


def _active_or_current(queryset, current_id):
    return queryset.filter(Q(is_active=True) | Q(pk=current_id or 0))


class SchoolChoicesMixin:
    """Narrows departments, people and places to the school (and pickers for the long
    lists: people, places, classes)."""

    def narrow(self, school, instance=None):
        for name in ("managing_department", "using_department"):
            if name in self.fields:
                current = getattr(instance, f"{name}_id", None)
                self.fields[name].queryset = _active_or_current(
                    Department.objects.filter(school=school), current
                ).order_by("code")
        if "custodian" in self.fields:
            self.fields["custodian"].queryset = _active_or_current(
                Staff.objects.filter(school=school), getattr(instance, "custodian_id", None)
            )
            self.fields["custodian"].widget = PickerWidget("accounts:pick_people", Staff)
        if "place" in self.fields:
            self.fields["place"].queryset = _active_or_current(
                Place.objects.filter(school=school), getattr(instance, "place_id", None)
            ).select_related("building")
            self.fields["place"].widget = Picker(
                "org:pick_places", Place, placeholder=_("输入场所名称、拼音首字母或编码搜索")
            )
        if "category" in self.fields:
            current = getattr(instance, "category_id", None)
            self.fields["category"].queryset = Category.objects.filter(
                Q(pk__in=services.card_classes().values("pk")) | Q(pk=current or 0)
            )
            self.fields["category"].widget = Picker(
                "assets:pick_categories",
                Category,
                placeholder=_("输入分类名称、拼音首字母或代码搜索，如 桌、电脑、A0501"),
            )
            self.fields["category"].error_messages["invalid_choice"] = _(
                "请选择具体的资产分类（中类或小类），可输入分类名称、拼音首字母或代码搜索。"
            )


def _check_life(form, category, life_months):
    if category is None:
        return
    try:
        services.check_category(category)
    except services.AssetError as error:
        form.add_error("category", str(error))
        return
    try:
        services.check_life(category, life_months)
    except services.AssetError as error:
        form.add_error("life_months", str(error))


class AssetForm(SchoolChoicesMixin, StyledModelForm):
    """A card's 基本信息, 财务信息 and 使用信息; the status and 处置信息 change elsewhere.
    Photos are taken with a new card; later ones go on the card's photos section."""

    photos = PhotosField(max_files=9, label=_("照片"))

    SECTIONS = (
        (
            _("基本信息"),
            (
                "name",
                "number",
                "category",
                "legacy_code",
                "spec",
                "model_name",
                "brand",
                "serial_number",
                "unit",
                "quantity",
                "area",
                "acquisition_method",
                "acquired_on",
            ),
        ),
        (
            _("财务信息"),
            (
                "booked_on",
                "original_value",
                "fiscal_amount",
                "non_fiscal_amount",
                "project_code",
                "funding_source",
                "procurement_form",
                "invoice_number",
                "life_months",
            ),
        ),
        (
            _("使用信息"),
            (
                "purpose",
                "managing_department",
                "using_department",
                "custodian",
                "place",
                "note",
            ),
        ),
    )

    class Meta:
        model = Asset
        fields = [name for name in services.TRACKED_FIELDS if name != "status"]
        widgets = {
            "acquired_on": _date_widget(),
            "booked_on": _date_widget(),
            "original_value": _money_widget(),
            "fiscal_amount": _money_widget(),
            "non_fiscal_amount": _money_widget(),
            "area": _money_widget(),
        }
        error_messages = {
            "name": {"required": _("请填写资产名称。")},
            "category": {"required": _("请选择资产分类。")},
            "acquired_on": {"required": _("请填写取得日期。")},
            "original_value": {"required": _("请填写原值。")},
        }

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        asset = self.instance
        self.narrow(school, asset)
        for name in ("number", "fiscal_amount", "non_fiscal_amount", "unit"):
            self.fields[name].required = False
        self.fields["number"].help_text = (
            _("留空则自动编号（年份-6位流水号）。") if asset.pk is None else ""
        )
        self.fields["life_months"].help_text = _("留空按分类的最低折旧年限；不能短于最低年限。")
        self.fields["fiscal_amount"].help_text = _("两项之和应等于原值；只填一项时另一项自动补足。")
        self.fields["funding_source"].widget = forms.Select(
            choices=_choices_with(services.FUNDING_SOURCES, asset.funding_source),
            attrs={"class": "form-select"},
        )
        self.fields["procurement_form"].widget = forms.Select(
            choices=_choices_with(services.PROCUREMENT_FORMS, asset.procurement_form),
            attrs={"class": "form-select"},
        )
        if asset.life_locked:
            self.fields["life_months"].disabled = True
            self.fields["life_months"].help_text = _("已计提折旧，折旧年限已锁定。")
        if asset.depreciated_months:
            self.fields["original_value"].disabled = True
            self.fields["original_value"].help_text = _("已开始计提折旧，原值不能直接修改。")
        if asset.pk is not None:
            del self.fields["photos"]

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    def clean_name(self):
        return " ".join((self.cleaned_data.get("name") or "").split())

    def clean_number(self):
        return (self.cleaned_data.get("number") or "").strip()

    def clean_unit(self):
        return (self.cleaned_data.get("unit") or "").strip() or "台"

    def clean(self):
        cleaned = super().clean()
        value = cleaned.get("original_value")
        fiscal, other = cleaned.get("fiscal_amount"), cleaned.get("non_fiscal_amount")
        if value is not None:
            if fiscal is None and other is None:
                fiscal, other = services.split_by_funding(value, cleaned.get("funding_source"))
            elif fiscal is None:
                fiscal = value - other
            elif other is None:
                other = value - fiscal
            if fiscal < 0 or other < 0 or fiscal + other != value:
                self.add_error(
                    "fiscal_amount",
                    _("财政拨款加非财政拨款应等于原值 %(value)s 元。") % {"value": value},
                )
            else:
                cleaned["fiscal_amount"], cleaned["non_fiscal_amount"] = fiscal, other
        if "life_months" not in self.errors:
            _check_life(self, cleaned.get("category"), cleaned.get("life_months"))
        return cleaned

    def values(self):
        """The card fields to hand to ``services``."""
        return {
            name: self.cleaned_data[name]
            for name in self.Meta.fields
            if not self.fields[name].disabled
        }


class StatusForm(StyledForm):
    status = forms.ChoiceField(
        label=_("变更为"),
        choices=[(value, Status(value).label) for value in services.DAILY_STATUSES],
    )
    note = forms.CharField(
        label=_("原因"),
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": _("如：送修，屏幕不亮；教室调整，暂不使用")}),
        error_messages={"required": _("请写明变更原因。")},
    )

    def __init__(self, *args, asset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (value, label)
            for value, label in self.fields["status"].choices
            if value != asset.status
        ]


class AcceptanceForm(StyledModelForm):
    group = forms.ModelMultipleChoiceField(
        label=_("验收小组"),
        queryset=Staff.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("至少两人。按住 Ctrl（手机上直接点选）可选多人。"),
        error_messages={"required": _("请选择验收小组成员（至少两人）。")},
    )

    class Meta:
        model = Acceptance
        fields = [
            "supplier",
            "order_number",
            "invoice_number",
            "delivered_on",
            "funding_source",
            "procurement_form",
            "group",
        ]
        widgets = {"delivered_on": _date_widget()}
        error_messages = {
            "supplier": {"required": _("请填写供应商。")},
            "delivered_on": {"required": _("请填写到货日期。")},
        }

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        acceptance = self.instance
        members = acceptance.group.values("pk") if acceptance.pk else []
        self.fields["group"].queryset = (
            Staff.objects.filter(school=school, user__isnull=False)
            .filter(Q(is_active=True) | Q(pk__in=members))
            .select_related("department")
            .order_by("name_initials", "name")
        )
        self.fields["group"].label_from_instance = lambda staff: (
            f"{staff.name}（{staff.department.name}）" if staff.department_id else staff.name
        )
        self.fields["funding_source"].widget = forms.Select(
            choices=_choices_with(services.FUNDING_SOURCES, acceptance.funding_source),
            attrs={"class": "form-select"},
        )
        self.fields["procurement_form"].widget = forms.Select(
            choices=_choices_with(services.PROCUREMENT_FORMS, acceptance.procurement_form),
            attrs={"class": "form-select"},
        )
        self.fields["funding_source"].help_text = _("财政拨款购置的资产，原值记入“财政拨款”。")

    def clean_group(self):
        group = self.cleaned_data["group"]
        if len(group) < 2:
            raise forms.ValidationError(_("验收小组至少需要两人。"))
        return group

    def values(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name != "group"}


class AcceptanceLineForm(SchoolChoicesMixin, StyledModelForm):
    class Meta:
        model = AcceptanceLine
        fields = [
            "category",
            "name",
            "spec",
            "model_name",
            "brand",
            "unit",
            "quantity_ordered",
            "quantity_received",
            "unit_price",
            "card_per_unit",
            "life_months",
            "using_department",
            "custodian",
            "place",
            "check_note",
        ]
        widgets = {"unit_price": _money_widget()}
        error_messages = {
            "category": {"required": _("请选择资产分类。")},
            "name": {"required": _("请填写物品名称。")},
            "quantity_ordered": {"required": _("请填写订购数量。")},
            "quantity_received": {"required": _("请填写实收数量。")},
            "unit_price": {"required": _("请填写单价。")},
        }

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.narrow(school, self.instance)
        self.fields["unit"].required = False
        self.fields["card_per_unit"].help_text = _(
            "勾选：每件一张卡片（如 50 张课桌生成 50 张卡片）；不勾选：整批一张卡片，数量为实收数。"
        )
        self.fields["life_months"].help_text = _("留空按分类的最低折旧年限。")
        self.fields["check_note"].widget.attrs["placeholder"] = _("如：外观完好，型号与合同一致")

    def clean_unit(self):
        return (self.cleaned_data.get("unit") or "").strip() or "台"

    def clean(self):
        cleaned = super().clean()
        ordered, received = cleaned.get("quantity_ordered"), cleaned.get("quantity_received")
        if ordered is not None and received is not None and received > ordered:
            self.add_error(
                "quantity_received",
                _("实收数量（%(received)s）不能超过订购数量（%(ordered)s）。")
                % {"received": received, "ordered": ordered},
            )
        if ordered == 0:
            self.add_error("quantity_ordered", _("订购数量至少为 1。"))
        _check_life(self, cleaned.get("category"), cleaned.get("life_months"))
        return cleaned

    def values(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class AcceptForm(StyledForm):
    accepted_on = forms.DateField(
        label=_("验收日期"),
        widget=_date_widget(),
        error_messages={"required": _("请填写验收日期。")},
    )
    note = forms.CharField(
        label=_("验收意见"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": _("如：数量、规格与合同一致，运行正常")}
        ),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"accepted_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class RejectForm(StyledForm):
    note = forms.CharField(
        label=_("不合格原因"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("如：型号与合同不符，已退货")}),
        error_messages={"required": _("请写明验收不合格的原因。")},
    )


class AssetFilterForm(StyledForm):
    """The card list's filter controls. Only renders them: ``listing.AssetFilters`` reads
    the same parameters from the query string, leniently. Places and people are found by
    the text search (and ``?place=`` / ``?custodian=`` still narrow the list)."""

    q = forms.CharField(
        label=_("搜索"),
        required=False,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("名称、拼音首字母、资产编号、分类代码、地点或使用人"),
            }
        ),
    )
    status = forms.ChoiceField(label=_("使用状态"), required=False)
    category = forms.ChoiceField(label=_("资产分类"), required=False)
    department = forms.ChoiceField(label=_("使用部门"), required=False)
    campus = forms.ChoiceField(label=_("校区"), required=False)
    building = forms.ChoiceField(label=_("楼宇"), required=False)
    place = forms.ModelChoiceField(
        label=_("存放地点"), queryset=Place.objects.none(), required=False
    )
    custodian = forms.ModelChoiceField(
        label=_("使用人"), queryset=Staff.objects.none(), required=False
    )
    sort = forms.ChoiceField(
        label=_("排序"),
        required=False,
        choices=[
            ("", _("最近建卡在前")),
            ("number", _("按资产编号")),
            ("name", _("按名称")),
            ("-original_value", _("原值从高到低")),
            ("original_value", _("原值从低到高")),
            ("-acquired_on", _("取得日期从近到远")),
            ("acquired_on", _("取得日期从远到近")),
        ],
    )

    def __init__(self, *args, school, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            ("", _("全部状态")),
            (ON_BOOKS, _("在账（不含已处置）")),
            *Status.choices,
        ]
        classes = Category.objects.filter(level__lte=2).order_by("code")
        self.fields["category"].choices = [
            ("", _("全部分类")),
            *(
                (c.code, f"{c.code} {c.name}" if c.level == 1 else f"　{c.code} {c.name}")
                for c in classes
            ),
        ]
        self.fields["department"].choices = [
            ("", _("全部使用部门")),
            *Department.objects.filter(school=school, is_active=True)
            .order_by("code")
            .values_list("pk", "name"),
        ]
        campuses = Campus.objects.for_user(user).active()
        self.fields["campus"].choices = [("", _("全部校区")), *campuses.values_list("pk", "name")]
        buildings = Building.objects.for_user(user).active().order_by("campus", "code")
        campus = self.data.get("campus")
        if campus and str(campus).isdigit():
            buildings = buildings.filter(campus_id=campus)
        self.fields["building"].choices = [
            ("", _("全部楼宇")),
            *buildings.values_list("pk", "name"),
        ]
        for name in ("status", "category", "department", "campus", "building", "sort"):
            self.fields[name].widget.attrs["class"] = "form-select"
