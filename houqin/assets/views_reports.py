"""辖区资产 (the district's cards) and the reports: 折旧报表 and 资产总账, with their Excel.

The district list is for district officers (``assets.view_district``): the cards of every
school of their district through the same ``listing.search_assets`` as the school's list,
counts capped, and each school's totals (one aggregate for the school chosen; the table
of every school is one GROUP BY, cached for a few minutes and loaded after the page).
The reports are for the school's managers (``assets.view_all``), limited to the cards
they may see; their filters are in the query string, so the page, its export and a
bookmark show the same numbers.
"""

import tempfile
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from houqin.accounts.access import (
    require_perm,
    school_required,
    staff_of,
)
from houqin.assets.access import visible_assets
from houqin.assets.depreciation import GROUP_DEPARTMENT, depreciation_report, ledger_report
from houqin.assets.forms_reports import (
    DepreciationReportForm,
    DistrictFilterForm,
    LedgerReportForm,
)
from houqin.assets.listing import school_totals, search_assets, totals_by_school
from houqin.assets.models import Asset, Status
from houqin.core.htmx import render_page
from houqin.org.models import School

DISTRICT_PERM = "assets.view_district"
REPORT_PERM = "assets.view_all"
SUMMARY_SECONDS = 10 * 60
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00"
HEADER_FILL = PatternFill("solid", fgColor="E3EFEF")


# --- The district ------------------------------------------------------------------------


def _district_scope(request):
    """The officer's district and its schools; 403 for anyone else."""
    staff = staff_of(request.user)
    require_perm(request, DISTRICT_PERM)
    if staff is None or staff.district_id is None:
        raise PermissionDenied
    schools = list(School.objects.filter(district_id=staff.district_id).order_by("name"))
    return staff.district, schools


@login_required
def district_list(request):
    """辖区资产: every card of the district's schools, with the school's list filters."""
    district, schools = _district_scope(request)
    cards = Asset.objects.filter(school__in=[school.pk for school in schools])
    page = search_assets(cards, request.GET)
    selected = next((s for s in schools if s.pk == page.filters.school), None)
    context = {
        "district": district,
        "form": DistrictFilterForm(request.GET or None, schools=schools),
        "page": page,
        "school": selected,
        "totals": school_totals(cards.filter(school=selected)) if selected else None,
    }
    return render_page(request, "assets/reports/district.html", context)


@login_required
def district_summary(request):
    """各校资产汇总: cards on the books, original and net value of each school."""
    district, schools = _district_scope(request)
    key = f"assets:district-summary:{district.pk}"
    summary = cache.get(key)
    if summary is None:
        cards = Asset.objects.filter(school__in=[school.pk for school in schools])
        summary = {"at": timezone.now(), "totals": totals_by_school(cards)}
        cache.set(key, summary, SUMMARY_SECONDS)
    empty = {"count": 0, "original_value": 0, "net_value": 0}
    rows = [(school, summary["totals"].get(school.pk, empty)) for school in schools]
    context = {
        "district": district,
        "rows": rows,
        "computed_at": summary["at"],
        "total": {
            name: sum(totals[name] for _school, totals in rows)
            for name in ("count", "original_value", "net_value")
        },
    }
    return render_page(request, "assets/reports/district_summary.html", context, partial="summary")


# --- The school's reports ----------------------------------------------------------------


def _depreciation(request):
    form = DepreciationReportForm(request.GET or None, school=request.school)
    group, start, end = form.choice()
    report = depreciation_report(
        visible_assets(request),
        school=request.school,
        group=group,
        start=start,
        end=end,
    )
    return form, report


@school_required(perm=REPORT_PERM)
def depreciation_page(request):
    """折旧报表: a month's or a year's depreciation by class or by department."""
    form, report = _depreciation(request)
    context = {
        "form": form,
        "report": report,
        "section": "depreciation",
        "query": urlencode({k: v for k, v in request.GET.items() if k in form.fields}),
    }
    return render_page(request, "assets/reports/depreciation.html", context)


