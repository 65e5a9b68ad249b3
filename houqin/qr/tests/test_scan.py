"""The scan page and ``/q/<token>``: every way of naming a record leads to its page."""

import pytest
from django.urls import reverse

from houqin.accounts.roles import Position
from houqin.org.models import Campus, Place
from houqin.org.tests.factories import CampusFactory, DistrictFactory, PlaceFactory
from houqin.qr import registry
from houqin.qr.models import QrCode

pytestmark = pytest.mark.django_db

SCAN = "/q/scan/"


def place_url(place):
    return reverse("org:place_detail", args=[place.pk])


# /q/<token>


def test_it_opens_the_record_a_token_names(login, teacher, place):
    token = QrCode.objects.for_object(place).token
    response = login(teacher).get(f"/q/{token}")
    assert response.status_code == 302
    assert response["Location"] == place_url(place)


def test_it_accepts_a_lowercase_token_and_a_trailing_slash(login, teacher, place):
    token = QrCode.objects.for_object(place).token
    client = login(teacher)
    assert client.get(f"/q/{token.lower()}")["Location"] == place_url(place)
    assert client.get(f"/q/{token}/")["Location"] == place_url(place)


def test_it_asks_to_sign_in_first(client, place):
    token = QrCode.objects.for_object(place).token
    response = client.get(f"/q/{token}")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/q/{token}"


def test_it_hides_another_schools_code(login, teacher, other_place):
    token = QrCode.objects.for_object(other_place).token
    response = login(teacher).get(f"/q/{token}")
    assert response.status_code == 404
    assert token in response.content.decode()


def test_it_shows_the_scan_page_for_an_unknown_token(login, teacher, place):
    response = login(teacher).get("/q/ZZZZZZZZZZ")
    assert response.status_code == 404
    page = response.content.decode()
    assert "没有找到二维码 ZZZZZZZZZZ 对应的记录" in page
    assert 'value="ZZZZZZZZZZ"' in page
    assert 'data-testid="manual-entry"' in page


def test_it_hides_a_place_outside_the_users_campus(login, school, make_staff, place):
    other_campus = CampusFactory(school=school, name="东校区", code="EAST", is_main=False)
    staff = make_staff(school, name="东校区保安")
    staff.appointments.create(position=Position.SECURITY_STAFF, campus=other_campus)
    token = QrCode.objects.for_object(place).token
    client = login(staff)
    assert client.get(f"/q/{token}").status_code == 404
    assert "没有找到" in client.get(SCAN, {"code": "A301"}).content.decode()
    assert Campus.objects.count() == 2


# Manual entry


def test_it_shows_the_scan_page(login, teacher, django_assert_max_num_queries):
    client = login(teacher)
    with django_assert_max_num_queries(12):
        response = client.get(SCAN)
    page = response.content.decode()
    assert response.status_code == 200
    assert "手动输入编码" in page
    assert "拍照识别" in page
    assert 'capture="environment"' in page
    assert "vendor/jsqr/jsQR.js" in page
    assert "houqin/scan.js" in page


