"""The inbox, people's preferences, a school's group robots and the outbox.

Nothing here is deleted: notifications stay in the inbox (read or not), outbox messages
stay listed whether sent or failed, robots are archived.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from houqin.core.models import ArchivableModel
from houqin.org.models import School, SchoolScopedModel


class Notification(models.Model):
    """One line in a person's inbox."""

    school = models.ForeignKey(
        School, verbose_name=_("学校"), null=True, blank=True, on_delete=models.PROTECT
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    event = models.CharField(_("事件"), max_length=64)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, editable=False)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        indexes = [
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
        ]

    def __str__(self):
        return self.title

    def get_additional_data(self):
        return {"school_id": self.school_id}

    @property
    def is_read(self):
        return self.read_at is not None


class Preference(models.Model):
    """A person's choice for one event; without a row the event's defaults apply."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    event = models.CharField(_("事件"), max_length=64)
    inbox = models.BooleanField(_("站内"), default=True)
    email = models.BooleanField(_("邮件"), default=False)

    class Meta:
        ordering = ["user", "event"]
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")
        constraints = [
            models.UniqueConstraint(fields=["user", "event"], name="preference_unique"),
        ]

    def __str__(self):
        return f"{self.user} · {self.event}"


class RobotKind(models.TextChoices):
    WECOM = "wecom", _("企业微信群机器人")
    DINGTALK = "dingtalk", _("钉钉群机器人")


class Robot(SchoolScopedModel, ArchivableModel):
    """A group robot: messages posted to its webhook appear in a WeCom or DingTalk group."""

    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(_("类型"), max_length=16, choices=RobotKind.choices)
    webhook = models.URLField(
        _("Webhook 地址"),
        max_length=500,
        help_text=_("在群设置 → 群机器人 → 添加机器人后复制的地址"),
    )
    secret = models.CharField(
        _("加签密钥"),
        max_length=200,
        blank=True,
        help_text=_("钉钉机器人安全设置选“加签”时的密钥（SEC 开头）；其他情况留空"),
    )
    events = models.JSONField(
        _("订阅的事件"),
        default=list,
        blank=True,
        help_text=_("不选表示订阅全部事件"),
    )
    markdown = models.BooleanField(
        _("使用 Markdown 格式"), default=True, help_text=_("关闭则发送纯文本")
    )

    class Meta:
        ordering = ["school", "-is_active", "name"]
        verbose_name = _("群机器人")
        verbose_name_plural = _("群机器人")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=RobotKind.values), name="robot_kind_valid"),
        ]

    def __str__(self):
        return self.name

    def subscribes_to(self, event):
        return not self.events or event in self.events

    @property
    def masked_secret(self):
        """The secret is never shown back in full."""
        if not self.secret:
            return ""
        return f"{self.secret[:4]}…{self.secret[-2:]}" if len(self.secret) > 8 else "…"

    @property
    def masked_webhook(self):
        """The webhook's key is as good as a password: show only its start and end."""
        url = self.webhook
        for marker in ("key=", "access_token="):
            if marker in url:
                head, _sep, token = url.partition(marker)
                shown = f"{token[:4]}…{token[-4:]}" if len(token) > 10 else "…"
                return f"{head}{marker}{shown}"
        # Some other form (a private deployment's host): its key may sit anywhere in the
        # path or the query, so only the server is shown.
        parts = urlsplit(url)
        if parts.scheme and parts.netloc and (parts.path.strip("/") or parts.query):
            return f"{parts.scheme}://{parts.netloc}/…"
        return url


class Channel(models.TextChoices):
    EMAIL = "email", _("邮件")
    WECOM = "wecom", _("企业微信")
    DINGTALK = "dingtalk", _("钉钉")


class Status(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class OutboxMessage(models.Model):
    """A message stored before it is sent: sent by the worker, retried with backoff on
    failure, marked sent — never lost and never deleted."""

    school = models.ForeignKey(
        School, verbose_name=_("学校"), null=True, blank=True, on_delete=models.PROTECT
    )
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    robot = models.ForeignKey(
        Robot,
        verbose_name=_("群机器人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    address = models.CharField(_("地址"), max_length=254, blank=True)
    event = models.CharField(_("事件"), max_length=64, blank=True)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    # A robot message's format: "text" or "markdown" (empty for e-mail).
    msgtype = models.CharField(_("消息格式"), max_length=16, blank=True)
    # A robot message split at its byte limit: part i of n, sharing one group key.
    group = models.CharField(_("分组"), max_length=32, blank=True, editable=False)
    part = models.PositiveSmallIntegerField(_("分段"), default=1)
    parts = models.PositiveSmallIntegerField(_("分段数"), default=1)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次发送时间"), default=timezone.now)
    last_error = models.TextField(_("最近错误"), blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("待发消息")
        verbose_name_plural = _("待发消息")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="outbox_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="outbox_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel=Channel.EMAIL) | Q(robot__isnull=False),
                name="outbox_robot_message_has_robot",
            ),
            models.CheckConstraint(
                condition=Q(part__gte=1) & Q(part__lte=models.F("parts")),
                name="outbox_part_in_range",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["robot", "status", "sent_at"], name="outbox_robot_sent"),
            models.Index(fields=["school", "-created_at"], name="outbox_school_recent"),
        ]

    def __str__(self):
        return self.subject

    def get_additional_data(self):
        return {"school_id": self.school_id}

    @property
    def destination(self):
        return str(self.robot) if self.robot_id else self.address