@school_required(perm=REPORT_PERM)
def depreciation_export(request):
    _form, report = _depreciation(request)
    period = report.period_label
    by = _("使用部门") if report.group == GROUP_DEPARTMENT else _("资产分类")
    book = Workbook(write_only=True)
    sheet = _Sheet(
        book,
        _("折旧报表"),
        [(by, 30), (_("卡片数"), 10), (_("原值(元)"), 16)]
        + [(_("本期折旧(元)"), 16), (_("累计折旧(元)"), 16), (_("净值(元)"), 16)],
    )
    sheet.title(
        _("%(school)s 固定资产折旧报表 %(period)s")
        % {"school": request.school.name, "period": period}
    )
    for row in [*report.rows, report.total]:
        sheet.row(
            [
                row.label,
                row.count,
                row.original_value,
                row.period_amount,
                row.accumulated,
                row.net_value,
            ],
            bold=row is report.total,
        )
    sheet.note(
        _("原值、累计折旧、净值为当前在账卡片（不含已处置）；本期折旧为所选期间已计提的折旧。")
    )
    return _xlsx(book, f"{_('折旧报表')}-{period}.xlsx")


def _ledger(request):
    form = LedgerReportForm(request.GET or None)
    group = form.chosen_group()
    rows, total = ledger_report(visible_assets(request), group=group)
    return form, rows, total


@school_required(perm=REPORT_PERM)
def ledger_page(request):
    """资产总账: counts and values by class × status."""
    form, rows, total = _ledger(request)
    context = {
        "form": form,
        "rows": rows,
        "total": total,
        "statuses": Status.choices,
        "section": "ledger",
        "query": urlencode({k: v for k, v in request.GET.items() if k in form.fields}),
    }
    return render_page(request, "assets/reports/ledger.html", context)


@school_required(perm=REPORT_PERM)
def ledger_export(request):
    _form, rows, total = _ledger(request)
    columns = [(_("资产分类"), 30)]
    for _value, label in Status.choices:
        columns += [(_("%(status)s张数") % {"status": label}, 10)]
        columns += [(_("%(status)s原值(元)") % {"status": label}, 16)]
    columns += [
        (_("在账张数"), 10),
        (_("在账原值(元)"), 16),
        (_("累计折旧(元)"), 16),
        (_("净值(元)"), 16),
    ]
    book = Workbook(write_only=True)
    sheet = _Sheet(book, _("资产总账"), columns)
    today = timezone.localdate()
    sheet.title(
        _("%(school)s 固定资产总账 %(day)s")
        % {"school": request.school.name, "day": f"{today:%Y-%m-%d}"}
    )
    for row in [*rows, total]:
        values = [row.label]
        for cell in row.cells:
            values += [cell.count, cell.original_value]
        books = row.books
        values += [books.count, books.original_value, books.accumulated, books.net_value]
        sheet.row(values, bold=row is total)
    sheet.note(_("在账：除已处置以外的全部卡片。"))
    return _xlsx(book, f"{_('资产总账')}-{today:%Y-%m-%d}.xlsx")


class _Sheet:
    """A write-only sheet: a title line, a bold header, rows with money formatted."""

    def __init__(self, book, name, columns):
        self.sheet = book.create_sheet(name)
        self.columns = columns
        for index, (_header, width) in enumerate(columns, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width

    def _cell(self, value, *, bold=False, fill=None, number_format=None):
        cell = WriteOnlyCell(self.sheet, value=value)
        if bold:
            cell.font = Font(bold=True)
        if fill:
            cell.fill = fill
        if number_format:
            cell.number_format = number_format
        return cell

    def title(self, text):
        self.sheet.append([self._cell(text, bold=True)])
        self.sheet.append([])
        self.sheet.append(
            [self._cell(str(header), bold=True, fill=HEADER_FILL) for header, _w in self.columns]
        )

    def row(self, values, *, bold=False):
        cells = []
        for value in values:
            money = isinstance(value, Decimal)
            cells.append(
                self._cell(value, bold=bold, number_format=MONEY_FORMAT if money else None)
            )
        self.sheet.append(cells)

    def note(self, text):
        self.sheet.append([])
        self.sheet.append([self._cell(text)])


def _xlsx(book, filename):
    # Handed to FileResponse, which closes it (and so deletes it) once it is sent.
    output = tempfile.TemporaryFile()  # noqa: SIM115
    book.save(output)
    output.seek(0)
    return FileResponse(
        output, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )
