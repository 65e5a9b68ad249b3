import pytest

from houqin.accounts.roles import Position
from houqin.org.models import Place, PlaceType
from houqin.org.tests.factories import (
    BuildingFactory,
    FloorFactory,
    PlaceFactory,
    SchoolClassFactory,
)


@pytest.fixture
def campus(school):
    return school.campus_set.get()


@pytest.fixture
def floor(campus):
    return FloorFactory(building=BuildingFactory(campus=campus, name="沛学楼", code="PX"), level=1)


@pytest.fixture
def place(floor):
    return PlaceFactory(floor=floor, name="101教室", code="PX-101")


@pytest.fixture
def foreign_place(other_school):
    campus = other_school.campus_set.get()
    return PlaceFactory(floor=FloorFactory(building=BuildingFactory(campus=campus)))


def _post_data(campus, floor=None, **fields):
    data = {
        "campus": campus.pk,
        "building": floor.building_id if floor else "",
        "floor": floor.pk if floor else "",
        "name": "母婴室",
        "code": "MY-01",
        "place_type": PlaceType.OTHER,
        "area_m2": "12.50",
        "capacity": "",
        "note": "",
    }
    data.update(fields)
    return data


# List


def test_it_lists_the_schools_places_for_a_teacher(login, teacher, place, foreign_place):
    response = login(teacher).get("/org/places/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "PX-101" in body
    assert foreign_place.code not in body
    assert 'data-testid="place-create"' not in body


def test_it_shows_the_create_button_to_a_manager(login, manager, place):
    body = login(manager).get("/org/places/").content.decode()
    assert 'data-testid="place-create"' in body


def test_it_shows_an_empty_state(login, manager):
    body = login(manager).get("/org/places/").content.decode()
    assert "还没有场所" in body


@pytest.mark.parametrize("text", ["mys", "MY-", "母婴"])
def test_it_searches_by_initials_code_and_name(login, manager, campus, place, text):
    PlaceFactory(
        school=campus.school, campus=campus, building=None, floor=None, name="母婴室", code="MY-01"
    )
    body = login(manager).get("/org/places/", {"q": text}).content.decode()
    assert "MY-01" in body
    assert "PX-101" not in body


def test_it_filters_by_building_type_and_status(login, manager, campus, place):
    other = PlaceFactory(
        school=campus.school,
        campus=campus,
        building=None,
        floor=None,
        name="操场",
        code="OUT-1",
        place_type=PlaceType.PLAYGROUND,
    )
    archived = PlaceFactory(floor=place.floor, code="PX-999")
    archived.archive(by=manager.user, reason="拆除")
    client = login(manager)

    body = client.get("/org/places/", {"building": place.building_id}).content.decode()
    assert "PX-101" in body and "OUT-1" not in body and "PX-999" not in body

    body = client.get("/org/places/", {"place_type": "playground"}).content.decode()
    assert "OUT-1" in body and "PX-101" not in body

    body = client.get("/org/places/", {"status": "archived"}).content.decode()
    assert "PX-999" in body and "PX-101" not in body
    assert other.code not in body


def test_it_returns_only_the_results_to_htmx(login, manager, place):
    response = login(manager).get("/org/places/", {"q": "px"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "PX-101" in body
    assert "<html" not in body
    assert "hq-filters" not in body


def test_it_lists_many_places_with_few_queries(
    login, manager, floor, django_assert_max_num_queries
):
    for number in range(60):
        PlaceFactory(floor=floor, code=f"PX-{number:03d}")
    client = login(manager)
    with django_assert_max_num_queries(16):
        response = client.get("/org/places/")
    assert response.content.decode().count("/org/places/") >= 50
    assert response.context["page"].paginator.num_pages == 2
    assert "第 1 / 2 页，共 60 条" in response.content.decode()
    assert list(response.context["page"])[0].code == "PX-000"


def test_it_sends_anonymous_users_to_login(client):
    response = client.get("/org/places/")
    assert response.status_code == 302
    assert "/login" in response["Location"]


# Detail


def test_it_shows_a_place_with_its_classes_and_history(login, teacher, place):
    SchoolClassFactory(school=place.school, room=place, name="3(2)中队", grade__campus=place.campus)
    body = login(teacher).get(f"/org/places/{place.pk}/").content.decode()
    assert "101教室" in body
    assert "3(2)中队" in body
    assert 'data-testid="history"' in body
    assert f"/org/places/{place.pk}/edit/" not in body


@pytest.mark.parametrize("url", ["/org/places/{}/", "/org/places/{}/edit/"])
def test_it_hides_another_schools_place(login, manager, foreign_place, url):
    assert login(manager).get(url.format(foreign_place.pk)).status_code == 404


@pytest.mark.parametrize("url", ["/org/places/{}/archive/", "/org/places/{}/restore/"])
def test_it_hides_another_schools_place_from_archive(login, manager, foreign_place, url):
    response = login(manager).post(url.format(foreign_place.pk), {"reason": "x"})
    assert response.status_code == 404
    foreign_place.refresh_from_db()
    assert foreign_place.is_active


# Create and edit


def test_it_creates_a_place_in_the_users_school(login, manager, campus, floor, other_school):
    response = login(manager).post(
        "/org/places/new/", _post_data(campus, floor, school=other_school.pk)
    )
    place = Place.objects.get(code="MY-01")
    assert response.status_code == 302
    assert response["Location"] == f"/org/places/{place.pk}/"
    assert place.school == campus.school
    assert place.floor == floor
    assert place.name_initials == "mys"


def test_it_refuses_a_duplicate_code_with_a_message(login, manager, campus, place):
    response = login(manager).post("/org/places/new/", _post_data(campus, code="PX-101"))
    assert response.status_code == 200
    assert "本校已有编码为 PX-101 的场所" in response.content.decode()
    assert Place.objects.filter(code="PX-101").count() == 1


def test_it_allows_a_code_used_by_another_school(login, manager, campus, foreign_place):
    response = login(manager).post("/org/places/new/", _post_data(campus, code=foreign_place.code))
    assert response.status_code == 302


def test_it_refuses_a_building_of_another_campus(login, manager, campus, school):
    other_campus = school.campus_set.create(name="分校区", code="EAST")
    floor = FloorFactory(building=BuildingFactory(campus=other_campus))
    response = login(manager).post("/org/places/new/", _post_data(campus, floor))
    assert response.status_code == 200
    assert "楼宇不在所选校区" in response.content.decode()
    assert not Place.objects.filter(code="MY-01").exists()


def test_it_refuses_a_floor_of_another_building(login, manager, campus, floor):
    other = BuildingFactory(campus=campus)
    data = _post_data(campus, floor, building=other.pk)
    response = login(manager).post("/org/places/new/", data)
    assert "楼层不在所选楼宇" in response.content.decode()


def test_it_refuses_another_schools_campus(login, manager, campus, other_school):
    data = _post_data(other_school.campus_set.get())
    response = login(manager).post("/org/places/new/", data)
    assert response.status_code == 200
    assert not Place.objects.filter(code="MY-01").exists()


def test_it_offers_floors_of_the_chosen_building_over_htmx(login, manager, campus, floor):
    FloorFactory(building=floor.building, level=2)
    response = login(manager).get(
        "/org/places/new/",
        {"campus": campus.pk, "building": floor.building_id},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert 'id="place-location"' in body
    assert "2F" in body
    assert "<html" not in body


def test_it_edits_a_place(login, manager, place):
    data = _post_data(place.campus, place.floor, name="102教室", code="PX-102")
    response = login(manager).post(f"/org/places/{place.pk}/edit/", data)
    assert response.status_code == 302
    place.refresh_from_db()
    assert place.code == "PX-102"
    body = login(manager).get(f"/org/places/{place.pk}/").content.decode()
    assert "PX-102" in body and "PX-101" in body  # history shows before and after


def test_it_keeps_the_own_code_when_editing(login, manager, place):
    data = _post_data(place.campus, place.floor, code="PX-101", name="新名字")
    assert login(manager).post(f"/org/places/{place.pk}/edit/", data).status_code == 302


def test_it_shows_the_edit_form(login, manager, place):
    response = login(manager).get(f"/org/places/{place.pk}/edit/")
    assert response.status_code == 200
    assert "PX-101" in response.content.decode()


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/org/places/new/"),
        ("post", "/org/places/new/"),
        ("get", "/org/places/{}/edit/"),
        ("post", "/org/places/{}/edit/"),
        ("post", "/org/places/{}/archive/"),
        ("post", "/org/places/{}/restore/"),
    ],
)
def test_it_forbids_changes_without_the_permission(login, teacher, place, method, url):
    response = getattr(login(teacher), method)(url.format(place.pk), {"reason": "x"})
    assert response.status_code == 403
    place.refresh_from_db()
    assert place.is_active and place.code == "PX-101"


def test_it_lets_an_asset_clerk_create(login, school, make_staff, campus):
    clerk = make_staff(school, Position.ASSET_CLERK)
    assert login(clerk).post("/org/places/new/", _post_data(campus)).status_code == 302


# Archive


def test_it_archives_with_a_reason_and_restores(login, manager, place):
    client = login(manager)
    response = client.post(f"/org/places/{place.pk}/archive/", {"reason": "改作仓库"})
    assert response.status_code == 302
    place.refresh_from_db()
    assert not place.is_active
    assert place.archive_reason == "改作仓库"
    assert place.archived_by == manager.user
    assert "改作仓库" in client.get(f"/org/places/{place.pk}/").content.decode()

    client.post(f"/org/places/{place.pk}/restore/")
    place.refresh_from_db()
    assert place.is_active


def test_it_needs_a_reason_to_archive(login, manager, place):
    response = login(manager).post(f"/org/places/{place.pk}/archive/", {"reason": ""})
    assert response.status_code == 302
    place.refresh_from_db()
    assert place.is_active


def test_it_archives_only_by_post(login, manager, place):
    assert login(manager).get(f"/org/places/{place.pk}/archive/").status_code == 405


def test_it_offers_the_archive_card_to_a_manager(login, manager, place):
    page = login(manager).get(f"/org/places/{place.pk}/").content.decode()
    assert 'id="archive-form"' in page
    assert "停用场所" in page
    assert "确定停用这个场所吗？" in page
    assert f'action="/org/places/{place.pk}/archive/"' in page
