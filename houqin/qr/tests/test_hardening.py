"""Bad input never answers 500, and no typed or scanned text leads off-site."""

import pytest
from django.urls import reverse

from houqin.org.models import Place
from houqin.qr.models import QrCode

pytestmark = pytest.mark.django_db

SCAN = "/q/scan/"
LABELS = "/q/labels/"
BAD_VALUES = ["abc", "-1", "0", "9" * 30, "1" * 5000, "1,x", "\x00", "１２", "²", "[]"]


@pytest.mark.parametrize("url", [SCAN, LABELS])
def test_garbage_in_the_query_string_is_never_a_server_error(login, manager, place, url):
    client = login(manager)
    keys = ("page", "ids", "kind", "campus", "building", "floor", "place_type", "status")
    for key in (*keys, "q", "code", "for", "copies", "layout"):
        for value in BAD_VALUES:
            assert client.get(url, {key: value}).status_code in (200, 404), (key, value)
            posted = client.post(url, {key: value, "layout": "small", "copies": "1"})
            assert posted.status_code in (200, 404, 405), (key, value)


@pytest.mark.parametrize(
    "ids",
    ["99999999999999999999999", "9223372036854775808", "1" * 5000, "²", "1,x,-3"],
)
def test_ids_too_large_for_the_database_are_ignored(login, manager, place, ids):
    client = login(manager)
    response = client.get(LABELS, {"kind": "P", "ids": f"{ids},{place.pk}"})
    assert response.status_code == 200
    assert response.context["count"] == 1
    response = client.post(LABELS, {"kind": "P", "ids": ids, "layout": "small", "copies": "1"})
    assert response.status_code == 200  # nothing chosen: the form says so


@pytest.mark.parametrize(
    "typed",
    [
        "http://evil.example/q/{token}",
        "https://evil.example/q/{token}?next=https://evil.example/",
        "//evil.example/q/{token}",
    ],
)
def test_a_typed_foreign_url_opens_our_record_never_the_other_site(login, teacher, place, typed):
    token = QrCode.objects.for_object(place).token
    response = login(teacher).get(SCAN, {"code": typed.format(token=token)})
    assert response.status_code == 302
    assert response["Location"] == reverse("org:place_detail", args=[place.pk])


def test_a_typed_foreign_url_with_an_unknown_token_stays_on_the_scan_page(login, teacher):
    response = login(teacher).get(SCAN, {"code": "http://evil.example/q/ABCDEFGH23"})
    assert response.status_code == 200
    assert "evil.example" not in response.get("Location", "")
    assert "没有找到二维码 ABCDEFGH23" in response.content.decode()


def test_the_label_of_an_archived_place_opens_its_page_marked_archived(
    login, teacher, manager, place
):
    token = QrCode.objects.for_object(place).token
    place.archive(by=manager.user, reason="装修")
    client = login(teacher)
    response = client.get(f"/q/{token}")
    assert response.status_code == 302
    assert response["Location"] == reverse("org:place_detail", args=[place.pk])
    assert client.get(response["Location"]).status_code == 200


def test_the_qr_image_escapes_the_records_code(login, teacher, place):
    token = QrCode.objects.for_object(place).token
    Place.objects.filter(pk=place.pk).update(code='<script>alert("x")</script>')
    response = login(teacher).get(f"/q/{token}/qr.svg?download=1")
    svg = response.content.decode()
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    disposition = response["Content-Disposition"]
    assert "\n" not in disposition and disposition.startswith("attachment; filename*=utf-8''")


def test_a_purpose_never_gets_a_kind_it_did_not_ask_for(login, teacher, place, registry_snapshot):
    from houqin.qr import registry

    def gate_url(request, found):
        return f"/gate/{found.obj.slip_number}/"  # a Place has no slip number

    registry.register_purpose("gate", "出门条", kinds=["G"], url_for=gate_url)
    token = QrCode.objects.for_object(place).token
    response = login(teacher).get(f"/q/{token}?for=gate")
    assert response.status_code == 404
    assert f"没有找到二维码 {token} 对应的记录" in response.content.decode()
