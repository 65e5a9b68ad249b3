"""The demo school's leave: its leave types (事假, 病假 with a certificate beyond 2 days,
婚假 3, 丧假 3, 产假 in calendar days, 陪产假, 公假, 哺乳假), maternity rules for a few
provinces (the school is in 浙江), and a handful of requests and going-out slips around
today in every state — made through ``services`` and the approval flows, so each has its
real approval history, cover, 销假 and overrun.

Idempotent: a leave type the school has (by code) and a province's rule are left as they
are; a request or slip is made only when the school has none with its reason.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from houqin.accounts.models import Staff
from houqin.accounts.roles import Position
from houqin.approvals import services as approvals
from houqin.approvals.models import RequestStatus
from houqin.leave import services
from houqin.leave.models import (
    Absence,
    Cover,
    GoingOutSlip,
    HalfDay,
    LeaveRequest,
    LeaveType,
    MaternityRule,
)
from houqin.org.calendar import SchoolCalendar
from houqin.org.models import SchoolClass, SchoolSetting

W, C = LeaveType.Counting.WORKDAYS, LeaveType.Counting.CALENDAR
D = Decimal

# code, name, counting, proof after, cap per term, cap per year, statutory days, note
TYPES = [
    (services.PERSONAL, "事假", W, None, None, None, None, "每学期累计上限见学校设置"),
    (services.SICK, "病假", W, D(2), None, None, None, "超过 2 天须附医院诊断证明"),
    (services.MARRIAGE, "婚假", W, None, None, None, D(3), "国家规定 3 天"),
    (services.BEREAVEMENT, "丧假", W, None, None, None, D(3), "直系亲属去世"),
    (services.MATERNITY, "产假", C, D(0), None, None, None, "按产假标准，自然日计算，须附证明"),
    (services.PATERNITY, "陪产假", C, None, None, None, None, "按产假标准，自然日计算"),
    (services.OFFICIAL, "公假", W, None, None, None, None, "参加会议、培训、比赛等"),
    (services.NURSING, "哺乳假", W, None, None, None, None, "每天 1 小时，至婴儿满一周岁"),
]

# province, extra days on top of the national 98, paternity days
PROVINCES = [
    ("浙江", 60, 15),
    ("北京", 60, 15),
    ("上海", 60, 10),
    ("江苏", 60, 15),
    ("广东", 80, 15),
    ("四川", 60, 20),
]
PROVINCE = "浙江"
# Leaders are not the demo's teachers on leave: their leave goes to the principal.
LEADERS = {Position.PRINCIPAL, Position.VICE_PRINCIPAL, Position.DEPARTMENT_HEAD}


@dataclass
class Spec:
    reason: str
    who: str  # a role key of ``_people``
    code: str  # leave type code
    start: int  # working days from today (negative: before)
    length: int = 1  # working days
    start_part: str = HalfDay.FULL
    end_part: str = HalfDay.FULL
    outcome: str = "approved"  # pending | approved | rejected | ended | late
    cover: bool = False


SPECS = [
    Spec("孩子发烧，需在家照看", "class_teacher", services.SICK, 0, 2, cover=True),
    Spec("参加区里的数学教研活动", "teacher", services.OFFICIAL, 1, 1, outcome="approved"),
    Spec("回老家办理房产手续", "teacher2", services.PERSONAL, 2, 1, outcome="pending"),
    Spec("本人结婚", "teacher3", services.MARRIAGE, 4, 3),
    Spec(
        "下午去银行办事",
        "teacher4",
        services.PERSONAL,
        -3,
        1,
        start_part=HalfDay.PM,
        outcome="ended",
    ),
    Spec("家中老人住院陪护", "teacher5", services.PERSONAL, -6, 1, outcome="late"),
    Spec("出去旅游", "teacher6", services.PERSONAL, 3, 1, outcome="rejected"),
]

# who, destination, reason, hours from now (out), hours away, outcome
SLIPS = [
    ("liuwei", "区应急管理局", "送安全演练备案材料", -3, 2, "back"),
    ("teacher", "区教师发展中心", "领取公开课教材", -1, 2, "out"),
    ("teacher2", "中国银行文三路支行", "办理工资卡", 1, 1, "pending"),
]


def load(school, staff):
    """Leave types, maternity rules and demo requests for ``school``; ``staff`` is the
    demo people by username."""
    with transaction.atomic():
        _types(school)
        _maternity(school)
    people = _people(school, staff)
    if not people:
        return
    for spec in SPECS:
        _quietly(_request, school, spec, people)
    _quietly(_absence, school, people)
    for spec in SLIPS:
        _quietly(_slip, school, spec, people)


def _quietly(step, *args):
    """One demo record, all or nothing; one the services refuse here (a cap already
    reached, a slip for a time that has passed) is left out."""
    try:
        with transaction.atomic():
            step(*args)
    except services.LeaveError:
        pass


def _types(school):
    for order, (code, name, counting, proof, term, year, statutory, note) in enumerate(
        TYPES, start=1
    ):
        LeaveType.objects.get_or_create(
            school=school,
            code=code,
            defaults={
                "name": name,
                "counting": counting,
                "proof_after_days": proof,
                "max_days_per_term": term,
                "max_days_per_year": year,
                "statutory_days": statutory,
                "order": order * 10,
                "note": note,
            },
        )


def _maternity(school):
    for province, extra, paternity in PROVINCES:
        MaternityRule.objects.get_or_create(
            province=province,
            defaults={"province_extra_days": extra, "paternity_days": paternity},
        )
    SchoolSetting.objects.get_or_create(
        school=school, key="leave.province", defaults={"value": PROVINCE}
    )


def _people(school, staff):
    """The demo's cast: named people where the demo school has them, else whoever holds
    the position (so the module also loads into a bare school)."""
    everyone = Staff.objects.filter(school=school, is_active=True, user__isnull=False)

    def holding(position):
        return list(
            everyone.filter(appointments__position=position, appointments__ended_on__isnull=True)
            .distinct()
            .order_by("staff_no")
        )

    class_teachers = [
        s for s in holding(Position.CLASS_TEACHER) if SchoolClass.objects.filter(head_teacher=s)
    ] or holding(Position.CLASS_TEACHER)
    teachers = [
        s
        for s in holding(Position.TEACHER)
        if s not in class_teachers[:1] and not set(s.positions) & LEADERS
    ]
    cast = {}
    if class_teachers:
        cast["class_teacher"] = class_teachers[0]
    for index, person in enumerate(teachers[:7]):
        cast["teacher" if index == 0 else f"teacher{index + 1}"] = person
    for username in ("liuwei", "zhoujing", "wangjiajia"):
        if username in staff:
            cast[username] = staff[username]
    guards = holding(Position.SECURITY_STAFF)
    if guards:
        cast["guard"] = guards[0]
    cast["manager"] = staff.get("zhoujing") or next(
        iter(holding(Position.LOGISTICS_MANAGER) or holding(Position.SYSTEM_ADMIN)), None
    )
    return cast


def _workday(school, offset):
    """The working day ``offset`` working days from today (0: today, or the next working
    day when today is not one)."""
    today = timezone.localdate()
    calendar = SchoolCalendar(school, today - timedelta(days=60), today + timedelta(days=60))
    day = today
    while not calendar.info(day).is_workday:
        day += timedelta(days=1)
    step = 1 if offset > 0 else -1
    for _ in range(abs(offset)):
        day += timedelta(days=step)
        while not calendar.info(day).is_workday:
            day += timedelta(days=step)
    return day


def _decide(subject, *, approve=True):
    """Run the subject's approval to its end: each step's first approver agrees (or, with
    ``approve=False``, the first one refuses)."""
    for _round in range(8):
        approval = approvals.latest_for(subject)
        if approval is None or approval.status != RequestStatus.PENDING:
            return
        step = approval.current_step
        approver = step.approvers.exclude(pk=approval.requester_id).order_by("pk").first()
        if approver is None:
            return
        if approve:
            approvals.approve(approval, by=approver, comment="同意")
        else:
            approvals.reject(approval, by=approver, comment="期末考试周，请调整时间")
            return


def _request(school, spec, people):
    person = people.get(spec.who)
    leave_type = LeaveType.objects.filter(school=school, code=spec.code).first()
    if person is None or leave_type is None:
        return
    if LeaveRequest.objects.filter(school=school, reason=spec.reason).exists():
        return
    start = _workday(school, spec.start)
    end = _workday(school, spec.start + spec.length - 1)
    leave = services.apply(
        by=person,
        leave_type=leave_type,
        start_date=start,
        start_part=spec.start_part,
        end_date=end,
        end_part=spec.end_part,
        reason=spec.reason,
        proof=(),
    )
    if spec.outcome == "pending":
        return
    _decide(leave, approve=spec.outcome != "rejected")
    leave.refresh_from_db()
    if spec.cover:
        _covers(school, leave, people)
    if spec.outcome in ("ended", "late") and leave.status == "approved":
        # Back the next working day (on time), or a day later than that (超假 1 天).
        late = 1 if spec.outcome == "late" else 0
        back = _workday(school, spec.start + spec.length + late)
        moment = timezone.make_aware(datetime.combine(back, time(7, 40)))
        services.report_back(leave, by=person, on=back, part=HalfDay.FULL, now=moment)


def _covers(school, leave, people):
    """A stand-in class teacher for each day, and the first two periods covered."""
    klass = SchoolClass.objects.filter(head_teacher=leave.staff, is_active=True).first()
    stand_ins = [p for key, p in people.items() if key.startswith("teacher") and p != leave.staff]
    if not stand_ins or Cover.objects.filter(leave=leave).exists():
        return
    arranged_by = people.get("manager")
    calendar = SchoolCalendar(school, leave.start_date, leave.end_date)
    for info in calendar.days():
        if not info.is_workday:
            continue
        if klass is not None:
            Cover.objects.create(
                school=school,
                leave=leave,
                kind=Cover.Kind.CLASS_TEACHER,
                date=info.day,
                school_class=klass,
                covered_by=stand_ins[0],
                arranged_by=arranged_by,
                note="负责早读、午餐和放学路队",
            )
        for period, person in ((1, stand_ins[0]), (3, stand_ins[-1])):
            Cover.objects.create(
                school=school,
                leave=leave,
                kind=Cover.Kind.SUBSTITUTE,
                date=info.day,
                period=period,
                school_class=klass,
                subject="语文",
                covered_by=person,
                arranged_by=arranged_by,
            )


def _absence(school, people):
    """One day of 旷工, recorded by the logistics manager."""
    person, manager = people.get("teacher7") or people.get("teacher6"), people.get("manager")
    if person is None or manager is None:
        return
    if Absence.objects.filter(school=school, kind=Absence.Kind.UNAPPROVED).exists():
        return
    day = _workday(school, -8)
    services.flag_absence(
        by=manager,
        staff=person,
        start_date=day,
        end_date=day,
        note="未请假，全天未到岗，电话联系不上",
    )


def _slip(school, spec, people):
    who, destination, reason, hours_from_now, hours_away, outcome = spec
    person = people.get(who)
    if person is None or GoingOutSlip.objects.filter(school=school, reason=reason).exists():
        return
    now = timezone.now().replace(second=0, microsecond=0)
    planned_out = now + timedelta(hours=hours_from_now)
    planned_back = planned_out + timedelta(hours=hours_away)
    slip = services.apply_slip(
        by=person,
        destination=destination,
        reason=reason,
        planned_out=planned_out,
        planned_back=planned_back,
        now=min(now, planned_out - timedelta(minutes=30)),
    )
    if outcome == "pending":
        return
    _decide(slip)
    slip.refresh_from_db()
    guard = people.get("guard") or people.get("manager")
    if guard is None or slip.status != "approved":
        return
    services.gate_out(slip, by=guard, now=planned_out + timedelta(minutes=3))
    if outcome == "back":
        slip.refresh_from_db()
        services.gate_back(slip, by=guard, now=planned_back - timedelta(minutes=10))
