"""The demo school, shaped on the logistics plan of a real nine-year school (善真实验学校).

``load_demo_school()`` builds it and may run any number of times: every record is found by
its natural key (school code, campus code, building code, place code, staff number,
username) and saved only when a value differs, so a second run writes nothing and adds no
audit-log entry. Everything is deterministic: fixed lists and a seeded random generator.

National holiday rows (``CalendarDay`` with school=None) for 2027 are deliberately left out:
they are not published yet, and the calendar page warns about that. We do not invent them.
"""

import importlib
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from houqin.accounts.models import Appointment, Gender, Staff, User
from houqin.accounts.roles import Position
from houqin.core.pinyin import full_pinyin
from houqin.org.models import (
    AcademicYear,
    Building,
    Campus,
    Department,
    District,
    Floor,
    Grade,
    Place,
    PlaceType,
    School,
    SchoolClass,
    Term,
)

DEMO_PASSWORD = "Houqin@2026"
SCHOOL_CODE = "SZSY"
DISTRICT_NAME = "善真区"
SEED = 2026

CN_NUMBERS = "零一二三四五六七八九"

# Ended appointments stay in the table for the record: match only current ones.
CURRENT_APPOINTMENT = (
    {"ended_on": None} if any(f.name == "ended_on" for f in Appointment._meta.fields) else {}
)

# ---------------------------------------------------------------------------------------
# Fixed lists


# Surnames without common polyphonic readings, so full pinyin is the expected username.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭肖田董袁潘蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史黎贺顾"
    "毛郝龚邵万钱严武戴孔汤"
)
FEMALE_GIVEN = [
    "静怡", "丽娟", "晓燕", "雪梅", "海燕", "秀英", "慧敏", "婷婷", "佳琪", "思雨",
    "欣怡", "雅琴", "春梅", "玉兰", "文静", "梦洁", "晓红", "美玲", "雨桐", "淑芬",
    "艳", "敏", "芳", "娜", "琳", "洁", "颖", "倩", "蕾", "萍",
]  # fmt: skip
MALE_GIVEN = [
    "建国", "志强", "海涛", "晓东", "俊杰", "文博", "浩然", "子轩", "国栋", "振华",
    "明辉", "宏伟", "永刚", "立新", "德胜", "家豪", "宇航", "天翔", "鹏飞", "建军",
    "军", "勇", "斌", "涛", "磊", "超", "鑫", "凯", "毅", "峰",
]  # fmt: skip

SUBJECTS = ["语文", "数学", "英语", "科学", "道德与法治", "音乐", "体育", "美术", "信息科技"]


@dataclass(frozen=True)
class PlaceSpec:
    code: str
    name: str
    place_type: str
    level: int | None = None
    area_m2: int | None = None
    capacity: int | None = None


@dataclass(frozen=True)
class BuildingSpec:
    campus: str
    code: str
    name: str
    floors: int
    note: str
    standard_floors: bool = True  # toilets, stairwells and a corridor on every floor
    rooms: tuple = ()


def _classrooms(code, level, count, first=1):
    return tuple(
        PlaceSpec(f"{code}-{level}{n:02d}", f"{level}{n:02d}教室", PlaceType.CLASSROOM, level, 70)
        for n in range(first, first + count)
    )


def _grade_office(code, level, grade_label, room=5):
    return PlaceSpec(
        f"{code}-{level}{room:02d}", f"{grade_label}年级组办公室", PlaceType.OFFICE, level, 45
    )


