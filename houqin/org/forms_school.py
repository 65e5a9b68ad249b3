"""Forms for the school administration screens: departments, grades and classes, academic
years and terms, calendar adjustments and the per-school settings.

Every form takes ``school``: choices and pickers offer only that school's records, and
uniqueness within the school is checked here because ``school`` is never a form field."""

from django import forms
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from houqin.accounts.models import Staff
from houqin.core.forms import StyledForm, StyledFormMixin
from houqin.core.widgets import PickerWidget
from houqin.org.models import (
    AcademicYear,
    CalendarDay,
    Campus,
    Department,
    Grade,
    Place,
    SchoolClass,
    Term,
)


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _people_field(school, label):
    return forms.ModelChoiceField(
        label=label,
        queryset=Staff.objects.filter(school=school),
        required=False,
        widget=PickerWidget("accounts:pick_people", Staff),
    )


def _place_field(school, label):
    return forms.ModelChoiceField(
        label=label,
        queryset=Place.objects.filter(school=school),
        required=False,
        widget=PickerWidget("org:pick_places", Place),
    )


class FieldSetupMixin:
    """Calls ``setup_fields()`` right after the form is built. It sits after
    ``StyledFormMixin`` in the bases, so the fields it adds or replaces are styled too."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_fields()

    def setup_fields(self):
        pass


class SchoolForm(StyledFormMixin, FieldSetupMixin, forms.ModelForm):
    """A model form for a record of ``school``."""

    def __init__(self, *args, school, **kwargs):
        self.school = school
        super().__init__(*args, **kwargs)

    def _taken(self, queryset):
        """True when another record of this school already matches ``queryset``."""
        if self.instance.pk:
            queryset = queryset.exclude(pk=self.instance.pk)
        return queryset.exists()


class DepartmentForm(SchoolForm):
    class Meta:
        model = Department
        fields = ["name", "code", "head", "office"]

    def setup_fields(self):
        self.fields["head"] = _people_field(self.school, _("负责人"))
        self.fields["office"] = _place_field(self.school, _("办公地点"))

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if self._taken(Department.objects.filter(school=self.school, code=code)):
            raise forms.ValidationError(
                _("本校已有编码为 %(code)s 的部门。"), params={"code": code}
            )
        return code


class GradeForm(SchoolForm):
    class Meta:
        model = Grade
        fields = ["campus", "number", "name", "leader"]
        help_texts = {"name": _("留空则按年级自动命名，如 一年级")}

    def setup_fields(self):
        self.fields["campus"].queryset = Campus.objects.filter(school=self.school, is_active=True)
        self.fields["number"] = forms.TypedChoiceField(
            label=_("年级"),
            choices=[(n, n) for n in range(1, 13)],
            coerce=int,
        )
        self.fields["name"].required = False
        self.fields["leader"] = _people_field(self.school, _("年级组长"))

    def clean(self):
        cleaned = super().clean()
        campus, number = cleaned.get("campus"), cleaned.get("number")
        if (
            campus
            and number
            and self._taken(Grade.objects.filter(school=self.school, campus=campus, number=number))
        ):
            self.add_error("number", _("该校区已有这个年级。"))
        return cleaned


class SchoolClassForm(SchoolForm):
    class Meta:
        model = SchoolClass
        fields = ["grade", "number", "name", "head_teacher", "room", "student_count"]
        help_texts = {"name": _("留空则自动命名，如 3(2)中队")}

    def setup_fields(self):
        self.fields["grade"].queryset = Grade.objects.filter(
            school=self.school, is_active=True
        ).select_related("campus")
        self.fields["grade"].label_from_instance = lambda grade: f"{grade.campus} · {grade.name}"
        self.fields["number"] = forms.IntegerField(label=_("班号"), min_value=1, max_value=99)
        self.fields["name"].required = False
        self.fields["head_teacher"] = _people_field(self.school, _("班主任"))
        self.fields["room"] = _place_field(self.school, _("教室"))

    def clean(self):
        cleaned = super().clean()
        grade, number = cleaned.get("grade"), cleaned.get("number")
        if grade and number:
            if self._taken(SchoolClass.objects.filter(grade=grade, number=number)):
                self.add_error("number", _("该年级已有这个班号。"))
            if not cleaned.get("name"):
                cleaned["name"] = class_name(grade, number)
        return cleaned


def class_name(grade, number):
    return f"{grade.number}({number})中队"


class BulkClassesForm(StyledForm):
    count = forms.IntegerField(
        label=_("班级数"),
        min_value=1,
        max_value=30,
        help_text=_("创建 1 至 N 班；已有的班号会跳过"),
    )


class AcademicYearForm(SchoolForm):
    class Meta:
        model = AcademicYear
        fields = ["name", "start", "end"]
        widgets = {"start": _date_widget(), "end": _date_widget()}

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if self._taken(AcademicYear.objects.filter(school=self.school, name=name)):
            raise forms.ValidationError(_("本校已有学年 %(name)s。"), params={"name": name})
        return name

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end <= start:
            self.add_error("end", _("结束日期必须晚于开始日期。"))
        return cleaned


class TermForm(SchoolForm):
    class Meta:
        model = Term
        fields = ["academic_year", "name", "start", "end", "teaching_weeks"]
        widgets = {"start": _date_widget(), "end": _date_widget()}

    def setup_fields(self):
        self.fields["academic_year"].queryset = AcademicYear.objects.filter(school=self.school)
        self.fields["teaching_weeks"] = forms.IntegerField(
            label=_("教学周数"), min_value=1, max_value=30, initial=20
        )


class CalendarDayForm(SchoolForm):
    """A school's own day off or make-up day; a superuser may also enter a national day
    (school=None) that the holiday package does not know yet."""

    national = forms.BooleanField(
        label=_("全国调整（适用于所有学校）"),
        required=False,
        help_text=_("国务院公布的放假或调休安排，仅超级管理员可录入"),
    )

    class Meta:
        model = CalendarDay
        fields = ["day", "is_workday", "name"]
        widgets = {"day": _date_widget()}
        labels = {"is_workday": _("当天上班（调休上班 / 补课日）")}
        help_texts = {"name": _("如 运动会放假、国庆节调休上班")}

    def __init__(self, *args, allow_national=False, **kwargs):
        self.allow_national = allow_national
        super().__init__(*args, **kwargs)

    def setup_fields(self):
        if not self.allow_national or self.instance.pk is not None:
            del self.fields["national"]

    @property
    def is_national(self):
        if self.instance.pk:
            return self.instance.school_id is None
        return bool(self.cleaned_data.get("national"))

    def clean(self):
        cleaned = super().clean()
        day = cleaned.get("day")
        if day:
            rows = CalendarDay.objects.filter(day=day)
            if self.is_national:
                rows = rows.filter(school__isnull=True)
            else:
                rows = rows.filter(school=self.school)
            if self._taken(rows):
                self.add_error("day", _("这一天已有调整记录，请直接修改。"))
        return cleaned


def _setting_field(definition):
    common = {"label": definition.label, "help_text": _setting_help(definition)}
    if definition.kind == "int":
        return forms.IntegerField(
            min_value=definition.min_value, max_value=definition.max_value, **common
        )
    if definition.kind == "decimal":
        return forms.DecimalField(
            min_value=definition.min_value,
            max_value=definition.max_value,
            max_digits=14,
            decimal_places=2,
            **common,
        )
    if definition.kind == "bool":
        return forms.BooleanField(required=False, **common)
    validators = [import_string(definition.validator)] if definition.validator else []
    return forms.CharField(max_length=200, required=False, validators=validators, **common)


def _setting_help(definition):
    parts = [str(part) for part in (definition.unit, definition.help) if part]
    parts.append(str(_("国家默认：%(default)s")) % {"default": definition.default})
    return " · ".join(parts)


def setting_field_name(definition):
    return definition.key.replace(".", "__")


class SchoolSettingsForm(StyledFormMixin, FieldSetupMixin, forms.Form):
    """One field per setting definition, initialised with the school's current values."""

    def __init__(self, *args, rows, **kwargs):
        self.rows = rows
        super().__init__(*args, **kwargs)

    def setup_fields(self):
        for row in self.rows:
            name = setting_field_name(row["definition"])
            self.fields[name] = _setting_field(row["definition"])
            self.initial[name] = row["value"]

    def grouped(self, groups):
        """[{"label", "fields"}] in the order of ``groups`` (school_settings.GROUPS)."""
        result = []
        for key, label in groups.items():
            fields = [
                self[setting_field_name(row["definition"])]
                for row in self.rows
                if row["definition"].group == key
            ]
            if fields:
                result.append({"label": label, "fields": fields})
        return result

    def changed_values(self):
        """(definition, new value) for every setting whose value the user changed."""
        changes = []
        for row in self.rows:
            definition = row["definition"]
            value = self.cleaned_data[setting_field_name(definition)]
            if value != row["value"]:
                changes.append((definition, value))
        return changes
