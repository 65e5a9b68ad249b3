def inbox(request):
    """The signed-in person's unread count for the navigation badge: one cheap query
    (a partial index), run only when a template shows the count."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": UnreadCount(user)}


class UnreadCount:
    """Counts once, when first shown; a template calls it like a value."""

    def __init__(self, user):
        self.user = user
        self._count = None

    def __call__(self):
        if self._count is None:
            from houqin.notifications.models import Notification

            self._count = Notification.objects.filter(
                recipient_id=self.user.pk, read_at__isnull=True
            ).count()
        return self._count