BUILDINGS = [
    BuildingSpec(
        "MAIN",
        "PX",
        "沛学楼",
        5,
        "教学楼：一至五年级",
        rooms=(
            *[room for lvl in range(1, 6) for room in _classrooms("PX", lvl, 4)],
            *[_grade_office("PX", lvl, CN_NUMBERS[lvl]) for lvl in range(1, 6)],
            PlaceSpec("PX-106", "心理辅导室", PlaceType.OTHER, 1, 40),
            PlaceSpec("PX-206", "音乐教室", PlaceType.CLASSROOM, 2, 80),
            PlaceSpec("PX-306", "美术教室", PlaceType.CLASSROOM, 3, 80),
            PlaceSpec("PX-406", "图书阅览室", PlaceType.OTHER, 4, 120),
            PlaceSpec("PX-506", "科学实验室", PlaceType.LAB, 5, 90, 48),
            PlaceSpec("PX-507", "计算机房", PlaceType.LAB, 5, 90, 48),
        ),
    ),
    BuildingSpec(
        "MAIN",
        "MD",
        "明德楼",
        4,
        "教学楼：六至九年级",
        rooms=(
            *[room for lvl in range(1, 5) for room in _classrooms("MD", lvl, 4)],
            *[_grade_office("MD", lvl, CN_NUMBERS[lvl + 5]) for lvl in range(1, 5)],
            PlaceSpec("MD-306", "计算机房（二）", PlaceType.LAB, 3, 90, 48),
            PlaceSpec("MD-406", "物理实验室", PlaceType.LAB, 4, 90, 48),
            PlaceSpec("MD-407", "化学实验室", PlaceType.LAB, 4, 90, 48),
            PlaceSpec("MD-408", "生物实验室", PlaceType.LAB, 4, 90, 48),
        ),
    ),
    BuildingSpec(
        "MAIN",
        "XZ",
        "行政楼",
        4,
        "办公楼",
        rooms=(
            PlaceSpec("XZ-101", "综合管理中心", PlaceType.OFFICE, 1, 40),
            PlaceSpec("XZ-102", "学生管理中心", PlaceType.OFFICE, 1, 40),
            PlaceSpec("XZ-103", "监控室", PlaceType.OTHER, 1, 25),
            PlaceSpec("XZ-104", "医务室", PlaceType.OTHER, 1, 30),
            PlaceSpec("XZ-201", "后勤办公室", PlaceType.OFFICE, 2, 40),
            PlaceSpec("XZ-202", "教务处", PlaceType.OFFICE, 2, 40),
            PlaceSpec("XZ-203", "资产库房", PlaceType.WAREHOUSE, 2, 60),
            PlaceSpec("XZ-204", "财务室", PlaceType.OFFICE, 2, 25),
            PlaceSpec("XZ-301", "校长室", PlaceType.OFFICE, 3, 35),
            PlaceSpec("XZ-302", "副校长室", PlaceType.OFFICE, 3, 30),
            PlaceSpec("XZ-303", "会议室", PlaceType.OFFICE, 3, 80, 40),
            PlaceSpec("XZ-401", "工会之家", PlaceType.OTHER, 4, 120, 40),
            PlaceSpec("XZ-402", "母婴室", PlaceType.OTHER, 4, 15, 2),
            PlaceSpec("XZ-403", "多功能报告厅", PlaceType.OTHER, 4, 300, 200),
        ),
    ),
    BuildingSpec(
        "MAIN",
        "ST",
        "食堂",
        2,
        "食堂楼",
        standard_floors=False,
        rooms=(
            PlaceSpec("ST-101", "学生餐厅", PlaceType.CANTEEN, 1, 800, 600),
            PlaceSpec("ST-102", "厨房", PlaceType.KITCHEN, 1, 300),
            PlaceSpec("ST-103", "仓库", PlaceType.WAREHOUSE, 1, 80),
            PlaceSpec("ST-104", "留样间", PlaceType.OTHER, 1, 10),
            PlaceSpec("ST-1F-WC-M", "一楼男厕", PlaceType.TOILET, 1, 20),
            PlaceSpec("ST-1F-WC-F", "一楼女厕", PlaceType.TOILET, 1, 20),
            PlaceSpec("ST-201", "教工餐厅", PlaceType.CANTEEN, 2, 300, 160),
        ),
    ),
    BuildingSpec(
        "MAIN",
        "TYG",
        "体育馆",
        2,
        "室内体育馆",
        standard_floors=False,
        rooms=(
            PlaceSpec("TYG-101", "篮球馆", PlaceType.OTHER, 1, 900, 300),
            PlaceSpec("TYG-102", "体育器材室", PlaceType.WAREHOUSE, 1, 60),
            PlaceSpec("TYG-201", "形体房", PlaceType.OTHER, 2, 200, 50),
        ),
    ),
    BuildingSpec(
        "BRANCH",
        "SS",
        "善思楼",
        3,
        "分校区教学楼：一至三年级",
        rooms=(
            *[room for lvl in range(1, 4) for room in _classrooms("SS", lvl, 2)],
            *[_grade_office("SS", lvl, CN_NUMBERS[lvl], room=3) for lvl in range(1, 4)],
            PlaceSpec("SS-104", "分校区办公室", PlaceType.OFFICE, 1, 40),
            PlaceSpec("SS-204", "科学实验室", PlaceType.LAB, 2, 90, 48),
            PlaceSpec("SS-304", "计算机房", PlaceType.LAB, 3, 90, 48),
        ),
    ),
]

