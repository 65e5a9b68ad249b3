"""Approval records for tests/test_tenancy.py: another school's request, flow and
delegation are a 404."""

from django.contrib.contenttypes.models import ContentType

from houqin.accounts.roles import Position
from houqin.accounts.tests.factories import StaffFactory
from houqin.approvals.models import ApprovalRequest, ApproverType, RequestStep, StepStatus
from houqin.approvals.tests.factories import DelegationFactory, FlowFactory

OBJECT_URLS = {
    "approvals:request_detail": ("approval_request", "pk"),
    "approvals:request_act": ("approval_request", "pk"),
    "approvals:delegation_end": ("delegation", "pk"),
    "approvals:flow_detail": ("approval_flow", "pk"),
    "approvals:flow_edit": ("approval_flow", "pk"),
    "approvals:flow_archive": ("approval_flow", "pk"),
    "approvals:flow_restore": ("approval_flow", "pk"),
}


def objects(school, base):
    flow = FlowFactory(school=school, steps=[ApproverType.PRINCIPAL])
    principal = StaffFactory(school=school, positions=[Position.PRINCIPAL])
    place = base["place"]
    request = ApprovalRequest.objects.create(
        school=school,
        kind="leave",
        subject_type=ContentType.objects.get_for_model(place),
        subject_id=place.pk,
        title="请假",
        requester=base["staff"],
        flow=flow,
    )
    step = RequestStep.objects.create(
        request=request,
        order=1,
        label="校长",
        approver_type=ApproverType.PRINCIPAL,
        status=StepStatus.PENDING,
    )
    step.approvers.set([principal])
    request.current_step = step
    request.save()
    return {
        "approval_flow": flow,
        "approval_request": request,
        "delegation": DelegationFactory(from_staff=principal, to_staff=base["staff"]),
    }
