from houqin.accounts.roles import Position
from houqin.notifications import demo
from houqin.notifications.models import Notification, OutboxMessage, Robot


def test_demo_is_idempotent(school, make_staff):
    zhoujing = make_staff(school, Position.LOGISTICS_MANAGER, name="周静")
    admin = make_staff(school, Position.SYSTEM_ADMIN, name="管理员")
    staff = {"zhoujing": zhoujing, "admin": admin, "someone": make_staff(school)}
    demo.load(school, staff)
    demo.load(school, staff)
    robot = Robot.objects.get()
    assert (robot.name, robot.kind, robot.is_active) == ("后勤工作群", "wecom", False)
    assert set(Notification.objects.values_list("recipient", flat=True)) == {
        zhoujing.user_id,
        admin.user_id,
    }
    assert Notification.objects.count() == 2
    assert not OutboxMessage.objects.exists()
