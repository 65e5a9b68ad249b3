from datetime import date

import factory

from houqin.org.models import (
    AcademicYear,
    Building,
    Campus,
    Department,
    District,
    Floor,
    Grade,
    Place,
    PlaceType,
    School,
    SchoolClass,
    Term,
)


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"测试区{n}")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    name = factory.Sequence(lambda n: f"测试学校{n}")
    code = factory.Sequence(lambda n: f"S{n:04d}")


class CampusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campus

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"校区{n}")
    code = factory.Sequence(lambda n: f"C{n}")
    is_main = True


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    campus = factory.SubFactory(CampusFactory)
    school = factory.SelfAttribute("campus.school")
    name = factory.Sequence(lambda n: f"教学楼{n}")
    code = factory.Sequence(lambda n: f"B{n}")
    floors_above = 4


class FloorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Floor

    building = factory.SubFactory(BuildingFactory)
    school = factory.SelfAttribute("building.school")
    level = 1


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place

    floor = factory.SubFactory(FloorFactory)
    building = factory.SelfAttribute("floor.building")
    campus = factory.SelfAttribute("building.campus")
    school = factory.SelfAttribute("campus.school")
    name = factory.Sequence(lambda n: f"{100 + n}教室")
    code = factory.Sequence(lambda n: f"P{n:05d}")
    place_type = PlaceType.CLASSROOM


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"部门{n}")
    code = factory.Sequence(lambda n: f"D{n}")


class GradeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grade

    campus = factory.SubFactory(CampusFactory)
    school = factory.SelfAttribute("campus.school")
    number = factory.Sequence(lambda n: n % 9 + 1)


class SchoolClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolClass

    grade = factory.SubFactory(GradeFactory)
    school = factory.SelfAttribute("grade.school")
    number = factory.Sequence(lambda n: n + 1)
    name = factory.LazyAttribute(lambda o: f"{o.grade.number}({o.number})中队")


class AcademicYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AcademicYear

    school = factory.SubFactory(SchoolFactory)
    name = "2026-2027"
    start = date(2026, 8, 1)
    end = date(2027, 7, 31)


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Term

    academic_year = factory.SubFactory(AcademicYearFactory)
    school = factory.SelfAttribute("academic_year.school")
    name = "第一学期"
    start = date(2026, 9, 1)
    end = date(2027, 1, 22)
    teaching_weeks = 20
