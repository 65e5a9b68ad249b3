"""Photos of scans (a damaged card, a 盘盈 item): uploaded by the phone after the scan
synced, once per photo UUID, shown on the differences page and the stocktake detail."""

import json
import uuid

import pytest
from django.urls import reverse

from houqin.files.models import Attachment
from houqin.files.tests.factories import jpeg_upload
from houqin.stocktakes import services
from houqin.stocktakes.models import Line, Scan, ScanPhoto
from houqin.stocktakes.tests.factories import StocktakeFactory

pytestmark = pytest.mark.django_db


def _scan(stocktake, staff, rooms, **fields):
    data = {"uuid": str(uuid.uuid4()), "place": rooms[0].pk, **fields}
    services.record_scans(stocktake, staff=staff, scans=[data])
    return data["uuid"]


def _upload(client, stocktake, scan_uuid, photo_uuid):
    return client.post(
        reverse("stocktakes:scan_photo", args=[stocktake.pk, scan_uuid]),
        {"photo": jpeg_upload("损坏.jpg"), "photo_uuid": photo_uuid},
    )


def test_it_attaches_a_photo_to_a_scan_once(login, teacher, counting, rooms):
    line = Line.objects.filter(stocktake=counting, expected_place=rooms[0]).first()
    scan_uuid = _scan(counting, teacher, rooms, line=line.pk, status="damaged")
    photo_uuid = str(uuid.uuid4())
    client = login(teacher)
    first = _upload(client, counting, scan_uuid, photo_uuid)
    again = _upload(client, counting, scan_uuid, photo_uuid)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    photo = ScanPhoto.objects.get()
    assert photo.scan.client_uuid == uuid.UUID(scan_uuid)
    assert Attachment.objects.filter(object_id=photo.scan_id).count() == 1


def test_it_refuses_what_is_not_a_picture(login, teacher, counting, rooms):
    scan_uuid = _scan(counting, teacher, rooms, name="旧钢琴")
    response = login(teacher).post(
        reverse("stocktakes:scan_photo", args=[counting.pk, scan_uuid]),
        {"photo_uuid": str(uuid.uuid4())},
    )
    assert response.status_code == 400 and response.json()["error"]
    assert not ScanPhoto.objects.exists()


def test_it_refuses_another_counters_scan(login, clerk, teacher, make_staff, counting, rooms):
    from houqin.accounts.roles import Position

    other = make_staff(counting.school, Position.TEACHER, name="王老师")
    services.counter_add(counting, by=clerk, staff=other)
    scan_uuid = _scan(counting, teacher, rooms, name="旧钢琴")
    response = _upload(login(other), counting, scan_uuid, str(uuid.uuid4()))
    assert response.status_code == 403
    assert not ScanPhoto.objects.exists()


def test_it_answers_404_for_a_scan_not_synced_or_another_school(
    login,
    clerk,
    teacher,
    counting,
    other_school,
):
    client = login(teacher)
    assert _upload(client, counting, uuid.uuid4(), str(uuid.uuid4())).status_code == 404
    theirs = StocktakeFactory(school=other_school)
    assert _upload(login(clerk), theirs, uuid.uuid4(), str(uuid.uuid4())).status_code == 404


def test_it_shows_the_photos_on_the_differences_and_the_detail(
    login,
    clerk,
    teacher,
    counting,
    rooms,
    django_assert_max_num_queries,
):
    line = Line.objects.filter(stocktake=counting, expected_place=rooms[0]).first()
    damaged = _scan(counting, teacher, rooms, line=line.pk, status="damaged")
    surplus = _scan(counting, teacher, rooms, name="旧钢琴")
    client = login(teacher)
    for scan_uuid in (damaged, surplus):
        assert _upload(client, counting, scan_uuid, str(uuid.uuid4())).status_code == 201
    client = login(clerk)
    detail = client.get(reverse("stocktakes:detail", args=[counting.pk])).content.decode()
    assert 'data-testid="stocktake-photos"' in detail and detail.count('data-testid="photo"') == 2
    services.stocktake_end_counting(counting, by=clerk)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("stocktakes:differences", args=[counting.pk]))
    html = page.content.decode()
    assert html.count('data-testid="photo"') == 2
    assert Scan.objects.filter(photos__isnull=False).distinct().count() == 2


def test_it_keeps_a_replayed_sync_with_photos_at_one_scan(login, teacher, counting, rooms):
    data = {"uuid": str(uuid.uuid4()), "place": rooms[0].pk, "name": "旧钢琴"}
    client = login(teacher)
    for _ in range(2):
        client.post(
            reverse("stocktakes:sync", args=[counting.pk]),
            data=json.dumps({"scans": [data]}),
            content_type="application/json",
        )
    assert _upload(client, counting, data["uuid"], str(uuid.uuid4())).status_code == 201
    assert Scan.objects.filter(stocktake=counting).count() == 1
