from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import render

from houqin.accounts.access import require_perm, staff_of
from houqin.org.models import School


@login_required
def district_schools(request):
    """The district's view: its schools and how far each has set itself up."""
    require_perm(request, "district.view_schools")
    staff = staff_of(request.user)
    if staff is None or staff.district_id is None:
        raise PermissionDenied
    schools = (
        School.objects.filter(district_id=staff.district_id)
        .annotate(
            staff_count=Count("staff", filter=Q(staff__is_active=True), distinct=True),
            place_count=Count("place", filter=Q(place__is_active=True), distinct=True),
        )
        .order_by("name")
    )
    return render(
        request, "org/district_schools.html", {"district": staff.district, "schools": schools}
    )
