"""The card list as Excel: every field, the list's filters, the user's cards only."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from houqin.accounts.roles import Position
from houqin.assets import export
from houqin.assets.models import Asset, Status
from houqin.assets.tests.factories import AssetFactory, category, place_in, staff_in
from houqin.org.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

URL = reverse("assets:export")


@pytest.fixture
def principal(school):
    return staff_in(school, Position.PRINCIPAL, name="陈立群")


def _rows(response):
    assert response.status_code == 200
    assert response["Content-Type"] == export.XLSX_CONTENT_TYPE
    book = load_workbook(BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_it_writes_every_field_of_the_card(login, school, principal):
    room = place_in(school, name="计算机房")
    person = staff_in(school, name="王佳佳")
    AssetFactory(
        school=school,
        number="2026-000123",
        name="学生计算机",
        brand="联想",
        model_name="启天M430",
        original_value=Decimal("4800.00"),
        fiscal_amount=Decimal("4800.00"),
        depreciated_months=12,
        accumulated_depreciation=Decimal("800.00"),
        net_value=Decimal("4000.00"),
        using_department=DepartmentFactory(school=school, name="教务处"),
        custodian=person,
        place=room,
        acquired_on=date(2025, 9, 1),
    )
    [row] = _rows(login(principal).get(URL))
    assert row["资产编号"] == "2026-000123"
    assert row["资产名称"] == "学生计算机"
    assert (row["分类代码"], row["分类名称"]) == ("A02010105", "台式计算机")
    assert (row["品牌"], row["型号"]) == ("联想", "启天M430")
    assert row["原值(元)"] == 4800 and row["净值(元)"] == 4000
    assert row["累计折旧(元)"] == 800 and row["月折旧额(元)"] == pytest.approx(66.67)
    assert row["折旧年限(月)"] == 72 and row["已提月数"] == 12
    assert row["取得日期"].date() == date(2025, 9, 1)
    assert row["使用状态"] == "在用"
    assert (row["使用部门"], row["使用人"], row["存放地点"]) == ("教务处", "王佳佳", "计算机房")
    assert row["取得方式"] == "新购"


def test_it_exports_the_lists_current_filter_only(login, school, other_school, principal):
    AssetFactory(school=school, name="闲置投影仪", status=Status.IDLE)
    AssetFactory(school=school, name="在用电脑")
    AssetFactory(school=school, name="图书", category=category("A040101"), life_months=None)
    AssetFactory(school=other_school, name="别校闲置", status=Status.IDLE)
    client = login(principal)
    assert [r["资产名称"] for r in _rows(client.get(URL, {"status": "idle"}))] == ["闲置投影仪"]
    assert [r["资产名称"] for r in _rows(client.get(URL, {"category": "A04"}))] == ["图书"]
    assert len(_rows(client.get(URL))) == 3


def test_it_runs_a_fixed_number_of_queries(login, school, principal, django_assert_max_num_queries):
    client = login(principal)
    AssetFactory(school=school)
    with django_assert_max_num_queries(20) as few:
        b"".join(client.get(URL).streaming_content)
    for _ in range(15):
        AssetFactory(school=school, custodian=principal)
    with django_assert_max_num_queries(len(few.captured_queries)):
        rows = _rows(client.get(URL))
    assert len(rows) == Asset.objects.count() == 16


def test_a_teacher_may_not_export(login, teacher):
    assert login(teacher).get(URL).status_code == 403
