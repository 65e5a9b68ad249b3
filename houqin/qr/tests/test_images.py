import pytest

from houqin.qr.models import QrCode

pytestmark = pytest.mark.django_db


def test_it_draws_a_tokens_qr_as_svg(login, teacher, place):
    token = QrCode.objects.for_object(place).token
    response = login(teacher).get(f"/q/{token}/qr.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Cache-Control"] == "private, max-age=86400"
    assert response.content.lstrip().startswith(b"<?xml") or b"<svg" in response.content[:200]
    assert b"A301" in response.content  # the title


def test_it_draws_a_png_and_offers_it_for_download(login, teacher, place):
    token = QrCode.objects.for_object(place).token
    client = login(teacher)
    response = client.get(f"/q/{token}/qr.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")
    assert "Content-Disposition" not in response
    download = client.get(f"/q/{token}/qr.png?download=1")
    assert download["Content-Disposition"].startswith("attachment")
    assert "A301" in download["Content-Disposition"]


def test_it_answers_not_modified_for_a_cached_image(login, teacher, place):
    token = QrCode.objects.for_object(place).token
    client = login(teacher)
    etag = client.get(f"/q/{token}/qr.png")["ETag"]
    assert client.get(f"/q/{token}/qr.png", headers={"if-none-match": etag}).status_code == 304


def test_it_encodes_the_configured_address(login, teacher, place, settings):
    settings.HOUQIN_BASE_URL = "https://houqin.school.cn"
    token = QrCode.objects.for_object(place).token
    page = login(teacher).get(f"/org/places/{place.pk}/").content.decode()
    assert f"https://houqin.school.cn/q/{token}" in page


def test_it_hides_another_schools_images(login, teacher, other_place):
    token = QrCode.objects.for_object(other_place).token
    client = login(teacher)
    assert client.get(f"/q/{token}/qr.svg").status_code == 404
    assert client.get(f"/q/{token}/qr.png").status_code == 404
    assert client.get("/q/ZZZZZZZZZZ/qr.png").status_code == 404


def test_it_asks_to_sign_in_for_an_image(client, place):
    token = QrCode.objects.for_object(place).token
    assert client.get(f"/q/{token}/qr.png").status_code == 302
