import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from houqin.accounts.models import Appointment, Staff, User
from houqin.accounts.roles import Position
from houqin.accounts.tests.factories import PASSWORD
from houqin.org.tests.factories import DepartmentFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def colleague(school, make_staff):
    return make_staff(school, Position.TEACHER, name="李明", phone="13800000001")


def staff_post(**overrides):
    data = {
        "name": "王小红",
        "staff_no": "T9001",
        "phone": "13900000009",
        "gender": "F",
        "department": "",
        "job_title": "",
        "email": "",
        "username": "",
        "password": "Xiaohong@2026",
        "position": "",
    }
    data.update(overrides)
    return data


# The list


def results(client, **params):
    """The list's results only (as htmx asks), without the page shell naming the user."""
    return client.get("/accounts/staff/", params, headers={"HX-Request": "true"}).content.decode()


def test_it_lists_the_school_staff_only(login, manager, other_school, make_staff):
    make_staff(other_school, name="外校人")
    body = login(manager).get("/accounts/staff/").content.decode()
    assert "周静" in body
    assert "外校人" not in body


def test_it_searches_by_initials_number_and_phone(login, manager, colleague):
    client = login(manager)
    assert "李明" in results(client, q="lm")
    assert "李明" not in results(client, q="zj")
    assert "李明" in results(client, q=colleague.staff_no)
    assert "李明" in results(client, q="138000")


def test_it_filters_by_department_position_and_status(
    login, manager, colleague, school, make_staff
):
    department = DepartmentFactory(school=school, name="总务处")
    colleague.department = department
    colleague.save()
    archived = make_staff(school, Position.TEACHER, name="离校人")
    archived.archive(by=manager.user, reason="调离")
    client = login(manager)

    body = results(client, department=department.pk)
    assert "李明" in body and "周静" not in body
    body = results(client, position=Position.LOGISTICS_MANAGER)
    assert "周静" in body and "李明" not in body
    assert "离校人" not in results(client)
    body = results(client, status="archived")
    assert "离校人" in body and "周静" not in body


