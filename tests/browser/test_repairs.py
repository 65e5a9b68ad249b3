"""The repair flow on a phone, end to end: a teacher scans (types the code on the door),
the form comes pre-filled, she adds a photo and submits; the logistics manager assigns a
worker from the queue; the worker accepts, starts and finishes with a photo; the teacher
confirms the fix and rates it."""

import pytest
from playwright.sync_api import expect

from houqin.accounts.roles import Position
from houqin.accounts.tests.factories import StaffFactory
from houqin.org.tests.factories import BuildingFactory, FloorFactory, PlaceFactory
from houqin.repairs.models import RepairEvent, RepairRequest, Status
from tests.browser.helpers import demo_school, person, photo, sign_in, sign_out

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("media_in_tmp")]


@pytest.fixture
def place():
    school, campus = demo_school()
    person(school, "张老师", "zhanglaoshi", Position.TEACHER)
    person(school, "周静", "zhoujing", Position.LOGISTICS_MANAGER)
    person(school, "刘刚", "liugang", Position.MAINTENANCE_STAFF)
    building = BuildingFactory(school=school, campus=campus, name="教学楼A")
    floor = FloorFactory(building=building, level=3)
    return PlaceFactory(floor=floor, name="三年级二班教室", code="A301")


def test_it_reports_dispatches_fixes_and_rates_on_a_phone(phone, place, console_errors):
    # The teacher scans: on the scan page for repairs, types the code on the door.
    sign_in(phone, "zhanglaoshi", "/q/scan/?for=repair")
    manual = phone.get_by_test_id("manual-entry")
    manual.get_by_label("标签上的编码").fill("A301")
    manual.get_by_test_id("manual-submit").click()

    # The form is pre-filled with the place.
    expect(phone.get_by_role("heading", name="报修", exact=True)).to_be_visible()
    expect(phone.get_by_test_id("picker-place")).to_have_value("教学楼A 三年级二班教室")
    form = phone.get_by_test_id("report-form")
    form.get_by_text("门窗", exact=True).click()
    form.get_by_label("故障描述").fill("后门门锁打不开")
    form.get_by_test_id("photos-camera").set_input_files(files=[photo("门锁.jpg", (200, 60, 60))])
    form.get_by_test_id("report-submit").click()

    expect(phone.get_by_text("已提交报修")).to_be_visible()
    expect(phone.get_by_test_id("repair-status")).to_have_text("待派单")
    expect(
        phone.get_by_test_id("attachments").first.get_by_test_id("attachment-thumb")
    ).to_have_count(1)
    repair = RepairRequest.objects.get()
    assert repair.place == place and repair.description == "后门门锁打不开"
    sign_out(phone)

    # The manager assigns the worker from the queue.
    sign_in(phone, "zhoujing", "/repairs/queue/")
    row = phone.get_by_test_id("queue-row").filter(has_text="后门门锁打不开")
    row.get_by_label("派给").select_option(label="刘刚")
    row.get_by_test_id("queue-assign-submit").click()
    expect(phone.get_by_test_id("row-message")).to_contain_text("已派单")
    expect(phone.get_by_test_id("queue-row").get_by_test_id("repair-status")).to_have_text("待接单")
    sign_out(phone)

    # The worker accepts on 我的维修单, starts and finishes with a photo.
    sign_in(phone, "liugang", "/repairs/jobs/")
    job = phone.get_by_test_id("job").filter(has_text="三年级二班教室")
    job.get_by_test_id("job-accept").click()
    expect(phone.get_by_text("已接单。")).to_be_visible()
    phone.get_by_test_id("job").filter(has_text="三年级二班教室").get_by_role("link").click()
    phone.get_by_test_id("start").click()
    expect(phone.get_by_test_id("repair-status")).to_have_text("维修中")
    finish = phone.get_by_test_id("finish")
    finish.get_by_label("维修说明").fill("更换门锁一把")
    finish.get_by_test_id("photos-camera").set_input_files(
        files=[photo("修好了.jpg", (60, 160, 60))]
    )
    finish.get_by_test_id("finish-submit").click()
    expect(phone.get_by_test_id("repair-status")).to_have_text("待确认")
    sign_out(phone)

    # The teacher confirms the fix and rates it.
    sign_in(phone, "zhanglaoshi", "/repairs/")
    expect(phone.get_by_test_id("to-confirm")).to_be_visible()
    phone.get_by_test_id("repair-item").filter(has_text="三年级二班教室").click()
    confirm = phone.get_by_test_id("confirm")
    expect(confirm).to_contain_text("更换门锁一把")
    confirm.get_by_test_id("star-5").click()
    confirm.get_by_test_id("confirm-submit").click()

    expect(phone.get_by_test_id("repair-status")).to_have_text("已完成")
    expect(phone.get_by_test_id("repair-rating")).to_contain_text("5 星")
    expect(phone.get_by_test_id("timeline").get_by_test_id("event")).to_have_count(6)

    repair.refresh_from_db()
    assert repair.status == Status.CLOSED and repair.rating == 5
    actions = list(repair.events.values_list("action", flat=True))
    assert actions == [
        RepairEvent.Action.REPORT,
        RepairEvent.Action.ASSIGN,
        RepairEvent.Action.ACCEPT,
        RepairEvent.Action.START,
        RepairEvent.Action.DONE,
        RepairEvent.Action.CONFIRM,
    ]
    assert console_errors == []


def test_it_keeps_what_was_typed_when_the_place_is_missing(phone, place, console_errors):
    sign_in(phone, "zhanglaoshi", "/repairs/report/")
    form = phone.get_by_test_id("report-form")
    form.get_by_text("网络", exact=True).click()
    form.get_by_label("故障描述").fill("办公室没有网")
    form.get_by_test_id("report-submit").click()

    expect(phone.get_by_test_id("error-place")).to_contain_text("请选择报修地点")
    expect(phone.get_by_label("故障描述")).to_have_value("办公室没有网")
    expect(phone.locator("input[name=category][value=network]")).to_be_checked()

    # Picking the place shows the open requests there, and one tap joins one.
    other = RepairRequest.objects.create(
        school=place.school,
        number="BX9999",
        place=place,
        category="network",
        description="教室网络断了",
        reporter=StaffFactory(school=place.school),
        reported_at=place.created_at,
        response_due=place.created_at,
        completion_due=place.created_at,
    )
    phone.get_by_test_id("picker-place").fill("A301")
    phone.locator(".hq-picker-option").first.click()
    similar = phone.get_by_test_id("similar")
    expect(similar).to_contain_text("教室网络断了")
    similar.get_by_test_id("join").click()
    expect(phone.get_by_text("已加入报修单")).to_be_visible()
    assert other.followers.filter(user__username="zhanglaoshi").exists()
    assert console_errors == []
