"""Consumables (低值易耗品): stores, items, stock per store, and a ledger of every movement.

Stock is a row per (store, item) whose quantity a CheckConstraint keeps at zero or more;
every change goes through ``services`` under a row lock and writes one ``StockMove``,
which is never changed or deleted. Requisitions (领用) go through the approvals app
(kind "requisition"), are issued by the store's keeper, possibly in parts, and returnable
items come back (归还). A count sheet (盘库) snapshots the book quantities of a store and,
once applied, writes the differences to the ledger as adjustments.
"""

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from houqin.core.models import AppendOnlyModel, ArchivableModel, NamedWithInitialsModel
from houqin.org.models import SchoolScopedModel, SchoolScopedQuerySet

MONEY = {"max_digits": 14, "decimal_places": 2}


class ItemCategory(models.TextChoices):
    STATIONERY = "stationery", _("文具")
    CLEANING = "cleaning", _("清洁用品")
    ELECTRICAL = "electrical", _("电工配件")
    OFFICE = "office", _("办公用品")
    TEACHING = "teaching", _("教学用品")
    OTHER = "other", _("其他")


class Store(SchoolScopedModel, ArchivableModel, NamedWithInitialsModel):
    """A store room (库房) and the person who keeps it."""

    name = models.CharField(_("库房名称"), max_length=100)
    place = models.ForeignKey(
        "org.Place",
        verbose_name=_("位置"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    keeper = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("库管员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supply_stores",
    )

    class Meta:
        verbose_name = _("库房")
        verbose_name_plural = _("库房")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="supplies_store_unique_name")
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("supplies:store_detail", args=[self.pk])


class Item(SchoolScopedModel, ArchivableModel, NamedWithInitialsModel):
    name = models.CharField(_("物品名称"), max_length=100)
    spec = models.CharField(_("规格型号"), max_length=100, blank=True)
    unit = models.CharField(_("单位"), max_length=10)
    category = models.CharField(
        _("类别"), max_length=20, choices=ItemCategory.choices, default=ItemCategory.OTHER
    )
    min_stock = models.PositiveIntegerField(
        _("最低库存"), default=0, help_text=_("全校库存低于此数时列入低库存清单")
    )
    returnable = models.BooleanField(
        _("需归还"), default=False, help_text=_("工具、投影仪等借用后要归还的物品")
    )
    # The price of the latest stock-in: what a requisition is worth for its approval.
    last_price = models.DecimalField(_("最新单价(元)"), default=0, **MONEY)

    class Meta:
        verbose_name = _("物品")
        verbose_name_plural = _("物品")
        ordering = ["category", "name", "spec", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "name", "spec"], name="supplies_item_unique_name"
            ),
            models.CheckConstraint(
                condition=Q(category__in=ItemCategory.values), name="supplies_item_category_valid"
            ),
            models.CheckConstraint(
                condition=Q(last_price__gte=0), name="supplies_item_price_gte_0"
            ),
        ]
        indexes = [models.Index(fields=["school", "name_initials"], name="supplies_item_initials")]

    def __str__(self):
        return f"{self.name}（{self.spec}）" if self.spec else self.name

    def get_absolute_url(self):
        return reverse("supplies:item_detail", args=[self.pk])


