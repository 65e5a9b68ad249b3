"""The built-in reminder job: whom it tells, what it says."""

from datetime import date

import pytest

from houqin.accounts.models import Appointment
from houqin.accounts.roles import Position
from houqin.notifications.models import Notification
from houqin.org.tests.factories import CampusFactory
from houqin.schedules import reminder
from houqin.schedules.tests.factories import ScheduleFactory


@pytest.fixture
def branch(school):
    return CampusFactory(school=school, name="分校区", code="BRANCH", is_main=False)


def test_it_finds_people_by_position_campus_and_name(school, other_school, branch, make_staff):
    main = school.campus_set.get(code="MAIN")
    whole_school = make_staff(school, Position.SECURITY_STAFF, name="全校保安")
    at_branch = make_staff(school, name="分校保安")
    Appointment.objects.create(staff=at_branch, position=Position.SECURITY_STAFF, campus=branch)
    at_main = make_staff(school, name="本部保安")
    Appointment.objects.create(staff=at_main, position=Position.SECURITY_STAFF, campus=main)
    named = make_staff(school, Position.TEACHER, name="周静")
    make_staff(other_school, Position.SECURITY_STAFF, name="别校保安")
    gone = make_staff(school, Position.SECURITY_STAFF, name="已离职")
    gone.archive(by=named.user, reason="离职")

    params = {"positions": [Position.SECURITY_STAFF], "campus": branch.pk, "people": [named.pk]}
    names = {person.name for person in reminder.recipients(school, params)}
    assert names == {"全校保安", "分校保安", "周静"}

    params["campus"] = None
    names = {person.name for person in reminder.recipients(school, params)}
    assert names == {"全校保安", "分校保安", "本部保安", "周静"}
    assert whole_school.name in names and at_main.name in names


def test_it_ignores_people_named_from_another_school(school, other_school, make_staff):
    stranger = make_staff(other_school, Position.TEACHER, name="别校老师")
    assert reminder.recipients(school, {"people": [stranger.pk]}) == []


def test_it_fills_in_the_date_and_weekday(school, make_staff, notified):
    make_staff(school, Position.CLASS_TEACHER, name="李老师")
    schedule = ScheduleFactory(
        school=school,
        params={
            "title": "{日期}（{星期}）安全教育",
            "body": "{日期}班会课",
            "positions": ["class_teacher"],
            "link": "/org/places/",
            "robots": True,
        },
    )
    result = reminder.run(schedule, date(2026, 10, 9))
    assert notified[0]["title"] == "10月9日（周五）安全教育"
    assert notified[0]["body"] == "10月9日班会课"
    assert notified[0]["url"] == "/org/places/"
    assert notified[0]["robots"] is True
    assert result == "已提醒 1 人：李老师；已发到群机器人"


def test_it_shortens_a_long_list_of_names(school, make_staff, notified):
    for number in range(7):
        make_staff(school, Position.CLASS_TEACHER, name=f"老师{number}")
    schedule = ScheduleFactory(school=school)
    assert reminder.run(schedule, date(2026, 10, 9)).startswith("已提醒 7 人：")
    assert reminder.run(schedule, date(2026, 10, 9)).endswith(" 等")


def test_it_sums_up_whom_it_reminds(school):
    schedule = ScheduleFactory(
        school=school,
        params={"title": "巡查", "positions": ["security_staff"], "people": [1, 2], "robots": True},
    )
    assert reminder.summary(schedule) == "提醒保安、2 位指定人员、群机器人：巡查"


def test_it_puts_the_reminder_in_the_inbox(school, make_staff):
    """With the real notify(): the inbox gets one line per person."""
    teacher = make_staff(school, Position.CLASS_TEACHER, name="李老师")
    schedule = ScheduleFactory(school=school)
    reminder.run(schedule, date(2026, 10, 9))
    notification = Notification.objects.get()
    assert notification.recipient == teacher.user
    assert notification.event == "schedules.reminder"
    assert notification.title == "安全教育"
