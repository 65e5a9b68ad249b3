"""The demo school's repairs: three vendors, dispatch rules, deadlines, and sixteen
requests over the last four weeks in every state — made through ``services`` with explicit
moments, so each has its real history, costs, ratings and deadlines.

Idempotent: vendors, rules and deadlines the school already has are left as they are, and
a request is made only when the school has none with its description. Places are found by
their demo codes; a school without them gets the requests on its first places.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from houqin.accounts.models import Staff
from houqin.accounts.roles import Position
from houqin.org.models import Place, SchoolClass
from houqin.repairs import deadlines, services
from houqin.repairs.models import (
    Category,
    Deadline,
    DispatchRule,
    RepairRequest,
    Urgency,
    Vendor,
)

C, U = Category, Urgency

VENDORS = [
    {
        "name": "清风空调维修服务有限公司",
        "contact": "钱师傅",
        "phone": "0571-86651234",
        "categories": [C.AIR_CONDITIONING.value],
        "note": "空调年度维保合同单位",
    },
    {
        "name": "新视界多媒体科技有限公司",
        "contact": "孙经理",
        "phone": "0571-88213456",
        "categories": [C.SCREENS.value, C.SURVEILLANCE.value],
        "note": "一体机保修期内由厂家上门",
    },
    {
        "name": "安达消防设施维保有限公司",
        "contact": "吴工",
        "phone": "0571-85507788",
        "categories": [C.FIRE_EQUIPMENT.value],
        "note": "消防设施年检",
    },
]

# (urgency, category or "", response hours, completion hours), in working hours.
DEADLINES = [
    (U.URGENT, "", 1, 4),
    (U.NORMAL, "", 4, 16),
    (U.LOW, "", 8, 40),
    (U.NORMAL, C.AIR_CONDITIONING, 8, 24),
    (U.URGENT, C.WATER_POWER, Decimal("0.5"), 2),
]


@dataclass
class Spec:
    description: str
    place: str  # the demo place code
    category: str
    urgency: str
    reporter: int  # index into the reporters
    days_ago: int  # working days before today
    at: time
    steps: list = field(default_factory=list)  # (action, working hours after the last, args)


SPECS = [
    Spec(
        "三年级教室一体机触摸失灵，点不动",
        "PX-301",
        C.SCREENS,
        U.NORMAL,
        0,
        19,
        time(8, 40),
        [
            ("assign", 0.3, {"to": "lead"}),
            ("accept", 0.2, {}),
            ("start", 0.5, {}),
            ("finish", 1.5, {"note": "重新校准触摸框，已恢复正常"}),
            ("confirm", 3, {"rating": 5, "comment": "修得很快，谢谢陶师傅"}),
        ],
    ),
    Spec(
        "一体机又黑屏了，开机没有画面",
        "PX-301",
        C.SCREENS,
        U.NORMAL,
        0,
        11,
        time(9, 50),
        [
            ("assign", 0.5, {"to": "it"}),
            ("accept", 0.3, {}),
            ("start", 0.2, {}),
            ("wait", 1, {"note": "电源板烧坏，需更换，已联系厂家寄配件"}),
            ("start", 14, {}),
            ("finish", 1.5, {"note": "更换电源板，开机正常", "parts_cost": "380"}),
            ("confirm", 4, {"rating": 4, "comment": "等配件等了两天"}),
        ],
    ),
    Spec(
        "教室后门闭门器漏油，门关不上",
        "PX-301",
        C.DOORS_WINDOWS,
        U.NORMAL,
        0,
        2,
        time(10, 15),
        [
            ("assign", 0.5, {"to": "lead"}),
            ("accept", 0.5, {}),
            ("start", 1, {}),
        ],
    ),
    Spec(
        "第三排两张课桌桌腿松动，学生一靠就晃",
        "PX-101",
        C.DESKS_CHAIRS,
        U.LOW,
        1,
        17,
        time(14, 5),
        [
            ("assign", 1, {"to": "third"}),
            ("accept", 2, {}),
            ("start", 3, {}),
            (
                "finish",
                1,
                {
                    "note": "桌腿螺丝缺失，已补齐加固；学生课间在桌上打闹所致",
                    "parts_cost": "60",
                    "damage": "四(1)中队 李同学、赵同学",
                },
            ),
            ("confirm", 5, {"rating": 5, "comment": ""}),
        ],
    ),
    Spec(
        "窗户玻璃被足球砸碎，碎玻璃已清扫",
        "PX-102",
        C.DOORS_WINDOWS,
        U.NORMAL,
        1,
        1,
        time(8, 20),
        [
            ("assign", 0.3, {"to": "lead"}),
            ("accept", 0.2, {}),
            ("start", 0.5, {}),
            (
                "finish",
                2,
                {
                    "note": "更换窗玻璃一块（5mm 钢化）",
                    "labour_cost": "50",
                    "parts_cost": "150",
                    "damage": "一(2)中队 周同学",
                },
            ),
        ],
    ),
    Spec(
        "会议室空调不制冷，开了半小时还是热",
        "XZ-303",
        C.AIR_CONDITIONING,
        U.NORMAL,
        2,
        14,
        time(9, 0),
        [
            ("finish_by_manager", 20, {"note": "清风空调上门加氟，制冷恢复", "vendor_cost": "450"}),
            ("confirm", 6, {"rating": 4, "comment": "外包单位第二天才来"}),
        ],
    ),
    Spec(
        "报告厅空调漏水，滴到座椅上",
        "XZ-403",
        C.AIR_CONDITIONING,
        U.URGENT,
        3,
        1,
        time(13, 40),
        [],
    ),
    Spec(
        "计算机房整排电脑上不了网",
        "PX-507",
        C.NETWORK,
        U.URGENT,
        4,
        16,
        time(10, 30),
        [
            ("accept", 0.2, {}),
            ("start", 0.1, {}),
            ("finish", 1.5, {"note": "交换机端口故障，已换到备用端口"}),
            ("confirm", 2, {"rating": 5, "comment": "上课前修好了"}),
        ],
    ),
    Spec(
        "后勤办公室无线网络经常断线",
        "XZ-201",
        C.NETWORK,
        U.NORMAL,
        5,
        1,
        time(15, 10),
        [],
    ),
    Spec(
        "食堂一楼男厕水龙头爆裂，一直在漏水",
        "ST-1F-WC-M",
        C.WATER_POWER,
        U.URGENT,
        6,
        9,
        time(11, 20),
        [
            ("assign", 0.1, {"to": "lead"}),
            ("accept", 0.1, {}),
            ("start", 0.1, {}),
            ("finish", 1, {"note": "关总阀，更换水龙头", "parts_cost": "45"}),
            ("reopen", 3, {"note": "接口处还在渗水"}),
            ("accept", 0.5, {}),
            ("start", 0.2, {}),
            ("finish", 1, {"note": "更换角阀和软管，已不渗水", "parts_cost": "75"}),
            ("confirm", 4, {"rating": 3, "comment": "第二次才修好"}),
        ],
    ),
    Spec(
        "篮球馆两盏照明灯不亮",
        "TYG-101",
        C.WATER_POWER,
        U.NORMAL,
        7,
        8,
        time(9, 30),
        [
            ("assign", 1, {"to": "third"}),
            ("accept", 2, {}),
            ("wait", 1, {"note": "需采购 LED 灯管 4 支，已报采购"}),
        ],
    ),
    Spec(
        "东校门监控画面模糊，看不清车牌",
        "GATE-E",
        C.SURVEILLANCE,
        U.NORMAL,
        8,
        1,
        time(8, 10),
        [
            ("assign", 0.5, {"to": "it"}),
            ("accept", 0.5, {}),
            ("start", 1, {}),
            ("finish", 1.5, {"note": "清洁镜头罩并重新对焦"}),
        ],
    ),
    Spec(
        "配电房门口灭火器压力表指针在红区",
        "PDF",
        C.FIRE_EQUIPMENT,
        U.URGENT,
        9,
        1,
        time(16, 0),
        [],
    ),
    Spec(
        "分校区一年级教室门锁坏了，钥匙拧不动",
        "SS-101",
        C.DOORS_WINDOWS,
        U.NORMAL,
        10,
        1,
        time(16, 40),
        [],
    ),
    Spec(
        "医务室窗帘轨道脱落",
        "XZ-104",
        C.OTHER,
        U.LOW,
        11,
        7,
        time(10, 0),
        [("cancel", 2, {"note": "已自行装好，不用再修"})],
    ),
    Spec(
        "操场跑道边的排水沟盖板松动，容易绊倒",
        "CC",
        C.OTHER,
        U.NORMAL,
        1,
        1,
        time(9, 15),
        [
            ("assign", 0.5, {"to": "lead"}),
            ("accept", 0.5, {}),
        ],
    ),
]


def load(school, staff):
    people = _People(school, staff)
    if people.manager is None or not people.workers:
        return
    vendors = _vendors(school)
    _rules(school, people, vendors)
    _deadlines(school)
    places = _places(school)
    if not places:
        return
    clock = deadlines.WorkingClock(school)
    now = timezone.now()
    existing = set(
        RepairRequest.objects.filter(
            school=school, description__in=[spec.description for spec in SPECS]
        ).values_list("description", flat=True)
    )
    todo = [
        (_moments(spec, clock, now), index, spec)
        for index, spec in enumerate(SPECS)
        if spec.description not in existing
    ]
    # In the order they were reported, so that the numbers follow the dates.
    for moments, index, spec in sorted(todo, key=lambda item: (item[0][0], item[1])):
        place = places.get(spec.place) or places["*"][index % len(places["*"])]
        with transaction.atomic():
            _make(spec, school, place, people, vendors, moments)


class _People:
    def __init__(self, school, staff):
        def holders(*positions):
            return list(
                Staff.objects.filter(
                    school=school,
                    is_active=True,
                    appointments__position__in=positions,
                    appointments__ended_on__isnull=True,
                )
                .distinct()
                .order_by("staff_no", "pk")
            )

        managers = holders(Position.LOGISTICS_MANAGER)
        self.manager = staff.get("zhoujing") or (managers[0] if managers else None)
        workers = holders(Position.MAINTENANCE_STAFF)
        lead = staff.get("taoxiangming") or (workers[0] if workers else None)
        others = [w for w in workers if w != lead]
        self.workers = {
            "lead": lead,
            "it": others[0] if others else lead,
            "third": others[1] if len(others) > 1 else lead,
        }
        if lead is None:
            self.workers = {}
        named = [staff[name] for name in ("wangjiajia", "liuwei") if name in staff]
        teachers = holders(Position.TEACHER, Position.CLASS_TEACHER)
        self.reporters = [*named, *[t for t in teachers if t not in named]] or [self.manager]

    def reporter(self, index):
        return self.reporters[index % len(self.reporters)]


def _vendors(school):
    vendors = {}
    for spec in VENDORS:
        vendor = Vendor.objects.filter(school=school, name=spec["name"]).first()
        if vendor is None:
            vendor = Vendor.objects.create(school=school, **spec)
        vendors[spec["categories"][0]] = vendor
    return vendors


def _rules(school, people, vendors):
    rules = [
        (C.NETWORK, {"assignee": people.workers["it"]}),
        (C.AIR_CONDITIONING, {"vendor": vendors[C.AIR_CONDITIONING.value]}),
    ]
    for category, target in rules:
        if not DispatchRule.objects.filter(
            school=school, category=category, campus__isnull=True
        ).exists():
            DispatchRule.objects.create(school=school, category=category, **target)


def _deadlines(school):
    for urgency, category, response, completion in DEADLINES:
        if not Deadline.objects.filter(school=school, urgency=urgency, category=category).exists():
            Deadline.objects.create(
                school=school,
                urgency=urgency,
                category=category,
                response_hours=Decimal(str(response)),
                completion_hours=Decimal(str(completion)),
            )


def _places(school):
    places = Place.objects.filter(school=school, is_active=True).select_related("campus")
    found = {place.code: place for place in places.filter(code__in={s.place for s in SPECS})}
    fallback = list(places.order_by("code")[:20])
    if not fallback:
        return {}
    return {**found, "*": fallback}


def _moments(spec, clock, now):
    """The report moment and each step's, in working hours; moved back as a whole when
    the last would be in the future (a demo loaded early in the morning)."""
    day = timezone.localdate(now)
    remaining = spec.days_ago
    while remaining > 0 or not clock.is_workday(day):
        day -= timedelta(days=1)
        if clock.is_workday(day):
            remaining -= 1
    moment = timezone.make_aware(datetime.combine(day, spec.at))
    moments = [moment]
    for _action, hours, _args in spec.steps:
        moment = clock.add(moment, Decimal(str(hours)))
        moments.append(moment)
    latest = now - timedelta(minutes=10)
    if moments[-1] > latest:
        shift = moments[-1] - latest
        moments = [m - shift for m in moments]
    return moments


def _make(spec, school, place, people, vendors, moments):
    reporter = people.reporter(spec.reporter)
    repair = services.report(
        by=reporter,
        place=place,
        category=spec.category,
        urgency=spec.urgency,
        description=spec.description,
        now=moments[0],
    )
    manager = people.manager
    for (action, _hours, args), at in zip(spec.steps, moments[1:], strict=True):
        worker = repair.assignee or manager
        if action == "assign":
            services.assign(repair, by=manager, assignee=people.workers[args["to"]], now=at)
        elif action == "accept":
            services.accept(repair, by=worker, now=at)
        elif action == "start":
            services.start(repair, by=worker, now=at)
        elif action == "wait":
            services.wait_for_parts(repair, by=worker, note=args["note"], now=at)
        elif action in ("finish", "finish_by_manager"):
            damage = args.get("damage", "")
            services.finish(
                repair,
                by=manager if action == "finish_by_manager" else worker,
                note=args["note"],
                labour_cost=args.get("labour_cost"),
                parts_cost=args.get("parts_cost"),
                vendor_cost=args.get("vendor_cost"),
                damaged_by_students=bool(damage),
                responsible_class=SchoolClass.objects.filter(room=place).first()
                if damage
                else None,
                responsible_person=damage,
                now=at,
            )
        elif action == "confirm":
            services.confirm(
                repair, by=reporter, rating=args["rating"], comment=args["comment"], now=at
            )
        elif action == "reopen":
            services.reopen(repair, by=reporter, note=args["note"], now=at)
        elif action == "cancel":
            services.cancel(repair, by=reporter, note=args["note"], now=at)
        else:  # pragma: no cover - a typo in SPECS
            raise ValueError(action)
    return repair
