"""notify(): the inbox, preferences, e-mail and robot outbox rows, splitting, rollback."""

import pytest
from django.db import transaction

from houqin.accounts.roles import Position
from houqin.notifications.events import register_event
from houqin.notifications.models import Notification, OutboxMessage, Preference, RobotKind
from houqin.notifications.services import BYTE_LIMITS, absolute_url, notify, split_message
from houqin.notifications.tests.helpers import make_robot


@pytest.fixture(autouse=True)
def events():
    register_event("tests.optional", "可关闭的测试事件")
    register_event("tests.urgent", "紧急测试事件", channels=("inbox", "email"), optional=False)


@pytest.fixture
def people(school, make_staff):
    return [
        make_staff(school, Position.TEACHER, name="张老师", email="zhang@example.cn"),
        make_staff(school, Position.TEACHER, name="李老师", email=""),
    ]


def test_it_puts_one_notification_in_each_inbox(people, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        created = notify(
            people, event="tests.optional", title="配电房检修", body="周六停电", url="/x/1/"
        )
    assert [n.recipient_id for n in created] == [p.user_id for p in people]
    row = Notification.objects.get(recipient=people[0].user)
    assert (row.title, row.body, row.url, row.read_at) == ("配电房检修", "周六停电", "/x/1/", None)
    assert row.school_id == people[0].school_id
    assert not OutboxMessage.objects.exists()  # e-mail is off by default for this event


def test_it_takes_users_as_well_as_staff(people):
    notify([people[0].user, people[1]], event="tests.optional", title="通知")
    assert Notification.objects.count() == 2


def test_its_queries_do_not_grow_with_recipients(school, make_staff, django_assert_max_num_queries):
    many = [make_staff(school, Position.TEACHER, email=f"t{i}@example.cn") for i in range(25)]
    make_robot(school)
    with django_assert_max_num_queries(6):
        notify(many, event="tests.urgent", title="紧急", school=school, robots=True)
    assert Notification.objects.count() == 25
    assert OutboxMessage.objects.filter(channel="email").count() == 25
    assert OutboxMessage.objects.filter(channel="wecom").count() == 1


def test_it_respects_preferences(people, settings):
    settings.HOUQIN_BASE_URL = ""
    zhang, li = people
    Preference.objects.create(user=zhang.user, event="tests.optional", inbox=False, email=True)
    Preference.objects.create(user=li.user, event="tests.optional", inbox=True, email=True)
    notify(people, event="tests.optional", title="通知", url="/x/")
    # Zhang turned the inbox off but asked for e-mail; Li asked for e-mail but has no address.
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [li.user_id]
    email = OutboxMessage.objects.get()
    assert (email.channel, email.address, email.recipient_id) == (
        "email",
        "zhang@example.cn",
        zhang.user_id,
    )
    assert "http://127.0.0.1:8000/x/" in email.body


def test_urgent_events_stay_in_the_inbox(people):
    zhang = people[0]
    Preference.objects.create(user=zhang.user, event="tests.urgent", inbox=False, email=False)
    notify([zhang], event="tests.urgent", title="燃气泄漏")
    assert Notification.objects.filter(recipient=zhang.user).exists()
    assert not OutboxMessage.objects.exists()  # e-mail was turned off, and that is allowed


def test_it_skips_people_who_have_left(people):
    people[0].archive(by=people[1].user, reason="调离")
    people[1].user.is_active = False
    people[1].user.save()
    assert notify(people, event="tests.optional", title="通知") == []


def test_links_in_mail_are_absolute(people, settings):
    settings.HOUQIN_BASE_URL = "https://houqin.szsy.cn"
    Preference.objects.create(user=people[0].user, event="tests.optional", email=True)
    notify([people[0]], event="tests.optional", title="通知", url="/approvals/12/")
    assert "https://houqin.szsy.cn/approvals/12/" in OutboxMessage.objects.get().body
    # The inbox keeps the path: it works behind any host name.
    assert Notification.objects.get().url == "/approvals/12/"


def test_absolute_url_falls_back_to_localhost(settings):
    settings.HOUQIN_BASE_URL = ""
    assert absolute_url("/a/") == "http://127.0.0.1:8000/a/"
    assert absolute_url("https://example.cn/a/") == "https://example.cn/a/"
    assert absolute_url("") == ""


def test_robots_get_events_they_subscribe_to(school, other_school, people, settings):
    settings.HOUQIN_BASE_URL = ""
    everything = make_robot(school, name="全部")
    only_urgent = make_robot(school, name="只要紧急", events=["tests.urgent"])
    make_robot(school, name="停用的", is_active=False)
    make_robot(other_school, name="别校的")
    dingtalk = make_robot(school, name="钉钉", kind=RobotKind.DINGTALK, markdown=False)

    notify(people, event="tests.optional", title="普通", robots=True)
    assert set(OutboxMessage.objects.values_list("robot", flat=True)) == {
        everything.pk,
        dingtalk.pk,
    }
    OutboxMessage.objects.all().update(status="sent")
    notify(people, event="tests.urgent", title="紧急", url="/u/", robots=True)
    rows = OutboxMessage.objects.filter(status="pending").exclude(channel="email")
    assert {r.robot_id for r in rows} == {everything.pk, only_urgent.pk, dingtalk.pk}
    wecom = rows.get(robot=everything)
    assert (wecom.channel, wecom.msgtype) == ("wecom", "markdown")
    assert wecom.body.startswith("### 紧急")
    assert "](http://127.0.0.1:8000/u/)" in wecom.body
    plain = rows.get(robot=dingtalk)
    assert (plain.channel, plain.msgtype) == ("dingtalk", "text")
    assert plain.body == "紧急\nhttp://127.0.0.1:8000/u/"


def test_robots_only_when_asked(school, people):
    make_robot(school)
    notify(people, event="tests.optional", title="普通")
    assert not OutboxMessage.objects.exists()


def test_a_robot_message_needs_no_recipients(school):
    make_robot(school)
    assert notify([], event="tests.optional", title="全校通知", school=school, robots=True) == []
    assert OutboxMessage.objects.count() == 1


def test_nothing_is_left_when_the_transaction_rolls_back(
    people, school, django_capture_on_commit_callbacks
):
    make_robot(school)
    Preference.objects.create(user=people[0].user, event="tests.optional", email=True)
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(people, event="tests.optional", title="通知", robots=True)
        assert OutboxMessage.objects.count() == 2
        raise RuntimeError("the change that caused it failed")
    assert not Notification.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert callbacks == []  # and no delivery is queued


def test_delivery_is_queued_after_commit(people, django_capture_on_commit_callbacks):
    Preference.objects.create(user=people[0].user, event="tests.optional", email=True)
    with django_capture_on_commit_callbacks() as callbacks:
        notify(people, event="tests.optional", title="通知")
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks() as callbacks:
        notify(people[1:], event="tests.optional", title="只有站内")
    assert callbacks == []  # nothing to send


# Splitting


def _bytes(text):
    return len(text.encode())


def test_a_short_message_is_not_split():
    assert split_message("短消息", 2048) == ["短消息"]
    exact = "好" * 682 + "ab"  # 2,048 bytes exactly
    assert _bytes(exact) == 2048
    assert split_message(exact, 2048) == [exact]


def test_long_chinese_text_is_split_on_character_boundaries():
    text = "食堂卫生检查" * 1000  # 18,000 bytes, no line breaks
    parts = split_message(text, 2048)
    assert all(_bytes(part) <= 2048 for part in parts)
    assert [p.split(" ", 1)[0] for p in parts] == [
        f"({i}/{len(parts)})" for i in range(1, len(parts) + 1)
    ]
    assert "".join(p.split(" ", 1)[1] for p in parts) == text  # nothing lost or broken
    assert len(parts) == 9


def test_splitting_prefers_line_breaks():
    lines = [f"第{i}条：{'教室灯管损坏需要更换' * 3}" for i in range(200)]
    text = "\n".join(lines)
    parts = split_message(text, 4096)
    assert all(_bytes(part) <= 4096 for part in parts)
    bodies = [p.split(" ", 1)[1] for p in parts]
    for body in bodies:
        assert body.split("\n")[0].startswith("第")  # every part starts at a line
    assert "\n".join(bodies) == text


def test_split_sizes_hold_at_every_byte_limit():
    text = "巡检记录：" + "a好😀" * 3000
    for limit in sorted(set(BYTE_LIMITS.values())):
        parts = split_message(text, limit)
        assert len(parts) > 1
        assert max(_bytes(p) for p in parts) <= limit
        assert "".join(p.split(" ", 1)[1] for p in parts) == text
        assert all(p.encode().decode() == p for p in parts)


def test_a_long_robot_message_becomes_several_outbox_rows(school):
    make_robot(school, markdown=False)
    notify([], event="tests.optional", title="清单", body="灯" * 2000, school=school, robots=True)
    rows = list(OutboxMessage.objects.order_by("part"))
    assert [(r.part, r.parts) for r in rows] == [(1, 3), (2, 3), (3, 3)]
    assert len({r.group for r in rows}) == 1 and rows[0].group
    assert all(_bytes(r.body) <= 2048 for r in rows)
    assert rows[0].body.startswith("(1/3) 清单\n灯")
