"""Import a school's existing fixed-asset ledger (资产台账) from Excel.

upload → column mapping → preview → commit. Ledgers come in the layouts of each school's
old software, so the columns are matched by header name (with the usual synonyms) and the
user may change each match; the header row need not be the first (a title row is common).

Every row is read and checked before anything is written: the class (GB/T 14885-2022
code, a 2010 7-digit code, or a class name), departments, people (name or 工号), places
(code or full name) against dicts loaded once for the school; numbers against the file and
the books; dates, amounts, 累计折旧 ≤ 原值 and the class's minimum life. Only when no row
has an error are the cards written, in one transaction, with ``bulk_create`` in batches and
one "import" event per card (``COPY`` on PostgreSQL). Built for 100,000 rows (see
``benchmarks/import_bench.py``): the file is read by calamine, and a checked row is kept
as a tuple until it is written.

An import is kept as a ``LedgerImport``: the uploaded file under
``imports/assets/<school id>/``, who uploaded it, the mapping, and the result of the last
check or commit.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from io import BytesIO

from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from python_calamine import CalamineWorkbook

from houqin.accounts.models import Staff
from houqin.assets.models import (
    ZERO,
    AcquisitionMethod,
    Asset,
    AssetEvent,
    Category,
    LedgerImport,
    Status,
)
from houqin.assets.services import (
    CARD_MIN_LEVEL,
    FUNDING_SOURCES,
    NUMBER_RE,
    next_numbers,
    split_by_funding,
)
from houqin.core.pinyin import initials
from houqin.org.models import Department, Place, School

MAX_ROWS = 100_000
MAX_BYTES = 50 * 1024 * 1024
BATCH_SIZE = 2000
PREVIEW_ROWS = 50
# Rows searched for the header row: a ledger often starts with a title and a date line.
HEADER_SEARCH_ROWS = 10
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CENT = Decimal("0.01")
AMBIGUOUS = object()


class LedgerError(Exception):
    """The file cannot be read as a ledger, or the batch cannot be imported; the message
    is Chinese."""


# --- columns -------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


@dataclass(frozen=True)
class LedgerField:
    key: str
    label: str
    synonyms: tuple = ()
    required: bool = False
    example: object = ""


FIELDS = (
    LedgerField("number", "资产编号", ("卡片编号", "资产代码", "编号", "资产卡片号", "卡片号")),
    LedgerField("name", "资产名称", ("名称", "资产名", "物品名称", "设备名称"), True, "台式计算机"),
    LedgerField(
        "category",
        "分类代码",
        ("资产分类代码", "国标分类代码", "分类编码", "资产分类", "国标代码", "分类号"),
        True,
        "A02010105",
    ),
    LedgerField("category_name", "分类名称", ("资产分类名称", "国标分类名称", "类别名称")),
    LedgerField("spec", "规格型号", ("规格", "型号", "规格型号说明"), example="i5/16G/512G"),
    LedgerField("brand", "品牌", ("厂牌", "生产厂家", "厂家", "品牌名称"), example="联想"),
    LedgerField("serial_number", "序列号", ("出厂编号", "机身编号", "SN")),
    LedgerField("quantity", "数量", ("数量(台/件)", "资产数量"), example=1),
    LedgerField("unit", "计量单位", ("单位",), example="台"),
    LedgerField("unit_price", "单价", ("单价(元)", "单位价格")),
    LedgerField(
        "original_value",
        "原值",
        ("原值(元)", "价值", "金额", "资产原值", "账面原值", "入账价值", "价值(元)", "金额(元)"),
        example=5200,
    ),
    LedgerField(
        "acquired_on",
        "取得日期",
        ("购置日期", "购入日期", "取得时间", "购置时间", "启用日期", "投入使用日期"),
        True,
        date(2024, 9, 1),
    ),
    LedgerField("booked_on", "记账日期", ("入账日期", "入账时间", "记账时间", "建卡日期")),
    LedgerField("acquisition_method", "取得方式", ("增加方式", "购置方式", "来源方式")),
    LedgerField("funding_source", "经费来源", ("资金来源", "经费类型"), example="财政拨款"),
    LedgerField("invoice_number", "发票号", ("发票号码",)),
    LedgerField(
        "using_department", "使用部门", ("使用单位", "使用科室", "部门"), example="信息中心"
    ),
    LedgerField("managing_department", "管理部门", ("管理单位", "管理科室", "归口部门")),
    LedgerField("custodian", "使用人", ("保管人", "责任人", "领用人", "使用人工号")),
    LedgerField("place", "存放地点", ("存放位置", "放置地点", "位置", "地点", "场所", "房间")),
    LedgerField("status", "使用状态", ("状态", "资产状态", "使用情况"), example="在用"),
    LedgerField(
        "life_years",
        "折旧年限",
        ("折旧年限(年)", "使用年限", "使用年限(年)", "预计使用年限", "预计使用年限(年)"),
        example=6,
    ),
    LedgerField("life_months", "折旧年限(月)", ("使用月数", "预计使用月份", "预计使用月数")),
    LedgerField("depreciated_months", "已提月数", ("已计提月数", "已折旧月数", "已使用月数")),
    LedgerField(
        "accumulated_depreciation",
        "累计折旧",
        ("累计折旧(元)", "累计折旧额", "已提折旧"),
        example=0,
    ),
    LedgerField("note", "备注", ("说明", "备注说明")),
)
FIELDS_BY_KEY = {f.key: f for f in FIELDS}

_BRACKETS = str.maketrans({"（": "(", "）": ")", "＊": "*", "：": ":"})


def normalize_header(text) -> str:
    """Header text compared loosely: no spaces, asterisks or colons, half-width brackets."""
    text = _text(text).translate(_BRACKETS)
    return re.sub(r"[\s*:]", "", text).lower()


def _without_unit(text: str) -> str:
    return re.sub(r"\(.*?\)", "", text)


_EXACT = {}
_LOOSE = {}
for _field in FIELDS:
    for _name in (_field.label, *_field.synonyms):
        _EXACT.setdefault(normalize_header(_name), _field.key)
        _LOOSE.setdefault(_without_unit(normalize_header(_name)), _field.key)


def guess_mapping(headers) -> dict:
    """field key → column index, guessed from the header texts: an exact synonym first,
    then one ignoring a bracketed unit ("原值（元）"). Each column is used once."""
    mapping = {}
    used = set()
    for table, key_of in ((_EXACT, normalize_header), (_LOOSE, None)):
        for index, header in enumerate(headers):
            if index in used:
                continue
            text = normalize_header(header)
            key = table.get(text if key_of else _without_unit(text))
            if key and key not in mapping:
                mapping[key] = index
                used.add(index)
    return mapping


def missing_required(mapping) -> list:
    """The labels of what a mapping must name and does not."""
    missing = [f.label for f in FIELDS if f.required and mapping.get(f.key) is None]
    if mapping.get("original_value") is None and mapping.get("unit_price") is None:
        missing.append(_("原值或单价"))
    return missing


# --- reading -------------------------------------------------------------------------


def _sheet_rows(fileobj):
    """(row number, cells) of the first sheet, read by calamine (Rust; about ten times
    faster than openpyxl on a 100,000-row ledger). Cells come as str ("" when blank),
    float (integers too), bool, date or datetime; ``_text``, ``parse_amount``,
    ``parse_count`` and ``parse_date`` take each of them."""
    try:
        fileobj.seek(0)
        workbook = CalamineWorkbook.from_filelike(fileobj)
    except Exception as exc:  # calamine raises its own kinds for a bad zip or XML
        raise LedgerError(_("文件已损坏或不是 Excel（.xlsx）文件。")) from exc
    try:
        try:
            sheet = workbook.get_sheet_by_index(0)
        except Exception as exc:
            raise LedgerError(_("文件已损坏或不是 Excel（.xlsx）文件。")) from exc
        # calamine's rows start at row 1, but its columns at the first used one: put the
        # blank columns back so that indexes match the sheet's columns.
        pad = [""] * (sheet.start or (0, 0))[1]
        for number, row in enumerate(sheet.iter_rows(), start=1):
            yield number, pad + row if pad else row
    finally:
        workbook.close()


def read_header(fileobj):
    """(header row number, header texts, guessed mapping): the first of the top rows
    that names the most known columns."""
    best = (0, None, [])
    rows = _sheet_rows(fileobj)
    for number, row in rows:
        if number > HEADER_SEARCH_ROWS:
            break
        headers = [_text(cell) for cell in row]
        score = len(guess_mapping(headers))
        if score > best[0]:
            best = (score, number, headers)
    rows.close()
    score, header_row, headers = best
    if score < 2:
        raise LedgerError(
            _("没有找到表头行：前 %(rows)d 行里没有“资产名称”“分类代码”等列名。")
            % {"rows": HEADER_SEARCH_ROWS}
        )
    while headers and not headers[-1]:
        headers.pop()
    return header_row, headers, guess_mapping(headers)


def _data_rows(fileobj, header_row):
    """(row number, cells) after the header row; blank rows skipped."""
    for number, row in _sheet_rows(fileobj):
        if number > header_row and any(cell is not None and cell != "" for cell in row):
            yield number, row


# --- the batch -----------------------------------------------------------------------


def start_import(*, school, user, upload, header_row, headers, mapping) -> LedgerImport:
    """Keep an uploaded ledger (the file under ``imports/assets/<school id>/``) with
    its guessed mapping; nothing is checked or booked yet."""
    batch = LedgerImport(
        school=school,
        uploaded_by=user,
        original_name=upload.name[:200],
        header_row=header_row,
        headers=headers,
        mapping=mapping,
    )
    upload.seek(0)
    batch.file.save(f"{batch.token}.xlsx", upload, save=False)
    batch.save()
    return batch


def recent_imports(school_id, limit=10):
    return list(
        LedgerImport.objects.filter(school_id=school_id)
        .select_related("uploaded_by__staff")
        .order_by("-created_at", "-id")[:limit]
    )


def _summary(errors, shown=20):
    lines = [str(error) for error in errors[:shown]]
    if len(errors) > shown:
        lines.append(_("……共 %(count)d 处错误。") % {"count": len(errors)})
    return "\n".join(lines)


def record_check(batch: LedgerImport, plan) -> None:
    """Keep the result of a preview on the batch (the recent-imports list shows it). A
    failed commit stays failed, with its reason, until the mapping changes or a commit
    succeeds."""
    if batch.state != LedgerImport.State.FAILED:
        batch.state = LedgerImport.State.PREVIEWED
    batch.row_count = plan.row_count
    batch.error_count = len(plan.errors)
    if plan.errors or batch.state != LedgerImport.State.FAILED:
        batch.error_summary = _summary(plan.errors)
    batch.save(update_fields=["state", "row_count", "error_count", "error_summary", "updated_at"])


def _mapping(batch):
    return {key: int(index) for key, index in batch.mapping.items() if index is not None}


# --- lookups -------------------------------------------------------------------------


def _index(pairs):
    """key → value, a key shared by two values → ``AMBIGUOUS``; blank keys left out."""
    found = {}
    for key, value in pairs:
        if not key:
            continue
        key = key.strip()
        found[key] = AMBIGUOUS if key in found and found[key] != value else value
    return found


class Lookups:
    """What the rows are checked against, read once for the school."""

    def __init__(self, school_id):
        categories = list(
            Category.objects.values_list("pk", "code", "name", "parent_id", "level", "code_2010")
        )
        parents = {parent for _pk, _c, _n, parent, _l, _o in categories if parent}
        self.category = {pk: (code, name) for pk, code, name, _p, _l, _o in categories}
        self.card_classes = {
            pk
            for pk, _c, _n, _p, level, _o in categories
            if level >= CARD_MIN_LEVEL or pk not in parents
        }
        self.by_code = {code.upper(): pk for pk, code, _n, _p, _l, _o in categories}
        self.by_2010 = _index((code_2010, pk) for pk, _c, _n, _p, _l, code_2010 in categories)
        self.by_class_name = _index((name, pk) for pk, _c, name, _p, _l, _o in categories)
        self.code_2010 = {pk: code_2010 for pk, _c, _n, _p, _l, code_2010 in categories}
        meta = list(Category.objects.values_list("pk", "depreciable", "life_years"))
        self.depreciable = {pk for pk, depreciable, _life in meta if depreciable}
        self.minimum_life = {
            pk: life * 12 if depreciable and life else None for pk, depreciable, life in meta
        }
        # The card classes under each class, longest name first: a 2010 大类 code is made
        # specific by the class name or the asset's name ("联想台式计算机" → 台式计算机).
        children = {}
        for pk, _c, _n, parent, _l, _o in categories:
            children.setdefault(parent, []).append(pk)
        self.descendants = {}
        for pk in self.category:
            found, stack = [], list(children.get(pk, ()))
            while stack:
                child = stack.pop()
                stack.extend(children.get(child, ()))
                if child in self.card_classes:
                    found.append(child)
            found.sort(key=lambda child: -len(self.category[child][1]))
            self.descendants[pk] = found

        departments = list(
            Department.objects.filter(school_id=school_id, is_active=True).values_list(
                "pk", "code", "name"
            )
        )
        self.department = {**_index((code, pk) for pk, code, _n in departments)}
        self.department.update(_index((name, pk) for pk, _c, name in departments))
        self.department_name = {pk: name for pk, _c, name in departments}

        people = list(
            Staff.objects.filter(school_id=school_id, is_active=True).values_list(
                "pk", "staff_no", "name"
            )
        )
        self.person = _index((name, pk) for pk, _n, name in people)
        self.person.update(_index((staff_no, pk) for pk, staff_no, _n in people))
        self.person_name = {pk: name for pk, _n, name in people}

        places = list(
            Place.objects.filter(school_id=school_id, is_active=True).values_list(
                "pk", "code", "name", "building__name"
            )
        )
        self.place_name = {
            pk: f"{building} {name}" if building else name for pk, _c, name, building in places
        }
        self.place = _index((name, pk) for pk, _c, name, _b in places)
        self.place.update(_index((full, pk) for pk, full in self.place_name.items()))
        self.place.update(
            _index((full.replace(" ", ""), pk) for pk, full in self.place_name.items())
        )
        self.place.update(_index((code, pk) for pk, code, _n, _b in places))

        self.numbers = set(
            Asset.objects.filter(school_id=school_id).values_list("number", flat=True)
        )


# --- values --------------------------------------------------------------------------


class _Invalid(Exception):
    pass


_STATUS = {
    "在用": Status.IN_USE,
    "正常": Status.IN_USE,
    "正常使用": Status.IN_USE,
    "使用中": Status.IN_USE,
    "闲置": Status.IDLE,
    "未使用": Status.IDLE,
    "维修中": Status.REPAIRING,
    "维修": Status.REPAIRING,
    "待修": Status.REPAIRING,
    "待处置": Status.PENDING_DISPOSAL,
    "待报废": Status.PENDING_DISPOSAL,
    "拟报废": Status.PENDING_DISPOSAL,
}
_METHODS = {
    "新购": AcquisitionMethod.PURCHASE,
    "购置": AcquisitionMethod.PURCHASE,
    "购入": AcquisitionMethod.PURCHASE,
    "采购": AcquisitionMethod.PURCHASE,
    "调拨": AcquisitionMethod.TRANSFER_IN,
    "调入": AcquisitionMethod.TRANSFER_IN,
    "划拨": AcquisitionMethod.TRANSFER_IN,
    "接受捐赠": AcquisitionMethod.DONATION,
    "捐赠": AcquisitionMethod.DONATION,
    "受赠": AcquisitionMethod.DONATION,
    "自建": AcquisitionMethod.SELF_BUILT,
    "自行建造": AcquisitionMethod.SELF_BUILT,
    "盘盈": AcquisitionMethod.SURPLUS,
    "其他": AcquisitionMethod.OTHER,
}
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_MONTH_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
EXCEL_EPOCH = date(1899, 12, 30)


def parse_date(value):
    """A date from a date cell, "2019-09-01", "2019/9/1", "2019年9月1日", "20190901",
    "2019-09" (the month's first day) or an Excel day number."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and 20000 <= value <= 80000:
        return EXCEL_EPOCH + timedelta(days=int(value))
    text = _text(value)
    try:
        if match := _DATE_RE.match(text):
            return date(*map(int, match.groups()))
        if re.fullmatch(r"\d{8}", text):
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
        if match := _MONTH_RE.match(text):
            return date(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        pass
    raise _Invalid(_("“%(value)s”不是有效的日期，请写成 2024-09-01。") % {"value": text})


def parse_amount(value):
    if isinstance(value, int):
        amount = Decimal(value)
    else:
        text = _text(value) if not isinstance(value, float) else repr(value)
        text = text.replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
        try:
            amount = Decimal(text.removesuffix("元"))
        except InvalidOperation:
            raise _Invalid(_("“%(value)s”不是有效的金额。") % {"value": _text(value)}) from None
    if not amount.is_finite():
        raise _Invalid(_("“%(value)s”不是有效的金额。") % {"value": _text(value)})
    if amount < 0:
        raise _Invalid(_("金额不能为负数。"))
    rounded = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    if rounded != amount and abs(rounded - amount) >= Decimal("0.000001"):
        raise _Invalid(_("金额最多保留两位小数（到分）。"))
    if rounded >= Decimal("1e12"):
        raise _Invalid(_("金额过大。"))
    return rounded


def parse_count(value, *, minimum=0):
    text = _text(value)
    if not re.fullmatch(r"\d{1,6}", text) or int(text) < minimum:
        raise _Invalid(
            _("“%(value)s”不是有效的整数（至少为 %(minimum)d）。")
            % {"value": text, "minimum": minimum}
        )
    return int(text)


# --- the plan ------------------------------------------------------------------------

# The card fields a checked row holds, in this order (a tuple per row keeps 100,000 rows
# small in memory).
ROW_FIELDS = (
    "number",
    "name",
    "name_initials",
    "category_id",
    "legacy_code",
    "spec",
    "brand",
    "serial_number",
    "unit",
    "quantity",
    "acquisition_method",
    "acquired_on",
    "booked_on",
    "original_value",
    "fiscal_amount",
    "non_fiscal_amount",
    "funding_source",
    "invoice_number",
    "life_months",
    "life_locked",
    "depreciated_months",
    "accumulated_depreciation",
    "net_value",
    "depreciated_through",
    "status",
    "managing_department_id",
    "using_department_id",
    "custodian_id",
    "place_id",
    "note",
)
MAX_LENGTHS = {
    name: Asset._meta.get_field(name).max_length
    for name in ("number", "name", "spec", "brand", "serial_number", "unit", "funding_source")
    + ("invoice_number", "note")
}


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self):
        return _("第 %(row)d 行「%(column)s」：%(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class Plan:
    """The checked rows (tuples in ``ROW_FIELDS`` order, a blank number to be given
    one), the row errors, and the first rows for the preview as display dicts."""

    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    preview: list = field(default_factory=list)
    row_count: int = 0
    unnumbered: int = 0
    total_value: Decimal = ZERO

    @property
    def ok(self):
        return not self.errors and self.row_count > 0


class _RowReader:
    def __init__(self, lookups, mapping, headers, *, today):
        self.lookups = lookups
        self.mapping = {key: index for key, index in mapping.items() if index is not None}
        self.headers = headers
        self.today = today
        self.seen_numbers = {}
        self._initials = {}
        self._refined = {}

    def column(self, key):
        index = self.mapping.get(key)
        if index is not None and index < len(self.headers) and self.headers[index]:
            return self.headers[index]
        return str(FIELDS_BY_KEY[key].label)

    def read(self, number, cells, errors):
        """The row as a tuple in ``ROW_FIELDS`` order, or None with its errors added."""
        raw = {
            key: cells[index] if index < len(cells) else None for key, index in self.mapping.items()
        }
        values, failed = {}, False

        def fail(key, message):
            nonlocal failed
            failed = True
            errors.append(RowError(number, self.column(key), str(message)))

        for key in ("number", "name", "spec", "brand", "serial_number", "unit"):
            values[key] = _text(raw.get(key))
        for key in ("funding_source", "invoice_number", "note"):
            values[key] = _text(raw.get(key))
        for key, limit in MAX_LENGTHS.items():
            if len(values[key]) > limit:
                fail(key, _("超过 %(limit)d 个字。") % {"limit": limit})
        if not values["name"]:
            fail("name", _("请填写资产名称。"))
        values["unit"] = values["unit"] or "台"

        asset_number = values["number"]
        if asset_number:
            if asset_number in self.lookups.numbers:
                fail("number", _("资产编号“%(number)s”已在账上。") % {"number": asset_number})
            elif asset_number in self.seen_numbers:
                fail(
                    "number",
                    _("资产编号“%(number)s”与第 %(row)d 行重复。")
                    % {"number": asset_number, "row": self.seen_numbers[asset_number]},
                )
            else:
                self.seen_numbers[asset_number] = number

        category = None
        try:
            category = self._category(raw.get("category"), raw.get("category_name"), values["name"])
        except _Invalid as error:
            fail("category", error)
        values["category_id"] = category
        values["legacy_code"] = ""
        if category is not None:
            code = _text(raw.get("category"))
            values["legacy_code"] = (
                code if re.fullmatch(r"\d{7}", code) else self.lookups.code_2010.get(category, "")
            )

        for key, parse, default, minimum in (
            ("quantity", parse_count, 1, 1),
            ("life_years", parse_count, None, 1),
            ("life_months", parse_count, None, 1),
            ("depreciated_months", parse_count, None, 0),
        ):
            values[key] = default
            if _text(raw.get(key)):
                try:
                    values[key] = parse(raw[key], minimum=minimum)
                except _Invalid as error:
                    fail(key, error)
        for key in ("unit_price", "original_value", "accumulated_depreciation"):
            values[key] = None
            if _text(raw.get(key)):
                try:
                    values[key] = parse_amount(raw[key])
                except _Invalid as error:
                    fail(key, error)
        for key in ("acquired_on", "booked_on"):
            values[key] = None
            if _text(raw.get(key)):
                try:
                    values[key] = parse_date(raw[key])
                except _Invalid as error:
                    fail(key, error)
                else:
                    if values[key] > self.today:
                        fail(key, _("日期不能晚于今天。"))
        if values["acquired_on"] is None and not _text(raw.get("acquired_on")):
            if values["booked_on"] is not None:
                values["acquired_on"] = values["booked_on"]
            else:
                fail("acquired_on", _("请填写取得日期。"))

        value = values["original_value"]
        if value is None and values["unit_price"] is not None and values["quantity"]:
            value = (values["unit_price"] * values["quantity"]).quantize(CENT)
        if value is None and not any(_text(raw.get(k)) for k in ("original_value", "unit_price")):
            fail("original_value", _("请填写原值或单价。"))
        accumulated = values["accumulated_depreciation"] or ZERO
        if value is not None and accumulated > value:
            fail(
                "accumulated_depreciation",
                _("累计折旧（%(accumulated)s）大于原值（%(value)s）。")
                % {"accumulated": accumulated, "value": value},
            )

        life = values["life_months"]
        if life is None and values["life_years"] is not None:
            life = values["life_years"] * 12
        if category is not None:
            minimum = self.lookups.minimum_life.get(category)
            if life is None:
                life = minimum
            elif minimum and life < minimum:
                code, name = self.lookups.category[category]
                fail(
                    "life_months" if "life_months" in self.mapping else "life_years",
                    _("“%(category)s”的最低折旧年限是 %(years)d 年，不能更短。")
                    % {"category": name, "years": minimum // 12},
                )

        status = Status.IN_USE
        if text := _text(raw.get("status")):
            status = _STATUS.get(text) or _choice(Status, text)
            if status is None:
                fail(
                    "status",
                    _("“%(value)s”不是可导入的使用状态（在用、闲置、维修中、待处置）。")
                    % {"value": text},
                )
            elif status == Status.DISPOSED:
                fail("status", _("已处置的资产不导入。"))
        method = AcquisitionMethod.PURCHASE
        if text := _text(raw.get("acquisition_method")):
            method = _METHODS.get(text) or _choice(AcquisitionMethod, text)
            if method is None:
                fail("acquisition_method", _("“%(value)s”不是有效的取得方式。") % {"value": text})

        references = {}
        for key, table, what in (
            ("using_department", self.lookups.department, _("部门")),
            ("managing_department", self.lookups.department, _("部门")),
            ("custodian", self.lookups.person, _("人员")),
            ("place", self.lookups.place, _("地点")),
        ):
            references[key] = None
            text = _text(raw.get(key))
            if not text:
                continue
            found = table.get(text)
            if found is None and key == "place":
                found = table.get(text.replace(" ", ""))
            if found is None:
                fail(key, _("本校没有这个%(what)s：“%(value)s”。") % {"what": what, "value": text})
            elif found is AMBIGUOUS:
                hint = _("请改填工号。") if key == "custodian" else _("请改填编码。")
                fail(
                    key,
                    _("“%(value)s”对应多个%(what)s，%(hint)s")
                    % {"value": text, "what": what, "hint": hint},
                )
            else:
                references[key] = found

        if failed:
            return None

        months = values["depreciated_months"]
        depreciable = category in self.lookups.depreciable and life
        if months is None:
            # Not in the file: as many months as the accumulated amount stands for.
            months = 0
            if accumulated and depreciable:
                months = min(life, int((accumulated * life / value).to_integral_value()) or 1)
        through = None
        if accumulated or months:
            # The old ledger had depreciated up to last month; the monthly job goes on from
            # there (``depreciation.check_period``).
            through = (self.today.replace(day=1) - timedelta(days=1)).replace(day=1)
        fiscal, non_fiscal = split_by_funding(value, values["funding_source"])
        name = values["name"]
        if name not in self._initials:
            self._initials[name] = initials(name)
        return (
            asset_number,
            name,
            self._initials[name],
            category,
            values["legacy_code"],
            values["spec"],
            values["brand"],
            values["serial_number"],
            values["unit"],
            values["quantity"],
            str(method),
            values["acquired_on"],
            values["booked_on"],
            value,
            fiscal,
            non_fiscal,
            values["funding_source"],
            values["invoice_number"],
            life,
            bool(months),
            months,
            accumulated,
            value - accumulated,
            through,
            str(status),
            references["managing_department"],
            references["using_department"],
            references["custodian"],
            references["place"],
            values["note"],
        )

    def _category(self, code_cell, name_cell, asset_name):
        lookups = self.lookups
        code = _text(code_cell).upper()
        class_name = _text(name_cell)
        found = None
        if code:
            # "A02010105 台式计算机": the code is the first word.
            code = code.split()[0]
            found = lookups.by_code.get(code)
            if found is None and re.fullmatch(r"\d{7}", code):
                found = self._by_2010(code)
            if found is None and not re.fullmatch(r"[A-Z]?\d+", code):
                found = lookups.by_class_name.get(_text(code_cell))
            if found is None:
                raise _Invalid(_("没有这个分类代码：“%(code)s”。") % {"code": _text(code_cell)})
        elif class_name:
            found = lookups.by_class_name.get(class_name)
            if found is None:
                raise _Invalid(_("没有这个分类名称：“%(name)s”。") % {"name": class_name})
        else:
            raise _Invalid(_("请填写分类代码。"))
        if found is AMBIGUOUS:
            raise _Invalid(_("分类名称“%(name)s”有重名，请填写分类代码。") % {"name": class_name})
        if found in lookups.card_classes:
            return found
        refined = self._refine(found, class_name, asset_name)
        if refined is None:
            code_2022, name = lookups.category[found]
            raise _Invalid(
                _(
                    "“%(code)s %(name)s”是大类，请填写更具体的分类代码（中类或小类），"
                    "或在“分类名称”列写明具体分类。"
                )
                % {"code": code_2022, "name": name}
            )
        return refined

    def _by_2010(self, code):
        """A 2010 code, or its nearest mapped parent: 2010105 → 2010100 → 2010000."""
        for length in (7, 5, 3, 1):
            found = self.lookups.by_2010.get(code[:length].ljust(7, "0"))
            if found is not None:
                return found
        return None

    def _refine(self, parent, class_name, asset_name):
        key = (parent, class_name, asset_name)
        if key not in self._refined:
            names = self.lookups.category
            found = None
            for child in self.lookups.descendants.get(parent, ()):
                child_name = names[child][1]
                if child_name == class_name or (child_name and child_name in asset_name):
                    found = child
                    break
            self._refined[key] = found
        return self._refined[key]


def _choice(choices, text):
    return next((value for value, label in choices.choices if str(label) == text), None)


def ledger_plan(batch: LedgerImport, *, today=None, preview_rows=PREVIEW_ROWS) -> Plan:
    """Read and check every row of the batch's file with its mapping; writes nothing.
    Raises ``LedgerError`` when the file cannot be read or is too long."""
    today = today or timezone.localdate()
    lookups = Lookups(batch.school_id)
    reader = _RowReader(lookups, _mapping(batch), batch.headers, today=today)
    plan = Plan()
    with batch.file.open("rb") as fileobj:
        for number, cells in _data_rows(fileobj, batch.header_row):
            plan.row_count += 1
            if plan.row_count > MAX_ROWS:
                raise LedgerError(
                    _("一次最多导入 %(count)d 行，请分批导入。") % {"count": MAX_ROWS}
                )
            row = reader.read(number, cells, plan.errors)
            if row is None:
                continue
            plan.rows.append(row)
            plan.total_value += row[13]
            if not row[0]:
                plan.unnumbered += 1
            if len(plan.preview) < preview_rows:
                plan.preview.append(_display(number, row, lookups))
    if not plan.row_count:
        raise LedgerError(_("表头下面没有数据行。"))
    return plan


def _display(number, row, lookups):
    values = dict(zip(ROW_FIELDS, row, strict=True))
    code, name = lookups.category[values["category_id"]]
    return {
        "row": number,
        "number": values["number"],
        "name": values["name"],
        "category": f"{code} {name}",
        "spec": values["spec"],
        "quantity": values["quantity"],
        "unit": values["unit"],
        "original_value": values["original_value"],
        "accumulated_depreciation": values["accumulated_depreciation"],
        "acquired_on": values["acquired_on"],
        "using_department": lookups.department_name.get(values["using_department_id"], ""),
        "custodian": lookups.person_name.get(values["custodian_id"], ""),
        "place": lookups.place_name.get(values["place_id"], ""),
        "status": Status(values["status"]).label,
        "life_months": values["life_months"],
    }


# --- commit --------------------------------------------------------------------------


def _numbers_for(school_id, plan, year):
    """Consecutive numbers of ``year`` for the rows without one, after the highest on the
    books and in the file."""
    if not plan.unnumbered:
        return iter(())
    start = int(next_numbers(school_id, 1, year=year)[0][5:])
    for row in plan.rows:
        match = NUMBER_RE.match(row[0])
        if match and int(match.group(1)) == year:
            start = max(start, int(match.group(2)) + 1)
    if start + plan.unnumbered - 1 > 999999:
        raise LedgerError(_("%(year)s 年的资产编号已用完。") % {"year": year})
    return (f"{year}-{sequence:06d}" for sequence in range(start, start + plan.unnumbered))


def ledger_commit(batch: LedgerImport, *, by, now=None) -> Plan:
    """Check the whole file again and, when no row has an error, book every row as a
    card with an "import" event, in one transaction. Returns the plan (with its errors
    when nothing was written; the batch is then "failed" and may be fixed and tried
    again). ``by`` is the acting Staff, with ``assets.manage``."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if not by.user.has_perm("assets.manage") or by.school_id != batch.school_id:
        raise LedgerError(_("您没有管理资产的权限。"))
    try:
        with transaction.atomic():
            # Serialise imports and acceptances of one school: numbers are taken under it.
            School.objects.select_for_update(no_key=True).filter(pk=batch.school_id).first()
            current = LedgerImport.objects.select_for_update().get(pk=batch.pk)
            if current.is_committed:
                raise LedgerError(_("这个文件已经导入过了。"))
            plan = ledger_plan(current, today=today, preview_rows=0)
            current.row_count = plan.row_count
            current.error_count = len(plan.errors)
            current.error_summary = _summary(plan.errors)
            if plan.ok:
                _write(current, plan, by=by, now=now)
                current.state = LedgerImport.State.COMMITTED
                current.created_count = len(plan.rows)
                current.committed_at = now
            else:
                current.state = LedgerImport.State.FAILED
            current.save()
    except (DatabaseError, OSError):
        # Rolled back: nothing of the file is on the books. Say so on the batch.
        LedgerImport.objects.filter(pk=batch.pk).update(
            state=LedgerImport.State.FAILED,
            error_summary=_("写入时出错，没有写入任何数据。"),
            updated_at=timezone.now(),
        )
        raise
    for name in ("state", "row_count", "error_count", "error_summary", "created_count"):
        setattr(batch, name, getattr(current, name))
    batch.committed_at = current.committed_at
    return plan


def _write(batch, plan, *, by, now):
    numbers = _numbers_for(batch.school_id, plan, timezone.localdate(now).year)
    note = _("从台账导入：%(name)s") % {"name": batch.original_name}
    note = note[: AssetEvent._meta.get_field("note").max_length]
    if connection.vendor == "postgresql":
        _copy(batch, plan, numbers, actor_id=by.user_id, note=note, now=now)
        return
    rows = plan.rows
    for start in range(0, len(rows), BATCH_SIZE):
        cards = []
        for row in rows[start : start + BATCH_SIZE]:
            values = dict(zip(ROW_FIELDS, row, strict=True))
            if not values["number"]:
                values["number"] = next(numbers)
            cards.append(Asset(school_id=batch.school_id, **values))
        Asset.objects.bulk_create(cards, batch_size=BATCH_SIZE)
        AssetEvent.objects.bulk_create(
            [
                AssetEvent(
                    asset_id=card.pk,
                    action=AssetEvent.Action.IMPORT,
                    actor_id=by.user_id,
                    note=note,
                    created_at=now,
                )
                for card in cards
            ],
            batch_size=BATCH_SIZE,
        )


def _prepared(instance):
    """(columns, values as the database takes them) of an unsaved instance: every
    column a row of ``COPY`` must name, with Django's defaults filled in."""
    fields = [f for f in instance._meta.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(getattr(instance, f.attname), connection) for f in fields]
    return ["id", *(f.column for f in fields)], [None, *values]


def _copy(batch, plan, numbers, *, actor_id, note, now):
    """PostgreSQL: the cards and their events with ``COPY`` (about four times faster than
    ``bulk_create`` at 100,000 rows). The card ids are taken from the table's sequence
    first, so the events can name them."""
    rows = plan.rows
    card_table, event_table = Asset._meta.db_table, AssetEvent._meta.db_table
    template = Asset(school_id=batch.school_id, created_at=now, updated_at=now, original_value=ZERO)
    columns, base = _prepared(template)
    slots = [columns.index(Asset._meta.get_field(name).column) for name in ROW_FIELDS]
    number_slot = slots[0]
    event_columns, event_base = _prepared(
        AssetEvent(
            asset_id=0,
            action=AssetEvent.Action.IMPORT.value,
            actor_id=actor_id,
            note=note,
            created_at=now,
            updated_at=now,
        )
    )
    event_columns, event_base = event_columns[1:], event_base[1:]
    asset_slot = event_columns.index("asset_id")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [card_table, len(rows)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        with cursor.copy(f"COPY {card_table} ({', '.join(columns)}) FROM STDIN") as copy:
            for pk, row in zip(ids, rows, strict=True):
                values = base.copy()
                values[0] = pk
                for slot, value in zip(slots, row, strict=True):
                    values[slot] = value
                if not values[number_slot]:
                    values[number_slot] = next(numbers)
                copy.write_row(values)
        with cursor.copy(f"COPY {event_table} ({', '.join(event_columns)}) FROM STDIN") as copy:
            for pk in ids:
                event_base[asset_slot] = pk
                copy.write_row(event_base)


# --- the template --------------------------------------------------------------------


def template_workbook():
    """The ledger template: the column headers (required ones marked *), an example
    row, and a sheet explaining the values."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("资产台账"))
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    header = []
    for ledger_field in FIELDS:
        cell = WriteOnlyCell(
            sheet, value=f"{ledger_field.label}{'*' if ledger_field.required else ''}"
        )
        cell.font, cell.fill = bold, fill
        header.append(cell)
    sheet.append(header)
    sheet.append([ledger_field.example for ledger_field in FIELDS])
    help_sheet = workbook.create_sheet(_("说明"))
    for line in (
        _("带 * 的列必填；原值和单价至少填一个（只填单价时，原值 = 单价 × 数量）。"),
        _("资产编号留空时，导入时按年份顺序自动编号；已在账上或文件中重复的编号会报错。"),
        _("分类代码：2022 版国标代码（如 A02010105），或 2010 版 7 位代码，或分类名称。"),
        _("使用人填姓名或工号；存放地点填场所编码或“楼宇 房间”全称。"),
        _("使用状态：%(values)s。")
        % {"values": "、".join(str(s.label) for s in Status if s != Status.DISPOSED)},
        _("取得方式：%(values)s。")
        % {"values": "、".join(str(m.label) for m in AcquisitionMethod)},
        _("经费来源：%(values)s。") % {"values": "、".join(FUNDING_SOURCES)},
        _("日期写成 2024-09-01；折旧年限按年填写，不填则取分类的最低年限。"),
        _("列名可以不同：上传后可逐列对应。第一张工作表的内容会被导入。"),
    ):
        help_sheet.append([line])
    output = BytesIO()
    workbook.save(output)
    output.seek(0)
    return output
