import pytest

from houqin.accounts.models import Appointment, Staff, User
from houqin.accounts.roles import Position
from houqin.imports.models import ImportBatch
from houqin.imports.tests.workbooks import upload
from houqin.org.tests.factories import DepartmentFactory

# 工号 姓名 性别 手机号 部门 岗位说明 电子邮箱 职务 初始密码


@pytest.fixture
def department(school):
    return DepartmentFactory(school=school, name="总务处", code="ZW")


def commit(client):
    batch = ImportBatch.objects.latest("created_at")
    return client.post(f"/imports/batches/{batch.pk}/commit/", follow=True)


def test_it_creates_people_with_logins_and_positions(login, manager, department):
    client = login(manager)
    rows = [
        ["T9001", "王小明", "男", "13800000001", "总务处", "水电维修", "", "维修工", "Wxm@2026!x"],
        ["T9002", "王小明", "女", "", "ZW", "", "w@example.com", "教师、班主任", ""],
        ["T9003", "李华", "", "", "", "", "", "", ""],
    ]
    response = upload(client, "people", rows)
    plan = response.context["plan"]
    assert plan.ok, [str(e) for e in plan.errors]
    assert len(plan.creates) == 3
    assert "******" in response.content.decode()
    assert "Wxm@2026!x" not in response.content.decode()

    response = commit(client)
    assert "导入完成：新增 3 条，更新 0 条。" in response.content.decode()
    first = Staff.objects.get(staff_no="T9001")
    assert first.user.username == "wangxiaoming"
    assert first.user.check_password("Wxm@2026!x")
    assert first.gender == "M" and first.department == department
    assert first.positions == [Position.MAINTENANCE_STAFF]
    second = Staff.objects.get(staff_no="T9002")
    assert second.user.username == "wangxiaoming2"
    assert not second.user.has_usable_password()
    assert set(second.positions) == {Position.TEACHER, Position.CLASS_TEACHER}
    assert Staff.objects.get(staff_no="T9003").user.username == "lihua"


def test_it_updates_by_staff_number_and_only_adds_positions(login, manager, school, make_staff):
    person = make_staff(school, Position.CLEANING_STAFF, name="赵六", staff_no="T7000")
    client = login(manager)
    username = person.user.username
    response = upload(
        client, "people", [["T7000", "赵六", "女", "13800000009", "", "", "", "教师", ""]]
    )
    plan = response.context["plan"]
    assert plan.ok and len(plan.updates) == 1
    assert set(plan.updates[0].changed) == {"性别", "手机号", "职务"}
    commit(client)
    person.refresh_from_db()
    assert (person.gender, person.phone) == ("F", "13800000009")
    assert set(person.positions) == {Position.CLEANING_STAFF, Position.TEACHER}
    assert person.user.username == username
    assert Staff.objects.filter(staff_no="T7000").count() == 1


