"""The pieces of the Excel (.xlsx) exports: openpyxl write-only sheets with a bold,
shaded header row and typed cells, written to a temporary file that ``FileResponse``
streams and then deletes.

    book = Workbook(write_only=True)
    sheet = Sheet(book, _("报修单"), [(_("报修单号"), 16, None), (_("报修时间"), 17, DATETIME)])
    sheet.append(["BX20260305001", local_naive(repair.reported_at)])
    return FileResponse(to_tempfile(book), content_type=XLSX_CONTENT_TYPE, …)
"""

import tempfile

from django.utils import timezone
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FILL = PatternFill("solid", fgColor="E3EFEF")


def local_naive(moment):
    """Excel has no time zones: the school's local wall-clock time, naive."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def header_cell(sheet, text):
    """A bold, shaded, wrapped header cell."""
    cell = WriteOnlyCell(sheet, value=str(text))
    cell.font = Font(bold=True)
    cell.fill = HEADER_FILL
    cell.alignment = Alignment(vertical="center", wrap_text=True)
    return cell


def typed_cell(sheet, value, number_format=None):
    """A cell with ``number_format`` unless it is empty."""
    cell = WriteOnlyCell(sheet, value=value)
    if number_format and value is not None and value != "":
        cell.number_format = number_format
    return cell


def set_widths(sheet, widths):
    """The widths of the columns A, B, C… in characters."""
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


class Sheet:
    """A write-only sheet: a bold title row and a subtitle row when given, then the frozen
    header row and typed cells. ``columns`` are ``(header, width, number_format or
    None)``; ``wrap_lines`` wraps the texts that span several lines."""

    def __init__(self, book, name, columns, *, title=None, subtitle=None, wrap_lines=False):
        self.sheet = book.create_sheet(name)
        self.columns = columns
        self.wrap_lines = wrap_lines
        set_widths(self.sheet, [width for _header, width, _format in columns])
        if title is None:
            self.sheet.freeze_panes = "A2"
        else:
            self.sheet.freeze_panes = "A4"
            heading = WriteOnlyCell(self.sheet, value=title)
            heading.font = Font(bold=True, size=14)
            self.sheet.append([heading])
            self.sheet.append([subtitle])
        self.sheet.append([header_cell(self.sheet, header) for header, _w, _f in columns])

    def append(self, values):
        row = []
        for (_header, _width, number_format), value in zip(self.columns, values, strict=True):
            cell = typed_cell(self.sheet, value, number_format)
            if self.wrap_lines and isinstance(value, str) and "\n" in value:
                cell.alignment = Alignment(vertical="top", wrap_text=True)
            row.append(cell)
        self.sheet.append(row)


def to_tempfile(book):
    """The saved workbook in a temporary file, rewound. Handed to ``FileResponse``, which
    closes it (and so deletes it) once it is sent."""
    output = tempfile.TemporaryFile()  # noqa: SIM115
    book.save(output)
    output.seek(0)
    return output
