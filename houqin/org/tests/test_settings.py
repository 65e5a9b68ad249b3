from decimal import Decimal

import pytest

from houqin.org.forms_school import setting_field_name
from houqin.org.models import SchoolSetting
from houqin.org.school_settings import DEFINITIONS, all_settings


def _post_data(school, **changes):
    """Every setting's current value, with ``changes`` (by key) applied."""
    data = {}
    for row in all_settings(school):
        definition = row["definition"]
        value = changes.get(definition.key, row["value"])
        if definition.kind == "bool":
            if value:
                data[setting_field_name(definition)] = "on"
        else:
            data[setting_field_name(definition)] = str(value)
    return data


def test_it_shows_every_setting_by_group_with_its_default(login, sysadmin):
    body = login(sysadmin).get("/org/settings/").content.decode()
    for label in ("登录与安全", "固定资产", "请假与外出", "校园安全", "食堂食品安全"):
        assert label in body
    for definition in DEFINITIONS:
        assert str(definition.label) in body
    assert "国家默认" in body
    assert 'data-testid="changed"' not in body


def test_it_marks_changed_settings(login, sysadmin, school):
    SchoolSetting.objects.create(school=school, key="canteen.sample_grams", value=200)
    body = login(sysadmin).get("/org/settings/").content.decode()
    start = body.index('data-setting="canteen.sample_grams"')
    assert 'data-testid="changed"' in body[start : start + 600]
    assert body.count('data-testid="changed"') == 1


def test_it_saves_only_the_changed_values(login, sysadmin, school):
    response = login(sysadmin).post(
        "/org/settings/edit/",
        _post_data(
            school,
            **{"canteen.sample_grams": 200, "assets.capitalisation_threshold": Decimal("1500")},
        ),
    )
    assert response.status_code == 302
    stored = dict(SchoolSetting.objects.values_list("key", "value"))
    assert stored == {"canteen.sample_grams": 200, "assets.capitalisation_threshold": "1500"}
    assert school.setting("assets.capitalisation_threshold") == Decimal("1500")


def test_it_stores_a_value_set_back_to_the_default(login, sysadmin, school):
    SchoolSetting.objects.create(school=school, key="canteen.sample_grams", value=200)
    login(sysadmin).post("/org/settings/edit/", _post_data(school, **{"canteen.sample_grams": 125}))
    assert SchoolSetting.objects.get().value == 125


def test_it_refuses_a_value_out_of_range_and_saves_nothing(login, sysadmin, school):
    response = login(sysadmin).post(
        "/org/settings/edit/",
        _post_data(school, **{"canteen.sample_grams": 200, "canteen.sample_hours": 12}),
    )
    assert response.status_code == 200
    assert "确保该值大于或等于48" in response.content.decode()
    assert "有设置项填写不正确" in response.content.decode()
    assert not SchoolSetting.objects.exists()


def test_it_shows_the_history_of_this_schools_changes(login, sysadmin, school, other_school):
    client = login(sysadmin)
    client.post("/org/settings/edit/", _post_data(school, **{"canteen.sample_grams": 200}))
    SchoolSetting.objects.create(school=other_school, key="leave.marriage_days", value=13)
    body = client.get("/org/settings/").content.decode()
    history = body[body.index('data-testid="history"') :]
    assert "留样重量" in history
    assert "200" in history
    assert "系统管理员" in history
    assert "婚假天数" not in history


@pytest.mark.parametrize("url", ["/org/settings/", "/org/settings/edit/"])
def test_it_forbids_everyone_but_the_system_admin(login, manager, teacher, url):
    assert login(manager).get(url).status_code == 403
    assert login(teacher).get(url).status_code == 403
