"""Fixed assets in the demo school, end to end (issue 5's "done when"): the asset clerk
accepts a delivery and prints its labels, moves a card through the transfer approval,
counts the gym on a phone with one card missing and one item found, and scraps an old
air conditioner through appraisal, approval and write-off.

The demo school takes ~20 s to load, so one test walks all four steps on it; each step is
its own function and checks its own result."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from houqin.accounts.models import Staff
from houqin.approvals.models import ApprovalRequest, RequestStatus
from houqin.assets.models import Acceptance, Asset, Disposal, Movement, Status
from houqin.demo.demo_school import DEMO_PASSWORD, load_demo_school
from houqin.org.models import Building, Place
from houqin.stocktakes.models import Difference, Scan, Stocktake
from tests.browser.helpers import PHONE, sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("media_in_tmp")]

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def school():
    return load_demo_school().school


def _staff(school, username):
    return Staff.objects.get(school=school, user__username=username)


def _sign_in(phone, username, path):
    """Sign in afresh as one of the demo school's people."""
    phone.context.clear_cookies()
    sign_in(phone, username, path, password=DEMO_PASSWORD)


def _pick(phone, name, text, option):
    """Types into a picker's search box and taps the option that shows ``option``."""
    phone.get_by_test_id(f"picker-{name}").fill(text)
    phone.locator(".hq-picker-option").filter(has_text=option).first.click()


def _wait_for(phone, condition, seconds=10):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        phone.wait_for_timeout(100)


def _approve_all(phone, subject_number):
    """Each current approver signs in, finds the request in 待我审批 and approves it,
    until the request is decided."""
    approval = ApprovalRequest.objects.get(title__contains=subject_number)
    for _round in range(5):
        approval.refresh_from_db()
        if approval.status != RequestStatus.PENDING:
            break
        approver = approval.current_step.approvers.order_by("staff_no").first()
        _sign_in(phone, approver.user.username, "/approvals/")
        phone.get_by_test_id("inbox-item").filter(has_text=subject_number).click()
        phone.get_by_test_id("approve").click()
        expect(phone.get_by_test_id("decision")).to_have_count(0)
    approval.refresh_from_db()
    assert approval.status == RequestStatus.APPROVED
    return approval


