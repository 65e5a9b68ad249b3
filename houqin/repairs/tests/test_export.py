"""Excel exports: the request list with its filters and the statistics."""

from datetime import datetime, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from houqin.accounts.roles import Position
from houqin.org.tests.factories import SchoolClassFactory
from houqin.repairs import export, stats
from houqin.repairs.models import Category, RepairRequest, Status
from houqin.repairs.tests.factories import RepairRequestFactory, place_in, worker_in

REQUESTS_URL = reverse("repairs:requests_export")
STATS_URL = reverse("repairs:stats_export")


def at(year, month, day, hour=9, minute=0):
    return timezone.make_aware(datetime(year, month, day, hour, minute))


MONDAY = at(2026, 3, 2)


def _book(response):
    assert response.status_code == 200
    assert response["Content-Type"] == export.XLSX_CONTENT_TYPE
    return load_workbook(BytesIO(b"".join(response.streaming_content)))


def _rows(sheet):
    rows = list(sheet.iter_rows(values_only=True))
    headers = rows[0]
    return [dict(zip(headers, row, strict=True)) for row in rows[1:]]


def test_it_writes_requests_with_real_dates_and_numbers(school):
    place = place_in(school, name="301教室")
    repair = RepairRequestFactory(
        place=place,
        category=Category.SCREENS,
        description="一体机黑屏",
        reported_at=MONDAY,
        done=True,
        assignee=worker_in(school, name="陶向明"),
        accepted_at=MONDAY + timedelta(hours=1),
        done_at=MONDAY + timedelta(days=1),
        response_due=MONDAY + timedelta(hours=4),
        completion_due=MONDAY + timedelta(hours=6),
        labour_cost=Decimal("50"),
        parts_cost=Decimal("380.50"),
        damaged_by_students=True,
        responsible_class=SchoolClassFactory(grade__school=school, name="三(2)中队"),
        responsible_person="李同学",
    )

    output = export.requests_workbook(
        RepairRequest.objects.filter(school=school), school=school, now=at(2026, 3, 10)
    )
    book = load_workbook(output)

    sheet = book["报修单"]
    header = next(sheet.iter_rows(values_only=True))
    assert header[:3] == ("报修单号", "报修时间", "校区")
    row = _rows(sheet)[0]
    assert row["报修单号"] == repair.number
    assert row["报修时间"] == datetime(2026, 3, 2, 9, 0)  # local time, a real date
    assert sheet["B2"].number_format == export.DATETIME_FORMAT
    assert row["报修地点"] == "301教室"
    assert row["维修类别"] == "一体机与多媒体"
    assert row["状态"] == "待确认"
    assert row["维修人员"] == "陶向明"
    assert row["响应用时(工作小时)"] == 1.0
    assert row["完成用时(工作小时)"] == 8.0
    assert row["是否超期"] == "是"
    assert row["人工费(元)"] == 50
    assert row["材料费(元)"] == 380.5
    assert row["费用合计(元)"] == 430.5
    assert isinstance(row["费用合计(元)"], float | int)
    assert row["学生损坏"] == "是"
    assert row["责任班级"] == "三(2)中队"
    assert row["确认时间"] is None


