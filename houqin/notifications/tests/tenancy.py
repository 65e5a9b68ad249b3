"""Tenancy: another school's robots and outbox messages are a 404."""

from houqin.notifications.models import OutboxMessage, Robot, RobotKind
from houqin.notifications.services import robot_messages

OBJECT_URLS = {
    "notifications:robot_edit": ("robot", "pk"),
    "notifications:robot_test": ("robot", "pk"),
    "notifications:robot_archive": ("robot", "pk"),
    "notifications:robot_restore": ("robot", "pk"),
    "notifications:outbox_detail": ("outbox_message", "pk"),
    "notifications:outbox_retry": ("outbox_message", "pk"),
}


def objects(school, base):
    robot = Robot.objects.create(
        school=school,
        name="后勤工作群",
        kind=RobotKind.WECOM,
        webhook="http://127.0.0.1:9/cgi-bin/webhook/send?key=k",
    )
    (message,) = OutboxMessage.objects.bulk_create(
        robot_messages(robot, event="notifications.test", title="测试")
    )
    return {"robot": robot, "outbox_message": message}
