"""Pending work on "我的工作": each module registers a provider in ``AppConfig.ready``
and the dashboard shows what they return.

A provider takes the request and returns WorkItems for the signed-in user — approvals
waiting, repairs assigned, hazards due. It must run a bounded number of queries.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class WorkItem:
    title: str
    url: str
    icon: str = "check2-square"
    count: int | None = None
    detail: str = ""
    urgent: bool = False


@dataclass(frozen=True)
class QuickAction:
    label: str
    url: str
    icon: str


def school_staff(request, perm=None):
    """The signed-in user's Staff when they belong to a school (and hold ``perm``, when
    one is named), else None: a provider shows nothing to anyone else."""
    staff = getattr(request, "staff", None)
    if staff is None or not staff.school_id:
        return None
    if perm is not None and not request.user.has_perm(perm):
        return None
    return staff


def counted(count, **item):
    """``[WorkItem(count=count, **item)]``, or no item at all when ``count`` is 0."""
    return [WorkItem(count=count, **item)] if count else []


def counted_each(counts, **items):
    """One WorkItem for each key of ``items`` (its fields) counting ``counts[key]``, in
    that order, leaving out those at 0: a list page's queues (待派单, 超期…) at once."""
    return [WorkItem(count=counts[key], **item) for key, item in items.items() if counts[key]]


def quick_action(request, perm, label, url, icon):
    """``[QuickAction(label, url, icon)]`` for a user holding ``perm``, else nothing."""
    if not request.user.has_perm(perm):
        return []
    return [QuickAction(label, url, icon)]


_providers: list[Callable] = []
_quick_actions: list[Callable] = []


def register_provider(provider):
    _providers.append(provider)
    return provider


def register_quick_actions(provider):
    _quick_actions.append(provider)
    return provider


def pending_for(request):
    items = []
    for provider in _providers:
        items.extend(provider(request))
    return sorted(items, key=lambda item: not item.urgent)


def quick_actions_for(request):
    actions = []
    for provider in _quick_actions:
        actions.extend(provider(request))
    return actions
