"""The inbox, preferences, robots admin and outbox monitor pages."""

import pytest
from django.urls import reverse
from django.utils import timezone

from houqin.accounts.roles import Position
from houqin.notifications.models import Notification, OutboxMessage, Preference, Robot, Status
from houqin.notifications.services import notify, robot_messages
from houqin.notifications.tests.helpers import RobotServer, make_robot


@pytest.fixture
def other_admin(other_school, make_staff):
    return make_staff(other_school, Position.SYSTEM_ADMIN, name="别校管理员")


# The inbox and the badge


def test_the_badge_counts_unread_notifications(login, teacher, django_assert_max_num_queries):
    client = login(teacher)
    response = client.get(reverse("notifications:preferences"))
    assert 'data-testid="unread-badge"' not in response.content.decode()
    notify([teacher] * 1, event="notifications.test", title="一")
    notify([teacher], event="notifications.test", title="二")
    Notification.objects.filter(title="一").update(read_at=timezone.now())
    notify([teacher], event="notifications.test", title="三")
    response = client.get(reverse("notifications:preferences"))
    assert response.context["unread_notifications"]() == 2
    html = response.content.decode()
    badge = html.split('data-testid="unread-badge"', 1)[1].split("</span>", 1)[0]
    assert ">2" in badge.replace(" ", "").replace("\n", "")


def test_the_count_is_one_query_and_none_for_visitors(rf, teacher, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    from houqin.notifications.context_processors import inbox

    request = rf.get("/")
    request.user = AnonymousUser()
    assert inbox(request) == {}
    request.user = teacher.user
    count = inbox(request)["unread_notifications"]
    with django_assert_num_queries(1):
        assert count() == 0
        assert count() == 0  # counted once per request


def test_the_inbox_lists_unread_first(login, teacher, manager, django_assert_max_num_queries):
    for i in range(40):
        notify([teacher], event="notifications.test", title=f"消息{i}")
    notify([manager], event="notifications.test", title="别人的消息")
    Notification.objects.filter(title="消息39").update(read_at=timezone.now())
    client = login(teacher)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("notifications:inbox"))
    titles = [n.title for n in response.context["page"]]
    assert len(titles) == 30
    assert titles[0] == "消息38" and "消息39" not in titles and "别人的消息" not in titles
    page2 = client.get(reverse("notifications:inbox"), {"page": 2})
    assert [n.title for n in page2.context["page"]][-1] == "消息39"
    unread = client.get(reverse("notifications:inbox"), {"show": "unread"}, HTTP_HX_REQUEST="true")
    assert "<html" not in unread.content.decode()  # htmx gets the list only
    assert unread.context["page"].paginator.count == 39


def test_opening_a_notification_marks_it_read_and_follows_its_link(login, teacher):
    (notification,) = notify([teacher], event="notifications.test", title="去看看", url="/org/")
    client = login(teacher)
    response = client.post(reverse("notifications:open"), {"id": notification.pk})
    assert response.status_code == 302 and response["Location"] == "/org/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    htmx = client.post(
        reverse("notifications:open"), {"id": notification.pk}, HTTP_HX_REQUEST="true"
    )
    assert htmx["HX-Redirect"] == "/org/"


def test_an_outside_link_is_not_followed(login, teacher):
    (notification,) = notify(
        [teacher], event="notifications.test", title="x", url="https://evil.example/"
    )
    response = login(teacher).post(reverse("notifications:open"), {"id": notification.pk})
    assert response["Location"] == reverse("notifications:inbox")


def test_nobody_opens_someone_elses_notification(login, teacher, manager, other_admin):
    (notification,) = notify([manager], event="notifications.test", title="私信")
    assert (
        login(teacher).post(reverse("notifications:open"), {"id": notification.pk}).status_code
        == 404
    )
    assert (
        login(other_admin).post(reverse("notifications:open"), {"id": notification.pk}).status_code
        == 404
    )
    assert login(teacher).post(reverse("notifications:open"), {"id": "x"}).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None
    assert login(teacher).get(reverse("notifications:open")).status_code == 405


