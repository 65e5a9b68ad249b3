from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.urls import reverse
from openpyxl import load_workbook

from houqin.accounts.roles import Position
from houqin.assets.depreciation import depreciate_month
from houqin.assets.models import Status
from houqin.assets.tests.factories import AssetFactory, category, place_in
from houqin.org.tests.factories import (
    CampusFactory,
    DepartmentFactory,
    DistrictFactory,
    SchoolFactory,
)

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def card(school, **fields):
    value = fields.setdefault("original_value", Decimal("1000.00"))
    fields.setdefault("net_value", value - fields.get("accumulated_depreciation", Decimal("0")))
    fields.setdefault("fiscal_amount", value)
    return AssetFactory(school=school, **fields)


def school_in(district, name):
    school = SchoolFactory(name=name, district=district)
    CampusFactory(school=school)
    return school


@pytest.fixture
def district(school):
    district = DistrictFactory(name="善真区")
    school.district = district
    school.save(update_fields=["district"])
    return district


@pytest.fixture
def officer(district, make_staff):
    return make_staff(None, Position.DISTRICT_OFFICER, name="郑科长", district=district)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def workbook(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(BytesIO(b"".join(response.streaming_content)))


# --- The district list -------------------------------------------------------------------


def test_it_lists_the_cards_of_every_school_of_the_district(school, district, officer, login):
    neighbour = school_in(district, "邻校")
    elsewhere = school_in(DistrictFactory(name="别区"), "别区学校")
    card(school, number="2026-000001", name="交互式教学一体机")
    card(neighbour, number="2026-000002", name="学生课桌")
    card(elsewhere, number="2026-000003", name="别区的电脑")

    response = login(officer).get(reverse("assets:district"))

    assert response.status_code == 200
    assert [row.number for row in response.context["page"].rows] == [
        "2026-000002",
        "2026-000001",
    ]
    body = response.content.decode()
    assert "邻校" in body and "交互式教学一体机" in body
    assert "别区的电脑" not in body
    assert "共 2 张卡片" in body


def test_it_never_shows_another_districts_school_even_when_asked(school, district, officer, login):
    elsewhere = school_in(DistrictFactory(name="别区"), "别区学校")
    card(elsewhere, number="2026-000003")
    client = login(officer)

    response = client.get(reverse("assets:district"), {"school": elsewhere.pk})
    searched = client.get(reverse("assets:district"), {"q": "2026-000003"})

    assert response.status_code == 200
    assert response.context["page"].rows == []
    assert response.context["school"] is None
    assert searched.context["page"].rows == []


def test_it_filters_the_district_by_school_with_its_totals(school, district, officer, login):
    neighbour = school_in(district, "邻校")
    card(school, original_value=Decimal("1200.00"), net_value=Decimal("1000.00"))
    card(school, original_value=Decimal("300.00"), status=Status.DISPOSED)
    card(neighbour)

    response = login(officer).get(reverse("assets:district"), {"school": school.pk})

    assert len(response.context["page"].rows) == 2
    assert response.context["totals"] == {
        "count": 1,
        "original_value": Decimal("1200.00"),
        "net_value": Decimal("1000.00"),
    }
    assert "在账 1 张卡片，原值 1,200.00 元，净值 1,000.00 元" in response.content.decode()


def test_it_searches_and_sorts_the_district_list(school, district, officer, login):
    card(school, number="1", name="空调", original_value=Decimal("3000.00"))
    card(school, number="2", name="空调", original_value=Decimal("5000.00"))
    card(school, number="3", name="课桌", original_value=Decimal("9000.00"))

    response = login(officer).get(
        reverse("assets:district"), {"q": "kt", "sort": "-original_value"}
    )

    assert [row.number for row in response.context["page"].rows] == ["2", "1"]


def test_it_swaps_only_the_results_for_htmx(school, district, officer, login):
    card(school)

    response = login(officer).get(reverse("assets:district"), HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'data-testid="asset-row"' in body


def test_it_pages_the_district_list_in_a_bounded_number_of_queries(
    school, district, officer, login, django_assert_max_num_queries
):
    neighbour = school_in(district, "邻校")
    department = DepartmentFactory(school=school)
    room = place_in(school)
    for index in range(30):
        card(
            school if index % 2 else neighbour,
            number=f"2026-{index:06d}",
            using_department=department if index % 2 else None,
            place=room if index % 2 else None,
        )
    client = login(officer)
    client.get(reverse("assets:district"))

    with django_assert_max_num_queries(20):
        response = client.get(reverse("assets:district"), {"q": "2026", "sort": "name"})

    assert len(response.context["page"].rows) == 30


def test_it_refuses_the_district_list_to_school_staff(school, district, make_staff, login):
    principal = make_staff(school, Position.PRINCIPAL)
    client = login(principal)

    assert client.get(reverse("assets:district")).status_code == 403
    assert client.get(reverse("assets:district_summary")).status_code == 403


def test_it_sends_a_stranger_to_the_login(client):
    response = client.get(reverse("assets:district"))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_it_totals_every_school_of_the_district(school, district, officer, login):
    neighbour = school_in(district, "邻校")
    elsewhere = school_in(DistrictFactory(name="别区"), "别区学校")
    card(school, original_value=Decimal("100.00"))
    card(school, original_value=Decimal("50.00"))
    card(neighbour, original_value=Decimal("7.00"))
    card(elsewhere, original_value=Decimal("999.00"))
    client = login(officer)

    response = client.get(reverse("assets:district_summary"))

    rows = {school.name: totals for school, totals in response.context["rows"]}
    assert rows["善真学校"]["count"] == 2
    assert rows["善真学校"]["original_value"] == Decimal("150.00")
    assert rows["邻校"]["count"] == 1
    assert "别区学校" not in rows
    assert response.context["total"]["original_value"] == Decimal("157.00")
    # Cached: a card added now shows in ten minutes, not on every view.
    card(neighbour)
    again = client.get(reverse("assets:district_summary"), HTTP_HX_REQUEST="true").content
    assert '<td class="text-end" data-testid="summary-total-count">3</td>' in again.decode()
    assert b"<html" not in again


# --- 折旧报表 -----------------------------------------------------------------------------


@pytest.fixture
def booked(school):
    """Two months depreciated: computers in two departments, desks without one, books."""
    teaching = DepartmentFactory(school=school, name="教务处")
    office = DepartmentFactory(school=school, name="总务处")
    acquired = date(2026, 9, 3)
    card(school, life_months=72, using_department=teaching, acquired_on=acquired)
    card(school, life_months=72, using_department=office, acquired_on=acquired)
    card(
        school,
        life_months=180,
        category=category("A05010203"),
        original_value=Decimal("900.00"),
        acquired_on=acquired,
    )
    card(
        school,
        life_months=None,
        category=category("A040101"),
        original_value=Decimal("5000.00"),
        acquired_on=acquired,
    )
    depreciate_month(school, date(2026, 9, 1), now=NOW)
    depreciate_month(school, date(2026, 10, 1), now=NOW)
    return teaching, office


def test_it_reports_a_months_depreciation_by_top_class(school, manager, login, booked):
    response = login(manager).get(
        reverse("assets:depreciation_report"), {"scope": "month", "month": "2026-10"}
    )

    assert response.status_code == 200
    report = response.context["report"]
    rows = {row.key: row for row in report.rows}
    assert set(rows) == {"A02", "A04", "A05"}
    assert rows["A02"].label == "A02 设备"
    assert rows["A02"].count == 2
    assert rows["A02"].original_value == Decimal("2000.00")
    assert rows["A02"].period_amount == Decimal("27.78")
    assert rows["A02"].accumulated == Decimal("55.56")
    assert rows["A02"].net_value == Decimal("1944.44")
    assert rows["A05"].period_amount == Decimal("5.00")
    assert rows["A04"].period_amount == Decimal("0.00")
    assert rows["A04"].net_value == Decimal("5000.00")
    assert report.total.period_amount == Decimal("32.78")
    assert report.total.original_value == Decimal("7900.00")
    assert report.months_run == [date(2026, 10, 1)]
    assert "2026-10 月度折旧" in response.content.decode()


def test_it_reports_a_year_by_second_level_class(school, manager, login, booked):
    response = login(manager).get(
        reverse("assets:depreciation_report"),
        {"scope": "year", "year": "2026", "group": "class2"},
    )

    report = response.context["report"]
    rows = {row.key: row.period_amount for row in report.rows}
    assert rows == {
        "A0201": Decimal("55.56"),
        "A0401": Decimal("0.00"),
        "A0501": Decimal("10.00"),
    }
    assert report.months_run == [date(2026, 9, 1), date(2026, 10, 1)]
    assert report.total.period_amount == Decimal("65.56")


def test_it_reports_by_using_department(school, manager, login, booked):
    teaching, office = booked

    response = login(manager).get(
        reverse("assets:depreciation_report"), {"group": "department", "month": "2026-09"}
    )

    rows = {row.label: row.period_amount for row in response.context["report"].rows}
    assert rows == {
        "教务处": Decimal("13.89"),
        "总务处": Decimal("13.89"),
        "未指定使用部门": Decimal("5.00"),
    }


def test_it_counts_the_whole_school_for_a_principal_seated_in_an_office(
    school, make_staff, login, booked
):
    principal = make_staff(school, Position.PRINCIPAL)
    principal.appointments.update(department=DepartmentFactory(school=school, name="校长室"))

    response = login(principal).get(reverse("assets:depreciation_report"), {"month": "2026-10"})

    assert response.context["report"].total.period_amount == Decimal("32.78")
    assert response.context["report"].total.count == 4


def test_it_defaults_to_the_last_month_depreciated(school, manager, login, booked):
    response = login(manager).get(reverse("assets:depreciation_report"))

    report = response.context["report"]
    assert (report.start, report.end) == (date(2026, 10, 1), date(2026, 10, 1))
    assert report.group == "class1"


def test_it_leaves_other_schools_out_of_the_reports(school, other_school, manager, login, booked):
    card(other_school, life_months=72, acquired_on=date(2026, 9, 3))
    depreciate_month(other_school, date(2026, 10, 1), now=NOW)
    client = login(manager)

    depreciation = client.get(reverse("assets:depreciation_report"), {"month": "2026-10"})
    ledger = client.get(reverse("assets:ledger_report"))

    assert depreciation.context["report"].total.period_amount == Decimal("32.78")
    assert ledger.context["total"].books.count == 4


def test_it_exports_the_depreciation_report(school, manager, login, booked):
    response = login(manager).get(
        reverse("assets:depreciation_export"), {"scope": "year", "year": "2026"}
    )

    assert response.status_code == 200
    assert "2026.xlsx" in response["Content-Disposition"]
    sheet = workbook(response).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "善真学校 固定资产折旧报表 2026"
    assert rows[2] == ("资产分类", "卡片数", "原值(元)", "本期折旧(元)", "累计折旧(元)", "净值(元)")
    assert rows[3][0] == "A02 设备" and rows[3][3] == pytest.approx(55.56)
    assert rows[6][0] == "合计" and rows[6][3] == pytest.approx(65.56)


def test_it_refuses_the_reports_to_a_teacher(school, teacher, login):
    client = login(teacher)

    for name in (
        "assets:depreciation_report",
        "assets:depreciation_export",
        "assets:ledger_report",
        "assets:ledger_export",
    ):
        assert client.get(reverse(name)).status_code == 403, name


# --- 资产总账 -----------------------------------------------------------------------------


def test_it_sums_the_ledger_by_class_and_status(school, manager, login):
    card(school, original_value=Decimal("4800.00"))
    card(school, original_value=Decimal("5200.00"), status=Status.IDLE)
    card(
        school,
        original_value=Decimal("1000.00"),
        accumulated_depreciation=Decimal("400.00"),
        status=Status.REPAIRING,
    )
    card(school, original_value=Decimal("300.00"), status=Status.DISPOSED)
    card(school, category=category("A05010203"), original_value=Decimal("600.00"))

    response = login(manager).get(reverse("assets:ledger_report"))

    rows, total = response.context["rows"], response.context["total"]
    assert [row.key for row in rows] == ["A02", "A05"]
    equipment = rows[0]
    counts = [(cell.count, cell.original_value) for cell in equipment.cells]
    assert counts == [
        (1, Decimal("4800.00")),
        (1, Decimal("5200.00")),
        (1, Decimal("1000.00")),
        (0, Decimal("0.00")),
        (1, Decimal("300.00")),
    ]
    assert equipment.books.count == 3
    assert equipment.books.original_value == Decimal("11000.00")
    assert equipment.books.accumulated == Decimal("400.00")
    assert equipment.books.net_value == Decimal("10600.00")
    assert total.books.count == 4
    assert total.books.original_value == Decimal("11600.00")
    assert total.cells[4].count == 1

    by_second = login(manager).get(reverse("assets:ledger_report"), {"group": "class2"})
    assert [row.key for row in by_second.context["rows"]] == ["A0201", "A0501"]


def test_it_exports_the_ledger(school, manager, login):
    card(school, original_value=Decimal("4800.00"))

    response = login(manager).get(reverse("assets:ledger_export"))

    sheet = workbook(response).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][:3] == ("资产分类", "在用张数", "在用原值(元)")
    assert rows[3][0] == "A02 设备"
    assert rows[3][1:3] == (1, pytest.approx(4800))
    assert rows[-3][0] == "合计"


def test_it_reads_the_reports_in_a_bounded_number_of_queries(
    school, manager, login, booked, django_assert_max_num_queries
):
    client = login(manager)
    client.get(reverse("assets:ledger_report"))

    with django_assert_max_num_queries(16):
        client.get(reverse("assets:depreciation_report"), {"scope": "year", "year": "2026"})
    with django_assert_max_num_queries(14):
        client.get(reverse("assets:ledger_report"))
