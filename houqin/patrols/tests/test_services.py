"""Checklist versions (a published version never changes, 修订 copies the items with their
keys), routes of checkpoints, plans with their schedules, and the model methods."""

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError
from django.utils import timezone

from houqin.patrols import services
from houqin.patrols.models import (
    AnswerType,
    ChecklistItem,
    ChecklistKind,
    ChecklistVersion,
    Plan,
)
from houqin.patrols.services import PatrolError
from houqin.patrols.tests.factories import (
    ChecklistFactory,
    ExpectedRoundFactory,
    PlanFactory,
    RoundFactory,
    RouteFactory,
    patroller_in,
    place_in,
)
from houqin.schedules.models import Schedule
from houqin.schedules.recurrence import RuleKind

pytestmark = pytest.mark.django_db


def test_it_creates_a_checklist_with_an_empty_draft(manager):
    checklist = services.checklist_create(
        by=manager, name="消防专项检查", kind=ChecklistKind.SPECIAL
    )
    assert checklist.school == manager.school
    assert checklist.current_version() is None
    draft = checklist.draft_version()
    assert draft.number == 1 and draft.is_draft


def test_it_refuses_to_publish_an_empty_draft(manager):
    checklist = services.checklist_create(by=manager, name="空表", kind=ChecklistKind.TOILET)
    with pytest.raises(PatrolError, match="还没有检查项"):
        services.checklist_publish(checklist, by=manager)


def test_it_publishes_a_draft_as_the_current_version(manager):
    checklist = ChecklistFactory(school=manager.school, published=False)
    version = services.checklist_publish(checklist, by=manager, note="首版")
    assert checklist.current_version() == version
    assert checklist.draft_version() is None
    assert version.published_by == manager.user
    assert version.note == "首版"


def test_it_never_changes_a_published_version(manager):
    checklist = ChecklistFactory(school=manager.school)
    version = checklist.current_version()
    item = version.items.first()
    item.text = "改过的"
    with pytest.raises(PatrolError, match="已发布的版本不能修改"):
        services.item_save(item)
    with pytest.raises(PatrolError):
        services.item_save(ChecklistItem(text="新加的"), version=version)
    with pytest.raises(PatrolError):
        services.item_delete(item)
    with pytest.raises(PatrolError):
        services.item_move(item, up=False)
    assert list(version.items.values_list("text", flat=True)) == [
        "消防通道畅通",
        "灭火器在有效期内",
        "门窗完好",
    ]


def test_it_revises_into_a_new_draft_with_the_keys_kept(manager):
    checklist = ChecklistFactory(school=manager.school)
    current = checklist.current_version()
    draft = services.checklist_revise(checklist, by=manager)
    assert draft.number == 2
    assert list(draft.items.values_list("key", "text")) == list(
        current.items.values_list("key", "text")
    )
    assert checklist.current_version() == current
    assert services.checklist_revise(checklist, by=manager) == draft


def test_it_keeps_one_draft_per_checklist(manager):
    checklist = ChecklistFactory(school=manager.school, published=False)
    with pytest.raises(IntegrityError):
        ChecklistVersion.objects.create(checklist=checklist, number=2)


def test_it_leaves_old_rounds_on_their_version_after_a_revision(manager, school):
    route = RouteFactory(school=school)
    round_ = RoundFactory(route=route, finished=True)
    old = round_.checklist_version
    draft = services.checklist_revise(route.checklist, by=manager)
    first = draft.items.first()
    first.text = "消防通道、安全出口畅通"
    services.item_save(first)
    services.item_save(ChecklistItem(text="电动车不在楼道充电"), version=draft)
    services.checklist_publish(route.checklist, by=manager)
    round_.refresh_from_db()
    assert round_.checklist_version == old
    assert old.items.count() == 3
    assert old.items.first().text == "消防通道畅通"
    assert route.checklist.current_version().items.count() == 4


def test_it_numbers_new_items_after_the_last_and_moves_them(manager):
    checklist = ChecklistFactory(school=manager.school, published=False)
    draft = checklist.draft_version()
    new = services.item_save(ChecklistItem(text="新项"), version=draft)
    assert list(draft.items.values_list("text", flat=True))[-1] == "新项"
    assert new.key
    services.item_move(new, up=True)
    assert list(draft.items.values_list("text", flat=True))[-2:] == ["新项", "门窗完好"]
    services.item_move(draft.items.first(), up=True)  # the first stays first
    assert draft.items.first().text == "消防通道畅通"


def test_it_refuses_a_must_equal_key_naming_no_item(manager):
    checklist = ChecklistFactory(school=manager.school, published=False)
    item = ChecklistItem(text="下车人数", answer_type=AnswerType.NUMBER, must_equal_key="nope")
    with pytest.raises(PatrolError, match="须等于"):
        services.item_save(item, version=checklist.draft_version())


def test_it_clears_must_equal_keys_pointing_at_a_deleted_item(manager):
    checklist = ChecklistFactory(
        school=manager.school,
        published=False,
        items=[
            {"key": "on", "text": "上车人数", "answer_type": AnswerType.NUMBER},
            {"key": "off", "text": "下车人数", "answer_type": "number", "must_equal_key": "on"},
        ],
    )
    draft = checklist.draft_version()
    services.item_delete(draft.items.get(key="on"))
    assert draft.items.get().must_equal_key == ""


