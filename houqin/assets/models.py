"""Fixed assets (固定资产): the national classification, asset cards, their history,
acceptance of deliveries, and the monthly depreciation.

Follows ``DOMAIN.md`` (fixed assets): GB/T 14885-2022 classes with the 2010 codes kept for
legacy data; the card's four sections (基本信息, 财务信息, 使用信息, 处置信息); straight-line
monthly depreciation with zero residual value, the life locked once set, exempt classes
skipped. Built for a district of a million cards: the list's filters each have an index
leading with ``school_id`` (and one without it for the district), names are searched by a
trigram index on PostgreSQL and by stored pinyin initials everywhere.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from houqin.core.models import EventModel, NamedWithInitialsModel
from houqin.org.models import SchoolScopedModel, SchoolScopedQuerySet

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")


def optional_ref(to, verbose_name):
    """An optional link to a record that may not be deleted while linked and has no way
    back to this one (``related_name="+"``): where something is kept, who uses it…"""
    return models.ForeignKey(
        to,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )


class Category(NamedWithInitialsModel):
    """One node of GB/T 14885-2022 (门类 A01…A07 down to items). National, not per school;
    seeded from ``data/categories.csv`` by a data migration."""

    code = models.CharField(_("分类代码"), max_length=20, unique=True)
    name = models.CharField(_("分类名称"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级分类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.PositiveSmallIntegerField(_("层级"))
    depreciable = models.BooleanField(_("计提折旧"), default=True)
    # The minimum life (政府会计准则第3号 table / school practice); a card's own life is
    # set from it and may be longer, never shorter.
    life_years = models.PositiveSmallIntegerField(_("最低折旧年限(年)"), null=True, blank=True)
    code_2010 = models.CharField(_("2010版代码"), max_length=20, blank=True, db_index=True)

    class Meta:
        verbose_name = _("资产分类")
        verbose_name_plural = _("资产分类")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def top_code(self):
        return self.code[:3]


class AcquisitionMethod(models.TextChoices):
    PURCHASE = "purchase", _("新购")
    TRANSFER_IN = "transfer_in", _("调拨")
    DONATION = "donation", _("接受捐赠")
    SELF_BUILT = "self_built", _("自建")
    SURPLUS = "surplus", _("盘盈")
    OTHER = "other", _("其他")


class Status(models.TextChoices):
    IN_USE = "in_use", _("在用")
    IDLE = "idle", _("闲置")
    REPAIRING = "repairing", _("维修中")
    PENDING_DISPOSAL = "pending_disposal", _("待处置")
    DISPOSED = "disposed", _("已处置")


class DisposalMethod(models.TextChoices):
    REALLOCATE = "reallocate", _("调剂")
    DONATE = "donate", _("捐赠")
    SELL = "sell", _("变卖")
    LOSS = "loss", _("报损")
    SCRAP = "scrap", _("报废")


class AssetQuerySet(SchoolScopedQuerySet):
    def on_books(self):
        return self.exclude(status=Status.DISPOSED)


class Asset(SchoolScopedModel, NamedWithInitialsModel):
    """The asset card (资产卡片). A lot of identical items may be one card with a
    quantity, or one card per unit (the school chooses at acceptance)."""

    campus_path = "place__campus"
    # No department_path: the asset clerk and the logistics office hold cards of every
    # department; ``access.visible_assets`` decides who sees what.

    # 基本信息
    number = models.CharField(_("资产编号"), max_length=40)
    name = models.CharField(_("资产名称"), max_length=100)
    category = models.ForeignKey(
        Category, verbose_name=_("分类代码"), on_delete=models.PROTECT, related_name="+"
    )
    legacy_code = models.CharField(_("旧分类代码(2010版)"), max_length=20, blank=True)
    spec = models.CharField(_("规格"), max_length=100, blank=True)
    model_name = models.CharField(_("型号"), max_length=100, blank=True)
    brand = models.CharField(_("品牌"), max_length=100, blank=True)
    serial_number = models.CharField(_("序列号"), max_length=100, blank=True)
    unit = models.CharField(_("计量单位"), max_length=10, default="台")
    quantity = models.PositiveIntegerField(_("数量"), default=1, validators=[MinValueValidator(1)])
    area = models.DecimalField(
        _("面积(平方米)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    acquisition_method = models.CharField(
        _("取得方式"),
        max_length=20,
        choices=AcquisitionMethod.choices,
        default=AcquisitionMethod.PURCHASE,
    )
    acquired_on = models.DateField(_("取得日期"))

    # 财务信息
    booked_on = models.DateField(_("记账日期"), null=True, blank=True)
    original_value = models.DecimalField(_("原值(元)"), validators=[MinValueValidator(0)], **MONEY)
    fiscal_amount = models.DecimalField(_("财政拨款(元)"), default=ZERO, **MONEY)
    non_fiscal_amount = models.DecimalField(_("非财政拨款(元)"), default=ZERO, **MONEY)
    project_code = models.CharField(_("项目代码"), max_length=50, blank=True)
    funding_source = models.CharField(_("经费来源"), max_length=50, blank=True)
    procurement_form = models.CharField(_("采购组织形式"), max_length=50, blank=True)
    invoice_number = models.CharField(_("发票号"), max_length=50, blank=True)
    life_months = models.PositiveSmallIntegerField(_("折旧年限(月)"), null=True, blank=True)
    # Set by the first depreciation: from then on the life is not changed at will.
    life_locked = models.BooleanField(_("折旧年限已锁定"), default=False)
    depreciated_months = models.PositiveSmallIntegerField(_("已提月数"), default=0)
    accumulated_depreciation = models.DecimalField(_("累计折旧(元)"), default=ZERO, **MONEY)
    net_value = models.DecimalField(_("净值(元)"), **MONEY)
    # The last month depreciated (its first day): the monthly job's idempotency guard.
    depreciated_through = models.DateField(_("折旧计提至"), null=True, blank=True)

    # 使用信息
    status = models.CharField(
        _("使用状态"), max_length=20, choices=Status.choices, default=Status.IN_USE
    )
    purpose = models.CharField(_("用途"), max_length=50, blank=True)
    managing_department = optional_ref("org.Department", _("管理部门"))
    using_department = models.ForeignKey(
        "org.Department",
        verbose_name=_("使用部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assets",
    )
    custodian = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("使用人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assets",
    )
    place = models.ForeignKey(
        "org.Place",
        verbose_name=_("存放地点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assets",
    )

    # 处置信息
    disposal_method = models.CharField(
        _("处置方式"), max_length=20, choices=DisposalMethod.choices, blank=True
    )
    disposed_on = models.DateField(_("处置日期"), null=True, blank=True)
    disposal_note = models.CharField(_("处置说明"), max_length=300, blank=True)

    acceptance = models.ForeignKey(
        "assets.Acceptance",
        verbose_name=_("验收单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assets",
    )
    note = models.CharField(_("备注"), max_length=300, blank=True)

    objects = AssetQuerySet.as_manager()

    class Meta:
        verbose_name = _("资产卡片")
        verbose_name_plural = _("资产卡片")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "number"], name="assets_unique_number"),
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="assets_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(acquisition_method__in=AcquisitionMethod.values),
                name="assets_acquisition_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(disposal_method__in=["", *DisposalMethod.values]),
                name="assets_disposal_method_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(original_value__gte=0), name="assets_value_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(accumulated_depreciation__lte=models.F("original_value")),
                name="assets_depreciation_within_value",
            ),
        ]
        # The list's filters and sort, per school and across the district (id order).
        indexes = [
            models.Index(fields=["school", "status", "id"], name="assets_school_status"),
            models.Index(fields=["school", "category", "id"], name="assets_school_category"),
            models.Index(fields=["school", "using_department", "id"], name="assets_school_dept"),
            models.Index(fields=["school", "place", "id"], name="assets_school_place"),
            models.Index(fields=["school", "custodian", "id"], name="assets_school_custodian"),
            models.Index(fields=["school", "name_initials"], name="assets_school_initials"),
            models.Index(fields=["status", "id"], name="assets_by_status"),
            models.Index(fields=["category", "id"], name="assets_by_category"),
            models.Index(fields=["number"], name="assets_by_number"),
            models.Index(fields=["depreciated_through"], name="assets_by_depreciation"),
        ]

    def __str__(self):
        return f"{self.number} {self.name}"

    def get_absolute_url(self):
        return reverse("assets:detail", args=[self.pk])

    @property
    def monthly_depreciation(self) -> Decimal:
        """Straight line, zero residual: the original value over the life in months; the
        last month takes what is left so the sum is exact."""
        if not self.life_months or not self.category.depreciable:
            return ZERO
        remaining = self.life_months - self.depreciated_months
        if remaining <= 0:
            return ZERO
        if remaining == 1:
            return self.original_value - self.accumulated_depreciation
        return (self.original_value / self.life_months).quantize(Decimal("0.01"))


class AssetEvent(EventModel):
    """One line of a card's history (accepted, edited, moved, repaired, counted,
    disposed…). Written by the services only; never changed."""

    class Action(models.TextChoices):
        CREATE = "create", _("建卡")
        ACCEPT = "accept", _("验收入账")
        IMPORT = "import", _("导入")
        EDIT = "edit", _("修改")
        MOVE = "move", _("转移")
        RETURN = "return", _("退库")
        STATUS = "status", _("状态变更")
        REPAIR = "repair", _("报修")
        STOCKTAKE = "stocktake", _("盘点")
        DISPOSE = "dispose", _("处置")
        NOTE = "note", _("备注")

    subject_field = "asset"

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    # What changed: {"field": [old, new], …} as display strings.
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)

    class Meta:
        verbose_name = _("资产履历")
        verbose_name_plural = _("资产履历")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["asset", "created_at"], name="assets_event_asset")]

    def __str__(self):
        return f"{self.asset_id} {self.get_action_display()}"


class Acceptance(SchoolScopedModel):
    """A delivery accepted (验收) by a group of two or more: lines checked against the
    order, invoice, photos, result. Accepting creates the cards."""

    class State(models.TextChoices):
        DRAFT = "draft", _("验收中")
        ACCEPTED = "accepted", _("已验收入账")
        REJECTED = "rejected", _("验收不合格")

    number = models.CharField(_("验收单号"), max_length=20, editable=False)
    supplier = models.CharField(_("供应商"), max_length=100)
    order_number = models.CharField(_("合同/订单号"), max_length=50, blank=True)
    invoice_number = models.CharField(_("发票号"), max_length=50, blank=True)
    delivered_on = models.DateField(_("到货日期"))
    accepted_on = models.DateField(_("验收日期"), null=True, blank=True)
    funding_source = models.CharField(_("经费来源"), max_length=50, blank=True)
    procurement_form = models.CharField(_("采购组织形式"), max_length=50, blank=True)
    group = models.ManyToManyField(
        "accounts.Staff", verbose_name=_("验收小组"), related_name="acceptances"
    )
    result_note = models.TextField(_("验收意见"), blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("经办人"),
        on_delete=models.PROTECT,
        related_name="acceptances_made",
    )

    class Meta:
        verbose_name = _("资产验收单")
        verbose_name_plural = _("资产验收单")
        ordering = ["-delivered_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "number"], name="assets_acceptance_number"),
            models.CheckConstraint(
                condition=models.Q(state__in=["draft", "accepted", "rejected"]),
                name="assets_acceptance_state_valid",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.supplier}"

    def get_absolute_url(self):
        return reverse("assets:acceptance_detail", args=[self.pk])


class AcceptanceLine(models.Model):
    acceptance = models.ForeignKey(Acceptance, on_delete=models.CASCADE, related_name="lines")
    category = models.ForeignKey(Category, verbose_name=_("分类"), on_delete=models.PROTECT)
    name = models.CharField(_("名称"), max_length=100)
    spec = models.CharField(_("规格"), max_length=100, blank=True)
    model_name = models.CharField(_("型号"), max_length=100, blank=True)
    brand = models.CharField(_("品牌"), max_length=100, blank=True)
    unit = models.CharField(_("计量单位"), max_length=10, default="台")
    quantity_ordered = models.PositiveIntegerField(_("订购数量"))
    quantity_received = models.PositiveIntegerField(_("实收数量"))
    unit_price = models.DecimalField(_("单价(元)"), validators=[MinValueValidator(0)], **MONEY)
    # 50 desks: one card with quantity 50, or 50 cards of one each.
    card_per_unit = models.BooleanField(_("每件一张卡片"), default=True)
    life_months = models.PositiveSmallIntegerField(_("折旧年限(月)"), null=True, blank=True)
    using_department = optional_ref("org.Department", _("使用部门"))
    custodian = optional_ref("accounts.Staff", _("使用人"))
    place = optional_ref("org.Place", _("存放地点"))
    check_note = models.CharField(_("核对情况"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("验收明细")
        verbose_name_plural = _("验收明细")
        ordering = ["acceptance", "id"]

    def __str__(self):
        return self.name

    @property
    def amount(self):
        return self.unit_price * self.quantity_received


class DepreciationRun(SchoolScopedModel):
    """One month's depreciation for one school; unique per (school, month), so running
    the job twice books nothing twice."""

    period = models.DateField(_("折旧月份"))
    asset_count = models.PositiveIntegerField(_("计提卡片数"), default=0)
    amount = models.DecimalField(_("本月折旧(元)"), default=ZERO, **MONEY)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("月度折旧")
        verbose_name_plural = _("月度折旧")
        ordering = ["-period", "school"]
        constraints = [
            models.UniqueConstraint(fields=["school", "period"], name="assets_depreciation_once"),
        ]

    def __str__(self):
        return f"{self.period:%Y-%m}"


class DepreciationLine(models.Model):
    """A month's depreciation by class and department: the reports read these."""

    run = models.ForeignKey(DepreciationRun, on_delete=models.CASCADE, related_name="lines")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    asset_count = models.PositiveIntegerField(default=0)
    amount = models.DecimalField(**MONEY)

    class Meta:
        verbose_name = _("折旧汇总")
        verbose_name_plural = _("折旧汇总")
        ordering = ["run", "category", "department"]

    def __str__(self):
        return f"{self.run} {self.category_id} {self.amount}"


