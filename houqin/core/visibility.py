"""The pieces every module's ``access.py`` builds its "who sees which records" from.

The school is the boundary: a user sees only their school's records, and a record they
may not see is a 404 (``get_visible_or_404``), never a 403.
"""

from django.db.models import Q
from django.http import Http404

from houqin.accounts.access import campus_scope, staff_of


def user_of(request_or_user):
    """The user of a request, or the user passed."""
    return getattr(request_or_user, "user", request_or_user)


def has_any_perm(user, perms):
    return any(user.has_perm(perm) for perm in perms)


def school_records(model, request_or_user):
    """``(user, staff, queryset)``: the signed-in user, their Staff and their school's
    rows of ``model``. Without a school ``staff`` is None and the queryset empty."""
    user = user_of(request_or_user)
    staff = staff_of(user)
    if staff is None or staff.school_id is None:
        return user, None, model.objects.none()
    return user, staff, model.objects.filter(school_id=staff.school_id)


def within_campuses(queryset, user, also=None):
    """All of ``queryset`` for a user of the whole school; for one whose positions are all
    limited to campuses, the records whose place is there (and those matching ``also``)."""
    campuses = campus_scope(user)
    if campuses is None:
        return queryset
    condition = Q(place__campus_id__in=campuses)
    if also is not None:
        condition |= also
    return queryset.filter(condition)


def get_visible_or_404(visible, pk, queryset=None):
    """The row ``pk`` of ``queryset`` (default: all of the model's) if it is among
    ``visible``, else ``Http404`` (also for garbled ids)."""
    if queryset is None:
        queryset = visible.model._default_manager.all()
    try:
        return queryset.filter(pk__in=visible.values("pk")).get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
