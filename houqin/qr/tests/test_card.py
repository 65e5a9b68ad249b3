"""The QR card on a place's page."""

import pytest

from houqin.qr.models import QrCode

pytestmark = pytest.mark.django_db


def test_it_shows_the_places_qr_code_and_code(login, manager, place):
    response = login(manager).get(f"/org/places/{place.pk}/")
    page = response.content.decode()
    token = QrCode.objects.get().token
    assert 'data-testid="qr-card"' in page
    assert "<svg" in page
    assert 'data-testid="qr-code">A301<' in page
    assert f"http://testserver/q/{token}" in page
    assert f"/q/{token}/qr.png?download=1" in page
    assert f"/q/labels/?kind=P&amp;ids={place.pk}" in page


def test_it_offers_labels_only_to_those_who_print_them(login, teacher, place):
    page = login(teacher).get(f"/org/places/{place.pk}/").content.decode()
    assert 'data-testid="qr-card"' in page
    assert 'data-testid="qr-print"' not in page


def test_it_keeps_the_same_code_on_every_visit(login, teacher, place):
    client = login(teacher)
    client.get(f"/org/places/{place.pk}/")
    client.get(f"/org/places/{place.pk}/")
    assert QrCode.objects.count() == 1


def test_it_links_the_place_list_and_building_to_labels(login, manager, teacher, place, building):
    client = login(manager)
    page = client.get("/org/places/", {"q": "A3", "campus": place.campus_id}).content.decode()
    assert f"/q/labels/?q=A3&amp;campus={place.campus_id}" in page
    page = client.get(f"/org/buildings/{building.pk}/").content.decode()
    assert f"/q/labels/?building={building.pk}" in page
    assert "打印本楼标签" in page
    client = login(teacher)
    assert 'data-testid="place-print-labels"' not in client.get("/org/places/").content.decode()
    page = client.get(f"/org/buildings/{building.pk}/").content.decode()
    assert "打印本楼标签" not in page
