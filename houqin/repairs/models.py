"""Repair requests (报修): reported from any phone, dispatched, tracked, confirmed and rated.

The state is a field with a CheckConstraint; transitions live in ``services.py`` and each
writes a ``RepairEvent`` (who, when, from, to, note). Deadlines are counted in working
hours of the school calendar (``deadlines.py``).
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from houqin.core.models import ArchivableModel, StatusEvent, StatusRecordMixin
from houqin.org.models import SchoolScopedModel

MONEY = {"max_digits": 14, "decimal_places": 2}


class Category(models.TextChoices):
    WATER_POWER = "water_power", _("水电")
    DOORS_WINDOWS = "doors_windows", _("门窗")
    DESKS_CHAIRS = "desks_chairs", _("桌椅")
    SCREENS = "screens", _("一体机与多媒体")
    NETWORK = "network", _("网络")
    AIR_CONDITIONING = "air_conditioning", _("空调")
    FIRE_EQUIPMENT = "fire_equipment", _("消防设施")
    SURVEILLANCE = "surveillance", _("监控")
    OTHER = "other", _("其他")


class Urgency(models.TextChoices):
    URGENT = "urgent", _("紧急")
    NORMAL = "normal", _("一般")
    LOW = "low", _("不急")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("待派单")
    ASSIGNED = "assigned", _("待接单")
    ACCEPTED = "accepted", _("已接单")
    IN_PROGRESS = "in_progress", _("维修中")
    WAITING_PARTS = "waiting_parts", _("等待配件")
    OUTSOURCED = "outsourced", _("委外维修")
    DONE = "done", _("待确认")
    CLOSED = "closed", _("已完成")
    CANCELLED = "cancelled", _("已撤销")


OPEN_STATUSES = [
    Status.SUBMITTED,
    Status.ASSIGNED,
    Status.ACCEPTED,
    Status.IN_PROGRESS,
    Status.WAITING_PARTS,
    Status.OUTSOURCED,
]
# Statuses in which the worker holds the job (counted against the completion deadline).
WORKING_STATUSES = [Status.ACCEPTED, Status.IN_PROGRESS, Status.WAITING_PARTS, Status.OUTSOURCED]


class Vendor(SchoolScopedModel, ArchivableModel):
    """An outside repair company (外包单位) the school calls for what its own workers can't do."""

    name = models.CharField(_("单位名称"), max_length=100)
    contact = models.CharField(_("联系人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    categories = models.JSONField(_("维修类别"), default=list, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("维修单位")
        verbose_name_plural = _("维修单位")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="repairs_vendor_unique_name")
        ]

    def __str__(self):
        return self.name


class DispatchRule(SchoolScopedModel):
    """Category rules: requests of this category (optionally on one campus) go to this
    worker or vendor without waiting for the manager."""

    category = models.CharField(_("维修类别"), max_length=20, choices=Category.choices)
    campus = models.ForeignKey(
        "org.Campus", verbose_name=_("校区"), null=True, blank=True, on_delete=models.CASCADE
    )
    assignee = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("维修人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    vendor = models.ForeignKey(
        Vendor, verbose_name=_("维修单位"), null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("自动派单规则")
        verbose_name_plural = _("自动派单规则")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "category", "campus"], name="repairs_rule_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(assignee__isnull=False) | models.Q(vendor__isnull=False),
                name="repairs_rule_has_target",
            ),
        ]


class Deadline(SchoolScopedModel):
    """Response and completion targets in working hours, per urgency and optionally per
    category (a category row wins over the urgency's general row). Schools without rows
    use ``deadlines.DEFAULTS``."""

    urgency = models.CharField(_("紧急程度"), max_length=10, choices=Urgency.choices)
    category = models.CharField(
        _("维修类别"), max_length=20, choices=Category.choices, blank=True, default=""
    )
    response_hours = models.DecimalField(
        _("响应时限(工作小时)"), max_digits=6, decimal_places=1, validators=[MinValueValidator(0)]
    )
    completion_hours = models.DecimalField(
        _("完成时限(工作小时)"), max_digits=6, decimal_places=1, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = _("维修时限")
        verbose_name_plural = _("维修时限")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "urgency", "category"], name="repairs_deadline_unique"
            )
        ]


