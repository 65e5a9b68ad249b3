"""The demo school's fixed assets: about 400 cards across its places and departments.

- Deliveries accepted in past years through ``services`` (so each card has its acceptance,
  consecutive numbers of that year and its "accept" event): an all-in-one screen in every
  classroom, the computer rooms, projectors, lab instruments and teachers' laptops.
- The older assets entered by hand in this year's entry campaign (the plan's "April: all
  fixed assets entered"): the buildings, the school bus, desks and chairs as one lot card
  per classroom, air conditioners, office furniture, sports and music equipment, the
  library's books. A few still lack a place or a booking date, so 录入进度 has work to show.
- Some cards idle (闲置) or under repair, with their notes.
- One delivery waiting for its acceptance, with liugang and zhoujing in the group.

Idempotent: each acceptance is found by its order number, the hand-entered cards are made
only when the school has none, and nothing is changed on a second run. Places and
departments are found by their demo codes; a school without them gets fewer cards.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from houqin.assets import depreciation, services
from houqin.assets.categories import load_categories
from houqin.assets.models import (
    Acceptance,
    AcquisitionMethod,
    Asset,
    Category,
    DepreciationRun,
    Status,
)
from houqin.org.models import Department, Place

CLASSROOMS = (
    [f"PX-{level}{n:02d}" for level in range(1, 6) for n in range(1, 5)]
    + [f"MD-{level}{n:02d}" for level in range(1, 5) for n in range(1, 5)]
    + [f"SS-{level}{n:02d}" for level in range(1, 4) for n in range(1, 3)]
)
GRADE_OFFICES = (
    [f"PX-{level}05" for level in range(1, 6)]
    + [f"MD-{level}05" for level in range(1, 5)]
    + [f"SS-{level}03" for level in range(1, 4)]
)
OFFICES = ["XZ-101", "XZ-102", "XZ-201", "XZ-202", "XZ-204", "XZ-301", "XZ-302", "SS-104"]
SPECIAL_ROOMS = ["XZ-303", "XZ-403", "PX-206", "PX-306", "PX-406", "XZ-104"]


@dataclass
class Line:
    category: str
    name: str
    quantity: int
    price: str
    place: str | None = None
    department: str | None = None
    brand: str = ""
    model_name: str = ""
    spec: str = ""
    unit: str = "台"
    per_unit: bool = True
    custodian: object = None


@dataclass
class Delivery:
    order_number: str
    supplier: str
    delivered_on: date
    accepted_on: date | None  # None: still waiting for its acceptance
    lines: list = field(default_factory=list)
    funding_source: str = "财政拨款"
    procurement_form: str = "政府集中采购"
    invoice_number: str = ""
    note: str = "数量、规格与合同一致，通电运行正常。"


def _deliveries(teachers):
    screens = [
        Line("A02010401", "教学一体机", 1, "16800", room, "JWC", "希沃", "MC86FEA", '86"')
        for room in CLASSROOMS
    ]
    computers = [
        Line("A02010105", "学生计算机", 48, "4200", room, "JWC", "联想", "启天M430")
        for room in ("PX-507", "MD-306")
    ]
    branch_computers = [
        Line("A02010105", "学生计算机", 40, "4350", "SS-304", "JWC", "联想", "启天M455")
    ]
    projectors = [
        Line("A020202", "投影仪", 1, "5600", room, "JWC", "爱普生", "CB-FH52")
        for room in ["XZ-303", "XZ-403", "PX-206", "PX-306", "PX-506", "MD-406", "MD-407"]
        + ["MD-408", "SS-204", "TYG-201"]
    ]
    instruments = [
        Line("A02100301", "生物显微镜", 8, "1850", "MD-408", "JWC", "麦克奥迪", "BA81"),
        Line("A02101001", "学生电源", 6, "1200", "MD-406", "JWC", "教学仪器厂", "J1202"),
        Line("A02101002", "通风橱", 2, "9800", "MD-407", "JWC", "实验室设备", "TFC-1500"),
        Line("A02101004", "数字化实验系统", 2, "12600", "PX-506", "JWC", "朗威", "DISLab"),
        Line("A02120401", "电子天平", 2, "1600", "MD-407", "JWC", "梅特勒", "ME204"),
    ]
    # Each teacher's laptop is kept in their grade office.
    laptops = [
        Line(
            "A02010108",
            "教师笔记本电脑",
            1,
            "5800",
            GRADE_OFFICES[index % len(GRADE_OFFICES)],
            "JWC",
            "联想",
            "ThinkPad E14",
            custodian=person,
        )
        for index, person in enumerate(teachers)
    ]
    return [
        Delivery(
            "SZSY-CG-2021-07",
            "杭州希沃教育科技有限公司",
            date(2021, 8, 16),
            date(2021, 8, 20),
            screens,
            invoice_number="33012100012",
        ),
        Delivery(
            "SZSY-CG-2022-03",
            "杭州联想电脑有限公司",
            date(2022, 3, 7),
            date(2022, 3, 10),
            computers,
            invoice_number="33012200388",
        ),
        Delivery(
            "SZSY-CG-2022-09",
            "浙江视讯设备有限公司",
            date(2022, 9, 5),
            date(2022, 9, 6),
            projectors,
            procurement_form="分散采购",
            invoice_number="33012200917",
        ),
        Delivery(
            "SZSY-CG-2023-02",
            "杭州联想电脑有限公司",
            date(2023, 2, 20),
            date(2023, 2, 22),
            branch_computers,
            invoice_number="33012300142",
        ),
        Delivery(
            "SZSY-CG-2023-09",
            "浙江教学仪器有限公司",
            date(2023, 9, 4),
            date(2023, 9, 8),
            instruments,
            procurement_form="分散采购",
            invoice_number="33012300861",
            note="仪器完好，附合格证和说明书。",
        ),
        Delivery(
            "SZSY-CG-2024-08",
            "杭州联想电脑有限公司",
            date(2024, 8, 26),
            date(2024, 8, 28),
            laptops,
            funding_source="自筹资金",
            procurement_form="自行采购",
            invoice_number="33012400733",
        ),
    ]


def _pending(today):
    return Delivery(
        "SZSY-CG-2026-11",
        "杭州希沃教育科技有限公司",
        today - timedelta(days=3),
        None,
        [
            Line("A02010401", "教学一体机", 2, "17200", "SS-301", "JWC", "希沃", "MC86FEB", '86"'),
            Line("A020202", "投影仪", 1, "5900", "SS-204", "JWC", "爱普生", "CB-FH52"),
        ],
        invoice_number="33012600915",
    )


@dataclass
class Card:
    category: str
    name: str
    value: str
    acquired_on: date
    place: str | None = None
    department: str | None = None
    quantity: int = 1
    unit: str = "台"
    method: str = AcquisitionMethod.PURCHASE
    area: str | None = None
    brand: str = ""
    model_name: str = ""
    booked: bool = True


def _legacy():
    cards = [
        Card(
            "A01010201", "沛学楼", "18600000", date(2012, 8, 30), None, "HQ", 1, "栋", area="6800"
        ),
        Card(
            "A01010201", "明德楼", "15200000", date(2014, 8, 28), None, "HQ", 1, "栋", area="5600"
        ),
        Card("A010101", "行政楼", "9800000", date(2012, 8, 30), None, "HQ", 1, "栋", area="3200"),
        Card("A01010303", "食堂", "6300000", date(2013, 7, 15), None, "ST", 1, "栋", area="2400"),
        Card(
            "A01010204", "体育馆", "12800000", date(2016, 8, 20), None, "HQ", 1, "栋", area="3600"
        ),
        Card(
            "A01010201",
            "善思楼（分校区）",
            "8600000",
            date(2018, 8, 25),
            None,
            "HQ",
            1,
            "栋",
            area="2900",
        ),
        Card(
            "A02030604",
            "校车（宇通 ZK6579）",
            "386000",
            date(2020, 6, 12),
            "XC",
            "HQ",
            brand="宇通",
            model_name="ZK6579",
        ),
        Card("A040101", "图书馆藏书", "342000", date(2015, 9, 1), "PX-406", "JWC", 12600, "册"),
        Card("A02450101", "立式钢琴", "28600", date(2017, 9, 1), "PX-206", "JWC", brand="珠江"),
        Card("A02450101", "立式钢琴", "28600", date(2017, 9, 1), "XZ-403", "JWC", brand="珠江"),
        Card("A02450102", "电子琴", "32400", date(2019, 3, 1), "PX-206", "JWC", 18, brand="卡西欧"),
        Card("A024602", "篮球架", "16800", date(2016, 8, 20), "TYG-101", "JWC", 2, "副"),
        Card("A024602", "乒乓球台", "14400", date(2016, 8, 20), "TYG-102", "JWC", 6, "张"),
        Card("A024603", "体操垫", "9600", date(2019, 9, 1), "TYG-201", "JWC", 40, "块"),
        Card("A024601", "跳高架", "3600", date(2019, 9, 1), "TYG-102", "JWC", 2, "副"),
    ]
    for room in CLASSROOMS:
        cards.append(
            Card("A05010203", "学生课桌", "14400", date(2015, 8, 20), room, "XSGL", 45, "张")
        )
        cards.append(Card("A05010304", "学生椅", "6750", date(2015, 8, 20), room, "XSGL", 45, "把"))
    for room in [*GRADE_OFFICES, *OFFICES, *SPECIAL_ROOMS]:
        cards.append(Card("A02061804", "空调", "5200", date(2016, 7, 1), room, "HQ", brand="格力"))
    for room in [*GRADE_OFFICES, *OFFICES]:
        cards.append(Card("A05010201", "办公桌", "3600", date(2015, 8, 20), room, "HQ", 6, "张"))
        cards.append(Card("A05010301", "办公椅", "1800", date(2015, 8, 20), room, "HQ", 6, "把"))
    return cards


def _classes():
    """The GB/T classes by code, loaded first when the table is empty (a database
    migrated before the seed)."""
    if not Category.objects.exists():
        load_categories(Category)
    return {category.code: category for category in Category.objects.all()}


def _moment(day):
    return timezone.make_aware(datetime.combine(day, time(15, 30)))


def load(school, staff):
    clerk, manager = staff.get("liugang"), staff.get("zhoujing")
    if clerk is None or manager is None:
        return
    context = {
        "clerk": clerk,
        "group": [clerk, manager],
        "places": {place.code: place for place in Place.objects.filter(school=school)},
        "departments": {d.code: d for d in Department.objects.filter(school=school)},
        "classes": _classes(),
    }
    with transaction.atomic():
        for delivery in _deliveries(_teachers(staff)):
            _accept(school, delivery, **context)
        if not Asset.objects.filter(school=school, acceptance__isnull=True).exists():
            _enter(school, **context)
        _accept(school, _pending(timezone.localdate()), **context)
        _depreciation_history(school)


def _depreciation_history(school):
    """Cards as if the school had booked every month until two months ago, then last
    month through the real monthly depreciation, so net values and the report look real."""
    if DepreciationRun.objects.filter(school=school).exists():
        return
    last_month = depreciation.previous_month(depreciation.month_start(timezone.localdate()))
    through = depreciation.previous_month(last_month)
    cards = []
    for card in depreciation.due_cards(school, through).select_related("category"):
        start = depreciation.month_start(card.booked_on or card.acquired_on)
        months = (through.year - start.year) * 12 + through.month - start.month + 1
        months = min(months, card.life_months)
        if months < 1:
            continue
        monthly = (card.original_value / card.life_months).quantize(Decimal("0.01"))
        accumulated = (
            card.original_value
            if months == card.life_months
            else min(monthly * months, card.original_value)
        )
        card.depreciated_months = months
        card.accumulated_depreciation = accumulated
        card.net_value = card.original_value - accumulated
        card.depreciated_through = through
        card.life_locked = True
        cards.append(card)
    Asset.objects.bulk_update(
        cards,
        [
            "depreciated_months",
            "accumulated_depreciation",
            "net_value",
            "depreciated_through",
            "life_locked",
        ],
        batch_size=500,
    )
    depreciation.depreciate_month(school, last_month)


def _teachers(staff):
    """Those who get a laptop: the art teacher and the first class teachers and teachers."""
    people = sorted(
        (s for s in staff.values() if s.staff_no.startswith("SZ01")), key=lambda s: s.staff_no
    )
    chosen = [staff["wangjiajia"]] if "wangjiajia" in staff else []
    return chosen + people[: 20 - len(chosen)]


def _accept(school, delivery, *, clerk, group, places, departments, classes):
    if Acceptance.objects.filter(school=school, order_number=delivery.order_number).exists():
        return
    lines = [line for line in delivery.lines if line.place is None or line.place in places]
    if not lines:
        return
    acceptance = services.acceptance_save(
        Acceptance(),
        by=clerk,
        values={
            "supplier": delivery.supplier,
            "order_number": delivery.order_number,
            "invoice_number": delivery.invoice_number,
            "delivered_on": delivery.delivered_on,
            "funding_source": delivery.funding_source,
            "procurement_form": delivery.procurement_form,
        },
        group=group,
    )
    for line in lines:
        services.acceptance_line_save(
            acceptance.lines.model(acceptance=acceptance),
            by=clerk,
            values={
                "category": classes[line.category],
                "name": line.name,
                "spec": line.spec,
                "model_name": line.model_name,
                "brand": line.brand,
                "unit": line.unit,
                "quantity_ordered": line.quantity,
                "quantity_received": line.quantity,
                "unit_price": Decimal(line.price),
                "card_per_unit": line.per_unit,
                "life_months": None,
                "using_department": departments.get(line.department),
                "custodian": line.custodian,
                "place": places.get(line.place),
                "check_note": "外观完好，型号与合同一致",
            },
        )
    if delivery.accepted_on is None:
        return
    cards = services.acceptance_accept(
        acceptance,
        by=clerk,
        accepted_on=delivery.accepted_on,
        note=delivery.note,
        now=_moment(delivery.accepted_on),
    )
    if delivery.order_number == "SZSY-CG-2022-03":
        # The second computer room was emptied for the new AI lab: its machines wait.
        for card in cards[48:54]:
            services.asset_set_status(
                card, by=clerk, status=Status.IDLE, note="计算机房（二）改造，暂存待调配"
            )
    if delivery.order_number == "SZSY-CG-2021-07":
        services.asset_set_status(
            cards[0], by=clerk, status=Status.REPAIRING, note="触摸失灵，厂家上门维修"
        )


def _enter(school, *, clerk, group, places, departments, classes):
    today = timezone.localdate()
    for index, spec in enumerate(_legacy()):
        place = places.get(spec.place) if spec.place else None
        if spec.place and place is None:
            continue
        value = Decimal(spec.value)
        # A few cards of the entry campaign are still incomplete.
        incomplete_place = spec.name == "学生椅" and index % 9 == 0
        incomplete_booking = spec.name == "办公桌" and index % 5 == 0
        method = AcquisitionMethod.SELF_BUILT if spec.category.startswith("A01") else spec.method
        card = services.asset_create(
            by=clerk,
            school=school,
            values={
                "name": spec.name,
                "category": classes[spec.category],
                "quantity": spec.quantity,
                "unit": spec.unit,
                "area": Decimal(spec.area) if spec.area else None,
                "brand": spec.brand,
                "model_name": spec.model_name,
                "acquisition_method": method,
                "acquired_on": spec.acquired_on,
                "booked_on": None if incomplete_booking else spec.acquired_on,
                "original_value": value,
                "fiscal_amount": value,
                "non_fiscal_amount": Decimal("0.00"),
                "funding_source": "财政拨款",
                "managing_department": departments.get("HQ"),
                "using_department": departments.get(spec.department),
                "place": None if incomplete_place else place,
                "note": "2026 年资产清查补录",
            },
            now=_moment(today - timedelta(days=30 - index % 20)),
        )
        if spec.name == "空调" and spec.place in ("XZ-104", "SS-104"):
            services.asset_set_status(
                card, by=clerk, status=Status.IDLE, note="房间调整，空调暂停使用"
            )
