"""The demo school's hazard register: cameras over the gates, corridors, canteen and
playground, and thirteen hazards from the last few weeks in every state — waiting to be
assigned, being fixed (one overdue, one waiting for its repair, one 重大 with its plan),
waiting for verification, closed after verification (one only at the second attempt),
failed verification and back to the owner, a surveillance blind spot, one voided.

Made through ``services`` with explicit moments, so each hazard has its real history.
Runs before the patrols demo, whose failed checklist items add the patrol hazards.

Idempotent: a camera the school already has (by name) is left as it is, and a hazard is
made only when the school has none with its title. Places are found by their demo codes;
a hazard whose place the school does not have is left out.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from houqin.accounts.models import Staff
from houqin.accounts.roles import Position
from houqin.hazards import services
from houqin.hazards.models import Camera, Domain, Grade, Hazard, Source
from houqin.org.models import Place
from houqin.repairs.models import Category, Urgency

D = Domain

# (name, code, installed at, covers, working)
CAMERAS = [
    ("东校门枪机", "CAM-01", "GATE-E", ["GATE-E", "BAS-E"], True),
    ("南校门枪机", "CAM-02", "GATE-S", ["GATE-S", "BAS-S"], True),
    ("操场全景球机", "CAM-03", "CC", ["CC"], True),
    ("校车停车区", "CAM-04", "XC", ["XC"], True),
    ("基建区域围挡", "CAM-05", "JJ", ["JJ"], True),
    ("配电房门口", "CAM-06", "PDF", ["PDF"], True),
    ("学生餐厅", "CAM-07", "ST-101", ["ST-101"], True),
    ("厨房明厨亮灶", "CAM-08", "ST-102", ["ST-102", "ST-103"], True),
    *[
        (f"沛学楼{n}楼走廊", f"CAM-1{n}", f"PX-{n}F-CO", [f"PX-{n}F-CO", f"PX-{n}F-ST-E"], True)
        for n in range(1, 6)
    ],
    *[
        # The third floor's camera is broken: that corridor is a blind spot until it is fixed.
        (f"明德楼{n}楼走廊", f"CAM-2{n}", f"MD-{n}F-CO", [f"MD-{n}F-CO", f"MD-{n}F-ST-E"], n != 3)
        for n in range(1, 5)
    ],
    ("分校区校门", "CAM-31", "FX-GATE", ["FX-GATE", "FX-BAS"], True),
]


@dataclass
class Spec:
    title: str
    place: str  # the demo place code
    domain: str
    reporter: str  # a key of _People
    days_ago: int
    at: time
    grade: str = Grade.GENERAL
    source: str = Source.REPORT
    location_note: str = ""
    detail: str = ""
    # (action, hours after the previous step, args)
    steps: list = field(default_factory=list)


SPECS = [
    Spec(
        "沛学楼三楼东楼梯间应急照明灯不亮",
        "PX-3F-ST-E",
        D.FIRE,
        "teacher",
        1,
        time(16, 20),
        detail="按测试按钮也不亮，晚自习放学时楼梯间较暗。",
    ),
    Spec(
        "明德楼二楼走廊消火栓箱玻璃破损",
        "MD-2F-CO",
        D.FIRE,
        "guard",
        0,
        time(7, 50),
        detail="玻璃碎片已清理，箱门关不严。",
    ),
    Spec(
        "体育器材室铁皮货架不稳，有倾倒风险",
        "TYG-102",
        D.BUILDINGS,
        "teacher",
        4,
        time(10, 30),
        steps=[("assign", 1, {"owner": "worker", "days": 3, "note": "先把重物移到下层"})],
    ),
    Spec(
        "厨房排烟罩油污积聚较厚",
        "ST-102",
        D.FOOD,
        "canteen",
        12,
        time(14, 0),
        detail="排烟罩和烟道油污较厚，存在火灾隐患，需专业清洗。",
        steps=[("assign", 2, {"owner": "canteen", "days": 5, "note": "联系专业公司清洗烟道"})],
    ),
    Spec(
        "化学实验室危化品柜未落实双人双锁",
        "MD-407",
        D.LABS,
        "manager",
        6,
        time(9, 40),
        steps=[
            ("assign", 0.5, {"owner": "worker", "days": 3}),
            ("rectify", 30, {"note": "已加装第二把锁，钥匙由实验员和教研组长分别保管"}),
        ],
    ),
    Spec(
        "南校门减速带固定螺栓松动",
        "GATE-S",
        D.BUS_TRAFFIC,
        "guard",
        15,
        time(7, 35),
        steps=[
            ("assign", 1, {"owner": "worker", "days": 2}),
            ("rectify", 20, {"note": "更换膨胀螺栓 12 颗，减速带已固定"}),
            ("verify", 4, {"passed": True, "note": "现场查看已牢固，销号"}),
        ],
    ),
    Spec(
        "配电房门口灭火器超过有效期",
        "PDF",
        D.FIRE,
        "guard",
        20,
        time(17, 10),
        steps=[
            ("assign", 0.5, {"owner": "worker", "days": 1}),
            ("rectify", 6, {"note": "已更换 2 具 4kg 干粉灭火器，旧灭火器送检"}),
            ("verify", 16, {"passed": True, "note": "压力正常，标签在有效期内"}),
        ],
    ),
    Spec(
        "沛学楼二楼走廊插座面板松脱，线头外露",
        "PX-2F-CO",
        D.UTILITIES,
        "teacher",
        18,
        time(11, 5),
        steps=[
            ("assign", 0.5, {"owner": "worker", "days": 1}),
            ("rectify", 3, {"note": "面板已重新固定"}),
            ("verify", 18, {"passed": False, "note": "线头仍未包扎，面板后盒松动"}),
            ("rectify", 5, {"note": "更换底盒和面板，线头压接绝缘"}),
            ("verify", 20, {"passed": True, "note": "复查合格，销号"}),
        ],
    ),
    Spec(
        "操场看台栏杆锈蚀，两处焊点开裂",
        "CC",
        D.CROWD,
        "teacher",
        9,
        time(15, 30),
        steps=[
            ("assign", 1, {"owner": "worker", "days": 4, "note": "整改前看台东段拉警戒线"}),
            ("rectify", 40, {"note": "开裂焊点已补焊"}),
            ("verify", 20, {"passed": False, "note": "东段还有一处焊点开裂未处理，锈蚀未除锈刷漆"}),
        ],
    ),
    Spec(
        "明德楼北侧外墙瓷砖空鼓、局部脱落",
        "MD-1F-CO",
        D.BUILDINGS,
        "manager",
        8,
        time(8, 10),
        grade=Grade.MAJOR,
        location_note="明德楼北侧外墙三至四层",
        detail="北侧外墙约 40 平方米瓷砖空鼓，已有两块脱落，下方为学生放学通道。",
        steps=[
            ("assign", 0.5, {"owner": "manager_two"}),
            (
                "plan",
                2,
                {
                    "goal": "消除外墙饰面脱落伤人隐患",
                    "measures": "委托有资质单位检测；搭设脚手架铲除空鼓瓷砖，改为真石漆外墙",
                    "funds": "86000",
                    "people": "周静（总负责）、朱志刚（现场）、施工单位项目经理",
                    "days": 40,
                    "emergency_plan": "北侧通道封闭，设置警戒线和警示牌，学生改走东侧通道，保安放学时段值守",
                },
            ),
        ],
    ),
    Spec(
        "监控室空调漏水，滴到录像机机柜上",
        "XZ-103",
        D.SECURITY,
        "guard",
        2,
        time(21, 30),
        steps=[
            ("assign", 10, {"owner": "worker", "days": 2}),
            (
                "repair",
                0.5,
                {
                    "category": Category.AIR_CONDITIONING,
                    "urgency": Urgency.URGENT,
                    "description": "监控室空调漏水滴到录像机机柜，需尽快维修，已临时用接水盘接水",
                },
            ),
        ],
    ),
    Spec(
        "监控盲区：沛学楼 五楼西楼梯",
        "PX-5F-ST-W",
        D.SECURITY,
        "manager",
        5,
        time(14, 40),
        source=Source.BLIND_SPOT,
        detail="五楼西楼梯没有摄像头覆盖，课间学生较多。",
        steps=[("assign", 3, {"owner": "worker", "days": 10, "note": "报采购增加 1 台半球摄像机"})],
    ),
    Spec(
        "食堂一楼女厕门锁损坏",
        "ST-1F-WC-F",
        D.OTHER,
        "canteen",
        3,
        time(12, 50),
        steps=[("void", 1, {"reason": "不属于安全隐患，已转报修处理"})],
    ),
]


def load(school, staff):
    people = _People(school, staff)
    if people.manager is None or people.worker is None:
        return
    places = {
        place.code: place
        for place in Place.objects.filter(school=school, is_active=True).select_related(
            "building", "campus"
        )
    }
    _cameras(school, places)
    now = timezone.now()
    existing = set(
        Hazard.objects.filter(school=school, title__in=[s.title for s in SPECS]).values_list(
            "title", flat=True
        )
    )
    todo = [
        (_moments(spec, now), spec)
        for spec in SPECS
        if spec.title not in existing and spec.place in places
    ]
    # In the order they were found, so that the numbers follow the dates.
    for moments, spec in sorted(todo, key=lambda item: item[0][0]):
        with transaction.atomic():
            _make(spec, school, places[spec.place], people, moments)


class _People:
    def __init__(self, school, staff):
        def first(username, *positions):
            if username in staff:
                return staff[username]
            return (
                Staff.objects.filter(
                    school=school,
                    is_active=True,
                    user__isnull=False,
                    appointments__position__in=positions,
                    appointments__ended_on__isnull=True,
                )
                .order_by("staff_no", "pk")
                .first()
            )

        self.manager = first("zhoujing", Position.LOGISTICS_MANAGER)
        second = first("zhuzhigang", Position.LOGISTICS_MANAGER)
        self.manager_two = second if second != self.manager else self.manager
        self.worker = first("taoxiangming", Position.MAINTENANCE_STAFF)
        self.guard = first("xiabin", Position.SECURITY_STAFF) or self.manager
        self.canteen = first("guojiahao", Position.CANTEEN_MANAGER) or self.manager
        self.teacher = first("wangjiajia", Position.CLASS_TEACHER, Position.TEACHER) or self.manager

    def verifier(self, hazard):
        """A manager other than the one who fixed it."""
        if hazard.rectified_by_id == self.manager.pk:
            return self.manager_two
        return self.manager


def _cameras(school, places):
    for name, code, installed, covers, working in CAMERAS:
        if installed not in places or Camera.objects.filter(school=school, name=name).exists():
            continue
        camera = Camera.objects.create(
            school=school,
            name=name,
            code=code,
            place=places[installed],
            status=Camera.CameraStatus.WORKING if working else Camera.CameraStatus.FAULTY,
            note="" if working else "画面无信号，已报修",
        )
        camera.covers.set([places[c] for c in covers if c in places])


def _moments(spec, now):
    """The report moment and each step's; moved back as a whole when the last would be in
    the future (a demo loaded early in the morning)."""
    day = timezone.localdate(now) - timedelta(days=spec.days_ago)
    moment = timezone.make_aware(datetime.combine(day, spec.at))
    moments = [moment]
    for _action, hours, _args in spec.steps:
        moment += timedelta(hours=hours)
        moments.append(moment)
    latest = now - timedelta(minutes=10)
    if moments[-1] > latest:
        shift = moments[-1] - latest
        moments = [m - shift for m in moments]
    return moments


def _make(spec, school, place, people, moments):
    hazard = services.hazard_report(
        school=school,
        by=getattr(people, spec.reporter),
        title=spec.title,
        domain=spec.domain,
        grade=spec.grade,
        place=place,
        location_note=spec.location_note,
        detail=spec.detail,
        source=spec.source,
        now=moments[0],
    )
    manager = people.manager
    for (action, _hours, args), at in zip(spec.steps, moments[1:], strict=True):
        day = timezone.localdate(at)
        if action == "assign":
            days = args.get("days")
            services.hazard_assign(
                hazard,
                by=manager,
                owner=getattr(people, args["owner"]),
                deadline=day + timedelta(days=days) if days else None,
                note=args.get("note", ""),
                now=at,
            )
        elif action == "plan":
            services.hazard_save_plan(
                hazard,
                by=manager,
                goal=args["goal"],
                measures=args["measures"],
                funds=Decimal(args["funds"]),
                people=args["people"],
                # The plan's deadline is never before the day the demo is loaded.
                deadline=timezone.localdate() + timedelta(days=args["days"]),
                emergency_plan=args["emergency_plan"],
            )
        elif action == "repair":
            services.hazard_to_repair(
                hazard,
                by=manager,
                category=args["category"],
                description=args["description"],
                urgency=args["urgency"],
                now=at,
            )
        elif action == "rectify":
            services.hazard_rectify(hazard, by=hazard.owner, note=args["note"], now=at)
        elif action == "verify":
            services.hazard_verify(
                hazard,
                by=people.verifier(hazard),
                passed=args["passed"],
                note=args["note"],
                now=at,
            )
        elif action == "void":
            services.hazard_void(hazard, by=manager, reason=args["reason"], now=at)
        else:  # pragma: no cover - a typo in SPECS
            raise ValueError(action)
    return hazard
