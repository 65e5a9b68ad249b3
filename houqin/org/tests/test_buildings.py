import pytest

from houqin.org.models import Building
from houqin.org.tests.factories import BuildingFactory, FloorFactory, PlaceFactory


@pytest.fixture
def campus(school):
    return school.campus_set.get()


@pytest.fixture
def building(login, manager, campus):
    """A building made through the form, so its floors exist as the app makes them."""
    data = {
        "campus": campus.pk,
        "name": "沛学楼",
        "code": "PX",
        "floors_above": 3,
        "floors_below": 1,
    }
    login(manager).post("/org/buildings/new/", data)
    return Building.objects.get(code="PX")


@pytest.fixture
def foreign_building(other_school):
    return BuildingFactory(campus=other_school.campus_set.get())


def _levels(building):
    return list(building.floors.order_by("level").values_list("level", flat=True))


def test_it_creates_the_floors_of_a_new_building(building, school):
    assert building.school == school
    assert _levels(building) == [-1, 1, 2, 3]


def test_it_adds_missing_floors_when_counts_grow(login, manager, building):
    data = {
        "campus": building.campus_id,
        "name": "沛学楼",
        "code": "PX",
        "floors_above": 5,
        "floors_below": 2,
    }
    response = login(manager).post(f"/org/buildings/{building.pk}/edit/", data)
    assert response.status_code == 302
    assert _levels(building) == [-2, -1, 1, 2, 3, 4, 5]


def test_it_removes_only_empty_floors_when_counts_shrink(login, manager, building):
    data = {
        "campus": building.campus_id,
        "name": "沛学楼",
        "code": "PX",
        "floors_above": 2,
        "floors_below": 0,
    }
    login(manager).post(f"/org/buildings/{building.pk}/edit/", data)
    assert _levels(building) == [1, 2]


def test_it_refuses_to_strand_places_on_removed_floors(login, manager, building):
    PlaceFactory(floor=building.floors.get(level=3), name="305教室")
    data = {
        "campus": building.campus_id,
        "name": "沛学楼",
        "code": "PX",
        "floors_above": 2,
        "floors_below": 1,
    }
    response = login(manager).post(f"/org/buildings/{building.pk}/edit/", data)
    assert response.status_code == 200
    assert "3F 还有场所" in response.content.decode()
    assert _levels(building) == [-1, 1, 2, 3]


def test_it_refuses_a_duplicate_code_with_a_message(login, manager, building, campus):
    data = {"campus": campus.pk, "name": "新楼", "code": "PX", "floors_above": 1, "floors_below": 0}
    response = login(manager).post("/org/buildings/new/", data)
    assert response.status_code == 200
    assert "本校已有编码为 PX 的楼宇" in response.content.decode()


def test_it_refuses_another_schools_campus(login, manager, other_school):
    data = {
        "campus": other_school.campus_set.get().pk,
        "name": "新楼",
        "code": "NEW",
        "floors_above": 1,
        "floors_below": 0,
    }
    response = login(manager).post("/org/buildings/new/", data)
    assert response.status_code == 200
    assert not Building.objects.filter(code="NEW").exists()


def test_it_lists_buildings_filtered_by_campus(
    login, teacher, school, campus, building, foreign_building
):
    east = school.campus_set.create(name="东校区", code="EAST")
    BuildingFactory(campus=east, name="东楼", code="E1")
    client = login(teacher)
    body = client.get("/org/buildings/").content.decode()
    assert "沛学楼" in body and "东楼" in body
    assert foreign_building.name not in body
    assert 'data-testid="building-create"' not in body
    body = client.get("/org/buildings/", {"campus": east.pk}).content.decode()
    assert "东楼" in body and "沛学楼" not in body


def test_it_returns_only_the_results_to_htmx(login, teacher, building):
    response = login(teacher).get("/org/buildings/", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "沛学楼" in body
    assert "<html" not in body


def test_it_lists_buildings_with_few_queries(login, teacher, campus, django_assert_max_num_queries):
    for _ in range(30):
        PlaceFactory(floor=FloorFactory(building=BuildingFactory(campus=campus)))
    client = login(teacher)
    with django_assert_max_num_queries(14):
        response = client.get("/org/buildings/")
    assert response.status_code == 200


def test_it_shows_floors_and_their_places(login, teacher, building):
    PlaceFactory(floor=building.floors.get(level=2), name="美术室")
    PlaceFactory(floor=None, building=building, campus=building.campus, name="楼顶平台")
    body = login(teacher).get(f"/org/buildings/{building.pk}/").content.decode()
    assert "2F" in body and "B1" in body
    assert "美术室" in body
    assert "楼顶平台" in body
    assert 'data-testid="history"' in body


def test_it_shows_an_empty_list(login, teacher, campus):
    assert "还没有楼宇" in login(teacher).get("/org/buildings/").content.decode()


@pytest.mark.parametrize("url", ["/org/buildings/{}/", "/org/buildings/{}/edit/"])
def test_it_hides_another_schools_building(login, manager, foreign_building, url):
    assert login(manager).get(url.format(foreign_building.pk)).status_code == 404


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/org/buildings/new/"),
        ("post", "/org/buildings/new/"),
        ("get", "/org/buildings/{}/edit/"),
        ("post", "/org/buildings/{}/edit/"),
    ],
)
def test_it_forbids_changes_without_the_permission(login, teacher, building, method, url):
    data = {
        "campus": building.campus_id,
        "name": "改名",
        "code": "X",
        "floors_above": 1,
        "floors_below": 0,
    }
    response = getattr(login(teacher), method)(url.format(building.pk), data)
    assert response.status_code == 403
    building.refresh_from_db()
    assert building.code == "PX"
