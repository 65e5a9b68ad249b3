import re

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from houqin.core.forms import StyledForm
from houqin.org.models import Building, Campus, Floor, PlaceType
from houqin.qr import registry
from houqin.qr.labels import LAYOUTS, MAX_COPIES, MAX_LABELS

ID_RE = re.compile(r"[0-9]{1,19}")
MAX_ID = 2**63 - 1  # the largest bigint


class ScanForm(StyledForm):
    """Manual entry: a token, a scanned URL or the code printed on the label."""

    code = forms.CharField(
        label=_("编码"),
        max_length=500,
        widget=forms.TextInput(
            attrs={
                "placeholder": _("如 A301"),
                "autocomplete": "off",
                "autocapitalize": "characters",
                "autocorrect": "off",
                "spellcheck": "false",
                "enterkeyhint": "go",
                "inputmode": "text",
            }
        ),
        error_messages={"required": _("请输入标签上的编码。")},
    )

    def add_error(self, field, error):
        super().add_error(field, error)
        attrs = self.fields["code"].widget.attrs
        if "is-invalid" not in attrs["class"]:
            attrs["class"] += " is-invalid"


class LabelSelectionForm(StyledForm):
    """Which records get labels: a list of ids (from a record's page or another module),
    or, for places, the place list's filters. Bad values are ignored, like a list filter."""

    STATUS_ACTIVE, STATUS_ALL = "", "all"

    kind = forms.CharField(widget=forms.HiddenInput, required=False)
    ids = forms.CharField(widget=forms.HiddenInput, required=False)
    campus = forms.ModelChoiceField(
        label=_("校区"), queryset=Campus.objects.none(), required=False, empty_label=_("全部校区")
    )
    building = forms.ModelChoiceField(
        label=_("楼宇"), queryset=Building.objects.none(), required=False, empty_label=_("全部楼宇")
    )
    floor = forms.ModelChoiceField(
        label=_("楼层"), queryset=Floor.objects.none(), required=False, empty_label=_("全部楼层")
    )
    place_type = forms.ChoiceField(
        label=_("类型"), choices=[("", _("全部类型")), *PlaceType.choices], required=False
    )
    q = forms.CharField(
        label=_("名称或编码"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("名称、拼音首字母或编码")}),
    )
    status = forms.ChoiceField(
        label=_("状态"),
        choices=[(STATUS_ACTIVE, _("在用")), (STATUS_ALL, _("全部（含已停用）"))],
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        data = self.data if self.is_bound else {}
        campuses = Campus.objects.for_user(user).active()
        buildings = Building.objects.for_user(user).active()
        floors = Floor.objects.for_user(user).select_related("building")
        campus, building = _int(data.get("campus")), _int(data.get("building"))
        if campus:
            buildings = buildings.filter(campus_id=campus)
        # Floors only of the chosen building: "3F" of every building would mean nothing.
        floors = floors.filter(building_id=building) if building else floors.none()
        self.fields["campus"].queryset = campuses
        self.fields["building"].queryset = buildings
        self.fields["floor"].queryset = floors
        self.fields["floor"].label_from_instance = lambda floor: floor.label

    def record_kind(self):
        self.is_valid()
        return registry.get_kind(self.cleaned_data.get("kind") or "P")

    def id_list(self):
        self.is_valid()
        ids = []
        for part in (self.cleaned_data.get("ids") or "").replace(" ", "").split(","):
            # ASCII digits only, and no more than a database id can hold: "²", "１２" or
            # a 30-digit number are ignored like any other bad value.
            if ID_RE.fullmatch(part) and int(part) <= MAX_ID:
                ids.append(int(part))
            if len(ids) > MAX_LABELS:
                break
        return ids

    def by_ids(self):
        return bool(self.id_list())

    def records(self):
        """The chosen records, in label order; a queryset, never evaluated here."""
        kind = self.record_kind()
        if kind is None:
            return None
        records = kind.queryset_for(self.user)
        ids = self.id_list()
        if ids:
            return records.filter(pk__in=ids).order_by("pk")
        if kind is not registry.get_kind("P"):
            return records.none()
        data = self.cleaned_data
        if data.get("status") != self.STATUS_ALL:
            records = records.filter(is_active=True)
        for name in ("campus", "building", "floor", "place_type"):
            if data.get(name):
                records = records.filter(**{name: data[name]})
        text = (data.get("q") or "").strip()
        if text:
            records = records.filter(
                Q(name__icontains=text)
                | Q(name_initials__startswith=text.lower())
                | Q(code__istartswith=text)
            )
        return records.order_by("campus__code", "building__code", "floor__level", "code")


class LabelPrintForm(StyledForm):
    layout = forms.ChoiceField(
        label=_("标签规格"),
        choices=[(key, layout.name) for key, layout in LAYOUTS.items()],
        initial="small",
        widget=forms.RadioSelect,
    )
    copies = forms.IntegerField(
        label=_("每个打印几张"),
        min_value=1,
        max_value=MAX_COPIES,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    cut_lines = forms.BooleanField(
        label=_("打印裁切线"),
        required=False,
        help_text=_("用普通 A4 纸打印再剪开时勾选；用不干胶标签纸时不要勾选。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["layout"].widget.attrs["class"] = "form-check-input"


def _int(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None
