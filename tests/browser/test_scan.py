"""On a phone, a teacher opens 扫码, types the code printed on a classroom door (or
photographs its QR) and lands on the classroom's page; a wrong code gets a Chinese error
and stays in the box."""

import io

import pytest
import segno
from playwright.sync_api import expect

from houqin.accounts.roles import Position
from houqin.accounts.tests.factories import PASSWORD, StaffFactory
from houqin.org.tests.factories import (
    BuildingFactory,
    CampusFactory,
    FloorFactory,
    PlaceFactory,
    SchoolFactory,
)
from houqin.qr.models import QrCode

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def place():
    school = SchoolFactory(name="善真实验学校", short_name="善真学校")
    campus = CampusFactory(school=school, name="本部校区")
    StaffFactory(
        school=school, name="张老师", user__username="zhanglaoshi", positions=[Position.TEACHER]
    )
    building = BuildingFactory(school=school, campus=campus, name="教学楼A")
    floor = FloorFactory(building=building, level=3)
    return PlaceFactory(floor=floor, name="三年级二班教室", code="A301")


@pytest.fixture
def console_errors(phone):
    errors = []
    phone.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    phone.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def _open_scan_page(phone):
    phone.goto(phone.url_for("/q/scan/"))
    phone.get_by_label("账号").fill("zhanglaoshi")
    phone.get_by_label("密码").fill(PASSWORD)
    phone.get_by_test_id("login-submit").click()
    expect(phone.get_by_role("heading", name="扫码", exact=True)).to_be_visible()


def test_it_opens_a_place_by_typing_its_code(phone, place, console_errors):
    _open_scan_page(phone)
    manual = phone.get_by_test_id("manual-entry")
    expect(manual).to_be_visible()
    expect(phone.get_by_test_id("scan-photo")).to_be_visible()

    code = manual.get_by_label("标签上的编码")
    code.fill("ａ３０１ ")  # full-width, typed with a Chinese input method
    manual.get_by_test_id("manual-submit").click()

    expect(phone.get_by_role("heading", name="教学楼A 三年级二班教室")).to_be_visible()
    expect(phone.get_by_test_id("qr-code")).to_have_text("A301")
    assert console_errors == []


def test_it_keeps_a_wrong_code_and_says_why(phone, place, console_errors):
    _open_scan_page(phone)
    manual = phone.get_by_test_id("manual-entry")
    manual.get_by_label("标签上的编码").fill("B999")
    manual.get_by_label("标签上的编码").press("Enter")

    expect(phone.get_by_test_id("scan-error")).to_contain_text("没有找到编码为“B999”的场所")
    expect(manual.get_by_label("标签上的编码")).to_have_value("B999")
    expect(manual.get_by_label("标签上的编码")).to_be_focused()

    manual.get_by_label("标签上的编码").fill("A301")
    manual.get_by_test_id("manual-submit").click()
    expect(phone.get_by_role("heading", name="教学楼A 三年级二班教室")).to_be_visible()
    assert console_errors == []


def test_it_reads_the_qr_from_a_photo(phone, place, live_server, console_errors):
    token = QrCode.objects.for_object(place).token
    picture = io.BytesIO()
    segno.make_qr(f"{live_server.url}/q/{token}", error="m").save(
        picture, kind="png", scale=8, border=6
    )
    _open_scan_page(phone)

    phone.locator("[data-scan-photo]").set_input_files(
        files=[{"name": "门牌.png", "mimeType": "image/png", "buffer": picture.getvalue()}]
    )

    expect(phone.get_by_role("heading", name="教学楼A 三年级二班教室")).to_be_visible()
    assert console_errors == []


def test_it_says_when_a_photo_has_no_qr(phone, place, console_errors):
    blank = io.BytesIO()
    segno.make_qr("x").save(blank, kind="png", scale=1, border=200, dark="white")
    _open_scan_page(phone)
    phone.locator("[data-scan-photo]").set_input_files(
        files=[{"name": "空白.png", "mimeType": "image/png", "buffer": blank.getvalue()}]
    )
    expect(phone.locator("[data-scan-status]")).to_contain_text("照片里没有找到二维码")
    assert console_errors == []
