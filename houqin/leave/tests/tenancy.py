"""Leave records for tests/test_tenancy.py: another school's leave request, going-out slip,
cover, absence and leave type are a 404 on every URL that names them."""

from houqin.leave.models import Absence, Cover
from houqin.leave.tests.factories import (
    GoingOutSlipFactory,
    LeaveRequestFactory,
    LeaveTypeFactory,
)

OBJECT_URLS = {
    "leave:detail": ("leave_request", "pk"),
    "leave:change": ("leave_request", "pk"),
    "leave:cancel": ("leave_request", "pk"),
    "leave:report_back": ("leave_request", "pk"),
    "leave:slip_detail": ("leave_slip", "pk"),
    "leave:slip_cancel": ("leave_slip", "pk"),
    "leave:gate_slip": ("leave_slip", "pk"),
    "leave:gate_out": ("leave_slip", "pk"),
    "leave:gate_back": ("leave_slip", "pk"),
    # The office screens (views_office.py).
    "leave:office_cover": ("leave_request", "pk"),
    "leave:office_cover_delete": ("leave_cover", "pk"),
    "leave:office_absence_delete": ("leave_absence", "pk"),
    "leave:office_type_edit": ("leave_type", "pk"),
    "leave:office_type_archive": ("leave_type", "pk"),
    "leave:office_type_restore": ("leave_type", "pk"),
}


def objects(school, base):
    leave = LeaveRequestFactory(school=school, staff=base["staff"], approved=True)
    return {
        "leave_request": leave,
        "leave_slip": GoingOutSlipFactory(school=school, staff=base["staff"], approved=True),
        "leave_cover": Cover.objects.create(
            school=school,
            leave=leave,
            kind=Cover.Kind.SUBSTITUTE,
            date=leave.start_date,
            period=1,
            covered_by=base["staff"],
        ),
        "leave_absence": Absence.objects.create(
            school=school,
            staff=base["staff"],
            kind=Absence.Kind.UNAPPROVED,
            start_date=leave.start_date,
            end_date=leave.start_date,
            days=1,
        ),
        "leave_type": LeaveTypeFactory(school=school),
    }
