"""Background work: send the outbox."""

from django_tasks import task

from houqin.notifications.delivery import deliver_due_messages


@task()
def deliver_outbox():
    """Send every outbox message that is due (queued after a notification is committed)."""
    return deliver_due_messages()


def deliver_due(now):
    """The scheduler's tick, every minute: send what waited for its retry time or for a
    robot's rate limit (and anything a lost queue entry left behind)."""
    return deliver_due_messages(now)
