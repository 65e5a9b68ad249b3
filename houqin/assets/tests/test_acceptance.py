"""Acceptance (验收): the group of two or more, lines checked against the order, 验收合格
booking the cards in bulk with consecutive numbers (one per unit or one for the lot),
验收不合格 booking none — through the services and through the screens."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from houqin.accounts.roles import Position
from houqin.assets import services
from houqin.assets.models import Acceptance, AcceptanceLine, Asset, AssetEvent, Status
from houqin.assets.services import AssetError
from houqin.assets.tests.factories import (
    AcceptanceFactory,
    AcceptanceLineFactory,
    AssetFactory,
    category,
    place_in,
    staff_in,
)
from houqin.core.work import pending_for
from houqin.files.registry import can_add
from houqin.files.services import attach, attachments_for
from houqin.files.tests.factories import jpeg_upload
from houqin.org.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

NOW = "2026-03-20 10:00"


@pytest.fixture
def clerk(school):
    return staff_in(school, Position.ASSET_CLERK, name="刘刚")


@pytest.fixture
def acceptance(school, clerk, manager):
    return AcceptanceFactory(school=school, created_by=clerk, group=[clerk, manager])


# ---------------------------------------------------------------------------------------
# Services


@freeze_time(NOW)
def test_it_books_one_card_per_unit_with_consecutive_numbers(school, clerk, acceptance):
    AssetFactory(school=school, number="2026-000122")
    department = DepartmentFactory(school=school, name="信息中心")
    room = place_in(school, name="计算机房")
    AcceptanceLineFactory(
        acceptance=acceptance,
        quantity_ordered=3,
        quantity_received=3,
        unit_price=Decimal("4800.00"),
        using_department=department,
        place=room,
    )
    cards = services.acceptance_accept(
        acceptance, by=clerk, accepted_on=date(2026, 3, 18), note="数量型号一致"
    )
    assert [card.number for card in cards] == ["2026-000123", "2026-000124", "2026-000125"]
    saved = list(Asset.objects.filter(acceptance=acceptance).order_by("number"))
    assert [card.pk for card in saved] == [card.pk for card in cards]
    first = saved[0]
    assert (first.quantity, first.original_value, first.net_value) == (
        1,
        Decimal("4800.00"),
        Decimal("4800.00"),
    )
    assert (first.fiscal_amount, first.non_fiscal_amount) == (Decimal("4800.00"), Decimal("0"))
    assert first.acquired_on == first.booked_on == date(2026, 3, 18)
    assert first.life_months == 72
    assert first.name_initials == "tsjsj"
    assert (first.using_department, first.place, first.status) == (department, room, Status.IN_USE)
    assert first.managing_department_id == clerk.department_id
    assert first.invoice_number == acceptance.invoice_number
    events = AssetEvent.objects.filter(asset__acceptance=acceptance)
    assert events.count() == 3
    assert {e.action for e in events} == {AssetEvent.Action.ACCEPT}
    assert all(acceptance.number in e.note and e.actor == clerk.user for e in events)
    acceptance.refresh_from_db()
    assert acceptance.state == Acceptance.State.ACCEPTED
    assert acceptance.accepted_on == date(2026, 3, 18)
    assert acceptance.result_note == "数量型号一致"


@freeze_time(NOW)
def test_it_books_fifty_desks_as_fifty_cards_or_as_one_lot(school, clerk, manager):
    desks = category("A05010203")
    per_unit = AcceptanceFactory(school=school, created_by=clerk, group=[clerk, manager])
    AcceptanceLineFactory(
        acceptance=per_unit,
        category=desks,
        name="学生课桌",
        quantity_ordered=50,
        quantity_received=50,
        unit_price=Decimal("320.00"),
        life_months=None,
    )
    lot = AcceptanceFactory(
        school=school, created_by=clerk, group=[clerk, manager], funding_source="自筹资金"
    )
    AcceptanceLineFactory(
        acceptance=lot,
        category=desks,
        name="学生课桌",
        quantity_ordered=50,
        quantity_received=50,
        unit_price=Decimal("320.00"),
        card_per_unit=False,
    )
    fifty = services.acceptance_accept(per_unit, by=clerk)
    one = services.acceptance_accept(lot, by=clerk)
    assert len(fifty) == 50 and len(one) == 1
    assert fifty[0].number == "2026-000001" and fifty[-1].number == "2026-000050"
    assert one[0].number == "2026-000051"
    assert fifty[0].life_months == 180  # furniture: 15 years
    card = Asset.objects.get(pk=one[0].pk)
    assert (card.quantity, card.original_value) == (50, Decimal("16000.00"))
    assert (card.fiscal_amount, card.non_fiscal_amount) == (Decimal("0"), Decimal("16000.00"))


@freeze_time(NOW)
def test_it_books_nothing_for_a_line_not_delivered(school, clerk, acceptance):
    AcceptanceLineFactory(acceptance=acceptance, quantity_ordered=2, quantity_received=2)
    AcceptanceLineFactory(acceptance=acceptance, name="投影仪", quantity_received=0)
    assert len(services.acceptance_accept(acceptance, by=clerk)) == 2


@freeze_time(NOW)
@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("no_lines", "还没有明细"),
        ("over_received", "超过订购"),
        ("one_member", "至少需要两人"),
        ("creator_twice", "至少需要两人"),
        ("nothing_received", "没有可入账"),
        ("short_life", "最低折旧年限"),
        ("before_delivery", "早于到货日期"),
    ],
)
def test_it_refuses_to_book(school, clerk, acceptance, setup, message):
    if setup != "no_lines":
        line = AcceptanceLineFactory(acceptance=acceptance)
    if setup == "over_received":
        AcceptanceLine.objects.filter(pk=line.pk).update(quantity_ordered=5, quantity_received=6)
    if setup == "one_member":
        acceptance.group.set([clerk])
    if setup == "creator_twice":
        acceptance.group.set([clerk, clerk])
    if setup == "nothing_received":
        AcceptanceLine.objects.filter(pk=line.pk).update(quantity_received=0)
    if setup == "short_life":
        AcceptanceLine.objects.filter(pk=line.pk).update(life_months=36)
    accepted_on = date(2026, 3, 1) if setup == "before_delivery" else None
    with pytest.raises(AssetError, match=message):
        services.acceptance_accept(acceptance, by=clerk, accepted_on=accepted_on)
    assert not Asset.objects.exists()
    acceptance.refresh_from_db()
    assert acceptance.state == Acceptance.State.DRAFT


@freeze_time(NOW)
def test_it_refuses_to_book_twice_or_after_a_rejection(school, clerk, acceptance, manager):
    AcceptanceLineFactory(acceptance=acceptance, quantity_ordered=1, quantity_received=1)
    services.acceptance_accept(acceptance, by=clerk)
    with pytest.raises(AssetError, match="已验收入账"):
        services.acceptance_accept(acceptance, by=clerk)
    assert Asset.objects.count() == 1

    rejected = AcceptanceFactory(school=school, created_by=clerk, group=[clerk, manager])
    AcceptanceLineFactory(acceptance=rejected)
    services.acceptance_reject(rejected, by=clerk, note="型号与合同不符，退货")
    with pytest.raises(AssetError, match="验收不合格"):
        services.acceptance_accept(rejected, by=clerk)
    rejected.refresh_from_db()
    assert (rejected.state, rejected.result_note) == (
        Acceptance.State.REJECTED,
        "型号与合同不符，退货",
    )
    assert Asset.objects.count() == 1


def test_it_wants_a_reason_to_reject(clerk, acceptance):
    with pytest.raises(AssetError, match="不合格的原因"):
        services.acceptance_reject(acceptance, by=clerk, note="")


def test_it_refuses_someone_who_does_not_manage_assets(school, acceptance):
    AcceptanceLineFactory(acceptance=acceptance)
    with pytest.raises(AssetError, match="没有管理资产的权限"):
        services.acceptance_accept(acceptance, by=staff_in(school))


def test_it_numbers_acceptances_and_wants_two_people(school, clerk, manager):
    values = {"supplier": "联想", "delivered_on": date(2026, 3, 2)}
    first = services.acceptance_save(Acceptance(), by=clerk, values=values, group=[clerk, manager])
    second = services.acceptance_save(Acceptance(), by=clerk, values=values, group=[clerk, manager])
    assert first.number[:2] == "YS" and first.number[-4:] == "0001"
    assert second.number[-4:] == "0002"
    assert first.created_by == clerk and first.school == school
    with pytest.raises(AssetError, match="至少需要两人"):
        services.acceptance_save(Acceptance(), by=clerk, values=values, group=[clerk])


def test_it_refuses_a_group_member_of_another_school(school, other_school, clerk):
    values = {"supplier": "联想", "delivered_on": date(2026, 3, 2)}
    with pytest.raises(AssetError, match="本校在职人员"):
        services.acceptance_save(
            Acceptance(), by=clerk, values=values, group=[clerk, staff_in(other_school)]
        )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_acceptances_booked_at_once_share_no_number(school, clerk, manager):
    acceptances = []
    for _ in range(2):
        acceptance = AcceptanceFactory(school=school, created_by=clerk, group=[clerk, manager])
        AcceptanceLineFactory(acceptance=acceptance, quantity_ordered=30, quantity_received=30)
        acceptances.append(acceptance)
    start = threading.Barrier(2)
    errors = []

    def book(acceptance):
        try:
            start.wait()
            services.acceptance_accept(acceptance, by=clerk)
        except Exception as error:  # noqa: BLE001 — reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=book, args=(a,)) for a in acceptances]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    year = timezone.localdate().year
    numbers = sorted(Asset.objects.filter(school=school).values_list("number", flat=True))
    assert numbers == [f"{year}-{n:06d}" for n in range(1, 61)]


# ---------------------------------------------------------------------------------------
# Screens


def _acceptance_data(group, **overrides):
    data = {
        "supplier": "杭州联想电脑有限公司",
        "order_number": "HT-2026-018",
        "invoice_number": "04412345",
        "delivered_on": "2026-03-02",
        "funding_source": "财政拨款",
        "procurement_form": "政府集中采购",
        "group": [person.pk for person in group],
    }
    data.update(overrides)
    return data


def _line_data(**overrides):
    data = {
        "category": category("A05010203").pk,
        "name": "学生课桌",
        "spec": "1200×600",
        "unit": "张",
        "quantity_ordered": "50",
        "quantity_received": "50",
        "unit_price": "320.00",
        "card_per_unit": "on",
        "life_months": "",
        "check_note": "外观完好",
    }
    data.update(overrides)
    return data


@freeze_time(NOW)
def test_it_accepts_a_delivery_end_to_end(login, school, clerk, manager):
    client = login(clerk)
    response = client.post(reverse("assets:acceptance_create"), _acceptance_data([clerk, manager]))
    acceptance = Acceptance.objects.get()
    assert response.status_code == 302 and response.url == acceptance.get_absolute_url()
    assert set(acceptance.group.all()) == {clerk, manager}

    page = client.get(acceptance.get_absolute_url()).content.decode()
    assert 'data-testid="line-form"' in page and "验收照片" in page and "发票" in page

    response = client.post(
        reverse("assets:acceptance_line_create", args=[acceptance.pk]), _line_data()
    )
    assert response.status_code == 302
    line = acceptance.lines.get()
    assert line.life_months == 180  # the class minimum, filled in

    response = client.post(
        reverse("assets:acceptance_accept", args=[acceptance.pk]),
        {"accepted_on": "2026-03-18", "note": "合格"},
    )
    assert response.status_code == 302
    assert Asset.objects.filter(acceptance=acceptance).count() == 50
    page = client.get(acceptance.get_absolute_url()).content.decode()
    assert "已生成 50 张资产卡片" in page
    assert 'data-testid="batch-labels"' in page
    assert reverse("qr:labels") + "?kind=A&amp;ids=" in page
    assert 'data-testid="line-form"' not in page  # booked: no more lines


@freeze_time(NOW)
def test_it_sends_a_big_batch_to_the_labels_page(login, school, clerk, acceptance):
    AcceptanceLineFactory(acceptance=acceptance, quantity_ordered=250, quantity_received=250)
    services.acceptance_accept(acceptance, by=clerk)
    client = login(clerk)
    page = client.get(acceptance.get_absolute_url()).content.decode()
    url = f"{reverse('assets:labels')}?acceptance={acceptance.pk}"
    assert url in page
    response = client.get(url)
    html = response.content.decode()
    assert "共 250 张资产卡片要打印标签" in html
    assert f'action="{reverse("qr:labels")}"' in html


def test_it_refuses_a_group_of_one_in_chinese(login, clerk):
    response = login(clerk).post(reverse("assets:acceptance_create"), _acceptance_data([clerk]))
    assert response.status_code == 200
    assert "验收小组至少需要两人" in response.content.decode()
    assert not Acceptance.objects.exists()


def test_it_refuses_more_received_than_ordered_and_keeps_the_line(login, clerk, acceptance):
    response = login(clerk).post(
        reverse("assets:acceptance_line_create", args=[acceptance.pk]),
        _line_data(quantity_received="60", name="多收的课桌"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "不能超过订购数量" in html
    assert "多收的课桌" in html
    assert not acceptance.lines.exists()


def test_it_refuses_a_short_life_on_a_line(login, clerk, acceptance):
    response = login(clerk).post(
        reverse("assets:acceptance_line_create", args=[acceptance.pk]),
        _line_data(life_months="60"),
    )
    assert "最低折旧年限是 15 年" in response.content.decode()


def test_it_edits_a_line(login, clerk, acceptance):
    line = AcceptanceLineFactory(acceptance=acceptance)
    url = reverse("assets:acceptance_line_edit", args=[acceptance.pk, line.pk])
    client = login(clerk)
    assert client.get(url).status_code == 200
    response = client.post(url, _line_data(name="教师办公桌", quantity_received="40"))
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.name, line.quantity_received) == ("教师办公桌", 40)


@freeze_time(NOW)
def test_it_shows_why_a_booking_was_refused(login, clerk, acceptance):
    response = login(clerk).post(
        reverse("assets:acceptance_accept", args=[acceptance.pk]), {"accepted_on": "2026-03-18"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "验收单还没有明细" in html


@freeze_time(NOW)
def test_it_records_a_rejection(login, clerk, acceptance):
    AcceptanceLineFactory(acceptance=acceptance)
    client = login(clerk)
    url = reverse("assets:acceptance_reject", args=[acceptance.pk])
    assert "不合格的原因" in client.post(url, {"note": ""}).content.decode()
    response = client.post(url, {"note": "型号不符"})
    assert response.status_code == 302
    acceptance.refresh_from_db()
    assert acceptance.state == Acceptance.State.REJECTED
    assert not Asset.objects.exists()
    assert client.get(reverse("assets:acceptance_edit", args=[acceptance.pk])).status_code == 302


def test_group_members_see_it_on_my_work_and_add_photos(rf, school, clerk, acceptance):
    member = staff_in(school, name="王老师")
    acceptance.group.add(member)
    request = rf.get("/")
    request.user, request.staff = member.user, member
    items = pending_for(request)
    assert [item.url for item in items if "资产验收" in item.title] == [
        acceptance.get_absolute_url()
    ]
    assert can_add(member.user, acceptance)
    assert not can_add(staff_in(school).user, acceptance)


def test_a_member_opens_the_acceptance_and_others_do_not(login, school, acceptance, client):
    member = staff_in(school, name="王老师")
    acceptance.group.add(member)
    assert login(member).get(acceptance.get_absolute_url()).status_code == 200
    client.force_login(staff_in(school).user)
    assert client.get(acceptance.get_absolute_url()).status_code == 404


def test_it_attaches_the_invoice_and_photos(login, clerk, acceptance):
    attach(acceptance, jpeg_upload("发票.jpg"), by=clerk.user, role="invoice")
    html = login(clerk).get(acceptance.get_absolute_url()).content.decode()
    assert "发票.jpg" in html
    assert [a.role for a in attachments_for(acceptance)] == ["invoice"]


@pytest.mark.parametrize(
    "name",
    [
        "assets:acceptance_create",
        "assets:acceptance_edit",
        "assets:acceptance_line_create",
        "assets:acceptance_accept",
        "assets:acceptance_reject",
    ],
)
def test_only_asset_managers_change_acceptances(login, school, acceptance, name):
    member = staff_in(school, name="王老师")
    acceptance.group.add(member)
    kwargs = {} if name == "assets:acceptance_create" else {"pk": acceptance.pk}
    assert login(member).post(reverse(name, kwargs=kwargs), {}).status_code == 403


def test_a_teacher_may_not_list_acceptances(login, teacher):
    assert login(teacher).get(reverse("assets:acceptance_list")).status_code == 403


def test_another_schools_acceptance_is_not_found(login, other_school, clerk):
    theirs = AcceptanceFactory(school=other_school)
    line = AcceptanceLineFactory(acceptance=theirs)
    client = login(clerk)
    assert client.get(theirs.get_absolute_url()).status_code == 404
    url = reverse("assets:acceptance_line_edit", args=[theirs.pk, line.pk])
    assert client.get(url).status_code == 404


def test_a_line_of_another_acceptance_is_not_found(login, school, clerk, acceptance):
    other = AcceptanceFactory(school=school)
    line = AcceptanceLineFactory(acceptance=other)
    url = reverse("assets:acceptance_line_edit", args=[acceptance.pk, line.pk])
    assert login(clerk).get(url).status_code == 404


def test_the_acceptance_list_runs_a_bounded_number_of_queries(
    login, school, clerk, manager, django_assert_max_num_queries
):
    client = login(clerk)
    for _ in range(2):
        AcceptanceLineFactory(acceptance__school=school, acceptance__created_by=clerk)
    client.get(reverse("assets:acceptance_list"))
    with django_assert_max_num_queries(15) as few:
        client.get(reverse("assets:acceptance_list"))
    for _ in range(10):
        AcceptanceLineFactory(acceptance__school=school, acceptance__created_by=clerk)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("assets:acceptance_list"))
    assert response.content.decode().count('data-testid="acceptance-row"') == 12
