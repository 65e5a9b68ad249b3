"""Who sees which patrol rounds.

The school is the boundary (another school's round is a 404). Whoever holds
``patrols.view_all`` (or ``patrols.manage``) sees every round of the school; a patroller
sees the rounds they walked.

    from houqin.patrols.access import can_view_round, get_round_or_404, visible_rounds

    visible_rounds(request)             # or visible_rounds(user): a queryset
    get_round_or_404(request, pk)       # one round or Http404
"""

from houqin.accounts.access import staff_of
from houqin.core import visibility
from houqin.hazards.access import can_view as can_view_hazard
from houqin.patrols.models import Round

VIEW_ALL = ("patrols.view_all", "patrols.manage")


def sees_all(user):
    return visibility.has_any_perm(user, VIEW_ALL)


def visible_rounds(request_or_user):
    user, staff, rounds = visibility.school_records(Round, request_or_user)
    if staff is None:
        return rounds
    if sees_all(user):
        return rounds
    return rounds.filter(patroller_id=staff.pk)


def can_view_round(user, round_):
    staff = staff_of(user)
    if staff is None or round_ is None or staff.school_id != round_.school_id:
        return False
    return sees_all(user) or round_.patroller_id == staff.pk


def get_round_or_404(request_or_user, pk, queryset=None):
    return visibility.get_visible_or_404(visible_rounds(request_or_user), pk, queryset)


# Answer photos (registered with houqin.files in apps.py). They also show on the hazard
# a failed answer raised, so the people handling that hazard may open them.


def can_view_answer(user, answer):
    if can_view_round(user, answer.round):
        return True
    return answer.hazard_id is not None and can_view_hazard(user, answer.hazard)


def can_add_answer_photo(user, answer):
    """The patroller, while the photos of a round synced offline come in, and managers."""
    staff = staff_of(user)
    return user.has_perm("patrols.manage") or (
        staff is not None and answer.round.patroller_id == staff.pk
    )


def can_remove_answer_photo(user, answer):
    return user.has_perm("patrols.manage")