OUTDOOR_PLACES = {
    "MAIN": [
        PlaceSpec("CC", "操场", PlaceType.PLAYGROUND, area_m2=12000),
        PlaceSpec("GATE-E", "东校门", PlaceType.GATE),
        PlaceSpec("GATE-S", "南校门", PlaceType.GATE),
        PlaceSpec("BAS-E", "东门保安室", PlaceType.OTHER, area_m2=15),
        PlaceSpec("BAS-S", "南门保安室", PlaceType.OTHER, area_m2=15),
        PlaceSpec("JJ", "基建区域", PlaceType.CONSTRUCTION, area_m2=3000),
        PlaceSpec("PDF", "配电房", PlaceType.OTHER, area_m2=40),
        PlaceSpec("XC", "校车停车区", PlaceType.OUTDOOR, area_m2=300),
    ],
    "BRANCH": [
        PlaceSpec("FX-CC", "分校区操场", PlaceType.PLAYGROUND, area_m2=5000),
        PlaceSpec("FX-GATE", "分校区校门", PlaceType.GATE),
        PlaceSpec("FX-BAS", "分校区保安室", PlaceType.OTHER, area_m2=15),
        PlaceSpec("FX-PDF", "分校区配电房", PlaceType.OTHER, area_m2=30),
    ],
}

DEPARTMENTS = [
    # code, name, office place code
    ("XZS", "校长室", "XZ-301"),
    ("HQ", "后勤保障组", "XZ-201"),
    ("ZHGL", "综合管理中心", "XZ-101"),
    ("XSGL", "学生管理中心", "XZ-102"),
    ("JWC", "教务处", "XZ-202"),
    ("ST", "食堂", "ST-102"),
    ("BAD", "保安队", "BAS-E"),
    ("GH", "工会", "XZ-401"),
]

# Grades: campus code → (grade numbers, classes per grade, first class number). Branch
# classes continue the school's numbering: 一(5)中队, 一(6)中队.
GRADES = {
    "MAIN": (range(1, 10), 4, 1),
    "BRANCH": (range(1, 4), 2, 5),
}
# Classrooms in the order classes take them: grade by grade, floor by floor.
CLASSROOMS = {
    "MAIN": [f"PX-{lvl}{n:02d}" for lvl in range(1, 6) for n in range(1, 5)]
    + [f"MD-{lvl}{n:02d}" for lvl in range(1, 5) for n in range(1, 5)],
    "BRANCH": [f"SS-{lvl}{n:02d}" for lvl in range(1, 4) for n in range(1, 3)],
}

ACADEMIC_YEARS = [
    (
        "2025-2026",
        date(2025, 8, 1),
        date(2026, 7, 31),
        [
            ("第一学期", date(2025, 9, 1), date(2026, 1, 23)),
            ("第二学期", date(2026, 3, 2), date(2026, 7, 3)),
        ],
    ),
    (
        "2026-2027",
        date(2026, 8, 1),
        date(2027, 7, 31),
        [
            ("第一学期", date(2026, 9, 1), date(2027, 1, 22)),
            ("第二学期", date(2027, 2, 22), date(2027, 7, 2)),
        ],
    ),
]


