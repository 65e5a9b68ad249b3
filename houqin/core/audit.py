"""The audit trail: every change to a business record is kept (django-auditlog), with who,
when, and each field's value before and after, and shown on the record's page."""

from auditlog.models import LogEntry
from auditlog.registry import auditlog

# Bookkeeping fields whose changes say nothing to a person reading the history.
UNTRACKED = ["created_at", "updated_at", "name_initials", "last_login", "password"]


def register(*models, exclude=()):
    for model in models:
        auditlog.register(model, exclude_fields=[*UNTRACKED, *exclude])


def history_for(obj, limit=50):
    """Newest first: who, when, what, and the changed fields with old and new values."""
    entries = (
        LogEntry.objects.get_for_object(obj).select_related("actor").order_by("-timestamp")[:limit]
    )
    return [{"entry": entry, "changes": _changes(entry)} for entry in entries]


def _changes(entry):
    rows = []
    for field, (old, new) in entry.changes_display_dict.items():
        rows.append({"field": field, "old": old, "new": new})
    return rows
