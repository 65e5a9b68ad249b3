"""What a failing server, a careless webhook or a bad query string must not do: leak the
robot's key, crash the worker, or answer 500."""

import logging
import socket
import threading

import pytest
from django.urls import reverse

from houqin.notifications import delivery
from houqin.notifications.delivery import DeliveryError, deliver_due_messages, signed_webhook
from houqin.notifications.models import OutboxMessage, Robot, RobotKind, Status
from houqin.notifications.services import notify
from houqin.notifications.tests.helpers import RobotServer, make_robot

SECRET = "SEC0123456789abcdef"


@pytest.fixture
def robots():
    with RobotServer() as server:
        yield server


def test_an_error_naming_the_webhook_keeps_its_key_out_of_the_outbox_and_the_log(
    school, monkeypatch, caplog, login, sysadmin
):
    make_robot(school, kind=RobotKind.DINGTALK, secret=SECRET)

    def fail(robot, payload):
        raise DeliveryError(f"cannot post to {signed_webhook(robot)} with {robot.secret}")

    monkeypatch.setattr(delivery, "post_robot", fail)
    notify([], event="notifications.test", title="隐患", school=school, robots=True)
    with caplog.at_level(logging.WARNING, logger="houqin.notifications.delivery"):
        assert deliver_due_messages()["retry"] == 1
    message = OutboxMessage.objects.get()
    assert "testtoken" not in message.last_error and SECRET not in message.last_error
    assert "testtoken" not in caplog.text and SECRET not in caplog.text
    assert "sign=******" in message.last_error
    page = login(sysadmin).get(reverse("notifications:outbox_detail", args=[message.pk]))
    assert "testtoken" not in page.content.decode()


def test_a_server_error_page_is_retried_and_not_shown(school, robots):
    make_robot(school, robots)
    robots.responses = [
        (502, b"<html>Bad Gateway</html>"),
        (200, b"<html>internal admin page: password=hunter2</html>"),
    ]
    notify([], event="notifications.test", title="一", school=school, robots=True)
    assert deliver_due_messages()["retry"] == 1
    message = OutboxMessage.objects.get()
    assert message.last_error.startswith("HTTP 502")
    message.next_attempt_at = message.created_at
    message.save()
    assert deliver_due_messages()["retry"] == 1
    message.refresh_from_db()
    assert message.status == Status.PENDING and message.attempts == 2
    assert "not JSON" in message.last_error and "hunter2" not in message.last_error


def test_a_robot_that_never_answers_times_out_into_a_retry(school, monkeypatch):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held = []
    threading.Thread(target=lambda: held.append(listener.accept()), daemon=True).start()
    port = listener.getsockname()[1]
    try:
        Robot.objects.filter(pk=make_robot(school).pk).update(
            webhook=f"http://127.0.0.1:{port}/cgi-bin/webhook/send?key=slowkey"
        )
        monkeypatch.setattr(delivery, "ROBOT_TIMEOUT", 0.3)
        notify([], event="notifications.test", title="慢", school=school, robots=True)
        assert deliver_due_messages()["retry"] == 1
        message = OutboxMessage.objects.get()
        assert message.status == Status.PENDING and message.last_error
        assert "slowkey" not in message.last_error
    finally:
        listener.close()


def test_a_mail_server_that_never_answers_times_out_into_a_retry(settings, school, make_staff):
    from houqin.accounts.roles import Position
    from houqin.notifications.models import Preference

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held = []
    threading.Thread(target=lambda: held.append(listener.accept()), daemon=True).start()
    try:
        staff = make_staff(school, Position.TEACHER, email="wang@example.cn")
        Preference.objects.create(user=staff.user, event="notifications.test", email=True)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", listener.getsockname()[1]
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 0.3
        notify([staff], event="notifications.test", title="测试")
        assert deliver_due_messages()["retry"] == 1
        message = OutboxMessage.objects.get()
        assert message.status == Status.PENDING and message.attempts == 1
    finally:
        listener.close()


@pytest.mark.parametrize(
    ("kind", "webhook"),
    [
        ("wecom", "http://127.0.0.1:8000/cgi-bin/webhook/send?key=abc"),
        ("wecom", "https://qyapi.weixin.qq.com.evil.example/cgi-bin/webhook/send?key=abc"),
        ("dingtalk", "https://169.254.169.254/robot/send?access_token=abc"),
        ("dingtalk", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"),
    ],
)
def test_a_webhook_must_be_on_the_robots_own_server(login, sysadmin, kind, webhook):
    response = login(sysadmin).post(
        reverse("notifications:robot_create"), {"name": "群", "kind": kind, "webhook": webhook}
    )
    assert response.status_code == 200
    assert "的地址应以 https://" in response.content.decode()
    assert not Robot.objects.exists()


def test_a_private_deployments_host_can_be_allowed(login, sysadmin, settings):
    settings.HOUQIN_ROBOT_WEBHOOK_HOSTS = ["wecom.school.example.cn"]
    response = login(sysadmin).post(
        reverse("notifications:robot_create"),
        {
            "name": "群",
            "kind": "wecom",
            "webhook": "https://wecom.school.example.cn/cgi-bin/webhook/send?key=abc",
        },
    )
    assert response.status_code == 302
    assert Robot.objects.get().webhook.startswith("https://wecom.school.example.cn/")


BAD_VALUES = ["abc", "-1", "0", "9" * 30, "1,x", "\x00", "１２", "[]"]


@pytest.mark.parametrize("name", ["inbox", "outbox", "robot_list", "preferences"])
def test_garbage_in_the_query_string_is_never_a_server_error(login, sysadmin, name):
    client = login(sysadmin)
    for key in ("page", "status", "channel", "show"):
        for value in BAD_VALUES:
            response = client.get(reverse(f"notifications:{name}"), {key: value})
            assert response.status_code == 200, (key, value)


def test_a_garbage_notification_id_is_not_found(login, sysadmin):
    client = login(sysadmin)
    for value in ("abc", "9" * 30, "9223372036854775808", ""):
        response = client.post(reverse("notifications:open"), {"id": value})
        assert response.status_code == 404, value


@pytest.mark.parametrize(
    ("webhook", "shown"),
    [
        (
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa",
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a…5aaa",
        ),
        (
            "https://oapi.dingtalk.com/robot/send?access_token=abcdef1234567890",
            "https://oapi.dingtalk.com/robot/send?access_token=abcd…7890",
        ),
        (
            "https://wecom.school.example.cn/hook/s3cr3tt0ken1234",
            "https://wecom.school.example.cn/…",
        ),
        (
            "https://wecom.school.example.cn/send?token=s3cr3tt0ken1234",
            "https://wecom.school.example.cn/…",
        ),
    ],
)
def test_a_webhook_is_shown_and_audited_without_its_key(webhook, shown):
    from houqin.notifications.audit import mask

    assert Robot(webhook=webhook).masked_webhook == shown
    assert mask(webhook) == shown
