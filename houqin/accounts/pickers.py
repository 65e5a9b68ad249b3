from django.shortcuts import render

from houqin.accounts.access import school_required
from houqin.accounts.models import Staff

PICKER_LIMIT = 20


def picker_query(request):
    """The text typed into a picker: ``?q=`` or the box's own ``<name>__q`` parameter."""
    if "q" in request.GET:
        return request.GET["q"].strip()
    for key, value in request.GET.items():
        if key.endswith("__q"):
            return value.strip()
    return ""


@school_required
def people(request):
    """People of the user's school by name, pinyin initials (``zj`` → 周静), staff number
    or phone."""
    staff = (
        Staff.objects.for_user(request.user)
        .active()
        .search(picker_query(request))
        .select_related("department")
        .order_by("name_initials", "name")[:PICKER_LIMIT]
    )
    options = [(s.pk, s.name, s.department.name if s.department else s.staff_no) for s in staff]
    return render(request, "core/picker_options.html", {"options": options})
