"""Who sees which hazards.

The school is the boundary (another school's hazard is a 404). Within it, the register's
managers (``hazards.manage`` / ``hazards.view_all``: logistics managers, principals) see
every hazard — those limited to a campus, that campus's and the ones with no place; anyone
else sees the hazards they reported or must rectify.

    from houqin.hazards.access import can_view, get_visible_or_404, visible_hazards

    visible_hazards(request)             # or visible_hazards(user): a queryset
    get_visible_or_404(request, pk)      # one hazard or Http404
    can_view(user, hazard)
"""

from django.db.models import Q

from houqin.accounts.access import staff_of
from houqin.core import visibility
from houqin.hazards.models import OPEN_STATUSES, Hazard

MANAGER_PERMS = ("hazards.manage", "hazards.view_all")


def is_manager(user):
    """Sees the whole register of the school (``hazards.manage`` or ``hazards.view_all``)."""
    return visibility.has_any_perm(user, MANAGER_PERMS)


def can_manage(user):
    """Assigns, regrades, verifies, voids (``hazards.manage``)."""
    return user.has_perm("hazards.manage")


def party_q(staff):
    """The hazards ``staff`` reported or must rectify."""
    return Q(reported_by_id=staff.pk) | Q(owner_id=staff.pk)


def is_party(staff, hazard):
    return staff is not None and staff.pk in (hazard.reported_by_id, hazard.owner_id)


def visible_hazards(request_or_user):
    """The hazards the user may see (a queryset of their school's hazards)."""
    user, staff, queryset = visibility.school_records(Hazard, request_or_user)
    if staff is None:
        return queryset
    if is_manager(user):
        return visibility.within_campuses(queryset, user, Q(place__isnull=True) | party_q(staff))
    return queryset.filter(party_q(staff))


def can_view(user, hazard):
    staff = staff_of(user)
    if staff is None or hazard is None or staff.school_id != hazard.school_id:
        return False
    if is_party(staff, hazard):
        return True
    return visible_hazards(user).filter(pk=hazard.pk).exists()


def get_visible_or_404(request_or_user, pk, queryset=None):
    """The hazard ``pk`` if the user may see it, else ``Http404`` (also for garbled ids)."""
    return visibility.get_visible_or_404(visible_hazards(request_or_user), pk, queryset)


def can_add_photos(user, hazard):
    """Photos may be added to an open hazard by those it concerns and the managers."""
    if hazard.status not in OPEN_STATUSES:
        return False
    return can_manage(user) or is_party(staff_of(user), hazard)