def test_it_reports_every_error_and_writes_nothing(
    login, manager, school, other_school, make_staff, department
):
    make_staff(school, Position.TEACHER, name="钱七", staff_no="T5000", phone="13800000005")
    make_staff(other_school, Position.TEACHER, name="外人", staff_no="Z1", phone="13800000006")
    client = login(manager)
    rows = [
        ["", "无工号", "", "", "", "", "", "", ""],  # row 2
        ["T1", "", "", "", "", "", "", "", ""],  # 3
        ["T2", "甲", "未知", "", "", "", "", "", ""],  # 4
        ["T3", "乙", "", "12345", "", "", "", "", ""],  # 5
        ["T4", "丙", "", "13800000005", "", "", "", "", ""],  # 6
        ["T5", "丁", "", "13800000006", "", "", "", "", ""],  # 7
        ["T6", "戊", "", "", "教务处", "", "", "", ""],  # 8
        ["T7", "己", "", "", "", "", "bad-mail", "", ""],  # 9
        ["T8", "庚", "", "", "", "", "", "厨神", ""],  # 10
        ["T9", "辛", "", "", "", "", "", "系统管理员", ""],  # 11
        ["T10", "壬", "", "", "", "", "", "", "123"],  # 12
        ["T10", "癸", "", "", "", "", "", "", ""],  # 13
    ]
    response = upload(client, "people", rows)
    body = response.content.decode()
    plan = response.context["plan"]
    messages = {(e.row, e.column): e.message for e in plan.errors}
    assert messages[(2, "工号")] == "必须填写"
    assert messages[(3, "姓名")] == "必须填写"
    assert messages[(4, "性别")] == "只能填「男」或「女」"
    assert messages[(5, "手机号")] == "手机号格式不正确"
    assert messages[(6, "手机号")] == "手机号已被其他教职工使用"
    assert messages[(7, "手机号")] == "手机号已被其他教职工使用"
    assert messages[(8, "部门")] == "找不到部门「教务处」"
    assert messages[(9, "电子邮箱")] == "电子邮箱格式不正确"
    assert messages[(10, "职务")] == "未知职务「厨神」"
    assert messages[(11, "职务")] == "无权授予职务「系统管理员」"
    assert (12, "初始密码") in messages
    assert messages[(13, "工号")] == "与第 12 行重复"
    assert str(plan.errors[3]) == "第 5 行「手机号」：手机号格式不正确"
    assert "手机号格式不正确" in body and "第 5 行" in body
    assert 'data-testid="commit-form"' not in body
    staff_before = Staff.objects.count()
    response = commit(client)
    assert "发现错误，没有写入任何数据。" in response.content.decode()
    assert Staff.objects.count() == staff_before
    assert not ImportBatch.objects.get().is_committed


def test_it_rejects_a_phone_used_twice_in_the_file(login, manager):
    rows = [
        ["T1", "甲", "", "13800000001", "", "", "", "", ""],
        ["T2", "乙", "", "13800000001", "", "", "", "", ""],
    ]
    plan = upload(login(manager), "people", rows).context["plan"]
    assert [str(e) for e in plan.errors] == ["第 3 行「手机号」：与第 2 行重复"]


def test_it_leaves_out_columns_the_file_does_not_have(login, manager, school, make_staff):
    person = make_staff(school, name="孙八", staff_no="T8000", phone="13800000008")
    client = login(manager)
    response = upload(client, "people", [["T8000", "孙八"]], headers=["工号", "姓名"])
    assert response.context["plan"].unchanged == 1
    person.refresh_from_db()
    assert person.phone == "13800000008"


def test_a_new_login_avoids_taken_usernames(login, manager, school):
    User.objects.create(username="zhangsan")
    User.objects.create(username="zhangsan2")
    client = login(manager)
    upload(client, "people", [["T1", "张三", "", "", "", "", "", "", ""]])
    commit(client)
    assert Staff.objects.get(staff_no="T1").user.username == "zhangsan3"
    assert Appointment.objects.filter(staff__staff_no="T1").count() == 0


def test_it_records_each_change_in_the_audit_trail(login, manager):
    from auditlog.models import LogEntry

    client = login(manager)
    upload(client, "people", [["T1", "张三", "", "", "", "", "", "教师", ""]])
    commit(client)
    person = Staff.objects.get(staff_no="T1")
    entry = LogEntry.objects.get_for_object(person).get()
    assert entry.actor == manager.user


def test_the_stored_file_forgets_initial_passwords_after_commit(login, manager):
    from houqin.imports.tests.workbooks import read_sheets

    client = login(manager)
    upload(client, "people", [["T1", "张三", "", "", "", "", "", "", "Zs@2026!abc"]])
    commit(client)
    batch = ImportBatch.objects.get()
    with batch.file.open("rb") as stored:
        (rows,) = read_sheets(stored.read()).values()
    assert rows[1][:2] == ["T1", "张三"]
    assert "Zs@2026!abc" not in str(rows)
    assert Staff.objects.get(staff_no="T1").user.check_password("Zs@2026!abc")
