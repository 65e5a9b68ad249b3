"""Forms for campuses, buildings and places. Every form takes the acting ``user`` and the
``school``: choices come from that school only, and ``school`` is set here, never posted."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from houqin.core.forms import StyledFormMixin
from houqin.org.models import Building, Campus, Floor, Place, PlaceType


def _usable(queryset, current_pk):
    """Active records, plus the one already chosen even if it has since been archived."""
    return queryset.filter(Q(is_active=True) | Q(pk=current_pk))


class ScopedFormMixin:
    """Knows the acting ``user`` and ``school`` and narrows choices to them in
    ``limit_choices``. It sits after ``StyledFormMixin`` in the bases, so the styling (which
    validates a bound form) runs only once the choices are narrowed."""

    def __init__(self, *args, user, school=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.school = user, school
        instance = getattr(self, "instance", None)
        if instance is not None and instance.school_id is None:
            instance.school = school  # the model's clean() needs it; never from the POST
        self.limit_choices()

    def limit_choices(self):
        pass


class UniqueCodeMixin:
    """Refuses a code already used in the school with a message, not a database error."""

    code_taken_message = _("本校已有编码为 %(code)s 的记录。")

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        taken = self._meta.model.objects.filter(school=self.school, code=code)
        if taken.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(self.code_taken_message, params={"code": code})
        return code


class CampusForm(StyledFormMixin, UniqueCodeMixin, ScopedFormMixin, forms.ModelForm):
    code_taken_message = _("本校已有编码为 %(code)s 的校区。")

    class Meta:
        model = Campus
        fields = ["name", "code", "address", "is_main"]


class BuildingForm(StyledFormMixin, UniqueCodeMixin, ScopedFormMixin, forms.ModelForm):
    code_taken_message = _("本校已有编码为 %(code)s 的楼宇。")

    class Meta:
        model = Building
        fields = ["campus", "name", "code", "floors_above", "floors_below", "note"]

    def limit_choices(self):
        self.fields["campus"].queryset = _usable(
            Campus.objects.for_user(self.user), self.instance.campus_id
        )
        self.fields["floors_above"].min_value = 1
        self.fields["floors_above"].widget.attrs["min"] = 1
        for name in ("floors_above", "floors_below"):
            self.fields[name].max_value = 200
            self.fields[name].widget.attrs.update(max=200, inputmode="numeric")

    def clean(self):
        cleaned = super().clean()
        above, below = cleaned.get("floors_above"), cleaned.get("floors_below")
        if self.instance.pk and above is not None and below is not None:
            occupied = (
                self.instance.floors.filter(Q(level__gt=above) | Q(level__lt=-below))
                .filter(places__isnull=False)
                .distinct()
            )
            labels = "、".join(floor.label for floor in occupied)
            if labels:
                raise forms.ValidationError(
                    _("%(floors)s 还有场所，不能减少层数。请先把这些场所移到其他楼层。"),
                    params={"floors": labels},
                )
        return cleaned


class PlaceForm(StyledFormMixin, UniqueCodeMixin, ScopedFormMixin, forms.ModelForm):
    """Campus, building and floor come from the user's school. An unbound form narrows
    buildings to the chosen campus and floors to the chosen building; a bound form offers
    the whole school so that a mismatch gets the model's own message."""

    code_taken_message = _("本校已有编码为 %(code)s 的场所。")
    location_fields = ("campus", "building", "floor")

    class Meta:
        model = Place
        fields = [
            "campus",
            "building",
            "floor",
            "name",
            "code",
            "place_type",
            "area_m2",
            "capacity",
            "note",
        ]

    def limit_choices(self):
        instance = self.instance
        campuses = _usable(Campus.objects.for_user(self.user), instance.campus_id)
        buildings = _usable(
            Building.objects.for_user(self.user), instance.building_id
        ).select_related("campus")
        floors = Floor.objects.for_user(self.user).select_related("building")
        if not self.is_bound:
            campus, building = self._chosen("campus"), self._chosen("building")
            if campus is None and campuses.count() == 1:
                campus = campuses.get().pk
                self.initial["campus"] = campus
            buildings = buildings.filter(campus_id=campus) if campus else buildings.none()
            if building and not buildings.filter(pk=building).exists():
                building = self.initial["building"] = self.initial["floor"] = None
            floors = floors.filter(building_id=building) if building else floors.none()
        self.fields["campus"].queryset = campuses
        self.fields["building"].queryset = buildings
        self.fields["floor"].queryset = floors
        if not self.is_bound:  # narrowed to one building: "3F" says enough
            self.fields["floor"].label_from_instance = lambda floor: floor.label
        self.fields["building"].empty_label = _("（不在楼内）")
        self.fields["floor"].empty_label = _("（不分楼层）")
        self.fields["area_m2"].widget.attrs["inputmode"] = "decimal"
        self.fields["capacity"].widget.attrs["inputmode"] = "numeric"

    def _chosen(self, name):
        value = self.initial.get(name) or getattr(self.instance, f"{name}_id", None)
        try:
            return int(value) if value not in (None, "") else None
        except (TypeError, ValueError):
            return None

    def location(self):
        return [self[name] for name in self.location_fields]

    def details(self):
        return [self[name] for name in self.fields if name not in self.location_fields]


class PlaceFilterForm(StyledFormMixin, ScopedFormMixin, forms.Form):
    """The place list's filters; every field optional, bad values are ignored."""

    STATUS_ACTIVE, STATUS_ARCHIVED, STATUS_ALL = "", "archived", "all"

    q = forms.CharField(
        label=_("搜索"),
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("名称、拼音首字母或编码")}
        ),
    )
    campus = forms.ModelChoiceField(
        label=_("校区"), queryset=Campus.objects.none(), required=False, empty_label=_("全部校区")
    )
    building = forms.ModelChoiceField(
        label=_("楼宇"), queryset=Building.objects.none(), required=False, empty_label=_("全部楼宇")
    )
    place_type = forms.ChoiceField(
        label=_("类型"), choices=[("", _("全部类型")), *PlaceType.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("状态"),
        choices=[
            (STATUS_ACTIVE, _("在用")),
            (STATUS_ARCHIVED, _("已停用")),
            (STATUS_ALL, _("全部")),
        ],
        required=False,
    )

    def limit_choices(self):
        self.fields["campus"].queryset = Campus.objects.for_user(self.user).active()
        self.fields["building"].queryset = Building.objects.for_user(self.user).active()

    def filter(self, places):
        self.is_valid()  # fills cleaned_data with the fields that are valid
        data = self.cleaned_data if self.is_bound else {}
        status = data.get("status", self.STATUS_ACTIVE)
        if status != self.STATUS_ALL:
            places = places.filter(is_active=status != self.STATUS_ARCHIVED)
        if data.get("campus"):
            places = places.filter(campus=data["campus"])
        if data.get("building"):
            places = places.filter(building=data["building"])
        if data.get("place_type"):
            places = places.filter(place_type=data["place_type"])
        text = data.get("q", "").strip()
        if text:
            places = places.filter(
                Q(name__icontains=text)
                | Q(name_initials__startswith=text.lower())
                | Q(code__istartswith=text)
            )
        return places


class BuildingFilterForm(StyledFormMixin, ScopedFormMixin, forms.Form):
    campus = forms.ModelChoiceField(
        label=_("校区"), queryset=Campus.objects.none(), required=False, empty_label=_("全部校区")
    )

    def limit_choices(self):
        self.fields["campus"].queryset = Campus.objects.for_user(self.user)
