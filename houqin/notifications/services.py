"""Telling people: ``notify`` is the one way any module sends a notification."""


def notify(recipients, *, event, title, body="", url="", school=None, robots=False):
    """Tell ``recipients`` (Staff or User objects) about something.

    Writes, inside the caller's transaction: one inbox ``Notification`` per recipient, and
    outbox messages for the channels their preferences ask for (e-mail) and, when
    ``robots`` is true, for the school's group robots subscribed to ``event``. Delivery is
    queued for after commit; a failure is retried with backoff, never lost.
    ``url`` is a path in houqin ("/approvals/12/"); e-mails and robots get it absolute.
    Returns the inbox notifications created.
    """
    raise NotImplementedError  # the notifications service is being written
