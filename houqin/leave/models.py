"""Teacher leave (请假) and going-out slips (出门).

A request's approval runs through ``houqin.approvals`` (kinds "leave" and "going_out");
the approval's outcome comes back through the kind's ``on_decided`` callback
(``services.py``). Days are counted by the school calendar (``counting.py``).
"""

import secrets

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from houqin.core.models import ArchivableModel
from houqin.org.models import SchoolScopedModel

DAYS = {"max_digits": 6, "decimal_places": 1}


class LeaveType(SchoolScopedModel, ArchivableModel):
    """A school's kind of leave with its local rules (DOMAIN.md: teacher leave)."""

    class Counting(models.TextChoices):
        WORKDAYS = "workdays", _("按工作日")
        CALENDAR = "calendar", _("按自然日")

    code = models.SlugField(_("代码"), max_length=30)
    name = models.CharField(_("名称"), max_length=20)
    counting = models.CharField(
        _("计算方式"), max_length=10, choices=Counting.choices, default=Counting.WORKDAYS
    )
    # A medical certificate (or other proof) is required beyond this many days.
    proof_after_days = models.DecimalField(_("超过几天需附证明"), null=True, blank=True, **DAYS)
    max_days_per_term = models.DecimalField(_("每学期上限(天)"), null=True, blank=True, **DAYS)
    max_days_per_year = models.DecimalField(_("每年上限(天)"), null=True, blank=True, **DAYS)
    # Fixed statutory length (e.g. 婚假 3 days); null when the request decides.
    statutory_days = models.DecimalField(_("法定天数"), null=True, blank=True, **DAYS)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("请假类型")
        verbose_name_plural = _("请假类型")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "code"], name="leave_type_unique_code")
        ]

    def __str__(self):
        return self.name


class MaternityRule(models.Model):
    """Maternity leave by province (产假): the national 98 days plus local additions."""

    province = models.CharField(_("省份"), max_length=20, unique=True)
    base_days = models.PositiveSmallIntegerField(_("基本产假(天)"), default=98)
    before_birth_days = models.PositiveSmallIntegerField(_("产前可休(天)"), default=15)
    difficult_birth_days = models.PositiveSmallIntegerField(_("难产增加(天)"), default=15)
    extra_baby_days = models.PositiveSmallIntegerField(_("多胞胎每多一个增加(天)"), default=15)
    miscarriage_early_days = models.PositiveSmallIntegerField(
        _("怀孕未满4个月流产(天)"), default=15
    )
    miscarriage_late_days = models.PositiveSmallIntegerField(_("怀孕满4个月流产(天)"), default=42)
    province_extra_days = models.PositiveSmallIntegerField(_("本省延长(天)"), default=0)
    paternity_days = models.PositiveSmallIntegerField(_("陪产假(天)"), default=15)

    class Meta:
        verbose_name = _("产假标准")
        verbose_name_plural = _("产假标准")
        ordering = ["province"]

    def __str__(self):
        return self.province


class HalfDay(models.TextChoices):
    FULL = "full", _("全天")
    AM = "am", _("上午")
    PM = "pm", _("下午")


class LeaveStatus(models.TextChoices):
    PENDING = "pending", _("审批中")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未批准")
    WITHDRAWN = "withdrawn", _("已撤回")
    CANCELLED = "cancelled", _("已取消")
    ENDED = "ended", _("已销假")


class LeaveRequest(SchoolScopedModel):
    department_path = "staff__department"

    staff = models.ForeignKey(
        "accounts.Staff", verbose_name=_("请假人"), on_delete=models.PROTECT, related_name="leaves"
    )
    leave_type = models.ForeignKey(LeaveType, verbose_name=_("类型"), on_delete=models.PROTECT)
    start_date = models.DateField(_("开始日期"))
    start_part = models.CharField(
        _("开始"), max_length=4, choices=HalfDay.choices, default=HalfDay.FULL
    )
    end_date = models.DateField(_("结束日期"))
    end_part = models.CharField(
        _("结束"), max_length=4, choices=HalfDay.choices, default=HalfDay.FULL
    )
    # A leave of some class periods within one day (e.g. periods 3–4): counted as half a day
    # or less by the school's rule; the periods are recorded for cover.
    periods = models.CharField(_("节次"), max_length=40, blank=True)
    days = models.DecimalField(_("天数"), **DAYS)
    reason = models.CharField(_("事由"), max_length=300)
    status = models.CharField(
        _("状态"), max_length=10, choices=LeaveStatus.choices, default=LeaveStatus.PENDING
    )
    # 销假: the day and part the teacher came back.
    returned_on = models.DateField(_("销假日期"), null=True, blank=True)
    returned_part = models.CharField(_("销假"), max_length=4, choices=HalfDay.choices, blank=True)
    returned_at = models.DateTimeField(_("销假时间"), null=True, blank=True)
    overrun_days = models.DecimalField(_("超期天数"), default=0, **DAYS)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("请假")
        verbose_name_plural = _("请假")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=LeaveStatus.values), name="leave_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="leave_end_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["school", "start_date", "end_date"], name="leave_dates"),
            models.Index(fields=["staff", "start_date"], name="leave_staff"),
        ]

    def __str__(self):
        return f"{self.staff} {self.leave_type} {self.start_date}"

    def get_absolute_url(self):
        return reverse("leave:detail", args=[self.pk])


