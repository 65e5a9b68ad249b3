"""Patrols and the hazard loop on a phone, end to end (issue 6's "done when"): a guard
walks the morning round of the teaching building — scans the first two checkpoints' QR
labels, loses the signal after the first, keeps answering, fails an item with a photo,
types the third code by hand and finishes offline; back online the round lands once,
with its hazard. The logistics manager assigns the hazard, the maintenance worker fixes
it, the manager's check fails, the second fix passes and the hazard is closed (销号). The
scheduler flags a round nobody walked, and the coverage view shows the round's places."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from houqin.accounts.roles import Position
from houqin.files.services import attachments_for
from houqin.hazards.models import Hazard, HazardEvent, Status
from houqin.org.tests.factories import BuildingFactory, FloorFactory, PlaceFactory
from houqin.patrols.models import Answer, AnswerPhoto, ExpectedRound, Round, Visit
from houqin.patrols.tests.factories import (
    ChecklistFactory,
    ExpectedRoundFactory,
    PlanFactory,
    RouteFactory,
)
from houqin.schedules.heartbeat import tick
from tests.browser.helpers import demo_school, label_photo, person, photo, sign_in, sign_out

# The camera's full-size photos: the phone downscales them before they go.
LARGE = (2400, 1800)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("media_in_tmp")]


@pytest.fixture
def demo():
    """The demo school's teaching building, its morning round and the people of the loop."""
    school, campus = demo_school()
    guard = person(school, "夏斌", "xiabin", Position.SECURITY_STAFF)
    person(school, "周静", "zhoujing", Position.LOGISTICS_MANAGER)
    person(school, "陶向明", "taoxiangming", Position.MAINTENANCE_STAFF)
    building = BuildingFactory(school=school, campus=campus, name="教学楼A", floors_above=3)
    places = [
        PlaceFactory(floor=FloorFactory(building=building, level=level), name=name, code=code)
        for level, name, code in [
            (1, "一楼东侧楼梯", "A1-S1"),
            (2, "二楼消防栓", "A2-F1"),
            (3, "三楼配电间", "A3-E1"),
        ]
    ]
    checklist = ChecklistFactory(
        school=school,
        name="日巡视检查表",
        items=[
            {
                "key": "exit",
                "text": "消防通道畅通",
                "hazard_domain": "fire",
                "photo_on_fail": True,
            },
            {
                "key": "pressure",
                "text": "灭火器压力",
                "answer_type": "number",
                "min_value": Decimal("1.0"),
                "max_value": Decimal("1.4"),
                "unit": "MPa",
                "hazard_domain": "fire",
            },
            {"key": "doors", "text": "门窗完好", "hazard_domain": "buildings"},
        ],
    )
    route = RouteFactory(school=school, name="教学楼A日巡", checklist=checklist, places=places)
    morning = PlanFactory(route=route, patrollers=[guard], name="早间巡查")
    now = timezone.now()
    expected = ExpectedRoundFactory(plan=morning, due_at=now + timedelta(hours=2))
    # Nobody walks the night round: the scheduler flags it once it is overdue.
    night = PlanFactory(route=route, patrollers=[guard], name="夜间巡查")
    ExpectedRoundFactory(plan=night, due_at=now + timedelta(minutes=30))
    return {"school": school, "places": places, "expected": expected, "night": night}


def _scan(phone, live_server, checkpoint, place):
    checkpoint.get_by_test_id("checkpoint-scan").click()
    expect(phone.get_by_test_id("scanner")).to_be_visible()
    phone.get_by_test_id("scan-photo").set_input_files(files=[label_photo(live_server, place)])
    expect(phone.get_by_test_id("scanner")).to_be_hidden()
    expect(checkpoint.get_by_test_id("checkpoint-state")).to_contain_text("已到")


def _item(checkpoint, key):
    return checkpoint.locator(f"[data-testid=item][data-key={key}]")


