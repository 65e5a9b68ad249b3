"""The security administrator's screen: sign-ins, failures, locked accounts, unlocking."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog

from houqin.accounts.roles import Position
from houqin.accounts.tests.factories import PASSWORD

URL = "/accounts/security/logins/"
UNLOCK_URL = "/accounts/security/logins/unlock/"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def guard(school, make_staff):
    return make_staff(school, Position.SECURITY_ADMIN, name="安全员")


@pytest.fixture
def stranger(other_school, make_staff):
    return make_staff(other_school, Position.TEACHER, name="外校人", user__username="waixiao")


def access_log(model, username, **fields):
    return model.objects.create(
        username=username,
        ip_address="10.0.0.8",
        user_agent="Mozilla/5.0 TestPhone",
        http_accept="*/*",
        path_info="/accounts/login/",
        **fields,
    )


def lock(username, failures=5):
    return access_log(
        AccessAttempt, username, failures_since_start=failures, get_data="", post_data=""
    )


def results(client, **params):
    return client.get(URL, params, headers={"HX-Request": "true"}).content.decode()


def test_it_shows_sign_ins_of_the_school_only(login, guard, teacher, stranger):
    access_log(AccessLog, teacher.user.username)
    access_log(AccessLog, stranger.user.username)
    body = results(login(guard))
    assert "张老师" in body
    assert "10.0.0.8" in body
    assert "TestPhone" in body
    assert "外校人" not in body and "waixiao" not in body


def test_it_shows_failures_of_the_school_only(login, guard, teacher, stranger):
    access_log(AccessFailureLog, teacher.user.username)
    access_log(AccessFailureLog, stranger.user.username)
    access_log(AccessFailureLog, "guessed-name")
    body = results(login(guard), kind="failed")
    assert "张老师" in body
    assert "waixiao" not in body
    assert "guessed-name" not in body


def test_a_superuser_also_sees_failures_for_unknown_names(login, guard, stranger):
    guard.user.is_superuser = True
    guard.user.save()
    access_log(AccessFailureLog, "guessed-name")
    access_log(AccessFailureLog, stranger.user.username)
    body = results(login(guard), kind="failed")
    assert "guessed-name" in body
    assert "waixiao" not in body


def test_it_records_real_sign_ins_for_the_screen(client, login, guard, teacher):
    client.post("/accounts/login/", {"username": teacher.user.username, "password": "nope"})
    client.post("/accounts/login/", {"username": teacher.user.username, "password": PASSWORD})
    client.logout()
    client = login(guard)
    assert "张老师" in results(client)
    assert "张老师" in results(client, kind="failed")


def test_it_searches_by_name(login, guard, teacher, manager):
    access_log(AccessLog, teacher.user.username)
    access_log(AccessLog, manager.user.username)
    body = results(login(guard), q="张")
    assert "张老师" in body and "周静" not in body


def test_it_lists_locked_accounts_and_unlocks_them(login, guard, teacher):
    lock(teacher.user.username)
    client = login(guard)
    page = client.get(URL).content.decode()
    assert "解除锁定" in page
    assert teacher.user.username in page

    response = client.post(UNLOCK_URL, {"username": teacher.user.username})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=teacher.user.username).exists()


def test_unlocking_lets_the_person_sign_in_again(client, login, guard, teacher):
    for _ in range(5):
        client.post("/accounts/login/", {"username": teacher.user.username, "password": "x"})
    response = client.post(
        "/accounts/login/", {"username": teacher.user.username, "password": PASSWORD}
    )
    assert response.status_code == 429
    login(guard).post(UNLOCK_URL, {"username": teacher.user.username})
    client.logout()
    response = client.post(
        "/accounts/login/", {"username": teacher.user.username, "password": PASSWORD}
    )
    assert response.status_code == 302


def test_it_does_not_list_accounts_below_the_limit(login, guard, teacher):
    lock(teacher.user.username, failures=4)
    assert 'name="username"' not in login(guard).get(URL).content.decode()


def test_it_does_not_list_or_unlock_another_schools_accounts(login, guard, stranger):
    lock(stranger.user.username)
    client = login(guard)
    assert "waixiao" not in client.get(URL).content.decode()
    assert client.post(UNLOCK_URL, {"username": "waixiao"}).status_code == 404
    assert AccessAttempt.objects.filter(username="waixiao").exists()


def test_it_paginates(login, guard, teacher):
    for _ in range(55):
        access_log(AccessLog, teacher.user.username)
    client = login(guard)
    assert results(client, q="张").count('data-testid="login-row"') == 50
    assert results(client, q="张", page=2).count('data-testid="login-row"') == 5


def test_it_lists_in_a_bounded_number_of_queries(
    login, guard, school, make_staff, django_assert_max_num_queries
):
    for _ in range(30):
        person = make_staff(school, Position.TEACHER)
        access_log(AccessLog, person.user.username)
        lock(person.user.username)
    client = login(guard)
    with django_assert_max_num_queries(16):
        assert client.get(URL).status_code == 200


@pytest.mark.parametrize("position", [Position.SYSTEM_ADMIN, Position.AUDIT_ADMIN])
def test_it_refuses_the_other_administrators(login, school, make_staff, teacher, position):
    admin = make_staff(school, position)
    client = login(admin)
    assert client.get(URL).status_code == 403
    lock(teacher.user.username)
    assert client.post(UNLOCK_URL, {"username": teacher.user.username}).status_code == 403
    assert AccessAttempt.objects.filter(username=teacher.user.username).exists()


def test_the_nav_shows_the_screen_to_the_security_administrator(login, guard, sysadmin):
    assert URL in login(guard).get("/").content.decode()
    assert URL not in login(sysadmin).get("/").content.decode()
