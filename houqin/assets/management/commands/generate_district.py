"""Build a district at scale for the benchmarks: schools with campuses, buildings, floors,
rooms, departments and staff, and asset cards with their history.

    manage.py generate_district                       # 200 schools, 1,000,000 cards
    manage.py generate_district --schools 5 --cards 20000

The cards look like a real ledger: the classes schools own (computers, all-in-one screens,
desks as lots, air conditioners, instruments, books, a few buildings and vehicles), most
of them bought in the last six years, depreciated month by month up to ``--through``
(the month before last by default), some idle, in repair or disposed. Each card has one
or two history lines (AssetEvent). Rows go in with ``COPY`` on PostgreSQL and batched
``bulk_create`` on SQLite; run it on an empty database (see benchmarks/README.md).
"""

import random
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from houqin.accounts.models import Staff
from houqin.assets.models import Asset, AssetEvent, Category, DisposalMethod, Status
from houqin.core.pinyin import initials
from houqin.org.models import (
    Building,
    Campus,
    Department,
    District,
    Floor,
    Place,
    PlaceType,
    School,
)

FEN = Decimal("0.01")


@dataclass(frozen=True)
class Item:
    code: str
    names: tuple
    brands: tuple
    low: int
    high: int
    weight: int
    unit: str = "台"
    lot: int = 0  # a lot of this many on one card, sometimes


