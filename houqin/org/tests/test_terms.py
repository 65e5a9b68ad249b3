from datetime import date

import pytest

from houqin.accounts.roles import Position
from houqin.org.models import AcademicYear, Term
from houqin.org.tests.factories import AcademicYearFactory, TermFactory


@pytest.fixture
def year(school):
    return AcademicYearFactory(school=school)


@pytest.fixture
def principal(school, make_staff):
    return make_staff(school, Position.PRINCIPAL, name="校长")


def test_it_lists_years_with_their_terms_and_weeks(login, teacher, year):
    TermFactory(academic_year=year, teaching_weeks=19)
    body = login(teacher).get("/org/terms/").content.decode()
    assert "2026-2027" in body
    assert "第一学期" in body
    assert "19 周" in body
    # 2026-09-01 is a Tuesday; 2027-01-22 a Friday: weeks 1..21 of the calendar.
    assert "校历跨 21 周" in body
    assert "新建学年" not in body


def test_it_shows_an_empty_state(login, teacher):
    assert "还没有学年" in login(teacher).get("/org/terms/").content.decode()


def test_it_lists_many_terms_in_few_queries(login, teacher, school, django_assert_max_num_queries):
    for n in range(10):
        year = AcademicYearFactory(
            school=school,
            name=f"{2010 + n}-{2011 + n}",
            start=date(2010 + n, 8, 1),
            end=date(2011 + n, 7, 31),
        )
        TermFactory(academic_year=year, start=date(2010 + n, 9, 1), end=date(2011 + n, 1, 20))
        TermFactory(
            academic_year=year,
            name="第二学期",
            start=date(2011 + n, 2, 20),
            end=date(2011 + n, 7, 10),
        )
    client = login(teacher)
    with django_assert_max_num_queries(13):
        response = client.get("/org/terms/")
    assert response.content.decode().count("第二学期") == 10


def test_it_creates_a_year_in_the_users_school(login, principal, school, other_school):
    response = login(principal).post(
        "/org/years/new/",
        {
            "name": "2027-2028",
            "start": "2027-08-01",
            "end": "2028-07-31",
            "school": other_school.pk,
        },
    )
    assert response.status_code == 302
    assert AcademicYear.objects.get().school == school


def test_it_refuses_a_year_that_ends_before_it_starts(login, principal):
    response = login(principal).post(
        "/org/years/new/", {"name": "2027-2028", "start": "2027-08-01", "end": "2027-07-31"}
    )
    assert "结束日期必须晚于开始日期" in response.content.decode()
    assert not AcademicYear.objects.exists()


def test_it_refuses_a_duplicate_year_name(login, principal, year):
    response = login(principal).post(
        "/org/years/new/", {"name": "2026-2027", "start": "2026-09-01", "end": "2027-07-01"}
    )
    assert "本校已有学年 2026-2027" in response.content.decode()


def test_it_edits_a_year(login, principal, year):
    login(principal).post(
        f"/org/years/{year.pk}/edit/",
        {"name": "2026学年", "start": "2026-08-01", "end": "2027-07-31"},
    )
    year.refresh_from_db()
    assert year.name == "2026学年"


def test_it_creates_a_term(login, principal, school, year):
    response = login(principal).post(
        "/org/terms/new/",
        {
            "academic_year": year.pk,
            "name": "第一学期",
            "start": "2026-09-01",
            "end": "2027-01-22",
            "teaching_weeks": 20,
        },
    )
    assert response.status_code == 302
    term = Term.objects.get()
    assert (term.school, term.teaching_weeks) == (school, 20)


def test_it_refuses_an_overlapping_term(login, principal, year):
    TermFactory(academic_year=year)
    response = login(principal).post(
        "/org/terms/new/",
        {
            "academic_year": year.pk,
            "name": "第二学期",
            "start": "2027-01-10",
            "end": "2027-06-30",
            "teaching_weeks": 20,
        },
    )
    assert "与已有学期的日期重叠" in response.content.decode()
    assert Term.objects.count() == 1


def test_it_refuses_a_term_outside_its_year(login, principal, year):
    response = login(principal).post(
        "/org/terms/new/",
        {
            "academic_year": year.pk,
            "name": "第二学期",
            "start": "2027-02-20",
            "end": "2027-08-30",
            "teaching_weeks": 20,
        },
    )
    assert "学期必须在学年的起止日期之内" in response.content.decode()
    assert not Term.objects.exists()


def test_it_refuses_another_schools_year(login, principal, other_school):
    year = AcademicYearFactory(school=other_school)
    response = login(principal).post(
        "/org/terms/new/",
        {
            "academic_year": year.pk,
            "name": "第一学期",
            "start": "2026-09-01",
            "end": "2027-01-22",
            "teaching_weeks": 20,
        },
    )
    assert response.status_code == 200
    assert not Term.objects.exists()


def test_it_edits_a_term(login, principal, year):
    term = TermFactory(academic_year=year)
    response = login(principal).post(
        f"/org/terms/{term.pk}/edit/",
        {
            "academic_year": year.pk,
            "name": "秋季学期",
            "start": "2026-09-01",
            "end": "2027-01-22",
            "teaching_weeks": 20,
        },
    )
    assert response.status_code == 302
    term.refresh_from_db()
    assert term.name == "秋季学期"


def test_it_forbids_reading_without_view_org(login, school, make_staff):
    assert login(make_staff(school)).get("/org/terms/").status_code == 403


@pytest.mark.parametrize(
    "url",
    ["/org/years/new/", "/org/years/{year}/edit/", "/org/terms/new/", "/org/terms/{term}/edit/"],
)
def test_it_forbids_managing_without_the_permission(login, manager, year, url):
    term = TermFactory(academic_year=year)
    assert login(manager).get(url.format(year=year.pk, term=term.pk)).status_code == 403


@pytest.mark.parametrize("url", ["/org/years/{year}/edit/", "/org/terms/{term}/edit/"])
def test_it_hides_another_schools_years_and_terms(login, sysadmin, other_school, url):
    year = AcademicYearFactory(school=other_school)
    term = TermFactory(academic_year=year)
    assert login(sysadmin).get(url.format(year=year.pk, term=term.pk)).status_code == 404
