"""What each kind of workbook holds, and how its rows become records.

An importer reads every row, checks it against the school's data and returns a ``Plan``
(rows to create, rows to update, row errors) before anything is written; ``apply`` writes a
plan that has no errors. Records are saved one by one so the audit trail sees each change:
these lists are a few thousand rows at most.

The column headers are the file format and stay Chinese in every UI language; values such
as types and positions are read in Chinese or in the UI language.
"""

import io
import re
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Count, Model
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from houqin.accounts.models import Appointment, Gender, Staff, User
from houqin.accounts.roles import GRANTS, PERMISSIONS, Position, with_implied
from houqin.core.pinyin import full_pinyin
from houqin.org.models import (
    GRADE_NAMES,
    Building,
    Campus,
    Department,
    Floor,
    Grade,
    Place,
    PlaceType,
    SchoolClass,
)

MAX_ROWS = 5000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HELP_SHEET_TITLE = "说明"


class ImportFileError(Exception):
    """The file cannot be read as one of our workbooks."""


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    help: str = ""
    example: object = ""
    width: int = 14


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
class Change:
    """One row that will create or update a record. ``values`` are the row's cells in
    column order, for the preview; ``changed`` the labels of the fields an update changes."""

    row: int
    obj: Model
    values: list
    changed: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)


@dataclass
class Plan:
    creates: list = field(default_factory=list)
    updates: list = field(default_factory=list)
    unchanged: int = 0
    errors: list = field(default_factory=list)
    # Parent records the rows need that do not exist yet (floors, grades), saved first.
    parents: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors

    @property
    def row_count(self):
        return len(self.creates) + len(self.updates) + self.unchanged


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _labels(choices):
    """Label → value, in Chinese and in the UI language."""
    mapping = {}
    for language in ("zh-hans", translation.get_language()):
        with translation.override(language):
            mapping.update({str(label): value for value, label in choices})
    return mapping


def _lookup(objects, *attrs):
    """code/name → object; a name shared by two objects maps to None (ambiguous)."""
    found = {}
    for attr in attrs:
        by_attr = {}
        for obj in objects:
            key = getattr(obj, attr)
            by_attr[key] = None if key in by_attr else obj
        for key, obj in by_attr.items():
            found.setdefault(key, obj)
    return found