# What schools own, by GB/T 14885-2022 class (the seeded table, loaded by the migrations).
ITEMS = [
    Item(
        "A02010105",
        ("台式计算机", "学生计算机", "教师办公电脑"),
        ("联想", "戴尔", "惠普", "华为"),
        3000,
        8000,
        150,
    ),
    Item(
        "A02010108",
        ("便携式计算机", "笔记本电脑"),
        ("联想", "华为", "戴尔", "苹果"),
        4000,
        12000,
        40,
    ),
    Item(
        "A02010401",
        ("交互式教学一体机", "智慧黑板", "触控一体机"),
        ("希沃", "鸿合", "海信", "长虹"),
        8000,
        24000,
        60,
    ),
    Item("A020202", ("投影仪", "激光投影机"), ("爱普生", "明基", "索尼"), 3000, 12000, 30),
    Item(
        "A02021003", ("激光打印机", "黑白打印机"), ("惠普", "佳能", "兄弟", "理光"), 1000, 4000, 40
    ),
    Item(
        "A02061804",
        ("挂壁式空调机", "柜式空调机", "空调"),
        ("格力", "美的", "海尔", "奥克斯"),
        2500,
        9000,
        90,
    ),
    Item(
        "A02101001", ("学生电源", "示波器", "物理实验仪器"), ("江南", "教学仪器厂"), 1000, 6000, 30
    ),
    Item("A02101002", ("酸度计", "离心机", "化学实验仪器"), ("上海精科", "江南"), 1000, 6000, 25),
    Item("A02101003", ("生物显微镜", "解剖显微镜"), ("麦克奥迪", "江南"), 1000, 5000, 30),
    Item("A02120401", ("电子天平", "托盘天平"), ("上海精科", "梅特勒"), 1000, 3000, 10),
    Item("A02091107", ("网络摄像机", "硬盘录像机"), ("海康威视", "大华"), 1000, 5000, 30),
    Item("A02090602", ("音箱", "教室扩音器"), ("雅马哈", "惠威", "得胜"), 1000, 6000, 15),
    Item("A02450102", ("电钢琴", "电子琴"), ("卡西欧", "雅马哈", "珠江"), 1500, 20000, 12),
    Item("A02450103", ("古筝", "二胡", "琵琶"), ("敦煌", "星海"), 1000, 9000, 8),
    Item(
        "A024602",
        ("篮球架", "乒乓球台", "足球门"),
        ("泰山", "红双喜", "舒华"),
        1000,
        12000,
        30,
        "套",
    ),
    Item("A024604", ("跑步机", "综合训练器"), ("舒华", "英派斯"), 2000, 15000, 10, "台"),
    Item(
        "A05010203",
        ("学生课桌", "升降课桌", "实验桌"),
        ("科教", "宏大", "金迪"),
        300,
        900,
        150,
        "张",
        45,
    ),
    Item("A05010304", ("学生椅", "实验凳"), ("科教", "宏大", "金迪"), 100, 400, 90, "把", 45),
    Item("A05010201", ("办公桌", "讲台"), ("科教", "宏大", "震旦"), 800, 4000, 50, "张"),
    Item("A05010301", ("办公椅", "转椅"), ("科教", "震旦", "宏大"), 300, 1500, 40, "把", 20),
    Item("A05010502", ("文件柜", "档案柜", "更衣柜"), ("科教", "宏大"), 600, 2500, 40, "组"),
    Item("A05010501", ("书柜", "书架"), ("科教", "宏大"), 600, 2500, 20, "组"),
    Item("A040101", ("图书", "教学参考书", "少儿读物"), ("",), 2000, 60000, 12, "批"),
    Item("A0302", ("校史陈列品", "荣誉奖杯"), ("",), 1000, 20000, 2, "件"),
    Item("A02030604", ("校车",), ("宇通", "金龙"), 300000, 600000, 1, "辆"),
    Item("A02030501", ("公务用车",), ("大众", "红旗"), 150000, 300000, 1, "辆"),
    Item("A01010201", ("教学楼", "实验楼", "综合楼"), ("",), 5000000, 30000000, 1, "栋"),
    Item("A01010301", ("学生宿舍楼",), ("",), 3000000, 15000000, 1, "栋"),
    Item("A01010303", ("食堂",), ("",), 2000000, 8000000, 1, "栋"),
]

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力波宁斌浩凯鹏飞鑫宇欣怡"
DEPARTMENTS = [
    "校长办公室",
    "教务处",
    "德育处",
    "总务处",
    "信息中心",
    "语文组",
    "数学组",
    "英语组",
    "科学组",
    "体育组",
    "艺术组",
    "图书馆",
]
BUILDINGS = [
    ("教学楼", PlaceType.CLASSROOM),
    ("实验楼", PlaceType.LAB),
    ("综合楼", PlaceType.OFFICE),
    ("行政楼", PlaceType.OFFICE),
    ("体艺馆", PlaceType.OTHER),
]
STATUSES = [
    (Status.IN_USE, 80),
    (Status.IDLE, 9),
    (Status.REPAIRING, 3),
    (Status.PENDING_DISPOSAL, 3),
    (Status.DISPOSED, 5),
]
HISTORY = [
    (AssetEvent.Action.MOVE, "调整存放地点"),
    (AssetEvent.Action.STATUS, "使用状态变更"),
    (AssetEvent.Action.REPAIR, "报修"),
    (AssetEvent.Action.EDIT, "补录规格型号"),
    (AssetEvent.Action.STOCKTAKE, "年度盘点：账实相符"),
]

ASSET_COLUMNS = [
    "id",
    "created_at",
    "updated_at",
    "name_initials",
    "school_id",
    "number",
    "name",
    "category_id",
    "legacy_code",
    "spec",
    "model_name",
    "brand",
    "serial_number",
    "unit",
    "quantity",
    "area",
    "acquisition_method",
    "acquired_on",
    "booked_on",
    "original_value",
    "fiscal_amount",
    "non_fiscal_amount",
    "project_code",
    "funding_source",
    "procurement_form",
    "invoice_number",
    "life_months",
    "life_locked",
    "depreciated_months",
    "accumulated_depreciation",
    "net_value",
    "depreciated_through",
    "status",
    "purpose",
    "managing_department_id",
    "using_department_id",
    "custodian_id",
    "place_id",
    "disposal_method",
    "disposed_on",
    "disposal_note",
    "acceptance_id",
    "note",
]
EVENT_COLUMNS = ["created_at", "updated_at", "asset_id", "action", "actor_id", "note", "changes"]


def _month(value: str) -> date:
    try:
        year, month = value.split("-")
        return date(int(year), int(month), 1)
    except ValueError:
        raise CommandError(f"月份格式应为 YYYY-MM：{value}") from None


