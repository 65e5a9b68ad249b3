"""Who sees which stocktakes: the asset managers and the school's asset viewers
(``assets.manage``, ``assets.view_all``) see all of their school's; a counter sees the
stocktakes they are assigned to. Anything else is a 404."""

from django.http import Http404

from houqin.accounts.access import staff_of
from houqin.core import visibility
from houqin.stocktakes.models import Stocktake


def sees_all(user):
    return user.has_perm("assets.manage") or user.has_perm("assets.view_all")


def visible_stocktakes(request_or_user):
    user, staff, stocktakes = visibility.school_records(Stocktake, request_or_user)
    if staff is None:
        return stocktakes
    if sees_all(user):
        return stocktakes
    return stocktakes.filter(counters__staff=staff)


def get_visible_or_404(request, pk):
    try:
        return visible_stocktakes(request).select_related("created_by", "reviewed_by").get(pk=pk)
    except (Stocktake.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_view(user, stocktake):
    return visible_stocktakes(user).filter(pk=stocktake.pk).exists()


def can_view_scan(user, scan):
    """A scan's photos: whoever sees its stocktake."""
    return can_view(user, scan.stocktake)


def can_add_scan_photo(user, scan):
    """The counter who made the scan (photos of a scan made offline arrive later), and
    the asset managers; never on a cancelled stocktake."""
    from houqin.stocktakes.models import Status

    if scan.stocktake.status == Status.CANCELLED:
        return False
    staff = staff_of(user)
    return user.has_perm("assets.manage") or (staff is not None and scan.counted_by_id == staff.pk)


def can_remove_scan_photo(user, scan):
    return user.has_perm("assets.manage") and scan.stocktake.is_open
