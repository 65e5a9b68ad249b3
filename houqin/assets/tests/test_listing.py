from datetime import date
from decimal import Decimal

import pytest
from django.http import QueryDict

from houqin.assets.listing import (
    ON_BOOKS,
    AssetFilters,
    filter_assets,
    school_totals,
    search_assets,
    totals_by_school,
)
from houqin.assets.models import Asset, Status
from houqin.assets.tests.factories import AssetFactory, category, place_in, staff_in
from houqin.org.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def card(school, **fields):
    value = fields.setdefault("original_value", Decimal("1000.00"))
    fields.setdefault("net_value", value)
    fields.setdefault("fiscal_amount", value)
    return AssetFactory(school=school, **fields)


def numbers(page):
    return [row.number for row in page.rows]


def test_it_filters_by_status_class_department_place_and_person(school):
    teaching = DepartmentFactory(school=school)
    room = place_in(school, name="物理实验室")
    person = staff_in(school, name="王老师")
    desk = card(school, number="A-1", category=category("A05010203"), status=Status.IDLE)
    computer = card(school, number="A-2", using_department=teaching, place=room)
    mine = card(school, number="A-3", custodian=person, status=Status.DISPOSED)
    cards = Asset.objects.filter(school=school)

    def found(**params):
        return set(numbers(search_assets(cards, params)))

    assert found(status="idle") == {"A-1"}
    assert found(status=ON_BOOKS) == {"A-1", "A-2"}
    assert found(category="A05") == {"A-1"}
    assert found(category="a0201") == {"A-2", "A-3"}
    assert found(department=teaching.pk) == {"A-2"}
    assert found(place=room.pk) == {"A-2"}
    assert found(building=room.building_id) == {"A-2"}
    assert found(campus=room.campus_id) == {desk.number, computer.number, mine.number}
    assert found(custodian=person.pk) == {"A-3"}
    assert found(school=school.pk) == {"A-1", "A-2", "A-3"}


def test_it_ignores_filter_values_that_make_no_sense(school):
    card(school, number="A-1")
    filters = AssetFilters.from_params(
        QueryDict("status=lost&category=A0%25&department=x&place=-3&sort=price&after=abc")
    )
    assert filters == AssetFilters()
    assert numbers(search_assets(Asset.objects.all(), filters)) == ["A-1"]


def test_it_finds_an_exact_number_first(school):
    wanted = card(school, number="2026-000123", name="台式计算机")
    card(school, number="2026-000124", name="2026-000123 的配件")

    page = search_assets(Asset.objects.all(), {"q": "2026-000123"})

    assert [row.pk for row in page.rows] == [wanted.pk]


def test_it_finds_by_number_prefix_class_code_name_and_initials(school):
    card(school, number="2025-000001", name="台式计算机")
    card(school, number="2026-000001", name="iPad 平板", category=category("A02010105"))
    card(school, number="2026-000002", name="学生课桌", category=category("A05010203"))
    cards = Asset.objects.all()

    def found(text):
        return set(numbers(search_assets(cards, {"q": text})))

    assert found("2026-") == {"2026-000001", "2026-000002"}
    assert found("A05") == {"2026-000002"}
    assert found("a0201") == {"2025-000001", "2026-000001"}
    assert found("计算") == {"2025-000001"}
    assert found("桌") == {"2026-000002"}
    assert found("学生课桌") == {"2026-000002"}
    assert found("ad 平") == {"2026-000001"}
    assert found("IPAD") == {"2026-000001"}
    assert found("xskz") == {"2026-000002"}
    assert found("TSJ") == {"2025-000001"}
    assert found("不存在") == set()


def test_it_treats_like_wildcards_as_plain_characters(school):
    card(school, number="1", name="100%纯棉窗帘")
    card(school, number="2", name="窗帘_备用")
    card(school, number="3", name="投影仪")
    cards = Asset.objects.all()

    assert numbers(search_assets(cards, {"q": "%"})) == ["1"]
    assert numbers(search_assets(cards, {"q": "_"})) == ["2"]


def test_it_finds_cards_by_place_and_person_names_within_the_school(school, other_school):
    lab = place_in(school, name="化学实验室", code="HX-1")
    person = staff_in(school, name="周静")
    card(school, number="S-1", place=lab)
    card(school, number="S-2", custodian=person)
    card(school, number="S-3")
    card(other_school, number="O-1", place=place_in(other_school, name="化学实验室"))
    cards = Asset.objects.filter(school=school)

    def found(text, **kwargs):
        return set(numbers(search_assets(cards, {"q": text}, **kwargs)))

    assert found("化学", school=school) == {"S-1"}
    assert found("hx-1", school=school) == {"S-1"}
    assert found("周静", school=school) == {"S-2"}
    assert found("zj", school=school) == {"S-2"}
    # Across a district (no school), place and person names are not searched.
    assert found("周静") == set()


