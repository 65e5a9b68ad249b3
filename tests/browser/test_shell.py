"""A manager signs in on a phone, sees her Chinese home page, switches to English and
signs out."""

import pytest
from playwright.sync_api import expect

from houqin.accounts.roles import Position
from tests.browser.helpers import demo_school, log_in, person, sign_out

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def zhoujing():
    school, _campus = demo_school()
    return person(school, "周静", "zhoujing", Position.LOGISTICS_MANAGER)


def test_it_signs_in_switches_language_and_signs_out(phone, zhoujing):
    phone.goto(phone.url_for("/"))
    expect(phone).to_have_url(phone.url_for("/accounts/login/?next=/"))
    log_in(phone, "zhoujing")

    expect(phone.get_by_role("heading", name="我的工作")).to_be_visible()
    expect(phone.get_by_text("周静，您好")).to_be_visible()
    # On a phone the navigation is the tab bar at the bottom.
    tabbar = phone.locator(".hq-tabbar")
    expect(tabbar).to_be_visible()
    expect(tabbar.get_by_text("我的工作")).to_be_visible()

    phone.get_by_test_id("lang-switch").click()
    expect(phone.get_by_role("heading", name="My work")).to_be_visible()

    sign_out(phone)
    expect(phone).to_have_url(phone.url_for("/accounts/login/"))
    expect(phone.get_by_test_id("login-submit")).to_have_text("Sign in")
