"""The office screens: who is away, cover, the monthly report and its export, 旷工,
leave types and the maternity table."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time
from openpyxl import load_workbook

from houqin.accounts.models import Appointment
from houqin.accounts.roles import Position
from houqin.leave.models import Absence, Cover, HalfDay, LeaveType
from houqin.leave.tests.factories import (
    GoingOutSlipFactory,
    LeaveRequestFactory,
    LeaveTypeFactory,
    MaternityRuleFactory,
)
from houqin.org.tests.factories import DepartmentFactory, SchoolClassFactory

TODAY = date(2026, 10, 13)  # a Tuesday
FULL = {"start_part": "full", "end_part": "full"}


@pytest.fixture(autouse=True)
def _frozen():
    with freeze_time(timezone.make_aware(datetime.combine(TODAY, time(10, 0)))):
        yield


@pytest.fixture
def maths(school):
    return DepartmentFactory(school=school, name="数学组", code="SX")


@pytest.fixture
def chinese(school):
    return DepartmentFactory(school=school, name="语文组", code="YW")


@pytest.fixture
def principal(school, make_staff):
    return make_staff(school, Position.PRINCIPAL, name="陈校长")


@pytest.fixture
def personal(school):
    return LeaveTypeFactory(school=school, code="personal", name="事假", order=1)


@pytest.fixture
def sick(school):
    return LeaveTypeFactory(school=school, sick=True, order=2)


@pytest.fixture
def amy(school, make_staff, maths):
    return make_staff(school, Position.TEACHER, name="李老师", department=maths, staff_no="T1")


@pytest.fixture
def bob(school, make_staff, chinese):
    return make_staff(school, Position.TEACHER, name="王老师", department=chinese, staff_no="T2")


def leave(staff, leave_type, start, end=None, days="1", **fields):
    return LeaveRequestFactory(
        staff=staff,
        leave_type=leave_type,
        start_date=start,
        end_date=end or start,
        days=Decimal(days),
        **fields,
    )


# ---------------------------------------------------------------------------------------
# Permissions and tenancy

OFFICE_PAGES = [
    "leave:office",
    "leave:office_away",
    "leave:office_cover_list",
    "leave:office_monthly",
    "leave:office_monthly_export",
    "leave:office_absences",
    "leave:office_absence_create",
    "leave:office_types",
    "leave:office_type_create",
]


@pytest.mark.parametrize("name", OFFICE_PAGES)
def test_it_refuses_teachers_the_office_pages(name, login, teacher):
    assert login(teacher).get(reverse(name)).status_code == 403


def test_it_keeps_type_settings_to_leave_managers(login, principal, sysadmin, manager):
    assert login(principal).get(reverse("leave:office_types")).status_code == 403
    assert login(sysadmin).get(reverse("leave:office_types")).status_code == 200
    assert login(manager).get(reverse("leave:office_type_create")).status_code == 200


def test_it_lets_a_department_head_arrange_cover_only(login, school, make_staff, maths):
    head = make_staff(school, name="数学组长")
    Appointment.objects.create(staff=head, position=Position.DEPARTMENT_HEAD, department=maths)
    client = login(head)
    assert client.get(reverse("leave:office_cover_list")).status_code == 200
    assert client.get(reverse("leave:office_monthly")).status_code == 403
    assert client.get(reverse("leave:office_away")).status_code == 403


def test_it_shows_another_schools_records_as_not_found(
    login, principal, sysadmin, other_school, personal
):
    theirs = LeaveRequestFactory(school=other_school, approved=True)
    cover = Cover.objects.create(
        school=other_school,
        leave=theirs,
        kind=Cover.Kind.SUBSTITUTE,
        date=theirs.start_date,
        period=1,
        covered_by=theirs.staff,
    )
    their_type = LeaveTypeFactory(school=other_school)
    client = login(principal)
    assert client.get(reverse("leave:office_cover", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("leave:office_cover_delete", args=[cover.pk])).status_code == 404
    client = login(sysadmin)
    assert client.get(reverse("leave:office_type_edit", args=[their_type.pk])).status_code == 404
    assert Cover.objects.filter(pk=cover.pk).exists()


# ---------------------------------------------------------------------------------------
# Who is away


def test_it_shows_who_is_away_today_by_department(
    login, principal, amy, bob, personal, sick, school, make_staff, django_assert_max_num_queries
):
    leave(amy, personal, TODAY, status="approved")
    leave(bob, sick, TODAY - timedelta(days=1), TODAY + timedelta(days=1), days="3", approved=True)
    back = make_staff(school, Position.TEACHER, name="已销假")
    back_leave = leave(back, personal, TODAY - timedelta(days=1), TODAY, days="2", ended=True)
    back_leave.returned_on = TODAY - timedelta(days=1)
    back_leave.save()
    waiting = make_staff(school, Position.TEACHER, name="审批中老师")
    leave(waiting, personal, TODAY)
    late = make_staff(school, Position.TEACHER, name="未销假老师")
    leave(late, personal, TODAY - timedelta(days=5), approved=True)
    GoingOutSlipFactory(staff=make_staff(school, Position.TEACHER, name="外出老师"), out=True)
    client = login(principal)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("leave:office_away"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "李老师" in html and "王老师" in html and "数学组" in html and "语文组" in html
    assert "已销假" not in html
    assert "审批中老师" in html and "未销假老师" in html and "外出老师" in html
    assert response.context["away_count"] == 2
    yesterday = client.get(reverse("leave:office_away"), {"day": "2026-10-12"})
    assert yesterday.context["away_count"] == 1  # 王老师; the other came back that day


def test_it_filters_away_by_department_over_htmx(login, principal, amy, bob, personal):
    leave(amy, personal, TODAY, approved=True)
    leave(bob, personal, TODAY, approved=True)
    response = login(principal).get(
        reverse("leave:office_away"),
        {"department": amy.department_id},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert "李老师" in html and "王老师" not in html
    assert "<html" not in html


# ---------------------------------------------------------------------------------------
# Cover


@pytest.fixture
def klass(school, amy):
    return SchoolClassFactory(
        school=school,
        grade__school=school,
        grade__campus=school.campus_set.first(),
        name="三(2)中队",
        head_teacher=amy,
    )


def test_it_lists_approved_leaves_still_needing_cover(
    login, principal, amy, bob, personal, klass, django_assert_max_num_queries
):
    needing = leave(amy, personal, TODAY + timedelta(days=1), approved=True)
    covered = leave(bob, personal, TODAY + timedelta(days=1), approved=True)
    Cover.objects.create(
        school=covered.school,
        leave=covered,
        kind=Cover.Kind.SUBSTITUTE,
        date=covered.start_date,
        period=2,
        covered_by=amy,
    )
    leave(bob, personal, TODAY - timedelta(days=3), approved=True)  # over
    client = login(principal)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("leave:office_cover_list"))
    assert list(response.context["leaves"]) == [needing]
    assert "需安排代班主任" in response.content.decode()
    everything = client.get(reverse("leave:office_cover_list"), {"show": "all"})
    assert set(everything.context["leaves"]) == {needing, covered}
    assert client.get(reverse("leave:office")).context["needing_cover"] == 1


def test_it_arranges_a_substitute_by_period(login, principal, amy, bob, personal, klass):
    away = leave(amy, personal, date(2026, 10, 14), approved=True)
    client = login(principal)
    page = client.get(reverse("leave:office_cover", args=[away.pk]))
    assert page.context["needs_class_teacher"]
    response = client.post(
        reverse("leave:office_cover", args=[away.pk]),
        {
            "date": "2026-10-14",
            "kind": Cover.Kind.SUBSTITUTE,
            "period": "3",
            "school_class": klass.pk,
            "subject": "数学",
            "covered_by": bob.pk,
        },
    )
    assert response.status_code == 302
    cover = Cover.objects.get()
    assert (cover.period, cover.covered_by, cover.arranged_by) == (3, bob, principal)
    # The same class and period again is refused by name.
    again = client.post(
        reverse("leave:office_cover", args=[away.pk]),
        {
            "date": "2026-10-14",
            "kind": Cover.Kind.SWAP,
            "period": "3",
            "school_class": klass.pk,
            "covered_by": bob.pk,
        },
    )
    assert again.status_code == 200
    assert "第3节已安排王老师代课" in again.content.decode()
    assert Cover.objects.count() == 1


def test_it_asks_for_the_period_and_keeps_what_was_typed(
    login, principal, amy, bob, personal, klass
):
    away = leave(amy, personal, date(2026, 10, 14), approved=True)
    response = login(principal).post(
        reverse("leave:office_cover", args=[away.pk]),
        {
            "date": "2026-10-14",
            "kind": Cover.Kind.SUBSTITUTE,
            "school_class": klass.pk,
            "subject": "数学",
            "note": "讲第三单元",
            "covered_by": bob.pk,
        },
    )
    html = response.content.decode()
    assert "代课和调课请填写节次。" in html and "讲第三单元" in html
    assert not Cover.objects.exists()


def test_it_refuses_a_cover_teacher_who_is_away_too(login, principal, amy, bob, personal, klass):
    away = leave(amy, personal, date(2026, 10, 14), approved=True)
    leave(bob, personal, date(2026, 10, 14))
    response = login(principal).post(
        reverse("leave:office_cover", args=[away.pk]),
        {
            "date": "2026-10-14",
            "kind": Cover.Kind.SUBSTITUTE,
            "period": "1",
            "school_class": klass.pk,
            "covered_by": bob.pk,
        },
    )
    assert "王老师 10-14 至 10-14 也在请事假" in response.content.decode()
    assert not Cover.objects.exists()


def test_it_names_a_stand_in_class_teacher_for_every_working_day(
    login, principal, amy, bob, personal, klass
):
    # 9-29 to 10-9: the National Day holidays are skipped, 8 and 9 October counted.
    away = leave(amy, personal, date(2026, 9, 29), date(2026, 10, 9), days="4", approved=True)
    client = login(principal)
    response = client.post(
        reverse("leave:office_cover", args=[away.pk]),
        {
            "date": "2026-09-29",
            "kind": Cover.Kind.CLASS_TEACHER,
            "period": "2",
            "school_class": klass.pk,
            "covered_by": bob.pk,
            "whole_leave": "on",
        },
    )
    assert response.status_code == 302
    days = list(Cover.objects.order_by("date").values_list("date", "period"))
    assert days == [
        (date(2026, 9, 29), None),
        (date(2026, 9, 30), None),
        (date(2026, 10, 8), None),
        (date(2026, 10, 9), None),
    ]
    page = client.get(reverse("leave:office_cover", args=[away.pk]))
    assert not page.context["needs_class_teacher"]


def test_it_cancels_a_cover(login, principal, amy, bob, personal):
    away = leave(amy, personal, date(2026, 10, 14), approved=True)
    cover = Cover.objects.create(
        school=away.school,
        leave=away,
        kind=Cover.Kind.SUBSTITUTE,
        date=away.start_date,
        period=1,
        covered_by=bob,
    )
    response = login(principal).post(reverse("leave:office_cover_delete", args=[cover.pk]))
    assert response.status_code == 302
    assert not Cover.objects.exists()


def test_it_keeps_a_department_head_to_their_department(
    login, school, make_staff, maths, amy, bob, personal
):
    head = make_staff(school, name="数学组长")
    Appointment.objects.create(staff=head, position=Position.DEPARTMENT_HEAD, department=maths)
    mine = leave(amy, personal, TODAY + timedelta(days=1), approved=True)
    theirs = leave(bob, personal, TODAY + timedelta(days=1), approved=True)
    client = login(head)
    assert list(client.get(reverse("leave:office_cover_list")).context["leaves"]) == [mine]
    assert client.get(reverse("leave:office_cover", args=[theirs.pk])).status_code == 404


# ---------------------------------------------------------------------------------------
# Monthly report and export


@pytest.fixture
def october(school, amy, bob, personal, sick):
    leave(amy, personal, date(2026, 9, 29), date(2026, 10, 9), days="4", approved=True)
    leave(amy, sick, date(2026, 10, 14), days="0.5", end_part=HalfDay.AM, ended=True)
    leave(bob, personal, date(2026, 10, 15), status="pending")  # not counted
    leave(bob, personal, date(2026, 10, 16), status="rejected")  # not counted
    Absence.objects.create(
        school=school,
        staff=bob,
        kind=Absence.Kind.UNAPPROVED,
        start_date=date(2026, 10, 19),
        end_date=date(2026, 10, 19),
        days=Decimal(1),
    )
    Absence.objects.create(
        school=school,
        staff=amy,
        kind=Absence.Kind.OVERRUN,
        start_date=date(2026, 10, 15),
        end_date=date(2026, 10, 15),
        days=Decimal("0.5"),
    )
    GoingOutSlipFactory(staff=bob, back=True)


def test_it_counts_each_persons_month(
    login, principal, amy, bob, october, personal, sick, django_assert_max_num_queries
):
    client = login(principal)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("leave:office_monthly"), {"month": "2026-10"})
    report = response.context["report"]
    rows = {row.staff.name: row for row in report.rows}
    assert rows["李老师"].by_type == {personal.pk: Decimal(2), sick.pk: Decimal("0.5")}
    assert rows["李老师"].overrun == Decimal("0.5")
    assert rows["王老师"].unapproved == Decimal(1)
    assert rows["王老师"].slips == 1
    assert rows["王老师"].total == 0
    september = client.get(reverse("leave:office_monthly"), {"month": "2026-09"})
    assert [(r.staff.name, r.total) for r in september.context["report"].rows] == [
        ("李老师", Decimal(2))
    ]


def test_it_refuses_a_bad_month_and_shows_this_month(login, principal, october):
    response = login(principal).get(reverse("leave:office_monthly"), {"month": "十月"})
    assert response.context["month"] == date(2026, 10, 1)
    assert "请选择月份" in response.content.decode()


def test_it_lists_everyone_when_asked(login, principal, amy, bob, school, make_staff):
    make_staff(school, Position.TEACHER, name="全勤老师")
    response = login(principal).get(
        reverse("leave:office_monthly"), {"month": "2026-10", "everyone": "on"}
    )
    assert "全勤老师" in {row.staff.name for row in response.context["report"].rows}


def test_it_exports_the_month_to_excel(login, principal, october, amy):
    response = login(principal).get(
        reverse("leave:office_monthly_export"), {"month": "2026-10", "department": ""}
    )
    assert response.status_code == 200
    assert "2026-10.xlsx" in response["Content-Disposition"]
    book = load_workbook(BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["月度汇总", "请假明细", "超假与旷工"]
    summary = list(book["月度汇总"].iter_rows(values_only=True))
    assert summary[0][:5] == ("工号", "姓名", "部门", "事假", "病假")
    amy_row = next(row for row in summary if row[1] == "李老师")
    assert amy_row[3:8] == (2, 0.5, 2.5, 0.5, 0)
    details = list(book["请假明细"].iter_rows(values_only=True))
    assert len(details) == 3  # header and the two counted leaves
    assert details[1][7:9] == (4, 2)  # four days in all, two of them in October


# ---------------------------------------------------------------------------------------
# 旷工


def test_it_records_an_unapproved_absence(login, manager, bob, school):
    client = login(manager)
    response = client.post(
        reverse("leave:office_absence_create"),
        {
            "staff": bob.pk,
            "start_date": "2026-10-08",
            "end_date": "2026-10-09",
            "note": "未请假",
            **FULL,
        },
    )
    assert response.status_code == 302
    absence = Absence.objects.get()
    assert (absence.kind, absence.days, absence.recorded_by) == (
        Absence.Kind.UNAPPROVED,
        Decimal(2),
        manager,
    )
    listing = client.get(reverse("leave:office_absences"), {"month": "2026-10"})
    assert "王老师" in listing.content.decode()


def test_it_refuses_an_absence_on_days_off(login, manager, bob):
    response = login(manager).post(
        reverse("leave:office_absence_create"),
        {
            "staff": bob.pk,
            "start_date": "2026-10-01",
            "end_date": "2026-10-07",
            "note": "x",
            **FULL,
        },
    )
    assert "所选时间都是休息日或节假日" in response.content.decode()
    assert not Absence.objects.exists()


def test_it_deletes_a_mistaken_absence_but_not_an_overrun(login, manager, bob, school):
    mistaken = Absence.objects.create(
        school=school,
        staff=bob,
        kind=Absence.Kind.UNAPPROVED,
        start_date=TODAY,
        end_date=TODAY,
        days=Decimal(1),
    )
    overrun = Absence.objects.create(
        school=school,
        staff=bob,
        kind=Absence.Kind.OVERRUN,
        start_date=TODAY,
        end_date=TODAY,
        days=Decimal(1),
    )
    client = login(manager)
    client.post(reverse("leave:office_absence_delete", args=[mistaken.pk]))
    client.post(reverse("leave:office_absence_delete", args=[overrun.pk]))
    assert list(Absence.objects.all()) == [overrun]


def test_it_keeps_absence_recording_to_managers(login, principal, bob):
    assert login(principal).get(reverse("leave:office_absences")).status_code == 200
    response = login(principal).post(
        reverse("leave:office_absence_create"),
        {
            "staff": bob.pk,
            "start_date": "2026-10-08",
            "end_date": "2026-10-08",
            "note": "x",
            **FULL,
        },
    )
    assert response.status_code == 403


# ---------------------------------------------------------------------------------------
# Leave types and the maternity table


def test_it_adds_and_edits_leave_types(login, manager, school, personal):
    client = login(manager)
    response = client.post(
        reverse("leave:office_type_create"),
        {
            "name": "婚假",
            "code": "marriage",
            "counting": LeaveType.Counting.WORKDAYS,
            "statutory_days": "3",
            "order": "3",
        },
    )
    assert response.status_code == 302
    marriage = LeaveType.objects.get(code="marriage")
    assert marriage.school == school and marriage.statutory_days == 3
    taken = client.post(
        reverse("leave:office_type_create"),
        {"name": "事假", "code": "personal", "counting": "workdays", "order": "1"},
    )
    html = taken.content.decode()
    assert "本校已有代码为 personal 的请假类型。" in html
    assert "本校已有名为“事假”的请假类型。" in html
    bad = client.post(
        reverse("leave:office_type_edit", args=[personal.pk]),
        {
            "name": "事假",
            "code": "personal",
            "counting": "workdays",
            "order": "1",
            "max_days_per_term": "10",
            "max_days_per_year": "5",
        },
    )
    assert "每学期上限不能大于每年上限。" in bad.content.decode()


def test_it_archives_and_restores_a_type(login, manager, personal):
    client = login(manager)
    client.post(reverse("leave:office_type_archive", args=[personal.pk]), {"reason": "不再使用"})
    personal.refresh_from_db()
    assert not personal.is_active
    client.post(reverse("leave:office_type_restore", args=[personal.pk]))
    personal.refresh_from_db()
    assert personal.is_active


def test_it_shows_the_maternity_table_to_everyone(login, teacher):
    MaternityRuleFactory(province="浙江", province_extra_days=60)
    MaternityRuleFactory(province="北京", province_extra_days=60)
    response = login(teacher).get(reverse("leave:office_maternity"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "浙江" in html and "158" in html


def test_it_renders_the_office_forms_and_partials(login, manager, personal, october):
    client = login(manager)
    assert client.get(reverse("leave:office")).status_code == 200
    assert client.get(reverse("leave:office_absence_create")).status_code == 200
    assert client.get(reverse("leave:office_type_edit", args=[personal.pk])).status_code == 200
    partial = client.get(
        reverse("leave:office_monthly"), {"month": "2026-10"}, HTTP_HX_REQUEST="true"
    )
    html = partial.content.decode()
    assert "李老师" in html and "<html" not in html


@pytest.mark.parametrize("name", OFFICE_PAGES)
def test_it_opens_every_office_page_to_leave_managers(name, login, manager):
    assert login(manager).get(reverse(name)).status_code == 200
