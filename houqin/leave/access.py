"""Who sees which leave requests and going-out slips.

Teachers see their own; approvers see what they approve (any step of its approval, as
approver, as the one who acted, or today as a delegate of an approver of a waiting step);
``leave.view_all`` and ``leave.manage`` see the whole school (the principal and the office,
whatever department their appointments name); ``leave.arrange_cover`` alone sees the
approved and ended leaves, narrowed to their departments when every position they hold
names one. The gate (``leave.gate``) sees approved, out and back slips.
Everything else is a 404 in the views.

    from houqin.leave import access

    access.visible_leaves(request)          # or (user): a queryset of LeaveRequest
    access.get_leave_or_404(request, pk)
    access.can_view_leave(user, leave)
    access.visible_slips(request); access.get_slip_or_404(request, pk)
    access.can_view_slip(user, slip)
    access.sees_school(user)                # principal / office: the school's leaves
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.http import Http404

from houqin.accounts.access import department_scope, staff_of
from houqin.approvals.models import ApprovalRequest, Delegation, RequestStep
from houqin.leave.models import GoingOutSlip, LeaveRequest, SlipStatus
from houqin.leave.services import AWAY

SCHOOL_PERMS = ("leave.view_all", "leave.manage")


def _user(request_or_user):
    return getattr(request_or_user, "user", request_or_user)


def sees_school(user) -> bool:
    return any(user.has_perm(perm) for perm in SCHOOL_PERMS)


def arranges_cover(user) -> bool:
    return user.has_perm("leave.arrange_cover")


def _approver_q(model, staff):
    """The records of ``model`` whose approvals involve ``staff`` as an approver."""
    content_type = ContentType.objects.get_for_model(model)
    approvals = ApprovalRequest.objects.filter(school_id=staff.school_id, subject_type=content_type)
    involved = approvals.filter(
        Q(steps__approvers=staff) | Q(steps__acted_by=staff) | Q(steps__on_behalf_of=staff)
    )
    condition = Q(pk__in=involved.values("subject_id"))
    delegations = Delegation.objects.filter(school_id=staff.school_id).acting_for(staff)
    if delegations:
        waiting = RequestStep.objects.awaiting(staff, delegations).filter(
            request__subject_type=content_type
        )
        condition |= Q(pk__in=list(waiting.values_list("request__subject_id", flat=True)))
    return condition


def _department_q(user):
    """The whole school (``pk__isnull=False``), or the user's departments."""
    departments = department_scope(user)
    if departments is None:
        return Q(pk__isnull=False)
    return Q(staff__department_id__in=departments)


def visible_leaves(request_or_user):
    """The leave requests the user may see (a queryset of their school's requests)."""
    user = _user(request_or_user)
    staff = staff_of(user)
    if staff is None or staff.school_id is None:
        return LeaveRequest.objects.none()
    queryset = LeaveRequest.objects.filter(school_id=staff.school_id)
    condition = Q(staff_id=staff.pk) | _approver_q(LeaveRequest, staff)
    if sees_school(user):
        condition |= Q(pk__isnull=False)
    elif arranges_cover(user):
        condition |= Q(status__in=AWAY) & _department_q(user)
    return queryset.filter(condition)


def visible_slips(request_or_user):
    """The going-out slips the user may see."""
    user = _user(request_or_user)
    staff = staff_of(user)
    if staff is None or staff.school_id is None:
        return GoingOutSlip.objects.none()
    queryset = GoingOutSlip.objects.filter(school_id=staff.school_id)
    condition = Q(staff_id=staff.pk) | _approver_q(GoingOutSlip, staff)
    if sees_school(user):
        condition |= Q(pk__isnull=False)
    if user.has_perm("leave.gate"):
        condition |= Q(status__in=(SlipStatus.APPROVED, SlipStatus.OUT, SlipStatus.BACK))
    return queryset.filter(condition)


def can_view_leave(user, leave) -> bool:
    staff = staff_of(user)
    if staff is None or leave is None or staff.school_id != leave.school_id:
        return False
    if leave.staff_id == staff.pk:
        return True
    return visible_leaves(user).filter(pk=leave.pk).exists()


def can_view_slip(user, slip) -> bool:
    staff = staff_of(user)
    if staff is None or slip is None or staff.school_id != slip.school_id:
        return False
    if slip.staff_id == staff.pk:
        return True
    return visible_slips(user).filter(pk=slip.pk).exists()


def _get_or_404(queryset, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_leave_or_404(request_or_user, pk, queryset=None):
    """The leave ``pk`` if the user may see it, else ``Http404``."""
    visible = visible_leaves(request_or_user)
    if queryset is not None:
        visible = queryset.filter(pk__in=visible.values("pk"))
    return _get_or_404(visible.select_related("staff", "leave_type"), pk)


def get_slip_or_404(request_or_user, pk, queryset=None):
    visible = visible_slips(request_or_user)
    if queryset is not None:
        visible = queryset.filter(pk__in=visible.values("pk"))
    return _get_or_404(visible.select_related("staff"), pk)


def can_view_attachments(user, leave) -> bool:
    return can_view_leave(user, leave)


def can_add_proof(user, leave) -> bool:
    """The applicant adds proof while the request can still change; leave.manage any
    time."""
    from houqin.leave.services import can_change

    staff = staff_of(user)
    if staff is None or staff.school_id != leave.school_id:
        return False
    return user.has_perm("leave.manage") or can_change(leave, staff)
