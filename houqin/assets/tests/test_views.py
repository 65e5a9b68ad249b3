"""The card screens: the list with its filters, labels and Excel; 我的资产; one card with
its four sections, QR, photos and history; entering and editing cards; status changes;
录入进度; the class picker — with 403/404, Chinese errors that keep what was typed, and
bounded queries."""

from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse
from freezegun import freeze_time

from houqin.accounts.roles import Position
from houqin.assets.models import Asset, AssetEvent, Status
from houqin.assets.tests.factories import AssetFactory, category, place_in, staff_in
from houqin.files.services import attachments_for
from houqin.files.tests.factories import jpeg_upload
from houqin.org.tests.factories import DepartmentFactory, DistrictFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(school):
    return staff_in(school, Position.ASSET_CLERK, name="刘刚")


@pytest.fixture
def principal(school):
    return staff_in(school, Position.PRINCIPAL, name="陈立群")


def _card_data(**overrides):
    data = {
        "name": "教师办公电脑",
        "number": "",
        "category": category("A02010105").pk,
        "unit": "台",
        "quantity": "1",
        "acquisition_method": "purchase",
        "acquired_on": "2024-09-01",
        "booked_on": "2024-09-05",
        "original_value": "5200.00",
        "fiscal_amount": "",
        "non_fiscal_amount": "",
        "funding_source": "财政拨款",
        "life_months": "",
    }
    data.update(overrides)
    return data


# ---------------------------------------------------------------------------------------
# The list


def test_it_lists_the_schools_cards_with_a_search(login, school, principal, other_school):
    AssetFactory(school=school, name="投影仪", number="2026-000001")
    AssetFactory(school=school, name="空调", number="2026-000002")
    AssetFactory(school=other_school, name="投影仪（别校）")
    client = login(principal)
    html = client.get(reverse("assets:list")).content.decode()
    assert html.count('data-testid="asset-row"') == 2
    assert "别校" not in html
    html = client.get(reverse("assets:list"), {"q": "tyy"}).content.decode()
    assert html.count('data-testid="asset-row"') == 1 and "投影仪" in html