@dataclass
class Role:
    position: str
    department: str | None = None  # department code
    campus: str | None = None  # campus code
    grade: tuple | None = None  # (campus code, grade number)
    charge: str = ""


@dataclass
class Person:
    staff_no: str
    name: str
    username: str
    gender: str
    department: str | None
    job_title: str
    roles: list
    featured: bool = False  # listed in the login table
    is_staff: bool = False
    district_officer: bool = False
    heads: tuple = ()  # department codes this person heads


@dataclass
class DemoResult:
    school: School
    logins: list = field(default_factory=list)  # (username, name, positions, job title)
    account_count: int = 0


# ---------------------------------------------------------------------------------------
# The people


def _named_people():
    """The people the plan names, the leaders and the separated administrators."""
    p = Position
    return [
        Person(
            "SZ0001",
            "陈立群",
            "chenliqun",
            Gender.MALE,
            "XZS",
            "校长",
            [Role(p.PRINCIPAL, "XZS", charge="全面工作")],
            featured=True,
            heads=("XZS",),
        ),
        Person(
            "SZ0002",
            "谢丰",
            "xiefeng",
            Gender.MALE,
            "ZHGL",
            "分管副校长、综合管理中心主任",
            [
                Role(p.VICE_PRINCIPAL, "ZHGL", charge="安全、综合管理"),
                Role(p.DEPARTMENT_HEAD, "ZHGL"),
            ],
            featured=True,
            heads=("ZHGL",),
        ),
        Person(
            "SZ0003",
            "周静",
            "zhoujing",
            Gender.FEMALE,
            "HQ",
            "后勤保障组组长",
            [Role(p.LOGISTICS_MANAGER, "HQ", charge="后勤管理")],
            featured=True,
            heads=("HQ",),
        ),
        Person(
            "SZ0004",
            "朱志刚",
            "zhuzhigang",
            Gender.MALE,
            "HQ",
            "后勤管理员、验收组组长",
            [Role(p.LOGISTICS_MANAGER, "HQ", charge="资产与验收")],
            featured=True,
        ),
        Person(
            "SZ0005",
            "刘伟",
            "liuwei",
            Gender.MALE,
            "ZHGL",
            "综合管理中心干事",
            [Role(p.DUTY_ADMIN, "ZHGL", charge="安全教育与应急演练")],
            featured=True,
        ),
        Person(
            "SZ0006",
            "王佳佳",
            "wangjiajia",
            Gender.FEMALE,
            "GH",
            "美术教师、工会主席",
            [Role(p.UNION_CHAIR, "GH", charge="工会之家、母婴室"), Role(p.TEACHER, charge="美术")],
            featured=True,
            heads=("GH",),
        ),
        Person(
            "SZ0007",
            "刘刚",
            "liugang",
            Gender.MALE,
            "HQ",
            "资产管理员",
            [Role(p.ASSET_CLERK, "HQ", charge="固定资产")],
            featured=True,
        ),
        Person(
            "SZ0008",
            "陶向明",
            "taoxiangming",
            Gender.MALE,
            "HQ",
            "后勤员工组长（维修）",
            [Role(p.MAINTENANCE_STAFF, "HQ", charge="维修")],
            featured=True,
        ),
        Person(
            "SZ0901",
            "系统管理员",
            "admin",
            "",
            None,
            "系统管理员",
            [Role(p.SYSTEM_ADMIN)],
            featured=True,
            is_staff=True,
        ),
        Person(
            "SZ0902",
            "安全管理员",
            "security",
            "",
            None,
            "安全管理员",
            [Role(p.SECURITY_ADMIN)],
            featured=True,
        ),
        Person(
            "SZ0903",
            "审计管理员",
            "audit",
            "",
            None,
            "审计管理员",
            [Role(p.AUDIT_ADMIN)],
            featured=True,
        ),
    ]


