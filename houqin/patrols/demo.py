"""The demo school's patrols: the checklists of the plan (日巡视, 月检查, four 专项检查, the
school-bus pre-trip check with the escort's counts, canteen hygiene, toilets), four routes
over the teaching buildings, the perimeter and the branch campus, the guards' plans on
the school calendar, and the last week of rounds — made the way the phone makes them
(``services.sync_round``), so QR visits, answers, the hazards of the failed items and the
missed checkpoints are all real. One expected round was never walked: it is flagged missed.

Idempotent: checklists, routes and plans the school already has (by name) are left as they
are, and the rounds are made only while the school has none on the demo routes. Places and
people are found by their demo codes and logins; what the school does not have is left out.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from houqin.accounts.models import Staff
from houqin.accounts.roles import Position
from houqin.hazards.models import Domain
from houqin.org.calendar import SchoolCalendar
from houqin.org.models import Campus, Place
from houqin.patrols import services
from houqin.patrols.models import (
    AnswerType,
    Checklist,
    ChecklistItem,
    ChecklistKind,
    ExpectedRound,
    Plan,
    Result,
    Round,
    Route,
)
from houqin.qr.models import QrCode
from houqin.schedules.models import Schedule
from houqin.schedules.recurrence import CalendarMode, HolidayPolicy, RuleKind

D, K = Domain, ChecklistKind
NUMBER, TEXT = AnswerType.NUMBER, AnswerType.TEXT
# The teaching days of past rounds, not counting today.
PAST_DAYS = 6


def item(key, text, domain="", **fields):
    return {"key": key, "text": text, "hazard_domain": domain, **fields}


DAILY_ITEMS = [
    item("doors", "门窗、门锁完好，放学后门窗关闭", D.BUILDINGS, guidance="窗户插销、门锁、闭门器"),
    item("lights", "照明和应急照明正常", D.UTILITIES),
    item(
        "extinguisher",
        "灭火器在位、压力正常、在有效期内",
        D.FIRE,
        photo_on_fail=True,
        guidance="压力表指针在绿区，标签日期在有效期内",
    ),
    item("exits", "疏散通道、安全出口畅通，无杂物堆放", D.FIRE, photo_on_fail=True),
    item("sockets", "电源插座和线路无破损，无私拉乱接", D.UTILITIES),
    item("leaks", "无漏水、渗水", D.UTILITIES),
    item("strangers", "无可疑人员和可疑物品", D.SECURITY),
]

CHECKLISTS = [
    ("日巡视检查表", K.DAILY_PATROL, "保安每日按路线巡查", DAILY_ITEMS),
    (
        "月度安全检查表",
        K.MONTHLY_INSPECTION,
        "后勤每月对各楼宇和重点部位全面检查",
        [
            *DAILY_ITEMS[:6],
            item(
                "pressure",
                "灭火器压力",
                D.FIRE,
                answer_type=NUMBER,
                min_value=Decimal("1.0"),
                max_value=Decimal("1.4"),
                unit="MPa",
                guidance="干粉灭火器压力表读数，绿区 1.0–1.4 MPa",
            ),
            item("hydrant", "消火栓箱内水带、水枪齐全，箱门能打开", D.FIRE),
            item("signs", "疏散指示标志和应急照明灯有效", D.FIRE),
            item("panel", "配电箱上锁，周围无杂物", D.UTILITIES),
            item("railings", "楼梯扶手、栏杆牢固", D.BUILDINGS),
            item("ceiling", "墙面、吊顶无裂缝、无脱落", D.BUILDINGS),
            item("remarks", "其他发现", answer_type=TEXT, required=False),
        ],
    ),
    (
        "专项：消防安全检查表",
        K.SPECIAL,
        "消防安全专项检查（每学期不少于两次）",
        [
            item("duty", "消防控制室 24 小时双人值班，持证上岗", D.FIRE),
            item("alarm", "火灾自动报警系统运行正常，无故障、无屏蔽", D.FIRE),
            item("sprinkler", "自动喷水灭火系统末端试水压力正常", D.FIRE),
            item("station", "微型消防站器材齐全，人员熟悉使用", D.FIRE),
            item("gas", "燃气管道、阀门和可燃气体报警器正常", D.FIRE),
            item("storage", "易燃易爆物品专人专柜存放", D.FIRE),
        ],
    ),
    (
        "专项：施工区域安全检查表",
        K.SPECIAL,
        "校内施工期间每周检查",
        [
            item("fence", "施工区域围挡封闭完好，与教学区隔离", D.BUILDINGS, photo_on_fail=True),
            item("warning", "警示标志和夜间警示灯齐全", D.BUILDINGS),
            item("workers", "施工人员实名登记、佩戴工作证", D.SECURITY),
            item("equipment", "脚手架、塔吊等设备有验收合格标志", D.SPECIAL_EQUIPMENT),
            item("power", "临时用电规范，配电箱有漏电保护", D.UTILITIES),
            item("materials", "材料堆放整齐，不占用消防通道", D.FIRE),
        ],
    ),
    (
        "专项：汛期安全检查表",
        K.SPECIAL,
        "汛期前和强降雨前后检查",
        [
            item("roof", "屋面、天沟排水口无堵塞", D.BUILDINGS),
            item("drains", "校园排水沟、雨水井畅通", D.UTILITIES),
            item("basement", "配电房、地下室防水措施到位", D.UTILITIES),
            item("walls", "围墙、挡土墙、边坡无裂缝和变形", D.BUILDINGS),
            item("supplies", "防汛物资（沙袋、水泵、雨衣）齐全", D.OTHER),
            item("ponding", "低洼积水处设置警示", D.OTHER),
        ],
    ),
    (
        "专项：开学前安全检查表",
        K.SPECIAL,
        "每学期开学前全面排查",
        [
            item("structure", "校舍无新增裂缝、渗漏", D.BUILDINGS),
            item("furniture", "教室桌椅、门窗、灯具完好", D.BUILDINGS),
            item("water", "饮水设备已清洗消毒，水质检测在有效期内", D.FOOD),
            item("canteen", "食堂证照齐全，从业人员健康证有效", D.FOOD),
            item("fire", "消防设施年度检测合格", D.FIRE),
            item("security", "监控、一键报警、门禁设备正常", D.SECURITY),
            item("labs", "实验室危化品已清点，双人双锁", D.LABS),
            item("bus", "校车年检、保险在有效期内", D.BUS_TRAFFIC),
        ],
    ),
    (
        "校车出车前检查表",
        K.BUS_PRECHECK,
        "校车安全管理条例：每次出车前检查，照管员清点人数",
        [
            item("brakes", "制动系统正常", D.BUS_TRAFFIC),
            item("steering", "转向系统正常", D.BUS_TRAFFIC),
            item("lamps", "灯光、喇叭、雨刮正常", D.BUS_TRAFFIC),
            item("tyres", "轮胎气压和花纹正常", D.BUS_TRAFFIC),
            item("emergency_door", "应急门、安全锤、灭火器完好", D.BUS_TRAFFIC),
            item("seats", "座椅和安全带完好", D.BUS_TRAFFIC),
            item(
                "on_count",
                "照管员清点上车人数",
                D.BUS_TRAFFIC,
                answer_type=NUMBER,
                min_value=Decimal("0"),
                unit="人",
            ),
            item(
                "off_count",
                "照管员清点下车人数",
                D.BUS_TRAFFIC,
                answer_type=NUMBER,
                min_value=Decimal("0"),
                unit="人",
                must_equal_key="on_count",
                guidance="与上车人数不一致时立即报告，照管员最后离车",
            ),
            item("front_seat", "前排（副驾驶）座位无学生乘坐", D.BUS_TRAFFIC),
        ],
    ),
    (
        "食堂卫生检查表",
        K.CANTEEN_HYGIENE,
        "食堂管理员每日检查",
        [
            item("health", "从业人员健康证有效，晨检记录完整", D.FOOD),
            item("samples", "食品留样 48 小时，每样不少于 125 克", D.FOOD),
            item("raw_cooked", "生熟分开，刀具砧板分色使用", D.FOOD),
            item("tableware", "餐具清洗消毒，保洁柜存放", D.FOOD),
            item(
                "fridge",
                "冷藏柜温度",
                D.FOOD,
                answer_type=NUMBER,
                min_value=Decimal("0"),
                max_value=Decimal("8"),
                unit="℃",
            ),
            item("pests", "防鼠、防蝇、防尘设施完好", D.FOOD),
            item("additives", "食品添加剂专人专柜管理", D.FOOD),
            item("gas_valve", "燃气阀门和报警器正常", D.FIRE),
        ],
    ),
    (
        "厕所保洁检查表",
        K.TOILET,
        "每日保洁检查",
        [
            item("floor", "地面干净、无积水", D.OTHER),
            item("smell", "无异味，通风良好", D.OTHER),
            item("soap", "洗手液、纸巾齐全", D.OTHER),
            item("fittings", "水龙头、冲水设施无损坏、无漏水", D.UTILITIES),
            item("slip", "防滑垫、小心地滑提示到位", D.BUILDINGS),
        ],
    ),
]

# (name, campus code, checklist, checkpoint place codes in order)
ROUTES = [
    (
        "沛学楼巡查路线",
        "MAIN",
        "日巡视检查表",
        [
            "PX-1F-CO",
            "PX-1F-ST-E",
            "PX-2F-CO",
            "PX-3F-CO",
            "PX-4F-CO",
            "PX-5F-CO",
            "PX-506",
            "PX-507",
        ],
    ),
    (
        "明德楼巡查路线",
        "MAIN",
        "日巡视检查表",
        ["MD-1F-CO", "MD-2F-CO", "MD-3F-CO", "MD-4F-CO", "MD-406", "MD-407", "MD-408"],
    ),
    (
        "校园周界巡查路线",
        "MAIN",
        "日巡视检查表",
        ["GATE-E", "GATE-S", "CC", "JJ", "PDF", "XC", "ST-101"],
    ),
    (
        "分校区巡查路线",
        "BRANCH",
        "日巡视检查表",
        ["FX-GATE", "SS-1F-CO", "SS-2F-CO", "SS-3F-CO", "SS-204", "FX-CC", "FX-PDF"],
    ),
]


@dataclass
class PlanSpec:
    name: str
    route: str
    patrollers: list  # keys of _People.guards
    start: time
    due: time
    # Days back (0 = the latest demo day) → what went differently that day.
    missed: tuple = ()
    late: tuple = ()
    manual: dict = field(default_factory=dict)  # day → place code confirmed by hand
    fails: dict = field(default_factory=dict)  # day → [(place code, item key, note)]


PLANS = [
    PlanSpec(
        "沛学楼早间巡查",
        "沛学楼巡查路线",
        ["xiabin"],
        time(7, 10),
        time(7, 50),
        manual={4: "PX-507"},
        fails={1: [("PX-4F-CO", "extinguisher", "灭火器压力表指针在红区")]},
    ),
    PlanSpec(
        "明德楼午间巡查",
        "明德楼巡查路线",
        ["haoyuhang"],
        time(12, 10),
        time(12, 50),
        missed=(2,),
        fails={4: [("MD-407", "sockets", "通风橱旁插座面板烧黑")]},
    ),
    PlanSpec(
        "校园周界晚间巡查",
        "校园周界巡查路线",
        ["qianyi", "zhangjunjie"],
        time(17, 30),
        time(18, 20),
        late=(3,),
        fails={5: [("JJ", "exits", "基建区域围挡有缺口，学生可以钻进去")]},
    ),
    PlanSpec("分校区早间巡查", "分校区巡查路线", ["fengchao"], time(7, 10), time(7, 50)),
]


@dataclass
class Inspection:
    """A free inspection of one place (no route)."""

    checklist: str
    place: str
    who: str  # a key of _People
    days: tuple  # days back (0 = the latest demo day)
    at: time
    numbers: dict = field(default_factory=dict)  # item key → number (or day → number)
    fails: dict = field(default_factory=dict)  # day → [(item key, note)]
    note: str = ""


INSPECTIONS = [
    Inspection(
        "校车出车前检查表",
        "XC",
        "driver",
        (0, 1, 2, 3, 4, 5, 6),
        time(6, 45),
        numbers={"on_count": 31, "off_count": 31},
    ),
    Inspection(
        "食堂卫生检查表",
        "ST-102",
        "canteen",
        (0, 1, 3, 5),
        time(10, 20),
        numbers={"fridge": {None: Decimal("4"), 3: Decimal("9.5")}},
        fails={3: [("fridge", "冷藏柜温控器故障，已将食材转移到备用冷藏柜")]},
    ),
    Inspection("厕所保洁检查表", "PX-1F-WC-M", "duty", (0, 2, 4), time(9, 40)),
    Inspection("厕所保洁检查表", "PX-3F-WC-F", "duty", (1, 3), time(9, 50)),
    Inspection(
        "月度安全检查表",
        "PDF",
        "manager",
        (5,),
        time(15, 0),
        numbers={"pressure": Decimal("1.2")},
        note="配电房月度检查",
    ),
    Inspection("专项：消防安全检查表", "XZ-103", "manager", (3,), time(15, 30)),
    Inspection(
        "专项：施工区域安全检查表",
        "JJ",
        "manager",
        (4,),
        time(14, 30),
        fails={4: [("workers", "两名施工人员未佩戴工作证")]},
    ),
]


def load(school, staff):
    people = _People(school, staff)
    if people.manager is None:
        return
    checklists = _checklists(school, people.manager)
    places = {
        place.code: place
        for place in Place.objects.filter(school=school, is_active=True).select_related(
            "building", "campus"
        )
    }
    routes = _routes(school, checklists, places)
    plans = _plans(school, people, routes)
    if not routes or Round.objects.filter(school=school, route__in=routes.values()).exists():
        return
    now = timezone.now()
    days = _demo_days(school, now)
    for spec in PLANS:
        plan = plans.get(spec.name)
        if plan is not None:
            _walk_plan(spec, plan, people, days, now)
    for spec in INSPECTIONS:
        _inspect(spec, school, checklists, places, people, days, now)
    # The round nobody walked: flagged, and the managers told, as the heartbeat would.
    services.flag_missed_rounds(now=now)


class _People:
    def __init__(self, school, staff):
        def holders(*positions):
            return list(
                Staff.objects.filter(
                    school=school,
                    is_active=True,
                    user__isnull=False,
                    appointments__position__in=positions,
                    appointments__ended_on__isnull=True,
                )
                .distinct()
                .order_by("staff_no", "pk")
            )

        def first(username, *positions):
            if username in staff:
                return staff[username]
            found = holders(*positions)
            return found[0] if found else None

        self.manager = first("zhoujing", Position.LOGISTICS_MANAGER)
        guards = holders(Position.SECURITY_STAFF)
        names = ("xiabin", "qianyi", "zhangjunjie", "haoyuhang", "fengchao")
        # By login in the demo school; elsewhere the school's guards in turn.
        self.guards = {
            name: staff.get(name) or (guards[index % len(guards)] if guards else self.manager)
            for index, name in enumerate(names)
        }
        self.driver = first("songyonggang", Position.DRIVER) or self.manager
        self.canteen = first("guojiahao", Position.CANTEEN_MANAGER) or self.manager
        self.duty = first("liuwei", Position.DUTY_ADMIN) or self.manager


def _checklists(school, manager):
    checklists = {}
    for name, kind, description, items in CHECKLISTS:
        checklist = Checklist.objects.filter(school=school, name=name).first()
        if checklist is None:
            with transaction.atomic():
                checklist = services.checklist_create(
                    by=manager, name=name, kind=kind, description=description
                )
                draft = checklist.draft_version()
                for fields in items:
                    services.item_save(ChecklistItem(**fields), version=draft)
                services.checklist_publish(checklist, by=manager, note="初版")
        version = checklist.current_version()
        if version is not None:
            checklists[name] = (checklist, version, {i.key: i for i in version.items.all()})
    return checklists


def _routes(school, checklists, places):
    campuses = {campus.code: campus for campus in Campus.objects.filter(school=school)}
    routes = {}
    for name, campus_code, checklist_name, codes in ROUTES:
        points = [places[code] for code in codes if code in places]
        route = Route.objects.filter(school=school, name=name).first()
        if route is None:
            if checklist_name not in checklists or len(points) < 2:
                continue
            with transaction.atomic():
                route = Route.objects.create(
                    school=school,
                    name=name,
                    campus=campuses.get(campus_code),
                    checklist=checklists[checklist_name][0],
                )
                for place in points:
                    services.checkpoint_add(route, place=place)
        routes[name] = route
    return routes


def _plans(school, people, routes):
    plans = {}
    today = timezone.localdate()
    for spec in PLANS:
        plan = Plan.objects.filter(school=school, name=spec.name).first()
        if plan is None:
            if spec.route not in routes:
                continue
            plan = Plan(
                name=spec.name, route=routes[spec.route], start_time=spec.start, due_time=spec.due
            )
            schedule = Schedule(
                rule=RuleKind.DAILY,
                calendar_mode=CalendarMode.TEACHING_DAYS,
                holiday_policy=HolidayPolicy.SKIP,
                start_date=today - timedelta(days=30),
            )
            patrollers = list(dict.fromkeys(people.guards[key] for key in spec.patrollers))
            plan = services.plan_save(plan, schedule, by=people.manager, patrollers=patrollers)
        plans[spec.name] = plan
    return plans


def _demo_days(school, now):
    """Today, then the ``PAST_DAYS`` teaching days before it (working days when the
    calendar has no term then, e.g. in the holidays): newest first."""
    today = timezone.localdate(now)
    calendar = SchoolCalendar(school, today - timedelta(days=40), today)
    earlier = [today - timedelta(days=n) for n in range(1, 41)]
    teaching = [day for day in earlier if calendar.info(day).is_teaching_day]
    if len(teaching) < PAST_DAYS:
        teaching = [day for day in earlier if calendar.info(day).is_workday]
    return [today, *teaching[:PAST_DAYS]]


def _moment(day, at, minutes=0):
    return timezone.make_aware(datetime.combine(day, at)) + timedelta(minutes=minutes)


def _uuid(*parts):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "houqin-demo/" + "/".join(map(str, parts))))


def _walk_plan(spec, plan, people, days, now):
    route = plan.route
    version = route.checklist.current_version()
    if version is None:
        return
    items = {item.key: item for item in version.items.all()}
    points = [point.place for point in route.checkpoints.select_related("place__building")]
    tokens = QrCode.objects.for_objects(points)
    walkers = [people.guards[key] for key in spec.patrollers]
    for back, day in enumerate(days):
        due_at = services.due_at_for(plan, day)
        late = back in spec.late
        start = due_at - timedelta(minutes=10) if late else _moment(day, spec.start, back % 4)
        finish = start + timedelta(minutes=4 * len(points) + 3)
        if finish > now - timedelta(minutes=10):
            continue  # today's round is still to come
        expected, _created = ExpectedRound.objects.get_or_create(
            plan=plan, day=day, defaults={"school": plan.school, "due_at": due_at}
        )
        if back in spec.missed:
            continue
        fails = {(code, key): note for code, key, note in spec.fails.get(back, [])}
        visits, answers = [], []
        for index, place in enumerate(points):
            scanned = start + timedelta(minutes=2 + 4 * index)
            manual = spec.manual.get(back) == place.code
            visits.append(
                {
                    "uuid": _uuid(plan.pk, day, "visit", place.pk),
                    "place": place.pk,
                    "token": "" if manual else tokens.get(place.pk, ""),
                    "method": "manual" if manual else "qr",
                    "scanned_at": scanned.isoformat(),
                }
            )
            for key, item in items.items():
                note = fails.get((place.code, key))
                answers.append(
                    _answer(
                        _uuid(plan.pk, day, "answer", place.pk, item.pk),
                        item,
                        place,
                        scanned + timedelta(minutes=1),
                        result=Result.FAIL if note else Result.PASS,
                        note=note or "",
                    )
                )
        walker = walkers[back % len(walkers)]
        by_hand = next((p for p in points if p.code == spec.manual.get(back)), None)
        data = {
            "uuid": _uuid(plan.pk, day, "round"),
            "route": route.pk,
            "place": None,
            "checklist_version": version.pk,
            "expected": expected.pk,
            "started_at": start.isoformat(),
            "finished_at": finish.isoformat(),
            "note": f"{by_hand.name}的二维码标签污损，手动确认，已申请补打" if by_hand else "",
            "visits": visits,
            "answers": answers,
        }
        _sync(walker, data, finish)


def _answer(client_uuid, item, place, at, *, result=Result.PASS, number=None, note=""):
    if item.answer_type == TEXT:
        result = ""
    return {
        "uuid": client_uuid,
        "item": item.pk,
        "place": place.pk,
        "result": result,
        "number": None if number is None else str(number),
        "text": "",
        "note": note,
        "answered_at": at.isoformat(),
    }


def _inspect(spec, school, checklists, places, people, days, now):
    if spec.checklist not in checklists or spec.place not in places:
        return
    _checklist, version, items = checklists[spec.checklist]
    place = places[spec.place]
    token = QrCode.objects.for_object(place).token
    who = getattr(people, spec.who)
    for back in spec.days:
        if back >= len(days):
            continue
        day = days[back]
        start = _moment(day, spec.at)
        finish = start + timedelta(minutes=len(items) + 5)
        if finish > now - timedelta(minutes=10):
            continue
        fails = dict(spec.fails.get(back, []))
        answers = []
        for index, (key, item) in enumerate(items.items()):
            number = spec.numbers.get(key)
            if isinstance(number, dict):
                number = number.get(back, number[None])
            note = fails.get(key, "")
            answers.append(
                _answer(
                    _uuid(school.pk, spec.checklist, spec.place, day, key),
                    item,
                    place,
                    start + timedelta(minutes=2 + index),
                    result=Result.FAIL if note else Result.PASS,
                    number=number,
                    note=note,
                )
            )
        data = {
            "uuid": _uuid(school.pk, spec.checklist, spec.place, day),
            "route": None,
            "place": place.pk,
            "checklist_version": version.pk,
            "expected": None,
            "started_at": start.isoformat(),
            "finished_at": finish.isoformat(),
            "note": spec.note,
            "visits": [
                {
                    "uuid": _uuid(school.pk, spec.checklist, spec.place, day, "visit"),
                    "place": place.pk,
                    "token": token,
                    "method": "qr",
                    "scanned_at": (start + timedelta(minutes=1)).isoformat(),
                }
            ],
            "answers": answers,
        }
        _sync(who, data, finish)


def _sync(staff, data, finish):
    """Synced a couple of minutes after it was finished, as a phone with signal would."""
    result = services.sync_round(staff, data, now=finish + timedelta(minutes=2))
    if result["errors"]:
        raise ValueError(f"demo round refused: {result['errors']}")
