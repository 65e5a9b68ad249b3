"""Working hours on the school calendar: weekends, national holidays, make-up working
days, the school's own days off, the lunch break, the school's own working hours."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from houqin.org.models import CalendarDay, SchoolSetting
from houqin.repairs import deadlines
from houqin.repairs.deadlines import WorkingClock, parse_periods
from houqin.repairs.models import Category, Urgency
from houqin.repairs.tests.factories import DeadlineFactory

pytestmark = pytest.mark.django_db


def at(*parts):
    return timezone.make_aware(datetime(*parts))


def test_it_counts_over_a_weekend(school):
    # Friday 2026-03-06 16:30 + 4 working hours: 1 h on Friday, 3 h on Monday morning.
    due = deadlines.add_working_hours(school, at(2026, 3, 6, 16, 30), 4)
    assert due == at(2026, 3, 9, 11, 0)
    assert deadlines.working_hours_between(school, at(2026, 3, 6, 16, 30), due) == 4.0


def test_it_skips_the_lunch_break_and_the_night(school):
    assert deadlines.add_working_hours(school, at(2026, 3, 10, 11, 0), 2) == at(2026, 3, 10, 14, 30)
    # Reported in the evening: the clock starts next morning.
    assert deadlines.add_working_hours(school, at(2026, 3, 10, 20, 0), 1) == at(2026, 3, 11, 9, 0)
    # Reported at lunch: the clock starts at 13:30.
    assert deadlines.add_working_hours(school, at(2026, 3, 10, 12, 15), Decimal("0.5")) == at(
        2026, 3, 10, 14, 0
    )


def test_it_counts_over_a_national_holiday_and_its_make_up_day(school):
    # 2026 Labour Day: 1–5 May off; Saturday 9 May is a working day.
    due = deadlines.add_working_hours(school, at(2026, 4, 30, 17, 0), 2)
    assert due == at(2026, 5, 6, 9, 30)
    assert deadlines.working_hours_between(school, at(2026, 4, 30, 17, 0), due) == 2.0
    assert deadlines.add_working_hours(school, at(2026, 5, 8, 17, 0), 2) == at(2026, 5, 9, 9, 30)


def test_it_skips_the_schools_own_day_off(school):
    CalendarDay.objects.create(school=school, day=date(2026, 3, 9), is_workday=False, name="运动会")
    assert deadlines.add_working_hours(school, at(2026, 3, 6, 16, 30), 4) == at(2026, 3, 10, 11, 0)


def test_working_hours_between_is_zero_backwards_and_counts_only_work(school):
    assert deadlines.working_hours_between(school, at(2026, 3, 9, 12), at(2026, 3, 9, 9)) == 0
    # A whole working day is 8 hours; a weekend is none.
    assert deadlines.working_hours_between(school, at(2026, 3, 9, 0), at(2026, 3, 10, 0)) == 8.0
    assert deadlines.working_hours_between(school, at(2026, 3, 7, 0), at(2026, 3, 9, 0)) == 0.0


def test_it_uses_the_schools_working_hours(school):
    SchoolSetting.objects.create(school=school, key="repairs.working_hours", value="09:00-17:00")
    assert deadlines.working_periods(school) == parse_periods("09:00-17:00")
    assert deadlines.add_working_hours(school, at(2026, 3, 10, 8, 0), 4) == at(2026, 3, 10, 13, 0)


def test_a_bad_working_hours_setting_falls_back_to_the_default(school):
    SchoolSetting.objects.create(school=school, key="repairs.working_hours", value="早上八点")
    assert deadlines.working_periods(school) == deadlines.DEFAULT_PERIODS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("08:00-12:00,13:30-17:30", ((8, 0, 12, 0), (13, 30, 17, 30))),
        ("8:00～12:00", None),
        ("7:30-11:30，14:00 至 18:00", ((7, 30, 11, 30), (14, 0, 18, 0))),
        ("12:00-08:00", None),
        ("08:00-12:00,11:00-13:00", None),
        ("25:00-26:00", None),
        ("", None),
    ],
)
def test_it_parses_working_periods(text, expected):
    periods = parse_periods(text)
    if expected is None:
        assert periods is None
    else:
        assert [(a.hour, a.minute, b.hour, b.minute) for a, b in periods] == list(expected)


def test_targets_prefer_the_category_row_then_the_urgency_row_then_defaults(school):
    assert (
        deadlines.targets(school, Urgency.URGENT, Category.NETWORK)
        == deadlines.DEFAULTS[Urgency.URGENT]
    )
    DeadlineFactory(school=school, urgency=Urgency.URGENT, response_hours=2, completion_hours=6)
    DeadlineFactory(
        school=school,
        urgency=Urgency.URGENT,
        category=Category.NETWORK,
        response_hours=Decimal("0.5"),
        completion_hours=3,
    )
    assert deadlines.targets(school, Urgency.URGENT, Category.NETWORK) == (
        Decimal("0.5"),
        Decimal("3"),
    )
    assert deadlines.targets(school, Urgency.URGENT, Category.WATER_POWER) == (2, 6)
    assert (
        deadlines.targets(school, Urgency.LOW, Category.NETWORK) == deadlines.DEFAULTS[Urgency.LOW]
    )


def test_add_workdays_keeps_the_time_and_skips_holidays(school):
    clock = WorkingClock(school)
    assert clock.add_workdays(at(2026, 4, 29, 15, 0), 2) == at(2026, 5, 6, 15, 0)
    assert clock.add_workdays(at(2026, 3, 6, 10, 0), 1) == at(2026, 3, 9, 10, 0)


def test_a_clock_loads_the_calendar_once_for_many_questions(school, django_assert_max_num_queries):
    clock = WorkingClock(school)
    with django_assert_max_num_queries(4):
        for day in range(2, 28):
            clock.add(at(2026, 3, day, 9, 0), 16)


def test_the_settings_page_refuses_bad_working_hours_in_chinese(school, sysadmin, login):
    from django.urls import reverse

    from houqin.org.forms_school import setting_field_name
    from houqin.org.school_settings import BY_KEY

    client = login(sysadmin)
    page = client.get(reverse("org:settings_edit"))
    form = page.context["form"]
    data = {name: ("on" if value is True else value) for name, value in form.initial.items()}
    data = {name: value for name, value in data.items() if value not in (False, None)}
    field = setting_field_name(BY_KEY["repairs.working_hours"])
    data[field] = "17:00-08:00"
    response = client.post(reverse("org:settings_edit"), data)
    assert response.status_code == 200
    assert "工作时段格式不对" in response.content.decode()
    assert school.setting("repairs.working_hours") == "08:00-12:00,13:30-17:30"