def _accept_a_delivery_and_print_its_labels(phone, school):
    clerk, leader = _staff(school, "liugang"), _staff(school, "zhuzhigang")
    _sign_in(phone, "liugang", "/assets/acceptances/new/")
    form = phone.get_by_test_id("acceptance-form")
    form.get_by_label("供应商").fill("善真教育装备有限公司")
    form.get_by_label("合同/订单号").fill("SZCG-2026-031")
    form.get_by_label("到货日期").fill(timezone.localdate().isoformat())
    form.get_by_label("验收小组").select_option([str(clerk.pk), str(leader.pk)])
    form.get_by_test_id("acceptance-save").click()
    expect(phone.get_by_test_id("acceptance-state")).to_have_text("验收中")
    expect(phone.get_by_test_id("acceptance-group")).to_contain_text("朱志刚")

    # One line, three laptops, one card each; the class comes from the picker.
    line = phone.get_by_test_id("line-form")
    _pick(phone, "category", "A02010108", "便携式计算机")
    line.get_by_label("名称").fill("笔记本电脑")
    line.get_by_label("品牌").fill("联想")
    line.get_by_label("订购数量").fill("3")
    line.get_by_label("实收数量").fill("3")
    line.get_by_label("单价(元)").fill("4800")
    expect(line.get_by_label("每件一张卡片")).to_be_checked()
    _pick(phone, "place", "XZ-202", "教务处")
    line.get_by_test_id("line-save").click()
    expect(phone.get_by_test_id("line-row")).to_contain_text("笔记本电脑")
    expect(phone.get_by_test_id("acceptance-total")).to_contain_text("14,400.00")

    phone.get_by_test_id("accept-toggle").click()
    phone.get_by_label("验收意见").fill("型号与合同一致，开机正常")
    phone.once("dialog", lambda dialog: dialog.accept())
    phone.get_by_test_id("accept-submit").click()
    expect(phone.get_by_test_id("acceptance-state")).to_have_text("已验收入账")
    expect(phone.get_by_test_id("acceptance-cards")).to_contain_text("已生成 3 张资产卡片")

    acceptance = Acceptance.objects.get(school=school, order_number="SZCG-2026-031")
    cards = list(Asset.objects.filter(acceptance=acceptance).order_by("number"))
    serials = [int(card.number.split("-")[1]) for card in cards]
    assert serials == list(range(serials[0], serials[0] + 3))
    assert {card.place.code for card in cards} == {"XZ-202"}
    for card in cards:
        expect(phone.get_by_test_id("acceptance-cards")).to_contain_text(card.number)

    # 打印本批标签: the label page lists the three cards, and printing returns a PDF.
    phone.get_by_test_id("batch-labels").click()
    expect(phone.get_by_test_id("labels-count")).to_contain_text("共 3 个")
    with phone.expect_download() as download_info:
        phone.get_by_test_id("labels-submit").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def _move_a_card(phone, school):
    desk = Asset.objects.get(school=school, place__code="XZ-202", name="办公桌")
    _sign_in(phone, "liugang", f"/assets/{desk.pk}/")
    phone.get_by_test_id("asset-transfer").click()
    expect(phone.get_by_label("资产编号")).to_have_value(desk.number)
    _pick(phone, "to_place", "XZ-101", "综合管理中心")
    _pick(phone, "to_custodian", "刘伟", "刘伟")
    phone.get_by_label("事由").fill("综合管理中心新增工位")
    phone.get_by_test_id("movement-submit").click()
    expect(phone.get_by_test_id("movement-to-place")).to_contain_text("综合管理中心")

    movement = Movement.objects.get(lines__asset=desk)
    _approve_all(phone, movement.number)

    _sign_in(phone, "liugang", f"/assets/{desk.pk}/")
    expect(phone.get_by_test_id("asset-place")).to_contain_text("综合管理中心")
    expect(phone.get_by_test_id("section-use")).to_contain_text("刘伟")
    desk.refresh_from_db()
    assert desk.place.code == "XZ-101" and desk.custodian.user.username == "liuwei"


def _count_the_gym(phone, school):
    """The gym holds five cards in three rooms: the projector in TYG-201 is not found and
    an old piano nobody booked is."""
    clerk = _staff(school, "liugang")
    gym = Building.objects.get(school=school, code="TYG")
    _sign_in(phone, "liugang", "/stocktakes/new/")
    form = phone.get_by_test_id("stocktake-form")
    form.get_by_label("名称").fill("体育馆专项盘点")
    form.get_by_label("基准日").fill(timezone.localdate().isoformat())
    form.get_by_label("体育馆").check()
    form.get_by_test_id("save").click()
    counters = phone.get_by_test_id("counter-form")
    counters.get_by_label("盘点人").select_option(str(clerk.pk))
    counters.get_by_test_id("counter-add").click()
    expect(phone.get_by_test_id("counter")).to_contain_text("刘刚")
    phone.get_by_test_id("start").click()
    expect(phone.get_by_test_id("stocktake-status")).to_have_text("盘点中")
    stocktake = Stocktake.objects.get(school=school, name="体育馆专项盘点")
    assert stocktake.lines.count() == Asset.objects.filter(place__building=gym).count() == 5

    # Counting, on the phone.
    phone.set_viewport_size(PHONE)
    phone.get_by_test_id("count").click()
    for room, found in [
        ("TYG-101", ["篮球架"]),
        ("TYG-102", ["乒乓球台", "跳高架"]),
        ("TYG-201", ["体操垫"]),
    ]:
        phone.get_by_test_id("room-code").fill(room.lower())
        phone.get_by_test_id("room-go").click()
        expect(phone.get_by_test_id("room-name")).to_contain_text(
            Place.objects.get(school=school, code=room).name
        )
        for name in found:
            card = Asset.objects.get(place__code=room, name=name)
            phone.get_by_test_id("asset-code").fill(card.number)
            phone.get_by_test_id("asset-go").click()
            expect(phone.get_by_test_id("scan-result")).to_contain_text(name)
        if room == "TYG-201":
            expect(phone.get_by_test_id("missing-count")).to_have_text("1")
            expect(phone.get_by_test_id("missing-list")).to_contain_text("投影仪")
            phone.get_by_test_id("asset-code").fill("旧钢琴")
            phone.get_by_test_id("asset-go").click()
            phone.get_by_test_id("surplus-name").fill("旧钢琴")
            phone.get_by_test_id("surplus-save").click()
            expect(phone.get_by_test_id("found-list")).to_contain_text("旧钢琴")
        else:
            expect(phone.get_by_test_id("missing-count")).to_have_text("0")
        phone.get_by_test_id("room-change").click()

    # The badge reads 已同步 until a sync starts, so wait for the five scans themselves.
    _wait_for(phone, lambda: Scan.objects.filter(stocktake=stocktake).count() == 5)
    expect(phone.get_by_test_id("sync-status")).to_have_text("已同步")

    phone.set_viewport_size(DESKTOP)
    phone.goto(phone.url_for(f"/stocktakes/{stocktake.pk}/"))
    phone.once("dialog", lambda dialog: dialog.accept())
    phone.get_by_test_id("end").click()
    expect(phone.get_by_test_id("kind-missing")).to_contain_text("盘亏")
    expect(phone.get_by_test_id("kind-missing")).to_contain_text("1")
    expect(phone.get_by_test_id("kind-surplus")).to_contain_text("盘盈")
    expect(phone.get_by_test_id("kind-surplus")).to_contain_text("1")
    expect(phone.get_by_test_id("differences")).to_contain_text("投影仪")
    expect(phone.get_by_test_id("differences")).to_contain_text("旧钢琴")
    kinds = sorted(Difference.objects.filter(stocktake=stocktake).values_list("kind", flat=True))
    assert kinds == sorted([Difference.Kind.MISSING, Difference.Kind.SURPLUS])


