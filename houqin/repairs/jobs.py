"""The repairs' scheduled work, run on the scheduler heartbeat (once a minute):
escalate overdue requests and auto-confirm old done ones. Both are idempotent and safe on
several scheduler machines at once (each step is claimed by a conditional update).

In a test: ``jobs.on_heartbeat(now)`` or ``houqin.schedules.heartbeat.tick(now)``.
"""

import logging

from houqin.repairs import services

logger = logging.getLogger(__name__)


def on_heartbeat(now):
    escalated = services.escalate_overdue(now)
    confirmed = services.auto_confirm_due(now)
    if escalated or confirmed:
        logger.info("repairs: %s escalated, %s auto-confirmed", escalated, confirmed)
    return escalated, confirmed