# --- movements (调拨/退库/闲置调剂) and disposals (处置) -------------------------------------


class MovementKind(models.TextChoices):
    TRANSFER = "transfer", _("调拨")
    RETURN_TO_STORE = "return_to_store", _("退库")
    IDLE_REQUEST = "idle_request", _("闲置调剂")


class MovementStatus(models.TextChoices):
    PENDING = "pending", _("审批中")
    DONE = "done", _("已完成")
    REJECTED = "rejected", _("未同意")
    WITHDRAWN = "withdrawn", _("已撤回")


class Movement(SchoolScopedModel):
    """A request to move cards to another room, department or person (调拨), back to the
    store (退库), or out of the idle pool to a department that asked (闲置调剂). It goes
    through approval; when approved the cards move at once."""

    number = models.CharField(_("调拨单号"), max_length=20, editable=False)
    kind = models.CharField(_("类型"), max_length=20, choices=MovementKind.choices)
    to_place = optional_ref("org.Place", _("调入地点"))
    to_department = optional_ref("org.Department", _("调入部门"))
    to_custodian = optional_ref("accounts.Staff", _("新使用人"))
    reason = models.CharField(_("事由"), max_length=500)
    status = models.CharField(
        _("状态"), max_length=10, choices=MovementStatus.choices, default=MovementStatus.PENDING
    )
    requested_by = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="asset_movements",
    )
    decided_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("资产调拨单")
        verbose_name_plural = _("资产调拨单")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "number"], name="assets_movement_number"),
            models.CheckConstraint(
                condition=models.Q(kind__in=MovementKind.values), name="assets_movement_kind"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=MovementStatus.values),
                name="assets_movement_status",
            ),
        ]
        indexes = [
            models.Index(fields=["school", "status", "created_at"], name="assets_movement_list"),
            models.Index(fields=["school", "requested_by"], name="assets_movement_requester"),
        ]

    def __str__(self):
        return f"{self.number} {self.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("assets:movement_detail", args=[self.pk])

    @property
    def is_open(self):
        return self.status == MovementStatus.PENDING

    def on_approval_decided(self, approval):
        from houqin.assets.services_moves import movement_decided

        movement_decided(approval)