@pytest.mark.parametrize(
    ("sort", "key"),
    [
        ("-id", lambda a: a.pk),
        ("id", lambda a: a.pk),
        ("number", lambda a: (a.number, a.pk)),
        ("-number", lambda a: (a.number, a.pk)),
        ("name", lambda a: (a.name, a.pk)),
        ("-name", lambda a: (a.name, a.pk)),
        ("original_value", lambda a: (a.original_value, a.pk)),
        ("-original_value", lambda a: (a.original_value, a.pk)),
        ("acquired_on", lambda a: (a.acquired_on, a.pk)),
        ("-acquired_on", lambda a: (a.acquired_on, a.pk)),
    ],
)
def test_it_pages_through_every_sort_forwards_and_back(school, sort, key):
    # Ties on purpose: equal names, values and dates, broken by the id.
    for index in range(11):
        card(
            school,
            number=f"2026-{(index * 7) % 11:06d}",
            name=["课桌", "椅子", "空调"][index % 3],
            original_value=Decimal(100 * (index % 4)),
            acquired_on=date(2026, 1, 1 + index % 2),
        )
    cards = Asset.objects.filter(school=school)
    expected = sorted(cards, key=key, reverse=sort.startswith("-"))

    seen, params = [], {"sort": sort}
    while True:
        page = search_assets(cards, params, page_size=3)
        seen += page.rows
        assert page.count == 11
        if not page.has_next:
            break
        params = QueryDict(page.next_query)
    assert [a.pk for a in seen] == [a.pk for a in expected]

    back = []
    while page.has_previous:
        page = search_assets(cards, QueryDict(page.previous_query), page_size=3)
        back = page.rows + back
    assert [a.pk for a in back] == [a.pk for a in expected[: len(back)]]
    assert len(back) >= 3


def test_it_caps_the_count(school):
    for index in range(7):
        card(school, number=f"N-{index}")

    page = search_assets(Asset.objects.all(), {}, page_size=2, count_cap=5)

    assert page.count_capped
    assert page.count_display == "5+"
    assert len(page.rows) == 2 and page.has_next and not page.has_previous
    assert search_assets(Asset.objects.all(), {"q": "N-1"}).count_display == "1"


def test_it_never_pages_into_cards_outside_the_queryset(school, other_school):
    card(school, number="M-1", name="甲")
    theirs = card(other_school, number="T-1", name="乙")
    cards = Asset.objects.filter(school=school)

    # Another school's card as the cursor: its sort key is not read, so nothing follows.
    assert numbers(search_assets(cards, {"sort": "name", "after": theirs.pk})) == []
    assert numbers(search_assets(cards, {"sort": "name", "before": theirs.pk})) == []
    assert numbers(search_assets(cards, {"sort": "-id", "after": theirs.pk + 1})) == ["M-1"]
    assert numbers(search_assets(cards, {"school": other_school.pk})) == []


def test_it_keeps_the_filters_in_its_links(school):
    for index in range(3):
        card(school, number=f"K-{index}", status=Status.IDLE)

    page = search_assets(
        Asset.objects.all(), {"status": "idle", "q": "K", "sort": "name"}, page_size=2
    )

    assert page.next_query == f"q=K&status=idle&sort=name&after={page.rows[-1].pk}"
    assert page.first_query == "q=K&status=idle&sort=name"
    assert page.filters.is_filtered
    assert not AssetFilters().is_filtered


def test_it_reads_a_page_in_a_bounded_number_of_queries(school, django_assert_max_num_queries):
    room = place_in(school)
    people = [staff_in(school) for _ in range(3)]
    department = DepartmentFactory(school=school)
    for index in range(30):
        card(
            school,
            number=f"Q-{index}",
            place=room,
            custodian=people[index % 3],
            using_department=department,
        )
    cards = Asset.objects.filter(school=school)
    first = search_assets(cards, {})

    with django_assert_max_num_queries(10):
        page = search_assets(
            cards, {"q": "Q", "sort": "name", "after": first.rows[5].pk}, school=school
        )
        for row in page.rows:
            assert row.category.name and row.school.name and row.using_department.name
            assert row.custodian.name and row.place.full_name


def test_it_exports_the_same_cards_the_list_shows(school):
    card(school, number="E-1", status=Status.IDLE)
    card(school, number="E-2")

    cards = filter_assets(Asset.objects.all(), AssetFilters(status="idle"))

    assert [a.number for a in cards] == ["E-1"]


def test_it_totals_the_cards_on_the_books(school, other_school):
    card(school, original_value=Decimal("100.00"), net_value=Decimal("80.00"))
    card(school, original_value=Decimal("50.50"), net_value=Decimal("50.50"))
    card(school, original_value=Decimal("999.00"), status=Status.DISPOSED)
    card(other_school, original_value=Decimal("7.00"))

    mine = school_totals(Asset.objects.filter(school=school))
    every = totals_by_school(Asset.objects.all())

    assert mine == {
        "count": 2,
        "original_value": Decimal("150.50"),
        "net_value": Decimal("130.50"),
    }
    assert every[school.pk] == mine
    assert every[other_school.pk]["count"] == 1
