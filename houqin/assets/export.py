"""The card list as Excel (.xlsx): every field of the card, one row per card, in number
order, with the list's filters already applied by the caller.

Written in openpyxl's write-only mode, reading the cards in chunks, to a temporary file
that ``FileResponse`` streams and then deletes: memory stays flat for a school's whole
ledger. Dates are real Excel dates, money a number with two decimals.
"""

from django.utils.translation import gettext as _
from openpyxl import Workbook

from houqin.core.xlsx import XLSX_CONTENT_TYPE as XLSX_CONTENT_TYPE
from houqin.core.xlsx import header_cell, set_widths, to_tempfile, typed_cell

DATE_FORMAT = "yyyy-mm-dd"
MONEY_FORMAT = "#,##0.00"
AREA_FORMAT = "#,##0.00"
CHUNK = 2000


def columns():
    text, day, money = None, DATE_FORMAT, MONEY_FORMAT
    return [
        (_("资产编号"), 14, text, lambda a: a.number),
        (_("资产名称"), 22, text, lambda a: a.name),
        (_("分类代码"), 12, text, lambda a: a.category.code),
        (_("分类名称"), 18, text, lambda a: a.category.name),
        (_("旧分类代码(2010版)"), 12, text, lambda a: a.legacy_code),
        (_("规格"), 14, text, lambda a: a.spec),
        (_("型号"), 14, text, lambda a: a.model_name),
        (_("品牌"), 12, text, lambda a: a.brand),
        (_("序列号"), 16, text, lambda a: a.serial_number),
        (_("计量单位"), 8, text, lambda a: a.unit),
        (_("数量"), 8, "0", lambda a: a.quantity),
        (_("面积(平方米)"), 12, AREA_FORMAT, lambda a: a.area),
        (_("取得方式"), 10, text, lambda a: a.get_acquisition_method_display()),
        (_("取得日期"), 12, day, lambda a: a.acquired_on),
        (_("记账日期"), 12, day, lambda a: a.booked_on),
        (_("原值(元)"), 14, money, lambda a: a.original_value),
        (_("财政拨款(元)"), 14, money, lambda a: a.fiscal_amount),
        (_("非财政拨款(元)"), 14, money, lambda a: a.non_fiscal_amount),
        (_("项目代码"), 12, text, lambda a: a.project_code),
        (_("经费来源"), 12, text, lambda a: a.funding_source),
        (_("采购组织形式"), 14, text, lambda a: a.procurement_form),
        (_("发票号"), 14, text, lambda a: a.invoice_number),
        (_("折旧年限(月)"), 10, "0", lambda a: a.life_months),
        (_("已提月数"), 9, "0", lambda a: a.depreciated_months),
        (_("累计折旧(元)"), 14, money, lambda a: a.accumulated_depreciation),
        (_("净值(元)"), 14, money, lambda a: a.net_value),
        (_("月折旧额(元)"), 12, money, lambda a: a.monthly_depreciation),
        (_("使用状态"), 9, text, lambda a: a.get_status_display()),
        (_("用途"), 12, text, lambda a: a.purpose),
        (_("管理部门"), 14, text, lambda a: _name(a.managing_department)),
        (_("使用部门"), 14, text, lambda a: _name(a.using_department)),
        (_("使用人"), 10, text, lambda a: _name(a.custodian)),
        (_("校区"), 12, text, lambda a: a.place.campus.name if a.place_id else ""),
        (
            _("楼宇"),
            12,
            text,
            lambda a: a.place.building.name if a.place_id and a.place.building_id else "",
        ),
        (_("存放地点"), 16, text, lambda a: a.place.name if a.place_id else ""),
        (_("场所编码"), 12, text, lambda a: a.place.code if a.place_id else ""),
        (_("处置方式"), 9, text, lambda a: a.get_disposal_method_display()),
        (_("处置日期"), 12, day, lambda a: a.disposed_on),
        (_("处置说明"), 20, text, lambda a: a.disposal_note),
        (_("验收单号"), 14, text, lambda a: a.acceptance.number if a.acceptance_id else ""),
        (_("备注"), 24, text, lambda a: a.note),
    ]


def _name(record):
    return record.name if record is not None else ""


def assets_workbook(cards):
    """The cards (a queryset already narrowed to what the user may see and filtered) as
    a workbook in a temporary file. Runs a fixed number of queries."""
    cards = cards.select_related(
        "category",
        "managing_department",
        "using_department",
        "custodian",
        "place__campus",
        "place__building",
        "acceptance",
    ).order_by("number", "pk")
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("资产卡片"))
    spec = columns()
    set_widths(sheet, [width for _header, width, _format, _value in spec])
    sheet.freeze_panes = "C2"
    sheet.append([header_cell(sheet, header) for header, *_rest in spec])
    for asset in cards.iterator(chunk_size=CHUNK):
        sheet.append(
            [
                typed_cell(sheet, value(asset), number_format)
                for _h, _w, number_format, value in spec
            ]
        )
    return to_tempfile(book)
