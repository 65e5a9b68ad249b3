"""Who sees which repair requests.

The reporter, the followers (同时报修), the assignee and the school's managers
(``repairs.manage`` / ``repairs.view_all``) see a request; nobody else does (a 404 in the
views). A manager whose positions are all limited to a campus sees that campus's requests
(plus those they are a party to).

    from houqin.repairs.access import can_view, get_visible_or_404, visible_requests

    visible_requests(request)            # or visible_requests(user): a queryset
    get_visible_or_404(request, pk)      # one request or Http404
    can_view(user, repair)
"""

from django.db.models import Q

from houqin.accounts.access import staff_of
from houqin.core import visibility
from houqin.repairs.models import RepairRequest

MANAGER_PERMS = ("repairs.manage", "repairs.view_all")


def is_manager(user):
    """Sees every request of the school (``repairs.manage`` or ``repairs.view_all``)."""
    return visibility.has_any_perm(user, MANAGER_PERMS)


def can_manage(user):
    """Dispatches, reassigns, cancels, corrects costs (``repairs.manage``)."""
    return user.has_perm("repairs.manage")


def party_q(staff):
    """The requests ``staff`` reported, follows or is assigned."""
    followed = RepairRequest.followers.through.objects.filter(staff_id=staff.pk).values(
        "repairrequest_id"
    )
    return Q(reporter_id=staff.pk) | Q(assignee_id=staff.pk) | Q(pk__in=followed)


def visible_requests(request_or_user):
    """The repair requests the user may see (a queryset of their school's requests)."""
    user, staff, queryset = visibility.school_records(RepairRequest, request_or_user)
    if staff is None:
        return queryset
    if is_manager(user):
        return visibility.within_campuses(queryset, user, party_q(staff))
    return queryset.filter(party_q(staff))


def is_party(staff, repair):
    """Reporter, follower or assignee of ``repair``."""
    if staff is None:
        return False
    if staff.pk in (repair.reporter_id, repair.assignee_id):
        return True
    return repair.followers.filter(pk=staff.pk).exists()


def can_view(user, repair):
    staff = staff_of(user)
    if staff is None or repair is None or staff.school_id != repair.school_id:
        return False
    return visible_requests(user).filter(pk=repair.pk).exists()


def get_visible_or_404(request_or_user, pk, queryset=None):
    """The request ``pk`` if the user may see it, else ``Http404`` (also for garbled ids)."""
    return visibility.get_visible_or_404(visible_requests(request_or_user), pk, queryset)


def can_add_photos(user, repair):
    """Photos may be added while the request is not closed or cancelled, by its parties
    and managers."""
    from houqin.repairs.models import Status

    if repair.status in (Status.CLOSED, Status.CANCELLED):
        return False
    staff = staff_of(user)
    return can_manage(user) or is_party(staff, repair)
