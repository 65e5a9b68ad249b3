"""Patrols and inspections: checklists, routes of checkpoints, scheduled rounds, answers.

A checklist (``Checklist``) is versioned: a round keeps the version it was answered
against (``ChecklistVersion``), so editing a checklist never changes old records. A route
is an ordered list of places (checkpoints, proven by scanning the place's QR label). A
plan says who walks which route when; its schedule (``schedules.Schedule``, job
``patrols.rounds``) creates the expected rounds (``ExpectedRound``) day by day, and the
missed-round check flags the ones not done in time.

Rounds, visits and answers are made on a phone that may be offline: each carries a
client-made UUID under a unique constraint, so a replayed sync is a no-op.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from houqin.core.models import ArchivableModel, NamedWithInitialsModel, TimeStampedModel
from houqin.org.models import SchoolScopedModel


class ChecklistKind(models.TextChoices):
    DAILY_PATROL = "daily_patrol", _("日巡视")
    MONTHLY_INSPECTION = "monthly_inspection", _("月检查")
    SPECIAL = "special", _("专项检查")
    BUS_PRECHECK = "bus_precheck", _("校车出车前检查")
    CANTEEN_HYGIENE = "canteen_hygiene", _("食堂卫生检查")
    TOILET = "toilet", _("厕所保洁检查")


class AnswerType(models.TextChoices):
    PASS_FAIL = "pass_fail", _("合格/不合格")
    NUMBER = "number", _("数值")
    TEXT = "text", _("文字")
    PHOTO = "photo", _("照片")


class Result(models.TextChoices):
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")
    NA = "na", _("不适用")


class Checklist(SchoolScopedModel, ArchivableModel, NamedWithInitialsModel):
    """A per-school checklist template; its items live in versions."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=30, choices=ChecklistKind.choices)
    description = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("检查表")
        verbose_name_plural = _("检查表")
        ordering = ["kind", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="patrols_checklist_name"),
            models.CheckConstraint(
                condition=models.Q(kind__in=ChecklistKind.values),
                name="patrols_checklist_kind_valid",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("patrols:checklist_detail", args=[self.pk])

    def current_version(self):
        """The latest published version: the one new rounds use (None before the first
        publication)."""
        return self.versions.filter(published_at__isnull=False).order_by("-number").first()

    def draft_version(self):
        """The version being edited, if any (at most one: see the constraint)."""
        return self.versions.filter(published_at__isnull=True).first()


class ChecklistVersion(TimeStampedModel):
    """One version of a checklist's items. A draft can be edited; publishing freezes it
    and makes it the one new rounds use."""

    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("版本号"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("修订说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("检查表版本")
        verbose_name_plural = _("检查表版本")
        ordering = ["checklist", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["checklist", "number"], name="patrols_version_unique_number"
            ),
            # One draft at a time: 修订 continues the open draft rather than forking it.
            models.UniqueConstraint(
                fields=["checklist"],
                condition=models.Q(published_at__isnull=True),
                name="patrols_version_one_draft",
            ),
        ]

    def __str__(self):
        return f"{self.checklist} v{self.number}"

    @property
    def is_draft(self):
        return self.published_at is None


class ChecklistItem(models.Model):
    version = models.ForeignKey(ChecklistVersion, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    # Stable across versions (copied when a new version is drafted), so reports can follow
    # "the same question" and one item can refer to another (count mismatch).
    key = models.CharField(_("标识"), max_length=40)
    text = models.CharField(_("检查内容"), max_length=300)
    answer_type = models.CharField(
        _("回答方式"), max_length=20, choices=AnswerType.choices, default=AnswerType.PASS_FAIL
    )
    required = models.BooleanField(_("必答"), default=True)
    photo_on_fail = models.BooleanField(_("不合格须拍照"), default=False)
    min_value = models.DecimalField(
        _("下限"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("上限"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    # A number that must equal another item's answer (the bus escort's off count must
    # equal the on count): a difference fails the item and raises the alarm.
    must_equal_key = models.CharField(_("须等于"), max_length=40, blank=True)
    hazard_domain = models.CharField(_("不合格时的隐患类别"), max_length=20, blank=True, default="")
    guidance = models.CharField(_("检查要点"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("检查项")
        verbose_name_plural = _("检查项")
        ordering = ["version", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="patrols_item_unique_key"),
            models.CheckConstraint(
                condition=models.Q(answer_type__in=AnswerType.values),
                name="patrols_item_type_valid",
            ),
        ]

    def __str__(self):
        return self.text

    def limits_display(self):
        """The passing range in words: 2.2–2.8bar, 不低于 0人, 不高于 75℃ ("" for none)."""
        low, high = self.min_value, self.max_value

        def plain(number):
            return f"{number.normalize():f}"

        if low is not None and high is not None:
            return f"{plain(low)}–{plain(high)}{self.unit}"
        if low is not None:
            return _t("不低于 %(value)s%(unit)s") % {"value": plain(low), "unit": self.unit}
        if high is not None:
            return _t("不高于 %(value)s%(unit)s") % {"value": plain(high), "unit": self.unit}
        return ""


class Route(SchoolScopedModel, ArchivableModel, NamedWithInitialsModel):
    """An ordered walk of checkpoints (places), answered against one checklist."""

    campus_path = "campus"

    name = models.CharField(_("路线名称"), max_length=100)
    campus = models.ForeignKey(
        "org.Campus", verbose_name=_("校区"), null=True, blank=True, on_delete=models.PROTECT
    )
    checklist = models.ForeignKey(
        Checklist, verbose_name=_("检查表"), on_delete=models.PROTECT, related_name="routes"
    )
    description = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("巡查路线")
        verbose_name_plural = _("巡查路线")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="patrols_route_name"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("patrols:route_detail", args=[self.pk])


class Checkpoint(models.Model):
    """One stop on a route: a place whose QR label proves the patroller was there."""

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="checkpoints")
    place = models.ForeignKey(
        "org.Place", verbose_name=_("巡查点"), on_delete=models.PROTECT, related_name="+"
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    # A checkpoint may use its own checklist (the canteen stop of a daily route).
    checklist = models.ForeignKey(
        Checklist,
        verbose_name=_("本点检查表"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("巡查点")
        verbose_name_plural = _("巡查点")
        ordering = ["route", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["route", "place"], name="patrols_checkpoint_unique"),
        ]

    def __str__(self):
        return str(self.place)


class Plan(SchoolScopedModel, ArchivableModel):
    """Who walks which route, and by when. ``schedule`` (job ``patrols.rounds``) decides
    on which days; each day it creates one ``ExpectedRound``."""

    name = models.CharField(_("名称"), max_length=100)
    route = models.ForeignKey(
        Route, verbose_name=_("巡查路线"), on_delete=models.PROTECT, related_name="plans"
    )
    patrollers = models.ManyToManyField(
        "accounts.Staff", verbose_name=_("巡查人员"), related_name="patrol_plans"
    )
    start_time = models.TimeField(_("开始时间"))
    due_time = models.TimeField(_("完成时限"))
    schedule = models.OneToOneField(
        "schedules.Schedule",
        verbose_name=_("执行日程"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="patrol_plan",
    )

    class Meta:
        verbose_name = _("巡查安排")
        verbose_name_plural = _("巡查安排")
        ordering = ["start_time", "name", "id"]

    def __str__(self):
        return self.name


class ExpectedRound(SchoolScopedModel):
    """A round a plan expects on a day (应巡). Done when a finished round points at it;
    missed when its due time passes without one."""

    class State(models.TextChoices):
        PENDING = "pending", _("待巡查")
        DONE = "done", _("已完成")
        MISSED = "missed", _("漏巡")

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="expected_rounds")
    day = models.DateField(_("日期"))
    due_at = models.DateTimeField(_("完成时限"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    flagged_at = models.DateTimeField(_("漏巡提醒时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("应巡任务")
        verbose_name_plural = _("应巡任务")
        ordering = ["-day", "due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "day"], name="patrols_expected_unique"),
            models.CheckConstraint(
                condition=models.Q(state__in=["pending", "done", "missed"]),
                name="patrols_expected_state_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["school", "state", "due_at"], name="patrols_expected_due"),
        ]

    def __str__(self):
        return f"{self.plan} {self.day:%Y-%m-%d}"


class Round(SchoolScopedModel):
    """One patrol or inspection as walked: a route round, or a free inspection of one
    place (monthly, special, bus, canteen) with no route."""

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", _("进行中")
        FINISHED = "finished", _("已完成")

    client_uuid = models.UUIDField(_("客户端编号"), unique=True)
    checklist_version = models.ForeignKey(
        ChecklistVersion, verbose_name=_("检查表版本"), on_delete=models.PROTECT
    )
    route = models.ForeignKey(
        Route,
        verbose_name=_("巡查路线"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rounds",
    )
    # The place inspected by a round with no route (required then; a route has its own).
    place = models.ForeignKey(
        "org.Place",
        verbose_name=_("检查场所"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    expected = models.OneToOneField(
        ExpectedRound,
        verbose_name=_("应巡任务"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="round",
    )
    patroller = models.ForeignKey(
        "accounts.Staff", verbose_name=_("巡查人"), on_delete=models.PROTECT, related_name="rounds"
    )
    state = models.CharField(
        _("状态"), max_length=20, choices=State.choices, default=State.IN_PROGRESS
    )
    # Times as the phone recorded them (it may sync hours later); received_at is ours.
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    received_at = models.DateTimeField(_("同步时间"), auto_now_add=True)
    missed_checkpoints = models.PositiveSmallIntegerField(_("漏检点数"), default=0)
    failed_items = models.PositiveSmallIntegerField(_("不合格项数"), default=0)
    note = models.CharField(_("备注"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("巡查记录")
        verbose_name_plural = _("巡查记录")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=["in_progress", "finished"]),
                name="patrols_round_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(route__isnull=False) | models.Q(place__isnull=False),
                name="patrols_round_has_route_or_place",
            ),
        ]
        indexes = [
            models.Index(fields=["school", "started_at"], name="patrols_round_time"),
            models.Index(fields=["patroller", "started_at"], name="patrols_round_person"),
        ]

    def __str__(self):
        return f"{self.checklist_version.checklist} {self.started_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("patrols:round_detail", args=[self.pk])


class Visit(models.Model):
    """Proof of presence at a checkpoint: the place's QR scanned, at a time."""

    class Method(models.TextChoices):
        QR = "qr", _("扫码")
        MANUAL = "manual", _("手动确认")

    client_uuid = models.UUIDField(_("客户端编号"), unique=True)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="visits")
    place = models.ForeignKey(
        "org.Place", verbose_name=_("场所"), on_delete=models.PROTECT, related_name="patrol_visits"
    )
    checkpoint = models.ForeignKey(
        Checkpoint, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    method = models.CharField(_("方式"), max_length=10, choices=Method.choices, default="qr")
    scanned_at = models.DateTimeField(_("到达时间"))
    received_at = models.DateTimeField(_("同步时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("到点记录")
        verbose_name_plural = _("到点记录")
        ordering = ["round", "scanned_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "place"], name="patrols_visit_once"),
        ]
        indexes = [models.Index(fields=["place", "scanned_at"], name="patrols_visit_place")]

    def __str__(self):
        return f"{self.place} {self.scanned_at:%H:%M}"


class Answer(models.Model):
    """The answer to one item, at one checkpoint (or the round's place)."""

    client_uuid = models.UUIDField(_("客户端编号"), unique=True)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(ChecklistItem, verbose_name=_("检查项"), on_delete=models.PROTECT)
    # The checkpoint's place, or the round's own place for a round with no route.
    place = models.ForeignKey(
        "org.Place", verbose_name=_("场所"), on_delete=models.PROTECT, related_name="+"
    )
    result = models.CharField(_("结果"), max_length=10, choices=Result.choices, blank=True)
    number = models.DecimalField(_("数值"), max_digits=10, decimal_places=2, null=True, blank=True)
    text = models.CharField(_("文字"), max_length=500, blank=True)
    note = models.CharField(_("备注"), max_length=500, blank=True)
    answered_at = models.DateTimeField(_("回答时间"))
    hazard = models.ForeignKey(
        "hazards.Hazard",
        verbose_name=_("隐患"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="answers",
    )

    class Meta:
        verbose_name = _("检查结果")
        verbose_name_plural = _("检查结果")
        ordering = ["round", "answered_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "place", "item"], name="patrols_answer_once"),
            models.CheckConstraint(
                condition=models.Q(result__in=["", "pass", "fail", "na"]),
                name="patrols_answer_result_valid",
            ),
        ]

    def __str__(self):
        return f"{self.item}: {self.get_result_display() or self.number or self.text}"

    @property
    def failed(self):
        return self.result == Result.FAIL

    @property
    def school_id(self):
        """The round's school: attachments (``houqin.files``) belong to a school."""
        return self.round.school_id


class AnswerPhoto(models.Model):
    """A photo the phone uploaded for an answer, under the phone's own UUID: a retried
    upload finds this row and attaches nothing twice."""

    client_uuid = models.UUIDField(_("客户端编号"), unique=True)
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="photos")
    attachment = models.OneToOneField(
        "files.Attachment", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("检查照片")
        verbose_name_plural = _("检查照片")
        ordering = ["answer", "created_at", "id"]

    def __str__(self):
        return str(self.client_uuid)
