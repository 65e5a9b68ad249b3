"""巡查检查记录台账: the Excel ledger of inspections and their failed items."""

import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import BytesIO
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from houqin.hazards.models import Hazard
from houqin.patrols import export
from houqin.patrols.models import Answer, AnswerType, ChecklistKind, Result, Round, Visit
from houqin.patrols.tests.factories import (
    ChecklistFactory,
    RoundFactory,
    RouteFactory,
    patroller_in,
    place_in,
)

URL = reverse("patrols:export")


def at(year, month, day, hour=9, minute=0):
    return timezone.make_aware(datetime(year, month, day, hour, minute))


MONDAY = at(2026, 11, 16, 7, 20)


def _book(response):
    assert response.status_code == 200
    assert response["Content-Type"] == export.XLSX_CONTENT_TYPE
    return load_workbook(BytesIO(b"".join(response.streaming_content)))


def _rows(sheet):
    """The rows under the header (row 3), as dicts."""
    rows = list(sheet.iter_rows(values_only=True))
    headers = rows[2]
    return [dict(zip(headers, row, strict=True)) for row in rows[3:]]


def _visit(round_, place, method=Visit.Method.QR):
    return Visit.objects.create(
        client_uuid=uuid.uuid4(),
        round=round_,
        place=place,
        method=method,
        scanned_at=round_.started_at + timedelta(minutes=3),
    )


def _answer(round_, place, item, result=Result.PASS, **fields):
    return Answer.objects.create(
        client_uuid=uuid.uuid4(),
        round=round_,
        item=item,
        place=place,
        result=result,
        answered_at=round_.started_at + timedelta(minutes=4),
        **fields,
    )


@pytest.fixture
def guard(school):
    return patroller_in(school, name="夏斌")


@pytest.fixture
def patrol(school, guard):
    """A finished route round: 101 scanned, 102 confirmed by hand; at 102 the extinguisher
    failed and raised a hazard."""
    first, second = place_in(school, name="101教室"), place_in(school, name="102教室")
    route = RouteFactory(school=school, name="教学楼路线", places=[first, second])
    round_ = RoundFactory(
        route=route,
        patroller=guard,
        started_at=MONDAY,
        finished=True,
        failed_items=1,
        note="二楼灯坏了一盏",
    )
    _visit(round_, first)
    _visit(round_, second, Visit.Method.MANUAL)
    doors, extinguisher, _exits = round_.checklist_version.items.order_by("order")
    _answer(round_, first, doors)
    _answer(round_, first, extinguisher)
    hazard = Hazard.objects.create(
        school=school,
        number="YH-2026-0007",
        title="灭火器在有效期内：压力低",
        domain="fire",
        reported_by=guard,
        reported_at=MONDAY + timedelta(minutes=30),
        place=second,
    )
    _answer(round_, second, doors)
    _answer(round_, second, extinguisher, Result.FAIL, note="压力低", hazard=hazard)
    return round_


@pytest.fixture
def canteen_check(school, guard):
    """A free inspection of the kitchen with a fridge too warm."""
    checklist = ChecklistFactory(
        school=school,
        name="食堂卫生检查表",
        kind=ChecklistKind.CANTEEN_HYGIENE,
        items=[
            {"text": "餐具清洗消毒"},
            {
                "text": "冷藏柜温度",
                "answer_type": AnswerType.NUMBER,
                "max_value": Decimal("8"),
                "unit": "℃",
            },
        ],
    )
    kitchen = place_in(school, name="厨房")
    round_ = RoundFactory(
        route=None,
        place=kitchen,
        checklist_version=checklist.current_version(),
        patroller=guard,
        started_at=at(2026, 11, 17, 10, 30),
        finished=True,
    )
    _visit(round_, kitchen)
    tableware, fridge = round_.checklist_version.items.order_by("order")
    _answer(round_, kitchen, tableware)
    _answer(round_, kitchen, fridge, Result.FAIL, number=Decimal("9.50"))
    return round_