def _walk_the_round(phone, live_server, demo):
    """The guard's round, offline from the second checkpoint on."""
    first, second, third = demo["places"]
    checkpoints = phone.get_by_test_id("checkpoint")
    expect(phone.get_by_test_id("round-title")).to_have_text("教学楼A日巡")
    expect(phone.get_by_test_id("round-progress")).to_have_text("0/3 点")
    expect(phone.get_by_test_id("sync-state")).to_have_text("在线")
    expect(checkpoints).to_have_count(3)
    # Items show only once the checkpoint is reached.
    expect(checkpoints.nth(0).get_by_test_id("item").first).to_be_hidden()

    # The first checkpoint: its label scanned (a photo of it), everything in order.
    point = checkpoints.nth(0)
    _scan(phone, live_server, point, first)
    expect(phone.get_by_test_id("round-progress")).to_have_text("1/3 点")
    _item(point, "exit").get_by_test_id("answer-pass").click()
    _item(point, "pressure").get_by_test_id("answer-number").fill("1.2")
    _item(point, "doors").get_by_test_id("answer-pass").click()
    expect(phone.get_by_test_id("sync-pending")).to_have_text("巡查记录已全部上传")
    assert Round.objects.get().visits.count() == 1

    # The signal goes in the stairwell.
    phone.context.set_offline(True)
    expect(phone.get_by_test_id("sync-state")).to_have_text("离线")

    point = checkpoints.nth(1)
    _scan(phone, live_server, point, second)
    expect(phone.get_by_test_id("round-progress")).to_have_text("2/3 点")
    exit_item = _item(point, "exit")
    exit_item.get_by_test_id("answer-fail").click()
    exit_item.get_by_test_id("answer-note").fill("二楼东侧消防通道堆放课桌")
    expect(exit_item.get_by_test_id("photo-required")).to_be_visible()
    pressure = _item(point, "pressure").get_by_test_id("answer-number")
    pressure.fill("2")
    expect(pressure).to_have_class("form-control form-control-lg is-invalid")
    expect(_item(point, "pressure").get_by_test_id("answer-problem")).to_have_text(
        "超出正常范围，按不合格记录。"
    )
    pressure.fill("1.3")
    expect(pressure).not_to_have_class("form-control form-control-lg is-invalid")
    _item(point, "doors").get_by_test_id("answer-pass").click()
    # A failure that needs a photo stops 完成 until it has one.
    phone.get_by_test_id("finish").click()
    expect(phone.get_by_test_id("finish-errors")).to_contain_text(
        "二楼消防栓：“消防通道畅通”不合格，须拍照"
    )
    exit_item.get_by_test_id("answer-photo").set_input_files(
        files=[photo("通道.jpg", (150, 60, 40), LARGE)]
    )
    expect(exit_item.get_by_test_id("answer-photo-thumb")).to_have_count(1)
    expect(exit_item.get_by_test_id("photo-required")).to_be_hidden()

    # The third label is dirty: its code typed by hand (kept, but no proof of presence).
    point = checkpoints.nth(2)
    point.get_by_test_id("checkpoint-scan").click()
    phone.get_by_test_id("scan-code").fill("a3-e1")
    phone.get_by_test_id("scan-code-submit").click()
    expect(point.get_by_test_id("checkpoint-state")).to_contain_text("手动确认")
    expect(phone.get_by_test_id("round-progress")).to_have_text("3/3 点")
    for key in ("exit", "doors"):
        _item(point, key).get_by_test_id("answer-pass").click()
    _item(point, "pressure").get_by_test_id("answer-number").fill("1.1")
    expect(phone.get_by_test_id("sync-pending")).to_contain_text("待同步，联网后自动上传")

    phone.get_by_test_id("finish").click()
    expect(phone.get_by_test_id("finish-panel")).to_be_visible()
    phone.get_by_test_id("round-note").fill("二楼通道已口头告知班主任")
    phone.get_by_test_id("finish-confirm").click()
    summary = phone.get_by_test_id("round-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_test_id("summary-state")).to_have_text("已保存，联网后自动上传。")
    expect(summary.get_by_test_id("summary-visited")).to_have_text("3/3 点")
    expect(summary.get_by_test_id("summary-failures")).to_have_text("1")
    # Nothing of the offline part reached the server yet.
    assert Visit.objects.count() == 1
    assert Round.objects.get().state == Round.State.IN_PROGRESS

    # Back in signal: the round goes up by itself, then the photo.
    phone.context.set_offline(False)
    expect(summary.get_by_test_id("summary-state")).to_have_text("已上传。")
    hazard = Hazard.objects.get()
    expect(summary.get_by_test_id("summary-hazard")).to_have_text(hazard.number)
    expect(phone.get_by_test_id("sync-pending")).to_have_text("巡查记录已全部上传")
    return hazard


def _hazard_loop(phone, hazard):
    """Assigned → fixed → the manager's check fails → fixed again → closed (销号)."""
    url = f"/hazards/{hazard.pk}/"
    status = phone.get_by_test_id("hazard-status")

    sign_in(phone, "zhoujing", url)
    expect(phone.get_by_test_id("answers")).to_contain_text("消防通道畅通")
    assign = phone.get_by_test_id("assign")
    assign.get_by_test_id("picker-owner").fill("陶向明")
    phone.locator(".hq-picker-option").filter(has_text="陶向明").first.click()
    assign.get_by_test_id("assign-submit").click()
    expect(status).to_have_text("整改中")
    sign_out(phone)

    sign_in(phone, "taoxiangming", url)
    _rectify(phone, "已将课桌搬回教室", (60, 160, 60))
    expect(status).to_have_text("待验证")
    sign_out(phone)

    sign_in(phone, "zhoujing", url)
    verify = phone.get_by_test_id("verify")
    verify.get_by_label("验证意见").fill("楼梯口仍有两张课桌")
    verify.get_by_test_id("verify-fail").click()
    expect(status).to_have_text("整改中")
    sign_out(phone)

    sign_in(phone, "taoxiangming", url)
    expect(phone.get_by_test_id("last-verification")).to_contain_text("楼梯口仍有两张课桌")
    _rectify(phone, "剩余两张课桌已搬走，通道畅通", (60, 170, 90))
    expect(status).to_have_text("待验证")
    sign_out(phone)

    sign_in(phone, "zhoujing", url)
    verify = phone.get_by_test_id("verify")
    verify.get_by_label("验证意见").fill("复查通道畅通")
    verify.get_by_test_id("verify-pass").click()
    expect(status).to_have_text("已销号")


def _rectify(phone, note, color):
    rectify = phone.get_by_test_id("rectify")
    rectify.get_by_label("整改情况").fill(note)
    rectify.get_by_test_id("photos-camera").set_input_files(
        files=[photo("整改后.jpg", color, LARGE)]
    )
    rectify.get_by_test_id("rectify-submit").click()


def test_it_runs_a_round_offline_and_closes_its_hazard_on_a_phone(
    phone, live_server, demo, console_errors
):
    sign_in(phone, "xiabin", "/patrols/")
    phone.get_by_test_id("expected-item").filter(has_text="早间巡查").get_by_test_id(
        "expected-start"
    ).click()
    hazard = _walk_the_round(phone, live_server, demo)

    # The round landed once: three visits (the typed one is no proof), one failure with
    # its photo, one hazard, the expected round done.
    round_ = Round.objects.get()
    assert round_.state == Round.State.FINISHED
    assert round_.note == "二楼通道已口头告知班主任"
    assert sorted(round_.visits.values_list("method", flat=True)) == ["manual", "qr", "qr"]
    assert round_.missed_checkpoints == 1
    assert round_.failed_items == 1
    assert Answer.objects.count() == 9
    failed = Answer.objects.get(result="fail")
    assert failed.hazard == hazard
    assert hazard.title == "消防通道畅通：二楼东侧消防通道堆放课桌"
    assert hazard.place == demo["places"][1]
    assert AnswerPhoto.objects.get().answer == failed
    photo = attachments_for(failed).get()
    assert max(photo.width, photo.height) <= 1600  # made smaller on the phone
    assert ExpectedRound.objects.get(pk=demo["expected"].pk).state == ExpectedRound.State.DONE

    # The hazard's page, from the summary.
    phone.get_by_test_id("summary-hazard").click()
    expect(phone.get_by_test_id("hazard-status")).to_have_text("待指派")
    # Another visit to a patrol page finds nothing left to send.
    phone.goto(phone.url_for("/patrols/new/"))
    expect(phone.get_by_test_id("patrol-sync")).to_be_hidden()
    assert Round.objects.count() == 1
    sign_out(phone)

    _hazard_loop(phone, hazard)
    hazard.refresh_from_db()
    assert hazard.status == Status.CLOSED
    assert hazard.reopen_count == 1
    assert hazard.verified_by.name == "周静" and hazard.rectified_by.name == "陶向明"
    assert list(hazard.events.values_list("action", flat=True)) == [
        HazardEvent.Action.REPORT,
        HazardEvent.Action.ASSIGN,
        HazardEvent.Action.RECTIFY,
        HazardEvent.Action.VERIFY_FAIL,
        HazardEvent.Action.RECTIFY,
        HazardEvent.Action.VERIFY_PASS,
    ]

    # Half an hour later nobody has walked the night round: the scheduler flags it.
    tick(timezone.now() + timedelta(minutes=31))
    phone.goto(phone.url_for("/patrols/expected/"))
    rows = phone.get_by_test_id("expected-row")
    expect(rows.filter(has_text="夜间巡查").get_by_test_id("expected-state")).to_have_text("漏巡")
    expect(rows.filter(has_text="早间巡查").get_by_test_id("expected-state")).to_have_text("已完成")

    # The coverage view shows the round's places: two scanned, one confirmed by hand.
    phone.goto(phone.url_for("/patrols/coverage/"))
    tiles = phone.get_by_test_id("tile")
    expect(tiles.and_(phone.locator("[data-place=A1-S1]"))).to_have_attribute("data-state", "qr")
    expect(tiles.and_(phone.locator("[data-place=A2-F1]"))).to_have_attribute("data-state", "qr")
    expect(tiles.and_(phone.locator("[data-place=A3-E1]"))).to_have_attribute(
        "data-state", "manual"
    )
    tiles.and_(phone.locator("[data-place=A2-F1]")).click()
    expect(phone.get_by_test_id("visits-body")).to_contain_text("夏斌")
    assert console_errors == []


@pytest.fixture
def bus():
    """The school bus's pre-trip check: its bay's label, the escort's on and off counts."""
    school, campus = demo_school()
    person(school, "赵丽", "zhaoli", Position.BUS_ESCORT)
    manager = person(school, "周静", "zhoujing", Position.LOGISTICS_MANAGER)
    place = PlaceFactory(
        school=school,
        campus=campus,
        building=None,
        floor=None,
        name="1号校车",
        code="BUS-01",
        place_type="other",
    )
    ChecklistFactory(
        school=school,
        name="校车出车前检查表",
        kind="bus_precheck",
        items=[
            {"key": "brakes", "text": "制动良好", "hazard_domain": "bus_traffic"},
            {"key": "on", "text": "上车人数", "answer_type": "number", "unit": "人"},
            {
                "key": "off",
                "text": "下车人数",
                "answer_type": "number",
                "unit": "人",
                "must_equal_key": "on",
                "hazard_domain": "bus_traffic",
            },
        ],
    )
    return {"place": place, "manager": manager}


def test_it_inspects_the_bus_from_its_label_and_raises_the_count_alarm(
    phone, live_server, bus, console_errors
):
    from houqin.notifications.models import Notification

    # The escort scans the bus's label for an inspection; the chooser has the place.
    sign_in(phone, "zhaoli", "/q/scan/?for=inspect")
    phone.locator("[data-scan-photo]").set_input_files(
        files=[label_photo(live_server, bus["place"])]
    )
    form = phone.get_by_test_id("inspect-form")
    expect(form.get_by_test_id("picker-place")).to_have_value("1号校车")
    form.get_by_label("校车出车前检查表（校车出车前检查）").check()
    form.get_by_test_id("inspect-start").click()

    # The scan on the way in is the visit; the items are there at once.
    expect(phone.get_by_test_id("round-title")).to_have_text("校车出车前检查表 · 1号校车")
    point = phone.get_by_test_id("checkpoint")
    expect(point.get_by_test_id("checkpoint-state")).to_contain_text("已到")
    _item(point, "brakes").get_by_test_id("answer-pass").click()
    _item(point, "on").get_by_test_id("answer-number").fill("32")
    off = _item(point, "off")
    off.get_by_test_id("answer-number").fill("31")
    alarm = phone.get_by_test_id("count-alarm")
    expect(alarm).to_be_visible()
    expect(alarm).to_contain_text("人数不符：“下车人数”为 31，“上车人数”为 32")
    expect(off.get_by_test_id("answer-problem")).to_contain_text("与“上车人数”（32）不一致")
    # A typo: put right, the alarm goes.
    off.get_by_test_id("answer-number").fill("32")
    expect(alarm).to_be_hidden()
    off.get_by_test_id("answer-number").fill("31")
    expect(alarm).to_be_visible()
    off.get_by_test_id("answer-note").fill("一名学生未下车，已找到")
    expect(phone.get_by_test_id("sync-pending")).to_have_text("巡查记录已全部上传")
    # The managers hear of it at once, before the check is even finished.
    alert = Notification.objects.get(event="patrols.count_mismatch")
    assert alert.recipient == bus["manager"].user

    phone.get_by_test_id("finish").click()
    phone.get_by_test_id("finish-confirm").click()
    summary = phone.get_by_test_id("round-summary")
    expect(summary.get_by_test_id("summary-state")).to_have_text("已上传。")
    expect(summary.get_by_test_id("summary-failures")).to_have_text("1")
    hazard = Hazard.objects.get()
    expect(summary.get_by_test_id("summary-hazard")).to_have_text(hazard.number)
    assert hazard.domain == "bus_traffic" and hazard.place == bus["place"]
    round_ = Round.objects.get()
    assert round_.route is None and round_.place == bus["place"]
    assert round_.visits.get().method == Visit.Method.QR
    assert round_.missed_checkpoints == 0
    assert console_errors == []


def test_it_keeps_a_round_the_server_cannot_take_yet(phone, live_server, demo):
    page_errors = []
    phone.on("pageerror", lambda error: page_errors.append(str(error)))
    route = demo["expected"].plan.route
    # The school's server is out of reach (the phone still has a signal). Blocked on the
    # whole context before signing in: a route added while the login's redirect is still
    # loading can miss the first syncs of the new page.
    phone.context.route("**/patrols/sync/", lambda request: request.abort())
    sign_in(phone, "xiabin", f"/patrols/start/?route={route.pk}")
    expect(phone.get_by_test_id("round-title")).to_be_visible()

    point = phone.get_by_test_id("checkpoint").nth(0)
    _scan(phone, live_server, point, demo["places"][0])
    for key in ("exit", "doors"):
        _item(point, key).get_by_test_id("answer-pass").click()
    _item(point, "pressure").get_by_test_id("answer-number").fill("1.2")
    expect(phone.get_by_test_id("patrol-sync")).to_contain_text("上传没有成功，稍后自动重试")

    # Finishing with two checkpoints not reached asks first, naming them.
    phone.get_by_test_id("finish").click()
    expect(phone.get_by_test_id("finish-missed")).to_have_text(
        "还有 2 个点未到：二楼消防栓、三楼配电间。未到的点会报告给管理人员。"
    )
    phone.get_by_test_id("finish-cancel").click()
    expect(phone.get_by_test_id("finish-panel")).to_be_hidden()
    phone.get_by_test_id("finish").click()
    phone.get_by_test_id("finish-confirm").click()
    expect(phone.get_by_test_id("summary-state")).to_have_text("已保存，联网后自动上传。")
    expect(phone.get_by_test_id("summary-visited")).to_have_text("1/3 点")
    assert Round.objects.count() == 0

    # The server is back; the next patrol page the guard opens sends the round.
    phone.context.unroute("**/patrols/sync/")
    phone.goto(phone.url_for("/patrols/new/"))
    expect(phone.get_by_test_id("patrol-sync")).to_be_hidden()
    round_ = Round.objects.get()
    assert round_.state == Round.State.FINISHED
    assert round_.missed_checkpoints == 2
    assert round_.answers.count() == 3
    assert page_errors == []