DISTRICT_OFFICER = Person(
    "SZQ0001",
    "郑文博",
    "district",
    Gender.MALE,
    None,
    "区教育局装备与后勤科",
    [Role(Position.DISTRICT_OFFICER)],
    featured=True,
    district_officer=True,
)


class _Names:
    """Deterministic Chinese names: a seeded walk over fixed surname and given-name lists."""

    def __init__(self, rng, taken):
        self.rng = rng
        self.taken = set(taken)

    def next(self, gender):
        given = FEMALE_GIVEN if gender == Gender.FEMALE else MALE_GIVEN
        while True:
            name = self.rng.choice(SURNAMES) + self.rng.choice(given)
            if name not in self.taken:
                self.taken.add(name)
                return name


def _generated_people(rng, named):
    """Teachers, class teachers, grade leaders and logistics staff."""
    p = Position
    names = _Names(rng, {person.name for person in named})
    people = []

    def add(number, gender, department, job_title, roles, featured=False):
        people.append(
            Person(
                f"SZ{number:04d}",
                names.next(gender),
                "",
                gender,
                department,
                job_title,
                roles,
                featured=featured,
            )
        )
        return people[-1]

    def teacher_gender():
        return Gender.FEMALE if rng.random() < 0.72 else Gender.MALE

    number = 100  # teachers from SZ0101; logistics staff from SZ0301

    def next_number():
        nonlocal number
        number += 1
        return number

    # Heads of the student management centre and the academic office.
    head = add(
        next_number(),
        teacher_gender(),
        "XSGL",
        "学生管理中心主任",
        [Role(p.DEPARTMENT_HEAD, "XSGL"), Role(p.TEACHER, charge="道德与法治")],
        featured=True,
    )
    head.heads = ("XSGL",)
    head = add(
        next_number(),
        teacher_gender(),
        "JWC",
        "教务处主任",
        [Role(p.DEPARTMENT_HEAD, "JWC"), Role(p.TEACHER, charge="数学")],
    )
    head.heads = ("JWC",)

    # Grade leaders and class teachers, campus by campus.
    for campus, (grade_numbers, per_grade, _first) in GRADES.items():
        limit = campus if campus != "MAIN" else None
        for grade in grade_numbers:
            label = f"{CN_NUMBERS[grade]}年级"
            subject = SUBJECTS[(grade + 1) % 3]
            add(
                next_number(),
                teacher_gender(),
                None,
                f"{label}年级组长、{subject}教师",
                [
                    Role(p.GRADE_LEADER, campus=limit, grade=(campus, grade)),
                    Role(p.TEACHER, campus=limit, charge=subject),
                ],
                featured=(campus, grade) == ("MAIN", 1),
            )
            for index in range(per_grade):
                subject = SUBJECTS[index % 2]
                add(
                    next_number(),
                    teacher_gender(),
                    None,
                    f"{label}班主任、{subject}教师",
                    [
                        Role(p.CLASS_TEACHER, campus=limit, grade=(campus, grade)),
                        Role(p.TEACHER, campus=limit, charge=subject),
                    ],
                    featured=(campus, grade, index) == ("MAIN", 1, 0),
                )
    # Subject teachers without a class.
    for index in range(16):
        subject = SUBJECTS[2 + index % (len(SUBJECTS) - 2)]
        add(
            next_number(),
            teacher_gender(),
            None,
            f"{subject}教师",
            [Role(p.TEACHER, charge=subject)],
            featured=index == 0,
        )

    # Logistics staff: numbered from SZ0301.
    number = 300
    add(
        next_number(),
        Gender.MALE,
        "ST",
        "食堂管理员",
        [Role(p.CANTEEN_MANAGER, "ST")],
        featured=True,
    ).heads = ("ST",)
    for index in range(8):
        add(
            next_number(),
            Gender.FEMALE if index % 3 else Gender.MALE,
            "ST",
            "厨师" if index < 3 else "食堂员工",
            [Role(p.CANTEEN_STAFF, "ST")],
            featured=index == 0,
        )
    for index in range(8):
        branch = index >= 6
        add(
            next_number(),
            Gender.FEMALE if index % 4 else Gender.MALE,
            "HQ",
            "保洁员（分校区）" if branch else "保洁员",
            [Role(p.CLEANING_STAFF, "HQ", campus="BRANCH" if branch else None)],
            featured=index == 0,
        )
    for index in range(6):
        branch = index >= 4
        captain = index == 0
        person = add(
            next_number(),
            Gender.MALE,
            "BAD",
            "保安队长" if captain else ("保安（分校区）" if branch else "保安"),
            [Role(p.SECURITY_STAFF, "BAD", campus="BRANCH" if branch else None)],
            featured=captain or index == 4,
        )
        if captain:
            person.heads = ("BAD",)
    for _index in range(2):
        add(next_number(), Gender.MALE, "HQ", "维修工", [Role(p.MAINTENANCE_STAFF, "HQ")])
    add(next_number(), Gender.MALE, "HQ", "校车司机", [Role(p.DRIVER, "HQ")], featured=True)
    add(
        next_number(),
        Gender.FEMALE,
        "HQ",
        "校车照管员",
        [Role(p.BUS_ESCORT, "HQ")],
        featured=True,
    )
    return people


