"""Demo data: an example WeCom robot (disabled until a real webhook is filled in) and a
welcome message in the featured demo users' inboxes. Idempotent."""

from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.notifications.models import Notification, Robot, RobotKind
from houqin.notifications.services import notify

ROBOT_NAME = "后勤工作群"
PLACEHOLDER_WEBHOOK = (
    "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=00000000-0000-0000-0000-000000000000"
)
WELCOMED = (
    "zhoujing",
    "chenliqun",
    "xiefeng",
    "liuwei",
    "wangjiajia",
    "liugang",
    "taoxiangming",
    "admin",
)


def load(school, staff):
    if not Robot.objects.filter(school=school, name=ROBOT_NAME).exists():
        Robot.objects.create(
            school=school,
            name=ROBOT_NAME,
            kind=RobotKind.WECOM,
            webhook=PLACEHOLDER_WEBHOOK,
            is_active=False,
            archived_at=timezone.now(),
            archive_reason=_("示例：填入企业微信群机器人的真实地址后恢复使用"),
        )
    people = [staff[name] for name in WELCOMED if name in staff]
    welcomed = set(
        Notification.objects.filter(
            recipient__in=[p.user_id for p in people], event="notifications.welcome"
        ).values_list("recipient_id", flat=True)
    )
    newcomers = [p for p in people if p.user_id not in welcomed]
    if newcomers:
        notify(
            newcomers,
            event="notifications.welcome",
            title=_("欢迎使用后勤管理系统"),
            body=_("待办、审批和提醒都会出现在这里。在“通知设置”里可以选择哪些消息同时发邮件。"),
            url="/notifications/preferences/",
            school=school,
        )