def test_mark_all_read(login, teacher, manager):
    notify([teacher, manager], event="notifications.test", title="一")
    notify([teacher], event="notifications.test", title="二")
    response = login(teacher).post(reverse("notifications:mark_all_read"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=teacher.user, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=manager.user, read_at__isnull=True).exists()


def test_visitors_are_sent_to_sign_in(client):
    for name in ("notifications:inbox", "notifications:preferences"):
        assert client.get(reverse(name)).status_code == 302


# Preferences


def test_preferences_are_saved_per_event(login, school, make_staff):
    staff = make_staff(school, Position.TEACHER, email="li@example.cn")
    client = login(staff)
    response = client.get(reverse("notifications:preferences"))
    assert "li@example.cn" in response.content.decode()
    codes = [row["event"].code for row in response.context["rows"]]
    assert "notifications.test" in codes
    response = client.post(reverse("notifications:preferences"), {"email:notifications.test": "on"})
    assert response.status_code == 302
    pref = Preference.objects.get(user=staff.user, event="notifications.test")
    assert (pref.inbox, pref.email) == (False, True)
    notify([staff], event="notifications.test", title="只发邮件")
    assert not Notification.objects.exists()
    assert OutboxMessage.objects.get().address == "li@example.cn"


def test_preferences_warn_without_an_address(login, teacher):
    response = login(teacher).post(
        reverse("notifications:preferences"), {"email:notifications.test": "on"}, follow=True
    )
    assert "您还没有登记电子邮箱" in response.content.decode()


# Robots


def test_robot_pages_need_the_permission(login, teacher, school):
    robot = make_robot(school)
    client = login(teacher)
    for url in (
        reverse("notifications:robot_list"),
        reverse("notifications:robot_create"),
        reverse("notifications:robot_edit", args=[robot.pk]),
    ):
        assert client.get(url).status_code == 403
    for name in ("robot_test", "robot_archive", "robot_restore"):
        assert client.post(reverse(f"notifications:{name}", args=[robot.pk])).status_code == 403


def test_another_schools_robot_is_not_found(login, sysadmin, other_school):
    robot = make_robot(other_school)
    client = login(sysadmin)
    assert client.get(reverse("notifications:robot_edit", args=[robot.pk])).status_code == 404
    for name in ("robot_test", "robot_archive", "robot_restore"):
        assert client.post(reverse(f"notifications:{name}", args=[robot.pk])).status_code == 404
    assert robot.name not in client.get(reverse("notifications:robot_list")).content.decode()


def test_creating_a_dingtalk_robot_keeps_the_secret_hidden(login, sysadmin):
    client = login(sysadmin)
    data = {
        "name": "后勤钉钉群",
        "kind": "dingtalk",
        "webhook": "https://oapi.dingtalk.com/robot/send?access_token=abcdef1234567890",
        "secret": "SECabcdefghijklmnop123456",
        "markdown": "on",
        "events": ["notifications.test"],
    }
    response = client.post(reverse("notifications:robot_create"), data)
    assert response.status_code == 302
    robot = Robot.objects.get()
    assert robot.school_id == sysadmin.school_id
    assert robot.secret == "SECabcdefghijklmnop123456"
    assert robot.events == ["notifications.test"]
    listing = client.get(reverse("notifications:robot_list")).content.decode()
    edit = client.get(reverse("notifications:robot_edit", args=[robot.pk])).content.decode()
    for html in (listing, edit):
        assert "SECabcdefghijklmnop123456" not in html
        assert "abcdef1234567890" not in html
    assert "SECa…56" in edit
    # Saving without typing the secret again keeps it.
    data.pop("secret")
    data["name"] = "后勤钉钉群（新）"
    client.post(reverse("notifications:robot_edit", args=[robot.pk]), data)
    robot.refresh_from_db()
    assert (robot.name, robot.secret) == ("后勤钉钉群（新）", "SECabcdefghijklmnop123456")
    edit = client.get(reverse("notifications:robot_edit", args=[robot.pk])).content.decode()
    assert 'data-testid="history"' in edit and "后勤钉钉群（新）" in edit
    for secret_part in ("ijklmnop123456", "1234567890", "abcdef12345"):
        assert secret_part not in edit  # not even half of it, in the history either
    client.post(
        reverse("notifications:robot_edit", args=[robot.pk]), {**data, "clear_secret": "on"}
    )
    robot.refresh_from_db()
    assert robot.secret == ""


def test_bad_robot_input_gets_chinese_errors_and_keeps_what_was_typed(login, sysadmin):
    response = login(sysadmin).post(
        reverse("notifications:robot_create"),
        {
            "name": "钉钉群",
            "kind": "dingtalk",
            "webhook": "https://oapi.dingtalk.com/robot/send",
            "secret": "abc",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "access_token=" in html and "SEC 开头" in html
    assert 'value="钉钉群"' in html and 'value="abc"' in html  # nothing typed is lost
    assert not Robot.objects.exists()


def test_test_message_goes_through_the_outbox(
    login, sysadmin, school, django_capture_on_commit_callbacks
):
    with RobotServer() as server:
        robot = make_robot(school, server)
        with django_capture_on_commit_callbacks(execute=True):
            response = login(sysadmin).post(reverse("notifications:robot_test", args=[robot.pk]))
        assert response.status_code == 302
        message = OutboxMessage.objects.get()
        assert message.status == Status.SENT and message.event == "notifications.test"
        assert "测试消息" in server.payloads()[0]["markdown"]["content"]


def test_archive_and_restore_a_robot(login, sysadmin, school):
    robot = make_robot(school)
    client = login(sysadmin)
    client.post(reverse("notifications:robot_archive", args=[robot.pk]), {"reason": "群已解散"})
    robot.refresh_from_db()
    assert not robot.is_active and robot.archive_reason == "群已解散"
    client.post(reverse("notifications:robot_restore", args=[robot.pk]))
    robot.refresh_from_db()
    assert robot.is_active


# The outbox


@pytest.fixture
def queued(school):
    robot = make_robot(school)
    rows = OutboxMessage.objects.bulk_create(
        robot_messages(robot, event="notifications.test", title=f"消息{i}")[0] for i in range(35)
    )
    OutboxMessage.objects.filter(pk=rows[0].pk).update(
        status=Status.FAILED, attempts=10, last_error="errcode 93000: invalid webhook url"
    )
    return rows


def test_the_outbox_needs_the_permission(login, teacher, queued):
    client = login(teacher)
    assert client.get(reverse("notifications:outbox")).status_code == 403
    assert (
        client.get(reverse("notifications:outbox_detail", args=[queued[0].pk])).status_code == 403
    )
    assert (
        client.post(reverse("notifications:outbox_retry", args=[queued[0].pk])).status_code == 403
    )


def test_another_schools_outbox_is_not_found(login, other_admin, queued):
    client = login(other_admin)
    assert (
        client.get(reverse("notifications:outbox_detail", args=[queued[0].pk])).status_code == 404
    )
    assert (
        client.post(reverse("notifications:outbox_retry", args=[queued[0].pk])).status_code == 404
    )
    assert client.get(reverse("notifications:outbox")).context["page"].paginator.count == 0


def test_the_outbox_lists_and_filters(login, sysadmin, queued, django_assert_max_num_queries):
    client = login(sysadmin)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("notifications:outbox"))
    assert response.context["page"].paginator.count == 35
    assert response.context["counts"] == {"pending": 34, "sent": 0, "failed": 1}
    failed = client.get(reverse("notifications:outbox"), {"status": "failed", "channel": "wecom"})
    assert [m.pk for m in failed.context["page"]] == [queued[0].pk]
    assert "errcode 93000: invalid webhook url" in failed.content.decode()
    assert (
        client.get(reverse("notifications:outbox"), {"channel": "email"})
        .context["page"]
        .paginator.count
        == 0
    )
    detail = client.get(reverse("notifications:outbox_detail", args=[queued[0].pk]))
    assert "errcode 93000" in detail.content.decode()


def test_retry_now(login, sysadmin, queued, django_capture_on_commit_callbacks):
    with RobotServer() as server:
        Robot.objects.update(webhook=f"{server.url}/cgi-bin/webhook/send?key=fixed")
        with django_capture_on_commit_callbacks(execute=True):
            response = login(sysadmin).post(
                reverse("notifications:outbox_retry", args=[queued[0].pk])
            )
        assert response.status_code == 302
    message = OutboxMessage.objects.get(pk=queued[0].pk)
    assert message.status == Status.SENT


def test_a_test_email_goes_to_the_administrator(login, school, make_staff):
    admin = make_staff(school, Position.SYSTEM_ADMIN, email="admin@example.cn")
    response = login(admin).post(reverse("notifications:email_test"), follow=True)
    assert "admin@example.cn" in response.content.decode()
    message = OutboxMessage.objects.get()
    assert (message.channel, message.address, message.subject) == (
        "email",
        "admin@example.cn",
        "测试邮件",
    )


def test_a_test_email_needs_an_address_and_the_permission(login, sysadmin, teacher):
    assert login(teacher).post(reverse("notifications:email_test")).status_code == 403
    response = login(sysadmin).post(reverse("notifications:email_test"), follow=True)
    assert "您还没有登记电子邮箱" in response.content.decode()
    assert not OutboxMessage.objects.exists()
