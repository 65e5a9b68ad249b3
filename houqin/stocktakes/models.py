"""Stocktakes (资产盘点): the book snapshotted when counting starts, the counters, the
scans made on phones (each with a client UUID, so a replayed sync adds nothing) and the
differences found when counting ends.

A stocktake moves draft → counting → reviewing → pending approval → applied (or
cancelled); the transitions are in ``services``. A snapshot line keeps what the book said
at the start (place, custodian, status, net value) and what the counters found."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from houqin.assets.models import MONEY, ZERO, optional_ref
from houqin.org.models import SchoolScopedModel


class Status(models.TextChoices):
    DRAFT = "draft", _("草稿")
    COUNTING = "counting", _("盘点中")
    REVIEWING = "reviewing", _("差异复核")
    PENDING = "pending", _("待审批")
    APPLIED = "applied", _("已调账")
    CANCELLED = "cancelled", _("已取消")


OPEN_STATUSES = (Status.DRAFT, Status.COUNTING, Status.REVIEWING, Status.PENDING)


class Observed(models.TextChoices):
    """What the counter saw of a card."""

    IN_USE = "in_use", _("在用")
    IDLE = "idle", _("闲置")
    DAMAGED = "damaged", _("损坏")


class Stocktake(SchoolScopedModel):
    number = models.CharField(_("盘点单号"), max_length=20, editable=False)
    name = models.CharField(_("盘点名称"), max_length=100)
    base_date = models.DateField(_("基准日"))
    campuses = models.ManyToManyField(
        "org.Campus", verbose_name=_("校区"), blank=True, related_name="+"
    )
    buildings = models.ManyToManyField(
        "org.Building", verbose_name=_("楼栋"), blank=True, related_name="+"
    )
    departments = models.ManyToManyField(
        "org.Department", verbose_name=_("使用部门"), blank=True, related_name="+"
    )
    method_note = models.TextField(_("盘点方式说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        "accounts.Staff", verbose_name=_("负责人"), on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("开始盘点"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束盘点"), null=True, blank=True)
    applied_at = models.DateTimeField(_("调账时间"), null=True, blank=True)
    reviewed_by = optional_ref("accounts.Staff", _("复核人"))
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    line_count = models.PositiveIntegerField(_("账面卡片数"), default=0)

    class Meta:
        verbose_name = _("资产盘点")
        verbose_name_plural = _("资产盘点")
        ordering = ["-base_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "number"], name="stocktake_number_unique"),
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="stocktake_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["school", "status", "id"], name="stocktake_school")]

    def __str__(self):
        return f"{self.number} {self.name}"

    def get_absolute_url(self):
        return reverse("stocktakes:detail", args=[self.pk])

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    def on_approval_decided(self, approval):
        from houqin.stocktakes.services import approval_decided

        approval_decided(self, approval)


class Counter(models.Model):
    """A counter (盘点人) of a stocktake, maybe limited to some buildings."""

    stocktake = models.ForeignKey(Stocktake, on_delete=models.CASCADE, related_name="counters")
    staff = models.ForeignKey(
        "accounts.Staff", verbose_name=_("盘点人"), on_delete=models.PROTECT, related_name="+"
    )
    buildings = models.ManyToManyField(
        "org.Building", verbose_name=_("负责楼栋"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("盘点人")
        verbose_name_plural = _("盘点人")
        ordering = ["stocktake", "id"]
        constraints = [
            models.UniqueConstraint(fields=["stocktake", "staff"], name="stocktake_counter_once"),
        ]
        indexes = [models.Index(fields=["staff", "stocktake"], name="stocktake_counter_staff")]

    def __str__(self):
        return str(self.staff)


class Line(models.Model):
    """One card on the books at the start, and what was found of it."""

    stocktake = models.ForeignKey(Stocktake, on_delete=models.CASCADE, related_name="lines")
    asset = models.ForeignKey(
        "assets.Asset", verbose_name=_("资产"), on_delete=models.PROTECT, related_name="+"
    )
    expected_place = optional_ref("org.Place", _("账面地点"))
    custodian = optional_ref("accounts.Staff", _("使用人"))
    book_status = models.CharField(_("账面状态"), max_length=20)
    net_value = models.DecimalField(_("净值(元)"), default=ZERO, **MONEY)
    found_place = optional_ref("org.Place", _("实盘地点"))
    observed_status = models.CharField(
        _("实盘状态"), max_length=10, choices=Observed.choices, blank=True
    )
    counted_by = optional_ref("accounts.Staff", _("盘点人"))
    counted_at = models.DateTimeField(_("盘点时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("盘点明细")
        verbose_name_plural = _("盘点明细")
        ordering = ["stocktake", "id"]
        constraints = [
            models.UniqueConstraint(fields=["stocktake", "asset"], name="stocktake_line_once"),
            models.CheckConstraint(
                condition=models.Q(observed_status__in=["", *Observed.values]),
                name="stocktake_line_observed_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["stocktake", "expected_place"], name="stocktake_line_place"),
        ]

    def __str__(self):
        return f"{self.stocktake_id} {self.asset_id}"

    @property
    def found(self):
        return self.counted_at is not None


class Scan(models.Model):
    """One scan sent by a phone: a card seen in a room, or an item not on the books
    (盘盈, ``line`` empty). ``client_uuid`` is made by the phone; a replay is a no-op."""

    stocktake = models.ForeignKey(Stocktake, on_delete=models.CASCADE, related_name="scans")
    client_uuid = models.UUIDField(_("扫描编号"), unique=True)
    line = models.ForeignKey(
        Line, null=True, blank=True, on_delete=models.CASCADE, related_name="scans"
    )
    place = models.ForeignKey(
        "org.Place", verbose_name=_("房间"), on_delete=models.PROTECT, related_name="+"
    )
    observed_status = models.CharField(
        _("实盘状态"), max_length=10, choices=Observed.choices, default=Observed.IN_USE
    )
    surplus_name = models.CharField(_("盘盈物品名称"), max_length=100, blank=True)
    surplus_note = models.CharField(_("盘盈物品描述"), max_length=300, blank=True)
    counted_by = models.ForeignKey(
        "accounts.Staff", verbose_name=_("盘点人"), on_delete=models.PROTECT, related_name="+"
    )
    scanned_at = models.DateTimeField(_("扫描时间"))
    synced_at = models.DateTimeField(_("同步时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("盘点扫描")
        verbose_name_plural = _("盘点扫描")
        ordering = ["stocktake", "scanned_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(observed_status__in=Observed.values),
                name="stocktake_scan_observed_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(line__isnull=False) | ~models.Q(surplus_name=""),
                name="stocktake_scan_line_or_surplus",
            ),
        ]
        indexes = [models.Index(fields=["stocktake", "place"], name="stocktake_scan_place")]

    def __str__(self):
        return str(self.client_uuid)

    @property
    def school_id(self):
        """The stocktake's school: attachments (``houqin.files``) belong to a school."""
        return self.stocktake.school_id


