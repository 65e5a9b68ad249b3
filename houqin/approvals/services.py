"""The approval workflow: submit, approve, reject, send back, resubmit, withdraw.

Every module that needs an approval calls these; none writes its own loop::

    from houqin.approvals import services as approvals

    approval = approvals.submit(
        leave, kind="leave", requester=staff, title="张老师 病假 1.5 天",
        facts={"days": Decimal("1.5"), "sub_type": "病假"},
    )

Each function runs in one transaction with the request row locked, writes an
``ApprovalAction`` history row for what it did, and refuses with ``ApprovalError`` (a
Chinese message for the person who tried) when the person may not do it or the request
has moved on. When the request leaves "pending" the subject is told (see ``kinds``).
"""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.approvals import kinds as registry
from houqin.approvals.models import (
    OPEN_STATUSES,
    ActionType,
    ApprovalAction,
    ApprovalError,
    ApprovalRequest,
    Delegation,
    RequestStatus,
    RequestStep,
    StepStatus,
)
from houqin.approvals.routing import plan, request_facts
from houqin.notifications.services import notify

EVENT_PENDING = "approvals.pending"
EVENT_DECIDED = "approvals.decided"
EVENT_COPIED = "approvals.copied"


# ---------------------------------------------------------------------------------------
# Submitting


@transaction.atomic
def submit(subject, *, kind, requester, title, facts=None) -> ApprovalRequest:
    """Start the approval of ``subject`` (any saved model instance of the requester's
    school): pick the school's first matching flow, resolve its steps, tell the first
    approver. ``facts``: ``days`` (Decimal, half days allowed), ``amount`` (yuan,
    Decimal), ``sub_type`` (e.g. 病假); the requester's positions are added here."""
    school = requester.school
    if school is None:
        raise ApprovalError(_("只有学校的教职工可以提交审批。"))
    subject_school = getattr(subject, "school_id", school.pk)
    if subject_school != school.pk:
        raise ApprovalError(_("申请事项不属于申请人的学校。"))
    subject_type = ContentType.objects.get_for_model(subject)
    # Lock the subject: two clicks on 提交 make one request.
    list(
        type(subject)
        ._default_manager.select_for_update(of=("self",))
        .filter(pk=subject.pk)
        .order_by()
        .values_list("pk")
    )
    if (
        ApprovalRequest.objects.filter(subject_type=subject_type, subject_id=subject.pk)
        .open()
        .exists()
    ):
        raise ApprovalError(_("这个事项已有审批在进行中，不能重复提交。"))
    facts = request_facts(requester, facts)
    route = plan(school=school, kind=kind, facts=facts, requester=requester)
    approval = ApprovalRequest.objects.create(
        school=school,
        kind=kind,
        subject_type=subject_type,
        subject_id=subject.pk,
        title=title,
        requester=requester,
        facts=facts,
        flow=route.flow,
    )
    _record(approval, ActionType.SUBMIT, actor=requester, before="")
    _snapshot(approval, route)
    _advance(approval)
    return approval


@transaction.atomic
def resubmit(approval, *, by, facts=None, title=None, comment="") -> ApprovalRequest:
    """The requester sends a returned request again (with corrected facts or title, if
    the subject changed); the flow is chosen and run again from its first step."""
    approval = _locked(approval)
    if by.pk != approval.requester_id:
        raise ApprovalError(_("只有申请人本人可以重新提交。"))
    if approval.status != RequestStatus.RETURNED:
        raise ApprovalError(
            _("这个申请当前状态为“%(status)s”，只有被退回的申请可以重新提交。")
            % {"status": approval.get_status_display()}
        )
    if facts is None:
        facts = {k: v for k, v in approval.facts.items() if k != registry.POSITIONS}
    facts = request_facts(approval.requester, facts)
    route = plan(school=approval.school, kind=approval.kind, facts=facts, requester=by)
    approval.facts = facts
    approval.flow = route.flow
    approval.title = title or approval.title
    approval.round += 1
    approval.status = RequestStatus.PENDING
    approval.save(update_fields=["facts", "flow", "title", "round", "status", "updated_at"])
    _record(approval, ActionType.RESUBMIT, actor=by, before=RequestStatus.RETURNED, comment=comment)
    _snapshot(approval, route)
    _advance(approval)
    return approval


# ---------------------------------------------------------------------------------------
# Deciding


