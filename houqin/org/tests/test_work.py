from datetime import date

from houqin.accounts.roles import Position
from houqin.org.models import CalendarDay
from houqin.org.tests.factories import TermFactory


def test_it_asks_for_a_year_the_holiday_calendar_does_not_cover(login, school, make_staff):
    TermFactory(school=school, academic_year__school=school, end=date(2099, 1, 20))
    admin = make_staff(school, Position.SYSTEM_ADMIN)
    body = login(admin).get("/").content.decode()
    assert "录入 2099 年法定节假日和调休安排" in body


def test_it_stops_asking_once_the_holidays_are_entered(login, school, make_staff):
    TermFactory(school=school, academic_year__school=school, end=date(2099, 1, 20))
    CalendarDay.objects.create(day=date(2099, 1, 1), is_workday=False, name="元旦")
    admin = make_staff(school, Position.SYSTEM_ADMIN)
    assert "录入 2099 年" not in login(admin).get("/").content.decode()


def test_it_asks_only_those_who_manage_the_calendar(login, school, teacher):
    TermFactory(school=school, academic_year__school=school, end=date(2099, 1, 20))
    assert "录入 2099 年" not in login(teacher).get("/").content.decode()


def test_it_names_a_new_grade_in_chinese_whatever_the_language(school):
    from django.utils import translation

    from houqin.org.tests.factories import GradeFactory

    with translation.override("en"):
        grade = GradeFactory(school=school, campus=school.campus_set.get(), number=3, name="")
    assert grade.name == "三年级"