class ScanPhoto(models.Model):
    """A photo the phone uploaded for a scan (a damaged card, a 盘盈 item), under the
    phone's own UUID: a retried upload finds this row and attaches nothing twice."""

    client_uuid = models.UUIDField(_("客户端编号"), unique=True)
    scan = models.ForeignKey(Scan, on_delete=models.CASCADE, related_name="photos")
    attachment = models.OneToOneField(
        "files.Attachment", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("盘点照片")
        verbose_name_plural = _("盘点照片")
        ordering = ["scan", "created_at", "id"]

    def __str__(self):
        return str(self.client_uuid)


class DifferenceKind(models.TextChoices):
    SURPLUS = "surplus", _("盘盈")
    MISSING = "missing", _("盘亏")
    WRONG_PLACE = "wrong_place", _("地点不符")
    WRONG_STATUS = "wrong_status", _("状态不符")
    DAMAGED = "damaged", _("损坏")


class Difference(models.Model):
    """A difference found when counting ended, with its cause and proposed handling."""

    Kind = DifferenceKind

    stocktake = models.ForeignKey(Stocktake, on_delete=models.CASCADE, related_name="differences")
    kind = models.CharField(_("差异类型"), max_length=15, choices=DifferenceKind.choices)
    line = models.ForeignKey(
        Line, null=True, blank=True, on_delete=models.CASCADE, related_name="differences"
    )
    scan = models.OneToOneField(
        Scan, null=True, blank=True, on_delete=models.CASCADE, related_name="difference"
    )
    amount = models.DecimalField(_("金额(元)"), default=ZERO, **MONEY)
    cause = models.CharField(_("差异原因"), max_length=200, blank=True)
    handling = models.CharField(_("处理意见"), max_length=200, blank=True)
    # 盘盈: the card booked on approval needs a class.
    category = optional_ref("assets.Category", _("资产分类"))
    new_asset = optional_ref("assets.Asset", _("盘盈入账卡片"))

    class Meta:
        verbose_name = _("盘点差异")
        verbose_name_plural = _("盘点差异")
        ordering = ["stocktake", "kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=DifferenceKind.values),
                name="stocktake_difference_kind_valid",
            ),
            models.UniqueConstraint(
                fields=["line", "kind"],
                condition=models.Q(line__isnull=False),
                name="stocktake_difference_once",
            ),
        ]

    def __str__(self):
        return f"{self.stocktake_id} {self.get_kind_display()}"
