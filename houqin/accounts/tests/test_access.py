"""The access helpers: school first, then campus or department where positions say so."""

from houqin.accounts.access import scope_queryset
from houqin.accounts.models import Appointment, Staff
from houqin.accounts.roles import Position
from houqin.org.models import Campus, Place
from houqin.org.tests.factories import CampusFactory, DepartmentFactory, PlaceFactory


def _place(school, campus, code):
    return PlaceFactory(school=school, campus=campus, building=None, floor=None, code=code)


def test_it_limits_a_campus_bound_guard_to_his_campus(school, make_staff):
    main = school.campus_set.get()
    branch = CampusFactory(school=school, name="分校区", code="BR", is_main=False)
    _place(school, main, "M1")
    _place(school, branch, "B1")
    guard = make_staff(school)
    Appointment.objects.create(staff=guard, position=Position.SECURITY_STAFF, campus=branch)
    codes = set(scope_queryset(Place.objects.all(), guard.user).values_list("code", flat=True))
    assert codes == {"B1"}
    assert list(scope_queryset(Campus.objects.all(), guard.user)) == [branch]


def test_it_lets_one_school_wide_position_open_the_whole_school(school, make_staff):
    main = school.campus_set.get()
    branch = CampusFactory(school=school, name="分校区", code="BR", is_main=False)
    _place(school, main, "M1")
    _place(school, branch, "B1")
    person = make_staff(school, Position.TEACHER)
    Appointment.objects.create(staff=person, position=Position.SECURITY_STAFF, campus=branch)
    assert scope_queryset(Place.objects.all(), person.user).count() == 2


def test_it_ignores_ended_positions(school, make_staff):
    branch = CampusFactory(school=school, name="分校区", code="BR", is_main=False)
    _place(school, school.campus_set.get(is_main=True), "M1")
    person = make_staff(school, Position.TEACHER)
    Appointment.objects.create(staff=person, position=Position.SECURITY_STAFF, campus=branch)
    person.appointments.get(position=Position.TEACHER).end()
    person.user.refresh_from_db()
    assert scope_queryset(Place.objects.all(), person.user).count() == 0


def test_it_limits_department_bound_positions_on_department_owned_records(
    school, make_staff, monkeypatch
):
    logistics = DepartmentFactory(school=school, name="后勤保障组")
    teaching = DepartmentFactory(school=school, name="教务处")
    make_staff(school, name="甲", department=logistics)
    make_staff(school, name="乙", department=teaching)
    head = make_staff(school, department=logistics)
    Appointment.objects.create(staff=head, position=Position.DEPARTMENT_HEAD, department=logistics)
    monkeypatch.setattr(Staff, "department_path", "department", raising=False)
    names = set(scope_queryset(Staff.objects.all(), head.user).values_list("name", flat=True))
    assert "甲" in names
    assert "乙" not in names


def test_it_gives_a_person_without_a_school_nothing(db):
    from houqin.accounts.tests.factories import StaffFactory
    from houqin.org.tests.factories import DistrictFactory

    officer = StaffFactory(school=None, district=DistrictFactory())
    assert scope_queryset(Place.objects.all(), officer.user).count() == 0
