def inbox(request):
    """The signed-in person's unread count for the navigation badge."""
    return {}
