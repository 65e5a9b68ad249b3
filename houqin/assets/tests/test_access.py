"""Who sees which cards and acceptances, and what a scanned asset label opens."""

import pytest
from django.urls import reverse

from houqin.accounts.models import Appointment
from houqin.accounts.roles import Position
from houqin.assets import access
from houqin.assets.models import Status
from houqin.assets.tests.factories import (
    AcceptanceFactory,
    AssetFactory,
    staff_in,
)
from houqin.files import registry as files
from houqin.org.tests.factories import DepartmentFactory
from houqin.qr import registry as qr
from houqin.qr.models import QrCode

pytestmark = pytest.mark.django_db


def test_school_viewers_see_every_card_of_their_school(school, other_school):
    mine, theirs = AssetFactory(school=school), AssetFactory(school=other_school)
    for position in (Position.PRINCIPAL, Position.ASSET_CLERK, Position.LOGISTICS_MANAGER):
        user = staff_in(school, position).user
        assert list(access.visible_assets(user)) == [mine]
        assert access.can_view(user, mine) and not access.can_view(user, theirs)


def test_staff_see_the_cards_in_their_care(school):
    teacher = staff_in(school)
    mine = AssetFactory(school=school, custodian=teacher)
    AssetFactory(school=school)
    assert list(access.visible_assets(teacher.user)) == [mine]


def test_viewers_see_the_whole_school_whatever_department_they_work_in(school):
    department = DepartmentFactory(school=school)
    vice = staff_in(school, name="副校长")
    Appointment.objects.filter(staff=vice).delete()
    Appointment.objects.create(staff=vice, position=Position.VICE_PRINCIPAL, department=department)
    AssetFactory(school=school, using_department=department)
    AssetFactory(school=school)
    assert access.visible_assets(vice.user).count() == 2


def test_acceptances_are_seen_by_viewers_and_their_group(school, other_school):
    member, outsider = staff_in(school), staff_in(school)
    acceptance = AcceptanceFactory(school=school)
    acceptance.group.add(member)
    AcceptanceFactory(school=other_school)
    assert list(access.visible_acceptances(staff_in(school, Position.PRINCIPAL).user)) == [
        acceptance
    ]
    assert access.can_view_acceptance(member.user, acceptance)
    assert not access.can_view_acceptance(outsider.user, acceptance)


def test_photos_are_added_by_asset_managers_until_disposal(school):
    clerk = staff_in(school, Position.ASSET_CLERK)
    principal = staff_in(school, Position.PRINCIPAL)
    card = AssetFactory(school=school)
    assert files.can_view(principal.user, card) and not files.can_add(principal.user, card)
    assert files.can_add(clerk.user, card)
    card.status = Status.DISPOSED
    card.save()
    assert not files.can_add(clerk.user, card)


def test_the_acceptance_takes_only_photos_and_the_invoice(school):
    acceptance = AcceptanceFactory(school=school)
    assert files.role_allowed(acceptance, "photo") and files.role_allowed(acceptance, "invoice")
    assert not files.role_allowed(acceptance, "other")


def test_a_label_is_found_by_its_number_and_opens_the_card(login, school, other_school):
    clerk = staff_in(school, Position.ASSET_CLERK)
    card = AssetFactory(school=school, number="2026-000123")
    AssetFactory(school=other_school, number="2026-000123")
    [found] = qr.find(clerk.user, school, "A:2026-000123")
    assert found.obj == card and found.url == card.get_absolute_url()
    token = QrCode.objects.for_object(card).token
    assert qr.find_token(clerk.user, school, token).obj == card
    assert qr.find_token(staff_in(school).user, school, token) is None  # not in their care
    response = login(clerk).get(reverse("qr:open", args=[token]))
    assert response.status_code == 302 and response.url == card.get_absolute_url()