def test_the_list_filters_over_htmx(login, school, principal):
    AssetFactory(school=school, status=Status.IDLE, name="闲置电脑")
    AssetFactory(school=school, name="在用电脑")
    response = login(principal).get(
        reverse("assets:list"), {"status": "idle"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "<html" not in html
    assert "闲置电脑" in html and "在用电脑" not in html
    assert 'name="status" value="idle"' in html  # the labels form keeps the filter


def test_the_list_runs_a_bounded_number_of_queries(
    login, school, principal, django_assert_max_num_queries
):
    client = login(principal)
    department = DepartmentFactory(school=school)
    for _ in range(3):
        AssetFactory(school=school, using_department=department, custodian=principal)
    client.get(reverse("assets:list"))
    with django_assert_max_num_queries(25) as few:
        client.get(reverse("assets:list"))
    for _ in range(30):
        AssetFactory(school=school, using_department=department, custodian=principal)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("assets:list"), {"sort": "number"})
    assert response.content.decode().count('data-testid="asset-row"') == 33


def test_a_teacher_may_not_open_the_schools_list(login, teacher):
    assert login(teacher).get(reverse("assets:list")).status_code == 403
    assert login(teacher).get(reverse("assets:export")).status_code == 403
    assert login(teacher).get(reverse("assets:progress")).status_code == 403


def test_a_district_officer_has_no_school_list(login, make_staff, school):
    officer = make_staff(
        None, Position.DISTRICT_OFFICER, name="区教育局", district=DistrictFactory()
    )
    client = login(officer)
    assert client.get(reverse("assets:list")).status_code == 403
    assert client.get(reverse("assets:mine")).status_code == 403


def test_a_campus_manager_sees_only_their_campus(login, school):
    from houqin.accounts.models import Appointment
    from houqin.org.tests.factories import CampusFactory, PlaceFactory

    branch = CampusFactory(school=school, name="分校区", code="BR", is_main=False)
    mine = AssetFactory(school=school, place=PlaceFactory(floor__building__campus=branch))
    AssetFactory(school=school, name="本部的电脑")
    manager = staff_in(school, name="分校区管理员")
    Appointment.objects.filter(staff=manager).delete()
    Appointment.objects.create(staff=manager, position=Position.VICE_PRINCIPAL, campus=branch)
    client = login(manager)
    html = client.get(reverse("assets:list")).content.decode()
    assert html.count('data-testid="asset-row"') == 1
    assert client.get(mine.get_absolute_url()).status_code == 200
    other = Asset.objects.get(name="本部的电脑")
    assert client.get(other.get_absolute_url()).status_code == 404


# ---------------------------------------------------------------------------------------
# Labels and Excel


def test_it_sends_ticked_cards_to_the_label_page(login, school, clerk):
    cards = [AssetFactory(school=school) for _ in range(3)]
    response = login(clerk).get(reverse("assets:labels"), {"ids": [cards[0].pk, cards[2].pk]})
    assert response.status_code == 302
    url = urlparse(response.url)
    assert url.path == reverse("qr:labels")
    assert parse_qs(url.query) == {"kind": ["A"], "ids": [f"{cards[0].pk},{cards[2].pk}"]}


def test_it_sends_the_current_filter_to_the_label_page(login, school, clerk, other_school):
    idle = AssetFactory(school=school, status=Status.IDLE)
    AssetFactory(school=school)
    AssetFactory(school=other_school, status=Status.IDLE)
    response = login(clerk).get(reverse("assets:labels"), {"status": "idle"})
    assert parse_qs(urlparse(response.url).query)["ids"] == [str(idle.pk)]


def test_the_label_page_prints_asset_labels(login, school, clerk):
    card = AssetFactory(school=school, name="投影仪", number="2026-000777")
    client = login(clerk)
    response = client.get(reverse("qr:labels"), {"kind": "A", "ids": str(card.pk)})
    assert "2026-000777" in response.content.decode()
    response = client.post(
        reverse("qr:labels"), {"kind": "A", "ids": str(card.pk), "layout": "small", "copies": 1}
    )
    assert response["Content-Type"] == "application/pdf"


def test_it_says_when_no_card_matches_for_labels(login, clerk):
    response = login(clerk).get(reverse("assets:labels"), {"status": "idle"})
    assert "没有符合条件的资产卡片" in response.content.decode()


def test_printing_labels_needs_the_label_permission(login, principal):
    assert login(principal).get(reverse("assets:labels")).status_code == 403


# ---------------------------------------------------------------------------------------
# 我的资产


def test_my_assets_are_the_cards_in_my_care(login, school, teacher):
    AssetFactory(school=school, custodian=teacher, name="我的笔记本电脑")
    AssetFactory(school=school, name="别人的电脑")
    AssetFactory(school=school, custodian=teacher, name="报废的电脑", status=Status.DISPOSED)
    html = login(teacher).get(reverse("assets:mine")).content.decode()
    assert "我的笔记本电脑" in html
    assert "别人的电脑" not in html and "报废的电脑" not in html


def test_my_assets_run_a_bounded_number_of_queries(
    login, school, teacher, django_assert_max_num_queries
):
    client = login(teacher)
    AssetFactory(school=school, custodian=teacher)
    client.get(reverse("assets:mine"))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("assets:mine"))
    for _ in range(10):
        AssetFactory(school=school, custodian=teacher)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("assets:mine"))
    assert response.content.decode().count('data-testid="mine-row"') == 11


# ---------------------------------------------------------------------------------------
# One card