class CardLine(models.Model):
    """A card named on a movement or a disposal, with its original value when it was asked
    for. ``is_open`` while the document is open: ``one_open_card`` keeps a card on one open
    document of a kind at a time."""

    original_value = models.DecimalField(_("原值(元)"), **MONEY)
    is_open = models.BooleanField(default=True)

    class Meta:
        abstract = True

    @staticmethod
    def one_open_card(name):
        return models.UniqueConstraint(
            fields=["asset"], condition=models.Q(is_open=True), name=name
        )


class MovementLine(CardLine):
    """One card of a movement, with where it was (a snapshot) when it was asked for.
    ``is_open`` while the movement is pending: a card is in one open movement at a time."""

    movement = models.ForeignKey(Movement, on_delete=models.CASCADE, related_name="lines")
    asset = models.ForeignKey(
        Asset, verbose_name=_("资产"), on_delete=models.PROTECT, related_name="movement_lines"
    )
    from_place = optional_ref("org.Place", _("原存放地点"))
    from_department = optional_ref("org.Department", _("原使用部门"))
    from_custodian = optional_ref("accounts.Staff", _("原使用人"))

    class Meta:
        verbose_name = _("调拨明细")
        verbose_name_plural = _("调拨明细")
        ordering = ["movement", "id"]
        constraints = [CardLine.one_open_card("assets_one_open_movement")]

    def __str__(self):
        return f"{self.movement_id} {self.asset_id}"


