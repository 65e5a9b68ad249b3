"""The hazard register as an Excel ledger (安全隐患排查整治台账) in the layout inspectors
expect: a title row, what was exported, then one row per hazard in the order found; and a
second sheet with the 重大 hazards' rectification plans (目标, 措施, 资金, 人员, 时限,
应急预案).

Moments are real Excel date-times (local time), deadlines real dates, money a number with
two decimals. The workbook is written in openpyxl's write-only mode to a temporary file
that ``FileResponse`` streams and then deletes; it runs a fixed number of queries.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from houqin.core.xlsx import HEADER_FILL, local_naive, to_tempfile
from houqin.core.xlsx import XLSX_CONTENT_TYPE as XLSX_CONTENT_TYPE
from houqin.hazards.models import Grade, HazardPlan, Status

DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
MONEY_FORMAT = "#,##0.00"
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(vertical="top", wrap_text=True)
# Rows above the table: the title, then what was exported.
HEADER_ROW = 3


class _LedgerSheet:
    """A write-only sheet: a merged title row, a note row, a bold header row with borders,
    then typed, bordered, wrapped cells; printed landscape, the header on every page."""

    def __init__(self, book, title, heading, note, columns):
        self.sheet = book.create_sheet(title)
        self.columns = columns  # [(header, width, number_format or None)]
        last = get_column_letter(len(columns))
        for index, (_header, width, _format) in enumerate(columns, 1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        self.sheet.freeze_panes = f"A{HEADER_ROW + 1}"
        self.sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
        self.sheet.page_setup.orientation = "landscape"
        self.sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        self.sheet.page_setup.fitToWidth = 1
        self.sheet.page_setup.fitToHeight = 0
        self.sheet.sheet_properties.pageSetUpPr.fitToPage = True
        self.sheet.merged_cells.add(f"A1:{last}1")
        self.sheet.merged_cells.add(f"A2:{last}2")
        self.sheet.row_dimensions[1].height = 30

        title_cell = WriteOnlyCell(self.sheet, value=heading)
        title_cell.font = Font(bold=True, size=16)
        title_cell.alignment = Alignment(horizontal="center", vertical="center")
        self.sheet.append([title_cell])
        note_cell = WriteOnlyCell(self.sheet, value=note)
        note_cell.alignment = Alignment(horizontal="left", vertical="center")
        self.sheet.append([note_cell])
        self.sheet.append([self._header(header) for header, _w, _f in columns])

    def _header(self, text):
        cell = WriteOnlyCell(self.sheet, value=str(text))
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        return cell

    def append(self, values):
        row = []
        for (_header, _width, number_format), value in zip(self.columns, values, strict=True):
            cell = WriteOnlyCell(self.sheet, value=value)
            cell.border = BORDER
            cell.alignment = WRAP
            if number_format and value not in (None, ""):
                cell.number_format = number_format
            row.append(cell)
        self.sheet.append(row)


def ledger_columns():
    when, day = DATETIME_FORMAT, DATE_FORMAT
    return [
        (_("序号"), 6, "0"),
        (_("隐患编号"), 14, None),
        (_("发现时间"), 16, when),
        (_("发现人"), 9, None),
        (_("地点"), 18, None),
        (_("隐患类别"), 11, None),
        (_("隐患等级"), 9, None),
        (_("隐患描述"), 32, None),
        (_("整改措施/整改情况"), 32, None),
        (_("责任人"), 9, None),
        (_("整改期限"), 11, day),
        (_("整改完成时间"), 16, when),
        (_("验证人"), 9, None),
        (_("验证时间"), 16, when),
        (_("状态(销号)"), 12, None),
        (_("备注"), 24, None),
    ]


def plan_columns():
    return [
        (_("序号"), 6, "0"),
        (_("隐患编号"), 14, None),
        (_("发现时间"), 16, DATETIME_FORMAT),
        (_("地点"), 18, None),
        (_("隐患描述"), 28, None),
        (_("状态"), 9, None),
        (_("整改目标"), 26, None),
        (_("整改措施"), 32, None),
        (_("整改资金(元)"), 13, MONEY_FORMAT),
        (_("责任人员"), 14, None),
        (_("完成时限"), 11, DATE_FORMAT),
        (_("应急预案和临时防范措施"), 32, None),
    ]


def _name(person):
    return person.name if person is not None else ""


def _place(hazard):
    parts = [hazard.place.full_name if hazard.place_id else "", hazard.location_note]
    return " ".join(part for part in parts if part)


def _description(hazard):
    return "\n".join(part for part in (hazard.title, hazard.detail) if part)


def _plan(hazard):
    try:
        return hazard.plan
    except HazardPlan.DoesNotExist:
        return None


def _rectification(hazard):
    """The plan's measures for a 重大 hazard, then what was done."""
    plan = _plan(hazard)
    if plan is None:
        return hazard.rectification
    parts = [_("整改措施：%(text)s") % {"text": plan.measures}]
    if hazard.rectification:
        parts.append(_("整改情况：%(text)s") % {"text": hazard.rectification})
    return "\n".join(parts)


