"""Work the scheduler does on every tick (once a minute): run the schedules that are due,
resend the outbox messages whose retry time has come. Apps add theirs in ``ready()``:

    @on_tick
    def deliver_due_messages(now): ...
"""

_callbacks = []


def on_tick(callback):
    _callbacks.append(callback)
    return callback


def callbacks():
    return list(_callbacks)