class DisposalStatus(models.TextChoices):
    DRAFT = "draft", _("待鉴定")
    APPRAISING = "appraising", _("技术鉴定中")
    PENDING = "pending", _("审批中")
    APPROVED = "approved", _("已批准待核销")
    WRITTEN_OFF = "written_off", _("已核销")
    REJECTED = "rejected", _("未同意")
    CANCELLED = "cancelled", _("已撤销")


DISPOSAL_OPEN = (
    DisposalStatus.DRAFT,
    DisposalStatus.APPRAISING,
    DisposalStatus.PENDING,
    DisposalStatus.APPROVED,
)


class Disposal(SchoolScopedModel):
    """A disposal (处置): request → technical appraisal (技术鉴定) → approval by value
    tier → write-off (核销). While open its cards are 待处置."""

    number = models.CharField(_("处置单号"), max_length=20, editable=False)
    method = models.CharField(_("处置方式"), max_length=20, choices=DisposalMethod.choices)
    reason = models.CharField(_("处置原因"), max_length=500)
    status = models.CharField(
        _("状态"), max_length=12, choices=DisposalStatus.choices, default=DisposalStatus.DRAFT
    )
    requested_by = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="asset_disposals",
    )
    appraiser = models.CharField(_("鉴定人/鉴定机构"), max_length=100, blank=True)
    appraised_on = models.DateField(_("鉴定日期"), null=True, blank=True)
    appraisal_conclusion = models.TextField(_("鉴定结论"), blank=True)
    written_off_on = models.DateField(_("核销日期"), null=True, blank=True)
    written_off_by = optional_ref("accounts.Staff", _("核销人"))
    closing_note = models.CharField(_("办结说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("资产处置单")
        verbose_name_plural = _("资产处置单")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "number"], name="assets_disposal_number"),
            models.CheckConstraint(
                condition=models.Q(method__in=DisposalMethod.values),
                name="assets_disposal_method",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=DisposalStatus.values),
                name="assets_disposal_status",
            ),
        ]
        indexes = [
            models.Index(fields=["school", "status", "created_at"], name="assets_disposal_list"),
        ]

    def __str__(self):
        return f"{self.number} {self.get_method_display()}"

    def get_absolute_url(self):
        return reverse("assets:disposal_detail", args=[self.pk])

    @property
    def is_open(self):
        return self.status in DISPOSAL_OPEN

    def on_approval_decided(self, approval):
        from houqin.assets.services_moves import disposal_decided

        disposal_decided(approval)


