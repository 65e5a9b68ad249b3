"""Sending the outbox: e-mail over SMTP, WeCom and DingTalk group robots over HTTPS.

A message is claimed (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two workers
never send the same one), sent, and marked sent; on failure it is retried with backoff
(1, 2, 4 … minutes, at most an hour) and after ``MAX_ATTEMPTS`` marked failed — still
listed, and retryable by hand. A robot is held to ``ROBOT_PER_MINUTE`` messages a minute:
more are postponed, which is not counted as an attempt.

Delivery is at least once, never at most once: the row stays locked while it is sent and
is marked sent in the same transaction. If the process dies (or the database goes away)
after the mail server or the robot accepted a message but before that commit, the message
is still pending and is sent again on the next run — the recipient may get it twice, but
it is never lost.

The webhook's key and the signing secret are as good as passwords: an error kept in
``last_error`` or written to the log has them masked.
"""

import base64
import contextlib
import hashlib
import hmac
import json
import logging
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.notifications.models import Channel, OutboxMessage, Robot, RobotKind, Status

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
MAX_BACKOFF = timedelta(hours=1)
ROBOT_PER_MINUTE = 20
ROBOT_WINDOW = timedelta(seconds=60)
ROBOT_TIMEOUT = 10  # seconds
BATCH = 200
# Robot error codes for "too many messages": DingTalk then blocks the robot for 10 minutes.
RATE_LIMIT_ERRCODES = {130101, 45009}
RATE_LIMIT_PAUSE = timedelta(minutes=10)
TEST_EVENT = "notifications.test"
SIGN_RE = re.compile(r"((?:^|[?&])sign=)[^&\s'\"]+")


class DeliveryError(Exception):
    def __init__(self, message, *, pause=None):
        super().__init__(message)
        self.pause = pause


def backoff(attempts):
    """Wait before the next try after ``attempts`` failed ones: 1, 2, 4 … minutes."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def deliver_due_messages(now=None, *, ids=None, limit=BATCH):
    """Send the pending messages whose time has come; returns {"sent", "failed", …} counts."""
    now = now or timezone.now()
    due = OutboxMessage.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
    if ids is not None:
        due = due.filter(pk__in=ids)
    pks = list(due.order_by("created_at", "pk").values_list("pk", flat=True)[:limit])
    counts = {"sent": 0, "retry": 0, "failed": 0, "postponed": 0, "skipped": 0}
    sender = Sender()
    try:
        for pk in pks:
            counts[deliver_one(pk, now, sender)] += 1
    finally:
        sender.close()
    return counts


def deliver_one(pk, now, sender):
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("robot")
            .filter(pk=pk, status=Status.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if message is None:
            return "skipped"  # sent or claimed by another worker meanwhile
        if message.robot_id:
            outcome = _hold_for_robot(message, now)
            if outcome:
                return outcome
        try:
            sender.send(message)
        except Exception as error:  # anything: the message must survive it
            return _failed(message, now, error)
        message.status = Status.SENT
        message.sent_at = now
        message.last_error = ""
        message.attempts += 1
        message.save(update_fields=["status", "sent_at", "last_error", "attempts"])
        return "sent"


def _hold_for_robot(message, now):
    """Why a robot message waits, or None to send it now."""
    robot = message.robot
    if not robot.is_active and message.event != TEST_EVENT:
        message.status = Status.FAILED
        message.last_error = _("群机器人已停用")
        message.save(update_fields=["status", "last_error"])
        return "failed"
    # One robot at a time: the row lock keeps two workers from both sending the 20th.
    Robot.objects.select_for_update().filter(pk=robot.pk).first()
    if message.part > 1 and (
        OutboxMessage.objects.filter(
            group=message.group, part__lt=message.part, status=Status.PENDING
        ).exists()
    ):
        return "skipped"  # parts go out in order
    recent = list(
        OutboxMessage.objects.filter(
            robot_id=robot.pk, status=Status.SENT, sent_at__gt=now - ROBOT_WINDOW
        )
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)[:ROBOT_PER_MINUTE]
    )
    if len(recent) >= ROBOT_PER_MINUTE:
        # The window frees up when the oldest of the last twenty is a minute old.
        message.next_attempt_at = recent[-1] + ROBOT_WINDOW + timedelta(seconds=1)
        message.save(update_fields=["next_attempt_at"])
        return "postponed"
    return None


def _failed(message, now, error):
    message.attempts += 1
    text = scrub(str(error), message.robot if message.robot_id else None)
    message.last_error = text[:2000] or error.__class__.__name__
    if message.attempts >= MAX_ATTEMPTS:
        message.status = Status.FAILED
    else:
        wait = backoff(message.attempts)
        pause = getattr(error, "pause", None)
        if pause:
            wait = max(wait, pause)
        message.next_attempt_at = now + wait
    message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
    logger.warning(
        "outbox message %s failed (attempt %s): %s",
        message.pk,
        message.attempts,
        message.last_error,
    )
    return "failed" if message.status == Status.FAILED else "retry"


def scrub(text, robot):
    """``text`` with the robot's webhook key, signature and secret masked."""
    if robot is None or not text:
        return text
    secrets_ = [robot.secret]
    query = urllib.parse.urlsplit(robot.webhook).query
    for _name, value in urllib.parse.parse_qsl(query, keep_blank_values=True):
        secrets_.append(value)
    for value in sorted({v for v in secrets_ if v and len(v) >= 4}, key=len, reverse=True):
        text = text.replace(value, "******")
        text = text.replace(urllib.parse.quote_plus(value), "******")
    # A signed DingTalk URL's one-time signature, should it appear in a message.
    return SIGN_RE.sub(r"\1******", text)


