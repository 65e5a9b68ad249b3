"""Which records take attachments, and who may see, add and remove them.

A module registers its model once, in its ``AppConfig.ready``::

    from houqin.files.registry import register_attachable

    register_attachable(
        Repair,
        can_view=lambda user, repair: user.has_perm("repairs.view_repair"),
        can_add=lambda user, repair: repair.is_open and user.has_perm("repairs.report"),
        can_remove=lambda user, repair: user.has_perm("repairs.manage"),
        roles=("report", "done"),
    )

A model that is not registered takes no attachments and shows none (refused by default).
The record must also be readable by the user (``scope_queryset``: their school, their
campus where their positions say so); the rules only decide among those. Whoever uploaded
an attachment may also remove it while they may still add to the record.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Model

from houqin.accounts.access import school_of, scope_queryset

Rule = Callable[[object, Model], bool]


@dataclass(frozen=True)
class AttachableRules:
    can_view: Rule
    can_add: Rule
    can_remove: Rule
    roles: frozenset[str] | None  # None: any role name


_registry: dict[type[Model], AttachableRules] = {}


def _never(user, obj):
    return False


def register_attachable(
    model: type[Model],
    *,
    can_view: Rule,
    can_add: Rule = _never,
    can_remove: Rule | None = None,
    roles: Iterable[str] | None = None,
):
    """Let ``model`` take attachments. ``can_remove`` defaults to ``can_add``; ``roles``
    limits the sets a record may hold (e.g. ``("before", "after")``); the default set ""
    is always allowed."""
    _registry[model._meta.concrete_model] = AttachableRules(
        can_view=can_view,
        can_add=can_add,
        can_remove=can_remove or can_add,
        roles=frozenset([*roles, ""]) if roles is not None else None,
    )


def rules_for(model_or_obj) -> AttachableRules | None:
    return _registry.get(model_or_obj._meta.concrete_model)


def is_attachable(model_or_obj) -> bool:
    return rules_for(model_or_obj) is not None


def role_allowed(obj, role) -> bool:
    rules = rules_for(obj)
    return rules is not None and (rules.roles is None or role in rules.roles)


def record_visible(user, obj) -> bool:
    """The record is one the user may read at all: registered, of the user's school, and
    within their campus or department scope where the model has one."""
    if obj is None or obj.pk is None or rules_for(obj) is None or not in_school(user, obj):
        return False
    model = obj._meta.concrete_model
    if getattr(model, "campus_path", None) or getattr(model, "department_path", None):
        return scope_queryset(model._default_manager.filter(pk=obj.pk), user).exists()
    return True


def in_school(user, obj) -> bool:
    school = school_of(user)
    return school is not None and getattr(obj, "school_id", None) == school.pk


def can_view(user, obj) -> bool:
    rules = rules_for(obj)
    return rules is not None and bool(rules.can_view(user, obj))


def can_add(user, obj) -> bool:
    rules = rules_for(obj)
    return rules is not None and bool(rules.can_add(user, obj))


def can_remove(user, obj, attachment=None) -> bool:
    rules = rules_for(obj)
    if rules is None:
        return False
    if rules.can_remove(user, obj):
        return True
    return (
        attachment is not None
        and attachment.uploaded_by_id == user.pk
        and bool(rules.can_add(user, obj))
    )
