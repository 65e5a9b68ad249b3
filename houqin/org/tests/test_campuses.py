import pytest

from houqin.org.models import Campus
from houqin.org.tests.factories import BuildingFactory


@pytest.fixture
def campus(school):
    return school.campus_set.get()


@pytest.fixture
def foreign_campus(other_school):
    return other_school.campus_set.get()


def test_it_lists_the_schools_campuses(login, teacher, campus, foreign_campus):
    foreign_campus.name = "别校的本部"
    foreign_campus.save()
    response = login(teacher).get("/org/campuses/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "本部校区" in body
    assert "别校的本部" not in body
    assert 'data-testid="campus-create"' not in body


def test_it_shows_the_create_button_to_a_manager(login, manager, campus):
    assert 'data-testid="campus-create"' in login(manager).get("/org/campuses/").content.decode()


def test_it_shows_a_campus_with_its_buildings(login, teacher, campus):
    BuildingFactory(campus=campus, name="沛学楼")
    body = login(teacher).get(f"/org/campuses/{campus.pk}/").content.decode()
    assert "沛学楼" in body
    assert 'data-testid="history"' in body


def test_it_shows_an_empty_building_list(login, teacher, campus):
    body = login(teacher).get(f"/org/campuses/{campus.pk}/").content.decode()
    assert "这个校区还没有楼宇" in body


def test_it_creates_a_campus_in_the_users_school(login, manager, school, other_school):
    data = {"name": "东校区", "code": "EAST", "address": "东路 1 号", "school": other_school.pk}
    response = login(manager).post("/org/campuses/new/", data)
    campus = Campus.objects.get(code="EAST")
    assert response.status_code == 302
    assert response["Location"] == f"/org/campuses/{campus.pk}/"
    assert campus.school == school


def test_it_refuses_a_duplicate_code_with_a_message(login, manager, campus):
    response = login(manager).post("/org/campuses/new/", {"name": "又一个", "code": "MAIN"})
    assert response.status_code == 200
    assert "本校已有编码为 MAIN 的校区" in response.content.decode()


def test_it_allows_a_code_used_by_another_school(login, manager, school, foreign_campus):
    data = {"name": "东校区", "code": "OTHER-ONLY"}
    foreign_campus.code = "OTHER-ONLY"
    foreign_campus.save()
    assert login(manager).post("/org/campuses/new/", data).status_code == 302


def test_it_edits_a_campus(login, manager, campus):
    data = {"name": "本部", "code": "MAIN", "address": "新地址", "is_main": "on"}
    response = login(manager).post(f"/org/campuses/{campus.pk}/edit/", data)
    assert response.status_code == 302
    campus.refresh_from_db()
    assert campus.address == "新地址"


@pytest.mark.parametrize("url", ["/org/campuses/{}/", "/org/campuses/{}/edit/"])
def test_it_hides_another_schools_campus(login, manager, foreign_campus, url):
    assert login(manager).get(url.format(foreign_campus.pk)).status_code == 404


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/org/campuses/new/"),
        ("post", "/org/campuses/new/"),
        ("get", "/org/campuses/{}/edit/"),
        ("post", "/org/campuses/{}/edit/"),
    ],
)
def test_it_forbids_changes_without_the_permission(login, teacher, campus, method, url):
    data = {"name": "改名", "code": "X"}
    response = getattr(login(teacher), method)(url.format(campus.pk), data)
    assert response.status_code == 403
    campus.refresh_from_db()
    assert campus.code == "MAIN"
