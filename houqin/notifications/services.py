"""Telling people: ``notify`` is the one way any module sends a notification."""

import logging
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from houqin.notifications.events import get_event
from houqin.notifications.models import (
    Channel,
    Notification,
    OutboxMessage,
    Preference,
    Robot,
    RobotKind,
)

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "http://127.0.0.1:8000"

# Byte limits of a robot message's content (UTF-8), by robot kind and format. WeCom states
# 2,048 bytes for text and 4,096 for markdown; DingTalk refuses a request body over 20,000
# bytes, so its content is held to 18,000 to leave room for the JSON around it.
BYTE_LIMITS = {
    (RobotKind.WECOM, "text"): 2048,
    (RobotKind.WECOM, "markdown"): 4096,
    (RobotKind.DINGTALK, "text"): 18000,
    (RobotKind.DINGTALK, "markdown"): 18000,
}


def base_url():
    return (getattr(settings, "HOUQIN_BASE_URL", "") or DEFAULT_BASE_URL).rstrip("/")


def absolute_url(url):
    """``/approvals/12/`` → ``https://houqin.example.cn/approvals/12/``."""
    if not url or url.startswith(("http://", "https://")):
        return url
    return f"{base_url()}/{url.lstrip('/')}"


def notify(recipients, *, event, title, body="", url="", school=None, robots=False):
    """Tell ``recipients`` (Staff or User objects) about something.

    Writes, inside the caller's transaction: one inbox ``Notification`` per recipient, and
    outbox messages for the channels their preferences ask for (e-mail) and, when
    ``robots`` is true, for the school's group robots subscribed to ``event``. Delivery is
    queued for after commit; a failure is retried with backoff, never lost.
    ``url`` is a path in houqin ("/approvals/12/"); e-mails and robots get it absolute.
    Returns the inbox notifications created.
    """
    definition = get_event(event)
    title = str(title)[:200]
    body = str(body)
    people = _people(recipients)
    school_id = _school_id(school, people)
    link = absolute_url(url)
    now = timezone.now()

    preferences = {
        pref.user_id: pref
        for pref in Preference.objects.filter(user_id__in=[p["pk"] for p in people], event=event)
    }
    inbox, outbox = [], []
    for person in people:
        pref = preferences.get(person["pk"])
        wants_inbox = (
            pref.inbox if pref else "inbox" in definition.channels
        ) or not definition.optional
        wants_email = pref.email if pref else "email" in definition.channels
        person_school = person["staff__school_id"] or school_id
        if wants_inbox:
            inbox.append(
                Notification(
                    school_id=person_school,
                    recipient_id=person["pk"],
                    event=event,
                    title=title,
                    body=body,
                    url=url,
                    created_at=now,
                )
            )
        if wants_email and person["staff__email"]:
            outbox.append(
                OutboxMessage(
                    school_id=person_school,
                    channel=Channel.EMAIL,
                    recipient_id=person["pk"],
                    address=person["staff__email"],
                    event=event,
                    subject=title,
                    body=email_body(body, link),
                    created_at=now,
                    next_attempt_at=now,
                )
            )
    if robots and school_id:
        for robot in Robot.objects.filter(school_id=school_id, is_active=True):
            if robot.subscribes_to(event):
                outbox.extend(robot_messages(robot, event=event, title=title, body=body, url=link))

    created = Notification.objects.bulk_create(inbox)
    if outbox:
        OutboxMessage.objects.bulk_create(outbox)
        transaction.on_commit(enqueue_delivery)
    return created


def _people(recipients):
    """The active logins behind ``recipients``, with their e-mail and school: one query."""
    from houqin.accounts.models import Staff

    user_ids = []
    for recipient in recipients or ():
        if isinstance(recipient, Staff):
            if recipient.user_id:
                user_ids.append(recipient.user_id)
        elif recipient is not None:
            user_ids.append(recipient.pk)
    if not user_ids:
        return []
    rows = get_user_model().objects.filter(pk__in=set(user_ids), is_active=True)
    rows = rows.values("pk", "staff__email", "staff__school_id", "staff__is_active")
    # A person whose staff record is archived has left: they are told nothing.
    return sorted(
        (row for row in rows if row["staff__is_active"] is not False), key=lambda r: r["pk"]
    )