def _status(hazard):
    if hazard.status == Status.CLOSED and hazard.closed_at:
        return _("已销号 %(day)s") % {"day": f"{timezone.localtime(hazard.closed_at):%Y-%m-%d}"}
    return hazard.get_status_display()


def _remarks(hazard, today):
    remarks = [_("来源：%(source)s") % {"source": hazard.get_source_display()}]
    if hazard.is_overdue(today):
        remarks.append(_("已超期"))
    if hazard.reopen_count:
        remarks.append(_("复查未通过 %(n)s 次") % {"n": hazard.reopen_count})
    if hazard.repair_id:
        remarks.append(_("报修单 %(number)s") % {"number": hazard.repair.number})
    if hazard.verification_note:
        remarks.append(_("验证意见：%(note)s") % {"note": hazard.verification_note})
    if hazard.status == Status.VOID and hazard.void_reason:
        remarks.append(_("作废原因：%(reason)s") % {"reason": hazard.void_reason})
    return "；".join(remarks)


def ledger_workbook(hazards, *, school, now=None, note=""):
    """The ledger of ``hazards`` (a queryset already narrowed by the register's filters),
    oldest first, and the plans of the 重大 ones among them."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    exported = _("导出时间：%(when)s") % {"when": f"{timezone.localtime(now):%Y-%m-%d %H:%M}"}
    note = "　".join(part for part in (exported, note) if part)
    hazards = hazards.order_by("reported_at", "pk")
    book = Workbook(write_only=True)

    ledger = _LedgerSheet(
        book,
        _("隐患台账"),
        _("%(school)s安全隐患排查整治台账") % {"school": school.name},
        note,
        ledger_columns(),
    )
    rows = hazards.select_related(
        "place__building", "reported_by", "owner", "verified_by", "repair", "plan"
    )
    for index, hazard in enumerate(rows.iterator(chunk_size=500), 1):
        ledger.append(
            [
                index,
                hazard.number,
                local_naive(hazard.reported_at),
                _name(hazard.reported_by),
                _place(hazard),
                hazard.get_domain_display(),
                hazard.get_grade_display(),
                _description(hazard),
                _rectification(hazard),
                _name(hazard.owner),
                hazard.deadline,
                local_naive(hazard.rectified_at),
                _name(hazard.verified_by),
                local_naive(hazard.verified_at),
                _status(hazard),
                _remarks(hazard, today),
            ]
        )

    plans = _LedgerSheet(
        book,
        _("重大隐患"),
        _("%(school)s重大隐患整改方案") % {"school": school.name},
        note,
        plan_columns(),
    )
    majors = hazards.filter(grade=Grade.MAJOR).select_related("place__building", "plan")
    for index, hazard in enumerate(majors.iterator(chunk_size=500), 1):
        plan = _plan(hazard)
        plan_values = (
            [plan.goal, plan.measures, plan.funds, plan.people, plan.deadline, plan.emergency_plan]
            if plan
            else [_("（未填写整改方案）"), "", None, "", None, ""]
        )
        plans.append(
            [
                index,
                hazard.number,
                local_naive(hazard.reported_at),
                _place(hazard),
                _description(hazard),
                _status(hazard),
                *plan_values,
            ]
        )
    return to_tempfile(book)


def filename(label, school):
    """``善真学校安全隐患排查整治台账-2026-03-20.xlsx``."""
    return f"{school.name}{label}-{timezone.localdate():%Y-%m-%d}.xlsx"