def _months_between(start: date, end: date) -> int:
    """Months from ``start``'s month to ``end``'s month, both counted."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _moment(day: date, rng) -> datetime:
    return datetime(day.year, day.month, day.day, rng.randint(0, 9), rng.randint(0, 59), tzinfo=UTC)


class Command(BaseCommand):
    help = "Generate a district of schools and asset cards with history, for the benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--schools", type=int, default=200)
        parser.add_argument("--cards", type=int, default=1_000_000)
        parser.add_argument("--district", default="基准测试区", help="The district's name.")
        parser.add_argument(
            "--through",
            type=_month,
            default=None,
            help="The last month already depreciated (YYYY-MM); default: the month before last.",
        )
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, schools, cards, district, through, seed, **options):
        if District.objects.filter(name=district).exists():
            raise CommandError(f"区县“{district}”已存在：请在一个空数据库里生成。")
        if schools < 1 or cards < schools:
            raise CommandError("至少一所学校，且卡片数不少于学校数。")
        today = date.today()
        if through is None:
            previous = today.replace(day=1) - timedelta(days=1)
            through = (previous.replace(day=1) - timedelta(days=1)).replace(day=1)
        self.rng = random.Random(seed)
        self.today = today
        self.through = through
        started = time.monotonic()

        with transaction.atomic():
            categories = self._categories()
            district_row = District.objects.create(name=district, code="BENCH")
            org = self._organisation(district_row, schools)
        self._say(f"{schools} 所学校及其场所、部门、教职工", started)

        sizes = self._school_sizes(schools, cards)
        cards_started = time.monotonic()
        rows, events = self._cards(org, sizes, categories)
        self._say(f"生成 {len(rows)} 张卡片和 {len(events)} 条履历（内存中）", cards_started)
        write_started = time.monotonic()
        with transaction.atomic():
            self._write(Asset, ASSET_COLUMNS, rows)
            self._write(AssetEvent, EVENT_COLUMNS, events)
        self._say("写入数据库", write_started)
        if connection.vendor == "postgresql":
            analyze_started = time.monotonic()
            # VACUUM sets the visibility map (index-only scans); it cannot run inside a
            # transaction (a test's), where statistics are all we can refresh.
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            with connection.cursor() as cursor:
                for table in (Asset._meta.db_table, AssetEvent._meta.db_table):
                    cursor.execute(f"{command} {table}")
            self._say(command, analyze_started)
        self._say(
            f"完成：区县“{district}”，{schools} 所学校，{len(rows)} 张卡片，"
            f"折旧已计提至 {through:%Y-%m}",
            started,
        )

    def _say(self, text, since):
        self.stdout.write(f"{text}（{time.monotonic() - since:.1f} 秒）")

    # --- the organisation -------------------------------------------------------------

    def _categories(self):
        """Each item's class from the seeded table, or its nearest seeded ancestor."""
        by_code = {}
        for item in ITEMS:
            for length in range(len(item.code), 2, -2):
                category = Category.objects.filter(code=item.code[:length]).first()
                if category:
                    by_code[item.code] = category
                    break
            else:
                raise CommandError(f"没有资产分类 {item.code}：请先运行 migrate（载入分类表）。")
        return by_code

    def _organisation(self, district, count):
        rng = self.rng
        now = datetime.now(UTC)
        schools = School.objects.bulk_create(
            School(
                district=district,
                name=f"{district.name}第{index + 1:03d}学校",
                short_name=f"第{index + 1:03d}校",
                code=f"BENCH{index + 1:04d}",
                created_at=now,
            )
            for index in range(count)
        )
        campuses = Campus.objects.bulk_create(
            _named(Campus, school=school, name="本部", code="MAIN", is_main=True)
            for school in schools
        )
        buildings = Building.objects.bulk_create(
            _named(
                Building,
                school=campus.school,
                campus=campus,
                name=name,
                code=f"B{index + 1}",
                floors_above=4,
            )
            for campus in campuses
            for index, (name, _type) in enumerate(BUILDINGS[: rng.randint(3, 5)])
        )
        floors = Floor.objects.bulk_create(
            Floor(school=building.school, building=building, level=level)
            for building in buildings
            for level in range(1, 5)
        )
        place_types = dict(BUILDINGS)
        places = []
        for floor in floors:
            building = floor.building
            for room in range(1, rng.randint(8, 15) + 1):
                places.append(
                    _named(
                        Place,
                        school=floor.school,
                        campus=building.campus,
                        building=building,
                        floor=floor,
                        name=f"{floor.level}{room:02d}室",
                        code=f"{building.code}-{floor.level}{room:02d}",
                        place_type=place_types[building.name],
                    )
                )
        places = Place.objects.bulk_create(places, batch_size=2000)
        departments = Department.objects.bulk_create(
            (
                _named(Department, school=school, name=name, code=f"D{index + 1:02d}")
                for school in schools
                for index, name in enumerate(DEPARTMENTS)
            ),
            batch_size=2000,
        )
        departments_of = _group(departments)
        staff = []
        for school in schools:
            for index in range(rng.randint(60, 150)):
                name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))
                staff.append(
                    _named(
                        Staff,
                        school=school,
                        name=name,
                        staff_no=f"T{index + 1:04d}",
                        department=rng.choice(departments_of[school.pk]),
                    )
                )
        staff = Staff.objects.bulk_create(staff, batch_size=2000)
        return {
            "schools": schools,
            "places": _group(places),
            "departments": departments_of,
            "staff": _group(staff),
        }

    def _school_sizes(self, count, cards):
        """Schools differ in size (a lognormal spread), adding up to ``cards``."""
        weights = [self.rng.lognormvariate(0, 0.5) for _ in range(count)]
        total = sum(weights)
        sizes = [max(1, int(cards * weight / total)) for weight in weights]
        sizes[0] += cards - sum(sizes)
        return sizes

    # --- the cards --------------------------------------------------------------------

    def _cards(self, org, sizes, categories):
        rng = self.rng
        items = [(item, categories[item.code]) for item in ITEMS]
        weights = [item.weight for item in ITEMS]
        status_values = [status for status, _weight in STATUSES]
        status_weights = [weight for _status, weight in STATUSES]
        cards = []
        for school, size in zip(org["schools"], sizes, strict=True):
            places = org["places"][school.pk]
            departments = org["departments"][school.pk]
            general_affairs = departments[3]
            people = org["staff"][school.pk]
            # Cards bought before the school started using houqin came in one import.
            imported_on = date(2025, rng.randint(3, 12), rng.randint(1, 28))
            picks = rng.choices(items, weights=weights, k=size)
            school_cards = []
            for item, category in picks:
                acquired = self._acquired_on(rng)
                booked = min(acquired + timedelta(days=rng.randint(0, 20)), self.today)
                created = imported_on if booked < imported_on else booked
                school_cards.append(
                    (created, acquired, booked, item, category, school, general_affairs)
                )
            school_cards.sort(key=lambda card: card[1])
            for sequence, card in enumerate(school_cards, start=1):
                created, acquired, booked, item, category, school, general_affairs = card
                cards.append(
                    self._card(
                        rng,
                        sequence,
                        created,
                        acquired,
                        booked,
                        item,
                        category,
                        school,
                        general_affairs,
                        rng.choice(places),
                        rng.choice(departments),
                        rng.choice(people) if rng.random() < 0.6 else None,
                        rng.choices(status_values, weights=status_weights)[0],
                    )
                )
        # Ids in the order the cards were entered, the schools interleaved as in life.
        cards.sort(key=lambda row: row[1])
        start = (Asset.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        events = []
        for offset, row in enumerate(cards):
            row[0] = start + offset
            events.extend(self._events(rng, row))
        return cards, events

    def _acquired_on(self, rng):
        # Most of a ledger is recent (the last six years); the rest goes back to 2008.
        recent = rng.random() < 0.7
        first = self.today - timedelta(days=6 * 365) if recent else date(2008, 1, 1)
        return first + timedelta(days=rng.randint(0, (self.today - first).days))

    def _card(
        self,
        rng,
        sequence,
        created,
        acquired,
        booked,
        item,
        category,
        school,
        general_affairs,
        place,
        department,
        custodian,
        status,
    ):
        quantity = item.lot if item.lot and rng.random() < 0.5 else 1
        unit_price = Decimal(rng.randint(item.low, item.high))
        if rng.random() < 0.5:
            unit_price = (unit_price / 100).quantize(Decimal("1")) * 100
        value = (unit_price * quantity).quantize(FEN)
        fiscal = value if rng.random() < 0.85 else Decimal("0.00")
        life = category.life_years * 12 if category.depreciable and category.life_years else None
        months, accumulated, through = 0, Decimal("0.00"), None
        start = booked.replace(day=1)
        if life and start <= self.through:
            months = min(_months_between(start, self.through), life)
            monthly = (value / life).quantize(FEN, rounding=ROUND_HALF_UP)
            accumulated = value if months == life else min(monthly * months, value)
            through = self.through
        name = rng.choice(item.names)
        brand = rng.choice(item.brands)
        disposed = status == Status.DISPOSED
        moment = _moment(created, rng)
        return [
            None,  # id, set once every card is made
            moment,
            moment,
            _initials(name),
            school.pk,
            f"{acquired.year}-{sequence:06d}",
            name,
            category.pk,
            "",
            f"{rng.choice(['标准', '加强', '经济'])}型" if item.brands != ("",) else "",
            f"{brand[:1].upper() if brand else 'X'}{rng.randint(100, 999)}",
            brand,
            f"SN{rng.randint(10**9, 10**10 - 1)}" if life else "",
            item.unit,
            quantity,
            None,
            "purchase",
            acquired,
            booked,
            value,
            fiscal,
            value - fiscal,
            "",
            "财政拨款" if fiscal else "自有资金",
            "政府集中采购" if value >= 50000 else "分散采购",
            f"{rng.randint(10**7, 10**8 - 1)}",
            life,
            months > 0,
            months,
            accumulated,
            value - accumulated,
            through,
            status,
            "教学" if rng.random() < 0.7 else "办公",
            general_affairs.pk,
            department.pk,
            custodian.pk if custodian else None,
            place.pk,
            rng.choice([DisposalMethod.SCRAP, DisposalMethod.SELL]) if disposed else "",
            min(booked + timedelta(days=rng.randint(365, 3000)), self.today) if disposed else None,
            "达到使用年限，无法修复" if disposed else "",
            None,
            "",
        ]

    def _events(self, rng, row):
        asset_id, created = row[0], row[1]
        first = (
            AssetEvent.Action.ACCEPT
            if created.date() == row[ASSET_COLUMNS.index("booked_on")]
            else AssetEvent.Action.IMPORT
        )
        events = [[created, created, asset_id, first, None, "", "{}"]]
        if rng.random() < 0.5:
            action, note = rng.choice(HISTORY)
            later = created + timedelta(days=rng.randint(1, 400))
            events.append([later, later, asset_id, action, None, note, "{}"])
        return events

    # --- writing ----------------------------------------------------------------------

    def _write(self, model, columns, rows):
        if connection.vendor == "postgresql":
            self._copy(model, columns, rows)
        else:
            self._bulk_create(model, columns, rows)

    def _copy(self, model, columns, rows):
        table = model._meta.db_table
        with connection.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )

    def _bulk_create(self, model, columns, rows, batch=2000):
        fields = [model._meta.get_field(_attname_to_name(model, c)).attname for c in columns]
        for first in range(0, len(rows), batch):
            objects = []
            for row in rows[first : first + batch]:
                values = dict(zip(fields, row, strict=True))
                if model is AssetEvent:
                    values["changes"] = {}
                objects.append(model(**values))
            model.objects.bulk_create(objects)


@cache
def _initials(name):
    return initials(name)


def _attname_to_name(model, column):
    for field in model._meta.concrete_fields:
        if field.column == column:
            return field.name
    raise LookupError(column)


def _named(model, **fields):
    """bulk_create does not call save(): fill the pinyin initials ourselves."""
    return model(name_initials=initials(fields["name"]), **fields)


def _group(rows):
    grouped = {}
    for row in rows:
        grouped.setdefault(row.school_id, []).append(row)
    return grouped
