"""Delivery through a real local SMTP server and a local robot webhook server."""

import base64
import hashlib
import hmac
import json
import time
import urllib.parse
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from houqin.accounts.roles import Position
from houqin.notifications import delivery
from houqin.notifications.delivery import deliver_due_messages, dingtalk_sign
from houqin.notifications.models import OutboxMessage, Preference, RobotKind, Status
from houqin.notifications.services import notify, robot_messages
from houqin.notifications.tests.helpers import RobotServer, free_port, make_robot

SECRET = "SEC0123456789abcdef"


class Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp(settings):
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "houqin@szsy.example.cn"
    settings.HOUQIN_BASE_URL = "https://houqin.szsy.example.cn"
    yield handler
    controller.stop()


@pytest.fixture
def robots():
    with RobotServer() as server:
        yield server


@pytest.fixture
def zhang(school, make_staff):
    staff = make_staff(school, Position.TEACHER, name="张老师", email="zhang@example.cn")
    Preference.objects.create(user=staff.user, event="notifications.test", email=True)
    return staff


def test_it_sends_mail_through_a_real_smtp_server(smtp, zhang, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            [zhang],
            event="notifications.test",
            title="报修单 BX-0012 已派工",
            body="三楼卫生间水管漏水，已派维修工刘刚处理。",
            url="/repairs/12/",
        )
    (envelope,) = smtp.envelopes
    assert envelope.rcpt_tos == ["zhang@example.cn"]
    assert envelope.mail_from == "houqin@szsy.example.cn"
    mail = message_from_bytes(envelope.content, policy=policy.default)
    assert mail["Subject"] == "报修单 BX-0012 已派工"
    text = mail.get_content()
    assert "三楼卫生间水管漏水，已派维修工刘刚处理。" in text
    assert "https://houqin.szsy.example.cn/repairs/12/" in text
    message = OutboxMessage.objects.get()
    assert message.status == Status.SENT and message.sent_at and message.attempts == 1


def test_mail_that_cannot_be_sent_waits_for_a_retry(settings, zhang):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    notify([zhang], event="notifications.test", title="测试")
    now = timezone.now()
    assert deliver_due_messages(now)["retry"] == 1
    message = OutboxMessage.objects.get()
    assert message.status == Status.PENDING and message.attempts == 1
    assert message.next_attempt_at == now + timedelta(minutes=1)
    assert "refused" in message.last_error.lower() or message.last_error


def test_wecom_robot_gets_the_exact_payload(school, robots, settings):
    settings.HOUQIN_BASE_URL = "https://houqin.szsy.example.cn"
    robot = make_robot(school, robots)
    notify(
        [],
        event="notifications.test",
        title="安全巡查发现隐患",
        body="东门护栏松动",
        url="/hazards/3/",
        school=school,
        robots=True,
    )
    assert deliver_due_messages()["sent"] == 1
    (request,) = robots.requests
    assert request["path"] == "/cgi-bin/webhook/send?key=testkey"
    assert request["headers"]["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(request["raw"]) == {
        "msgtype": "markdown",
        "markdown": {
            "content": "### 安全巡查发现隐患\n\n东门护栏松动\n\n"
            "[查看详情](https://houqin.szsy.example.cn/hazards/3/)"
        },
    }
    assert "安全巡查".encode() in request["raw"]  # UTF-8, not \\u escapes
    robot.markdown = False
    robot.save()
    notify([], event="notifications.test", title="纯文本", school=school, robots=True)
    deliver_due_messages()
    assert robots.payloads()[-1] == {"msgtype": "text", "text": {"content": "纯文本"}}


def test_the_dingtalk_signature_matches_byte_for_byte(school, robots):
    make_robot(school, robots, kind=RobotKind.DINGTALK, secret=SECRET)
    notify(
        [],
        event="notifications.test",
        title="食堂",
        body="今日留样完成",
        school=school,
        robots=True,
    )
    before = int(time.time() * 1000)
    assert deliver_due_messages()["sent"] == 1
    after = int(time.time() * 1000)
    (request,) = robots.requests
    path, query = request["path"].split("?", 1)
    assert path == "/robot/send"
    timestamp = query.split("&timestamp=", 1)[1].split("&", 1)[0]
    assert before <= int(timestamp) <= after
    # An independent computation: HMAC-SHA256 keyed with the secret over "timestamp\nsecret".
    digest = hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256)
    expected_sign = urllib.parse.quote(base64.b64encode(digest.digest()).decode(), safe="")
    assert query == f"access_token=testtoken&timestamp={timestamp}&sign={expected_sign}"
    assert json.loads(request["raw"]) == {
        "msgtype": "markdown",
        "markdown": {"title": "食堂", "text": "### 食堂\n\n今日留样完成"},
    }


