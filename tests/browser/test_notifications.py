"""A teacher on her phone sees the unread badge, opens the inbox, taps the message and is
taken where it points; the message is then read and the badge is gone."""

import pytest
from playwright.sync_api import expect

from houqin.accounts.roles import Position
from houqin.notifications.models import Notification
from houqin.notifications.services import notify
from tests.browser.helpers import demo_school, person, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def teacher():
    school, _campus = demo_school()
    return person(school, "张老师", "zhangls", Position.TEACHER)


def test_it_shows_the_badge_and_marks_a_tapped_message_read(phone, teacher):
    notify(
        [teacher],
        event="notifications.test",
        title="配电房周六检修停电",
        body="周六 8:00—12:00 教学楼停电，请提前保存资料。",
        url="/notifications/preferences/",
    )
    notify([teacher], event="notifications.test", title="第二条消息")

    sign_in(phone, "zhangls")

    badge = phone.get_by_test_id("unread-badge")
    expect(badge).to_be_visible()
    expect(badge).to_have_text("2")

    phone.get_by_test_id("inbox-bell").click()
    expect(phone.get_by_role("heading", name="消息")).to_be_visible()
    item = phone.get_by_test_id("notification").filter(has_text="配电房周六检修停电")
    expect(item).to_have_attribute("data-read", "0")
    item.click()

    expect(phone).to_have_url(phone.url_for("/notifications/preferences/"))
    expect(phone.get_by_test_id("unread-badge")).to_have_text("1")
    assert Notification.objects.get(title="配电房周六检修停电").read_at is not None

    phone.get_by_test_id("inbox-bell").click()
    expect(
        phone.get_by_test_id("notification").filter(has_text="配电房周六检修停电")
    ).to_have_attribute("data-read", "1")
    phone.get_by_test_id("mark-all-read").click()
    expect(phone.get_by_test_id("unread-badge")).to_have_count(0)
