"""Factories for patrol tests (other apps import them too).

``ChecklistFactory(school=school)`` makes a daily-patrol checklist with a published v1 of
three pass/fail items (``items=[{"text": …, "answer_type": …}, …]`` for your own,
``published=False`` for a draft). ``RouteFactory(school=school)`` makes a route with three
checkpoints (new places on the school's first campus) answered against a new checklist;
``RouteFactory(places=[a, b])`` uses yours. ``PlanFactory(route=route, patrollers=[p])``
makes a plan (07:30–09:00, no schedule); ``ExpectedRoundFactory(plan=plan)`` today's
expected round; ``RoundFactory(route=route)`` an in-progress round of a new patroller,
``finished=True`` a finished one; ``RoundFactory(route=None, place=p,
checklist_version=v)`` a free inspection. Rows are written directly (no services).
"""

import uuid
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import factory
from django.utils import timezone

from houqin.accounts.roles import Position
from houqin.accounts.tests.factories import StaffFactory
from houqin.org.models import Campus
from houqin.org.tests.factories import CampusFactory, PlaceFactory, SchoolFactory
from houqin.patrols.models import (
    Checklist,
    ChecklistItem,
    ChecklistKind,
    ChecklistVersion,
    Checkpoint,
    ExpectedRound,
    Plan,
    Round,
    Route,
)

DEFAULT_ITEMS = [
    {"text": "消防通道畅通", "hazard_domain": "fire"},
    {"text": "灭火器在有效期内", "hazard_domain": "fire", "photo_on_fail": True},
    {"text": "门窗完好", "hazard_domain": "buildings"},
]


def place_in(school, **fields):
    """A new place (with building and floor) on the school's first campus."""
    campus = Campus.objects.filter(school=school).order_by("-is_main", "pk").first()
    if campus is None:
        campus = CampusFactory(school=school)
    return PlaceFactory(floor__building__campus=campus, **fields)


def patroller_in(school, **fields):
    """A 保安 (patrols.patrol) of the school."""
    return StaffFactory(school=school, positions=[Position.SECURITY_STAFF], **fields)


class ChecklistItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChecklistItem

    version = None
    order = factory.Sequence(int)
    key = factory.Sequence(lambda n: f"k{n}")
    text = factory.Sequence(lambda n: f"检查项{n}")


class ChecklistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Checklist
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"日常巡查表{n}")
    kind = ChecklistKind.DAILY_PATROL

    @classmethod
    def _create(cls, model_class, *args, published=True, **kwargs):
        checklist = super()._create(model_class, *args, **kwargs)
        checklist._factory_published = published
        return checklist

    @factory.post_generation
    def items(obj, create, extracted, **kwargs):
        """v1 with ``extracted`` (dicts of item fields) or the default three items."""
        if not create:
            return
        published = getattr(obj, "_factory_published", True)
        version = ChecklistVersion.objects.create(
            checklist=obj,
            number=1,
            published_at=timezone.now() if published else None,
        )
        rows = DEFAULT_ITEMS if extracted is None else extracted
        for order, fields in enumerate(rows):
            ChecklistItemFactory(version=version, order=order, **fields)


class RouteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Route
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"教学楼巡查路线{n}")
    checklist = factory.LazyAttribute(lambda o: ChecklistFactory(school=o.school))

    @factory.post_generation
    def places(obj, create, extracted, **kwargs):
        if not create:
            return
        places = extracted if extracted is not None else [place_in(obj.school) for _ in range(3)]
        for order, place in enumerate(places):
            Checkpoint.objects.create(route=obj, place=place, order=order)


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan
        skip_postgeneration_save = True

    route = factory.SubFactory(RouteFactory)
    school = factory.SelfAttribute("route.school")
    name = factory.Sequence(lambda n: f"早间巡查{n}")
    start_time = time(7, 30)
    due_time = time(9, 0)

    @factory.post_generation
    def patrollers(obj, create, extracted, **kwargs):
        if create:
            obj.patrollers.set(extracted if extracted is not None else [patroller_in(obj.school)])


def _due(o):
    tz = ZoneInfo(o.plan.school.time_zone)
    return datetime.combine(o.day, o.plan.due_time, tz)


class ExpectedRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExpectedRound

    plan = factory.SubFactory(PlanFactory)
    school = factory.SelfAttribute("plan.school")
    day = factory.LazyFunction(timezone.localdate)
    due_at = factory.LazyAttribute(_due)


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Round

    class Params:
        finished = factory.Trait(
            state=Round.State.FINISHED,
            finished_at=factory.LazyAttribute(lambda o: o.started_at + timedelta(minutes=25)),
        )

    route = factory.SubFactory(RouteFactory)
    place = None
    school = factory.LazyAttribute(lambda o: (o.route or o.place).school)
    client_uuid = factory.LazyFunction(uuid.uuid4)
    checklist_version = factory.LazyAttribute(
        lambda o: o.route.checklist.current_version() if o.route else None
    )
    patroller = factory.LazyAttribute(lambda o: patroller_in(o.school))
    started_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