def retry(message, now=None):
    """Send a failed (or waiting) message again as soon as the worker runs."""
    message.status = Status.PENDING
    message.attempts = 0
    message.next_attempt_at = now or timezone.now()
    message.save(update_fields=["status", "attempts", "next_attempt_at"])


class Sender:
    """Sends one message at a time; keeps one SMTP connection open for a batch."""

    def __init__(self):
        self._connection = None

    def send(self, message):
        if message.channel == Channel.EMAIL:
            self.send_email(message)
        elif message.channel in (Channel.WECOM, Channel.DINGTALK):
            post_robot(message.robot, robot_payload(message))
        else:
            raise DeliveryError(f"unknown channel {message.channel}")

    def send_email(self, message):
        if self._connection is None:
            self._connection = mail.get_connection(fail_silently=False)
        email = mail.EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.address],
            connection=self._connection,
        )
        try:
            email.send(fail_silently=False)
        except Exception:
            self.close()  # a broken connection is opened afresh for the next message
            raise

    def close(self):
        if self._connection is not None:
            with contextlib.suppress(Exception):  # closing a dead connection
                self._connection.close()
            self._connection = None


def robot_payload(message):
    """The JSON a robot's webhook expects for the message."""
    if message.channel == Channel.WECOM:
        if message.msgtype == "markdown":
            return {"msgtype": "markdown", "markdown": {"content": message.body}}
        return {"msgtype": "text", "text": {"content": message.body}}
    if message.msgtype == "markdown":
        return {"msgtype": "markdown", "markdown": {"title": message.subject, "text": message.body}}
    return {"msgtype": "text", "text": {"content": message.body}}


def dingtalk_sign(secret, timestamp_ms):
    """DingTalk's signature: Base64(HmacSHA256(secret, timestamp + "\\n" + secret))."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_webhook(robot, timestamp_ms=None):
    """The URL to post to: a DingTalk robot with a secret gets ``timestamp`` and ``sign``."""
    url = robot.webhook
    if robot.kind == RobotKind.DINGTALK and robot.secret:
        timestamp_ms = timestamp_ms or int(time.time() * 1000)
        sign = urllib.parse.quote_plus(dingtalk_sign(robot.secret, timestamp_ms))
        separator = "&" if "?" in url else "?"
        url = f"{url}{separator}timestamp={timestamp_ms}&sign={sign}"
    return url


def post_robot(robot, payload):
    data = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(
        signed_webhook(robot),
        data=data,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    try:
        with urllib.request.urlopen(request, timeout=ROBOT_TIMEOUT) as response:  # noqa: S310
            raw = response.read()
    except urllib.error.HTTPError as error:
        raise DeliveryError(f"HTTP {error.code} {error.reason}") from error
    except (urllib.error.URLError, OSError) as error:
        raise DeliveryError(f"{error.__class__.__name__}: {error}") from error
    try:
        answer = json.loads(raw or b"{}")
    except ValueError as error:
        # Not the body itself: a webhook pointed at some other server must not make the
        # outbox page a window onto what that server answers.
        raise DeliveryError(f"not JSON ({len(raw)} bytes)") from error
    errcode = answer.get("errcode", 0) if isinstance(answer, dict) else 0
    if errcode:
        pause = RATE_LIMIT_PAUSE if errcode in RATE_LIMIT_ERRCODES else None
        raise DeliveryError(f"errcode {errcode}: {answer.get('errmsg', '')}", pause=pause)
    return answer
