"""On a phone, a teacher opens 扫码, types the code printed on a classroom door (or
photographs its QR) and lands on the classroom's page; a wrong code gets a Chinese error
and stays in the box."""

import pytest
import segno
from playwright.sync_api import expect

from houqin.accounts.roles import Position
from houqin.org.tests.factories import BuildingFactory, FloorFactory, PlaceFactory
from tests.browser.helpers import demo_school, label_photo, person, png, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def place():
    school, campus = demo_school()
    person(school, "张老师", "zhanglaoshi", Position.TEACHER)
    building = BuildingFactory(school=school, campus=campus, name="教学楼A")
    floor = FloorFactory(building=building, level=3)
    return PlaceFactory(floor=floor, name="三年级二班教室", code="A301")


def _open_scan_page(phone):
    sign_in(phone, "zhanglaoshi", "/q/scan/", heading="扫码", exact=True)


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
    _open_scan_page(phone)

    phone.locator("[data-scan-photo]").set_input_files(
        files=[label_photo(live_server, place, "门牌.png")]
    )

    expect(phone.get_by_role("heading", name="教学楼A 三年级二班教室")).to_be_visible()
    assert console_errors == []


def test_it_says_when_a_photo_has_no_qr(phone, place, console_errors):
    blank = png(
        "空白.png",
        lambda picture: segno.make_qr("x").save(
            picture, kind="png", scale=1, border=200, dark="white"
        ),
    )
    _open_scan_page(phone)
    phone.locator("[data-scan-photo]").set_input_files(files=[blank])
    expect(phone.locator("[data-scan-status]")).to_contain_text("照片里没有找到二维码")
    assert console_errors == []
