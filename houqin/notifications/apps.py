from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "houqin.notifications"
    verbose_name = _("通知")

    def ready(self):
        from houqin.core.navigation import NavItem, register
        from houqin.notifications import audit  # noqa: F401  (register the audit log)
        from houqin.notifications.events import register_event
        from houqin.notifications.tasks import deliver_due
        from houqin.schedules.heartbeat import on_tick

        register_event("notifications.test", _("测试消息"))
        register_event("notifications.welcome", _("欢迎使用"))
        on_tick(deliver_due)

        register(
            NavItem(
                "notification_channels",
                _("通知渠道"),
                "notifications:robot_list",
                "broadcast",
                perm="notifications.manage_channels",
                order=80,
                section="manage",
            ),
            NavItem(
                "notification_outbox",
                _("发送队列"),
                "notifications:outbox",
                "send",
                perm="notifications.view_outbox",
                order=81,
                section="manage",
            ),
        )