def test_it_writes_one_row_per_inspection(school, manager, login, patrol, canteen_check):
    book = _book(login(manager).get(URL))

    sheet = book["巡查检查记录"]
    assert sheet["A1"].value == "善真学校巡查检查记录台账"
    route_row, canteen_row = _rows(sheet)
    assert route_row["序号"] == 1
    assert route_row["日期"] == datetime(2026, 11, 16)
    assert sheet["B4"].number_format == export.DATE_FORMAT
    assert route_row["时间"] == time(7, 20)
    assert route_row["检查类型"] == "日巡视"
    assert route_row["路线/场所"] == "教学楼路线"
    assert route_row["检查人"] == "夏斌"
    assert route_row["检查点数(到/应到)"] == "1/2（手动确认 1）"
    assert route_row["检查项数"] == 4
    assert route_row["不合格项"] == "102教室：灭火器在有效期内（压力低）"
    assert route_row["发现隐患"] == "YH-2026-0007"
    assert route_row["状态"] == "已完成"
    assert route_row["备注"] == "二楼灯坏了一盏"

    assert canteen_row["检查类型"] == "食堂卫生检查"
    assert canteen_row["路线/场所"].endswith("厨房")
    assert canteen_row["检查点数(到/应到)"] == "1/1"
    assert canteen_row["不合格项"] == "冷藏柜温度 不合格（9.5 ℃）"
    assert not canteen_row["发现隐患"]


def test_it_lists_every_failed_item_on_its_own_sheet(school, manager, login, patrol, canteen_check):
    book = _book(login(manager).get(URL))

    sheet = book["不合格项"]
    assert sheet["A1"].value == "善真学校巡查发现不合格项清单"
    rows = _rows(sheet)
    assert [(row["场所"].split(" ")[-1], row["检查项"]) for row in rows] == [
        ("102教室", "灭火器在有效期内"),
        ("厨房", "冷藏柜温度"),
    ]
    assert rows[0]["结果"] == "不合格"
    assert rows[0]["备注"] == "压力低"
    assert rows[0]["隐患编号"] == "YH-2026-0007"
    assert rows[0]["检查人"] == "夏斌"
    assert rows[1]["结果"] == "不合格（9.5 ℃）"
    assert rows[1]["日期"] == datetime(2026, 11, 17)


def test_it_applies_the_filters_of_the_rounds_list(
    school, manager, login, guard, patrol, canteen_check
):
    other = RoundFactory(route=patrol.route, started_at=at(2026, 11, 18), finished=True)
    client = login(manager)

    def numbers(query):
        return [row["检查人"] for row in _rows(_book(client.get(URL, query))["巡查检查记录"])]

    assert numbers({}) == ["夏斌", "夏斌", other.patroller.name]
    assert numbers({"person": guard.pk}) == ["夏斌", "夏斌"]
    assert numbers({"route": patrol.route_id}) == ["夏斌", other.patroller.name]
    assert numbers({"kind": ChecklistKind.CANTEEN_HYGIENE}) == ["夏斌"]
    assert numbers({"start": "2026-11-17", "end": "2026-11-17"}) == ["夏斌"]


def test_it_names_the_file_after_the_period(school, manager, login, patrol):
    response = login(manager).get(URL, {"start": "2026-11-16", "end": "2026-11-22"})

    book = _book(response)
    assert quote("巡查检查记录台账-2026-11-16至2026-11-22.xlsx") in response["Content-Disposition"]
    assert book["巡查检查记录"]["A2"].value.startswith("期间：2026-11-16 至 2026-11-22")


def test_it_names_the_period_even_when_another_filter_is_stale(school, manager, login, patrol):
    stale = {"start": "2026-11-16", "end": "2026-11-22", "person": manager.pk + 10_000}
    response = login(manager).get(URL, stale)

    book = _book(response)
    assert quote("巡查检查记录台账-2026-11-16至2026-11-22.xlsx") in response["Content-Disposition"]
    assert book["巡查检查记录"]["A2"].value.startswith("期间：2026-11-16 至 2026-11-22")


def test_it_leaves_out_another_schools_rounds(school, other_school, manager, login, patrol):
    RoundFactory(route=RouteFactory(school=other_school), started_at=MONDAY, finished=True)

    rows = _rows(_book(login(manager).get(URL))["巡查检查记录"])

    assert len(rows) == 1


def test_it_is_only_for_people_who_see_every_round(school, teacher, guard, login, patrol):
    assert login(teacher).get(URL).status_code == 403
    assert login(guard).get(URL).status_code == 403


def test_it_exports_many_rounds_in_a_fixed_number_of_queries(
    school, manager, login, patrol, django_assert_max_num_queries
):
    for n in range(30):
        round_ = RoundFactory(
            route=patrol.route,
            started_at=MONDAY + timedelta(hours=n),
            finished=True,
            state=Round.State.FINISHED,
        )
        place = patrol.route.checkpoints.first().place
        _visit(round_, place)
        item = round_.checklist_version.items.first()
        _answer(round_, place, item, Result.FAIL, note=f"第{n}次")
    client = login(manager)

    with django_assert_max_num_queries(16):
        response = client.get(URL)
        rows = _rows(_book(response)["巡查检查记录"])

    assert len(rows) == 31
    assert date(2026, 11, 16) <= rows[-1]["日期"].date()