def test_it_returns_only_the_results_to_htmx(login, manager):
    response = login(manager).get("/accounts/staff/", {"q": "周"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "周静" in body
    assert "<html" not in body


def test_it_lists_many_people_in_a_bounded_number_of_queries(
    login, manager, school, make_staff, django_assert_max_num_queries
):
    department = DepartmentFactory(school=school)
    for _ in range(60):
        make_staff(school, Position.TEACHER, Position.CLASS_TEACHER, department=department)
    client = login(manager)
    with django_assert_max_num_queries(15):
        response = client.get("/accounts/staff/")
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="staff-row"') == 50


def test_it_refuses_the_list_without_permission(login, school, make_staff):
    cook = make_staff(school, Position.CANTEEN_STAFF, name="厨师")
    assert login(cook).get("/accounts/staff/").status_code == 403


# One person


def test_it_shows_a_person_with_positions_login_and_history(login, manager, colleague):
    response = login(manager).get(f"/accounts/staff/{colleague.pk}/")
    body = response.content.decode()
    assert "李明" in body
    assert "教师" in body
    assert colleague.user.username in body
    assert 'data-testid="history"' in body


@pytest.mark.parametrize(
    "url, method",
    [
        ("/accounts/staff/{pk}/", "get"),
        ("/accounts/staff/{pk}/edit/", "get"),
        ("/accounts/staff/{pk}/archive/", "get"),
        ("/accounts/staff/{pk}/restore/", "post"),
        ("/accounts/staff/{pk}/password/", "get"),
        ("/accounts/staff/{pk}/positions/new/", "get"),
        ("/accounts/staff/{pk}/positions/{appointment}/end/", "post"),
    ],
)
def test_it_hides_another_schools_people(login, sysadmin, other_school, make_staff, url, method):
    stranger = make_staff(other_school, Position.TEACHER, name="外校人")
    appointment = stranger.appointments.get()
    url = url.format(pk=stranger.pk, appointment=appointment.pk)
    response = getattr(login(sysadmin), method)(url)
    assert response.status_code == 404
    stranger.refresh_from_db()
    assert stranger.is_active
    assert stranger.appointments.current().count() == 1


@pytest.mark.parametrize(
    "url, method",
    [
        ("/accounts/staff/new/", "get"),
        ("/accounts/staff/{pk}/edit/", "get"),
        ("/accounts/staff/{pk}/archive/", "post"),
        ("/accounts/staff/{pk}/restore/", "post"),
        ("/accounts/staff/{pk}/password/", "post"),
        ("/accounts/staff/{pk}/positions/new/", "post"),
        ("/accounts/staff/{pk}/positions/{appointment}/end/", "post"),
    ],
)
def test_it_refuses_changes_without_permission(login, manager, colleague, url, method):
    appointment = colleague.appointments.get()
    url = url.format(pk=colleague.pk, appointment=appointment.pk)
    assert getattr(login(manager), method)(url).status_code == 403


def test_it_refuses_the_detail_without_permission(login, colleague, school, make_staff):
    cook = make_staff(school, Position.CANTEEN_STAFF, name="厨师")
    assert login(cook).get(f"/accounts/staff/{colleague.pk}/").status_code == 403


# Create and edit


def test_it_creates_a_person_with_a_pinyin_login(login, sysadmin, school):
    response = login(sysadmin).post("/accounts/staff/new/", staff_post(position=Position.TEACHER))
    staff = Staff.objects.get(staff_no="T9001")
    assert response.status_code == 302
    assert staff.school == school
    assert staff.user.username == "wangxiaohong"
    assert staff.user.check_password("Xiaohong@2026")
    assert staff.positions == [Position.TEACHER]


def test_it_adds_a_digit_when_the_pinyin_login_is_taken(login, sysadmin, make_staff, school):
    make_staff(school, name="王小红", user__username="wangxiaohong")
    login(sysadmin).post("/accounts/staff/new/", staff_post())
    assert Staff.objects.get(staff_no="T9001").user.username == "wangxiaohong2"


def test_it_uses_the_username_typed(login, sysadmin):
    login(sysadmin).post("/accounts/staff/new/", staff_post(username="xhwang"))
    assert Staff.objects.get(staff_no="T9001").user.username == "xhwang"


def test_it_refuses_a_duplicate_staff_number_in_chinese(login, sysadmin, colleague):
    response = login(sysadmin).post("/accounts/staff/new/", staff_post(staff_no=colleague.staff_no))
    assert response.status_code == 200
    assert "本校已有工号" in response.content.decode()
    assert not User.objects.filter(username="wangxiaohong").exists()


def test_it_allows_a_staff_number_used_by_another_school(login, sysadmin, other_school, make_staff):
    make_staff(other_school, staff_no="T9001")
    response = login(sysadmin).post("/accounts/staff/new/", staff_post())
    assert response.status_code == 302


def test_it_refuses_a_duplicate_phone_in_chinese(login, sysadmin, colleague):
    response = login(sysadmin).post("/accounts/staff/new/", staff_post(phone=colleague.phone))
    assert "已被其他人使用" in response.content.decode()
    assert not Staff.objects.filter(staff_no="T9001").exists()


def test_it_refuses_a_weak_initial_password_in_chinese(login, sysadmin):
    response = login(sysadmin).post("/accounts/staff/new/", staff_post(password="abcdefg1"))
    assert "至少 3 类" in response.content.decode()
    assert not Staff.objects.filter(staff_no="T9001").exists()
    assert not User.objects.filter(username="wangxiaohong").exists()


def test_it_refuses_a_department_of_another_school(login, sysadmin, other_school):
    foreign = DepartmentFactory(school=other_school)
    response = login(sysadmin).post("/accounts/staff/new/", staff_post(department=foreign.pk))
    assert response.status_code == 200
    assert not Staff.objects.filter(staff_no="T9001").exists()


def test_it_edits_a_person(login, sysadmin, colleague, school):
    department = DepartmentFactory(school=school, name="教务处")
    response = login(sysadmin).post(
        f"/accounts/staff/{colleague.pk}/edit/",
        {
            "name": "李明明",
            "staff_no": colleague.staff_no,
            "phone": colleague.phone,
            "gender": "M",
            "department": department.pk,
            "job_title": "语文",
            "email": "li@example.com",
        },
    )
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert colleague.name == "李明明"
    assert colleague.name_initials == "lmm"
    assert colleague.department == department
    assert colleague.user.email == "li@example.com"


def test_it_keeps_phone_unique_when_editing(login, sysadmin, colleague, manager):
    manager.phone = "13700000000"
    manager.save()
    response = login(sysadmin).post(
        f"/accounts/staff/{colleague.pk}/edit/",
        {"name": "李明", "staff_no": colleague.staff_no, "phone": "13700000000"},
    )
    assert "已被其他人使用" in response.content.decode()


# Positions


def test_it_adds_a_position_with_a_scope(login, sysadmin, colleague, school):
    department = DepartmentFactory(school=school)
    response = login(sysadmin).post(
        f"/accounts/staff/{colleague.pk}/positions/new/",
        {"position": Position.DEPARTMENT_HEAD, "department": department.pk, "charge": "总务"},
    )
    assert response.status_code == 302
    appointment = colleague.appointments.get(position=Position.DEPARTMENT_HEAD)
    assert appointment.department == department
    assert appointment.charge == "总务"


def test_it_refuses_a_position_held_already(login, sysadmin, colleague):
    response = login(sysadmin).post(
        f"/accounts/staff/{colleague.pk}/positions/new/", {"position": Position.TEACHER}
    )
    assert "已担任该职务" in response.content.decode()
    assert colleague.appointments.count() == 1


def test_it_keeps_the_three_administrators_apart(login, sysadmin, school, make_staff):
    auditor = make_staff(school, Position.AUDIT_ADMIN, name="审计员")
    response = login(sysadmin).post(
        f"/accounts/staff/{auditor.pk}/positions/new/", {"position": Position.SYSTEM_ADMIN}
    )
    assert "三员分立" in response.content.decode()
    assert auditor.positions == [Position.AUDIT_ADMIN]


def test_it_refuses_to_change_ones_own_positions(login, sysadmin):
    login(sysadmin).post(
        f"/accounts/staff/{sysadmin.pk}/positions/new/", {"position": Position.AUDIT_ADMIN}
    )
    assert sysadmin.positions == [Position.SYSTEM_ADMIN]


def test_an_ended_position_grants_nothing(login, sysadmin, school, make_staff):
    head = make_staff(school, Position.VICE_PRINCIPAL, name="副校长")
    appointment = head.appointments.get()
    client = login(sysadmin)
    response = client.post(f"/accounts/staff/{head.pk}/positions/{appointment.pk}/end/")
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.ended_on is not None

    user = User.objects.get(pk=head.user_id)
    assert not user.has_perm("accounts.view_staff")
    client.force_login(head.user)
    assert client.get("/accounts/staff/").status_code == 403

    # The ended position stays on record and the same position can be given again.
    client.force_login(sysadmin.user)
    body = client.get(f"/accounts/staff/{head.pk}/").content.decode()
    assert "曾任职务" in body
    client.post(f"/accounts/staff/{head.pk}/positions/new/", {"position": Position.VICE_PRINCIPAL})
    assert Appointment.objects.filter(staff=head).count() == 2
    assert User.objects.get(pk=head.user_id).has_perm("accounts.view_staff")


def test_an_ended_campus_position_no_longer_limits_the_scope(school, make_staff):
    from houqin.accounts.access import campus_scope

    campus = school.campus_set.get()
    person = make_staff(school, Position.TEACHER)
    Appointment.objects.filter(staff=person).update(campus=campus)
    Appointment.objects.create(staff=person, position=Position.ASSET_CLERK)
    assert campus_scope(User.objects.get(pk=person.user_id)) is None
    person.appointments.get(position=Position.ASSET_CLERK).end()
    assert campus_scope(User.objects.get(pk=person.user_id)) == {campus.pk}


# Archive, restore, reset password


def test_it_archives_a_person_and_their_login(login, sysadmin, colleague):
    response = login(sysadmin).post(f"/accounts/staff/{colleague.pk}/archive/", {"reason": "调离"})
    assert response.status_code == 302
    colleague.refresh_from_db()
    colleague.user.refresh_from_db()
    assert not colleague.is_active
    assert colleague.archive_reason == "调离"
    assert colleague.archived_by == sysadmin.user
    assert not colleague.user.is_active
    assert Staff.objects.filter(pk=colleague.pk).exists()


def test_it_needs_a_reason_to_archive(login, sysadmin, colleague):
    response = login(sysadmin).post(f"/accounts/staff/{colleague.pk}/archive/", {"reason": ""})
    assert response.status_code == 200
    colleague.refresh_from_db()
    assert colleague.is_active


def test_it_refuses_to_archive_oneself(login, sysadmin):
    login(sysadmin).post(f"/accounts/staff/{sysadmin.pk}/archive/", {"reason": "test"})
    sysadmin.refresh_from_db()
    assert sysadmin.is_active


def test_an_archived_person_cannot_sign_in(client, sysadmin, colleague):
    client.force_login(sysadmin.user)
    client.post(f"/accounts/staff/{colleague.pk}/archive/", {"reason": "离职"})
    client.logout()
    response = client.post(
        "/accounts/login/", {"username": colleague.user.username, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_it_restores_a_person(login, sysadmin, colleague):
    colleague.archive(by=sysadmin.user, reason="调离")
    colleague.user.is_active = False
    colleague.user.save()
    response = login(sysadmin).post(f"/accounts/staff/{colleague.pk}/restore/")
    assert response.status_code == 302
    colleague.refresh_from_db()
    colleague.user.refresh_from_db()
    assert colleague.is_active and colleague.user.is_active
    assert colleague.archive_reason == ""


def test_it_resets_a_password_and_unlocks(login, sysadmin, colleague):
    AccessAttempt.objects.create(
        username=colleague.user.username,
        ip_address="127.0.0.1",
        user_agent="",
        failures_since_start=5,
        get_data="",
        post_data="",
        http_accept="",
        path_info="/accounts/login/",
    )
    response = login(sysadmin).post(
        f"/accounts/staff/{colleague.pk}/password/",
        {"new_password1": "Neu@Passwort1", "new_password2": "Neu@Passwort1"},
    )
    assert response.status_code == 302
    colleague.user.refresh_from_db()
    assert colleague.user.check_password("Neu@Passwort1")
    assert not AccessAttempt.objects.filter(username=colleague.user.username).exists()


def test_it_refuses_a_weak_reset_password(login, sysadmin, colleague):
    response = login(sysadmin).post(
        f"/accounts/staff/{colleague.pk}/password/",
        {"new_password1": "abcdefgh", "new_password2": "abcdefgh"},
    )
    assert response.status_code == 200
    assert "至少 3 类" in response.content.decode()
    colleague.user.refresh_from_db()
    assert colleague.user.check_password(PASSWORD)


def test_the_nav_shows_staff_to_whom_may_see_it(login, manager, teacher):
    url = reverse("accounts:staff_list")
    assert url in login(manager).get("/").content.decode()
    assert url not in login(teacher).get("/").content.decode()
