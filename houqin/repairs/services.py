"""Every change to a repair request goes through here (the views never set ``status``).

Each function runs in ``transaction.atomic`` with ``select_for_update`` on the request,
checks who may do it (``RepairError`` with a Chinese message otherwise), writes one
``RepairEvent`` and tells the people concerned through ``notify()``.

``by`` is always the acting ``Staff``; ``now`` defaults to ``timezone.now()``.
"""


class RepairError(Exception):
    """A refused action; ``str(error)`` is the Chinese message to show."""


def similar_open_requests(school, *, place, description="", limit=5):
    """Open requests for the same place, most similar description first (shown before
    submitting so a teacher can join one instead of filing a duplicate)."""
    raise NotImplementedError


def report(*, by, place, category, urgency, description, photos=(), now=None):
    """A new request: number, deadlines from ``deadlines.py``, auto-dispatch by the
    school's DispatchRule, photos attached with role "report". Returns the request."""
    raise NotImplementedError


def join(request, *, by, note=""):
    """Add ``by`` as a follower of an open request (同时报修) instead of a duplicate."""
    raise NotImplementedError


def assign(request, *, by, assignee=None, vendor=None, note="", now=None):
    """Manager (repairs.manage) assigns a worker (repairs.work holder) or a vendor;
    also used to reassign. Status → assigned (or outsourced for a vendor)."""
    raise NotImplementedError


def accept(request, *, by, now=None):
    """The assignee accepts (接单): assigned → accepted."""
    raise NotImplementedError


def start(request, *, by, now=None):
    """accepted/waiting_parts/outsourced → in_progress."""
    raise NotImplementedError


def wait_for_parts(request, *, by, note, now=None):
    """in_progress/accepted → waiting_parts (note says what is needed)."""
    raise NotImplementedError


def outsource(request, *, by, vendor=None, note, now=None):
    """The worker (or manager) hands it to an outside vendor → outsourced."""
    raise NotImplementedError


def finish(
    request,
    *,
    by,
    note,
    photos=(),
    labour_cost=None,
    parts_cost=None,
    vendor_cost=None,
    damaged_by_students=False,
    responsible_class=None,
    responsible_person="",
    now=None,
):
    """Done (维修完成) with photos (role "done"), a note and costs → done; the reporter is
    asked to confirm."""
    raise NotImplementedError


def confirm(request, *, by, rating=None, comment="", now=None):
    """The reporter (or a follower) confirms the fix → closed, optionally rating 1–5."""
    raise NotImplementedError


def reopen(request, *, by, note, now=None):
    """The reporter says it is not fixed → assigned again to the same assignee,
    reopen_count + 1, new completion deadline."""
    raise NotImplementedError


def rate(request, *, by, rating, comment=""):
    """Rate (or change the rating of) a closed request; reporter only."""
    raise NotImplementedError


def record_costs(
    request,
    *,
    by,
    labour_cost,
    parts_cost,
    vendor_cost,
    damaged_by_students,
    responsible_class=None,
    responsible_person="",
):
    """Manager or assignee records or corrects costs and the student-damage flag."""
    raise NotImplementedError


def cancel(request, *, by, note, now=None):
    """The reporter (before work starts) or a manager cancels with a reason → cancelled."""
    raise NotImplementedError


def escalate_overdue(now=None):
    """The scheduled job: requests past their response or completion deadline go to
    the logistics manager (level 1), then, past the deadline by as long again, to the
    vice principal in charge (level 2). Idempotent. Returns how many were escalated."""
    raise NotImplementedError


def auto_confirm_due(now=None):
    """The scheduled job: requests done for more than the school's configured number of
    working days without confirmation are closed as auto-confirmed. Idempotent."""
    raise NotImplementedError