@transaction.atomic
def approve(approval, *, by, comment="") -> ApprovalRequest:
    """Agree at the current step; the request moves to the next step, or is approved."""
    approval = _locked(approval)
    step, on_behalf_of = authority(approval, by)
    _close_step(step, StepStatus.APPROVED, by=by, on_behalf_of=on_behalf_of, comment=comment)
    more_to_decide = approval.steps.filter(
        round=approval.round,
        status=StepStatus.WAITING,
        notify_only=False,
        approvers__isnull=False,
    ).exists()
    _record(
        approval,
        ActionType.APPROVE,
        actor=by,
        on_behalf_of=on_behalf_of,
        step=step,
        comment=comment,
        after=RequestStatus.PENDING if more_to_decide else RequestStatus.APPROVED,
    )
    _advance(approval, comment=comment)
    return approval


@transaction.atomic
def reject(approval, *, by, comment) -> ApprovalRequest:
    """Refuse the request: it ends here, rejected. A reason is required."""
    if not (comment or "").strip():
        raise ApprovalError(_("不同意时请填写理由。"))
    approval = _locked(approval)
    step, on_behalf_of = authority(approval, by)
    _close_step(step, StepStatus.REJECTED, by=by, on_behalf_of=on_behalf_of, comment=comment)
    _finish(
        approval,
        RequestStatus.REJECTED,
        ActionType.REJECT,
        actor=by,
        on_behalf_of=on_behalf_of,
        step=step,
        comment=comment,
    )
    return approval


@transaction.atomic
def send_back(approval, *, by, comment) -> ApprovalRequest:
    """Return the request to the requester to change and resubmit. Say what to change."""
    if not (comment or "").strip():
        raise ApprovalError(_("退回时请写明需要修改的地方。"))
    approval = _locked(approval)
    step, on_behalf_of = authority(approval, by)
    _close_step(step, StepStatus.RETURNED, by=by, on_behalf_of=on_behalf_of, comment=comment)
    _finish(
        approval,
        RequestStatus.RETURNED,
        ActionType.RETURN,
        actor=by,
        on_behalf_of=on_behalf_of,
        step=step,
        comment=comment,
    )
    return approval


@transaction.atomic
def withdraw(approval, *, by, comment="") -> ApprovalRequest:
    """The requester takes back a request that is still pending (or was sent back)."""
    approval = _locked(approval)
    if by.pk != approval.requester_id:
        raise ApprovalError(_("只有申请人本人可以撤回申请。"))
    if approval.status not in OPEN_STATUSES:
        raise ApprovalError(
            _("这个申请当前状态为“%(status)s”，不能撤回。")
            % {"status": approval.get_status_display()}
        )
    waiting_for = list(approval.current_step.approvers.all()) if approval.current_step else []
    _finish(approval, RequestStatus.WITHDRAWN, ActionType.WITHDRAW, actor=by, comment=comment)
    if waiting_for:
        _notify(
            waiting_for,
            EVENT_DECIDED,
            approval,
            _("%(name)s 撤回了申请：%(title)s") % {"name": by.name, "title": approval.title},
        )
    return approval


def authority(approval, staff):
    """(step, on_behalf_of) when ``staff`` may decide the request's current step now —
    as its approver, or as an approver's delegate — else ``ApprovalError`` saying why."""
    step = approval.current_step
    if (
        approval.status != RequestStatus.PENDING
        or step is None
        or step.status != StepStatus.PENDING
    ):
        raise ApprovalError(
            _("这个申请当前状态为“%(status)s”，不能再审批。")
            % {"status": approval.get_status_display()}
        )
    if staff.pk == approval.requester_id:
        raise ApprovalError(_("不能审批自己提交的申请。"))
    approver_ids = {person.pk for person in step.approvers.all()}
    if staff.pk in approver_ids:
        return step, None
    delegations = (
        Delegation.objects.current()
        .filter(school_id=approval.school_id, to_staff=staff, from_staff_id__in=approver_ids)
        .select_related("from_staff")
        .order_by("pk")
    )
    for delegation in delegations:
        if delegation.covers(approval.kind):
            return step, delegation.from_staff
    raise ApprovalError(_("您不是这一步的审批人，不能办理。"))


def may_decide(approval, staff):
    """``authority`` as a yes/no answer for showing the buttons."""
    try:
        return authority(approval, staff)
    except ApprovalError:
        return None


def latest_for(subject) -> ApprovalRequest | None:
    """The subject's most recent approval request, for a module's record page."""
    return (
        ApprovalRequest.objects.filter(
            subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk
        )
        .order_by("-pk")
        .first()
    )


# ---------------------------------------------------------------------------------------
# The moving parts


def _locked(approval) -> ApprovalRequest:
    return (
        ApprovalRequest.objects.select_for_update(of=("self",))
        .select_related("current_step", "requester", "school")
        .get(pk=approval.pk)
    )


