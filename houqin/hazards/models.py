"""The hazard register (隐患台账): found → rectified → verified → closed (销号).

A hazard comes from a failing checklist item (``patrols.Answer.hazard``), from anyone's
report, from a repair, or from a surveillance blind spot. The state is a field with a
CheckConstraint; transitions live in ``services.py`` and each writes a ``HazardEvent``.
A 重大 hazard carries a ``HazardPlan`` (挂牌督办) and is visible to the district.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from houqin.core.models import (
    ArchivableModel,
    NamedWithInitialsModel,
    StatusEvent,
    StatusRecordMixin,
    TimeStampedModel,
)
from houqin.org.models import SchoolScopedModel, SchoolScopedQuerySet

MONEY = {"max_digits": 14, "decimal_places": 2}


class Domain(models.TextChoices):
    """教育系统重大事故隐患判定指南 (2024) domains, plus security and other."""

    FIRE = "fire", _("消防安全")
    BUILDINGS = "buildings", _("校舍建筑")
    FOOD = "food", _("食品安全")
    LABS = "labs", _("实验室")
    BUS_TRAFFIC = "bus_traffic", _("校车和交通")
    CROWD = "crowd", _("拥挤踩踏")
    SPECIAL_EQUIPMENT = "special_equipment", _("特种设备")
    UTILITIES = "utilities", _("水电气暖")
    SECURITY = "security", _("安防和监控")
    OTHER = "other", _("其他")


class Grade(models.TextChoices):
    GENERAL = "general", _("一般隐患")
    MAJOR = "major", _("重大隐患")


class Source(models.TextChoices):
    PATROL = "patrol", _("巡查发现")
    REPORT = "report", _("随手拍上报")
    REPAIR = "repair", _("维修发现")
    BLIND_SPOT = "blind_spot", _("监控盲区")


class Status(models.TextChoices):
    REPORTED = "reported", _("待指派")
    RECTIFYING = "rectifying", _("整改中")
    RECTIFIED = "rectified", _("待验证")
    CLOSED = "closed", _("已销号")
    VOID = "void", _("已作废")


OPEN_STATUSES = [Status.REPORTED, Status.RECTIFYING, Status.RECTIFIED]
# Still to be fixed: the deadline counts (a rectified one waits for the verifier instead).
TO_FIX_STATUSES = [Status.REPORTED, Status.RECTIFYING]


class HazardQuerySet(SchoolScopedQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def major(self):
        return self.filter(grade=Grade.MAJOR)

    def overdue(self, today):
        """Still to be fixed with the deadline (a date) before ``today``."""
        return self.filter(overdue_q(today))


def overdue_q(today):
    return models.Q(status__in=TO_FIX_STATUSES, deadline__lt=today)


class Hazard(StatusRecordMixin, SchoolScopedModel):
    campus_path = "place__campus"
    detail_url = "hazards:detail"
    open_statuses = OPEN_STATUSES

    number = models.CharField(_("隐患编号"), max_length=20, editable=False)
    title = models.CharField(_("隐患描述"), max_length=200)
    detail = models.TextField(_("详细情况"), blank=True)
    place = models.ForeignKey(
        "org.Place",
        verbose_name=_("地点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards",
    )
    location_note = models.CharField(_("具体位置"), max_length=200, blank=True)
    domain = models.CharField(_("隐患类别"), max_length=20, choices=Domain.choices)
    grade = models.CharField(
        _("隐患等级"), max_length=10, choices=Grade.choices, default=Grade.GENERAL
    )
    source = models.CharField(
        _("来源"), max_length=20, choices=Source.choices, default=Source.REPORT
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.REPORTED
    )

    reported_by = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("发现人"),
        on_delete=models.PROTECT,
        related_name="hazards_reported",
    )
    reported_at = models.DateTimeField(_("发现时间"))
    owner = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("整改责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards_owned",
    )
    deadline = models.DateField(_("整改期限"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("指派时间"), null=True, blank=True)

    # The repair request that fixes it (made from the hazard), or the repair it was found
    # during (source REPAIR). While that repair is open the hazard cannot be verified.
    repair = models.ForeignKey(
        "repairs.RepairRequest",
        verbose_name=_("关联报修单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards",
    )
    # A blind spot (source BLIND_SPOT) stays open until a working camera covers the place.
    rectification = models.TextField(_("整改情况"), blank=True)
    rectified_by = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("整改人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards_rectified",
    )
    rectified_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    verified_by = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("验证人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards_verified",
    )
    verified_at = models.DateTimeField(_("验证时间"), null=True, blank=True)
    verification_note = models.CharField(_("验证意见"), max_length=500, blank=True)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("复查未通过次数"), default=0)
    # 0: none; 1: told the logistics manager; 2: told the principal.
    escalation_level = models.PositiveSmallIntegerField(_("督办级别"), default=0)
    void_reason = models.CharField(_("作废原因"), max_length=200, blank=True)

    objects = HazardQuerySet.as_manager()

    class Meta:
        verbose_name = _("隐患")
        verbose_name_plural = _("隐患")
        ordering = ["-reported_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "number"], name="hazards_unique_number"),
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="hazards_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(grade__in=Grade.values), name="hazards_grade_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(domain__in=Domain.values), name="hazards_domain_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(source__in=Source.values), name="hazards_source_valid"
            ),
            # Closed (销号) only after verification.
            models.CheckConstraint(
                condition=~models.Q(status="closed") | models.Q(verified_at__isnull=False),
                name="hazards_closed_verified",
            ),
        ]
        indexes = [
            models.Index(fields=["school", "status", "reported_at"], name="hazards_register"),
            models.Index(fields=["grade", "status", "reported_at"], name="hazards_district"),
            models.Index(fields=["owner", "status"], name="hazards_owner"),
            models.Index(fields=["place", "status"], name="hazards_place"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def is_major(self):
        return self.grade == Grade.MAJOR

    def is_overdue(self, today):
        return (
            self.status in TO_FIX_STATUSES and self.deadline is not None and self.deadline < today
        )


class HazardPlan(TimeStampedModel):
    """The 重大隐患 rectification plan: goal, measures, funds, people, deadline and the
    emergency plan while it lasts (挂牌督办)."""

    hazard = models.OneToOneField(Hazard, on_delete=models.CASCADE, related_name="plan")
    goal = models.TextField(_("整改目标"))
    measures = models.TextField(_("整改措施"))
    funds = models.DecimalField(
        _("整改资金(元)"), validators=[MinValueValidator(0)], default=0, **MONEY
    )
    people = models.CharField(_("责任人员"), max_length=200)
    deadline = models.DateField(_("完成时限"))
    emergency_plan = models.TextField(_("应急预案和临时防范措施"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填写人"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("重大隐患整改方案")
        verbose_name_plural = _("重大隐患整改方案")


class HazardEvent(StatusEvent):
    """One step in a hazard's life. Written by the services only; never changed."""

    class Action(models.TextChoices):
        REPORT = "report", _("上报")
        ASSIGN = "assign", _("指派整改")
        REGRADE = "regrade", _("调整等级")
        PLAN = "plan", _("填写整改方案")
        REPAIR = "repair", _("转报修")
        RECTIFY = "rectify", _("整改完成")
        VERIFY_PASS = "verify_pass", _("验证通过，销号")
        VERIFY_FAIL = "verify_fail", _("验证未通过")
        ESCALATE = "escalate", _("超期督办")
        VOID = "void", _("作废")
        NOTE = "note", _("备注")

    subject_field = "hazard"

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)

    class Meta:
        verbose_name = _("隐患处理记录")
        verbose_name_plural = _("隐患处理记录")
        ordering = ["created_at", "id"]


class Camera(SchoolScopedModel, ArchivableModel, NamedWithInitialsModel):
    """A surveillance camera, where it hangs and the places it covers."""

    campus_path = "place__campus"

    class CameraStatus(models.TextChoices):
        WORKING = "working", _("正常")
        FAULTY = "faulty", _("故障")

    name = models.CharField(_("名称"), max_length=100)
    code = models.CharField(_("编号"), max_length=30, blank=True)
    place = models.ForeignKey(
        "org.Place",
        verbose_name=_("安装位置"),
        on_delete=models.PROTECT,
        related_name="cameras_installed",
    )
    covers = models.ManyToManyField(
        "org.Place", verbose_name=_("覆盖场所"), blank=True, related_name="cameras_covering"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=CameraStatus.choices, default=CameraStatus.WORKING
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("监控摄像头")
        verbose_name_plural = _("监控摄像头")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["working", "faulty"]),
                name="hazards_camera_status_valid",
            ),
        ]

    def __str__(self):
        return self.name
