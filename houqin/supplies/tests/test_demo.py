import pytest

from houqin.accounts.roles import Position
from houqin.approvals.models import ApproverType
from houqin.approvals.tests.factories import FlowFactory
from houqin.org.tests.factories import DepartmentFactory
from houqin.supplies import demo
from houqin.supplies.models import CountStatus, Item, Requisition, StockMove

pytestmark = pytest.mark.django_db


def test_it_loads_once(school, make_staff, manager):
    department = DepartmentFactory(school=school)
    head = make_staff(school, Position.TEACHER, department=department)
    department.head = head
    department.save()
    FlowFactory(school=school, kind="requisition", steps=[ApproverType.DEPARTMENT_HEAD])
    clerk = make_staff(school, Position.ASSET_CLERK)
    people = {"liugang": clerk, "zhoujing": manager}
    for index in range(6):
        people[f"t{index}"] = make_staff(school, Position.TEACHER, department=department)
    demo.load(school, people)
    assert Item.objects.filter(school=school).count() == 30
    assert Requisition.objects.filter(school=school).values("status").distinct().count() >= 3
    assert (
        school.supplies_countsheet_set.get().status == CountStatus.APPLIED
        if hasattr(school, "supplies_countsheet_set")
        else True
    )
    moves = StockMove.objects.count()
    demo.load(school, people)
    assert StockMove.objects.count() == moves
