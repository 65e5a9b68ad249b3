"""辖区重大隐患: the district officer reads the 重大 hazards of every school of their
district (and only those), open first; a hazard's page is read-only."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from houqin.accounts.roles import Position
from houqin.hazards.models import HazardEvent, Status
from houqin.hazards.tests.factories import HazardFactory, HazardPlanFactory
from houqin.org.tests.factories import CampusFactory, DistrictFactory, SchoolFactory

URL = reverse("hazards:district")


def detail_url(hazard):
    return reverse("hazards:district_detail", args=[hazard.pk])


def school_of(district, name):
    school = SchoolFactory(district=district, name=name)
    CampusFactory(school=school)
    return school


@pytest.fixture
def district(school):
    district = DistrictFactory(name="善真区")
    school.district = district
    school.save()
    return district


@pytest.fixture
def officer(make_staff, district):
    return make_staff(None, Position.DISTRICT_OFFICER, name="郑科长", district=district)


@pytest.fixture
def neighbour(district):
    return school_of(district, "善真二小")


def test_it_lists_the_major_hazards_of_the_districts_schools(
    login, officer, school, neighbour, django_assert_max_num_queries
):
    yesterday = timezone.localdate() - timedelta(days=1)
    late = HazardFactory(
        school=neighbour, major=True, rectifying=True, deadline=yesterday, title="外墙空鼓"
    )
    HazardPlanFactory(hazard=late, goal="消除外墙脱落风险", funds=35000)
    ours = HazardFactory(school=school, major=True, title="锅炉压力表失效")
    closed = HazardFactory(school=school, major=True, closed=True, title="旧危房已拆除")
    HazardFactory(school=school, title="一般隐患")
    HazardFactory(school=school, major=True, status=Status.VOID)
    HazardFactory(school=school_of(DistrictFactory(), "别区学校"), major=True)
    for _n in range(5):
        HazardFactory(school=neighbour, major=True)
    client = login(officer)

    with django_assert_max_num_queries(16):
        response = client.get(URL, {"status": "all"})

    assert response.status_code == 200
    rows = list(response.context["page"])
    assert len(rows) == 8
    assert rows[-1] == closed  # open first
    assert {late, ours} <= set(rows)
    row = next(r for r in rows if r == late)
    assert row.is_late
    body = response.content.decode()
    assert "消除外墙脱落风险" in body
    assert "未填写整改方案" in body
    assert "别区学校" not in body
    assert response.context["schools"] == [
        (neighbour.pk, "善真二小", 6, 1),
        (school.pk, "善真学校", 1, 0),
    ]


def test_it_shows_open_ones_by_default_and_filters(login, officer, school, neighbour):
    yesterday = timezone.localdate() - timedelta(days=1)
    late = HazardFactory(school=neighbour, major=True, rectifying=True, deadline=yesterday)
    ours = HazardFactory(school=school, major=True)
    HazardFactory(school=school, major=True, closed=True)
    client = login(officer)

    assert set(client.get(URL).context["page"]) == {late, ours}
    assert list(client.get(URL, {"school": school.pk}).context["page"]) == [ours]
    assert list(client.get(URL, {"overdue": "on"}).context["page"]) == [late]
    assert len(client.get(URL, {"status": "closed"}).context["page"]) == 1


def test_it_refuses_the_list_to_school_people(login, manager):
    assert login(manager).get(URL).status_code == 403


def test_it_refuses_an_officer_without_a_district(login, make_staff, school):
    officer = make_staff(school, Position.DISTRICT_OFFICER)

    assert login(officer).get(URL).status_code == 403


def test_it_shows_a_major_hazard_read_only(login, officer, neighbour):
    hazard = HazardFactory(school=neighbour, major=True, title="外墙空鼓")
    HazardPlanFactory(
        hazard=hazard, emergency_plan="设置围挡，专人值守", deadline=date(2026, 4, 30)
    )
    HazardEvent.objects.create(
        hazard=hazard, action=HazardEvent.Action.PLAN, actor=hazard.reported_by.user
    )

    response = login(officer).get(detail_url(hazard))

    assert response.status_code == 200
    body = response.content.decode()
    assert "善真二小" in body and "外墙空鼓" in body
    assert "设置围挡，专人值守" in body and "2026-04-30" in body
    assert "填写整改方案" in body  # the event
    assert "<form" not in body.split('id="main"')[1]  # nothing to press


def test_it_hides_another_districts_hazard(login, officer):
    elsewhere = school_of(DistrictFactory(name="别的区"), "别区学校")
    hazard = HazardFactory(school=elsewhere, major=True)

    assert login(officer).get(detail_url(hazard)).status_code == 404


def test_it_hides_general_and_voided_hazards_from_the_district(login, officer, school):
    general = HazardFactory(school=school)
    voided = HazardFactory(school=school, major=True, status=Status.VOID)
    client = login(officer)

    assert client.get(detail_url(general)).status_code == 404
    assert client.get(detail_url(voided)).status_code == 404


def test_it_refuses_school_people_their_own_schools_district_page(login, manager, school):
    hazard = HazardFactory(school=school, major=True)

    assert login(manager).get(detail_url(hazard)).status_code == 403


def test_it_hides_another_schools_hazard_from_school_people(login, manager, neighbour):
    hazard = HazardFactory(school=neighbour, major=True)

    assert login(manager).get(detail_url(hazard)).status_code == 404
