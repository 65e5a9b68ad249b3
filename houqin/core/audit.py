"""The audit trail: every change to a business record is kept (django-auditlog), with who,
when, and each field's value before and after, and shown on the record's page."""

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.core.exceptions import FieldDoesNotExist

# Bookkeeping fields whose changes say nothing to a person reading the history.
UNTRACKED = ["created_at", "updated_at", "name_initials", "last_login", "password"]


def register(*models, exclude=(), m2m=()):
    """Keep the history of ``models``; ``m2m`` names many-to-many fields whose additions
    and removals are kept too (a camera's covered places)."""
    for model in models:
        auditlog.register(model, exclude_fields=[*UNTRACKED, *exclude], m2m_fields=set(m2m))


def history_for(obj, limit=50):
    """Newest first: who, when, what, and the changed fields with old and new values."""
    entries = (
        LogEntry.objects.get_for_object(obj).select_related("actor").order_by("-timestamp")[:limit]
    )
    return [{"entry": entry, "changes": _changes(entry)} for entry in entries]


def _changes(entry):
    """One row a field: its label and old → new; a many-to-many field's row instead says
    which records were ``added`` or ``removed``."""
    m2m = {
        name: change
        for name, change in (entry.changes_dict or {}).items()
        if isinstance(change, dict) and change.get("type") == "m2m"
    }
    if m2m:
        return [_m2m_change(entry, name, change) for name, change in m2m.items()]
    rows = []
    for field, (old, new) in entry.changes_display_dict.items():
        rows.append({"field": field, "old": old, "new": new})
    return rows


def _m2m_change(entry, name, change):
    model = entry.content_type.model_class()
    try:
        label = model._meta.get_field(name).verbose_name
    except (AttributeError, FieldDoesNotExist):
        label = name
    objects = "、".join(change.get("objects", []))
    key = "added" if change.get("operation") == "add" else "removed"
    return {"field": label, key: objects}
