"""The hazards' scheduled work, run on the scheduler heartbeat (once a minute): escalate
overdue hazards (督办). Idempotent and safe on several scheduler machines at once (each
step is claimed by a conditional update).

In a test: ``jobs.on_heartbeat(now)`` or ``houqin.schedules.heartbeat.tick(now)``.
"""

import logging

from houqin.hazards import services

logger = logging.getLogger(__name__)


def on_heartbeat(now):
    escalated = services.escalate_overdue(now)
    if escalated:
        logger.info("hazards: %s escalated", escalated)
    return escalated
