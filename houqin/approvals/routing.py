"""Which flow a request takes and who each of its steps goes to.

``plan(school=..., kind=..., facts=..., requester=...)`` is what submitting does before it
writes anything, and what the flow administrators' 试算 page shows."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from houqin.accounts.models import Staff
from houqin.accounts.roles import Position
from houqin.approvals import kinds as registry
from houqin.approvals.models import ApprovalError, ApproverType, Flow, FlowStep
from houqin.org.models import SchoolClass


@dataclass
class PlannedStep:
    label: str
    approver_type: str
    notify_only: bool
    approvers: list = field(default_factory=list)
    skip_reason: str = ""
    flow_step: FlowStep | None = None
    fallback: bool = False

    @property
    def skipped(self):
        return not self.approvers


@dataclass
class Plan:
    flow: Flow
    facts: dict
    steps: list[PlannedStep]


def request_facts(requester: Staff, facts: dict | None) -> dict:
    """The facts a flow tests: what the caller knows, plus the requester's positions."""
    held = [a.position for a in requester.appointments.all() if a.ended_on is None]
    return registry.normalise_facts({**(facts or {}), registry.POSITIONS: held})


def match_flow(school, kind: str, facts: dict) -> Flow | None:
    flows = Flow.objects.filter(school=school, kind=kind, is_active=True).order_by("priority", "pk")
    return next((flow for flow in flows if flow.matches(facts)), None)


def plan(*, school, kind: str, facts: dict, requester: Staff) -> Plan:
    """The flow that matches and each step resolved to people. ``facts`` as made by
    ``request_facts``. Refuses with a clear message when nothing matches or nobody can
    approve."""
    kind_obj = registry.get_kind(kind)
    if kind_obj is None:
        raise ApprovalError(_("未知的审批事项：%(kind)s。") % {"kind": kind})
    flow = match_flow(school, kind, facts)
    if flow is None:
        raise ApprovalError(
            _("没有适用于这个%(kind)s申请的审批流程，请联系学校管理员在“审批流程”中配置。")
            % {"kind": kind_obj.label}
        )
    steps = []
    approving = []  # approver sets of the approving steps so far
    for flow_step in flow.steps.select_related("person"):
        people, reason = resolve(
            flow_step.approver_type,
            school=school,
            requester=requester,
            position=flow_step.position,
            person=flow_step.person,
        )
        if people and not flow_step.notify_only:
            ids = {p.pk for p in people}
            if ids in approving:
                people, reason = [], _("与前面步骤的审批人相同")
            else:
                approving.append(ids)
        steps.append(
            PlannedStep(
                label=flow_step.display_label,
                approver_type=flow_step.approver_type,
                notify_only=flow_step.notify_only,
                approvers=people,
                skip_reason=reason,
                flow_step=flow_step,
            )
        )
    if not approving:
        steps = _with_fallback(steps, school=school, requester=requester, flow=flow)
    return Plan(flow=flow, facts=facts, steps=steps)


def _with_fallback(steps, *, school, requester, flow):
    """Every approving step found nobody: the principal approves instead (the district,
    when the principal is the one asking), after the skipped approving steps and before
    the notices that follow them."""
    for approver_type, label in (
        (ApproverType.PRINCIPAL, _("校长（其他审批人均不适用）")),
        (ApproverType.DISTRICT, _("区县教育局（其他审批人均不适用）")),
    ):
        people, _reason = resolve(approver_type, school=school, requester=requester)
        if people:
            fallback = PlannedStep(label, approver_type, False, people, fallback=True)
            approving = [i for i, s in enumerate(steps) if not s.notify_only]
            index = approving[-1] + 1 if approving else 0
            return [*steps[:index], fallback, *steps[index:]]
    raise ApprovalError(
        _("找不到能审批这个申请的人：流程“%(flow)s”的每一步都没有合适的审批人，请联系学校管理员。")
        % {"flow": flow.name}
    )


# ---------------------------------------------------------------------------------------
# Resolution through the organisation


def resolve(approver_type, *, school, requester, position="", person=None):
    """(people, reason): who ``approver_type`` means for ``requester``; the reason says
    why nobody, when nobody. The requester is never among the people."""
    resolver = _RESOLVERS[approver_type]
    people, reason = resolver(school=school, requester=requester, position=position, person=person)
    people = sorted({p.pk: p for p in people}.values(), key=lambda p: (p.staff_no, p.pk))
    if people and all(p.pk == requester.pk for p in people):
        return [], _("审批人是申请人本人")
    return [p for p in people if p.pk != requester.pk], reason


def _holders(school, position, **scope):
    """People of ``school`` holding ``position`` now, within ``scope`` (grade, department)."""
    lookups = {f"appointments__{key}": value for key, value in scope.items()}
    return list(
        Staff.objects.filter(
            school=school,
            is_active=True,
            appointments__position=position,
            appointments__ended_on__isnull=True,
            **lookups,
        ).distinct()
    )


def _grade_leader(*, school, requester, **_ignored):
    grade_ids = set(
        SchoolClass.objects.filter(head_teacher=requester, is_active=True).values_list(
            "grade_id", flat=True
        )
    )
    grade_ids |= {
        a.grade_id for a in requester.appointments.all() if a.ended_on is None and a.grade_id
    }
    if not grade_ids:
        return [], _("申请人不属于任何年级")
    people = _holders(school, Position.GRADE_LEADER, grade__in=grade_ids)
    people += list(
        Staff.objects.filter(school=school, is_active=True, led_grades__in=grade_ids).distinct()
    )
    return people, "" if people else _("申请人所在年级未设年级组长")


def _department_head(*, school, requester, **_ignored):
    department = requester.department
    if department is None:
        return [], _("申请人未设部门")
    people = _holders(school, Position.DEPARTMENT_HEAD, department=department)
    if department.head_id and department.head.is_active:
        people.append(department.head)
    return people, "" if people else _("%(department)s未设负责人") % {"department": department}


def _vice_principal_in_charge(*, school, requester, **_ignored):
    people = []
    if requester.department_id:
        people = _holders(school, Position.VICE_PRINCIPAL, department=requester.department_id)
    if not people:
        people = _holders(school, Position.VICE_PRINCIPAL)
    return people, "" if people else _("学校未设分管副校长")


def _principal(*, school, **_ignored):
    people = _holders(school, Position.PRINCIPAL)
    return people, "" if people else _("学校未设校长")


def _district(*, school, **_ignored):
    if not school.district_id:
        return [], _("学校未设所属区县")
    people = list(
        Staff.objects.filter(
            district_id=school.district_id,
            is_active=True,
            appointments__position=Position.DISTRICT_OFFICER,
            appointments__ended_on__isnull=True,
        ).distinct()
    )
    return people, "" if people else _("区县教育局未设审批人员")


def _position(*, school, position, **_ignored):
    people = _holders(school, position)
    label = dict(Position.choices).get(position, position)
    return people, "" if people else _("本校没有在任的%(position)s") % {"position": label}


def _person(*, school, person, **_ignored):
    if person is None:
        return [], _("未指定审批人")
    if not person.is_active or person.school_id != school.pk:
        return [], _("%(name)s已不在本校任职") % {"name": person.name}
    return [person], ""


_RESOLVERS = {
    ApproverType.GRADE_LEADER: _grade_leader,
    ApproverType.DEPARTMENT_HEAD: _department_head,
    ApproverType.VICE_PRINCIPAL_IN_CHARGE: _vice_principal_in_charge,
    ApproverType.PRINCIPAL: _principal,
    ApproverType.DISTRICT: _district,
    ApproverType.POSITION: _position,
    ApproverType.PERSON: _person,
}
