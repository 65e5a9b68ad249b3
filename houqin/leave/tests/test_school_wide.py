"""The principal and the office see the whole school's leave, whatever department their
appointments name (the demo principal's appointment names 校长室)."""

from houqin.accounts.roles import Position
from houqin.leave import access
from houqin.leave.tests.factories import LeaveRequestFactory
from houqin.org.tests.factories import DepartmentFactory


def test_a_principal_with_a_department_sees_every_department(school, make_staff):
    office, teaching = DepartmentFactory(school=school), DepartmentFactory(school=school)
    principal = make_staff(school, Position.PRINCIPAL, department=office)
    principal.appointments.update(department=office)
    teacher = make_staff(school, Position.TEACHER, department=teaching)
    leave = LeaveRequestFactory(staff=teacher)

    assert leave in access.visible_leaves(principal.user)
    assert access.can_view_leave(principal.user, leave)


def test_a_department_head_arranging_cover_sees_only_their_department(school, make_staff):
    mine, other = DepartmentFactory(school=school), DepartmentFactory(school=school)
    head = make_staff(school, Position.DEPARTMENT_HEAD, department=mine)
    head.appointments.update(department=mine)
    theirs = LeaveRequestFactory(
        staff=make_staff(school, Position.TEACHER, department=other), approved=True
    )
    ours = LeaveRequestFactory(
        staff=make_staff(school, Position.TEACHER, department=mine), approved=True
    )

    visible = set(access.visible_leaves(head.user))
    assert ours in visible and theirs not in visible
