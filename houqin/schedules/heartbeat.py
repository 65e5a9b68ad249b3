"""Work the scheduler does on every tick (once a minute): run the schedules that are due,
resend the outbox messages whose retry time has come. Apps add theirs in ``ready()``:

    @on_tick
    def deliver_due_messages(now): ...

A callback gets the tick's time (aware) and must be safe to run on several machines at
once (``manage.py run_scheduler`` may run on each). One callback failing is logged and
does not stop the others.
"""

import logging

logger = logging.getLogger(__name__)

_callbacks = []


def on_tick(callback):
    if callback not in _callbacks:
        _callbacks.append(callback)
    return callback


def callbacks():
    return list(_callbacks)


def tick(now):
    """Call every callback with ``now``; returns the callbacks that raised."""
    failed = []
    for callback in callbacks():
        try:
            callback(now)
        except Exception:
            logger.exception(
                "scheduler tick: %s failed", getattr(callback, "__qualname__", callback)
            )
            failed.append(callback)
    return failed