def demo_people():
    """Everyone in the demo school, in a fixed order, with unique usernames."""
    rng = random.Random(SEED)
    named = _named_people()
    people = [*named, *_generated_people(rng, named), DISTRICT_OFFICER]
    used = {person.username for person in people if person.username}
    for person in people:
        if person.username:
            continue
        base = full_pinyin(person.name)
        username, suffix = base, 1
        while username in used:
            suffix += 1
            username = f"{base}{suffix}"
        used.add(username)
        person.username = username
    return people


# ---------------------------------------------------------------------------------------
# Writing: find by natural key, save only what differs


def _differs(obj, name, value):
    model_field = obj._meta.get_field(name)
    if model_field.is_relation:
        current = getattr(obj, model_field.attname)
        return current != (value.pk if value is not None else None)
    return getattr(obj, name) != value


def upsert(model, lookup, defaults=None):
    """The record ``lookup`` finds, created or brought up to ``defaults``; saved only when
    a value differs, so an unchanged record gets no write and no audit entry."""
    defaults = defaults or {}
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        return model._default_manager.create(**lookup, **defaults)
    changed = [name for name, value in defaults.items() if _differs(obj, name, value)]
    if changed:
        for name in changed:
            setattr(obj, name, defaults[name])
        obj.save(update_fields=changed)
    return obj


