"""Factories for hazard tests (other apps import them too).

``HazardFactory(school=school)`` makes a 待指派 hazard at a new place of that school,
reported by a new teacher; ``HazardFactory(place=place, reported_by=teacher)`` uses yours.
Traits: ``rectifying=True`` (a new teacher owns it, deadline in three days),
``rectified=True`` (the owner has fixed it, waiting for verification), ``closed=True``
(verified by a new logistics manager and closed), ``major=True`` (重大). Rows are written
directly (no services, no notifications) with one "report" event; numbers are
``YH-T-00001`` so they never clash with the numbers the services give.
``HazardPlanFactory(hazard=hazard)`` writes a 重大 hazard's plan.
"""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from houqin.accounts.roles import Position
from houqin.accounts.tests.factories import StaffFactory
from houqin.hazards.models import (
    Domain,
    Grade,
    Hazard,
    HazardEvent,
    HazardPlan,
    Source,
    Status,
)
from houqin.org.tests.factories import SchoolFactory
from houqin.repairs.tests.factories import place_in


def _teacher(school):
    return StaffFactory(school=school, positions=[Position.TEACHER])


def _manager(school):
    return StaffFactory(school=school, positions=[Position.LOGISTICS_MANAGER])


class HazardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hazard
        skip_postgeneration_save = True

    class Params:
        major = factory.Trait(grade=Grade.MAJOR)
        rectifying = factory.Trait(
            status=Status.RECTIFYING,
            owner=factory.LazyAttribute(lambda o: _teacher(o.school)),
            assigned_at=factory.LazyAttribute(lambda o: o.reported_at + timedelta(hours=1)),
            deadline=factory.LazyAttribute(
                lambda o: timezone.localdate(o.reported_at) + timedelta(days=3)
            ),
        )
        rectified = factory.Trait(
            rectifying=True,
            status=Status.RECTIFIED,
            rectified_by=factory.SelfAttribute("owner"),
            rectified_at=factory.LazyAttribute(lambda o: o.reported_at + timedelta(days=1)),
            rectification="已整改",
        )
        closed = factory.Trait(
            rectified=True,
            status=Status.CLOSED,
            verified_by=factory.LazyAttribute(lambda o: _manager(o.school)),
            verified_at=factory.LazyAttribute(lambda o: o.reported_at + timedelta(days=2)),
            closed_at=factory.SelfAttribute("verified_at"),
        )

    place = factory.LazyAttribute(lambda o: place_in(o.school))
    school = factory.LazyAttribute(lambda o: o.place.school if o.place else None)
    number = factory.Sequence(lambda n: f"YH-T-{n:05d}")
    title = factory.Sequence(lambda n: f"安全出口指示灯不亮{n}")
    domain = Domain.FIRE
    grade = Grade.GENERAL
    source = Source.REPORT
    status = Status.REPORTED
    reported_by = factory.LazyAttribute(lambda o: _teacher(o.school))
    reported_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _generate(cls, strategy, params):
        # ``place=`` alone: the hazard belongs to that place's school; neither: a new school.
        if params.get("school") is None:
            place = params.get("place")
            params = {**params, "school": place.school if place else SchoolFactory()}
        return super()._generate(strategy, params)

    @factory.post_generation
    def events(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            HazardEvent.objects.create(
                hazard=obj,
                action=HazardEvent.Action.REPORT,
                actor=obj.reported_by.user,
                to_status=Status.REPORTED,
                created_at=obj.reported_at,
            )


class HazardPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HazardPlan

    hazard = factory.SubFactory(HazardFactory, major=True)
    goal = "消除隐患，恢复正常使用"
    measures = "停用危险区域，请专业单位加固"
    funds = Decimal("35000.00")
    people = "总务处王主任"
    deadline = factory.LazyAttribute(lambda o: timezone.localdate() + timedelta(days=30))
    emergency_plan = "设置围挡和警示标志，安排专人值守"
    written_by = factory.LazyAttribute(lambda o: o.hazard.reported_by.user)
