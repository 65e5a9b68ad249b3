"""The stocktake report: Excel (a summary sheet and the differences, write-only openpyxl
streamed from a temporary file) and PDF (reportlab, the CJK font of the QR labels, with
the lines the head, the counters and the reviewer sign)."""

import io

from django.db.models import Count, Sum
from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from houqin.core.xlsx import XLSX_CONTENT_TYPE, to_tempfile
from houqin.qr.labels import cjk_font
from houqin.stocktakes.models import Difference, Line, Scan

MONEY_FORMAT = "#,##0.00"


def summary(stocktake):
    """(label, value) rows of the report's summary."""
    lines = Line.objects.filter(stocktake=stocktake).aggregate(
        total=Count("pk"), value=Sum("net_value")
    )
    found = Line.objects.filter(stocktake=stocktake, counted_at__isnull=False).count()
    kinds = dict(
        stocktake.differences.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n")
    )
    missing_value = stocktake.differences.filter(kind=Difference.Kind.MISSING).aggregate(
        s=Sum("amount")
    )["s"]
    rows = [
        (_("盘点单号"), stocktake.number),
        (_("盘点名称"), stocktake.name),
        (_("基准日"), stocktake.base_date.isoformat()),
        (_("状态"), str(stocktake.get_status_display())),
        (_("账面卡片数"), lines["total"]),
        (_("账面净值(元)"), lines["value"] or 0),
        (_("实盘找到"), found),
        (_("盘盈物品"), Scan.objects.filter(stocktake=stocktake, line__isnull=True).count()),
    ]
    rows += [(str(label), kinds.get(value, 0)) for value, label in Difference.Kind.choices]
    rows.append((_("盘亏净值(元)"), missing_value or 0))
    return rows


def difference_rows(stocktake):
    differences = stocktake.differences.select_related(
        "line__asset",
        "line__expected_place__building",
        "line__found_place__building",
        "scan__place__building",
    ).order_by("kind", "id")
    for difference in differences.iterator(chunk_size=500):
        line, scan = difference.line, difference.scan
        if line is not None:
            number, name = line.asset.number, line.asset.name
            book_place = line.expected_place.full_name if line.expected_place_id else ""
            found_place = line.found_place.full_name if line.found_place_id else ""
        else:
            number, name = "", scan.surplus_name
            book_place, found_place = "", scan.place.full_name
        yield [
            str(difference.get_kind_display()),
            number,
            name,
            book_place,
            found_place,
            difference.amount,
            difference.cause,
            difference.handling,
        ]


DIFFERENCE_HEADERS = (
    _("差异类型"),
    _("资产编号"),
    _("资产名称"),
    _("账面地点"),
    _("实盘地点"),
    _("金额(元)"),
    _("差异原因"),
    _("处理意见"),
)


def xlsx_response(stocktake):
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("汇总"))
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 30
    for label, value in summary(stocktake):
        sheet.append([label, value])
    sheet = book.create_sheet(_("差异明细"))
    for index, width in enumerate((10, 14, 24, 24, 24, 12, 24, 24)):
        sheet.column_dimensions[chr(65 + index)].width = width
    header = []
    for text in DIFFERENCE_HEADERS:
        cell = WriteOnlyCell(sheet, value=str(text))
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in difference_rows(stocktake):
        amount = WriteOnlyCell(sheet, value=row[5])
        amount.number_format = MONEY_FORMAT
        sheet.append([*row[:5], amount, *row[6:]])
    return FileResponse(
        to_tempfile(book),
        as_attachment=True,
        filename=f"{stocktake.number}.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )


def render_pdf(stocktake):
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(_("资产盘点报告"))
    font = cjk_font()
    width, height = A4
    y = height - 20 * mm

    def line(text, size=10, x=20 * mm, step=6 * mm):
        nonlocal y
        if y < 25 * mm:
            pdf.showPage()
            y = height - 20 * mm
        pdf.setFont(font, size)
        pdf.drawString(x, y, str(text)[:70])
        y -= step

    line(stocktake.school.name, 12)
    line(_("资产盘点报告"), 16, step=10 * mm)
    for label, value in summary(stocktake):
        line(f"{label}：{value}")
    y -= 4 * mm
    line(_("差异明细"), 12, step=8 * mm)
    for row in difference_rows(stocktake):
        kind, number, name, book_place, found_place, amount, cause, handling = row
        line(f"{kind}  {number}  {name}  {amount}", 9, step=5 * mm)
        details = "  ".join(
            part
            for part in (
                book_place and _("账面：%(place)s") % {"place": book_place},
                found_place and _("实盘：%(place)s") % {"place": found_place},
                cause and _("原因：%(cause)s") % {"cause": cause},
                handling and _("处理：%(handling)s") % {"handling": handling},
            )
            if part
        )
        if details:
            line(details, 8, x=26 * mm, step=6 * mm)
    y -= 10 * mm
    counters = "、".join(c.staff.name for c in stocktake.counters.select_related("staff"))
    line(_("盘点人：%(names)s") % {"names": counters}, 10, step=12 * mm)
    for label in (_("单位负责人（签字）"), _("盘点人（签字）"), _("复核人（签字）")):
        line(f"{label}：________________    {_('日期')}：____________", 10, step=12 * mm)
    line(_("打印时间：%(time)s") % {"time": timezone.localtime().strftime("%Y-%m-%d %H:%M")}, 8)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def pdf_response(stocktake):
    response = HttpResponse(render_pdf(stocktake), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{stocktake.number}.pdf"'
    return response
