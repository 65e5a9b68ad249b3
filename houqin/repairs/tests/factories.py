"""Factories for repair tests.

``RepairRequestFactory(school=school)`` makes a submitted request for a new place in that
school (reported by a new teacher); ``RepairRequestFactory(place=place, reporter=teacher)``
uses yours. Traits: ``assigned=True`` (a new 维修工 holds it, status assigned),
``done=True`` (done, waiting for the reporter), ``closed=True`` (confirmed and rated 5).
Rows are written directly (no services, no notifications) with one "report" event.
"""

from datetime import timedelta

import factory
from django.utils import timezone

from houqin.accounts.roles import Position
from houqin.accounts.tests.factories import StaffFactory
from houqin.org.models import Campus
from houqin.org.tests.factories import CampusFactory, PlaceFactory, SchoolFactory
from houqin.repairs.models import (
    Category,
    Deadline,
    DispatchRule,
    RepairEvent,
    RepairRequest,
    Status,
    Urgency,
    Vendor,
)


def place_in(school, **fields):
    """A new place (with building and floor) on the school's first campus."""
    campus = Campus.objects.filter(school=school).order_by("-is_main", "pk").first()
    if campus is None:
        campus = CampusFactory(school=school)
    return PlaceFactory(floor__building__campus=campus, **fields)


def worker_in(school, **fields):
    """A 维修工 (repairs.work) of the school."""
    return StaffFactory(school=school, positions=[Position.MAINTENANCE_STAFF], **fields)


class VendorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vendor

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"维修公司{n}")
    contact = "李经理"
    phone = factory.Sequence(lambda n: f"0571-8800{n:04d}")
    categories = factory.LazyFunction(lambda: [Category.AIR_CONDITIONING.value])


class DispatchRuleFactory(factory.django.DjangoModelFactory):
    """Needs ``assignee=`` or ``vendor=``; ``DispatchRuleFactory(school=s, assignee=w)``."""

    class Meta:
        model = DispatchRule

    school = factory.SubFactory(SchoolFactory)
    category = Category.WATER_POWER


class DeadlineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deadline

    school = factory.SubFactory(SchoolFactory)
    urgency = Urgency.NORMAL
    category = ""
    response_hours = 4
    completion_hours = 16


class RepairRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RepairRequest
        skip_postgeneration_save = True

    class Params:
        assigned = factory.Trait(
            status=Status.ASSIGNED,
            assignee=factory.LazyAttribute(lambda o: worker_in(o.school)),
            assigned_at=factory.LazyAttribute(lambda o: o.reported_at + timedelta(minutes=30)),
        )
        done = factory.Trait(
            status=Status.DONE,
            assignee=factory.LazyAttribute(lambda o: worker_in(o.school)),
            assigned_at=factory.LazyAttribute(lambda o: o.reported_at + timedelta(minutes=30)),
            accepted_at=factory.LazyAttribute(lambda o: o.reported_at + timedelta(hours=1)),
            started_at=factory.LazyAttribute(lambda o: o.reported_at + timedelta(hours=1)),
            done_at=factory.LazyAttribute(lambda o: o.reported_at + timedelta(hours=3)),
            done_note="已修好",
        )
        closed = factory.Trait(
            status=Status.CLOSED,
            assignee=factory.LazyAttribute(lambda o: worker_in(o.school)),
            assigned_at=factory.LazyAttribute(lambda o: o.reported_at + timedelta(minutes=30)),
            accepted_at=factory.LazyAttribute(lambda o: o.reported_at + timedelta(hours=1)),
            started_at=factory.LazyAttribute(lambda o: o.reported_at + timedelta(hours=1)),
            done_at=factory.LazyAttribute(lambda o: o.reported_at + timedelta(hours=3)),
            closed_at=factory.LazyAttribute(lambda o: o.reported_at + timedelta(hours=5)),
            done_note="已修好",
            rating=5,
        )

    place = factory.SubFactory(PlaceFactory)
    school = factory.SelfAttribute("place.school")
    number = factory.Sequence(lambda n: f"BX{n:07d}")
    category = Category.DOORS_WINDOWS
    urgency = Urgency.NORMAL
    description = factory.Sequence(lambda n: f"教室门锁坏了{n}")
    status = Status.SUBMITTED
    reporter = factory.LazyAttribute(
        lambda o: StaffFactory(school=o.school, positions=[Position.TEACHER])
    )
    reported_at = factory.LazyFunction(timezone.now)
    response_due = factory.LazyAttribute(lambda o: o.reported_at + timedelta(hours=4))
    completion_due = factory.LazyAttribute(lambda o: o.reported_at + timedelta(days=2))

    @classmethod
    def _generate(cls, strategy, params):
        # ``school=`` alone: put the request on a new place of that school.
        if params.get("school") is not None and "place" not in params:
            params = {**params, "place": place_in(params["school"])}
        return super()._generate(strategy, params)

    @factory.post_generation
    def events(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            RepairEvent.objects.create(
                request=obj,
                action=RepairEvent.Action.REPORT,
                actor=obj.reporter.user,
                to_status=Status.SUBMITTED,
                created_at=obj.reported_at,
            )
