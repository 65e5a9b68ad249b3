import factory

from houqin.accounts.models import Appointment, Staff, User
from houqin.org.tests.factories import SchoolFactory

PASSWORD = "Houqin@2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(factory.django.DjangoModelFactory):
    """A staff member with a login. ``StaffFactory(positions=["teacher"])`` appoints."""

    class Meta:
        model = Staff
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"教师{n}")
    staff_no = factory.Sequence(lambda n: f"T{n:05d}")

    @factory.post_generation
    def positions(obj, create, extracted, **kwargs):
        for position in extracted or []:
            Appointment.objects.create(staff=obj, position=position)
