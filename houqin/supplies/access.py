"""Who sees and handles which consumables records.

Everyone with ``supplies.request`` asks for items and sees their own requisitions; the
approvers of a requisition and the keeper of its store see it too; ``supplies.manage`` and
``supplies.view_all`` see the school's. Issuing, taking back returns and applying a count
belong to ``supplies.manage`` or the store's keeper. Another school's record is a 404.

    from houqin.supplies.access import visible_requisitions, get_requisition_or_404, can_keep
"""

from django.db.models import Q

from houqin.accounts.access import staff_of
from houqin.core import visibility
from houqin.supplies.models import Requisition, Store

REQUEST, MANAGE, VIEW_ALL = "supplies.request", "supplies.manage", "supplies.view_all"


def is_manager(user):
    """Sees every store, item and requisition of the school."""
    return user.has_perm(MANAGE) or user.has_perm(VIEW_ALL)


def kept_stores(request_or_user):
    """The stores the user may issue from and count: all with supplies.manage, else those
    they keep."""
    user, staff, stores = visibility.school_records(Store, request_or_user)
    if staff is None:
        return stores
    return stores if user.has_perm(MANAGE) else stores.filter(keeper=staff)


def can_keep(user, store):
    staff = staff_of(user)
    if staff is None or store is None or staff.school_id != store.school_id:
        return False
    return user.has_perm(MANAGE) or store.keeper_id == staff.pk


def is_keeper(user):
    """Issues from at least one store (the 待发放 queue is theirs)."""
    return user.has_perm(MANAGE) or kept_stores(user).exists()


def visible_requisitions(request_or_user):
    user, staff, queryset = visibility.school_records(Requisition, request_or_user)
    if staff is None or is_manager(user):
        return queryset
    from houqin.approvals.models import ApprovalRequest

    approving = ApprovalRequest.objects.filter(
        school_id=staff.school_id, kind="requisition", steps__approvers=staff
    ).values("subject_id")
    return queryset.filter(
        Q(requester=staff) | Q(store__keeper=staff) | Q(pk__in=approving)
    ).distinct()


def get_requisition_or_404(request_or_user, pk, queryset=None):
    return visibility.get_visible_or_404(visible_requisitions(request_or_user), pk, queryset)


def can_view_stock_in(user, stock_in):
    staff = staff_of(user)
    return staff is not None and staff.school_id == stock_in.school_id and is_manager(user)


def can_add_invoice(user, stock_in):
    return can_view_stock_in(user, stock_in) and can_keep(user, stock_in.store)
