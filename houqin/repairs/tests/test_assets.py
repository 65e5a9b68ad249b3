"""Repairs reported from an asset's label: the card is kept on the request, its room is the
place, and the card page lists its repairs."""

import pytest
from django.urls import reverse

from houqin.assets.models import Status as AssetStatus
from houqin.assets.tests.factories import AssetFactory
from houqin.qr.models import QrCode
from houqin.repairs.models import Category, RepairRequest, Urgency
from houqin.repairs.tests.factories import place_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def screen(school):
    room = place_in(school, name="三年级二班教室", code="A301")
    return AssetFactory(school=school, name="触控一体机", place=room)


def test_it_sends_a_scanned_asset_label_to_the_report_form(login, teacher, screen):
    token = QrCode.objects.for_object(screen).token
    response = login(teacher).get(reverse("qr:open", args=[token]) + "?for=repair")
    assert response.status_code == 302
    assert response.url == reverse("repairs:report") + f"?asset={screen.pk}"


def test_it_prefills_the_asset_and_its_room(login, teacher, screen):
    response = login(teacher).get(reverse("repairs:report") + f"?asset={screen.pk}")
    html = response.content.decode()
    assert "触控一体机" in html
    assert f'name="asset" value="{screen.pk}"' in html
    assert f'value="{screen.place_id}"' in html


def test_it_keeps_the_asset_on_the_request_and_lists_it_on_the_card(
    login, teacher, manager, screen
):
    data = {
        "asset": screen.pk,
        "place": "",
        "category": Category.SCREENS,
        "description": "一体机黑屏",
        "urgency": Urgency.NORMAL,
    }
    response = login(teacher).post(reverse("repairs:report"), data)
    assert response.status_code == 302
    repair = RepairRequest.objects.get()
    assert (repair.asset, repair.place) == (screen, screen.place)
    card = login(manager).get(reverse("assets:detail", args=[screen.pk])).content.decode()
    assert repair.number in card
    assert "一体机黑屏" in card


def test_it_refuses_another_schools_or_a_disposed_asset(login, teacher, other_school, school):
    theirs = AssetFactory(school=other_school, name="别校投影仪")
    gone = AssetFactory(school=school, name="旧电脑", status=AssetStatus.DISPOSED)
    client = login(teacher)
    for asset in (theirs, gone):
        html = client.get(reverse("repairs:report") + f"?asset={asset.pk}").content.decode()
        assert "没有找到这件资产" in html
        assert asset.name not in html
    data = {
        "asset": theirs.pk,
        "place": "",
        "category": Category.SCREENS,
        "description": "黑屏",
        "urgency": Urgency.NORMAL,
    }
    response = client.post(reverse("repairs:report"), data)
    assert response.status_code == 200
    assert not RepairRequest.objects.exists()