class RepairRequest(StatusRecordMixin, SchoolScopedModel):
    campus_path = "place__campus"
    detail_url = "repairs:detail"
    open_statuses = OPEN_STATUSES

    number = models.CharField(_("报修单号"), max_length=20, editable=False)
    place = models.ForeignKey(
        "org.Place", verbose_name=_("报修地点"), on_delete=models.PROTECT, related_name="repairs"
    )
    # The asset card reported from its label (or picked), so the card shows its repairs.
    asset = models.ForeignKey(
        "assets.Asset",
        verbose_name=_("报修资产"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repairs",
    )
    category = models.CharField(_("维修类别"), max_length=20, choices=Category.choices)
    urgency = models.CharField(
        _("紧急程度"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    description = models.CharField(_("故障描述"), max_length=500)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    reporter = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("报修人"),
        on_delete=models.PROTECT,
        related_name="repairs_reported",
    )
    # Others who found the same fault and joined this request instead of filing another.
    followers = models.ManyToManyField(
        "accounts.Staff", verbose_name=_("同时报修"), blank=True, related_name="repairs_followed"
    )
    assignee = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("维修人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repairs_assigned",
    )
    vendor = models.ForeignKey(
        Vendor, verbose_name=_("维修单位"), null=True, blank=True, on_delete=models.PROTECT
    )

    reported_at = models.DateTimeField(_("报修时间"))
    assigned_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("接单时间"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始维修"), null=True, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    response_due = models.DateTimeField(_("响应期限"))
    completion_due = models.DateTimeField(_("完成期限"))
    # 0: none; 1: told the logistics manager; 2: told the vice principal in charge.
    escalation_level = models.PositiveSmallIntegerField(_("督办级别"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("返修次数"), default=0)
    auto_confirmed = models.BooleanField(_("超期自动确认"), default=False)

    done_note = models.CharField(_("维修说明"), max_length=500, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("评分"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.CharField(_("评价"), max_length=300, blank=True)

    labour_cost = models.DecimalField(_("人工费(元)"), default=0, **MONEY)
    parts_cost = models.DecimalField(_("材料费(元)"), default=0, **MONEY)
    vendor_cost = models.DecimalField(_("外包费(元)"), default=0, **MONEY)
    # Kept for the class ratings: damage done by students, and by whom.
    damaged_by_students = models.BooleanField(_("学生损坏"), default=False)
    responsible_class = models.ForeignKey(
        "org.SchoolClass",
        verbose_name=_("责任班级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repairs_damaged",
    )
    responsible_person = models.CharField(_("责任人"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("报修单")
        verbose_name_plural = _("报修单")
        ordering = ["-reported_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "number"], name="repairs_unique_number"),
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="repairs_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="repairs_rating_range",
            ),
        ]
        indexes = [
            models.Index(fields=["school", "status", "reported_at"], name="repairs_queue"),
            models.Index(fields=["assignee", "status"], name="repairs_worker"),
            models.Index(fields=["place", "status"], name="repairs_place"),
            models.Index(fields=["reporter", "status"], name="repairs_reporter"),
        ]

    def __str__(self):
        return f"{self.number} {self.place}"

    @property
    def total_cost(self):
        return self.labour_cost + self.parts_cost + self.vendor_cost


class RepairEvent(StatusEvent):
    """One step in a request's life. Written by the services only; never changed."""

    class Action(models.TextChoices):
        REPORT = "report", _("报修")
        JOIN = "join", _("同时报修")
        ASSIGN = "assign", _("派单")
        AUTO_ASSIGN = "auto_assign", _("自动派单")
        ACCEPT = "accept", _("接单")
        START = "start", _("开始维修")
        WAIT_PARTS = "wait_parts", _("等待配件")
        OUTSOURCE = "outsource", _("委外维修")
        DONE = "done", _("维修完成")
        CONFIRM = "confirm", _("确认修好")
        AUTO_CONFIRM = "auto_confirm", _("超期自动确认")
        REOPEN = "reopen", _("未修好，返修")
        RATE = "rate", _("评价")
        COST = "cost", _("登记费用")
        ESCALATE = "escalate", _("超期督办")
        CANCEL = "cancel", _("撤销")
        NOTE = "note", _("备注")

    subject_field = "request"

    request = models.ForeignKey(RepairRequest, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)

    class Meta:
        verbose_name = _("报修记录")
        verbose_name_plural = _("报修记录")
        ordering = ["created_at", "id"]