def _dispose_of_an_old_card(phone, school):
    """An air conditioner bought in 2016 has passed its ten-year minimum life."""
    old = Asset.objects.get(school=school, place__code="PX-105", name="空调")
    assert old.acquired_on < timezone.localdate() - timedelta(days=6 * 366)
    _sign_in(phone, "liugang", f"/assets/{old.pk}/")
    phone.get_by_test_id("asset-dispose").click()
    expect(phone.get_by_label("资产编号")).to_have_value(old.number)
    phone.get_by_label("处置原因").fill("压缩机损坏，制冷失效，维修费用超过残值")
    phone.get_by_test_id("disposal-submit").click()
    phone.get_by_test_id("disposal-appraise").click()
    panel = phone.get_by_test_id("appraisal-panel")
    panel.get_by_label("鉴定人/鉴定机构").fill("善真区家电维修服务中心")
    panel.get_by_label("鉴定结论").fill("压缩机烧毁，无维修价值，符合报废条件")
    panel.get_by_test_id("disposal-submit-approval").click()
    expect(phone.get_by_test_id("approval-link")).to_be_visible()

    disposal = Disposal.objects.get(lines__asset=old)
    _approve_all(phone, disposal.number)

    _sign_in(phone, "liugang", f"/assets/disposals/{disposal.pk}/")
    phone.get_by_test_id("write-off-panel").get_by_label("核销说明").fill("残值已交回收公司")
    phone.get_by_test_id("disposal-write-off").click()
    expect(phone.get_by_test_id("disposal-written-off")).to_contain_text("刘刚")
    phone.goto(phone.url_for(f"/assets/{old.pk}/"))
    expect(phone.get_by_test_id("asset-status")).to_have_text("已处置")
    expect(phone.get_by_test_id("asset-dispose")).to_have_count(0)
    old.refresh_from_db()
    assert old.status == Status.DISPOSED


def test_it_accepts_labels_moves_counts_and_disposes_in_the_demo_school(
    phone, school, console_errors
):
    phone.set_viewport_size(DESKTOP)
    _accept_a_delivery_and_print_its_labels(phone, school)
    _move_a_card(phone, school)
    _count_the_gym(phone, school)
    _dispose_of_an_old_card(phone, school)
    assert console_errors == []
