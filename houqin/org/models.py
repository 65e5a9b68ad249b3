"""The organisation: district → school → campus → building → floor → place;
departments; grades and classes; academic years and terms; per-school settings."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from houqin.core.models import ArchivableModel, NamedWithInitialsModel, TimeStampedModel


class District(TimeStampedModel):
    name = models.CharField(_("名称"), max_length=100, unique=True)
    code = models.CharField(_("代码"), max_length=32, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("区县")
        verbose_name_plural = _("区县")

    def __str__(self):
        return self.name


class School(TimeStampedModel):
    district = models.ForeignKey(
        District,
        verbose_name=_("所属区县"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="schools",
    )
    name = models.CharField(_("学校名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    code = models.CharField(_("学校代码"), max_length=32, unique=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    time_zone = models.CharField(_("时区"), max_length=64, default="Asia/Shanghai")
    is_active = models.BooleanField(_("在用"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("学校")
        verbose_name_plural = _("学校")

    def __str__(self):
        return self.name

    @property
    def display_name(self):
        return self.short_name or self.name

    def setting(self, key):
        from houqin.org.school_settings import get_setting

        return get_setting(self, key)


class SchoolScopedQuerySet(models.QuerySet):
    def for_school(self, school):
        return self.filter(school=school)

    def for_user(self, user):
        """Records the user may read: their school's, narrowed to their campus where a role
        says so. District officers read other schools only through district views."""
        from houqin.accounts.access import scope_queryset

        return scope_queryset(self, user)

    def active(self):
        return self.filter(is_active=True)


class SchoolScopedModel(TimeStampedModel):
    """A record that belongs to one school. ``campus_path`` names the lookup that leads to
    its campus, so campus-scoped roles see only their campus."""

    school = models.ForeignKey(School, verbose_name=_("学校"), on_delete=models.PROTECT)

    objects = SchoolScopedQuerySet.as_manager()
    # Lookups from this model to its campus and its owning department: users whose
    # positions are all limited to campuses or departments see only theirs.
    campus_path = None
    department_path = None

    class Meta:
        abstract = True

    def get_additional_data(self):
        return {"school_id": self.school_id}


class Campus(SchoolScopedModel, ArchivableModel, NamedWithInitialsModel):
    name = models.CharField(_("校区名称"), max_length=100)
    code = models.CharField(_("编码"), max_length=32)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    is_main = models.BooleanField(_("本部校区"), default=False)

    campus_path = "pk"

    class Meta:
        ordering = ["school", "-is_main", "code"]
        verbose_name = _("校区")
        verbose_name_plural = _("校区")
        constraints = [
            models.UniqueConstraint(fields=["school", "code"], name="campus_code_unique"),
        ]

    def __str__(self):
        return self.name


class Building(SchoolScopedModel, ArchivableModel, NamedWithInitialsModel):
    campus = models.ForeignKey(
        Campus, verbose_name=_("校区"), on_delete=models.PROTECT, related_name="buildings"
    )
    name = models.CharField(_("楼宇名称"), max_length=100)
    code = models.CharField(_("编码"), max_length=32)
    floors_above = models.PositiveSmallIntegerField(_("地上层数"), default=1)
    floors_below = models.PositiveSmallIntegerField(_("地下层数"), default=0)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    campus_path = "campus"

    class Meta:
        ordering = ["school", "campus", "code"]
        verbose_name = _("楼宇")
        verbose_name_plural = _("楼宇")
        constraints = [
            models.UniqueConstraint(fields=["school", "code"], name="building_code_unique"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.campus_id and self.school_id and self.campus.school_id != self.school_id:
            raise ValidationError({"campus": _("校区不属于本校。")})


class Floor(SchoolScopedModel):
    building = models.ForeignKey(
        Building, verbose_name=_("楼宇"), on_delete=models.PROTECT, related_name="floors"
    )
    level = models.SmallIntegerField(_("楼层"), help_text=_("地下一层填 -1"))
    name = models.CharField(_("名称"), max_length=20, blank=True)

    campus_path = "building__campus"

    class Meta:
        ordering = ["building", "level"]
        verbose_name = _("楼层")
        verbose_name_plural = _("楼层")
        constraints = [
            models.UniqueConstraint(fields=["building", "level"], name="floor_level_unique"),
            models.CheckConstraint(condition=~Q(level=0), name="floor_level_not_zero"),
        ]

    def __str__(self):
        return f"{self.building.name} {self.label}"

    @property
    def label(self):
        if self.name:
            return self.name
        return f"{self.level}F" if self.level > 0 else f"B{-self.level}"


class PlaceType(models.TextChoices):
    CLASSROOM = "classroom", _("教室")
    OFFICE = "office", _("办公室")
    TOILET = "toilet", _("厕所")
    CANTEEN = "canteen", _("食堂")
    KITCHEN = "kitchen", _("厨房")
    LAB = "lab", _("实验室")
    STAIRWELL = "stairwell", _("楼梯间")
    CORRIDOR = "corridor", _("走廊")
    PLAYGROUND = "playground", _("操场")
    GATE = "gate", _("校门")
    DORMITORY = "dormitory", _("宿舍")
    WAREHOUSE = "warehouse", _("仓库")
    CONSTRUCTION = "construction", _("基建区域")
    OUTDOOR = "outdoor", _("室外区域")
    OTHER = "other", _("其他")


class Place(SchoolScopedModel, ArchivableModel, NamedWithInitialsModel):
    """A room or area: the smallest place things are kept and work is done."""

    campus = models.ForeignKey(
        Campus, verbose_name=_("校区"), on_delete=models.PROTECT, related_name="places"
    )
    building = models.ForeignKey(
        Building,
        verbose_name=_("楼宇"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="places",
    )
    floor = models.ForeignKey(
        Floor,
        verbose_name=_("楼层"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="places",
    )
    name = models.CharField(_("场所名称"), max_length=100)
    code = models.CharField(
        _("场所编码"), max_length=32, help_text=_("本校唯一，用于二维码标签，如 PX-101")
    )
    place_type = models.CharField(_("类型"), max_length=20, choices=PlaceType.choices)
    area_m2 = models.DecimalField(
        _("面积(㎡)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    capacity = models.PositiveIntegerField(_("容纳人数"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    campus_path = "campus"

    class Meta:
        ordering = ["school", "campus", "building", "floor__level", "code"]
        verbose_name = _("场所")
        verbose_name_plural = _("场所")
        constraints = [
            models.UniqueConstraint(fields=["school", "code"], name="place_code_unique"),
            models.CheckConstraint(
                condition=Q(place_type__in=PlaceType.values), name="place_type_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["school", "place_type", "code"], name="place_school_type"),
            models.Index(fields=["school", "name_initials"], name="place_school_initials"),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        if self.building_id:
            return f"{self.building.name} {self.name}"
        return self.name

    def clean(self):
        errors = {}
        if self.campus_id and self.school_id and self.campus.school_id != self.school_id:
            errors["campus"] = _("校区不属于本校。")
        if self.building_id and self.building.campus_id != self.campus_id:
            errors["building"] = _("楼宇不在所选校区。")
        if self.floor_id and self.floor.building_id != self.building_id:
            errors["floor"] = _("楼层不在所选楼宇。")
        if errors:
            raise ValidationError(errors)


class Department(SchoolScopedModel, ArchivableModel, NamedWithInitialsModel):
    name = models.CharField(_("部门名称"), max_length=100)
    code = models.CharField(_("编码"), max_length=32)
    head = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
    )
    office = models.ForeignKey(
        Place,
        verbose_name=_("办公地点"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["school", "code"]
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        constraints = [
            models.UniqueConstraint(fields=["school", "code"], name="department_code_unique"),
        ]

    def __str__(self):
        return self.name


GRADE_NAMES = {
    1: _("一年级"),
    2: _("二年级"),
    3: _("三年级"),
    4: _("四年级"),
    5: _("五年级"),
    6: _("六年级"),
    7: _("七年级"),
    8: _("八年级"),
    9: _("九年级"),
    10: _("高一"),
    11: _("高二"),
    12: _("高三"),
}


class Grade(SchoolScopedModel, ArchivableModel):
    campus = models.ForeignKey(
        Campus, verbose_name=_("校区"), on_delete=models.PROTECT, related_name="grades"
    )
    number = models.PositiveSmallIntegerField(_("年级"))
    name = models.CharField(_("名称"), max_length=20)
    leader = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("年级组长"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_grades",
    )

    campus_path = "campus"

    class Meta:
        ordering = ["school", "campus", "number"]
        verbose_name = _("年级")
        verbose_name_plural = _("年级")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "campus", "number"], name="grade_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=12), name="grade_number_range"
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.name:
            # The name is the school's data, in Chinese whatever language the editor uses.
            with translation.override("zh-hans"):
                self.name = str(GRADE_NAMES.get(self.number, self.number))
        super().save(*args, **kwargs)


class SchoolClass(SchoolScopedModel, ArchivableModel, NamedWithInitialsModel):
    """A class (班级) — this school calls each class a 中队."""

    grade = models.ForeignKey(
        Grade, verbose_name=_("年级"), on_delete=models.PROTECT, related_name="classes"
    )
    number = models.PositiveSmallIntegerField(_("班号"))
    name = models.CharField(_("班级名称"), max_length=50)
    head_teacher = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("班主任"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="head_of_classes",
    )
    room = models.ForeignKey(
        Place,
        verbose_name=_("教室"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="classes",
    )
    student_count = models.PositiveSmallIntegerField(_("学生人数"), default=0)

    campus_path = "grade__campus"

    class Meta:
        ordering = ["school", "grade__number", "number"]
        verbose_name = _("班级")
        verbose_name_plural = _("班级")
        constraints = [
            models.UniqueConstraint(fields=["grade", "number"], name="class_number_unique"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.grade_id and self.school_id and self.grade.school_id != self.school_id:
            raise ValidationError({"grade": _("年级不属于本校。")})


class AcademicYear(SchoolScopedModel):
    name = models.CharField(_("学年"), max_length=20, help_text=_("如 2026-2027"))
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))

    class Meta:
        ordering = ["school", "-start"]
        verbose_name = _("学年")
        verbose_name_plural = _("学年")
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="academic_year_unique"),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="year_order"),
        ]

    def __str__(self):
        return self.name


class TermQuerySet(SchoolScopedQuerySet):
    def on(self, day):
        return self.filter(start__lte=day, end__gte=day)


class Term(SchoolScopedModel):
    """A semester. Teaching weeks run from ``start``; days outside every term are vacation."""

    academic_year = models.ForeignKey(
        AcademicYear, verbose_name=_("学年"), on_delete=models.PROTECT, related_name="terms"
    )
    name = models.CharField(_("学期"), max_length=40)
    start = models.DateField(_("开学日期"))
    end = models.DateField(_("结束日期"))
    teaching_weeks = models.PositiveSmallIntegerField(_("教学周数"), default=20)

    objects = TermQuerySet.as_manager()

    class Meta:
        ordering = ["school", "-start"]
        verbose_name = _("学期")
        verbose_name_plural = _("学期")
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="term_order"),
        ]
        indexes = [models.Index(fields=["school", "start", "end"], name="term_school_dates")]

    def __str__(self):
        return f"{self.academic_year.name} {self.name}"

    def week_of(self, day: date) -> int | None:
        """Teaching week number (1-based) of ``day``, counted from the Monday of the start
        week; None outside the term."""
        if not (self.start <= day <= self.end):
            return None
        first_monday = self.start - timedelta(days=self.start.weekday())
        return (day - first_monday).days // 7 + 1

    def clean(self):
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("结束日期必须晚于开学日期。")})
        if self.academic_year_id and self.start and self.end:
            year = self.academic_year
            if self.start < year.start or self.end > year.end:
                raise ValidationError(_("学期必须在学年的起止日期之内。"))
            overlapping = Term.objects.filter(
                school_id=self.school_id, start__lte=self.end, end__gte=self.start
            ).exclude(pk=self.pk)
            if overlapping.exists():
                raise ValidationError(_("与已有学期的日期重叠。"))


class CalendarDay(TimeStampedModel):
    """A day that differs from the national calendar package: a holiday or swapped working
    day it does not know yet (school=None, for every school), or a school's own day off or
    make-up day."""

    school = models.ForeignKey(
        School, verbose_name=_("学校"), null=True, blank=True, on_delete=models.PROTECT
    )
    day = models.DateField(_("日期"))
    is_workday = models.BooleanField(_("工作日"))
    name = models.CharField(_("说明"), max_length=50)

    class Meta:
        ordering = ["day"]
        verbose_name = _("日历调整")
        verbose_name_plural = _("日历调整")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "day"],
                condition=Q(school__isnull=False),
                name="calendar_school_day_unique",
            ),
            models.UniqueConstraint(
                fields=["day"],
                condition=Q(school__isnull=True),
                name="calendar_national_day_unique",
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.name}"

    def get_additional_data(self):
        return {"school_id": self.school_id}


class SchoolSetting(TimeStampedModel):
    """A local value (threshold, tier, deadline) that overrides the national default."""

    school = models.ForeignKey(School, verbose_name=_("学校"), on_delete=models.PROTECT)
    key = models.CharField(_("设置项"), max_length=80)
    value = models.JSONField(_("值"))

    class Meta:
        ordering = ["school", "key"]
        verbose_name = _("学校设置")
        verbose_name_plural = _("学校设置")
        constraints = [
            models.UniqueConstraint(fields=["school", "key"], name="school_setting_unique"),
        ]

    def __str__(self):
        return self.key

    def get_additional_data(self):
        return {"school_id": self.school_id}
