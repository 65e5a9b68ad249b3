"""Label sheets: choose places, a layout and copies; get an A4 PDF."""

import re

import pytest

from houqin.accounts.roles import Position
from houqin.org.models import PlaceType
from houqin.org.tests.factories import BuildingFactory, FloorFactory, PlaceFactory
from houqin.qr import labels
from houqin.qr.models import QrCode

pytestmark = pytest.mark.django_db

URL = "/q/labels/"


def page_count(pdf):
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


@pytest.fixture
def compress_nothing(monkeypatch):
    """Uncompressed, reproducible PDFs: pages and text can be read from the bytes."""
    render = labels.render_pdf

    def render_plain(*args, **kwargs):
        return render(*args, **{**kwargs, "invariant": True, "compress": False})

    monkeypatch.setattr(labels, "render_pdf", render_plain)


@pytest.fixture
def rooms(building):
    """30 classrooms on two floors of building A, and a toilet."""
    second, third = (FloorFactory(building=building, level=level) for level in (2, 3))
    places = [
        PlaceFactory(floor=second if n < 15 else third, code=f"A{n:03d}", name=f"{n}教室")
        for n in range(30)
    ]
    places.append(
        PlaceFactory(floor=second, code="A2-WC", name="男厕所", place_type=PlaceType.TOILET)
    )
    return places


def test_it_shows_the_labels_page(login, manager, rooms, django_assert_max_num_queries):
    client = login(manager)
    with django_assert_max_num_queries(14):
        response = client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert "共 31 个场所要打印标签" in page
    assert "小标签 3×8" in page and "大标签 2×4" in page
    assert "HOUQIN_BASE_URL" in page  # no address configured: say what the QR will open


def test_it_counts_the_places_a_filter_chooses(login, manager, rooms, building):
    client = login(manager)
    response = client.get(URL, {"building": building.pk, "place_type": "toilet"})
    assert "共 1 个场所" in response.content.decode()
    floor = rooms[20].floor
    response = client.get(
        URL, {"building": building.pk, "floor": floor.pk}, headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert "共 15 个场所" in page
    assert "<html" not in page  # only the selection, swapped in by htmx
    assert 'id="label-selection"' in page


def test_it_carries_the_place_lists_filters(login, manager, rooms):
    response = login(manager).get(URL, {"q": "A01", "status": "", "page": "2"})
    assert "共 10 个场所" in response.content.decode()


def test_it_prints_a_sheet_of_small_labels(login, manager, rooms, compress_nothing):
    response = login(manager).post(URL, {"layout": "small", "copies": "1"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    assert page_count(pdf) == 2  # 31 labels, 24 a page
    assert QrCode.objects.count() == 31
    assert b"(A000)" in pdf and b"(A2-WC)" in pdf


def test_it_prints_large_labels_and_copies(login, manager, rooms, building, compress_nothing):
    floor = rooms[0].floor
    response = login(manager).post(
        URL,
        {"building": building.pk, "floor": floor.pk, "layout": "large", "copies": "3"},
    )
    assert page_count(response.content) == 6  # 16 places × 3 = 48 labels, 8 a page


def test_it_prints_the_places_named_by_ids(login, manager, rooms, other_place, compress_nothing):
    ids = f"{rooms[0].pk},{rooms[1].pk},{other_place.pk},x"
    client = login(manager)
    page = client.get(URL, {"kind": "P", "ids": ids}).content.decode()
    assert "共 2 个场所" in page
    assert "A000" in page and "0教室" in page
    response = client.post(
        URL, {"kind": "P", "ids": ids, "layout": "small", "copies": "1", "cut_lines": "on"}
    )
    assert page_count(response.content) == 1
    assert b"(A000)" in response.content and b"(A001)" in response.content
    assert QrCode.objects.count() == 2


def test_it_keeps_the_same_token_on_a_reprint(login, manager, rooms):
    client = login(manager)
    client.post(URL, {"layout": "small", "copies": "1"})
    tokens = set(QrCode.objects.values_list("token", flat=True))
    client.post(URL, {"layout": "large", "copies": "1"})
    assert set(QrCode.objects.values_list("token", flat=True)) == tokens


def test_it_refuses_too_many_labels(login, manager, rooms, monkeypatch):
    monkeypatch.setattr(labels, "MAX_LABELS", 40)
    response = login(manager).post(URL, {"layout": "small", "copies": "2"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "一次最多打印 40 张标签，现在是 31 个 × 2 份 = 62 张" in page
    assert 'value="2"' in page  # the copies typed are kept


def test_it_says_when_nothing_is_chosen(login, manager, rooms):
    response = login(manager).post(URL, {"place_type": "canteen", "layout": "small", "copies": "1"})
    assert "没有符合条件的场所" in response.content.decode()


def test_it_checks_the_copies(login, manager, rooms):
    response = login(manager).post(URL, {"layout": "small", "copies": "99"})
    assert response["Content-Type"].startswith("text/html")
    assert "is-invalid" in response.content.decode()


def test_it_needs_the_label_permission(login, teacher, place):
    client = login(teacher)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"layout": "small", "copies": "1"}).status_code == 403


def test_it_lets_an_asset_clerk_print(login, make_staff, school, place):
    clerk = make_staff(school, Position.ASSET_CLERK)
    assert login(clerk).get(URL).status_code == 200


def test_it_never_prints_another_schools_places(login, manager, other_place, compress_nothing):
    client = login(manager)
    response = client.post(URL, {"layout": "small", "copies": "1"})
    assert "没有符合条件的场所" in response.content.decode()
    other_building = other_place.building_id
    page = client.get(URL, {"building": other_building}).content.decode()
    assert "共 0 个场所" in page


def test_it_answers_404_for_an_unknown_kind(login, manager):
    assert login(manager).get(URL, {"kind": "Z"}).status_code == 404


def test_it_runs_a_bounded_number_of_queries(
    login, manager, rooms, django_assert_max_num_queries, compress_nothing
):
    client = login(manager)
    client.post(URL, {"layout": "small", "copies": "1"})  # tokens made
    more = BuildingFactory(school=manager.school, campus=rooms[0].campus)
    PlaceFactory.create_batch(20, floor=FloorFactory(building=more))
    with django_assert_max_num_queries(16):
        response = client.post(URL, {"layout": "small", "copies": "1"})
    assert page_count(response.content) == 3


def test_it_fits_long_names():
    size, lines = labels.fit_text(
        "化学实验室（高中部）及准备室和仪器室", labels.cjk_font(), 11, 7, 80, 2
    )
    assert len(lines) == 2
    assert 7 <= size <= 11
    size, lines = labels.fit_text("很" * 200, labels.cjk_font(), 11, 7, 80, 2)
    assert size == 7 and lines[-1].endswith("…")
