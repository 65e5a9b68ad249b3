from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.utils import timezone

from houqin.accounts.access import school_required, staff_of
from houqin.core.work import pending_for, quick_actions_for
from houqin.org.calendar import day_info


def home(request):
    """我的工作: today in the school calendar, the user's pending items, quick actions."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    staff = staff_of(request.user)
    if staff is not None and staff.school is None and staff.district_id:
        return redirect("org:district_schools")
    if staff is None and request.user.is_superuser:
        # A platform operator belongs to no school: the admin site is their home.
        return redirect("admin:index")
    return _school_home(request)


@school_required
def _school_home(request):
    today = timezone.localdate()
    context = {
        "today": today,
        "today_info": day_info(request.school, today),
        "pending": pending_for(request),
        "quick_actions": quick_actions_for(request),
    }
    return render(request, "dashboard/home.html", context)
