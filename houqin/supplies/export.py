"""物品领用和归还清单 as Excel: every issue and return in a period, one row each, with
what each person still holds, written with openpyxl in write-only mode from an iterator."""

from io import BytesIO

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from houqin.supplies.models import StockMove
from houqin.supplies.reports import USAGE_KINDS, bounds

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def ledger_rows(school, start, end):
    low, high = bounds(start, end)
    moves = (
        StockMove.objects.filter(school=school, kind__in=USAGE_KINDS, at__gte=low, at__lt=high)
        .select_related("item", "store", "person", "department", "requisition_line")
        .order_by("at", "pk")
    )
    for move in moves.iterator(chunk_size=2000):
        line = move.requisition_line
        yield [
            timezone.localtime(move.at).strftime("%Y-%m-%d %H:%M"),
            move.note,
            move.get_kind_display(),
            move.person.name if move.person else "",
            move.department.name if move.department else "",
            move.item.name,
            move.item.spec,
            move.item.unit,
            abs(move.quantity),
            move.unit_price,
            abs(move.quantity) * move.unit_price,
            _("是") if move.item.returnable else _("否"),
            line.issued - line.returned if line and move.item.returnable else "",
            move.store.name,
        ]


def ledger_workbook(school, start, end) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("领用和归还清单"))
    sheet.append([_("物品领用和归还清单 %(start)s 至 %(end)s") % {"start": start, "end": end}])
    sheet.append(
        [
            _("时间"),
            _("领用单"),
            _("类型"),
            _("领用人"),
            _("部门"),
            _("物品"),
            _("规格"),
            _("单位"),
            _("数量"),
            _("单价(元)"),
            _("金额(元)"),
            _("需归还"),
            _("未还数量"),
            _("库房"),
        ]
    )
    for row in ledger_rows(school, start, end):
        sheet.append(row)
    output = BytesIO()
    book.save(output)
    return output.getvalue()


def ledger_response(school, start, end):
    response = HttpResponse(ledger_workbook(school, start, end), content_type=XLSX)
    name = f"supplies-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