def test_it_refuses_to_archive_a_checklist_a_route_uses(manager, school):
    route = RouteFactory(school=school)
    with pytest.raises(PatrolError, match="在用的巡查路线"):
        services.checklist_archive(route.checklist, by=manager, reason="不用了")
    route.archive(by=manager.user, reason="停")
    services.checklist_archive(route.checklist, by=manager, reason="不用了")
    route.checklist.refresh_from_db()
    assert not route.checklist.is_active


def test_it_adds_moves_and_removes_checkpoints(school):
    route = RouteFactory(school=school, places=[])
    a, b, c = (place_in(school, name=name) for name in ("一楼", "二楼", "三楼"))
    for place in (a, b, c):
        services.checkpoint_add(route, place=place)
    with pytest.raises(PatrolError, match="已经在这条路线上"):
        services.checkpoint_add(route, place=a)
    services.checkpoint_move(route.checkpoints.get(place=c), up=True)
    assert [p.place.name for p in route.checkpoints.all()] == ["一楼", "三楼", "二楼"]
    services.checkpoint_remove(route.checkpoints.get(place=a))
    assert [p.place.name for p in route.checkpoints.all()] == ["三楼", "二楼"]


def test_it_refuses_another_schools_place_as_a_checkpoint(school, other_school):
    route = RouteFactory(school=school, places=[])
    with pytest.raises(PatrolError, match="不是本校"):
        services.checkpoint_add(route, place=place_in(other_school))


def _schedule(school, **fields):
    return Schedule(
        school=school,
        rule=fields.pop("rule", RuleKind.DAILY),
        start_date=fields.pop("start_date", date(2026, 9, 1)),
        **fields,
    )


def test_it_saves_a_plan_with_its_schedule(manager, school):
    route = RouteFactory(school=school)
    guard = patroller_in(school)
    plan = Plan(name="早巡", route=route, start_time=time(7, 30), due_time=time(9, 0))
    services.plan_save(plan, _schedule(school), by=manager, patrollers=[guard])
    plan.refresh_from_db()
    schedule = plan.schedule
    assert schedule.job_code == "patrols.rounds"
    assert schedule.params == {"plan": plan.pk}
    assert schedule.time_of_day == services.GENERATE_AT
    assert schedule.created_by == manager.user
    assert schedule.name == "巡查：早巡"
    assert list(plan.patrollers.all()) == [guard]
    # Today counts from local midnight: a plan made this morning gets today's round.
    assert schedule.runs_from <= timezone.now()
    assert timezone.localtime(schedule.runs_from).time() == time(0)


def test_it_moves_the_due_time_of_rounds_still_to_come(manager, school):
    plan = PlanFactory(route=RouteFactory(school=school))
    tomorrow = timezone.localdate() + timedelta(days=1)
    expected = ExpectedRoundFactory(plan=plan, day=tomorrow)
    plan.due_time = time(10, 0)
    services.plan_save(plan, _schedule(school), by=manager, patrollers=list(plan.patrollers.all()))
    expected.refresh_from_db()
    assert timezone.localtime(expected.due_at).time() == time(10, 0)


def test_it_puts_a_night_rounds_due_time_on_the_next_day(school):
    plan = PlanFactory(
        route=RouteFactory(school=school), start_time=time(22, 0), due_time=time(2, 0)
    )
    due = services.due_at_for(plan, date(2026, 11, 23))
    assert timezone.localtime(due).date() == date(2026, 11, 24)


def test_it_archives_a_plan_with_its_schedule(manager, school):
    plan = Plan(
        name="晚巡", route=RouteFactory(school=school), start_time=time(18), due_time=time(20)
    )
    services.plan_save(plan, _schedule(school), by=manager, patrollers=[patroller_in(school)])
    services.plan_archive(plan, by=manager, reason="改为保安公司负责")
    plan.schedule.refresh_from_db()
    assert not plan.is_active and not plan.schedule.is_active
    services.plan_restore(plan)
    plan.schedule.refresh_from_db()
    assert plan.is_active and plan.schedule.is_active


def test_it_takes_the_latest_published_version_as_current(manager, school):
    checklist = ChecklistFactory(school=school)
    first = checklist.current_version()
    draft = services.checklist_revise(checklist, by=manager)
    assert checklist.current_version() == first
    assert checklist.draft_version() == draft
    services.checklist_publish(checklist, by=manager)
    assert checklist.current_version() == draft
    assert checklist.draft_version() is None


def test_it_describes_an_items_limits():
    item = ChecklistItem(min_value=Decimal("2.20"), max_value=Decimal("2.8"), unit="bar")
    assert item.limits_display() == "2.2–2.8bar"
    assert ChecklistItem(min_value=Decimal("0"), unit="人").limits_display() == "不低于 0人"
    assert ChecklistItem(max_value=Decimal("100")).limits_display() == "不高于 100"
    assert ChecklistItem().limits_display() == ""