class Stock(SchoolScopedModel):
    """How many of one item a store holds now. Changed only by ``services`` under a lock."""

    store = models.ForeignKey(
        Store, verbose_name=_("库房"), on_delete=models.PROTECT, related_name="stocks"
    )
    item = models.ForeignKey(
        Item, verbose_name=_("物品"), on_delete=models.PROTECT, related_name="stocks"
    )
    quantity = models.IntegerField(_("库存数量"), default=0)

    class Meta:
        verbose_name = _("库存")
        verbose_name_plural = _("库存")
        ordering = ["store", "item"]
        constraints = [
            models.UniqueConstraint(fields=["store", "item"], name="supplies_stock_unique"),
            models.CheckConstraint(
                condition=Q(quantity__gte=0), name="supplies_stock_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.store} {self.item} {self.quantity}"


class MoveKind(models.TextChoices):
    IN = "in", _("入库")
    ISSUE = "issue", _("发放")
    RETURN = "return", _("归还")
    ADJUST = "adjust", _("盘库调整")
    TRANSFER_OUT = "transfer_out", _("调出")
    TRANSFER_IN = "transfer_in", _("调入")


class LedgerError(Exception):
    pass


class ImmutableQuerySet(SchoolScopedQuerySet):
    def update(self, **kwargs):
        raise LedgerError(_("库存台账不能修改。"))

    def delete(self):
        raise LedgerError(_("库存台账不能删除。"))


class StockMove(AppendOnlyModel, SchoolScopedModel):
    """One line of the stock ledger (库存台账). Written once; never changed, never deleted."""

    store = models.ForeignKey(
        Store, verbose_name=_("库房"), on_delete=models.PROTECT, related_name="moves"
    )
    item = models.ForeignKey(
        Item, verbose_name=_("物品"), on_delete=models.PROTECT, related_name="moves"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=MoveKind.choices)
    # Signed: in, return, transfer in and a surplus are positive; the rest negative.
    quantity = models.IntegerField(_("数量"))
    balance = models.IntegerField(_("结存"))
    unit_price = models.DecimalField(_("单价(元)"), default=0, **MONEY)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    by = models.ForeignKey(
        "accounts.Staff", verbose_name=_("经办人"), on_delete=models.PROTECT, related_name="+"
    )
    # Who received or brought back the items, and for which department (issue, return).
    person = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("领用人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supply_moves",
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requisition_line = models.ForeignKey(
        "RequisitionLine", null=True, blank=True, on_delete=models.PROTECT, related_name="moves"
    )
    stock_in = models.ForeignKey(
        "StockIn", null=True, blank=True, on_delete=models.PROTECT, related_name="moves"
    )
    count = models.ForeignKey(
        "CountSheet", null=True, blank=True, on_delete=models.PROTECT, related_name="moves"
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        verbose_name = _("库存台账")
        verbose_name_plural = _("库存台账")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=MoveKind.values), name="supplies_move_kind_valid"
            ),
            models.CheckConstraint(condition=~Q(quantity=0), name="supplies_move_not_zero"),
            models.CheckConstraint(condition=Q(balance__gte=0), name="supplies_move_balance_gte_0"),
        ]
        indexes = [
            models.Index(fields=["school", "kind", "at"], name="supplies_move_kind_at"),
            models.Index(fields=["item", "at"], name="supplies_move_item_at"),
            models.Index(fields=["store", "at"], name="supplies_move_store_at"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.item} {self.quantity}"

    def refuse(self, change):
        if change == "deleted":
            raise LedgerError(_("库存台账不能删除。"))
        raise LedgerError(_("库存台账不能修改。"))

    @property
    def amount(self):
        return abs(self.quantity) * self.unit_price


class StockIn(SchoolScopedModel):
    """入库单: what a supplier delivered to a store, with the invoice attached."""

    store = models.ForeignKey(
        Store, verbose_name=_("库房"), on_delete=models.PROTECT, related_name="stock_ins"
    )
    supplier = models.CharField(_("供应商"), max_length=100)
    date = models.DateField(_("入库日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    by = models.ForeignKey(
        "accounts.Staff", verbose_name=_("经办人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("入库单")
        verbose_name_plural = _("入库单")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["school", "date"], name="supplies_stockin_date")]

    def __str__(self):
        return f"RK{self.pk:06d}"

    def get_absolute_url(self):
        return reverse("supplies:stock_in_detail", args=[self.pk])

    @property
    def number(self):
        return str(self)


class StockInLine(models.Model):
    stock_in = models.ForeignKey(
        StockIn, verbose_name=_("入库单"), on_delete=models.CASCADE, related_name="lines"
    )
    item = models.ForeignKey(
        Item, verbose_name=_("物品"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("数量"))
    unit_price = models.DecimalField(_("单价(元)"), **MONEY)

    class Meta:
        verbose_name = _("入库明细")
        verbose_name_plural = _("入库明细")
        ordering = ["stock_in", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="supplies_inline_qty_gt_0"),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="supplies_inline_price_gte_0"
            ),
        ]

    def __str__(self):
        return f"{self.item} × {self.quantity}"

    @property
    def amount(self):
        return self.quantity * self.unit_price


class RequisitionStatus(models.TextChoices):
    PENDING = "pending", _("审批中")
    APPROVED = "approved", _("待发放")
    PARTIAL = "partial", _("部分发放")
    ISSUED = "issued", _("已发放")
    CLOSED = "closed", _("已结束")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")


# Approved requisitions the keeper still has to hand out.
TO_ISSUE = [RequisitionStatus.APPROVED, RequisitionStatus.PARTIAL]


class Requisition(SchoolScopedModel):
    """领用单: a member of staff asks a store for items for their department."""

    department_path = "department"

    requester = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("领用人"),
        on_delete=models.PROTECT,
        related_name="requisitions",
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    store = models.ForeignKey(
        Store, verbose_name=_("库房"), on_delete=models.PROTECT, related_name="requisitions"
    )
    purpose = models.CharField(_("用途"), max_length=200)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=RequisitionStatus.choices,
        default=RequisitionStatus.PENDING,
    )
    amount = models.DecimalField(_("金额(元)"), default=0, **MONEY)
    submitted_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    issued_at = models.DateTimeField(_("发放时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("领用单")
        verbose_name_plural = _("领用单")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RequisitionStatus.values),
                name="supplies_requisition_status_valid",
            )
        ]
        indexes = [
            models.Index(fields=["school", "status", "submitted_at"], name="supplies_req_status"),
            models.Index(fields=["requester", "submitted_at"], name="supplies_req_requester"),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("supplies:detail", args=[self.pk])

    @property
    def number(self):
        return f"LY{self.pk:06d}"

    @property
    def can_issue(self):
        return self.status in TO_ISSUE


class RequisitionLine(models.Model):
    requisition = models.ForeignKey(
        Requisition, verbose_name=_("领用单"), on_delete=models.CASCADE, related_name="lines"
    )
    item = models.ForeignKey(
        Item, verbose_name=_("物品"), on_delete=models.PROTECT, related_name="requisition_lines"
    )
    quantity = models.PositiveIntegerField(_("申请数量"))
    issued = models.PositiveIntegerField(_("已发放"), default=0)
    returned = models.PositiveIntegerField(_("已归还"), default=0)
    unit_price = models.DecimalField(_("单价(元)"), default=0, **MONEY)

    class Meta:
        verbose_name = _("领用明细")
        verbose_name_plural = _("领用明细")
        ordering = ["requisition", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="supplies_line_qty_gt_0"),
            models.CheckConstraint(
                condition=Q(issued__lte=F("quantity")), name="supplies_line_issued_lte_qty"
            ),
            models.CheckConstraint(
                condition=Q(returned__lte=F("issued")), name="supplies_line_returned_lte_issued"
            ),
            models.UniqueConstraint(
                fields=["requisition", "item"], name="supplies_line_unique_item"
            ),
        ]

    def __str__(self):
        return f"{self.item} × {self.quantity}"

    @property
    def to_issue(self):
        return self.quantity - self.issued

    @property
    def held(self):
        """Returnable items the requester still holds."""
        return self.issued - self.returned if self.item.returnable else 0

    @property
    def amount(self):
        return self.quantity * self.unit_price


