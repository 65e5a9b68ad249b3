"""隐患台账 Excel: the ledger layout, the 重大隐患 plans sheet, and the register's filters."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time
from openpyxl import load_workbook

from houqin.hazards import export
from houqin.hazards.models import Domain, Hazard, Status
from houqin.hazards.tests.factories import HazardFactory, HazardPlanFactory
from houqin.repairs.tests.factories import place_in

URL = reverse("hazards:ledger_export")
HEADERS = (
    "序号",
    "隐患编号",
    "发现时间",
    "发现人",
    "地点",
    "隐患类别",
    "隐患等级",
    "隐患描述",
    "整改措施/整改情况",
    "责任人",
    "整改期限",
    "整改完成时间",
    "验证人",
    "验证时间",
    "状态(销号)",
    "备注",
)


def at(year, month, day, hour=9, minute=0):
    return timezone.make_aware(datetime(year, month, day, hour, minute))


def _book(response):
    assert response.status_code == 200
    assert response["Content-Type"] == export.XLSX_CONTENT_TYPE
    return load_workbook(BytesIO(b"".join(response.streaming_content)))


def _rows(sheet):
    """The table below the title and note rows, as dicts by header."""
    rows = list(sheet.iter_rows(values_only=True))
    headers = rows[export.HEADER_ROW - 1]
    return [dict(zip(headers, row, strict=True)) for row in rows[export.HEADER_ROW :]]


@pytest.fixture
def place(school):
    return place_in(school, name="东楼梯")


def test_it_writes_the_ledger_layout(school, place):
    hazard = HazardFactory(
        place=place,
        location_note="二楼转角",
        title="楼梯扶手松动",
        detail="扶手底座螺丝脱落",
        domain=Domain.BUILDINGS,
        closed=True,
        reported_at=at(2026, 3, 2),
        rectification="更换螺丝并加固",
        rectified_at=at(2026, 3, 3, 15),
        verified_at=at(2026, 3, 4, 10),
        closed_at=at(2026, 3, 4, 10),
        reopen_count=1,
    )
    hazard.reported_by.name = "张老师"
    hazard.reported_by.save()

    output = export.ledger_workbook(
        Hazard.objects.filter(school=school), school=school, note="筛选：状态 全部状态"
    )
    book = load_workbook(output)

    sheet = book["隐患台账"]
    assert sheet["A1"].value == "善真学校安全隐患排查整治台账"
    assert "A1:P1" in {str(cells) for cells in sheet.merged_cells.ranges}
    assert "筛选：状态 全部状态" in sheet["A2"].value
    assert next(sheet.iter_rows(min_row=3, max_row=3, values_only=True)) == HEADERS
    row = _rows(sheet)[0]
    assert row["序号"] == 1
    assert row["隐患编号"] == hazard.number
    assert row["发现时间"] == datetime(2026, 3, 2, 9, 0)  # local time, a real date
    assert sheet["C4"].number_format == export.DATETIME_FORMAT
    assert row["发现人"] == "张老师"
    assert row["地点"] == f"{place.full_name} 二楼转角"
    assert row["隐患类别"] == "校舍建筑"
    assert row["隐患等级"] == "一般隐患"
    assert row["隐患描述"] == "楼梯扶手松动\n扶手底座螺丝脱落"
    assert row["整改措施/整改情况"] == "更换螺丝并加固"
    assert row["责任人"] == hazard.owner.name
    assert row["整改期限"] == datetime(2026, 3, 5)
    assert row["整改完成时间"] == datetime(2026, 3, 3, 15, 0)
    assert row["验证人"] == hazard.verified_by.name
    assert row["验证时间"] == datetime(2026, 3, 4, 10, 0)
    assert row["状态(销号)"] == "已销号 2026-03-04"
    assert row["备注"] == "来源：随手拍上报；复查未通过 1 次"


def test_it_writes_the_major_hazards_plans(school, place):
    plan = HazardPlanFactory(
        hazard=HazardFactory(place=place, major=True, title="教学楼外墙瓷砖空鼓"),
        goal="消除外墙脱落风险",
        funds=Decimal("35000.50"),
        deadline=date(2026, 4, 30),
    )
    HazardFactory(place=place, major=True, title="锅炉房压力表失效")  # no plan yet
    HazardFactory(place=place, title="一般隐患不进这一页")

    book = load_workbook(export.ledger_workbook(Hazard.objects.all(), school=school))

    sheet = book["重大隐患"]
    assert sheet["A1"].value == "善真学校重大隐患整改方案"
    rows = _rows(sheet)
    assert [row["隐患描述"] for row in rows] == ["教学楼外墙瓷砖空鼓", "锅炉房压力表失效"]
    first = rows[0]
    assert first["整改目标"] == "消除外墙脱落风险"
    assert first["整改措施"] == plan.measures
    assert first["整改资金(元)"] == 35000.5
    assert first["责任人员"] == plan.people
    assert first["完成时限"] == datetime(2026, 4, 30)
    assert first["应急预案和临时防范措施"] == plan.emergency_plan
    assert rows[1]["整改目标"] == "（未填写整改方案）"
    ledger = _rows(book["隐患台账"])
    assert ledger[0]["整改措施/整改情况"] == f"整改措施：{plan.measures}"


def test_it_notes_overdue_voided_and_repaired_hazards(school, place):
    HazardFactory(place=place, rectifying=True, deadline=date(2026, 3, 1))
    HazardFactory(place=place, status=Status.VOID, void_reason="重复上报")

    output = export.ledger_workbook(
        Hazard.objects.filter(school=school), school=school, now=at(2026, 3, 20)
    )
    rows = _rows(load_workbook(output)["隐患台账"])

    assert "已超期" in rows[0]["备注"]
    assert rows[1]["状态(销号)"] == "已作废"
    assert "作废原因：重复上报" in rows[1]["备注"]


@freeze_time("2026-03-20 10:00:00+08:00")
def test_it_exports_with_the_register_filters(
    login, manager, school, other_school, place, django_assert_max_num_queries
):
    fire = HazardFactory(place=place, domain=Domain.FIRE, reported_at=at(2026, 3, 2))
    HazardFactory(place=place, domain=Domain.FOOD, reported_at=at(2026, 3, 3))
    HazardFactory(place=place, domain=Domain.FIRE, closed=True, reported_at=at(2026, 3, 4))
    HazardFactory(place=place, domain=Domain.FIRE, reported_at=at(2026, 2, 2))
    HazardFactory(school=other_school, domain=Domain.FIRE, reported_at=at(2026, 3, 2))
    client = login(manager)

    with django_assert_max_num_queries(16):
        response = client.get(
            URL, {"domain": "fire", "status": "open", "start": "2026-03-01", "end": "2026-03-31"}
        )

    book = _book(response)
    rows = _rows(book["隐患台账"])
    assert [row["隐患编号"] for row in rows] == [fire.number]
    assert "类别 消防安全" in book["隐患台账"]["A2"].value
    assert quote("善真学校安全隐患排查整治台账-2026-03-20.xlsx") in response["Content-Disposition"]


def test_it_exports_every_status_on_request(login, manager, place):
    HazardFactory(place=place)
    HazardFactory(place=place, closed=True)
    HazardFactory(place=place, reported_at=timezone.now() - timedelta(days=400))

    book = _book(login(manager).get(URL, {"status": "all"}))

    assert len(_rows(book["隐患台账"])) == 3


def test_it_exports_the_open_ones_by_default(login, manager, place):
    HazardFactory(place=place)
    HazardFactory(place=place, closed=True)

    book = _book(login(manager).get(URL))

    assert len(_rows(book["隐患台账"])) == 1


def test_it_leaves_out_other_schools_hazards(login, manager, other_school):
    HazardFactory(school=other_school)

    book = _book(login(manager).get(URL, {"status": "all"}))

    assert _rows(book["隐患台账"]) == []


def test_it_refuses_people_without_the_register(login, teacher):
    assert login(teacher).get(URL).status_code == 403