@pytest.mark.parametrize(
    "typed",
    ["A301", "a301", "  A301  ", "Ａ３０１", "ａ３０１　", "P:A301", "p：a301"],
)
def test_it_opens_a_place_by_its_human_code(login, teacher, place, typed):
    response = login(teacher).get(SCAN, {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == place_url(place)


def test_it_opens_a_place_by_token_and_by_url(login, teacher, place):
    token = QrCode.objects.for_object(place).token
    client = login(teacher)
    for typed in (token, token.lower(), f"http://10.0.0.5/q/{token}", f"HTTPS://X.CN/Q/{token}"):
        response = client.get(SCAN, {"code": typed})
        assert response["Location"] == place_url(place), typed


def test_it_names_an_unknown_code_and_keeps_it(login, teacher, place):
    response = login(teacher).get(SCAN, {"code": " B999 "})
    page = response.content.decode()
    assert response.status_code == 200
    assert "没有找到编码为“B999”的场所" in page
    assert 'value=" B999 "' in page or 'value="B999"' in page
    assert "is-invalid" in page


def test_it_says_when_a_scanned_url_is_not_ours(login, teacher):
    response = login(teacher).get(SCAN, {"code": "https://weixin.qq.com/r/abc"})
    assert "扫到的不是本系统的二维码" in response.content.decode()


def test_it_names_the_token_of_an_unknown_scanned_url(login, teacher, other_place):
    token = QrCode.objects.for_object(other_place).token
    response = login(teacher).get(SCAN, {"code": f"http://10.0.0.5/q/{token.lower()}"})
    assert f"没有找到二维码 {token} 对应的记录" in response.content.decode()


def test_it_asks_for_a_code(login, teacher):
    response = login(teacher).get(SCAN, {"code": "   "})
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()


def test_it_lists_several_records_with_one_code(login, teacher, place, registry_snapshot):
    registry.register_kind(
        "X",
        Place,
        label="测试",
        code_of=lambda obj: obj.code,
        find_by_code=lambda school, text: Place.objects.filter(school=school, code=text).first(),
        url_of=lambda obj: "/x/",
        label_lines=lambda obj: [obj.name],
        can_view=lambda user, obj: True,
    )
    response = login(teacher).get(SCAN, {"code": "A301"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "这个编码对应多条记录" in page
    assert "code=P:A301" in page and "code=X:A301" in page
    assert login(teacher).get(SCAN, {"code": "X:A301"})["Location"] == "/x/"


def test_it_refuses_users_without_a_school(login, make_staff):
    officer = make_staff(None, Position.DISTRICT_OFFICER, district=DistrictFactory())
    assert login(officer).get(SCAN).status_code == 403


# Purposes


@pytest.fixture
def repair_purpose(registry_snapshot):
    def repair_url(request, found):
        if not found.obj.is_active:
            raise registry.ScanRefused("该场所已停用，不能报修。")
        return f"/repairs/new/?place={found.obj.pk}"

    return registry.register_purpose(
        "repair", "报修", kinds=["P"], url_for=repair_url, hint="扫教室门口的二维码报修"
    )


def test_it_sends_a_scan_where_the_purpose_asks(login, teacher, place, repair_purpose):
    client = login(teacher)
    token = QrCode.objects.for_object(place).token
    assert client.get(SCAN, {"code": "a301", "for": "repair"})["Location"] == (
        f"/repairs/new/?place={place.pk}"
    )
    assert client.get(f"/q/{token}?for=repair")["Location"] == f"/repairs/new/?place={place.pk}"
    page = client.get(SCAN, {"for": "repair"}).content.decode()
    assert "扫码报修" in page
    assert "扫教室门口的二维码报修" in page
    assert 'name="for" value="repair"' in page
    assert registry.scan_url("repair") == "/q/scan/?for=repair"


def test_it_shows_a_purposes_refusal(login, teacher, place, repair_purpose, manager):
    place.archive(by=manager.user, reason="装修")
    response = login(teacher).get(SCAN, {"code": "A301", "for": "repair"})
    page = response.content.decode()
    assert "该场所已停用，不能报修。" in page
    assert 'value="A301"' in page


def test_it_ignores_an_unknown_purpose(login, teacher, place):
    response = login(teacher).get(SCAN, {"code": "A301", "for": "nothing"})
    assert response["Location"] == place_url(place)


def test_it_refuses_a_purpose_without_its_permission(login, teacher, registry_snapshot):
    registry.register_purpose(
        "audit", "盘点", kinds=["P"], url_for=lambda r, f: "/", perm="assets.stocktake"
    )
    assert login(teacher).get(SCAN, {"for": "audit"}).status_code == 403


def test_it_requires_the_qr_itself_for_proof_of_presence(login, teacher, place, registry_snapshot):
    registry.register_purpose(
        "patrol",
        "巡查打卡",
        kinds=["P"],
        url_for=lambda request, found: f"/patrols/check/{found.token}/",
        require_token=True,
    )
    client = login(teacher)
    page = client.get(SCAN, {"code": "A301", "for": "patrol"}).content.decode()
    assert "巡查打卡需要扫描现场的二维码，不能手动输入编码。" in page
    token = QrCode.objects.for_object(place).token
    response = client.get(SCAN, {"code": f"http://x/q/{token}", "for": "patrol"})
    assert response["Location"] == f"/patrols/check/{token}/"


def test_it_limits_a_purpose_to_its_kinds(login, teacher, place, registry_snapshot):
    registry.register_purpose("only_g", "只收 G 类", kinds=["G"], url_for=lambda r, f: "/")
    page = login(teacher).get(SCAN, {"code": "A301", "for": "only_g"}).content.decode()
    assert "没有找到编码为“A301”的" in page


# Navigation


def test_it_is_in_the_navigation_and_the_quick_actions(login, teacher):
    page = login(teacher).get("/").content.decode()
    assert 'href="/q/scan/"' in page
    assert "扫码" in page


def test_it_does_not_create_codes_for_other_places(login, teacher, place):
    PlaceFactory(floor=place.floor)
    login(teacher).get(SCAN, {"code": "A301"})
    assert QrCode.objects.count() == 0