def test_dingtalk_sign_matches_a_known_value():
    # printf '1700000000000\nSEC0123456789abcdef' | openssl dgst -sha256 -hmac SEC… -binary | base64
    assert dingtalk_sign(SECRET, 1700000000000) == "TSZbRFUuvaSQaRKUpF970OPCb2/LcQAP3wOvwZIzBZk="
    robot = make_robot.__globals__["Robot"](
        kind=RobotKind.DINGTALK,
        webhook="https://oapi.dingtalk.com/robot/send?access_token=t",
        secret=SECRET,
    )
    assert delivery.signed_webhook(robot, 1700000000000) == (
        "https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1700000000000"
        "&sign=TSZbRFUuvaSQaRKUpF970OPCb2%2FLcQAP3wOvwZIzBZk%3D"
    )


def test_an_unsigned_dingtalk_robot_posts_to_its_plain_webhook(school, robots):
    make_robot(school, robots, kind=RobotKind.DINGTALK, markdown=False)
    notify([], event="notifications.test", title="无签名", school=school, robots=True)
    deliver_due_messages()
    assert robots.requests[0]["path"] == "/robot/send?access_token=testtoken"
    assert robots.payloads() == [{"msgtype": "text", "text": {"content": "无签名"}}]


def test_failures_back_off_then_a_success_marks_it_sent(school, robots):
    make_robot(school, robots)
    robots.responses = [
        (200, {"errcode": 93000, "errmsg": "invalid webhook url"}),
        (500, {"error": "boom"}),
        (200, {"errcode": 0, "errmsg": "ok"}),
    ]
    notify([], event="notifications.test", title="重试", school=school, robots=True)
    t0 = timezone.now()

    assert deliver_due_messages(t0) == {**_zero(), "retry": 1}
    message = OutboxMessage.objects.get()
    assert message.attempts == 1 and message.status == Status.PENDING
    assert message.next_attempt_at == t0 + timedelta(minutes=1)
    assert message.last_error == "errcode 93000: invalid webhook url"

    assert deliver_due_messages(t0 + timedelta(seconds=59)) == _zero()  # not due yet
    t1 = t0 + timedelta(seconds=61)
    assert deliver_due_messages(t1)["retry"] == 1
    message.refresh_from_db()
    assert message.attempts == 2 and message.next_attempt_at == t1 + timedelta(minutes=2)
    assert message.last_error.startswith("HTTP 500")

    t2 = t1 + timedelta(minutes=2)
    assert deliver_due_messages(t2)["sent"] == 1
    message.refresh_from_db()
    assert (message.status, message.sent_at, message.attempts) == (Status.SENT, t2, 3)
    assert len(robots.requests) == 3


def test_backoff_doubles_up_to_an_hour():
    assert [delivery.backoff(n).total_seconds() / 60 for n in range(1, 10)] == [
        1,
        2,
        4,
        8,
        16,
        32,
        60,
        60,
        60,
    ]


def test_after_ten_failures_it_is_failed_but_kept_and_retryable(school, robots):
    make_robot(school, robots)
    robots.responses = [(500, {})] * 10
    notify([], event="notifications.test", title="一直失败", school=school, robots=True)
    now = timezone.now()
    for _ in range(10):
        deliver_due_messages(now)
        now += timedelta(hours=1)
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == (Status.FAILED, 10)
    assert deliver_due_messages(now + timedelta(days=1)) == _zero()  # failed stays failed

    delivery.retry(message, now)
    assert deliver_due_messages(now)["sent"] == 1
    message.refresh_from_db()
    assert message.status == Status.SENT and message.last_error == ""


def test_the_twenty_first_message_in_a_minute_is_postponed(school, robots):
    robot = make_robot(school, robots)
    for i in range(21):
        notify([], event="notifications.test", title=f"第{i + 1}条", school=school, robots=True)
    now = timezone.now()
    counts = deliver_due_messages(now)
    assert counts["sent"] == 20 and counts["postponed"] == 1
    assert len(robots.requests) == 20
    late = OutboxMessage.objects.get(status=Status.PENDING)
    assert late.subject == "第21条"
    assert late.attempts == 0 and late.last_error == ""  # postponing is not a failure
    assert late.next_attempt_at == now + timedelta(seconds=61)
    assert deliver_due_messages(now + timedelta(seconds=30)) == _zero()
    assert deliver_due_messages(now + timedelta(seconds=61))["sent"] == 1
    # Another robot is not held back by this one's limit.
    other = make_robot(school, robots, name="另一个群")
    OutboxMessage.objects.bulk_create(robot_messages(other, event="notifications.test", title="x"))
    assert deliver_due_messages(now + timedelta(seconds=62))["sent"] == 1
    assert robot.messages.filter(status=Status.SENT).count() == 21


