"""The monthly leave report for the teacher assessment (月度考勤): days of leave per person
and type, overruns (超假), unapproved absences (旷工) and going-out slips — on the page and
as an Excel workbook.

A leave or absence that runs over the month's edge counts only its days inside the month,
on the school calendar (working days, or calendar days for types counted that way). The
report runs a fixed number of queries whatever the school's size.
"""

from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook

from houqin.core.xlsx import XLSX_CONTENT_TYPE as XLSX_CONTENT_TYPE
from houqin.core.xlsx import Sheet, local_naive, to_tempfile
from houqin.leave.counting import count_leave, workdays_in_halves
from houqin.leave.models import (
    Absence,
    HalfDay,
    LeaveStatus,
    LeaveType,
    SlipStatus,
)
from houqin.org.calendar import SchoolCalendar

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DAYS_FORMAT = "0.0"
ZERO = Decimal("0")

# Leaves that count: approved, or approved and reported back.
COUNTED = (LeaveStatus.APPROVED, LeaveStatus.ENDED)
SLIPS_COUNTED = (SlipStatus.APPROVED, SlipStatus.OUT, SlipStatus.BACK)


def month_bounds(year, month):
    return date(year, month, 1), date(year, month, monthrange(year, month)[1])


def leave_days_within(leave, first, last, calendar):
    """The days of ``leave`` inside ``first``–``last``: its own count when it lies wholly
    inside, else the part inside counted on the school ``calendar`` (``counting.py``)."""
    if leave.start_date >= first and leave.end_date <= last:
        return leave.days
    start, start_part = (
        (leave.start_date, leave.start_part) if leave.start_date >= first else (first, HalfDay.FULL)
    )
    end, end_part = (
        (leave.end_date, leave.end_part) if leave.end_date <= last else (last, HalfDay.FULL)
    )
    if end < start:
        return ZERO
    return count_leave(
        leave.school_id, leave.leave_type, start, start_part, end, end_part, calendar=calendar
    ).days


def absence_days_within(absence, first, last, calendar):
    """The working days of ``absence`` inside ``first``–``last``."""
    if absence.start_date >= first and absence.end_date <= last:
        return absence.days
    start, end = max(absence.start_date, first), min(absence.end_date, last)
    return workdays_in_halves(absence.school_id, start, 0, end, 1, calendar=calendar)


@dataclass
class PersonRow:
    staff: object
    by_type: dict = field(default_factory=dict)  # type id → days
    overrun: Decimal = ZERO
    unapproved: Decimal = ZERO
    slips: int = 0
    cells: list = field(default_factory=list)  # days per report type, in order

    @property
    def total(self):
        return sum(self.by_type.values(), ZERO)

    @property
    def department(self):
        return self.staff.department.name if self.staff.department_id else ""


@dataclass
class MonthlyReport:
    school: object
    first: date
    last: date
    types: list
    rows: list
    leaves: list  # (leave, days in month)
    absences: list  # (absence, days in month)
    type_totals: list
    overrun_total: Decimal
    unapproved_total: Decimal
    slip_total: int

    @property
    def leave_total(self):
        return sum(self.type_totals, ZERO)


def monthly_report(school, *, year, month, leaves, absences, slips, staff=None):
    """The report for ``year``-``month``. ``leaves``, ``absences`` and ``slips`` are
    querysets already narrowed to what the user may see (and to a department, if
    filtered); ``staff`` (a queryset) adds everyone in it, with zeros, to the rows."""
    first, last = month_bounds(year, month)
    calendar = SchoolCalendar(school, first, last)
    leaves = list(
        leaves.filter(status__in=COUNTED, start_date__lte=last, end_date__gte=first)
        .select_related("staff__department", "leave_type")
        .order_by("start_date", "pk")
    )
    absences = list(
        absences.filter(start_date__lte=last, end_date__gte=first)
        .select_related("staff__department", "leave__leave_type")
        .order_by("start_date", "pk")
    )
    slip_counts = {}
    for staff_id in slips.filter(
        status__in=SLIPS_COUNTED,
        planned_out__date__gte=first,
        planned_out__date__lte=last,
    ).values_list("staff_id", flat=True):
        slip_counts[staff_id] = slip_counts.get(staff_id, 0) + 1

    rows = {}

    def row_for(person):
        if person.pk not in rows:
            rows[person.pk] = PersonRow(person)
        return rows[person.pk]

    if staff is not None:
        for person in staff.select_related("department"):
            row_for(person)
    leave_rows = []
    type_ids = set()
    for leave in leaves:
        days = leave_days_within(leave, first, last, calendar)
        row = row_for(leave.staff)
        row.by_type[leave.leave_type_id] = row.by_type.get(leave.leave_type_id, ZERO) + days
        type_ids.add(leave.leave_type_id)
        leave_rows.append((leave, days))
    absence_rows = []
    for absence in absences:
        days = absence_days_within(absence, first, last, calendar)
        row = row_for(absence.staff)
        if absence.kind == Absence.Kind.OVERRUN:
            row.overrun += days
        else:
            row.unapproved += days
        absence_rows.append((absence, days))
    if slip_counts:
        from houqin.accounts.models import Staff

        missing = set(slip_counts) - set(rows)
        for person in Staff.objects.filter(pk__in=missing).select_related("department"):
            row_for(person)
        for staff_id, count in slip_counts.items():
            rows[staff_id].slips = count

    types = [
        t
        for t in LeaveType.objects.filter(school=school).order_by("order", "pk")
        if t.is_active or t.pk in type_ids
    ]
    ordered = sorted(
        rows.values(),
        key=lambda r: (r.department == "", r.department, r.staff.staff_no, r.staff.pk),
    )
    for row in ordered:
        row.cells = [row.by_type.get(t.pk, ZERO) for t in types]
    return MonthlyReport(
        school=school,
        first=first,
        last=last,
        types=types,
        rows=ordered,
        leaves=leave_rows,
        absences=absence_rows,
        type_totals=[sum((r.by_type.get(t.pk, ZERO) for r in ordered), ZERO) for t in types],
        overrun_total=sum((r.overrun for r in ordered), ZERO),
        unapproved_total=sum((r.unapproved for r in ordered), ZERO),
        slip_total=sum(r.slips for r in ordered),
    )