class Cover(SchoolScopedModel):
    """Who covers a class period (代课/调课) or stands in as class teacher (代班主任)."""

    class Kind(models.TextChoices):
        SUBSTITUTE = "substitute", _("代课")
        SWAP = "swap", _("调课")
        CLASS_TEACHER = "class_teacher", _("代班主任")

    leave = models.ForeignKey(LeaveRequest, on_delete=models.CASCADE, related_name="covers")
    kind = models.CharField(_("方式"), max_length=15, choices=Kind.choices)
    date = models.DateField(_("日期"))
    period = models.PositiveSmallIntegerField(_("节次"), null=True, blank=True)
    school_class = models.ForeignKey(
        "org.SchoolClass", verbose_name=_("班级"), null=True, blank=True, on_delete=models.PROTECT
    )
    subject = models.CharField(_("科目"), max_length=20, blank=True)
    covered_by = models.ForeignKey(
        "accounts.Staff", verbose_name=_("代课人"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    arranged_by = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("安排人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("代课安排")
        verbose_name_plural = _("代课安排")
        ordering = ["date", "period", "id"]


class Absence(SchoolScopedModel):
    """An absence flagged for the monthly assessment: 旷工 (no approved leave) or an overrun
    of an approved leave."""

    class Kind(models.TextChoices):
        OVERRUN = "overrun", _("超假")
        UNAPPROVED = "unapproved", _("旷工")

    staff = models.ForeignKey(
        "accounts.Staff", verbose_name=_("教职工"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    days = models.DecimalField(_("天数"), **DAYS)
    leave = models.ForeignKey(
        LeaveRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="absences"
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("缺勤记录")
        verbose_name_plural = _("缺勤记录")
        ordering = ["-start_date", "-id"]


def _slip_token():
    return secrets.token_urlsafe(12)


class SlipStatus(models.TextChoices):
    PENDING = "pending", _("审批中")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未批准")
    WITHDRAWN = "withdrawn", _("已撤回")
    CANCELLED = "cancelled", _("已取消")
    OUT = "out", _("已出校")
    BACK = "back", _("已返校")


class GoingOutSlip(SchoolScopedModel):
    """出门条: a short exit in working hours, shown as a QR code at the gate."""

    department_path = "staff__department"

    staff = models.ForeignKey(
        "accounts.Staff", verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="slips"
    )
    destination = models.CharField(_("去向"), max_length=100)
    reason = models.CharField(_("事由"), max_length=200)
    planned_out = models.DateTimeField(_("计划出校"))
    planned_back = models.DateTimeField(_("计划返校"))
    status = models.CharField(
        _("状态"), max_length=10, choices=SlipStatus.choices, default=SlipStatus.PENDING
    )
    token = models.CharField(max_length=24, unique=True, default=_slip_token, editable=False)
    out_at = models.DateTimeField(_("出校时间"), null=True, blank=True)
    out_by = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("出校登记"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    back_at = models.DateTimeField(_("返校时间"), null=True, blank=True)
    back_by = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("返校登记"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    late_alerted_at = models.DateTimeField(_("逾期提醒时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("出门条")
        verbose_name_plural = _("出门条")
        ordering = ["-planned_out", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=SlipStatus.values), name="leave_slip_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(planned_back__gt=models.F("planned_out")),
                name="leave_slip_back_after_out",
            ),
        ]
        indexes = [models.Index(fields=["school", "status", "planned_back"], name="leave_slip_due")]

    def __str__(self):
        return f"{self.staff} {self.destination}"

    def get_absolute_url(self):
        return reverse("leave:slip_detail", args=[self.pk])
