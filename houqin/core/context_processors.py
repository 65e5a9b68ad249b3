from django.conf import settings

from houqin.core import navigation


def shell(request):
    """What the page shell needs: the navigation the user may see and their school."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"site_name": settings.SITE_NAME}
    from houqin.accounts.access import staff_of

    items = navigation.items_for(user)
    path = request.path
    active = max(
        (item for item in items if path.startswith(item.url)),
        key=lambda item: len(item.url),
        default=None,
    )
    staff = staff_of(user)
    return {
        "site_name": settings.SITE_NAME,
        "nav_items": items,
        "nav_main": [item for item in items if item.section == "main"],
        "nav_manage": [item for item in items if item.section != "main"],
        "nav_active": active.key if active else "",
        "current_staff": staff,
        "current_school": staff.school if staff else None,
    }