# ---------------------------------------------------------------------------------------
# Excel


def _part(day, part):
    if part in (HalfDay.AM, HalfDay.PM):
        return f"{day:%Y-%m-%d} {HalfDay(part).label}"
    return f"{day:%Y-%m-%d}"


def monthly_workbook(report):
    """Three sheets: the summary per person, the leaves in the month, the absences."""
    book = Workbook(write_only=True)
    days = DAYS_FORMAT
    summary = Sheet(
        book,
        _("月度汇总"),
        [
            (_("工号"), 10, None),
            (_("姓名"), 10, None),
            (_("部门"), 16, None),
            *[(t.name, 8, days) for t in report.types],
            (_("请假合计(天)"), 12, days),
            (_("超假(天)"), 9, days),
            (_("旷工(天)"), 9, days),
            (_("出门(次)"), 9, "0"),
        ],
    )
    for row in report.rows:
        summary.append(
            [
                row.staff.staff_no,
                row.staff.name,
                row.department,
                *row.cells,
                row.total,
                row.overrun,
                row.unapproved,
                row.slips,
            ]
        )
    summary.append(
        [
            "",
            _("合计"),
            "",
            *report.type_totals,
            report.leave_total,
            report.overrun_total,
            report.unapproved_total,
            report.slip_total,
        ]
    )

    details = Sheet(
        book,
        _("请假明细"),
        [
            (_("工号"), 10, None),
            (_("姓名"), 10, None),
            (_("部门"), 16, None),
            (_("类型"), 8, None),
            (_("开始"), 16, None),
            (_("结束"), 16, None),
            (_("节次"), 8, None),
            (_("请假天数"), 9, days),
            (_("本月天数"), 9, days),
            (_("状态"), 9, None),
            (_("销假日期"), 12, DATE_FORMAT),
            (_("超期天数"), 9, days),
            (_("事由"), 30, None),
        ],
    )
    for leave, in_month in report.leaves:
        details.append(
            [
                leave.staff.staff_no,
                leave.staff.name,
                leave.staff.department.name if leave.staff.department_id else "",
                leave.leave_type.name,
                _part(leave.start_date, leave.start_part),
                _part(leave.end_date, leave.end_part),
                leave.periods,
                leave.days,
                in_month,
                leave.get_status_display(),
                leave.returned_on,
                leave.overrun_days,
                leave.reason,
            ]
        )

    absences = Sheet(
        book,
        _("超假与旷工"),
        [
            (_("工号"), 10, None),
            (_("姓名"), 10, None),
            (_("部门"), 16, None),
            (_("类型"), 8, None),
            (_("开始日期"), 12, DATE_FORMAT),
            (_("结束日期"), 12, DATE_FORMAT),
            (_("天数"), 8, days),
            (_("本月天数"), 9, days),
            (_("说明"), 30, None),
            (_("记录时间"), 17, DATETIME_FORMAT),
        ],
    )
    for absence, in_month in report.absences:
        absences.append(
            [
                absence.staff.staff_no,
                absence.staff.name,
                absence.staff.department.name if absence.staff.department_id else "",
                absence.get_kind_display(),
                absence.start_date,
                absence.end_date,
                absence.days,
                in_month,
                absence.note,
                local_naive(absence.created_at),
            ]
        )
    return to_tempfile(book)


def filename(report, department=None):
    """``请假月报-2026-10.xlsx`` (with the department's name when filtered)."""
    label = _("请假月报")
    if department is not None:
        label = f"{label}-{department.name}"
    return f"{label}-{report.first:%Y-%m}.xlsx"