def _school_id(school, people):
    if school is not None:
        return getattr(school, "pk", school)
    schools = {p["staff__school_id"] for p in people if p["staff__school_id"]}
    return schools.pop() if len(schools) == 1 else None


def email_body(body, link):
    from django.utils.translation import gettext as _

    parts = [body.strip()] if body.strip() else []
    if link:
        parts.append(_("查看详情：%(url)s") % {"url": link})
    parts.append(_("—— 本邮件由后勤管理系统自动发送，请勿直接回复。"))
    return "\n\n".join(parts)


def robot_content(robot, *, title, body, url):
    """The text a robot posts: markdown (a heading, the body, a link) or plain text."""
    from django.utils.translation import gettext as _

    body = body.strip()
    if robot.markdown:
        lines = [f"### {title}"]
        if body:
            lines.append(body)
        if url:
            lines.append(f"[{_('查看详情')}]({url})")
        return "\n\n".join(lines)
    lines = [title]
    if body:
        lines.append(body)
    if url:
        lines.append(url)
    return "\n".join(lines)


def robot_messages(robot, *, event, title, body="", url="", now=None):
    """Unsaved outbox rows for one robot message, split at the robot's byte limit."""
    msgtype = "markdown" if robot.markdown else "text"
    limit = BYTE_LIMITS[(robot.kind, msgtype)]
    content = robot_content(robot, title=title, body=body, url=url)
    parts = split_message(content, limit)
    group = uuid.uuid4().hex if len(parts) > 1 else ""
    now = now or timezone.now()
    return [
        OutboxMessage(
            school_id=robot.school_id,
            channel=robot.kind,
            robot=robot,
            event=event,
            subject=title if len(parts) == 1 else f"{title} ({index}/{len(parts)})"[:200],
            body=part,
            msgtype=msgtype,
            group=group,
            part=index,
            parts=len(parts),
            created_at=now,
            next_attempt_at=now,
        )
        for index, part in enumerate(parts, start=1)
    ]


def split_message(text, limit):
    """Cut ``text`` into parts of at most ``limit`` UTF-8 bytes each, "(1/3)" in front of
    each part when there is more than one. Cuts fall on character boundaries, preferably
    just after a line break."""
    if len(text.encode()) <= limit:
        return [text]
    count = 2
    while True:
        # The prefix of the widest part number, e.g. "(10/12) ".
        reserve = len(f"({count}/{count}) ".encode())
        if reserve >= limit:
            raise ValueError("limit too small to split")
        chunks = _chunks(text, limit - reserve)
        if len(str(len(chunks))) <= len(str(count)):
            total = len(chunks)
            return [f"({i}/{total}) {chunk}" for i, chunk in enumerate(chunks, start=1)]
        count = len(chunks)


def _chunks(text, budget):
    chunks = []
    data = text.encode()
    while data:
        if len(data) <= budget:
            chunks.append(data.decode())
            break
        cut = budget
        # Back off to a character boundary: UTF-8 continuation bytes are 10xxxxxx.
        while cut > 0 and (data[cut] & 0xC0) == 0x80:
            cut -= 1
        newline = data.rfind(b"\n", 0, cut)
        if newline >= budget // 2:
            cut = newline + 1
        chunks.append(data[:cut].decode().rstrip("\n") or data[:cut].decode())
        data = data[cut:]
    return chunks


def enqueue_delivery():
    """Queue the worker to send what is due. If the queue is down the messages wait in
    the outbox: the scheduler's tick sends them within a minute."""
    from houqin.notifications.tasks import deliver_outbox

    try:
        deliver_outbox.enqueue()
    except Exception:
        logger.exception("could not queue outbox delivery; the scheduler will send it")
