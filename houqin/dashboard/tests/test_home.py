from houqin.accounts.roles import Position


def test_it_redirects_anonymous_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_it_shows_my_work_in_chinese(login, manager):
    response = login(manager).get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "我的工作" in body
    assert "周静，您好" in body
    assert "待办事项" in body


def test_it_shows_navigation_by_role(login, school, make_staff):
    admin = make_staff(school, Position.SYSTEM_ADMIN)
    assert admin.user.has_perm("org.manage_settings")
    teacher = make_staff(school, Position.TEACHER)
    assert not teacher.user.has_perm("org.manage_settings")


def test_it_sends_district_officers_to_district_view(client, db):
    from houqin.accounts.tests.factories import StaffFactory
    from houqin.org.tests.factories import DistrictFactory, SchoolFactory

    district = DistrictFactory(name="善真区")
    SchoolFactory(district=district, name="一小")
    officer = StaffFactory(school=None, district=district, positions=[Position.DISTRICT_OFFICER])
    client.force_login(officer.user)
    response = client.get("/", follow=True)
    assert "一小" in response.content.decode()


def test_it_sends_a_platform_superuser_to_the_admin(client, db):
    from houqin.accounts.models import User

    client.force_login(User.objects.create_superuser("root", password="Houqin@2026"))
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == "/sysadmin/"
