from decimal import Decimal

import pytest

from houqin.imports.models import ImportBatch
from houqin.imports.tests.workbooks import upload
from houqin.org.models import Campus, Floor, Place
from houqin.org.tests.factories import BuildingFactory, CampusFactory, FloorFactory, PlaceFactory

# 校区 楼宇 楼层 场所名称 场所编码 类型 面积 容纳人数 备注


@pytest.fixture
def building(school):
    campus = Campus.objects.get(school=school)
    building = BuildingFactory(
        campus=campus, name="沛学楼", code="PX", floors_above=4, floors_below=1
    )
    FloorFactory(building=building, level=1)
    return building


def test_it_creates_places_and_missing_floors(login, manager, building):
    client = login(manager)
    rows = [
        ["本部校区", "沛学楼", 1, "101教室", "PX-101", "教室", 60.5, 45, ""],
        ["MAIN", "PX", 2, "201教室", "PX-201", "教室", "", "", "二楼"],
        ["本部校区", "PX", 2, "202办公室", "PX-202", "办公室", 20, 4, ""],
        ["本部校区", "沛学楼", -1, "地下仓库", "PX-B1", "仓库", "", "", ""],
        ["本部校区", "", "", "操场", "CC", "操场", 3000, "", ""],
    ]
    response = upload(client, "places", rows)
    plan = response.context["plan"]
    assert plan.ok, [str(e) for e in plan.errors]
    assert len(plan.creates) == 5
    batch = ImportBatch.objects.get()
    client.post(f"/imports/batches/{batch.pk}/commit/")
    assert Place.objects.count() == 5
    assert Floor.objects.filter(building=building).count() == 3
    first = Place.objects.get(code="PX-101")
    assert first.floor.level == 1 and first.area_m2 == Decimal("60.50") and first.capacity == 45
    assert Place.objects.get(code="PX-201").floor == Place.objects.get(code="PX-202").floor
    playground = Place.objects.get(code="CC")
    assert playground.building is None and playground.place_type == "playground"


def test_it_reports_every_error_and_writes_nothing(login, manager, school, building):
    other_campus = CampusFactory(school=school, name="东校区", code="EAST", is_main=False)
    BuildingFactory(campus=other_campus, name="东楼", code="E1")
    PlaceFactory(floor=FloorFactory(building=building, level=3), code="EXIST")
    client = login(manager)
    rows = [
        ["西校区", "", "", "甲", "A1", "教室", "", "", ""],  # 2
        ["本部校区", "东楼", "", "乙", "A2", "教室", "", "", ""],  # 3
        ["本部校区", "无名楼", "", "丙", "A3", "教室", "", "", ""],  # 4
        ["本部校区", "沛学楼", 9, "丁", "A4", "教室", "", "", ""],  # 5
        ["本部校区", "", 2, "戊", "A5", "教室", "", "", ""],  # 6
        ["本部校区", "", "", "", "A6", "教室", "", "", ""],  # 7
        ["本部校区", "", "", "己", "", "教室", "", "", ""],  # 8
        ["本部校区", "", "", "庚", "A8", "太空舱", "", "", ""],  # 9
        ["本部校区", "", "", "辛", "A9", "教室", "很大", "", ""],  # 10
        ["本部校区", "", "", "壬", "A10", "教室", "", "-3", ""],  # 11
        ["本部校区", "", "", "癸", "A10", "教室", "", "", ""],  # 12
        ["", "", "", "子", "A12", "", "", "", ""],  # 13
    ]
    response = upload(client, "places", rows)
    plan = response.context["plan"]
    messages = {(e.row, e.column): e.message for e in plan.errors}
    assert messages[(2, "校区")] == "找不到校区「西校区」"
    assert messages[(3, "楼宇")] == "楼宇「东楼」不在该校区"
    assert messages[(4, "楼宇")] == "找不到楼宇「无名楼」"
    assert messages[(5, "楼层")] == "楼层不在楼宇「沛学楼」内（地上 4 层，地下 1 层）"
    assert messages[(6, "楼层")] == "填写楼层时须同时填写楼宇"
    assert messages[(7, "场所名称")] == "必须填写"
    assert messages[(8, "场所编码")] == "必须填写"
    assert messages[(9, "类型")] == "未知类型「太空舱」"
    assert messages[(10, "面积")] == "须为不小于 0 的数字"
    assert (11, "容纳人数") in messages
    assert messages[(12, "场所编码")] == "与第 11 行重复"
    assert messages[(13, "校区")] == "必须填写"
    assert messages[(13, "类型")] == "必须填写"
    assert len(plan.errors) == 13
    body = response.content.decode()
    assert body.count("<td>找不到") == 2
    assert 'data-testid="commit-form"' not in body
    assert Place.objects.count() == 1
