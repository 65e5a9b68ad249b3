import json
import uuid

import pytest
from django.urls import reverse

from houqin.accounts.roles import Position
from houqin.stocktakes import services
from houqin.stocktakes.models import Line, Scan, Status, Stocktake
from houqin.stocktakes.tests.factories import StocktakeFactory

pytestmark = pytest.mark.django_db


def _post_scans(client, stocktake, scans):
    return client.post(
        reverse("stocktakes:sync", args=[stocktake.pk]),
        data=json.dumps({"scans": scans}),
        content_type="application/json",
    )


def test_it_creates_a_stocktake(login, clerk, rooms):
    response = login(clerk).post(
        reverse("stocktakes:create"),
        {"name": "教学楼盘点", "base_date": "2026-06-30", "buildings": [rooms[0].building_id]},
    )
    stocktake = Stocktake.objects.get()
    assert response.status_code == 302
    assert stocktake.number.startswith("PD2026") and list(stocktake.buildings.all()) == [
        rooms[0].building
    ]


def test_it_refuses_a_teacher_the_manager_pages(login, teacher, counting):
    client = login(teacher)
    assert client.get(reverse("stocktakes:create")).status_code == 403
    assert client.post(reverse("stocktakes:end", args=[counting.pk])).status_code == 403
    assert client.get(reverse("stocktakes:differences", args=[counting.pk])).status_code == 200
    assert client.get(reverse("stocktakes:export_pdf", args=[counting.pk])).status_code == 403


def test_it_hides_stocktakes_a_teacher_does_not_count(login, make_staff, school, counting):
    stranger = make_staff(school, Position.TEACHER)
    client = login(stranger)
    assert client.get(reverse("stocktakes:detail", args=[counting.pk])).status_code == 404
    assert client.get(reverse("stocktakes:count", args=[counting.pk])).status_code == 404


def test_it_hides_another_schools_stocktake(login, clerk, other_school):
    theirs = StocktakeFactory(school=other_school)
    client = login(clerk)
    for name in ("detail", "count", "differences", "export_xlsx"):
        assert client.get(reverse(f"stocktakes:{name}", args=[theirs.pk])).status_code == 404
    assert _post_scans(client, theirs, []).status_code == 404


def test_it_lists_with_bounded_queries(login, clerk, django_assert_max_num_queries):
    for _ in range(5):
        StocktakeFactory(school=clerk.school, created_by=clerk)
    client = login(clerk)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("stocktakes:list"))
    assert response.content.decode().count('data-testid="stocktake-row"') == 5


def test_it_shows_progress_per_room(login, clerk, counting, django_assert_max_num_queries):
    client = login(clerk)
    with django_assert_max_num_queries(30):
        response = client.get(reverse("stocktakes:detail", args=[counting.pk]))
    assert response.content.decode().count('data-testid="progress-room"') == 3


def test_it_gives_the_phone_the_rooms_and_lines(login, teacher, counting):
    response = login(teacher).get(reverse("stocktakes:count", args=[counting.pk]))
    payload = response.context["payload"]
    assert len(payload["lines"]) == 4 and len(payload["rooms"]) == 3


def test_it_syncs_offline_scans_and_ignores_a_replay(login, teacher, counting, rooms):
    line = Line.objects.filter(stocktake=counting, expected_place=rooms[0]).first()
    scans = [
        {
            "uuid": str(uuid.uuid4()),
            "place": rooms[0].pk,
            "line": line.pk,
            "at": "2026-06-30T09:00:00+08:00",
        },
        {"uuid": str(uuid.uuid4()), "place": rooms[0].pk, "name": "旧钢琴", "note": "无标签"},
    ]
    client = login(teacher)
    first = _post_scans(client, counting, scans)
    assert first.status_code == 200
    assert sorted(first.json()["results"].values()) == ["found", "surplus"]
    again = _post_scans(client, counting, scans)
    assert again.status_code == 200 and set(again.json()["saved"]) == {s["uuid"] for s in scans}
    assert Scan.objects.filter(stocktake=counting).count() == 2


def test_it_shows_what_each_counters_phone_has_sent(login, clerk, teacher, counting, rooms):
    line = Line.objects.filter(stocktake=counting, expected_place=rooms[0]).first()
    scan = {"uuid": str(uuid.uuid4()), "place": rooms[0].pk, "line": line.pk}
    assert _post_scans(login(teacher), counting, [scan]).status_code == 200
    html = login(clerk).get(reverse("stocktakes:detail", args=[counting.pk])).content.decode()
    assert "已上传 1 条扫描，最近" in html


def test_it_answers_a_bad_sync_with_a_message(login, teacher, counting):
    response = _post_scans(login(teacher), counting, [{"uuid": "x", "place": 1}])
    assert response.status_code == 400 and response.json()["errors"]


def test_it_ends_counting_and_shows_differences(login, clerk, counting):
    client = login(clerk)
    response = client.post(reverse("stocktakes:end", args=[counting.pk]))
    assert response.status_code == 302
    counting.refresh_from_db()
    assert counting.status == Status.REVIEWING
    page = client.get(reverse("stocktakes:differences", args=[counting.pk]))
    assert page.content.decode().count('data-testid="difference"') == 4


def test_it_exports_excel_and_pdf(login, clerk, counting):
    services.stocktake_end_counting(counting, by=clerk)
    client = login(clerk)
    xlsx = client.get(reverse("stocktakes:export_xlsx", args=[counting.pk]))
    assert xlsx.status_code == 200 and b"".join(xlsx.streaming_content)[:2] == b"PK"
    pdf = client.get(reverse("stocktakes:export_pdf", args=[counting.pk]))
    assert pdf.content.startswith(b"%PDF")


def test_it_edits_a_difference(login, clerk, counting):
    services.stocktake_end_counting(counting, by=clerk)
    difference = counting.differences.first()
    response = login(clerk).post(
        reverse("stocktakes:difference_edit", args=[counting.pk, difference.pk]),
        {"cause": "借给兄弟学校", "handling": "追回"},
    )
    assert response.status_code == 302
    difference.refresh_from_db()
    assert difference.cause == "借给兄弟学校"