def test_the_card_shows_its_four_sections_qr_and_history(login, school, clerk):
    card = AssetFactory(
        school=school,
        name="教室一体机",
        original_value=Decimal("12000.00"),
        depreciated_months=12,
        accumulated_depreciation=Decimal("2000.00"),
        net_value=Decimal("10000.00"),
        life_locked=True,
    )
    AssetEvent.objects.create(asset=card, action=AssetEvent.Action.REPAIR, note="触摸失灵，送修")
    html = login(clerk).get(card.get_absolute_url()).content.decode()
    for section in ("基本信息", "财务信息", "使用信息", "处置信息"):
        assert section in html
    assert "12,000.00" in html and "10,000.00" in html
    assert "166.67" in html  # 12,000 / 72 a month
    assert "已锁定" in html
    assert 'data-testid="qr-card"' in html
    assert "触摸失灵，送修" in html
    assert "资产照片" in html


def test_a_teacher_sees_their_own_card_and_not_others(login, school, teacher):
    mine = AssetFactory(school=school, custodian=teacher)
    other = AssetFactory(school=school)
    client = login(teacher)
    response = client.get(mine.get_absolute_url())
    assert response.status_code == 200
    assert 'data-testid="asset-edit"' not in response.content.decode()
    assert client.get(other.get_absolute_url()).status_code == 404


