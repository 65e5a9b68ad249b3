"""Changes to a school's group robots are kept in the audit log, with the webhook's key and
the signing secret masked: they are as good as passwords."""

from auditlog.registry import auditlog

from houqin.core.audit import UNTRACKED
from houqin.notifications.models import Robot


def mask(value):
    """A webhook keeps its host and the ends of its key; anything else is all stars."""
    value = str(value or "")
    if value.startswith(("http://", "https://")):
        return Robot(webhook=value).masked_webhook
    return "******" if value else ""


auditlog.register(
    Robot,
    exclude_fields=UNTRACKED,
    mask_fields=["webhook", "secret"],
    mask_callable="houqin.notifications.audit.mask",
)
