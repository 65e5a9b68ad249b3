"""The demo school's approval flows: the plan's defaults (DOMAIN.md, teacher leave) and
amount tiers for purchases and disposals.

A flow is found by (school, kind, name); one that exists is left as the school's
administrators edited it, so loading again creates nothing and changes nothing. No
requests are made: none of the modules with a subject to approve (leave, requisitions…)
exists yet."""

from decimal import Decimal

from houqin.accounts.roles import LEADER_POSITIONS, Position
from houqin.approvals.models import ApproverType, Flow, FlowStep

T = ApproverType


def _step(approver_type, label="", *, position="", notify_only=False):
    return {
        "approver_type": approver_type,
        "label": label,
        "position": position,
        "notify_only": notify_only,
    }


LEADERS = sorted(str(p) for p in LEADER_POSITIONS)

# kind, name, priority, conditions, steps
FLOWS = [
    (
        "leave",
        "校领导请假",
        10,
        {"requester_positions": LEADERS},
        [_step(T.PRINCIPAL, "校长审批")],
    ),
    (
        "leave",
        "半天以内",
        20,
        {"max_days": Decimal("0.5")},
        [_step(T.GRADE_LEADER, "年级组长审批")],
    ),
    (
        "leave",
        "一天以内",
        30,
        {"min_days": Decimal("0.5"), "max_days": Decimal("1")},
        [_step(T.VICE_PRINCIPAL_IN_CHARGE, "分管校长审批")],
    ),
    (
        "leave",
        "一至三天",
        40,
        {"min_days": Decimal("1"), "max_days": Decimal("3")},
        [_step(T.PRINCIPAL, "校长审批")],
    ),
    (
        "leave",
        "三天以上",
        50,
        {"min_days": Decimal("3")},
        [
            _step(T.PRINCIPAL, "校长审批"),
            _step(T.DISTRICT, "报区教育局备案", notify_only=True),
        ],
    ),
    ("going_out", "外出", 10, {}, [_step(T.DEPARTMENT_HEAD, "部门负责人审批")]),
    ("requisition", "物品领用", 10, {}, [_step(T.DEPARTMENT_HEAD, "部门负责人审批")]),
    (
        "transfer",
        "资产调拨",
        10,
        {},
        [
            _step(T.POSITION, "后勤管理员审核", position=Position.LOGISTICS_MANAGER),
            _step(T.VICE_PRINCIPAL_IN_CHARGE, "分管校长审批"),
        ],
    ),
]

FLOWS += [
    (
        "purchase",
        "采购一千元以下",
        10,
        {"max_amount": Decimal("1000")},
        [_step(T.POSITION, "后勤管理员审批", position=Position.LOGISTICS_MANAGER)],
    ),
    (
        "purchase",
        "采购一千至一万元",
        20,
        {"min_amount": Decimal("1000"), "max_amount": Decimal("10000")},
        [
            _step(T.POSITION, "后勤管理员审核", position=Position.LOGISTICS_MANAGER),
            _step(T.VICE_PRINCIPAL_IN_CHARGE, "分管校长审批"),
        ],
    ),
    (
        "purchase",
        "采购一万元以上",
        30,
        {"min_amount": Decimal("10000")},
        [
            _step(T.POSITION, "后勤管理员审核", position=Position.LOGISTICS_MANAGER),
            _step(T.VICE_PRINCIPAL_IN_CHARGE, "分管校长审核"),
            _step(T.PRINCIPAL, "校长审批"),
        ],
    ),
    # Disposals by the cards' original book value (账面原值, as the disposal rules count it;
    # DOMAIN.md): the school up to 500 yuan, the district above.
    (
        "disposal",
        "处置五百元以下",
        10,
        {"max_amount": Decimal("500")},
        [
            _step(T.POSITION, "资产管理员审核", position=Position.ASSET_CLERK),
            _step(T.PRINCIPAL, "校长审批"),
        ],
    ),
    (
        "disposal",
        "处置五百元及以上",
        20,
        {"min_amount": Decimal("500")},
        [
            _step(T.POSITION, "资产管理员审核", position=Position.ASSET_CLERK),
            _step(T.PRINCIPAL, "校长审核"),
            _step(T.DISTRICT, "区教育局审批"),
        ],
    ),
]


def load(school, staff):
    """Create the demo flows that do not exist yet. ``staff`` (username → Staff) is not
    needed: every step names a role, resolved when a request is submitted."""
    for kind, name, priority, conditions, steps in FLOWS:
        flow, created = Flow.objects.get_or_create(
            school=school, kind=kind, name=name, defaults={"priority": priority, **conditions}
        )
        if created:
            FlowStep.objects.bulk_create(
                FlowStep(flow=flow, order=order, **step)
                for order, step in enumerate(steps, start=1)
            )
