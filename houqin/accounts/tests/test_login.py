"""Sign-in through the real login form: identifiers, lockout, records, password policy and
the idle timeout."""

import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from houqin.accounts.middleware import SESSION_KEY
from houqin.accounts.roles import Position
from houqin.accounts.tests.factories import PASSWORD
from houqin.org.models import SchoolSetting

LOGIN_URL = "/accounts/login/"
WRONG_PASSWORD_MESSAGE = "账号或密码不正确"
LOCKED_MESSAGE = "账号已锁定 30 分钟"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def person(school, make_staff):
    return make_staff(
        school,
        Position.TEACHER,
        name="周静",
        staff_no="SZ0042",
        phone="13912345678",
        user__username="zhoujing",
    )


def sign_in(client, username, password=PASSWORD):
    return client.post(LOGIN_URL, {"username": username, "password": password})


def signed_in(client):
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("identifier", ["zhoujing", "ZhouJing", "SZ0042", "13912345678"])
def test_it_signs_in_by_username_staff_number_or_phone(client, person, identifier):
    response = sign_in(client, identifier)
    assert response.status_code == 302
    assert response.url == "/"
    assert client.session["_auth_user_id"] == str(person.user_id)


def test_it_refuses_a_wrong_password_in_chinese(client, person):
    response = sign_in(client, "zhoujing", "wrong-Password1")
    assert response.status_code == 200
    assert WRONG_PASSWORD_MESSAGE in response.content.decode()
    assert not signed_in(client)


def test_it_refuses_an_unknown_account_with_the_same_message(client, person):
    response = sign_in(client, "nobody", PASSWORD)
    assert WRONG_PASSWORD_MESSAGE in response.content.decode()
    assert not signed_in(client)


def test_it_refuses_a_staff_number_shared_by_two_schools(client, person, other_school, make_staff):
    make_staff(other_school, staff_no="SZ0042")
    sign_in(client, "SZ0042")
    assert not signed_in(client)


def test_five_failures_lock_the_account_whatever_identifier_was_typed(client, person):
    for identifier in ["zhoujing", "13912345678", "zhoujing", "SZ0042", "13912345678"]:
        response = sign_in(client, identifier, "wrong-Password1")
    assert LOCKED_MESSAGE in response.content.decode()

    response = sign_in(client, "zhoujing", PASSWORD)
    assert response.status_code == 429
    assert LOCKED_MESSAGE in response.content.decode()
    assert not signed_in(client)
    assert sign_in(client, "13912345678", PASSWORD).status_code == 429


def test_four_failures_do_not_lock(client, person):
    for _ in range(4):
        sign_in(client, "13912345678", "wrong-Password1")
    assert sign_in(client, "zhoujing").status_code == 302


def test_the_lock_lifts_after_thirty_minutes(client, person):
    for _ in range(5):
        sign_in(client, "zhoujing", "wrong-Password1")
    assert sign_in(client, "zhoujing").status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=29))
    assert sign_in(client, "zhoujing").status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    assert sign_in(client, "zhoujing").status_code == 302
    assert signed_in(client)


def test_one_account_locked_leaves_the_others_alone(client, person, teacher):
    for _ in range(5):
        sign_in(client, "zhoujing", "wrong-Password1")
    assert sign_in(client, teacher.user.username).status_code == 302


def test_it_records_every_sign_in_and_failure(client, person):
    sign_in(client, "13912345678", "wrong-Password1")
    sign_in(client, "nobody", "wrong-Password1")
    sign_in(client, "SZ0042")

    failures = AccessFailureLog.objects.order_by("attempt_time")
    assert [f.username for f in failures] == ["zhoujing", "nobody"]
    assert failures[0].ip_address == "127.0.0.1"
    success = AccessLog.objects.get()
    assert success.username == "zhoujing"
    assert success.ip_address == "127.0.0.1"


def test_a_success_clears_earlier_failures(client, person):
    for _ in range(3):
        sign_in(client, "zhoujing", "wrong-Password1")
    sign_in(client, "zhoujing")
    assert not AccessAttempt.objects.filter(username="zhoujing").exists()


@pytest.mark.parametrize("password", ["abcdefgh", "abcdefg1", "Ab1", "password"])
def test_the_password_policy_refuses_weak_passwords(person, password):
    with pytest.raises(ValidationError):
        validate_password(password, person.user)


def test_the_password_policy_accepts_three_character_classes(person):
    validate_password("Houqin@2026", person.user)


def test_the_policy_message_is_chinese(person):
    with pytest.raises(ValidationError) as error:
        validate_password("abcdefg1", person.user)
    assert "至少 3 类" in " ".join(error.value.messages)


def test_changing_ones_password_applies_the_policy(client, person):
    sign_in(client, "zhoujing")
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "abcdefg1", "new_password2": "abcdefg1"},
    )
    assert response.status_code == 200
    assert "至少 3 类" in response.content.decode()
    person.user.refresh_from_db()
    assert person.user.check_password(PASSWORD)


def set_last_seen(client, seconds_ago):
    session = client.session
    session[SESSION_KEY] = int(time.time()) - seconds_ago
    session.save()


def test_an_idle_session_ends_with_a_chinese_message(client, person):
    sign_in(client, "zhoujing")
    set_last_seen(client, 11 * 60)
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(LOGIN_URL)
    assert not signed_in(client)
    page = client.get(response.url).content.decode()
    assert "长时间未操作" in page


def test_an_active_session_stays(client, person):
    sign_in(client, "zhoujing")
    set_last_seen(client, 9 * 60)
    assert client.get("/").status_code == 200
    assert signed_in(client)


def test_the_idle_timeout_follows_the_school_setting(client, person, school):
    SchoolSetting.objects.create(school=school, key="security.idle_timeout_minutes", value=30)
    sign_in(client, "zhoujing")
    set_last_seen(client, 20 * 60)
    assert client.get("/").status_code == 200
    set_last_seen(client, 31 * 60)
    assert client.get("/").status_code == 302
    assert not signed_in(client)


def test_an_idle_htmx_request_is_sent_to_the_login_page(client, person):
    sign_in(client, "zhoujing")
    set_last_seen(client, 11 * 60)
    response = client.get("/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == LOGIN_URL