def test_it_exports_the_filtered_list(login, manager, school, other_school):
    now = timezone.now()
    RepairRequestFactory(school=school, category=Category.NETWORK, reported_at=now)
    RepairRequestFactory(school=school, category=Category.OTHER, reported_at=now)
    RepairRequestFactory(
        school=school, category=Category.NETWORK, reported_at=now, status=Status.CANCELLED
    )
    RepairRequestFactory(school=other_school, category=Category.NETWORK, reported_at=now)

    client = login(manager)
    # As the queue: open requests unless asked for all.
    assert len(_rows(_book(client.get(REQUESTS_URL)).active)) == 2
    everything = _rows(_book(client.get(REQUESTS_URL, {"status": "all"})).active)
    assert len(everything) == 3
    network = _rows(
        _book(client.get(REQUESTS_URL, {"status": "all", "category": "network"})).active
    )
    assert len(network) == 2
    cancelled = _rows(
        _book(client.get(REQUESTS_URL, {"category": "network", "status": "cancelled"})).active
    )
    assert [row["状态"] for row in cancelled] == ["已撤销"]
    today = timezone.localdate()
    response = client.get(
        REQUESTS_URL, {"status": "all", "start": today - timedelta(days=1), "end": today}
    )
    assert len(_rows(_book(response).active)) == 3
    assert "attachment" in response["Content-Disposition"]
    tomorrow = today + timedelta(days=1)
    response = client.get(REQUESTS_URL, {"status": "all", "start": tomorrow, "end": tomorrow})
    assert _rows(_book(response).active) == []


def test_it_exports_the_period_the_statistics_page_shows(login, manager, school):
    now = timezone.now()
    RepairRequestFactory(school=school, reported_at=now, status=Status.CANCELLED)
    RepairRequestFactory(school=school, reported_at=now - timedelta(days=40))
    html = login(manager).get(reverse("repairs:stats")).content.decode()
    link = html.split('data-testid="requests-export"')[0].rsplit('href="', 1)[1].split('"')[0]
    rows = _rows(_book(login(manager).get(link.replace("&amp;", "&"))).active)
    assert [row["状态"] for row in rows] == ["已撤销"]


def test_it_exports_overdue_requests_only(login, manager, school):
    now = timezone.now()
    RepairRequestFactory(
        school=school,
        reported_at=now - timedelta(days=3),
        response_due=now - timedelta(days=2),
        completion_due=now - timedelta(days=1),
        description="超期的",
    )
    RepairRequestFactory(school=school, reported_at=now, description="没超期")
    rows = _rows(_book(login(manager).get(REQUESTS_URL, {"overdue": "1"})).active)
    assert [row["故障描述"] for row in rows] == ["超期的"]


def test_it_exports_the_statistics(login, manager, school):
    now = timezone.now()
    place = place_in(school, name="301教室")
    for _n in range(3):
        RepairRequestFactory(place=place, reported_at=now, closed=True, rating=4)

    book = _book(login(manager).get(STATS_URL))

    assert book.sheetnames == ["概况", "按类别", "按楼宇", "按维修人员", "满意度", "多次报修场所"]
    overview = {row[0]: row[1] for row in book["概况"].iter_rows(min_row=2, values_only=True)}
    assert overview["报修总数"] == 3
    assert overview["平均评分"] == 4
    assert overview["费用合计"] == 0
    categories = _rows(book["按类别"])
    assert categories == [{"维修类别": "门窗", "报修数": 3, "占比(%)": 100}]
    places = _rows(book["多次报修场所"])
    assert places[0]["报修次数"] == 3
    assert isinstance(places[0]["最近报修"], datetime)


def test_it_writes_an_empty_statistics_workbook(school):
    summary = stats.summarize(RepairRequest.objects.none(), school=school)
    book = load_workbook(export.stats_workbook(summary, school=school))
    assert book["按类别"].max_row == 1


@pytest.mark.parametrize("url", [REQUESTS_URL, STATS_URL])
def test_it_refuses_people_without_the_permission(login, make_staff, school, url):
    for position in (Position.TEACHER, Position.MAINTENANCE_STAFF):
        assert login(make_staff(school, position)).get(url).status_code == 403


def test_it_exports_with_few_queries(login, manager, school, django_assert_max_num_queries):
    now = timezone.now()
    for n in range(10):
        RepairRequestFactory(school=school, reported_at=now - timedelta(days=n), done=True)
    client = login(manager)
    with django_assert_max_num_queries(15):
        response = client.get(REQUESTS_URL, {"status": "all"})
        assert len(_rows(_book(response).active)) == 10
