"""Who sees which asset cards and acceptances.

Cards: ``assets.view_all`` (and ``assets.manage``) see the school's cards — the asset
clerk and the principal whatever department their appointments name — narrowed to their
campuses when every position they hold is limited to one; everyone else with
``assets.view_own`` sees the cards they are the custodian (使用人) of. Acceptances: the
school's asset managers and viewers see all; a member of an acceptance group sees that
one. Anything else is a 404 in the views.

    from houqin.assets.access import get_visible_or_404, visible_assets

    visible_assets(request)                 # or visible_assets(user): a queryset
    get_visible_or_404(request, pk)         # one card or Http404
"""

from houqin.accounts.access import staff_of
from houqin.assets.models import Acceptance, Asset, Status
from houqin.core import visibility

MANAGE, VIEW_ALL, VIEW_OWN = "assets.manage", "assets.view_all", "assets.view_own"


def sees_all(user):
    return user.has_perm(VIEW_ALL) or user.has_perm(MANAGE)


def can_manage(user):
    return user.has_perm(MANAGE)


def visible_assets(request_or_user):
    """The cards the user may see (a queryset of their school's cards)."""
    user, staff, cards = visibility.school_records(Asset, request_or_user)
    if staff is None:
        return cards
    if sees_all(user):
        return visibility.within_campuses(cards, user)
    if user.has_perm(VIEW_OWN):
        return cards.filter(custodian_id=staff.pk)
    return Asset.objects.none()


def get_visible_or_404(request_or_user, pk, queryset=None):
    """The card ``pk`` if the user may see it, else ``Http404`` (also for garbled ids)."""
    return visibility.get_visible_or_404(visible_assets(request_or_user), pk, queryset)


def can_view(user, asset):
    return visible_assets(user).filter(pk=asset.pk).exists()


def can_add_photos(user, asset):
    return can_manage(user) and asset.status != Status.DISPOSED and can_view(user, asset)


def visible_acceptances(request_or_user):
    user, staff, acceptances = visibility.school_records(Acceptance, request_or_user)
    if staff is None:
        return acceptances
    if sees_all(user):
        return acceptances
    return acceptances.filter(group=staff)


def get_acceptance_or_404(request_or_user, pk, queryset=None):
    return visibility.get_visible_or_404(visible_acceptances(request_or_user), pk, queryset)


def can_view_acceptance(user, acceptance):
    return visible_acceptances(user).filter(pk=acceptance.pk).exists()


def can_add_acceptance_files(user, acceptance):
    """Photos and the invoice are added while the delivery is checked, by the asset
    managers and the members of its group."""
    if acceptance.state != Acceptance.State.DRAFT:
        return False
    staff = staff_of(user)
    if can_manage(user):
        return staff is not None and staff.school_id == acceptance.school_id
    return staff is not None and acceptance.group.filter(pk=staff.pk).exists()


def can_view_disposal(user, disposal):
    return sees_all(user)


def can_add_disposal_files(user, disposal):
    """Appraisal reports and proof go in before the approval; the approvers decide on
    them."""
    from houqin.assets.models import DisposalStatus

    return user.has_perm(MANAGE) and disposal.status in (
        DisposalStatus.DRAFT,
        DisposalStatus.APPRAISING,
    )