class Importer:
    kind = ""
    label = ""
    model = None
    columns: list[Column] = []

    def __init__(self, *, school, user):
        self.school = school
        self.user = user

    @property
    def headers(self):
        return [column.header for column in self.columns]

    def column(self, key):
        return next(column for column in self.columns if column.key == key)

    # Reading

    def read(self, fileobj):
        """The data rows as dicts (column key → text), with their row numbers. Columns the
        file leaves out are absent from the dicts, so an import never touches them."""
        try:
            workbook = load_workbook(fileobj, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a bad zip or XML
            raise ImportFileError(_("文件已损坏或不是 Excel（.xlsx）文件。")) from exc
        try:
            sheet = workbook.worksheets[0]
            rows = sheet.iter_rows(values_only=True)
            header_row = next(rows, None) or ()
            by_header = {column.header: column for column in self.columns}
            positions = {}
            for index, cell in enumerate(header_row):
                column = by_header.get(_cell_text(cell).rstrip("*＊ "))
                if column and column.key not in positions:
                    positions[column.key] = index
            missing = [c.header for c in self.columns if c.required and c.key not in positions]
            if missing:
                raise ImportFileError(
                    _("缺少列：%(columns)s。请使用导入模板。") % {"columns": "、".join(missing)}
                )
            result = []
            for number, row in enumerate(rows, start=2):
                values = {
                    key: _cell_text(row[index]) if index < len(row) else ""
                    for key, index in positions.items()
                }
                if not any(values.values()):
                    # Blank rows are skipped, but not without end: a sheet can claim
                    # a million of them.
                    if number > 2 * MAX_ROWS:
                        break
                    continue
                if len(result) >= MAX_ROWS:
                    raise ImportFileError(_("一次最多导入 %(count)d 行。") % {"count": MAX_ROWS})
                result.append((number, values))
            if not result:
                raise ImportFileError(_("文件里没有数据行。"))
            return result
        except ImportFileError:
            raise
        except Exception as exc:
            raise ImportFileError(_("文件已损坏或不是 Excel（.xlsx）文件。")) from exc
        finally:
            workbook.close()

    def plan(self, rows):
        plan = Plan()
        self.prepare(rows)
        for number, values in rows:
            errors = []
            change = self.plan_row(number, values, errors, plan)
            if errors:
                plan.errors.extend(errors)
            elif change is None:
                plan.unchanged += 1
            elif change.obj.pk is None:
                plan.creates.append(change)
            else:
                plan.updates.append(change)
        return plan

    def error(self, errors, number, key, message):
        errors.append(RowError(number, self.column(key).header, message))

    def text(self, values, key, errors, number, *, max_length=None):
        value = values.get(key, "")
        column = self.column(key)
        if column.required and not value:
            self.error(errors, number, key, _("必须填写"))
        elif max_length and len(value) > max_length:
            self.error(errors, number, key, _("不能超过 %(count)d 个字") % {"count": max_length})
        return value

    def integer(self, values, key, errors, number, *, minimum=0, maximum=32767):
        value = values.get(key, "")
        if not value:
            if self.column(key).required:
                self.error(errors, number, key, _("必须填写"))
            return None
        try:
            result = int(Decimal(value))
            if result != Decimal(value) or not (minimum <= result <= maximum):
                raise ValueError
        except (InvalidOperation, ValueError):
            self.error(
                errors,
                number,
                key,
                _("须为 %(min)d 到 %(max)d 之间的整数") % {"min": minimum, "max": maximum},
            )
            return None
        return result

    def campus(self, values, errors, number):
        value = values.get("campus", "")
        if not value:
            self.error(errors, number, "campus", _("必须填写"))
            return None
        campus = self.campuses.get(value)
        if campus is None:
            self.error(errors, number, "campus", _("找不到校区「%(value)s」") % {"value": value})
        return campus

    def load_campuses(self):
        campuses = list(Campus.objects.for_user(self.user).filter(is_active=True))
        self.campus_ids = {campus.pk for campus in campuses}
        self.campuses = _lookup(campuses, "code", "name")

    @staticmethod
    def diff(obj, fields):
        """Set each (attname, label, value) on ``obj``; the labels of those that changed."""
        changed = []
        for attname, label, value in fields:
            if getattr(obj, attname) != value:
                setattr(obj, attname, value)
                changed.append(str(label))
        return changed

    def apply(self, plan):
        for parent in plan.parents:
            parent.save()
        for change in plan.creates + plan.updates:
            change.obj.save()

    # Writing

    def export_queryset(self):
        raise NotImplementedError

    def export_row(self, obj):
        raise NotImplementedError

    def help_rows(self):
        return [
            [
                column.header,
                _("必填") if column.required else _("选填"),
                str(column.help),
            ]
            for column in self.columns
        ]

    def workbook(self, rows, *, with_help=False):
        """A write-only workbook in a temporary file, ready to stream."""
        book = Workbook(write_only=True)
        sheet = book.create_sheet(str(self.label))
        for index, column in enumerate(self.columns):
            sheet.column_dimensions[chr(ord("A") + index)].width = column.width
        sheet.freeze_panes = "A2"
        sheet.append([self.header_cell(sheet, column) for column in self.columns])
        for row in rows:
            sheet.append(row)
        if with_help:
            help_sheet = book.create_sheet(HELP_SHEET_TITLE)
            for letter, width in zip("ABC", (14, 8, 80), strict=True):
                help_sheet.column_dimensions[letter].width = width
            help_sheet.append([_("列名"), _("是否必填"), _("说明和可填的值")])
            for row in self.help_rows():
                help_sheet.append(row)
            help_sheet.append([])
            help_sheet.append(
                [
                    _("提示"),
                    "",
                    _(
                        "第一张表的第一行是列名，请勿修改；从第二行起每行一条记录，示例行可直接改写或删除。"
                        "按「%(key)s」匹配已有记录：已有的更新，没有的新增。导入前会先检查全部行，有错误时不会写入任何数据。"
                    )
                    % {"key": self.key_description},
                ]
            )
        # Handed to FileResponse, which closes it (and so deletes it) once it is sent.
        output = tempfile.TemporaryFile()  # noqa: SIM115
        book.save(output)
        output.seek(0)
        return output

    @staticmethod
    def header_cell(sheet, column):
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = Font(bold=True, color="C00000" if column.required else "000000")
        cell.fill = PatternFill("solid", fgColor="E3EFEF")
        return cell

    def export_workbook(self):
        queryset = self.export_queryset()
        return self.workbook(self.export_row(obj) for obj in queryset.iterator(chunk_size=500))

    def template_workbook(self):
        return self.workbook([[column.example for column in self.columns]], with_help=True)


PASSWORD_HEADER = "初始密码"
PHONE_RE = re.compile(r"1\d{10}")
SEPARATORS = re.compile(r"[、,，;；\s]+")


class PeopleImporter(Importer):
    kind = "people"
    label = gettext_lazy("教职工")
    model = Staff
    key_description = gettext_lazy("工号")
    columns = [
        Column("staff_no", "工号", True, gettext_lazy("本校唯一，用于匹配已有人员"), "T1001"),
        Column("name", "姓名", True, gettext_lazy("新建账号的用户名取姓名全拼"), "王小明"),
        Column("gender", "性别", help=gettext_lazy("男 或 女"), example="男", width=8),
        Column(
            "phone",
            "手机号",
            help=gettext_lazy("11 位手机号，全系统唯一"),
            example="13800000000",
        ),
        Column("department", "部门", help=gettext_lazy("本校部门的名称或编码"), example=""),
        Column("job_title", "岗位说明", help=gettext_lazy("如 水电维修"), example=""),
        Column("email", "电子邮箱", example="", width=24),
        Column("positions", "职务", example="教师、班主任", width=24),
        Column(
            "password",
            PASSWORD_HEADER,
            help=gettext_lazy(
                "仅用于新建账号：至少 8 位，含大写字母、小写字母、数字、符号中的至少 3 类。"
                "留空则账号暂不能登录，由管理员重置密码后启用。导出时不含密码。"
            ),
            example="",
        ),
    ]

    def help_rows(self):
        rows = super().help_rows()
        grantable = "、".join(str(Position(p).label) for p in self.grantable_positions())
        departments = "、".join(
            Department.objects.for_school(self.school)
            .filter(is_active=True)
            .values_list("name", flat=True)[:50]
        )
        for row in rows:
            if row[0] == "职务":
                row[2] = _(
                    "多个职务用「、」或「,」分隔。导入只增加职务，不撤销已有职务。可填：%(values)s"
                ) % {"values": grantable}
            elif row[0] == "部门" and departments:
                row[2] += _("。本校部门：%(values)s") % {"values": departments}
        return rows

    def grantable_positions(self):
        """Positions whose permissions the importer holds: an import never grants more
        than its author has."""
        held = with_implied({perm for perm in PERMISSIONS if self.user.has_perm(perm)})
        return [p for p in Position.values if GRANTS.get(p, set()) <= held and GRANTS.get(p)]

    def export_queryset(self):
        return (
            Staff.objects.for_user(self.user)
            .filter(is_active=True)
            .select_related("department")
            .prefetch_related("appointments")
            .order_by("staff_no")
        )

    def export_row(self, staff):
        positions = []
        for appointment in staff.held_appointments():
            label = str(appointment.get_position_display())
            if label not in positions:
                positions.append(label)
        return [
            staff.staff_no,
            staff.name,
            str(staff.get_gender_display()) if staff.gender else "",
            staff.phone,
            staff.department.name if staff.department else "",
            staff.job_title,
            staff.email,
            "、".join(positions),
            "",
        ]

    def prepare(self, rows):
        self.existing = {
            staff.staff_no: staff
            for staff in Staff.objects.filter(school=self.school).prefetch_related("appointments")
        }
        self.departments = _lookup(
            list(Department.objects.for_school(self.school).filter(is_active=True)),
            "code",
            "name",
        )
        phones = {values.get("phone") for _n, values in rows if values.get("phone")}
        self.phone_owners = dict(Staff.objects.filter(phone__in=phones).values_list("phone", "pk"))
        self.genders = {"男": Gender.MALE, "女": Gender.FEMALE, **_labels(Gender.choices)}
        self.positions = _labels(Position.choices)
        self.grantable = set(self.grantable_positions())
        self.seen_staff_no = {}
        self.seen_phone = {}
        self.taken_usernames = set()
        self.looked_up = set()

    def plan_row(self, number, values, errors, plan):
        staff_no = self.text(values, "staff_no", errors, number, max_length=32)
        name = self.text(values, "name", errors, number, max_length=50)
        if staff_no in self.seen_staff_no:
            self.error(
                errors,
                number,
                "staff_no",
                _("与第 %(row)d 行重复") % {"row": self.seen_staff_no[staff_no]},
            )
        elif staff_no:
            self.seen_staff_no[staff_no] = number
        staff = self.existing.get(staff_no)

        gender = values.get("gender", "")
        if gender:
            gender = self.genders.get(gender)
            if gender is None:
                self.error(errors, number, "gender", _("只能填「男」或「女」"))

        phone = values.get("phone", "")
        if phone:
            owner = self.phone_owners.get(phone)
            if not PHONE_RE.fullmatch(phone):
                self.error(errors, number, "phone", _("手机号格式不正确"))
            elif phone in self.seen_phone:
                self.error(
                    errors,
                    number,
                    "phone",
                    _("与第 %(row)d 行重复") % {"row": self.seen_phone[phone]},
                )
            elif owner is not None and (staff is None or owner != staff.pk):
                self.error(errors, number, "phone", _("手机号已被其他教职工使用"))
            self.seen_phone.setdefault(phone, number)

        department = None
        if values.get("department"):
            department = self.departments.get(values["department"])
            if department is None:
                self.error(
                    errors,
                    number,
                    "department",
                    _("找不到部门「%(value)s」") % {"value": values["department"]},
                )

        job_title = self.text(values, "job_title", errors, number, max_length=60)
        email = values.get("email", "")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                self.error(errors, number, "email", _("电子邮箱格式不正确"))

        positions = []
        for label in SEPARATORS.split(values.get("positions", "")):
            if not label:
                continue
            position = self.positions.get(label)
            if position is None:
                self.error(
                    errors, number, "positions", _("未知职务「%(value)s」") % {"value": label}
                )
            elif position not in self.grantable:
                self.error(
                    errors, number, "positions", _("无权授予职务「%(value)s」") % {"value": label}
                )
            elif position not in positions:
                positions.append(position)

        username = ""
        password = values.get("password", "")
        if staff is None and name:
            username = self.new_username(name)
            if password:
                try:
                    validate_password(password, User(username=username))
                except ValidationError as exc:
                    self.error(errors, number, "password", " ".join(exc.messages))

        if errors:
            return None
        fields = [("name", self.column("name").header, name)]
        if "gender" in values:
            fields.append(("gender", self.column("gender").header, gender))
        if "phone" in values:
            fields.append(("phone", self.column("phone").header, phone))
        if "department" in values:
            fields.append(
                (
                    "department_id",
                    self.column("department").header,
                    department.pk if department else None,
                )
            )
        if "job_title" in values:
            fields.append(("job_title", self.column("job_title").header, job_title))
        if "email" in values:
            fields.append(("email", self.column("email").header, email))

        cells = [values.get(column.key, "") for column in self.columns]
        cells[-1] = "******" if cells[-1] else ""
        if staff is None:
            staff = Staff(school=self.school, staff_no=staff_no)
            self.diff(staff, fields)
            return Change(
                number,
                staff,
                cells,
                extra={"username": username, "password": password, "positions": positions},
            )
        changed = self.diff(staff, fields)
        held = set(staff.positions)
        new_positions = [p for p in positions if p not in held]
        if new_positions:
            changed.append(self.column("positions").header)
        if not changed:
            return None
        return Change(number, staff, cells, changed, extra={"positions": new_positions})

    def new_username(self, name):
        base = re.sub(r"[^a-z0-9]", "", full_pinyin(name))[:140] or "user"
        if base not in self.looked_up:
            self.looked_up.add(base)
            taken = User.objects.filter(username__istartswith=base)
            self.taken_usernames.update(u.lower() for u in taken.values_list("username", flat=True))
        username, suffix = base, 1
        while username in self.taken_usernames:
            suffix += 1
            username = f"{base}{suffix}"
        self.taken_usernames.add(username)
        return username

    def forget_passwords(self, fileobj):
        """The workbook without its initial passwords, or None when it has none: once
        the logins exist, the stored file must not keep them."""
        book = load_workbook(fileobj)
        sheet = book.worksheets[0]
        headers = [_cell_text(cell.value) for cell in sheet[1]]
        if PASSWORD_HEADER not in headers:
            return None
        column = headers.index(PASSWORD_HEADER) + 1
        found = False
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            found = found or cell.value not in (None, "")
            cell.value = None
        if not found:
            return None
        output = io.BytesIO()
        book.save(output)
        return output.getvalue()

    def apply(self, plan):
        for change in plan.creates:
            user = User(username=change.extra["username"])
            if change.extra["password"]:
                user.set_password(change.extra["password"])
            else:
                user.set_unusable_password()
            user.save()
            change.obj.user = user
        super().apply(plan)
        for change in plan.creates + plan.updates:
            for position in change.extra["positions"]:
                Appointment.objects.create(staff=change.obj, position=position)


class PlaceImporter(Importer):
    kind = "places"
    label = gettext_lazy("场所")
    model = Place
    key_description = gettext_lazy("场所编码")
    columns = [
        Column("campus", "校区", True, gettext_lazy("校区名称或编码"), "本部校区"),
        Column("building", "楼宇", help=gettext_lazy("楼宇名称或编码；室外场所留空"), example=""),
        Column(
            "floor",
            "楼层",
            help=gettext_lazy("数字，地下一层填 -1；须在楼宇的层数之内，须同时填写楼宇"),
            example="",
            width=8,
        ),
        Column("name", "场所名称", True, example="101教室"),
        Column("code", "场所编码", True, gettext_lazy("本校唯一，用于匹配已有场所"), "PX-101"),
        Column("place_type", "类型", True, example="教室", width=10),
        Column("area", "面积", help=gettext_lazy("平方米，可带两位小数"), example=60, width=8),
        Column("capacity", "容纳人数", help=gettext_lazy("整数"), example=45, width=10),
        Column("note", "备注", example="", width=24),
    ]

    def help_rows(self):
        rows = super().help_rows()
        types = "、".join(str(label) for label in PlaceType.labels)
        campuses = "、".join(
            Campus.objects.for_user(self.user).filter(is_active=True).values_list("name", flat=True)
        )
        for row in rows:
            if row[0] == "类型":
                row[2] = _("可填：%(values)s") % {"values": types}
            elif row[0] == "校区" and campuses:
                row[2] += _("。本校校区：%(values)s") % {"values": campuses}
        return rows

    def export_queryset(self):
        return (
            Place.objects.for_user(self.user)
            .filter(is_active=True)
            .select_related("campus", "building", "floor")
            .order_by("code")
        )

    def export_row(self, place):
        return [
            place.campus.name,
            place.building.name if place.building else "",
            place.floor.level if place.floor else "",
            place.name,
            place.code,
            str(place.get_place_type_display()),
            place.area_m2,
            place.capacity,
            place.note,
        ]

    def prepare(self, rows):
        self.load_campuses()
        buildings = list(Building.objects.for_school(self.school).filter(is_active=True))
        self.buildings = {}
        for campus_id in self.campus_ids:
            in_campus = [b for b in buildings if b.campus_id == campus_id]
            self.buildings[campus_id] = _lookup(in_campus, "code", "name")
        self.all_buildings = _lookup(buildings, "code", "name")
        self.floors = {
            (floor.building_id, floor.level): floor
            for floor in Floor.objects.for_school(self.school)
        }
        self.new_floors = {}
        self.existing = {place.code: place for place in Place.objects.for_school(self.school)}
        self.types = _labels(PlaceType.choices)
        self.seen_codes = {}

    def plan_row(self, number, values, errors, plan):
        campus = self.campus(values, errors, number)
        building = None
        if values.get("building") and campus:
            building = self.buildings[campus.pk].get(values["building"])
            if building is None:
                message = (
                    _("楼宇「%(value)s」不在该校区")
                    if values["building"] in self.all_buildings
                    else _("找不到楼宇「%(value)s」")
                )
                self.error(errors, number, "building", message % {"value": values["building"]})
        floor = None
        level = self.integer(values, "floor", errors, number, minimum=-20, maximum=200)
        if level is not None:
            if not values.get("building"):
                self.error(errors, number, "floor", _("填写楼层时须同时填写楼宇"))
            elif building is not None:
                if level == 0 or not (-building.floors_below <= level <= building.floors_above):
                    self.error(
                        errors,
                        number,
                        "floor",
                        _("楼层不在楼宇「%(building)s」内（地上 %(above)d 层，地下 %(below)d 层）")
                        % {
                            "building": building.name,
                            "above": building.floors_above,
                            "below": building.floors_below,
                        },
                    )
                else:
                    floor = self.floor(building, level, plan)

        name = self.text(values, "name", errors, number, max_length=100)
        code = self.text(values, "code", errors, number, max_length=32)
        if code in self.seen_codes:
            self.error(
                errors, number, "code", _("与第 %(row)d 行重复") % {"row": self.seen_codes[code]}
            )
        elif code:
            self.seen_codes[code] = number
        place = self.existing.get(code)
        if place is not None and place.campus_id not in self.campus_ids:
            self.error(errors, number, "code", _("场所编码已被其他校区的场所使用"))

        place_type = values.get("place_type", "")
        if not place_type:
            self.error(errors, number, "place_type", _("必须填写"))
        else:
            place_type = self.types.get(place_type)
            if place_type is None:
                self.error(
                    errors,
                    number,
                    "place_type",
                    _("未知类型「%(value)s」") % {"value": values["place_type"]},
                )

        area = None
        if values.get("area"):
            try:
                area = Decimal(values["area"]).quantize(Decimal("0.01"))
                if area < 0 or area >= Decimal("100000000"):
                    raise InvalidOperation
            except InvalidOperation:
                self.error(errors, number, "area", _("须为不小于 0 的数字"))
        capacity = self.integer(values, "capacity", errors, number, maximum=2147483647)
        note = self.text(values, "note", errors, number, max_length=200)

        if errors:
            return None
        fields = [
            ("campus_id", self.column("campus").header, campus.pk),
            ("name", self.column("name").header, name),
            ("place_type", self.column("place_type").header, place_type),
        ]
        if "building" in values:
            fields.append(
                ("building_id", self.column("building").header, building.pk if building else None)
            )
        if "area" in values:
            fields.append(("area_m2", self.column("area").header, area))
        if "capacity" in values:
            fields.append(("capacity", self.column("capacity").header, capacity))
        if "note" in values:
            fields.append(("note", self.column("note").header, note))
        cells = [values.get(column.key, "") for column in self.columns]
        new = place is None
        if new:
            place = Place(school=self.school, code=code)
        changed = self.diff(place, fields)
        if "floor" in values:
            new_floor = floor is not None and floor.pk is None
            if new_floor or (floor.pk if floor else None) != place.floor_id:
                place.floor = floor
                changed.append(self.column("floor").header)
        if new:
            return Change(number, place, cells)
        return Change(number, place, cells, changed) if changed else None

    def floor(self, building, level, plan):
        floor = self.floors.get((building.pk, level))
        if floor is None:
            floor = Floor(school=self.school, building=building, level=level)
            self.floors[(building.pk, level)] = floor
            plan.parents.append(floor)
        return floor


def _grade_number(value):
    names = {}
    for language in ("zh-hans", translation.get_language()):
        with translation.override(language):
            names.update({str(name): number for number, name in GRADE_NAMES.items()})
    if value in names:
        return names[value]
    try:
        number = int(Decimal(value))
    except (InvalidOperation, ValueError):
        return None
    return number if 1 <= number <= 12 and number == Decimal(value) else None


class ClassImporter(Importer):
    kind = "classes"
    label = gettext_lazy("班级")
    model = SchoolClass
    key_description = gettext_lazy("校区 + 年级 + 班号")
    columns = [
        Column("campus", "校区", True, gettext_lazy("校区名称或编码"), "本部校区"),
        Column(
            "grade",
            "年级",
            True,
            gettext_lazy("1–9（高中 10–12），或 一年级…九年级、高一…高三；没有的年级会新建"),
            3,
            8,
        ),
        Column("number", "班号", True, gettext_lazy("整数，如 2 表示 2 班"), 2, 8),
        Column(
            "name",
            "班级名称",
            help=gettext_lazy("留空则为 年级(班号)中队，如 3(2)中队"),
            example="",
        ),
        Column(
            "head_teacher",
            "班主任",
            help=gettext_lazy("本校教职工的工号或姓名；同名时请填工号"),
            example="",
        ),
        Column("room", "教室", help=gettext_lazy("教室的场所编码"), example=""),
        Column("student_count", "学生人数", help=gettext_lazy("整数"), example=40, width=10),
    ]

    def help_rows(self):
        rows = super().help_rows()
        campuses = "、".join(
            Campus.objects.for_user(self.user).filter(is_active=True).values_list("name", flat=True)
        )
        for row in rows:
            if row[0] == "校区" and campuses:
                row[2] += _("。本校校区：%(values)s") % {"values": campuses}
        return rows

    def export_queryset(self):
        return (
            SchoolClass.objects.for_user(self.user)
            .filter(is_active=True)
            .select_related("grade__campus", "head_teacher", "room")
            .order_by("grade__campus__code", "grade__number", "number")
        )

    def export_workbook(self):
        self.shared_names = set(
            Staff.objects.filter(school=self.school)
            .values("name")
            .annotate(count=Count("pk"))
            .filter(count__gt=1)
            .values_list("name", flat=True)
        )
        return super().export_workbook()

    def export_row(self, school_class):
        teacher = school_class.head_teacher
        if teacher is None:
            teacher_cell = ""
        elif teacher.name in self.shared_names:
            teacher_cell = teacher.staff_no
        else:
            teacher_cell = teacher.name
        return [
            school_class.grade.campus.name,
            school_class.grade.number,
            school_class.number,
            school_class.name,
            teacher_cell,
            school_class.room.code if school_class.room else "",
            school_class.student_count,
        ]

    def prepare(self, rows):
        self.load_campuses()
        self.grades = {
            (grade.campus_id, grade.number): grade
            for grade in Grade.objects.for_school(self.school)
        }
        self.existing = {
            (c.grade.campus_id, c.grade.number, c.number): c
            for c in SchoolClass.objects.for_school(self.school).select_related("grade")
        }
        staff = list(Staff.objects.filter(school=self.school, is_active=True))
        self.staff_by_no = {s.staff_no: s for s in staff}
        self.staff_by_name = _lookup(staff, "name")
        codes = {values.get("room") for _n, values in rows if values.get("room")}
        self.rooms = {
            p.code: p for p in Place.objects.for_school(self.school).filter(code__in=codes)
        }
        self.seen_keys = {}

    def plan_row(self, number, values, errors, plan):
        campus = self.campus(values, errors, number)
        grade_number = None
        if not values.get("grade"):
            self.error(errors, number, "grade", _("必须填写"))
        else:
            grade_number = _grade_number(values["grade"])
            if grade_number is None:
                self.error(errors, number, "grade", _("须为 1–12 或「一年级」这样的年级名"))
        class_number = self.integer(values, "number", errors, number, minimum=1, maximum=999)
        key = None
        if campus and grade_number and class_number:
            key = (campus.pk, grade_number, class_number)
            if key in self.seen_keys:
                self.error(
                    errors,
                    number,
                    "number",
                    _("与第 %(row)d 行重复") % {"row": self.seen_keys[key]},
                )
            self.seen_keys.setdefault(key, number)
        name = self.text(values, "name", errors, number, max_length=50)
        if not name and grade_number and class_number:
            name = f"{grade_number}({class_number})中队"

        teacher = None
        if values.get("head_teacher"):
            value = values["head_teacher"]
            teacher = self.staff_by_no.get(value) or self.staff_by_name.get(value)
            if teacher is None:
                message = (
                    _("有多位教职工名为「%(value)s」，请填写工号")
                    if value in self.staff_by_name
                    else _("找不到班主任「%(value)s」")
                )
                self.error(errors, number, "head_teacher", message % {"value": value})

        room = None
        if values.get("room"):
            room = self.rooms.get(values["room"])
            if room is None:
                self.error(
                    errors, number, "room", _("找不到教室「%(value)s」") % {"value": values["room"]}
                )
            elif campus and room.campus_id != campus.pk:
                self.error(
                    errors, number, "room", _("教室「%(value)s」不在该校区") % {"value": room.code}
                )
        student_count = self.integer(values, "student_count", errors, number) or 0

        if errors:
            return None
        fields = [("name", self.column("name").header, name)]
        if "head_teacher" in values:
            fields.append(
                (
                    "head_teacher_id",
                    self.column("head_teacher").header,
                    teacher.pk if teacher else None,
                )
            )
        if "room" in values:
            fields.append(("room_id", self.column("room").header, room.pk if room else None))
        if "student_count" in values:
            fields.append(("student_count", self.column("student_count").header, student_count))
        cells = [values.get(column.key, "") for column in self.columns]
        cells[3] = name
        school_class = self.existing.get(key)
        if school_class is None:
            school_class = SchoolClass(
                school=self.school,
                grade=self.grade(campus, grade_number, plan),
                number=class_number,
            )
            self.diff(school_class, fields)
            return Change(number, school_class, cells)
        changed = self.diff(school_class, fields)
        return Change(number, school_class, cells, changed) if changed else None

    def grade(self, campus, number, plan):
        grade = self.grades.get((campus.pk, number))
        if grade is None:
            grade = Grade(school=self.school, campus=campus, number=number)
            self.grades[(campus.pk, number)] = grade
            plan.parents.append(grade)
        return grade


IMPORTERS = {importer.kind: importer for importer in (PeopleImporter, PlaceImporter, ClassImporter)}
