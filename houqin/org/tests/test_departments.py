import pytest

from houqin.accounts.roles import Position
from houqin.org.models import Department
from houqin.org.tests.factories import DepartmentFactory, PlaceFactory


@pytest.fixture
def department(school):
    return DepartmentFactory(school=school, name="总务处", code="ZW")


def test_it_lists_departments_for_staff(login, teacher, department):
    body = login(teacher).get("/org/departments/").content.decode()
    assert "总务处" in body
    assert "新建部门" not in body


def test_it_shows_the_create_button_to_those_who_may_manage(login, sysadmin, department):
    assert "新建部门" in login(sysadmin).get("/org/departments/").content.decode()


def test_it_shows_an_empty_state(login, teacher):
    assert "还没有部门" in login(teacher).get("/org/departments/").content.decode()


def test_it_forbids_the_list_without_view_org(login, school, make_staff):
    nobody = make_staff(school, name="无职务")
    assert login(nobody).get("/org/departments/").status_code == 403


def test_it_never_lists_another_schools_departments(login, teacher, other_school):
    DepartmentFactory(school=other_school, name="别校教务处")
    assert "别校教务处" not in login(teacher).get("/org/departments/").content.decode()


def test_it_searches_by_pinyin_initials(login, teacher, school, department):
    DepartmentFactory(school=school, name="教务处", code="JW")
    body = login(teacher).get("/org/departments/", {"q": "zw"}).content.decode()
    assert "总务处" in body
    assert "教务处" not in body


def test_it_renders_only_the_results_for_htmx(login, teacher, department):
    response = login(teacher).get("/org/departments/", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "总务处" in body
    assert "hq-page-header" not in body


def test_it_lists_many_departments_in_few_queries(
    login, teacher, school, make_staff, django_assert_max_num_queries
):
    place = PlaceFactory(school=school, campus=school.campus_set.get())
    for n in range(30):
        head = make_staff(school, name=f"负责人{n}")
        department = DepartmentFactory(school=school, head=head, office=place)
        head.department = department
        head.save()
    client = login(teacher)
    with django_assert_max_num_queries(12):
        response = client.get("/org/departments/")
    assert response.status_code == 200


def test_it_creates_a_department_in_the_users_school(
    login, sysadmin, school, other_school, make_staff
):
    head = make_staff(school, name="王主任")
    response = login(sysadmin).post(
        "/org/departments/new/",
        {"name": "总务处", "code": "ZW", "head": head.pk, "school": other_school.pk},
    )
    department = Department.objects.get(code="ZW")
    assert response.status_code == 302
    assert department.school == school
    assert department.head == head


def test_it_refuses_a_duplicate_code(login, sysadmin, department):
    response = login(sysadmin).post("/org/departments/new/", {"name": "另一个", "code": "ZW"})
    assert response.status_code == 200
    assert "本校已有编码为 ZW 的部门" in response.content.decode()
    assert Department.objects.count() == 1


def test_it_refuses_a_head_from_another_school(login, sysadmin, other_school, make_staff):
    stranger = make_staff(other_school, name="外校人")
    response = login(sysadmin).post(
        "/org/departments/new/", {"name": "总务处", "code": "ZW", "head": stranger.pk}
    )
    assert response.status_code == 200
    assert not Department.objects.exists()


def test_it_edits_a_department(login, sysadmin, department):
    response = login(sysadmin).post(
        f"/org/departments/{department.pk}/edit/", {"name": "总务后勤处", "code": "ZW"}
    )
    assert response.status_code == 302
    department.refresh_from_db()
    assert department.name == "总务后勤处"


def test_it_shows_members_and_history(login, sysadmin, school, department, make_staff):
    make_staff(school, name="李会计", department=department)
    client = login(sysadmin)
    client.post(f"/org/departments/{department.pk}/edit/", {"name": "总务后勤处", "code": "ZW"})
    body = client.get(f"/org/departments/{department.pk}/").content.decode()
    assert "李会计" in body
    assert "总务后勤处" in body
    assert "变更记录" in body


def test_it_archives_and_restores(login, sysadmin, department):
    client = login(sysadmin)
    client.post(f"/org/departments/{department.pk}/archive/", {"reason": "撤并"})
    department.refresh_from_db()
    assert not department.is_active
    assert department.archive_reason == "撤并"
    client.post(f"/org/departments/{department.pk}/restore/")
    department.refresh_from_db()
    assert department.is_active


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("get", "new/"), ("get", "{pk}/edit/"), ("post", "{pk}/archive/"), ("post", "{pk}/restore/")],
)
def test_it_forbids_managing_without_the_permission(
    login, school, make_staff, department, method, suffix
):
    principal = make_staff(school, Position.PRINCIPAL, name="校长")
    url = "/org/departments/" + suffix.format(pk=department.pk)
    assert getattr(login(principal), method)(url).status_code == 403


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("get", ""), ("get", "edit/"), ("post", "archive/"), ("post", "restore/")],
)
def test_it_hides_another_schools_department(login, sysadmin, other_school, method, suffix):
    department = DepartmentFactory(school=other_school)
    url = f"/org/departments/{department.pk}/{suffix}"
    assert getattr(login(sysadmin), method)(url).status_code == 404