class _Loader:
    def __init__(self):
        self.rng = random.Random(SEED)
        self._password_hash = None

    def password_hash(self):
        # One hash for every new demo account: they share the published demo password, and
        # hashing it 130 times would make loading slow for nothing.
        if self._password_hash is None:
            self._password_hash = make_password(DEMO_PASSWORD)
        return self._password_hash

    def run(self):
        self.district = upsert(District, {"name": DISTRICT_NAME}, {"code": "SZQ"})
        self.school = upsert(
            School,
            {"code": SCHOOL_CODE},
            {
                "name": "善真实验学校",
                "short_name": "善真学校",
                "district": self.district,
                "address": "善真区善真路 1 号",
                "time_zone": "Asia/Shanghai",
            },
        )
        self.campuses = {
            "MAIN": upsert(
                Campus,
                {"school": self.school, "code": "MAIN"},
                {"name": "本部校区", "is_main": True, "address": "善真区善真路 1 号"},
            ),
            "BRANCH": upsert(
                Campus,
                {"school": self.school, "code": "BRANCH"},
                {"name": "分校区", "is_main": False, "address": "善真区明德街 88 号"},
            ),
        }
        self.build_places()
        self.build_departments()
        self.build_grades()
        self.build_calendar()
        people = demo_people()
        self.staff = {person.staff_no: self.build_person(person) for person in people}
        self.assign_heads(people)
        self.load_services()
        return DemoResult(
            school=self.school,
            logins=[
                (person.username, person.name, self.role_label(person), person.job_title)
                for person in people
                if person.featured
            ],
            account_count=len(people),
        )

    def load_services(self):
        """Each platform service seeds its own demo data (approval flows, schedules…) in
        ``houqin/<app>/demo.py``: ``load(school, staff)`` with staff by username."""
        staff = {s.user.username: s for s in self.staff.values() if s.user_id}
        for app in (
            "approvals",
            "notifications",
            "schedules",
            "files",
            "qr",
            "repairs",
            "leave",
            "hazards",
            "patrols",
            "assets",
            "stocktakes",
            "supplies",
        ):
            try:
                module = importlib.import_module(f"houqin.{app}.demo")
            except ModuleNotFoundError:
                continue
            module.load(self.school, staff)

    # -- places ----------------------------------------------------------------------------

    def build_places(self):
        self.places = {}
        for spec in BUILDINGS:
            campus = self.campuses[spec.campus]
            building = upsert(
                Building,
                {"school": self.school, "code": spec.code},
                {
                    "campus": campus,
                    "name": spec.name,
                    "floors_above": spec.floors,
                    "floors_below": 0,
                    "note": spec.note,
                },
            )
            floors = {
                level: upsert(
                    Floor,
                    {"building": building, "level": level},
                    {"school": self.school, "name": ""},
                )
                for level in range(1, spec.floors + 1)
            }
            rooms = list(spec.rooms)
            if spec.standard_floors:
                for level in range(1, spec.floors + 1):
                    rooms += self.floor_services(spec.code, level)
            for room in rooms:
                self.place(room, campus, building, floors[room.level])
        for campus_code, specs in OUTDOOR_PLACES.items():
            for spec in specs:
                self.place(spec, self.campuses[campus_code], None, None)

    @staticmethod
    def floor_services(code, level):
        label = f"{CN_NUMBERS[level]}楼"
        prefix = f"{code}-{level}F"
        return [
            PlaceSpec(f"{prefix}-WC-M", f"{label}男厕", PlaceType.TOILET, level, 25),
            PlaceSpec(f"{prefix}-WC-F", f"{label}女厕", PlaceType.TOILET, level, 25),
            PlaceSpec(f"{prefix}-ST-E", f"{label}东楼梯", PlaceType.STAIRWELL, level, 20),
            PlaceSpec(f"{prefix}-ST-W", f"{label}西楼梯", PlaceType.STAIRWELL, level, 20),
            PlaceSpec(f"{prefix}-CO", f"{label}走廊", PlaceType.CORRIDOR, level, 120),
        ]

    def place(self, spec, campus, building, floor):
        self.places[spec.code] = upsert(
            Place,
            {"school": self.school, "code": spec.code},
            {
                "campus": campus,
                "building": building,
                "floor": floor,
                "name": spec.name,
                "place_type": spec.place_type,
                "area_m2": spec.area_m2,
                "capacity": spec.capacity,
            },
        )

    # -- departments, grades, classes -----------------------------------------------------

    def build_departments(self):
        self.departments = {
            code: upsert(
                Department,
                {"school": self.school, "code": code},
                {"name": name, "office": self.places[office]},
            )
            for code, name, office in DEPARTMENTS
        }

    def build_grades(self):
        self.grades = {}
        self.classes = {}
        for campus_code, (grade_numbers, per_grade, first) in GRADES.items():
            campus = self.campuses[campus_code]
            rooms = [self.places[code] for code in CLASSROOMS[campus_code]]
            for grade_number in grade_numbers:
                grade = upsert(
                    Grade,
                    {"school": self.school, "campus": campus, "number": grade_number},
                    {"name": f"{CN_NUMBERS[grade_number]}年级"},
                )
                self.grades[(campus_code, grade_number)] = grade
                for index in range(per_grade):
                    number = first + index
                    room = rooms.pop(0)
                    self.classes[(campus_code, grade_number, index)] = upsert(
                        SchoolClass,
                        {"grade": grade, "number": number},
                        {
                            "school": self.school,
                            "name": f"{CN_NUMBERS[grade_number]}({number})中队",
                            "room": room,
                            "student_count": self.rng.randint(40, 45),
                        },
                    )

    def build_calendar(self):
        for name, start, end, terms in ACADEMIC_YEARS:
            year = upsert(
                AcademicYear, {"school": self.school, "name": name}, {"start": start, "end": end}
            )
            for term_name, term_start, term_end in terms:
                first_monday = term_start - timedelta(days=term_start.weekday())
                weeks = (term_end - first_monday).days // 7 + 1
                upsert(
                    Term,
                    {"school": self.school, "academic_year": year, "name": term_name},
                    {"start": term_start, "end": term_end, "teaching_weeks": weeks},
                )

    # -- people ----------------------------------------------------------------------------

    def build_person(self, person):
        if person.district_officer:
            lookup = {"school": None, "district": self.district, "staff_no": person.staff_no}
        else:
            lookup = {"school": self.school, "staff_no": person.staff_no}
        staff = Staff.objects.filter(**lookup).select_related("user").first()
        user = staff.user if staff and staff.user_id else self.user_for(person)
        if user.is_staff != person.is_staff:
            user.is_staff = person.is_staff
            user.save(update_fields=["is_staff"])
        phone_digits = "".join(ch for ch in person.staff_no if ch.isdigit())
        staff = upsert(
            Staff,
            lookup,
            {
                "user": user,
                "name": person.name,
                "phone": ("1390000" if not person.district_officer else "1390009")
                + phone_digits[-4:],
                "gender": person.gender,
                "department": self.departments[person.department] if person.department else None,
                "job_title": person.job_title,
            },
        )
        for role in person.roles:
            upsert(
                Appointment,
                {
                    "staff": staff,
                    "position": role.position,
                    "campus": self.campuses[role.campus] if role.campus else None,
                    "department": self.departments[role.department] if role.department else None,
                    "grade": self.grades[role.grade] if role.grade else None,
                    **CURRENT_APPOINTMENT,
                },
                {"charge": role.charge},
            )
        return staff

    def user_for(self, person):
        user = User.objects.filter(username=person.username).first()
        if user is not None and not Staff.objects.filter(user=user).exists():
            return user
        username, suffix = person.username, 1
        while User.objects.filter(username=username).exists():
            suffix += 1
            username = f"{person.username}{suffix}"
        person.username = username
        return User.objects.create(
            username=username,
            password=self.password_hash(),
            password_changed_at=timezone.now(),
            is_staff=person.is_staff,
        )

    def assign_heads(self, people):
        for person in people:
            for code in person.heads:
                upsert(
                    Department,
                    {"school": self.school, "code": code},
                    {"head": self.staff[person.staff_no]},
                )
        # Grade leaders and class teachers, in the order the people were planned.
        leaders = {}
        class_teachers = {}
        for person in people:
            for role in person.roles:
                if role.position == Position.GRADE_LEADER:
                    leaders[role.grade] = self.staff[person.staff_no]
                elif role.position == Position.CLASS_TEACHER:
                    class_teachers.setdefault(role.grade, []).append(self.staff[person.staff_no])
        for key, grade in self.grades.items():
            upsert(Grade, {"pk": grade.pk}, {"leader": leaders.get(key)})
        for (campus, grade, index), school_class in self.classes.items():
            teachers = class_teachers.get((campus, grade), [])
            head = teachers[index] if index < len(teachers) else None
            upsert(SchoolClass, {"pk": school_class.pk}, {"head_teacher": head})

    @staticmethod
    def role_label(person):
        labels = []
        for role in person.roles:
            label = str(Position(role.position).label)
            if label not in labels:
                labels.append(label)
        return "、".join(labels)


def load_demo_school():
    """Build (or bring up to date) the demo school. Returns a ``DemoResult``."""
    with transaction.atomic():
        return _Loader().run()
