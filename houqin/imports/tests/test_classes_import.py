import pytest

from houqin.accounts.roles import Position
from houqin.imports.models import ImportBatch
from houqin.imports.tests.workbooks import upload
from houqin.org.models import Campus, Grade, SchoolClass
from houqin.org.tests.factories import CampusFactory, GradeFactory, PlaceFactory, SchoolClassFactory

# 校区 年级 班号 班级名称 班主任 教室 学生人数


@pytest.fixture
def campus(school):
    return Campus.objects.get(school=school)


def test_it_creates_classes_and_missing_grades(login, manager, school, campus, make_staff):
    teacher = make_staff(school, Position.TEACHER, name="陈老师", staff_no="T300")
    room = PlaceFactory(floor__building__campus=campus, code="PX-301")
    GradeFactory(campus=campus, number=3)
    client = login(manager)
    rows = [
        ["本部校区", 3, 1, "", "陈老师", "PX-301", 42],
        ["本部校区", "三年级", 2, "三年级二班", "T300", "", ""],
        ["MAIN", "一年级", 1, "", "", "", 38],
        ["本部校区", 1, 2, "", "", "", 39],
    ]
    response = upload(client, "classes", rows)
    plan = response.context["plan"]
    assert plan.ok, [str(e) for e in plan.errors]
    assert len(plan.creates) == 4
    batch = ImportBatch.objects.get()
    client.post(f"/imports/batches/{batch.pk}/commit/")
    first = SchoolClass.objects.get(grade__number=3, number=1)
    assert first.name == "3(1)中队"
    assert (first.head_teacher, first.room, first.student_count) == (teacher, room, 42)
    assert SchoolClass.objects.get(grade__number=3, number=2).name == "三年级二班"
    assert Grade.objects.filter(school=school).count() == 2
    assert Grade.objects.get(number=1).name == "一年级"
    assert SchoolClass.objects.filter(grade__number=1).count() == 2


def test_it_updates_by_campus_grade_and_number(login, manager, campus):
    existing = SchoolClassFactory(grade=GradeFactory(campus=campus, number=5), number=2)
    client = login(manager)
    response = upload(client, "classes", [["本部校区", 5, 2, existing.name, "", "", 45]])
    plan = response.context["plan"]
    assert [change.changed for change in plan.updates] == [["学生人数"]]
    client.post(f"/imports/batches/{ImportBatch.objects.get().pk}/commit/")
    existing.refresh_from_db()
    assert existing.student_count == 45


def test_it_reports_every_error_and_writes_nothing(login, manager, school, campus, make_staff):
    make_staff(school, Position.TEACHER, name="同名")
    make_staff(school, Position.TEACHER, name="同名")
    east = CampusFactory(school=school, name="东校区", code="EAST", is_main=False)
    PlaceFactory(floor__building__campus=east, code="E-101")
    client = login(manager)
    rows = [
        ["本部校区", "十三年级", 1, "", "", "", ""],  # 2
        ["本部校区", 3, 0, "", "", "", ""],  # 3
        ["本部校区", 3, 1, "", "无此人", "", ""],  # 4
        ["本部校区", 3, 2, "", "同名", "", ""],  # 5
        ["本部校区", 3, 3, "", "", "NOPE", ""],  # 6
        ["本部校区", 3, 4, "", "", "E-101", ""],  # 7
        ["本部校区", 3, 4, "", "", "", ""],  # 8
        ["本部校区", 3, 5, "", "", "", "很多"],  # 9
        ["", "", "", "", "", "", ""],  # blank: skipped
        ["", "", 1, "", "", "", ""],  # 11
    ]
    response = upload(client, "classes", rows)
    plan = response.context["plan"]
    messages = {(e.row, e.column): e.message for e in plan.errors}
    assert messages[(2, "年级")] == "须为 1–12 或「一年级」这样的年级名"
    assert (3, "班号") in messages
    assert messages[(4, "班主任")] == "找不到班主任「无此人」"
    assert messages[(5, "班主任")] == "有多位教职工名为「同名」，请填写工号"
    assert messages[(6, "教室")] == "找不到教室「NOPE」"
    assert messages[(7, "教室")] == "教室「E-101」不在该校区"
    assert messages[(8, "班号")] == "与第 7 行重复"
    assert (9, "学生人数") in messages
    assert messages[(11, "校区")] == "必须填写"
    assert messages[(11, "年级")] == "必须填写"
    assert SchoolClass.objects.count() == 0
    assert Grade.objects.count() == 0
