from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from houqin.core.forms import StyledForm, StyledModelForm
from houqin.notifications.events import all_events
from houqin.notifications.models import Channel, Robot, RobotKind, Status

# The robots' own servers. A webhook anywhere else would let a school's administrator make
# the server post to (and read errors from) addresses inside its own network; a private
# WeCom or DingTalk deployment lists its host in HOUQIN_ROBOT_WEBHOOK_HOSTS.
ROBOT_HOSTS = {
    RobotKind.WECOM: "qyapi.weixin.qq.com",
    RobotKind.DINGTALK: "oapi.dingtalk.com",
}


def robot_host_allowed(kind, url):
    host = (urlsplit(url).hostname or "").lower()
    extra = {h.lower() for h in getattr(settings, "HOUQIN_ROBOT_WEBHOOK_HOSTS", ())}
    return host == ROBOT_HOSTS.get(kind) or host in extra


class RobotForm(StyledModelForm):
    """A group robot. The secret is never shown back: left empty, the saved one is kept."""

    events = forms.MultipleChoiceField(
        label=_("订阅的事件"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示订阅全部事件"),
    )
    webhook = forms.URLField(
        label=_("Webhook 地址"),
        max_length=500,
        assume_scheme="https",
        help_text=_("在群设置 → 群机器人 → 添加机器人后复制的地址"),
    )
    clear_secret = forms.BooleanField(label=_("清除加签密钥"), required=False)

    class Meta:
        model = Robot
        fields = ["name", "kind", "webhook", "secret", "markdown", "events"]
        widgets = {"secret": forms.PasswordInput(render_value=False)}

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.instance.school = school
        self.fields["events"].choices = [(e.code, e.label) for e in all_events()]
        self.fields["events"].widget.attrs["class"] = ""
        self.fields["webhook"].widget.attrs["placeholder"] = (
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"
        )
        self.fields["webhook"].widget.attrs["autocomplete"] = "off"
        self.fields["secret"].widget.attrs["autocomplete"] = "new-password"
        # What was just typed comes back after an error; the saved secret never does.
        self.fields["secret"].widget.render_value = self.is_bound
        if self.instance.pk:
            # The webhook's key lets anyone post to the group: never shown back either.
            self.fields["webhook"].required = False
            self.initial["webhook"] = ""
            self.fields["webhook"].widget.attrs["placeholder"] = _("留空则保持不变")
            self.fields["webhook"].help_text = _("已保存的地址：%(masked)s。留空则保持不变。") % {
                "masked": self.instance.masked_webhook
            }
        if self.instance.pk and self.instance.secret:
            self.fields["secret"].help_text = _("已保存的密钥：%(masked)s。留空则保持不变。") % {
                "masked": self.instance.masked_secret
            }
        else:
            self.fields.pop("clear_secret")

    def clean_webhook(self):
        url = (self.cleaned_data.get("webhook") or "").strip()
        if not url and self.instance.pk:
            return self.instance.webhook  # left empty: keep the saved one
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise forms.ValidationError(_("请填写以 https:// 开头的 Webhook 地址。"))
        return url

    def clean_secret(self):
        secret = self.cleaned_data.get("secret", "").strip()
        if not secret and self.instance.pk:
            return self.instance.secret  # left empty: keep the saved one
        return secret

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        taken = Robot.objects.filter(school=self.school, name=name, is_active=True)
        if taken.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                _("本校已有名为“%(name)s”的群机器人。"), params={"name": name}
            )
        return name

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("clear_secret"):
            cleaned["secret"] = ""
        kind = cleaned.get("kind")
        if kind == RobotKind.WECOM:
            cleaned["secret"] = ""  # WeCom robots are not signed
        url = cleaned.get("webhook") or ""
        if kind in ROBOT_HOSTS and url and not robot_host_allowed(kind, url):
            self.add_error(
                "webhook",
                _("%(kind)s的地址应以 https://%(host)s/ 开头，请从群机器人设置中复制。")
                % {"kind": RobotKind(kind).label, "host": ROBOT_HOSTS[kind]},
            )
        if kind == RobotKind.WECOM and "qyapi.weixin.qq.com" in url and "key=" not in url:
            self.add_error("webhook", _("企业微信机器人的地址应包含 key= 参数。"))
        if kind == RobotKind.DINGTALK and "oapi.dingtalk.com" in url and "access_token=" not in url:
            self.add_error("webhook", _("钉钉机器人的地址应包含 access_token= 参数。"))
        secret = cleaned.get("secret") or ""
        if kind == RobotKind.DINGTALK and secret and not secret.startswith("SEC"):
            self.add_error("secret", _("钉钉加签密钥以 SEC 开头，请从机器人安全设置中复制。"))
        return cleaned

    def save(self, commit=True):
        robot = super().save(commit=False)
        robot.secret = self.cleaned_data.get("secret", "")
        robot.events = list(self.cleaned_data.get("events") or [])
        if commit:
            robot.save()
        return robot


class OutboxFilterForm(StyledForm):
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *Status.choices]
    )
    channel = forms.ChoiceField(
        label=_("渠道"), required=False, choices=[("", _("全部渠道")), *Channel.choices]
    )

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        if status := self.cleaned_data.get("status"):
            queryset = queryset.filter(status=status)
        if channel := self.cleaned_data.get("channel"):
            queryset = queryset.filter(channel=channel)
        return queryset