class CountStatus(models.TextChoices):
    OPEN = "open", _("盘点中")
    APPLIED = "applied", _("已调整")
    CANCELLED = "cancelled", _("已作废")


class CountSheet(SchoolScopedModel):
    """盘库: a store's book quantities at one moment, the counted quantities, the causes of
    the differences; applying it writes adjustment rows to the ledger."""

    store = models.ForeignKey(
        Store, verbose_name=_("库房"), on_delete=models.PROTECT, related_name="counts"
    )
    title = models.CharField(_("名称"), max_length=100)
    status = models.CharField(
        _("状态"), max_length=16, choices=CountStatus.choices, default=CountStatus.OPEN
    )
    created_by = models.ForeignKey(
        "accounts.Staff", verbose_name=_("发起人"), on_delete=models.PROTECT, related_name="+"
    )
    applied_by = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("调整人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    applied_at = models.DateTimeField(_("调整时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("盘库单")
        verbose_name_plural = _("盘库单")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CountStatus.values), name="supplies_count_status_valid"
            ),
            # One open count per store: two would adjust the same stock twice.
            models.UniqueConstraint(
                fields=["store"],
                condition=Q(status="open"),
                name="supplies_count_one_open_per_store",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("supplies:count_detail", args=[self.pk])


class CountLine(models.Model):
    sheet = models.ForeignKey(
        CountSheet, verbose_name=_("盘库单"), on_delete=models.CASCADE, related_name="lines"
    )
    item = models.ForeignKey(
        Item, verbose_name=_("物品"), on_delete=models.PROTECT, related_name="+"
    )
    book_quantity = models.IntegerField(_("账面数量"))
    counted = models.PositiveIntegerField(_("实盘数量"), null=True, blank=True)
    cause = models.CharField(_("差异原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("盘库明细")
        verbose_name_plural = _("盘库明细")
        ordering = ["sheet", "item__category", "item__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "item"], name="supplies_countline_unique"),
        ]

    def __str__(self):
        return f"{self.item} {self.book_quantity}"

    @property
    def difference(self):
        return None if self.counted is None else self.counted - self.book_quantity