def _snapshot(approval, route):
    approval.steps.filter(status__in=[StepStatus.WAITING, StepStatus.PENDING]).update(
        status=StepStatus.CANCELLED
    )
    for order, planned in enumerate(route.steps, start=1):
        step = RequestStep.objects.create(
            request=approval,
            round=approval.round,
            order=order,
            label=planned.label[:60],
            approver_type=planned.approver_type,
            notify_only=planned.notify_only,
            skip_reason=planned.skip_reason[:200],
            flow_step=planned.flow_step,
        )
        step.approvers.set(planned.approvers)


def _advance(approval, *, comment=""):
    """Walk the current round from its first waiting step: skip the ones without anyone,
    notify and pass the notify-only ones, stop at the first that needs a decision. No
    step left: the request is approved."""
    steps = approval.steps.filter(round=approval.round, status=StepStatus.WAITING).order_by("order")
    for step in steps.prefetch_related("approvers"):
        approvers = list(step.approvers.all())
        if not approvers:
            _close_step(step, StepStatus.SKIPPED)
            _record(approval, ActionType.SKIP, step=step, comment=step.skip_reason)
        elif step.notify_only:
            _close_step(step, StepStatus.NOTIFIED)
            _record(approval, ActionType.NOTIFY, step=step, comment=step.label)
            _notify(
                approvers,
                EVENT_COPIED,
                approval,
                _("知会：%(name)s 的%(kind)s申请 %(title)s")
                % {
                    "name": approval.requester.name,
                    "kind": approval.kind_label,
                    "title": approval.title,
                },
            )
        else:
            step.status = StepStatus.PENDING
            step.save(update_fields=["status"])
            approval.current_step = step
            approval.save(update_fields=["current_step", "updated_at"])
            delegates = [
                d.to_staff
                for person in approvers
                for d in Delegation.objects.for_step(person, approval.kind)
            ]
            _notify(
                [*approvers, *delegates],
                EVENT_PENDING,
                approval,
                _("待审批：%(name)s 的%(kind)s申请 %(title)s")
                % {
                    "name": approval.requester.name,
                    "kind": approval.kind_label,
                    "title": approval.title,
                },
            )
            return
    _finish(approval, RequestStatus.APPROVED, None, comment=comment)


def _close_step(step, status, *, by=None, on_behalf_of=None, comment=""):
    step.status = status
    step.acted_by = by
    step.on_behalf_of = on_behalf_of
    step.acted_at = timezone.now()
    step.comment = comment[:500]
    step.save(update_fields=["status", "acted_by", "on_behalf_of", "acted_at", "comment"])


def _finish(approval, status, action, *, actor=None, on_behalf_of=None, step=None, comment=""):
    """Close the request in ``status``; record ``action`` (if the closing is an action of
    its own), tell the subject, tell the requester."""
    before = approval.status
    approval.steps.filter(
        round=approval.round, status__in=[StepStatus.WAITING, StepStatus.PENDING]
    ).update(status=StepStatus.CANCELLED)
    approval.status = status
    approval.current_step = None
    approval.decided_at = None if status == RequestStatus.RETURNED else timezone.now()
    approval.save(update_fields=["status", "current_step", "decided_at", "updated_at"])
    if action is not None:
        _record(
            approval,
            action,
            actor=actor,
            on_behalf_of=on_behalf_of,
            step=step,
            comment=comment,
            before=before,
        )
    _tell_subject(approval)
    if actor is None or actor.pk != approval.requester_id:
        titles = {
            RequestStatus.APPROVED: _("已同意：%(title)s"),
            RequestStatus.REJECTED: _("不同意：%(title)s"),
            RequestStatus.RETURNED: _("已退回，请修改后重新提交：%(title)s"),
        }
        _notify(
            [approval.requester],
            EVENT_DECIDED,
            approval,
            titles[status] % {"title": approval.title},
            body=comment,
        )


def _tell_subject(approval):
    kind = registry.get_kind(approval.kind)
    if kind is not None and kind.on_decided is not None:
        kind.on_decided(approval)
        return
    subject = approval.subject
    callback = getattr(subject, "on_approval_decided", None)
    if callback is not None:
        callback(approval)


def _record(
    approval,
    action,
    *,
    actor=None,
    on_behalf_of=None,
    step=None,
    comment="",
    before=None,
    after=None,
):
    return ApprovalAction.objects.create(
        request=approval,
        step=step,
        action=action,
        actor=actor,
        on_behalf_of=on_behalf_of,
        from_status=approval.status if before is None else before,
        to_status=approval.status if after is None else after,
        comment=(comment or "")[:500],
    )


def _notify(recipients, event, approval, title, body=""):
    people = list({person.pk: person for person in recipients}.values())
    if not people:
        return
    lines = [f"{label}：{value}" for label, value in registry.describe_facts(approval.facts)[:3]]
    notify(
        people,
        event=event,
        title=title[:200],
        body="\n".join(filter(None, [body, *lines])),
        url=approval.get_absolute_url(),
        school=approval.school,
    )
