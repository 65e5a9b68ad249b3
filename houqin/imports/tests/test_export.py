from decimal import Decimal
from urllib.parse import quote

import pytest
from django.utils import timezone

from houqin.accounts.models import Staff
from houqin.accounts.roles import Position
from houqin.imports.models import ImportBatch
from houqin.imports.tests.workbooks import read_sheets, response_bytes, upload, upload_file
from houqin.org.models import Campus, Place, PlaceType, SchoolClass
from houqin.org.tests.factories import (
    BuildingFactory,
    DepartmentFactory,
    FloorFactory,
    GradeFactory,
    PlaceFactory,
    SchoolClassFactory,
)


@pytest.fixture
def populated(school, other_school, make_staff, manager):
    """Several records of each kind, and a stranger's in another school."""
    campus = Campus.objects.get(school=school)
    department = DepartmentFactory(school=school, name="总务处", code="ZW")
    for n in range(5):
        make_staff(
            school,
            Position.TEACHER,
            Position.CLASS_TEACHER,
            name=f"李老师{n}",
            phone=f"1390000000{n}",
            gender="F",
            department=department,
        )
    building = BuildingFactory(campus=campus, name="沛学楼", code="PX")
    floor = FloorFactory(building=building, level=2)
    for n in range(5):
        PlaceFactory(floor=floor, name=f"20{n}教室", code=f"PX-20{n}", area_m2=Decimal("60.5"))
    PlaceFactory(
        floor=None, building=None, campus=campus, name="操场", code="CC", place_type="playground"
    )
    grade = GradeFactory(campus=campus, number=3)
    teachers = list(Staff.objects.filter(school=school, name__startswith="李老师"))
    for n in range(1, 5):
        SchoolClassFactory(
            grade=grade,
            number=n,
            head_teacher=teachers[n],
            room=Place.objects.get(code=f"PX-20{n}"),
            student_count=40 + n,
        )
    make_staff(other_school, Position.TEACHER, name="外校老师", staff_no="X001")
    PlaceFactory(
        floor=FloorFactory(
            building=BuildingFactory(campus=Campus.objects.get(school=other_school))
        ),
        code="OUT-1",
        name="外校教室",
    )
    return school


@pytest.mark.parametrize(
    ("kind", "label", "count"),
    [("people", "教职工", 6), ("places", "场所", 6), ("classes", "班级", 4)],
)
def test_it_exports_the_schools_records(login, manager, populated, kind, label, count):
    response = login(manager).get(f"/imports/{kind}/export/")
    assert response.status_code == 200
    filename = f"{label}-{timezone.localdate():%Y-%m-%d}.xlsx"
    assert quote(filename) in response["Content-Disposition"]
    (rows,) = read_sheets(response_bytes(response)).values()
    assert len(rows) == 1 + count
    flat = str(rows)
    assert "外校" not in flat and "X001" not in flat and "OUT-1" not in flat


def test_it_exports_people_with_positions_and_department(login, manager, populated):
    response = login(manager).get("/imports/people/export/")
    (rows,) = read_sheets(response_bytes(response)).values()
    header, *data = rows
    row = dict(zip(header, next(r for r in data if r[1] == "李老师0"), strict=True))
    assert row["性别"] == "女"
    assert row["部门"] == "总务处"
    assert set(row["职务"].split("、")) == {"教师", "班主任"}
    assert row["手机号"] == "13900000000"
    assert row["初始密码"] is None


@pytest.mark.parametrize("kind", ["people", "places", "classes"])
def test_it_exports_in_a_bounded_number_of_queries(
    login, manager, populated, kind, django_assert_max_num_queries
):
    client = login(manager)
    client.get("/imports/")  # warm the session and permission caches
    with django_assert_max_num_queries(12):
        response = client.get(f"/imports/{kind}/export/")
        response_bytes(response)


@pytest.mark.parametrize("kind", ["people", "places", "classes"])
def test_an_export_imports_again_without_changes(login, manager, populated, kind):
    client = login(manager)
    content = response_bytes(client.get(f"/imports/{kind}/export/"))
    response = client.post(f"/imports/{kind}/", {"file": upload_file(content)}, follow=True)
    plan = response.context["plan"]
    assert plan.ok, [str(e) for e in plan.errors]
    assert plan.creates == [] and plan.updates == []
    assert plan.unchanged == {"people": 6, "places": 6, "classes": 4}[kind]
    assert "没有需要导入的变化" in response.content.decode()
    assert 'data-testid="commit-form"' not in response.content.decode()


def test_an_edited_export_updates_only_what_changed(login, manager, populated):
    client = login(manager)
    content = response_bytes(client.get("/imports/places/export/"))
    (rows,) = read_sheets(content).values()
    header, *data = rows
    data[0][header.index("场所名称")] = "改名教室"
    data.append(["本部校区", "PX", 3, "301教室", "PX-301", "教室", 55, 40, ""])
    response = upload(client, "places", data, headers=header)
    plan = response.context["plan"]
    assert [c.obj.code for c in plan.updates] == [data[0][header.index("场所编码")]]
    assert plan.updates[0].changed == ["场所名称"]
    assert [c.obj.code for c in plan.creates] == ["PX-301"]
    batch = ImportBatch.objects.get()
    client.post(f"/imports/batches/{batch.pk}/commit/")
    assert Place.objects.get(code="PX-301").floor.level == 3
    assert Place.objects.filter(name="改名教室").count() == 1
    assert SchoolClass.objects.count() == 4
    assert Place.objects.get(code="PX-301").place_type == PlaceType.CLASSROOM
    batch.refresh_from_db()
    assert (batch.status, batch.created_count, batch.updated_count) == ("committed", 1, 1)


def test_it_leaves_ended_positions_out_of_the_export(login, manager, school, make_staff):
    person = make_staff(school, Position.TEACHER, Position.DRIVER, name="钱司机", staff_no="D1")
    person.appointments.get(position=Position.DRIVER).end()
    response = login(manager).get("/imports/people/export/")
    (rows,) = read_sheets(response_bytes(response)).values()
    assert next(r for r in rows if r[0] == "D1")[7] == "教师"
