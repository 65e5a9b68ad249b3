"""The one approval mechanism: per-school flows chosen by rules on the request, requests
that point at their subject, steps snapshotted at submit, and an immutable history.

A request's steps are rows (one per flow step, per round: a request sent back and
resubmitted runs its flow again as a new round); every decision is an ``ApprovalAction``
row that is never changed or deleted."""

from decimal import Decimal

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from houqin.accounts.models import Staff
from houqin.accounts.roles import Position
from houqin.approvals import kinds as registry
from houqin.core.models import ArchivableModel, TimeStampedModel
from houqin.org.models import SchoolScopedModel, SchoolScopedQuerySet


class ApprovalError(Exception):
    """A transition refused: the message says why, in words for the person who tried."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return str(self.message)


# ---------------------------------------------------------------------------------------
# Flows: what a school configures


class ApproverType(models.TextChoices):
    GRADE_LEADER = "grade_leader", _("申请人的年级组长")
    DEPARTMENT_HEAD = "department_head", _("申请人的部门负责人")
    VICE_PRINCIPAL_IN_CHARGE = "vice_principal_in_charge", _("分管副校长")
    PRINCIPAL = "principal", _("校长")
    DISTRICT = "district", _("区县教育局")
    POSITION = "position", _("指定职务")
    PERSON = "person", _("指定人员")


class Flow(SchoolScopedModel, ArchivableModel):
    """An ordered list of steps for one kind of request, used when its conditions match.
    A school's active flows of a kind are tried by priority (smallest first)."""

    kind = models.CharField(_("审批事项"), max_length=32)
    name = models.CharField(_("流程名称"), max_length=60)
    priority = models.PositiveSmallIntegerField(
        _("优先级"), default=100, help_text=_("数字小的先匹配；第一个条件全部满足的流程生效")
    )
    min_days = models.DecimalField(
        _("天数超过"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("不含本数；留空表示不限"),
    )
    max_days = models.DecimalField(
        _("天数不超过"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("含本数；半天填 0.5"),
    )
    min_amount = models.DecimalField(
        _("金额不低于（元）"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("含本数；留空表示不限"),
    )
    max_amount = models.DecimalField(
        _("金额低于（元）"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("不含本数；留空表示不限"),
    )
    requester_positions = models.JSONField(
        _("申请人职务"), default=list, blank=True, help_text=_("申请人担任其中任一职务时适用")
    )
    sub_types = models.JSONField(_("类型"), default=list, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["school", "kind", "priority", "pk"]
        verbose_name = _("审批流程")
        verbose_name_plural = _("审批流程")
        constraints = [
            models.UniqueConstraint(fields=["school", "kind", "name"], name="flow_name_unique"),
            models.CheckConstraint(
                condition=Q(min_days__isnull=True)
                | Q(max_days__isnull=True)
                | Q(min_days__lt=models.F("max_days")),
                name="flow_days_range",
            ),
            models.CheckConstraint(
                condition=Q(min_amount__isnull=True)
                | Q(max_amount__isnull=True)
                | Q(min_amount__lt=models.F("max_amount")),
                name="flow_amount_range",
            ),
        ]
        indexes = [
            models.Index(fields=["school", "kind", "is_active", "priority"], name="flow_lookup"),
        ]

    def __str__(self):
        return self.name

    @property
    def kind_label(self):
        return registry.kind_label(self.kind)

    def matches(self, facts: dict) -> bool:
        """Whether every condition set on this flow holds for ``facts``. A condition on a
        fact the request does not carry does not hold."""
        days = registry.to_decimal(facts.get(registry.DAYS))
        amount = registry.to_decimal(facts.get(registry.AMOUNT))
        if self.min_days is not None and (days is None or days <= self.min_days):
            return False
        if self.max_days is not None and (days is None or days > self.max_days):
            return False
        if self.min_amount is not None and (amount is None or amount < self.min_amount):
            return False
        if self.max_amount is not None and (amount is None or amount >= self.max_amount):
            return False
        positions = set(facts.get(registry.POSITIONS) or ())
        if self.requester_positions and not positions & set(self.requester_positions):
            return False
        return not (self.sub_types and facts.get(registry.SUB_TYPE) not in self.sub_types)

    def conditions(self) -> list[str]:
        """The conditions in words: 天数 ≤ 0.5、申请人职务：校长."""
        rows = []
        if self.min_days is not None or self.max_days is not None:
            rows.append(_range_text(_("天数"), self.min_days, self.max_days, days=True))
        if self.min_amount is not None or self.max_amount is not None:
            rows.append(_range_text(_("金额"), self.min_amount, self.max_amount, days=False))
        if self.requester_positions:
            labels = dict(Position.choices)
            names = "、".join(str(labels.get(p, p)) for p in self.requester_positions)
            rows.append(_("申请人是%(positions)s") % {"positions": names})
        if self.sub_types:
            rows.append(_("类型：%(types)s") % {"types": "、".join(self.sub_types)})
        return rows


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _range_text(label, low, high, *, days):
    """天数 ≤ 0.5, 1 < 天数 ≤ 3, 金额 ≥ 10,000.00: days are over-low and up-to-high; amounts
    are from-low and below-high."""
    if days:
        low_text = _number(low) if low is not None else ""
        high_text = _number(high) if high is not None else ""
        low_op, high_op = "<", "≤"
    else:
        low_text = f"{low:,.2f}" if low is not None else ""
        high_text = f"{high:,.2f}" if high is not None else ""
        low_op, high_op = "≤", "<"
    if low_text and high_text:
        return f"{low_text} {low_op} {label} {high_op} {high_text}"
    if low_text:
        return f"{label} {'>' if days else '≥'} {low_text}"
    return f"{label} {high_op} {high_text}"


class FlowStep(TimeStampedModel):
    flow = models.ForeignKey(
        Flow, verbose_name=_("审批流程"), on_delete=models.CASCADE, related_name="steps"
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=1)
    approver_type = models.CharField(_("审批人"), max_length=32, choices=ApproverType.choices)
    position = models.CharField(_("职务"), max_length=32, choices=Position.choices, blank=True)
    person = models.ForeignKey(
        Staff,
        verbose_name=_("人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    notify_only = models.BooleanField(
        _("仅知会"), default=False, help_text=_("只通知，不需要审批，如 报区教育局备案")
    )
    label = models.CharField(
        _("步骤名称"), max_length=60, blank=True, help_text=_("留空则用审批人名称")
    )

    class Meta:
        ordering = ["flow", "order", "pk"]
        verbose_name = _("审批步骤")
        verbose_name_plural = _("审批步骤")
        constraints = [
            models.CheckConstraint(
                condition=Q(approver_type__in=ApproverType.values),
                name="flowstep_approver_type_valid",
            ),
            models.CheckConstraint(
                condition=~Q(approver_type=ApproverType.POSITION) | ~Q(position=""),
                name="flowstep_position_named",
            ),
            models.CheckConstraint(
                condition=~Q(approver_type=ApproverType.PERSON) | Q(person__isnull=False),
                name="flowstep_person_named",
            ),
        ]

    def __str__(self):
        return self.display_label

    def get_additional_data(self):
        # flow_id files the step's audit entries under its flow's history.
        return {"school_id": self.flow.school_id, "flow_id": self.flow_id}

    @property
    def approver_label(self):
        if self.approver_type == ApproverType.POSITION and self.position:
            return self.get_position_display()
        if self.approver_type == ApproverType.PERSON and self.person_id:
            return self.person.name
        return self.get_approver_type_display()

    @property
    def display_label(self):
        return self.label or str(self.approver_label)

    def clean(self):
        if self.approver_type == ApproverType.POSITION and not self.position:
            raise ValidationError({"position": _("请选择职务。")})
        if self.approver_type == ApproverType.PERSON and not self.person_id:
            raise ValidationError({"person": _("请选择人员。")})


# ---------------------------------------------------------------------------------------
# Requests: what people submit


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("审批中")
    APPROVED = "approved", _("已同意")
    REJECTED = "rejected", _("未同意")
    RETURNED = "returned", _("已退回")
    WITHDRAWN = "withdrawn", _("已撤回")


OPEN_STATUSES = (RequestStatus.PENDING, RequestStatus.RETURNED)


class ApprovalRequestQuerySet(SchoolScopedQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class ApprovalRequest(SchoolScopedModel):
    """A request for approval of one subject (a leave, a requisition, a disposal…)."""

    kind = models.CharField(_("审批事项"), max_length=32)
    subject_type = models.ForeignKey(
        ContentType, verbose_name=_("事项类型"), on_delete=models.PROTECT, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(_("事项编号"))
    subject = GenericForeignKey("subject_type", "subject_id")
    title = models.CharField(_("标题"), max_length=200)
    requester = models.ForeignKey(
        Staff, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    facts = models.JSONField(_("审批依据"), default=dict, blank=True)
    flow = models.ForeignKey(
        Flow,
        verbose_name=_("审批流程"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    round = models.PositiveSmallIntegerField(_("提交轮次"), default=1)
    current_step = models.ForeignKey(
        "RequestStep",
        verbose_name=_("当前步骤"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    decided_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    objects = ApprovalRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("审批申请")
        verbose_name_plural = _("审批申请")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RequestStatus.values), name="approvalrequest_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(decided_at__isnull=True)
                | Q(status__in=[s.value for s in RequestStatus if s not in OPEN_STATUSES]),
                name="approvalrequest_decided_when_closed",
            ),
        ]
        indexes = [
            models.Index(
                fields=["school", "status", "submitted_at"], name="approval_school_status"
            ),
            models.Index(fields=["requester", "submitted_at"], name="approval_requester"),
            models.Index(fields=["subject_type", "subject_id"], name="approval_subject"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("approvals:request_detail", args=[self.pk])

    @property
    def kind_label(self):
        return registry.kind_label(self.kind)

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    def facts_display(self):
        return registry.describe_facts(self.facts)

    def facts_summary(self):
        """病假 · 1.5 天 — the facts in one line, without the requester's positions."""
        rows = registry.describe_facts(self.facts, with_positions=False)
        return " · ".join(str(value) for _label, value in rows)

    def subject_url(self):
        subject = self.subject
        get_url = getattr(subject, "get_absolute_url", None)
        return get_url() if get_url else ""


class StepStatus(models.TextChoices):
    WAITING = "waiting", _("未开始")
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已同意")
    REJECTED = "rejected", _("未同意")
    RETURNED = "returned", _("已退回")
    NOTIFIED = "notified", _("已知会")
    SKIPPED = "skipped", _("已跳过")
    CANCELLED = "cancelled", _("已取消")


class RequestStepQuerySet(models.QuerySet):
    def awaiting(self, staff, delegations=()):
        """Steps waiting for ``staff``: as an approver, or for someone who delegated to
        them (``delegations`` from ``Delegation.objects.acting_for``)."""
        condition = Q(approvers=staff)
        for delegation in delegations:
            rule = Q(approvers=delegation.from_staff_id)
            if delegation.kinds:
                rule &= Q(request__kind__in=delegation.kinds)
            condition |= rule
        return (
            self.filter(status=StepStatus.PENDING, request__status=RequestStatus.PENDING)
            .filter(condition)
            .exclude(request__requester=staff)
            .distinct()
        )


class RequestStep(models.Model):
    """One step of one request, resolved to people when the request was submitted."""

    request = models.ForeignKey(
        ApprovalRequest, verbose_name=_("审批申请"), on_delete=models.CASCADE, related_name="steps"
    )
    round = models.PositiveSmallIntegerField(_("提交轮次"), default=1)
    order = models.PositiveSmallIntegerField(_("顺序"))
    label = models.CharField(_("步骤名称"), max_length=60)
    approver_type = models.CharField(_("审批人"), max_length=32, choices=ApproverType.choices)
    approvers = models.ManyToManyField(
        Staff, verbose_name=_("审批人"), blank=True, related_name="approval_steps"
    )
    notify_only = models.BooleanField(_("仅知会"), default=False)
    status = models.CharField(
        _("状态"), max_length=16, choices=StepStatus.choices, default=StepStatus.WAITING
    )
    skip_reason = models.CharField(_("跳过原因"), max_length=200, blank=True)
    acted_by = models.ForeignKey(
        Staff,
        verbose_name=_("办理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    on_behalf_of = models.ForeignKey(
        Staff,
        verbose_name=_("代理谁"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    acted_at = models.DateTimeField(_("办理时间"), null=True, blank=True)
    comment = models.CharField(_("意见"), max_length=500, blank=True)
    flow_step = models.ForeignKey(
        FlowStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RequestStepQuerySet.as_manager()

    class Meta:
        ordering = ["request", "round", "order"]
        verbose_name = _("审批步骤记录")
        verbose_name_plural = _("审批步骤记录")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=StepStatus.values), name="requeststep_status_valid"
            ),
            models.UniqueConstraint(
                fields=["request", "round", "order"], name="requeststep_order_unique"
            ),
        ]
        indexes = [models.Index(fields=["status", "request"], name="requeststep_status")]

    def __str__(self):
        return self.label


class ActionType(models.TextChoices):
    SUBMIT = "submit", _("提交")
    APPROVE = "approve", _("同意")
    REJECT = "reject", _("不同意")
    RETURN = "return", _("退回")
    RESUBMIT = "resubmit", _("重新提交")
    WITHDRAW = "withdraw", _("撤回")
    NOTIFY = "notify", _("知会")
    SKIP = "skip", _("跳过")


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ApprovalError(_("审批记录不能修改。"))

    def delete(self):
        raise ApprovalError(_("审批记录不能删除。"))


class ApprovalAction(models.Model):
    """One line of a request's history. Written once; never changed, never deleted."""

    request = models.ForeignKey(
        ApprovalRequest,
        verbose_name=_("审批申请"),
        on_delete=models.PROTECT,
        related_name="actions",
    )
    step = models.ForeignKey(
        RequestStep,
        verbose_name=_("步骤"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actions",
    )
    action = models.CharField(_("操作"), max_length=16, choices=ActionType.choices)
    actor = models.ForeignKey(
        Staff,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    on_behalf_of = models.ForeignKey(
        Staff,
        verbose_name=_("代理谁"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_status = models.CharField(_("原状态"), max_length=16, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, blank=True)
    comment = models.CharField(_("意见"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, editable=False)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["request", "created_at", "pk"]
        verbose_name = _("审批记录")
        verbose_name_plural = _("审批记录")
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=ActionType.values), name="approvalaction_action_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_action_display()} {self.actor or ''}".strip()

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ApprovalError(_("审批记录不能修改。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ApprovalError(_("审批记录不能删除。"))


# ---------------------------------------------------------------------------------------
# Delegation: someone approves for a person who is away


class DelegationQuerySet(SchoolScopedQuerySet):
    def current(self, day=None):
        day = day or timezone.localdate()
        return self.filter(ended_at__isnull=True, start__lte=day, end__gte=day)

    def acting_for(self, staff, day=None):
        """Delegations in force today that let ``staff`` act for someone else."""
        return list(self.current(day).filter(to_staff=staff))

    def for_step(self, from_staff, kind, day=None):
        return [
            d
            for d in self.current(day).filter(from_staff=from_staff).select_related("to_staff")
            if d.covers(kind)
        ]


class Delegation(SchoolScopedModel):
    """While ``from_staff`` is away, ``to_staff`` may approve for them (all kinds, or only
    those named). Ending it early keeps the row."""

    from_staff = models.ForeignKey(
        Staff, verbose_name=_("委托人"), on_delete=models.PROTECT, related_name="delegations_given"
    )
    to_staff = models.ForeignKey(
        Staff, verbose_name=_("代理人"), on_delete=models.PROTECT, related_name="delegations_taken"
    )
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    kinds = models.JSONField(
        _("审批事项"), default=list, blank=True, help_text=_("不选表示全部事项")
    )
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        Staff,
        verbose_name=_("设置人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ended_at = models.DateTimeField(_("提前结束时间"), null=True, blank=True)

    objects = DelegationQuerySet.as_manager()

    class Meta:
        ordering = ["school", "-start", "-pk"]
        verbose_name = _("审批代理")
        verbose_name_plural = _("审批代理")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="delegation_dates"
            ),
            models.CheckConstraint(
                condition=~Q(from_staff=models.F("to_staff")), name="delegation_not_self"
            ),
        ]
        indexes = [
            models.Index(fields=["school", "to_staff", "end"], name="delegation_to"),
            models.Index(fields=["school", "from_staff", "end"], name="delegation_from"),
        ]

    def __str__(self):
        return f"{self.from_staff} → {self.to_staff}"

    def covers(self, kind):
        return not self.kinds or kind in self.kinds

    @property
    def in_force(self):
        today = timezone.localdate()
        return self.ended_at is None and self.start <= today <= self.end

    @property
    def is_over(self):
        return self.ended_at is not None or self.end < timezone.localdate()

    def kind_labels(self):
        return "、".join(str(registry.kind_label(code)) for code in self.kinds)

    def end_now(self):
        self.ended_at = timezone.now()
        self.save(update_fields=["ended_at", "updated_at"])
