from houqin.core.audit import register
from houqin.org.models import (
    AcademicYear,
    Building,
    CalendarDay,
    Campus,
    Department,
    Floor,
    Grade,
    Place,
    School,
    SchoolClass,
    SchoolSetting,
    Term,
)

register(
    School,
    Campus,
    Building,
    Floor,
    Place,
    Department,
    Grade,
    SchoolClass,
    AcademicYear,
    Term,
    CalendarDay,
    SchoolSetting,
)
