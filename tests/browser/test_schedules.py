"""An administrator on her phone sets up the Friday safety-talk reminder: the preview shows
the school's sports day skipped, she saves it, presses 立即执行 and today's run is done —
the class teacher has the reminder in her inbox."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from houqin.accounts.roles import Position
from houqin.accounts.tests.factories import StaffFactory
from houqin.notifications.models import Notification
from houqin.org.models import CalendarDay
from houqin.org.tests.factories import TermFactory
from houqin.schedules.models import RunStatus, Schedule
from tests.browser.helpers import demo_school, person, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

FRIDAY = 4


@pytest.fixture
def school():
    school, _campus = demo_school()
    today = timezone.localdate()
    # A term around today, whatever day the suite runs on.
    TermFactory(
        school=school,
        academic_year__school=school,
        academic_year__start=today - timedelta(days=60),
        academic_year__end=today + timedelta(days=300),
        start=today - timedelta(days=30),
        end=today + timedelta(days=200),
    )
    return school


@pytest.fixture
def sports_day(school):
    """The school's own day off on the second Friday from today."""
    today = timezone.localdate()
    friday = today + timedelta(days=(FRIDAY - today.weekday()) % 7 + 7)
    CalendarDay.objects.create(school=school, day=friday, is_workday=False, name="校运动会")
    return friday


def test_it_creates_a_friday_reminder_previews_it_and_runs_it_now(phone, school, sports_day):
    person(school, "系统管理员", "admin", Position.SYSTEM_ADMIN)
    teacher = StaffFactory(school=school, name="李老师", positions=[Position.CLASS_TEACHER])

    sign_in(phone, "admin", "/accounts/login/?next=/schedules/", heading="定时任务")
    phone.get_by_test_id("schedule-create").click()

    phone.get_by_label("名称").fill("每周五安全教育")
    phone.get_by_label("提醒标题").fill("{日期}班会课安全教育")
    phone.get_by_label("班主任", exact=True).check()

    # Only the chosen rule type's fields show.
    anchor = phone.get_by_label("起算日期")
    phone.get_by_label("重复方式").select_option(label="每隔几周")
    expect(anchor).to_be_visible()
    phone.get_by_label("重复方式").select_option(label="每周")
    expect(anchor).to_be_hidden()

    phone.get_by_label("周五", exact=True).check()
    phone.get_by_label("执行时间").fill("07:40")

    preview = phone.locator("#preview")
    skipped = preview.get_by_test_id("preview-skip").filter(has_text="校运动会，跳过")
    expect(skipped).to_be_visible()
    expect(skipped).to_contain_text(f"{sports_day:%Y-%m-%d}")
    expect(preview.get_by_test_id("preview-run")).to_have_count(10)

    phone.get_by_test_id("schedule-save").click()
    expect(phone.get_by_text("已保存定时任务“每周五安全教育”。")).to_be_visible()
    expect(phone.get_by_test_id("rule")).to_contain_text("每周 周五 07:40")

    phone.get_by_test_id("run-now").click()
    expect(phone.get_by_text("已开始执行今天")).to_be_visible()
    row = phone.get_by_test_id("run-row").first
    expect(row.get_by_test_id("run-status")).to_have_text("已完成")
    expect(row).to_contain_text("已提醒 1 人：李老师")

    schedule = Schedule.objects.get()
    assert schedule.runs.get().status == RunStatus.DONE
    assert Notification.objects.get(recipient=teacher.user).title.endswith("班会课安全教育")
