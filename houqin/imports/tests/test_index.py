from houqin.accounts.roles import Position
from houqin.imports.models import ImportBatch


def test_it_lists_the_three_kinds(login, manager):
    response = login(manager).get("/imports/")
    assert response.status_code == 200
    body = response.content.decode()
    for kind in ("people", "places", "classes"):
        assert f"/imports/{kind}/template/" in body
        assert f"/imports/{kind}/export/" in body
        assert f'href="/imports/{kind}/"' in body
    assert "导入导出" in body


def test_it_shows_the_nav_entry_only_to_those_allowed(login, manager, teacher):
    assert 'href="/imports/"' in login(manager).get("/").content.decode()
    assert 'href="/imports/"' not in login(teacher).get("/").content.decode()


def test_it_lets_the_system_admin_in(login, sysadmin):
    assert login(sysadmin).get("/imports/").status_code == 200


def test_it_forbids_people_without_the_permission(login, teacher):
    client = login(teacher)
    assert client.get("/imports/").status_code == 403
    assert client.get("/imports/people/").status_code == 403
    assert client.get("/imports/people/template/").status_code == 403
    assert client.get("/imports/places/export/").status_code == 403


def test_it_forbids_a_teacher_from_another_batch(login, school, manager, teacher):
    batch = ImportBatch.objects.create(
        school=school, kind="people", created_by=manager.user, file="imports/x.xlsx"
    )
    client = login(teacher)
    assert client.get(f"/imports/batches/{batch.pk}/").status_code == 403
    assert client.post(f"/imports/batches/{batch.pk}/commit/").status_code == 403


def test_it_hides_another_schools_batch(login, other_school, make_staff, manager):
    stranger = make_staff(other_school, Position.LOGISTICS_MANAGER)
    batch = ImportBatch.objects.create(
        school=other_school, kind="people", created_by=stranger.user, file="imports/x.xlsx"
    )
    client = login(manager)
    assert client.get(f"/imports/batches/{batch.pk}/").status_code == 404
    assert client.post(f"/imports/batches/{batch.pk}/commit/").status_code == 404
    assert "x.xlsx" not in client.get("/imports/").content.decode()


def test_it_404s_an_unknown_kind(login, manager):
    client = login(manager)
    assert client.get("/imports/rooms/").status_code == 404
    assert client.get("/imports/rooms/export/").status_code == 404


def test_it_redirects_anonymous_to_login(client, db):
    response = client.get("/imports/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