class DisposalLine(CardLine):
    """One card of a disposal with its values when it was asked for, and the status it
    goes back to if the disposal is refused or cancelled."""

    disposal = models.ForeignKey(Disposal, on_delete=models.CASCADE, related_name="lines")
    asset = models.ForeignKey(
        Asset, verbose_name=_("资产"), on_delete=models.PROTECT, related_name="disposal_lines"
    )
    accumulated_depreciation = models.DecimalField(_("累计折旧(元)"), **MONEY)
    net_value = models.DecimalField(_("净值(元)"), **MONEY)
    previous_status = models.CharField(_("原使用状态"), max_length=20, choices=Status.choices)

    class Meta:
        verbose_name = _("处置明细")
        verbose_name_plural = _("处置明细")
        ordering = ["disposal", "id"]
        constraints = [CardLine.one_open_card("assets_one_open_disposal")]

    def __str__(self):
        return f"{self.disposal_id} {self.asset_id}"


def _ledger_import_path(instance, _filename):
    return f"imports/assets/{instance.school_id}/{instance.token}.xlsx"


def _new_token():
    return uuid.uuid4().hex


class LedgerImport(SchoolScopedModel):
    """One uploaded ledger (资产台账导入) and what became of it: the file, its column
    mapping, and the result of the last check or commit. The pages name it by a random
    token, so one school cannot guess another's uploads."""

    class State(models.TextChoices):
        UPLOADED = "uploaded", _("待预览")
        PREVIEWED = "previewed", _("已预览")
        COMMITTED = "committed", _("已导入")
        FAILED = "failed", _("导入失败")

    token = models.CharField(max_length=32, unique=True, default=_new_token, editable=False)
    file = models.FileField(_("文件"), upload_to=_ledger_import_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    header_row = models.PositiveIntegerField(_("表头行"), default=1)
    headers = models.JSONField(_("列名"), default=list)
    # field key → column index (see ``importer.FIELDS``).
    mapping = models.JSONField(_("列对应"), default=dict)
    state = models.CharField(
        _("状态"), max_length=12, choices=State.choices, default=State.UPLOADED
    )
    row_count = models.PositiveIntegerField(_("数据行数"), default=0)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    created_count = models.PositiveIntegerField(_("新增卡片数"), default=0)
    committed_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    error_summary = models.TextField(_("错误摘要"), blank=True)

    class Meta:
        verbose_name = _("资产台账导入")
        verbose_name_plural = _("资产台账导入")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=["uploaded", "previewed", "committed", "failed"]),
                name="assets_ledger_import_state_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["school", "created_at"], name="assets_ledger_import_recent"),
        ]

    def __str__(self):
        return self.original_name

    @property
    def is_committed(self):
        return self.state == self.State.COMMITTED