def test_another_schools_card_is_not_found(login, clerk, other_school):
    theirs = AssetFactory(school=other_school)
    client = login(clerk)
    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert client.get(reverse("assets:edit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("assets:status", args=[theirs.pk]), {}).status_code == 404


def test_the_card_runs_a_bounded_number_of_queries(
    login, school, clerk, django_assert_max_num_queries
):
    card = AssetFactory(
        school=school, custodian=clerk, using_department=DepartmentFactory(school=school)
    )
    client = login(clerk)
    AssetEvent.objects.create(asset=card, action=AssetEvent.Action.CREATE, actor=clerk.user)
    client.get(card.get_absolute_url())
    with django_assert_max_num_queries(30) as few:
        client.get(card.get_absolute_url())
    for _ in range(20):
        AssetEvent.objects.create(asset=card, action=AssetEvent.Action.NOTE, actor=clerk.user)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(card.get_absolute_url())
    assert response.content.decode().count('data-testid="asset-event"') == 21


# ---------------------------------------------------------------------------------------
# Entering and editing


@freeze_time("2026-11-20 10:00")
def test_it_enters_a_card_with_a_photo(login, school, clerk):
    room = place_in(school, name="教务处办公室")
    data = _card_data(place=room.pk, photos=[jpeg_upload("电脑.jpg")])
    response = login(clerk).post(reverse("assets:create"), data)
    card = Asset.objects.get()
    assert response.status_code == 302 and response.url == card.get_absolute_url()
    assert card.number == "2026-000001"
    assert (card.fiscal_amount, card.non_fiscal_amount) == (Decimal("5200.00"), Decimal("0"))
    assert card.life_months == 72
    assert card.place == room
    assert [a.original_name for a in attachments_for(card)] == ["电脑.jpg"]


def test_it_refuses_a_short_life_and_keeps_what_was_typed(login, clerk):
    response = login(clerk).post(
        reverse("assets:create"), _card_data(life_months="48", name="教务处打印电脑")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "最低折旧年限是 6 年" in html
    assert "教务处打印电脑" in html
    assert not Asset.objects.exists()


def test_it_refuses_a_class_too_general(login, clerk):
    response = login(clerk).post(reverse("assets:create"), _card_data(category=category("A02").pk))
    assert "请选择具体的资产分类" in response.content.decode()


def test_it_refuses_funding_that_does_not_add_up(login, clerk):
    response = login(clerk).post(
        reverse("assets:create"), _card_data(fiscal_amount="3000", non_fiscal_amount="1000")
    )
    assert "应等于原值" in response.content.decode()
    assert not Asset.objects.exists()


def test_it_edits_a_card_and_records_the_change(login, school, clerk):
    card = AssetFactory(school=school, name="旧电脑", brand="")
    client = login(clerk)
    assert client.get(reverse("assets:edit", args=[card.pk])).status_code == 200
    data = _card_data(
        name="教师电脑",
        number=card.number,
        brand="联想",
        original_value="4800.00",
        fiscal_amount="4800.00",
        acquired_on="2026-03-10",
        booked_on="2026-03-10",
        life_months="72",
        funding_source="",
        place=card.place_id,
    )
    response = client.post(reverse("assets:edit", args=[card.pk]), data)
    assert response.status_code == 302
    event = card.events.get()
    assert event.changes == {"name": ["旧电脑", "教师电脑"], "brand": ["", "联想"]}
    html = client.get(card.get_absolute_url()).content.decode()
    assert "<del>旧电脑</del>" in html and "<ins>教师电脑</ins>" in html


def test_the_edit_form_locks_the_life_once_depreciated(login, school, clerk):
    card = AssetFactory(school=school, life_months=72, life_locked=True)
    html = login(clerk).get(reverse("assets:edit", args=[card.pk])).content.decode()
    assert "折旧年限已锁定" in html


def test_only_asset_managers_enter_and_edit(login, school, principal):
    card = AssetFactory(school=school)
    client = login(principal)
    assert client.get(reverse("assets:create")).status_code == 403
    assert client.get(reverse("assets:edit", args=[card.pk])).status_code == 403
    assert client.post(reverse("assets:status", args=[card.pk]), {}).status_code == 403


def test_it_changes_the_status_from_the_card(login, school, clerk):
    card = AssetFactory(school=school)
    client = login(clerk)
    url = reverse("assets:status", args=[card.pk])
    response = client.post(url, {"status": "idle", "note": ""})
    assert "请写明变更原因" in response.content.decode()
    response = client.post(url, {"status": "idle", "note": "教室合并，暂不使用"})
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.status == Status.IDLE


# ---------------------------------------------------------------------------------------
# 录入进度 and the class picker


def test_entry_progress_counts_the_cards_missing_fields(login, school, principal):
    department = DepartmentFactory(school=school, name="教务处")
    AssetFactory(school=school, using_department=department)
    AssetFactory(school=school, using_department=department, name="没有地点的柜子", place=None)
    AssetFactory(school=school, name="没有人的电脑")
    AssetFactory(school=school, using_department=department, booked_on=None, life_months=None)
    AssetFactory(school=school, using_department=department, category=category("A02"))
    AssetFactory(school=school, place=None, status=Status.DISPOSED)
    client = login(principal)
    response = client.get(reverse("assets:progress"))
    html = response.content.decode()
    assert response.context["total"] == 5
    assert response.context["missing"] == 4
    assert response.context["percent"] == 20.0
    assert {k: n for k, _l, n in response.context["reasons"]} == {
        "place": 1,
        "person": 1,
        "category": 1,
        "booked": 1,
        "life": 1,
    }
    assert html.count('data-testid="missing-row"') == 4
    assert "没有地点的柜子" in html and "无存放地点" in html
    response = client.get(reverse("assets:progress"), {"missing": "place"})
    assert response.content.decode().count('data-testid="missing-row"') == 1


def test_entry_progress_runs_a_bounded_number_of_queries(
    login, school, principal, django_assert_max_num_queries
):
    client = login(principal)
    AssetFactory(school=school, place=None)
    client.get(reverse("assets:progress"))
    with django_assert_max_num_queries(25) as few:
        client.get(reverse("assets:progress"))
    for _ in range(15):
        AssetFactory(school=school, place=None)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("assets:progress"))


def test_the_class_picker_offers_specific_classes(login, clerk):
    category("A02010105")
    client = login(clerk)
    html = client.get(reverse("assets:pick_categories"), {"q": "台式"}).content.decode()
    assert "A02010105 台式计算机" in html and "最低 6 年" in html
    html = client.get(reverse("assets:pick_categories"), {"q": "A02"}).content.decode()
    assert 'data-picker-label="A02 设备"' not in html