def test_a_robot_rate_limit_error_waits_ten_minutes(school, robots):
    make_robot(school, robots, kind=RobotKind.DINGTALK)
    robots.responses = [(200, {"errcode": 130101, "errmsg": "send too fast"})]
    notify([], event="notifications.test", title="太快", school=school, robots=True)
    now = timezone.now()
    deliver_due_messages(now)
    assert OutboxMessage.objects.get().next_attempt_at == now + timedelta(minutes=10)


def test_split_parts_go_out_in_order(school, robots):
    make_robot(school, robots, markdown=False)
    notify(
        [], event="notifications.test", title="长消息", body="灯" * 2000, school=school, robots=True
    )
    robots.responses = [(500, {})]  # the first part fails once
    now = timezone.now()
    counts = deliver_due_messages(now)
    assert counts["retry"] == 1 and counts["sent"] == 0  # parts 2 and 3 wait for part 1
    assert deliver_due_messages(now + timedelta(minutes=1))["sent"] == 3
    contents = [p["text"]["content"] for p in robots.payloads()[1:]]
    assert [c[:6] for c in contents] == ["(1/3) ", "(2/3) ", "(3/3) "]
    assert all(len(c.encode()) <= 2048 for c in contents)


def test_a_disabled_robot_sends_nothing_more_but_tests_still_go(school, robots, manager):
    robot = make_robot(school, robots)
    notify([], event="notifications.welcome", title="旧消息", school=school, robots=True)
    robot.archive(by=manager.user, reason="群已解散")
    OutboxMessage.objects.bulk_create(robot_messages(robot, event="notifications.test", title="测"))
    counts = deliver_due_messages()
    assert counts["failed"] == 1 and counts["sent"] == 1
    failed = OutboxMessage.objects.get(status=Status.FAILED)
    assert failed.subject == "旧消息" and failed.last_error == "群机器人已停用"


def test_an_unreachable_robot_is_an_error_not_a_crash(school):
    make_robot(school)  # port 9: nothing listens
    notify([], event="notifications.test", title="x", school=school, robots=True)
    assert deliver_due_messages()["retry"] == 1
    assert OutboxMessage.objects.get().last_error


def test_the_heartbeat_sends_due_retries(school, robots):
    from houqin.schedules.heartbeat import callbacks

    make_robot(school, robots)
    notify([], event="notifications.test", title="心跳", school=school, robots=True)
    now = timezone.now()
    for callback in callbacks():
        if callback.__name__ == "deliver_due":
            callback(now)
    assert OutboxMessage.objects.get().status == Status.SENT


def test_the_task_sends_what_is_due(school, robots, django_capture_on_commit_callbacks):
    make_robot(school, robots)
    with django_capture_on_commit_callbacks(execute=True):
        notify([], event="notifications.test", title="任务", school=school, robots=True)
    assert OutboxMessage.objects.get().status == Status.SENT


def _zero():
    return {"sent": 0, "retry": 0, "failed": 0, "postponed": 0, "skipped": 0}


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_the_same_message():
    """On PostgreSQL rows are claimed with SKIP LOCKED; SQLite runs one writer anyway."""
    import threading

    from django.db import connection, connections

    from houqin.org.tests.factories import SchoolFactory

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    school = SchoolFactory()
    with RobotServer() as server:
        original = server.httpd.RequestHandlerClass.do_POST

        def slow(handler):
            time.sleep(0.05)
            original(handler)

        server.httpd.RequestHandlerClass.do_POST = slow
        robot = make_robot(school, server)
        for i in range(8):  # queued without a delivery task, for the two workers below
            OutboxMessage.objects.bulk_create(
                robot_messages(robot, event="notifications.test", title=f"第{i}条")
            )
        results = []

        def work():
            try:
                results.append(deliver_due_messages())
            finally:
                connections.close_all()

        workers = [threading.Thread(target=work) for _ in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        titles = [p["markdown"]["content"].split("\n")[0] for p in server.payloads()]
    assert sorted(titles) == sorted(f"### 第{i}条" for i in range(8))  # each exactly once
    assert sum(r["sent"] for r in results) == 8
    assert OutboxMessage.objects.filter(status=Status.SENT).count() == 8
