"""A stocktake counted on a phone, end to end: the asset clerk scans a room's code, then
the labels (typed in the manual field), loses the signal for one scan, registers an item
not on the books with a photo, comes back online and the scans land once, the photo after
its scan (downscaled to at most 1600 px); ending the count shows one card missing (盘亏)
and the item found (盘盈), with its photo, among the differences."""

from datetime import date

import pytest
from playwright.sync_api import expect

from houqin.accounts.roles import Position
from houqin.assets.tests.factories import AssetFactory, place_in
from houqin.org.tests.factories import CampusFactory, SchoolFactory
from houqin.stocktakes import services
from houqin.stocktakes.models import Difference, Scan, ScanPhoto, Stocktake
from tests.browser.helpers import person, photo, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def counting():
    school = SchoolFactory(name="善真实验学校")
    CampusFactory(school=school, name="本部校区")
    clerk = person(school, "刘刚", "liugang", Position.ASSET_CLERK)
    room = place_in(school, name="301教室", code="A301")
    cards = [
        AssetFactory(school=school, place=room, number=f"2026-00000{n}", name=name)
        for n, name in [(1, "投影仪"), (2, "台式计算机"), (3, "空调")]
    ]
    stocktake = services.stocktake_save(
        Stocktake(), by=clerk, values={"name": "期末盘点", "base_date": date(2026, 6, 30)}
    )
    services.counter_add(stocktake, by=clerk, staff=clerk)
    services.stocktake_start(stocktake, by=clerk)
    return stocktake, cards


def test_it_counts_a_room_offline_and_shows_the_differences(phone, counting):
    stocktake, cards = counting
    errors = []
    phone.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(phone, "liugang", f"/stocktakes/{stocktake.pk}/count/")

    phone.get_by_test_id("room-code").fill("a301")
    phone.get_by_test_id("room-go").click()
    expect(phone.get_by_test_id("room-name")).to_contain_text("301教室")
    expect(phone.get_by_test_id("missing-count")).to_have_text("3")

    phone.get_by_test_id("asset-code").fill("2026-000001")
    phone.get_by_test_id("asset-go").click()
    expect(phone.get_by_test_id("scan-result")).to_contain_text("投影仪")
    expect(phone.get_by_test_id("sync-status")).to_have_text("已同步")

    phone.context.set_offline(True)
    phone.get_by_test_id("asset-code").fill("2026-000002")
    phone.get_by_test_id("asset-go").click()
    expect(phone.get_by_test_id("scan-result")).to_contain_text("台式计算机")
    expect(phone.get_by_test_id("missing-count")).to_have_text("1")
    phone.get_by_test_id("asset-code").fill("旧钢琴")
    phone.get_by_test_id("asset-go").click()
    expect(phone.get_by_test_id("surplus-form")).to_be_visible()
    phone.get_by_test_id("surplus-name").fill("旧钢琴")
    phone.get_by_test_id("surplus-photo").set_input_files(
        files=[photo("钢琴.jpg", (90, 60, 30), (2400, 1800))]
    )
    phone.get_by_test_id("surplus-save").click()
    expect(phone.get_by_test_id("sync-status")).to_contain_text("3 条待同步")
    assert Scan.objects.filter(stocktake=stocktake).count() == 1

    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    expect(phone.get_by_test_id("sync-status")).to_have_text("已同步")
    assert Scan.objects.filter(stocktake=stocktake).count() == 3
    kept = ScanPhoto.objects.select_related("scan", "attachment").get()
    assert kept.scan.surplus_name == "旧钢琴"
    assert max(kept.attachment.width, kept.attachment.height) <= 1600

    phone.goto(phone.url_for(f"/stocktakes/{stocktake.pk}/"))
    phone.once("dialog", lambda dialog: dialog.accept())
    phone.get_by_test_id("end").click()
    expect(phone.get_by_test_id("kind-missing")).to_contain_text("1")
    expect(phone.get_by_test_id("kind-surplus")).to_contain_text("1")
    expect(phone.get_by_test_id("differences")).to_contain_text("空调")
    expect(phone.get_by_test_id("differences")).to_contain_text("旧钢琴")
    expect(phone.get_by_test_id("differences").get_by_test_id("photo")).to_have_count(1)
    kinds = set(Difference.objects.filter(stocktake=stocktake).values_list("kind", flat=True))
    assert kinds == {Difference.Kind.MISSING, Difference.Kind.SURPLUS}
    assert errors == []
