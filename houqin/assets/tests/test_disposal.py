"""处置: request → 技术鉴定 → approval by value tier → 核销; refused or cancelled puts
the cards back; 报废 before the minimum life is refused unless it is 报损 with proof."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from freezegun import freeze_time

from houqin.accounts.roles import Position
from houqin.approvals import services as approvals
from houqin.approvals.models import ApproverType
from houqin.approvals.tests.factories import FlowFactory
from houqin.assets import services_moves as moves
from houqin.assets.models import AssetEvent, DisposalStatus, Status
from houqin.assets.services import AssetError
from houqin.assets.tests.factories import AssetFactory
from houqin.files.services import attach

OLD = date(2015, 3, 1)  # past the six-year minimum of computers


@pytest.fixture
def clerk(school, make_staff):
    return make_staff(school, Position.ASSET_CLERK, name="刘刚")


@pytest.fixture
def principal(school, make_staff):
    return make_staff(school, Position.PRINCIPAL, name="王校长")


@pytest.fixture
def flow(school, principal):
    return FlowFactory(
        school=school, kind="disposal", name="资产处置", steps=[ApproverType.PRINCIPAL]
    )


def request_disposal(clerk, cards, method="scrap"):
    return moves.disposal_create(
        by=clerk, method=method, asset_ids=[c.pk for c in cards], reason="主板损坏"
    )


def appraise(disposal, clerk):
    moves.disposal_start_appraisal(disposal, by=clerk)
    return moves.disposal_submit(
        disposal,
        by=clerk,
        appraiser="信息中心 李工",
        appraised_on=date.today(),
        conclusion="无维修价值",
    )


def proof(disposal, clerk):
    upload = SimpleUploadedFile(
        "报案回执.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"
    )
    attach(disposal, upload, by=clerk.user, role=moves.PROOF_ROLE)


def test_it_disposes_of_a_card_end_to_end(school, clerk, principal, flow):
    card = AssetFactory(school=school, acquired_on=OLD, status=Status.IDLE)
    disposal = request_disposal(clerk, [card])
    card.refresh_from_db()
    assert disposal.number.startswith("CZ-") and disposal.status == DisposalStatus.DRAFT
    assert card.status == Status.PENDING_DISPOSAL
    disposal = appraise(disposal, clerk)
    assert disposal.status == DisposalStatus.PENDING
    approval = approvals.latest_for(disposal)
    assert approval.facts["amount"] == "4800.00" and approval.facts["sub_type"] == "报废"

    approvals.approve(approval, by=principal)
    disposal.refresh_from_db()
    assert disposal.status == DisposalStatus.APPROVED
    moves.disposal_write_off(disposal, by=clerk)

    disposal.refresh_from_db()
    card.refresh_from_db()
    assert disposal.status == DisposalStatus.WRITTEN_OFF
    assert card.status == Status.DISPOSED and card.disposal_method == "scrap"
    assert card.disposed_on == date.today() and disposal.number in card.disposal_note
    assert card.events.filter(action=AssetEvent.Action.DISPOSE).exists()
    assert not disposal.lines.filter(is_open=True).exists()


def test_it_puts_the_cards_back_when_rejected(school, clerk, principal, flow):
    card = AssetFactory(school=school, acquired_on=OLD, status=Status.IDLE)
    disposal = appraise(request_disposal(clerk, [card]), clerk)
    approvals.reject(approvals.latest_for(disposal), by=principal, comment="还能用")
    disposal.refresh_from_db()
    card.refresh_from_db()
    assert disposal.status == DisposalStatus.REJECTED
    assert card.status == Status.IDLE and card.disposal_method == ""


def test_it_cancels_before_approval(school, clerk, flow):
    card = AssetFactory(school=school, acquired_on=OLD)
    disposal = request_disposal(clerk, [card])
    moves.disposal_cancel(disposal, by=clerk, reason="录错了")
    card.refresh_from_db()
    assert card.status == Status.IN_USE
    with pytest.raises(AssetError, match="已撤销"):
        moves.disposal_start_appraisal(disposal, by=clerk)


@freeze_time("2026-09-01")
def test_it_refuses_scrapping_before_the_minimum_life(school, clerk, flow):
    card = AssetFactory(school=school, acquired_on=date(2026, 3, 10))
    with pytest.raises(AssetError, match="2032-03-10 才达到最低使用年限"):
        request_disposal(clerk, [card])
    card.refresh_from_db()
    assert card.status == Status.IN_USE and not card.disposal_lines.exists()


@freeze_time("2026-09-01")
def test_it_takes_an_early_loss_only_with_proof(school, clerk, principal, flow):
    card = AssetFactory(school=school, acquired_on=date(2026, 3, 10))
    disposal = request_disposal(clerk, [card], method="loss")
    moves.disposal_start_appraisal(disposal, by=clerk)
    with pytest.raises(AssetError, match="证明材料"):
        moves.disposal_submit(
            disposal, by=clerk, appraiser="保卫处", appraised_on=date(2026, 9, 1), conclusion="被盗"
        )
    disposal.refresh_from_db()
    assert disposal.status == DisposalStatus.APPRAISING and approvals.latest_for(disposal) is None
    proof(disposal, clerk)
    moves.disposal_submit(
        disposal, by=clerk, appraiser="保卫处", appraised_on=date(2026, 9, 1), conclusion="被盗"
    )
    disposal.refresh_from_db()
    assert disposal.status == DisposalStatus.PENDING
    assert approvals.latest_for(disposal).facts["sub_type"] == "报损"


def test_it_keeps_a_card_out_of_a_second_disposal(school, clerk, flow):
    card = AssetFactory(school=school, acquired_on=OLD)
    first = request_disposal(clerk, [card])
    card.status = Status.IN_USE  # even if its status were changed behind our back
    card.save()
    with pytest.raises(AssetError, match=first.number):
        request_disposal(clerk, [card])


def test_it_sends_the_total_original_value_for_the_tier(school, clerk, flow):
    cards = [
        AssetFactory(school=school, acquired_on=OLD, original_value=Decimal("300.00"))
        for _index in range(2)
    ]
    disposal = appraise(request_disposal(clerk, cards), clerk)
    assert approvals.latest_for(disposal).facts["amount"] == "600.00"


# --- pages ---------------------------------------------------------------------------


def test_it_runs_a_disposal_through_the_pages(login, school, clerk, principal, flow):
    card = AssetFactory(school=school, acquired_on=OLD)
    client = login(clerk)
    page = client.get(reverse("assets:detail", args=[card.pk]))
    assert b'data-testid="asset-dispose"' in page.content
    response = client.post(
        reverse("assets:disposal_create"),
        {"numbers": card.number, "method": "scrap", "reason": "主板损坏"},
    )
    disposal = card.disposal_lines.get().disposal
    assert response.url == disposal.get_absolute_url()
    client.post(reverse("assets:disposal_start_appraisal", args=[disposal.pk]))
    client.post(
        reverse("assets:disposal_submit", args=[disposal.pk]),
        {"appraiser": "李工", "appraised_on": date.today().isoformat(), "conclusion": "无修复价值"},
    )
    approvals.approve(approvals.latest_for(disposal), by=principal)
    detail = client.get(disposal.get_absolute_url())
    assert b'data-testid="disposal-write-off"' in detail.content
    client.post(
        reverse("assets:disposal_write_off", args=[disposal.pk]),
        {"written_off_on": date.today().isoformat(), "note": ""},
    )
    card.refresh_from_db()
    assert card.status == Status.DISPOSED


def test_it_shows_the_min_life_refusal_on_the_form(login, school, clerk, flow):
    card = AssetFactory(school=school, acquired_on=date.today())
    response = login(clerk).post(
        reverse("assets:disposal_create"),
        {"numbers": card.number, "method": "scrap", "reason": "坏了"},
    )
    assert response.status_code == 200
    assert "最低使用年限" in response.content.decode()


def test_it_lists_disposals_in_bounded_queries(
    login, school, clerk, flow, django_assert_max_num_queries
):
    for _index in range(4):
        request_disposal(clerk, [AssetFactory(school=school, acquired_on=OLD)])
    client = login(clerk)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("assets:disposal_list"))
    assert response.content.decode().count('data-testid="disposal-row"') == 4


def test_it_refuses_the_disposal_pages_to_a_teacher(login, school, clerk, flow, teacher):
    disposal = request_disposal(clerk, [AssetFactory(school=school, acquired_on=OLD)])
    client = login(teacher)
    assert client.get(reverse("assets:disposal_list")).status_code == 403
    assert client.get(reverse("assets:disposal_create")).status_code == 403
    assert client.get(disposal.get_absolute_url()).status_code == 403
    write_off = reverse("assets:disposal_write_off", args=[disposal.pk])
    assert client.post(write_off).status_code == 403


def test_it_hides_another_schools_disposal(login, school, other_school, clerk, make_staff):
    their_clerk = make_staff(other_school, Position.ASSET_CLERK)
    disposal = request_disposal(their_clerk, [AssetFactory(school=other_school, acquired_on=OLD)])
    client = login(clerk)
    assert client.get(disposal.get_absolute_url()).status_code == 404
    for name in ("disposal_start_appraisal", "disposal_submit", "disposal_cancel"):
        assert client.post(reverse(f"assets:{name}", args=[disposal.pk])).status_code == 404
