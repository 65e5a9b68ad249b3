"""The patrol pages through the client: 今日巡查, 巡查记录 and one round, 应巡任务, the
checklist, route and plan settings, 我的工作 — with 403 without the permission, 404 for
another school's record, Chinese errors, and bounded queries on the lists."""

import uuid
from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from houqin.accounts.roles import Position
from houqin.accounts.tests.factories import StaffFactory
from houqin.files.tests.factories import jpeg_upload
from houqin.patrols import services
from houqin.patrols.models import (
    Answer,
    ChecklistItem,
    ChecklistKind,
    ExpectedRound,
    Plan,
    Result,
    Route,
    Visit,
)
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

pytestmark = pytest.mark.django_db


@pytest.fixture
def guard(school):
    return patroller_in(school, name="王保安")


@pytest.fixture
def route(school):
    return RouteFactory(school=school, name="教学楼早巡")


def _answer(round_, place, item, result="pass", **fields):
    return Answer.objects.create(
        client_uuid=uuid.uuid4(),
        round=round_,
        item=item,
        place=place,
        result=result,
        answered_at=round_.started_at,
        **fields,
    )


def _html(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _flat(client, url, add_more, assert_max, params=None):
    """The page's queries do not grow with its rows: measured, more rows added, again."""
    client.get(url, params)  # warm the caches
    with assert_max(20) as few:
        client.get(url, params)
    add_more()
    with assert_max(len(few.captured_queries)):
        return client.get(url, params)


# ---------------------------------------------------------------------------------------
# 今日巡查


def test_it_lists_my_rounds_of_today_with_a_start_link(login, guard, route):
    plan = PlanFactory(route=route, patrollers=[guard], name="早间巡查")
    expected = ExpectedRoundFactory(plan=plan)
    other = PlanFactory(route=RouteFactory(school=route.school), name="别人的巡查")
    ExpectedRoundFactory(plan=other)
    html = _html(login(guard).get(reverse("patrols:today")))
    assert "早间巡查" in html
    assert "别人的巡查" not in html
    assert f"{reverse('patrols:round_start')}?plan_round={expected.pk}" in html
    assert "开始巡查" in html


def test_it_shows_a_done_round_instead_of_a_start_link(login, guard, route):
    expected = ExpectedRoundFactory(
        plan=PlanFactory(route=route, patrollers=[guard]), state=ExpectedRound.State.DONE
    )
    round_ = RoundFactory(route=route, patroller=guard, expected=expected, finished=True)
    html = _html(login(guard).get(reverse("patrols:today")))
    assert reverse("patrols:round_detail", args=[round_.pk]) in html
    assert "开始巡查" not in html


def test_it_keeps_today_fast(login, guard, school, django_assert_max_num_queries):
    def add(count):
        for _n in range(count):
            route = RouteFactory(school=school)
            ExpectedRoundFactory(plan=PlanFactory(route=route, patrollers=[guard]))
            RoundFactory(route=route, patroller=guard, started_at=timezone.now())

    add(2)
    response = _flat(
        login(guard), reverse("patrols:today"), lambda: add(5), django_assert_max_num_queries
    )
    assert _html(response).count('data-testid="expected-item"') == 7


def test_it_refuses_today_to_a_teacher(login, teacher):
    assert login(teacher).get(reverse("patrols:today")).status_code == 403


# ---------------------------------------------------------------------------------------
# 巡查记录


def test_it_shows_a_patroller_only_their_own_rounds(login, guard, school, route):
    mine = RoundFactory(route=route, patroller=guard)
    theirs = RoundFactory(route=route)
    html = _html(login(guard).get(reverse("patrols:round_list")))
    assert reverse("patrols:round_detail", args=[mine.pk]) in html
    assert reverse("patrols:round_detail", args=[theirs.pk]) not in html
    assert login(guard).get(reverse("patrols:round_detail", args=[theirs.pk])).status_code == 404


def test_it_shows_every_round_to_a_manager(login, manager, route):
    rounds = [RoundFactory(route=route) for _ in range(2)]
    html = _html(login(manager).get(reverse("patrols:round_list")))
    for round_ in rounds:
        assert reverse("patrols:round_detail", args=[round_.pk]) in html
        assert round_.patroller.name in html


def test_it_filters_rounds(login, manager, school, route):
    failed = RoundFactory(route=route, finished=True, failed_items=2)
    clean = RoundFactory(route=route, finished=True)
    old = RoundFactory(route=route, started_at=timezone.now() - timedelta(days=30))
    bus = ChecklistFactory(school=school, kind=ChecklistKind.BUS_PRECHECK)
    inspection = RoundFactory(
        route=None, place=place_in(school), checklist_version=bus.current_version()
    )
    client = login(manager)
    url = reverse("patrols:round_list")

    def shown(**params):
        html = _html(client.get(url, params))
        rounds = (failed, clean, old, inspection)
        return {r.pk for r in rounds if reverse("patrols:round_detail", args=[r.pk]) in html}

    assert shown(failures="failed") == {failed.pk}
    assert shown(kind=ChecklistKind.BUS_PRECHECK) == {inspection.pk}
    assert shown(route=route.pk) == {failed.pk, clean.pk, old.pk}
    week_ago = (timezone.localdate() - timedelta(days=7)).isoformat()
    assert old.pk not in shown(start=week_ago)
    assert shown(person=failed.patroller_id) == {failed.pk}


def test_it_says_when_a_filter_names_someone_who_does_not_patrol(login, manager, school, route):
    failed = RoundFactory(route=route, finished=True, failed_items=2)
    clean = RoundFactory(route=route, finished=True)
    teacher = StaffFactory(school=school, name="李老师")
    response = login(manager).get(
        reverse("patrols:round_list"), {"person": teacher.pk, "failures": "failed"}
    )
    html = _html(response)
    # The stale person is refused out loud; the other filter still applies.
    assert "选择一个有效的选项" in html
    assert reverse("patrols:round_detail", args=[failed.pk]) in html
    assert reverse("patrols:round_detail", args=[clean.pk]) not in html


def test_it_renders_only_the_results_for_htmx(login, manager, route):
    RoundFactory(route=route)
    html = _html(login(manager).get(reverse("patrols:round_list"), HTTP_HX_REQUEST="true"))
    assert 'data-testid="rounds"' in html
    assert "<html" not in html


def test_it_keeps_the_round_list_fast(login, manager, school, django_assert_max_num_queries):
    def add(count):
        for _n in range(count):
            route = RouteFactory(school=school)
            expected = ExpectedRoundFactory(plan=PlanFactory(route=route))
            RoundFactory(route=route, finished=True, expected=expected)
            version = route.checklist.current_version()
            RoundFactory(route=None, place=place_in(school), checklist_version=version)

    add(1)
    response = _flat(
        login(manager), reverse("patrols:round_list"), lambda: add(5), django_assert_max_num_queries
    )
    assert _html(response).count('data-testid="round-item"') == 12


def test_it_refuses_round_records_to_a_teacher(login, teacher, route):
    round_ = RoundFactory(route=route)
    client = login(teacher)
    assert client.get(reverse("patrols:round_list")).status_code == 403
    assert client.get(reverse("patrols:round_detail", args=[round_.pk])).status_code == 403


def test_it_hides_another_schools_round(login, manager, other_school):
    theirs = RoundFactory(route=RouteFactory(school=other_school))
    assert login(manager).get(reverse("patrols:round_detail", args=[theirs.pk])).status_code == 404


def test_it_shows_a_round_with_its_proof_answers_photos_and_hazards(login, guard, school):
    a, b, c = (place_in(school, name=name) for name in ("一楼走廊", "二楼走廊", "三楼走廊"))
    route = RouteFactory(school=school, places=[a, b, c])
    round_ = RoundFactory(route=route, patroller=guard)
    Visit.objects.create(
        client_uuid=uuid.uuid4(), round=round_, place=a, method="qr", scanned_at=timezone.now()
    )
    Visit.objects.create(
        client_uuid=uuid.uuid4(), round=round_, place=b, method="manual", scanned_at=timezone.now()
    )
    items = list(round_.checklist_version.items.all())
    _answer(round_, a, items[0])
    failed = _answer(round_, a, items[1], result=Result.FAIL, note="压力不足")
    services.attach_answer_photo(guard, failed.client_uuid, uuid.uuid4(), jpeg_upload())
    html = _html(login(guard).get(reverse("patrols:round_detail", args=[round_.pk])))
    assert html.index("一楼走廊") < html.index("二楼走廊") < html.index("三楼走廊")
    assert "扫码" in html and "手动确认" in html and "未到达" in html
    assert "压力不足" in html
    assert html.count('data-testid="answer-fail"') == 1
    assert reverse("files:thumb", args=[failed.photos.get().attachment_id]) in html


def test_it_links_the_hazards_a_round_found(login, guard, route):
    data = {
        "uuid": str(uuid.uuid4()),
        "route": route.pk,
        "checklist_version": route.checklist.current_version().pk,
        "started_at": timezone.now().isoformat(),
        "finished_at": timezone.now().isoformat(),
        "answers": [
            {
                "uuid": str(uuid.uuid4()),
                "item": route.checklist.current_version().items.first().pk,
                "place": route.checkpoints.first().place_id,
                "result": "fail",
                "answered_at": timezone.now().isoformat(),
            }
        ],
    }
    result = services.sync_round(guard, data)
    hazard = result["hazards"][0]
    html = _html(login(guard).get(result["url"]))
    assert reverse("hazards:detail", args=[hazard["id"]]) in html
    assert hazard["number"] in html


# ---------------------------------------------------------------------------------------
# 应巡任务


def test_it_lists_expected_rounds_for_managers(
    login, manager, route, django_assert_max_num_queries
):
    def add(count):
        for _n in range(count):
            expected = ExpectedRoundFactory(plan=PlanFactory(route=route))
            RoundFactory(route=route, expected=expected)

    ExpectedRoundFactory(plan=PlanFactory(route=route), state="missed")
    client = login(manager)
    url = reverse("patrols:expected_list")
    response = _flat(client, url, lambda: add(4), django_assert_max_num_queries)
    assert _html(response).count('data-testid="expected-row"') == 5
    html = _html(client.get(url, {"state": "missed"}))
    assert html.count('data-testid="expected-row"') == 1


def test_it_refuses_expected_rounds_to_a_patroller(login, guard):
    assert login(guard).get(reverse("patrols:expected_list")).status_code == 403


# ---------------------------------------------------------------------------------------
# Checklists


def test_it_creates_a_checklist_adds_items_and_publishes(login, manager):
    client = login(manager)
    response = client.post(
        reverse("patrols:checklist_create"),
        {"name": "校车出车前检查", "kind": ChecklistKind.BUS_PRECHECK, "description": ""},
    )
    checklist = manager.school.checklist_set.get()
    assert response.url == reverse("patrols:checklist_detail", args=[checklist.pk])
    item_url = reverse("patrols:item_create", args=[checklist.pk])
    response = client.post(
        item_url, {"text": "上车人数", "answer_type": "number", "required": "on"}
    )
    assert response.status_code == 302
    on = ChecklistItem.objects.get(text="上车人数")
    client.post(
        item_url,
        {
            "text": "下车人数",
            "answer_type": "number",
            "required": "on",
            "must_equal_key": on.key,
            "hazard_domain": "bus_traffic",
        },
    )
    off = ChecklistItem.objects.get(text="下车人数")
    assert off.must_equal_key == on.key
    assert off.hazard_domain == "bus_traffic"
    client.post(reverse("patrols:checklist_publish", args=[checklist.pk]), {"note": "首版"})
    assert checklist.current_version().items.count() == 2
    html = _html(client.get(checklist.get_absolute_url()))
    assert "当前版本：第 1 版" in html
    assert 'data-testid="revise"' in html


def test_it_explains_bad_item_limits(login, manager):
    checklist = ChecklistFactory(school=manager.school, published=False)
    response = login(manager).post(
        reverse("patrols:item_create", args=[checklist.pk]),
        {"text": "水温", "answer_type": "number", "min_value": "60", "max_value": "40"},
    )
    assert "上限不能小于下限" in _html(response)
    response = login(manager).post(
        reverse("patrols:item_create", args=[checklist.pk]),
        {"text": "地面干净", "answer_type": "pass_fail", "min_value": "1"},
    )
    assert "只有“数值”类的检查项可以设置" in _html(response)


def test_it_refuses_to_edit_a_published_item(login, manager):
    checklist = ChecklistFactory(school=manager.school)
    item = checklist.current_version().items.first()
    client = login(manager)
    response = client.post(reverse("patrols:item_edit", args=[item.pk]), {"text": "改"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.text == "消防通道畅通"
    response = client.post(reverse("patrols:item_delete", args=[item.pk]), follow=True)
    assert "已发布的版本不能修改" in _html(response)
    assert ChecklistItem.objects.filter(pk=item.pk).exists()


def test_it_revises_and_edits_the_new_draft(login, manager):
    checklist = ChecklistFactory(school=manager.school)
    client = login(manager)
    client.post(reverse("patrols:checklist_revise", args=[checklist.pk]))
    draft = checklist.draft_version()
    item = draft.items.first()
    client.post(
        reverse("patrols:item_edit", args=[item.pk]),
        {"text": "消防通道、安全出口畅通", "answer_type": "pass_fail"},
    )
    client.post(reverse("patrols:item_move", args=[item.pk]), {"direction": "down"})
    assert list(draft.items.values_list("text", flat=True))[:2] == [
        "灭火器在有效期内",
        "消防通道、安全出口畅通",
    ]
    html = _html(client.get(checklist.get_absolute_url()))
    assert "第 2 版（草稿）" in html
    assert "当前版本：第 1 版" in html
    version_url = reverse("patrols:version_detail", args=[checklist.current_version().pk])
    assert "消防通道畅通" in _html(client.get(version_url))


def test_it_lists_checklists_by_kind(login, manager, django_assert_max_num_queries):
    ChecklistFactory(school=manager.school, name="日巡表")
    ChecklistFactory(school=manager.school, name="食堂表", kind=ChecklistKind.CANTEEN_HYGIENE)

    def add():
        for n in range(4):
            checklist = ChecklistFactory(
                school=manager.school, name=f"食堂表{n}", kind=ChecklistKind.CANTEEN_HYGIENE
            )
            RouteFactory(school=manager.school, checklist=checklist)

    url = reverse("patrols:checklist_list")
    params = {"kind": "canteen_hygiene"}
    response = _flat(login(manager), url, add, django_assert_max_num_queries, params)
    html = _html(response)
    assert "食堂表" in html and "日巡表" not in html
    assert html.count('data-testid="checklist-row"') == 5


def test_it_refuses_a_duplicate_checklist_name(login, manager):
    ChecklistFactory(school=manager.school, name="日巡表")
    response = login(manager).post(
        reverse("patrols:checklist_create"), {"name": "日巡表", "kind": "daily_patrol"}
    )
    assert "本校已有同名的检查表" in _html(response)


def test_it_archives_a_checklist_with_a_reason(login, manager):
    checklist = ChecklistFactory(school=manager.school)
    client = login(manager)
    client.post(reverse("patrols:checklist_archive", args=[checklist.pk]), {"reason": "合并"})
    checklist.refresh_from_db()
    assert not checklist.is_active and checklist.archive_reason == "合并"
    client.post(reverse("patrols:checklist_restore", args=[checklist.pk]))
    checklist.refresh_from_db()
    assert checklist.is_active


@pytest.mark.parametrize(
    "name",
    [
        "patrols:checklist_list",
        "patrols:checklist_create",
        "patrols:route_list",
        "patrols:route_create",
        "patrols:plan_list",
        "patrols:plan_create",
    ],
)
def test_it_refuses_settings_to_a_patroller(login, guard, name):
    assert login(guard).get(reverse(name)).status_code == 403


def test_it_refuses_record_settings_to_a_patroller(login, guard, route):
    plan = PlanFactory(route=route)
    client = login(guard)
    checklist = route.checklist
    item = checklist.current_version().items.first()
    point = route.checkpoints.first()
    for name, pk in [
        ("patrols:checklist_detail", checklist.pk),
        ("patrols:version_detail", checklist.current_version().pk),
        ("patrols:item_edit", item.pk),
        ("patrols:route_detail", route.pk),
        ("patrols:plan_detail", plan.pk),
    ]:
        assert client.get(reverse(name, args=[pk])).status_code == 403, name
    for name, pk in [
        ("patrols:checklist_revise", checklist.pk),
        ("patrols:checkpoint_remove", point.pk),
        ("patrols:plan_archive", plan.pk),
    ]:
        assert client.post(reverse(name, args=[pk])).status_code == 403, name
    assert route.checkpoints.filter(pk=point.pk).exists()


def test_it_hides_another_schools_settings(login, manager, other_school):
    route = RouteFactory(school=other_school)
    client = login(manager)
    item = route.checklist.current_version().items.first()
    assert (
        client.get(reverse("patrols:checklist_detail", args=[route.checklist_id])).status_code
        == 404
    )
    assert client.get(reverse("patrols:item_edit", args=[item.pk])).status_code == 404
    assert client.get(reverse("patrols:route_detail", args=[route.pk])).status_code == 404
    point = route.checkpoints.first()
    assert client.post(reverse("patrols:checkpoint_remove", args=[point.pk])).status_code == 404
    assert route.checkpoints.filter(pk=point.pk).exists()


# ---------------------------------------------------------------------------------------
# Routes


def test_it_creates_a_route_and_adds_checkpoints_with_the_picker(login, manager, school):
    checklist = ChecklistFactory(school=school, name="日巡表")
    client = login(manager)
    response = client.post(
        reverse("patrols:route_create"),
        {"name": "北区夜巡", "checklist": checklist.pk, "campus": "", "description": ""},
    )
    route = Route.objects.get(name="北区夜巡")
    assert response.url == route.get_absolute_url()
    gym, gate = place_in(school, name="体育馆"), place_in(school, name="北门")
    for place in (gym, gate):
        client.post(reverse("patrols:checkpoint_add", args=[route.pk]), {"place": place.pk})
    assert [p.place for p in route.checkpoints.all()] == [gym, gate]
    html = _html(client.get(route.get_absolute_url()))
    assert 'data-testid="picker-place"' in html
    assert f"{reverse('qr:labels')}?kind=P&ids={gym.pk},{gate.pk}" in html


def test_it_refuses_an_unpublished_checklist_for_a_route(login, manager, school):
    draft = ChecklistFactory(school=school, published=False)
    response = login(manager).post(
        reverse("patrols:route_create"), {"name": "路线", "checklist": draft.pk}
    )
    assert "请选择已发布的检查表" in _html(response)
    assert not Route.objects.exists()


def test_it_explains_a_checkpoint_already_on_the_route(login, manager, school):
    place = place_in(school, name="食堂")
    route = RouteFactory(school=school, places=[place])
    response = login(manager).post(
        reverse("patrols:checkpoint_add", args=[route.pk]), {"place": place.pk}
    )
    assert "已经在这条路线上了" in _html(response)


def test_it_refuses_another_schools_place_in_the_picker(login, manager, school, other_school):
    route = RouteFactory(school=school, places=[])
    response = login(manager).post(
        reverse("patrols:checkpoint_add", args=[route.pk]), {"place": place_in(other_school).pk}
    )
    assert "没有找到这个场所" in _html(response)
    assert not route.checkpoints.exists()


def test_it_moves_removes_and_sets_a_checkpoints_checklist(login, manager, school):
    a, b = place_in(school, name="甲"), place_in(school, name="乙")
    route = RouteFactory(school=school, places=[a, b])
    canteen = ChecklistFactory(school=school, kind=ChecklistKind.CANTEEN_HYGIENE)
    client = login(manager)
    second = route.checkpoints.get(place=b)
    client.post(reverse("patrols:checkpoint_move", args=[second.pk]), {"direction": "up"})
    assert [p.place for p in route.checkpoints.all()] == [b, a]
    client.post(
        reverse("patrols:checkpoint_checklist", args=[second.pk]), {"checklist": canteen.pk}
    )
    second.refresh_from_db()
    assert second.checklist == canteen
    client.post(reverse("patrols:checkpoint_remove", args=[second.pk]))
    assert [p.place for p in route.checkpoints.all()] == [a]


def test_it_refuses_to_archive_a_route_an_active_plan_uses(login, manager, route):
    plan = PlanFactory(route=route)
    client = login(manager)
    response = client.post(
        reverse("patrols:route_archive", args=[route.pk]), {"reason": "改线"}, follow=True
    )
    assert "请先停用巡查安排" in _html(response)
    route.refresh_from_db()
    assert route.is_active
    plan.archive(by=manager.user, reason="停")
    client.post(reverse("patrols:route_archive", args=[route.pk]), {"reason": "改线"})
    route.refresh_from_db()
    assert not route.is_active


# ---------------------------------------------------------------------------------------
# Plans


def _plan_data(route, people, **overrides):
    data = {
        "name": "早间巡查",
        "route": route.pk,
        "patrollers": [p.pk for p in people],
        "start_time": "07:30",
        "due_time": "09:00",
        "rule": "daily",
        "calendar_mode": "teaching_days",
        "holiday_policy": "skip",
        "start_date": "2026-09-01",
        "end_date": "",
    }
    data.update(overrides)
    return data


def test_it_creates_a_plan_with_its_schedule(login, manager, guard, route):
    client = login(manager)
    html = _html(client.get(reverse("patrols:plan_create") + f"?route={route.pk}"))
    assert "王保安" in html
    response = client.post(reverse("patrols:plan_create"), _plan_data(route, [guard]))
    plan = Plan.objects.get()
    assert response.url == reverse("patrols:plan_detail", args=[plan.pk])
    assert plan.schedule.job_code == "patrols.rounds"
    assert plan.schedule.rule == "daily"
    assert list(plan.patrollers.all()) == [guard]
    html = _html(client.get(response.url))
    assert "每个教学日" in html and "王保安" in html


def test_it_saves_weekly_days(login, manager, guard, route):
    login(manager).post(
        reverse("patrols:plan_create"),
        _plan_data(route, [guard], rule="weekly", weekdays=["0", "4"]),
    )
    schedule = Plan.objects.get().schedule
    assert schedule.weekday_list == [0, 4]


def test_it_explains_a_weekly_plan_without_days(login, manager, guard, route):
    response = login(manager).post(
        reverse("patrols:plan_create"), _plan_data(route, [guard], rule="weekly")
    )
    assert "请选择星期几执行" in _html(response)
    assert not Plan.objects.exists() and not Schedule.objects.exists()


def test_it_asks_for_patrollers(login, manager, route):
    response = login(manager).post(reverse("patrols:plan_create"), _plan_data(route, []))
    assert "请至少选择一名巡查人员" in _html(response)


def test_it_edits_a_plan_keeping_its_schedule(login, manager, guard, route, school):
    client = login(manager)
    client.post(reverse("patrols:plan_create"), _plan_data(route, [guard]))
    plan = Plan.objects.get()
    schedule_id = plan.schedule_id
    other = patroller_in(school, name="赵保安")
    client.post(
        reverse("patrols:plan_edit", args=[plan.pk]),
        _plan_data(route, [other], name="早巡（调整）", due_time="09:30"),
    )
    plan.refresh_from_db()
    assert plan.schedule_id == schedule_id
    assert plan.name == "早巡（调整）" and plan.due_time == time(9, 30)
    assert list(plan.patrollers.all()) == [other]
    assert Schedule.objects.count() == 1


def test_it_archives_and_restores_a_plan(login, manager, guard, route):
    client = login(manager)
    client.post(reverse("patrols:plan_create"), _plan_data(route, [guard]))
    plan = Plan.objects.get()
    client.post(reverse("patrols:plan_archive", args=[plan.pk]), {"reason": "放假"})
    plan.refresh_from_db()
    plan.schedule.refresh_from_db()
    assert not plan.is_active and not plan.schedule.is_active
    client.post(reverse("patrols:plan_restore", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.is_active


def test_it_lists_plans(login, manager, route, django_assert_max_num_queries):
    def add(count):
        for _n in range(count):
            PlanFactory(route=route)

    add(1)
    response = _flat(
        login(manager), reverse("patrols:plan_list"), lambda: add(4), django_assert_max_num_queries
    )
    assert _html(response).count('data-testid="plan-row"') == 5


# ---------------------------------------------------------------------------------------
# 我的工作 and navigation


def test_it_puts_todays_rounds_on_my_work(login, guard, route):
    ExpectedRoundFactory(plan=PlanFactory(route=route, patrollers=[guard]))
    html = _html(login(guard).get(reverse("dashboard:home")))
    assert "今日巡查" in html
    assert reverse("patrols:today") in html


def test_it_puts_missed_rounds_on_the_managers_work(login, manager, route):
    ExpectedRoundFactory(plan=PlanFactory(route=route), state="missed", flagged_at=timezone.now())
    html = _html(login(manager).get(reverse("dashboard:home")))
    assert reverse("patrols:expected_list") + "?state=missed" in html


def test_it_shows_patrols_in_the_navigation_by_permission(login, make_staff, school):
    principal = make_staff(school, Position.PRINCIPAL)
    html = _html(login(principal).get(reverse("patrols:round_list")))
    assert reverse("patrols:expected_list") in html
    assert reverse("patrols:plan_list") not in html


def test_it_answers_404_for_an_unknown_record(login, manager):
    client = login(manager)
    assert client.get(reverse("patrols:plan_detail", args=[999999])).status_code == 404
    assert client.get(reverse("patrols:version_detail", args=[999999])).status_code == 404
