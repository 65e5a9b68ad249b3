"""Forms of the district list and the reports (they only read: nothing here saves)."""

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from houqin.assets.depreciation import month_start, previous_month
from houqin.assets.listing import ON_BOOKS
from houqin.assets.models import Category, DepreciationRun, Status
from houqin.core.forms import StyledForm

SORT_CHOICES = [
    ("", _("最近建卡在前")),
    ("number", _("按资产编号")),
    ("name", _("按名称")),
    ("-original_value", _("原值从高到低")),
    ("original_value", _("原值从低到高")),
    ("-acquired_on", _("取得日期从近到远")),
    ("acquired_on", _("取得日期从远到近")),
]


def class_choices(empty_label):
    """The top classes (门类) and their second level, for a class filter by code prefix."""
    classes = Category.objects.filter(level__lte=2).order_by("code")
    return [
        ("", empty_label),
        *(
            (c.code, f"{c.code} {c.name}" if c.level == 1 else f"　{c.code} {c.name}")
            for c in classes
        ),
    ]


class DistrictFilterForm(StyledForm):
    """The district list's controls. Only renders them: ``listing.AssetFilters`` reads the
    same parameters from the query string, and the list is limited to the district's
    schools whatever ``school`` says."""

    q = forms.CharField(
        label=_("搜索"),
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("名称、拼音首字母、资产编号或分类代码")}
        ),
    )
    school = forms.ChoiceField(label=_("学校"), required=False)
    status = forms.ChoiceField(label=_("使用状态"), required=False)
    category = forms.ChoiceField(label=_("资产分类"), required=False)
    sort = forms.ChoiceField(label=_("排序"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [
            ("", _("全部学校")),
            *((school.pk, school.name) for school in schools),
        ]
        self.fields["status"].choices = [
            ("", _("全部状态")),
            (ON_BOOKS, _("在账（不含已处置）")),
            *Status.choices,
        ]
        self.fields["category"].choices = class_choices(_("全部分类"))


class ReportGroup:
    TOP_CLASS = "class1"
    SECOND_CLASS = "class2"
    DEPARTMENT = "department"

    choices = [
        (TOP_CLASS, _("按门类")),
        (SECOND_CLASS, _("按二级分类")),
        (DEPARTMENT, _("按使用部门")),
    ]


def _month_widget():
    return forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


class DepreciationReportForm(StyledForm):
    """A month (``2026-10``) or a whole year, and how to group. Empty: the school's last
    depreciated month (else last month), by top class."""

    SCOPE_MONTH = "month"
    SCOPE_YEAR = "year"

    group = forms.ChoiceField(label=_("汇总方式"), required=False, choices=ReportGroup.choices)
    scope = forms.ChoiceField(
        label=_("期间"),
        required=False,
        choices=[(SCOPE_MONTH, _("月度")), (SCOPE_YEAR, _("年度"))],
    )
    month = forms.DateField(
        label=_("月份"), required=False, input_formats=["%Y-%m"], widget=_month_widget()
    )
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)

    def __init__(self, data=None, *, school, **kwargs):
        super().__init__(data, **kwargs)
        self.default_month = (
            DepreciationRun.objects.filter(school=school)
            .order_by("-period")
            .values_list("period", flat=True)
            .first()
        ) or previous_month(month_start(timezone.localdate()))
        if not self.is_bound:
            self.initial.update(
                group=ReportGroup.TOP_CLASS,
                scope=self.SCOPE_MONTH,
                month=self.default_month,
                year=self.default_month.year,
            )

    def choice(self):
        """(group, first month, last month), from the valid fields; a bad one counts as
        empty."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        group = data.get("group") or ReportGroup.TOP_CLASS
        if data.get("scope") == self.SCOPE_YEAR:
            year = data.get("year") or self.default_month.year
            return group, date(year, 1, 1), date(year, 12, 1)
        month = month_start(data.get("month") or self.default_month)
        return group, month, month


class LedgerReportForm(StyledForm):
    """资产总账: by top class (门类) or by second-level class."""

    group = forms.ChoiceField(
        label=_("汇总方式"),
        required=False,
        choices=[
            (ReportGroup.TOP_CLASS, _("按门类")),
            (ReportGroup.SECOND_CLASS, _("按二级分类")),
        ],
    )

    def chosen_group(self):
        self.is_valid()
        return getattr(self, "cleaned_data", {}).get("group") or ReportGroup.TOP_CLASS
