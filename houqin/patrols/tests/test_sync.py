"""The phone's round sync (``services.sync_round`` / ``sync_batch``), the offline payload
(``round_payload``) and answer photos: idempotent replays, proof of presence by QR token,
the school boundary, finishing (missed checkpoints, hazards, the expected round), count
mismatch alarms and number limits."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from houqin.files.services import attachments_for
from houqin.files.tests.factories import jpeg_upload
from houqin.hazards.models import Hazard, Source
from houqin.notifications.models import Notification
from houqin.patrols import services
from houqin.patrols.models import (
    Answer,
    AnswerPhoto,
    AnswerType,
    ChecklistKind,
    ExpectedRound,
    Result,
    Round,
    Visit,
)
from houqin.patrols.services import PatrolError, PatrolNotFound, SyncPayloadError
from houqin.patrols.tests.factories import (
    ChecklistFactory,
    ExpectedRoundFactory,
    PlanFactory,
    RouteFactory,
    patroller_in,
    place_in,
)
from houqin.qr.models import QrCode

pytestmark = pytest.mark.django_db


@pytest.fixture
def patroller(school):
    return patroller_in(school, name="王保安")


@pytest.fixture
def route(school):
    return RouteFactory(school=school, name="教学楼早巡")


def _at(minutes=0):
    return (timezone.now() - timedelta(hours=1) + timedelta(minutes=minutes)).isoformat()


def _token(place):
    return QrCode.objects.for_object(place).token


def _round(route, *, finished=False, visits=None, answers=None, **extra):
    """A whole round as the phone sends it: every checkpoint scanned, every item of the
    route's checklist passed at the first checkpoint."""
    points = list(route.checkpoints.select_related("place"))
    version = route.checklist.current_version()
    if visits is None:
        visits = [
            {
                "uuid": str(uuid.uuid4()),
                "place": point.place_id,
                "token": _token(point.place),
                "method": "qr",
                "scanned_at": _at(i),
            }
            for i, point in enumerate(points)
        ]
    if answers is None:
        answers = [
            {
                "uuid": str(uuid.uuid4()),
                "item": item.pk,
                "place": points[0].place_id,
                "result": "pass",
                "number": None,
                "text": "",
                "note": "",
                "answered_at": _at(1),
            }
            for item in version.items.all()
        ]
    data = {
        "uuid": str(uuid.uuid4()),
        "route": route.pk,
        "place": None,
        "checklist_version": version.pk,
        "expected": None,
        "started_at": _at(),
        "finished_at": _at(30) if finished else None,
        "note": "",
        "visits": visits,
        "answers": answers,
    }
    data.update(extra)
    return data


def test_it_creates_a_round_from_the_first_sync(patroller, route):
    data = _round(route)
    result = services.sync_round(patroller, data)
    assert result["errors"] == []
    assert result["state"] == "in_progress"
    round_ = Round.objects.get(client_uuid=data["uuid"])
    assert result["id"] == round_.pk
    assert result["url"] == f"/patrols/rounds/{round_.pk}/"
    assert round_.patroller == patroller
    assert round_.school == route.school
    assert round_.visits.count() == 3
    assert set(round_.visits.values_list("method", flat=True)) == {"qr"}
    assert round_.answers.count() == 3


def test_it_counts_a_replay_once(patroller, route):
    data = _round(route, finished=True)
    data["answers"][0]["result"] = "fail"
    first = services.sync_round(patroller, data)
    second = services.sync_round(patroller, data)
    assert first["errors"] == second["errors"] == []
    assert Round.objects.count() == 1
    assert Visit.objects.count() == 3
    assert Answer.objects.count() == 3
    assert Hazard.objects.count() == 1
    assert second["hazards"] == first["hazards"]


def test_it_updates_answers_while_in_progress(patroller, route):
    data = _round(route)
    services.sync_round(patroller, data)
    data["answers"][1]["result"] = "fail"
    data["answers"][1]["note"] = "过期两个月"
    data["note"] = "二楼灯坏了"
    services.sync_round(patroller, data)
    answer = Answer.objects.get(client_uuid=data["answers"][1]["uuid"])
    assert answer.result == Result.FAIL
    assert answer.note == "过期两个月"
    assert Round.objects.get().note == "二楼灯坏了"
    assert Answer.objects.count() == 3


def test_it_keeps_one_answer_per_item_and_place(patroller, route):
    data = _round(route)
    services.sync_round(patroller, data)
    # The phone lost its state and answered the same item again under a new uuid.
    data["answers"][0]["uuid"] = str(uuid.uuid4())
    data["answers"][0]["result"] = "na"
    services.sync_round(patroller, data)
    assert Answer.objects.count() == 3
    item = route.checklist.current_version().items.first()
    assert Answer.objects.get(item=item).result == Result.NA


def test_it_ignores_a_second_scan_of_the_same_checkpoint(patroller, route):
    data = _round(route)
    again = {**data["visits"][0], "uuid": str(uuid.uuid4()), "scanned_at": _at(5)}
    data["visits"].append(again)
    services.sync_round(patroller, data)
    assert Visit.objects.count() == 3


def test_it_keeps_a_wrong_token_as_manual_and_counts_the_checkpoint_missed(
    patroller, route, manager
):
    data = _round(route, finished=True)
    data["visits"][1]["token"] = "WRONGTOKEN"
    result = services.sync_round(patroller, data)
    assert result["errors"] == []
    visit = Visit.objects.get(client_uuid=data["visits"][1]["uuid"])
    assert visit.method == Visit.Method.MANUAL
    round_ = Round.objects.get()
    assert round_.missed_checkpoints == 1
    notice = Notification.objects.get(event=services.EVENT_MISSED_CHECKPOINTS)
    assert notice.recipient == manager.user
    assert visit.place.name in notice.body


def test_it_flags_manual_visits_as_no_proof(patroller, route):
    data = _round(route, finished=True)
    for visit in data["visits"]:
        visit["method"] = "manual"
        visit["token"] = ""
    services.sync_round(patroller, data)
    assert Round.objects.get().missed_checkpoints == 3
    assert set(Visit.objects.values_list("method", flat=True)) == {"manual"}


def test_it_refuses_another_schools_place(patroller, route, other_school):
    theirs = place_in(other_school)
    data = _round(route)
    data["visits"][0]["place"] = theirs.pk
    result = services.sync_round(patroller, data)
    assert result["errors"] == ["场所不在这次巡查的范围内。"]
    assert result["id"] is None
    assert not Round.objects.exists()
    assert not Visit.objects.exists()


def test_it_refuses_another_schools_route(patroller, other_school):
    theirs = RouteFactory(school=other_school)
    result = services.sync_round(patroller, _round(theirs))
    assert result["errors"] == ["没有找到这条巡查路线。"]
    assert not Round.objects.exists()


def test_it_refuses_a_draft_version(patroller, route):
    services.checklist_revise(route.checklist, by=patroller)
    draft = route.checklist.draft_version()
    result = services.sync_round(patroller, _round(route, checklist_version=draft.pk))
    assert result["errors"] == ["检查表版本还没有发布，不能用于巡查。"]


def test_it_refuses_an_item_of_another_checklist(patroller, route, school):
    other = ChecklistFactory(school=school)
    data = _round(route)
    data["answers"][0]["item"] = other.current_version().items.first().pk
    result = services.sync_round(patroller, data)
    assert result["errors"] == ["检查项不属于这次巡查的检查表。"]
    assert not Round.objects.exists()


def test_it_refuses_a_round_started_by_someone_else(patroller, route, school):
    data = _round(route)
    services.sync_round(patroller, data)
    colleague = patroller_in(school)
    data["note"] = "改一下"
    result = services.sync_round(colleague, data)
    assert result["errors"] == ["这条巡查记录是别人开始的，不能由您同步。"]
    assert Round.objects.get().note == ""


def test_it_takes_the_other_rounds_of_a_batch_when_one_is_refused(patroller, route, other_school):
    good = _round(route)
    bad = _round(RouteFactory(school=other_school))
    response = services.sync_batch(patroller, {"rounds": [bad, good]})
    assert [bool(r["errors"]) for r in response["rounds"]] == [True, False]
    assert Round.objects.get().client_uuid == uuid.UUID(good["uuid"])


@pytest.mark.parametrize("payload", [[], {"rounds": {}}, {"rounds": [1]}, {"x": []}])
def test_it_refuses_a_body_of_another_shape(patroller, payload):
    with pytest.raises(SyncPayloadError):
        services.sync_batch(patroller, payload)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("uuid", "not-a-uuid", "巡查记录编号格式不正确。"),
        ("started_at", "yesterday", "开始时间格式不正确。"),
        ("checklist_version", None, "缺少检查表版本。"),
    ],
)
def test_it_explains_a_malformed_round(patroller, route, field, value, message):
    result = services.sync_round(patroller, _round(route, **{field: value}))
    assert result["errors"] == [message]


def test_it_clamps_times_from_a_phone_clock_running_ahead(patroller, route):
    now = timezone.now()
    data = _round(route, started_at=(now + timedelta(hours=3)).isoformat())
    services.sync_round(patroller, data, now=now)
    assert Round.objects.get().started_at == now + services.CLOCK_SKEW


def test_it_finishes_with_hazards_for_failed_items(patroller, route, manager):
    data = _round(route, finished=True)
    data["answers"][1].update(result="fail", note="压力不足")
    result = services.sync_round(patroller, data)
    round_ = Round.objects.get()
    assert round_.state == Round.State.FINISHED
    assert round_.failed_items == 1
    assert round_.missed_checkpoints == 0
    hazard = Hazard.objects.get()
    assert hazard.title == "灭火器在有效期内：压力不足"
    assert hazard.domain == "fire"
    assert hazard.source == Source.PATROL
    assert hazard.reported_by == patroller
    assert hazard.place_id == data["answers"][1]["place"]
    assert Answer.objects.get(client_uuid=data["answers"][1]["uuid"]).hazard == hazard
    assert result["state"] == "finished"
    assert result["hazards"] == [
        {"id": hazard.pk, "number": hazard.number, "url": f"/hazards/{hazard.pk}/"}
    ]


def test_it_freezes_a_finished_round(patroller, route):
    data = _round(route, finished=True)
    services.sync_round(patroller, data)
    data["answers"][0]["result"] = "fail"
    data["note"] = "补充"
    result = services.sync_round(patroller, data)
    assert result["errors"] == []
    assert result["state"] == "finished"
    assert not Hazard.objects.exists()
    assert Round.objects.get().note == ""


def test_it_marks_the_expected_round_done(patroller, route):
    plan = PlanFactory(route=route, patrollers=[patroller])
    expected = ExpectedRoundFactory(plan=plan, due_at=timezone.now() + timedelta(hours=1))
    services.sync_round(patroller, _round(route, finished=True, expected=expected.pk))
    expected.refresh_from_db()
    assert expected.state == ExpectedRound.State.DONE
    assert Round.objects.get().expected == expected


def test_it_marks_a_flagged_round_done_when_it_was_finished_in_time(patroller, route):
    plan = PlanFactory(route=route, patrollers=[patroller])
    expected = ExpectedRoundFactory(
        plan=plan, due_at=timezone.now() - timedelta(minutes=5), state="missed"
    )
    services.sync_round(patroller, _round(route, finished=True, expected=expected.pk))
    expected.refresh_from_db()
    assert expected.state == ExpectedRound.State.DONE


def test_it_refuses_an_expected_round_of_another_route(patroller, route, school):
    expected = ExpectedRoundFactory(plan=PlanFactory(route=RouteFactory(school=school)))
    result = services.sync_round(patroller, _round(route, expected=expected.pk))
    assert result["errors"] == ["应巡任务与这次巡查不符。"]


def _bus_checklist(school):
    return ChecklistFactory(
        school=school,
        kind=ChecklistKind.BUS_PRECHECK,
        items=[
            {"key": "on", "text": "上车人数", "answer_type": AnswerType.NUMBER},
            {
                "key": "off",
                "text": "下车人数",
                "answer_type": AnswerType.NUMBER,
                "must_equal_key": "on",
                "hazard_domain": "bus_traffic",
            },
            {
                "key": "tyre",
                "text": "胎压",
                "answer_type": AnswerType.NUMBER,
                "min_value": Decimal("2.2"),
                "max_value": Decimal("2.8"),
                "unit": "bar",
            },
        ],
    )


def _place_round(place, version, numbers, finished=False):
    items = {item.key: item for item in version.items.all()}
    return {
        "uuid": str(uuid.uuid4()),
        "route": None,
        "place": place.pk,
        "checklist_version": version.pk,
        "started_at": _at(),
        "finished_at": _at(20) if finished else None,
        "visits": [
            {
                "uuid": str(uuid.uuid4()),
                "place": place.pk,
                "token": _token(place),
                "method": "qr",
                "scanned_at": _at(),
            }
        ],
        "answers": [
            {
                "uuid": str(uuid.uuid4()),
                "item": items[key].pk,
                "place": place.pk,
                "result": "",
                "number": number,
                "answered_at": _at(2),
            }
            for key, number in numbers.items()
        ],
    }


def test_it_raises_the_alarm_once_when_the_counts_differ(school, make_staff, manager):
    escort = patroller_in(school, name="李阿姨")
    bus = place_in(school, name="1号校车")
    version = _bus_checklist(school).current_version()
    data = _place_round(bus, version, {"on": "32", "off": "31"})
    services.sync_round(escort, data)
    off = Answer.objects.get(item__key="off")
    assert off.result == Result.FAIL
    assert Answer.objects.get(item__key="on").result == Result.PASS
    alarms = Notification.objects.filter(event=services.EVENT_COUNT_MISMATCH)
    assert [n.recipient for n in alarms] == [manager.user]
    assert "31" in alarms[0].body and "32" in alarms[0].body
    services.sync_round(escort, data)
    assert alarms.count() == 1


def test_it_clears_the_mismatch_when_the_count_is_corrected(school):
    escort = patroller_in(school)
    bus = place_in(school)
    version = _bus_checklist(school).current_version()
    data = _place_round(bus, version, {"on": "32", "off": "31"})
    services.sync_round(escort, data)
    data["answers"][1]["number"] = "32"
    services.sync_round(escort, data)
    assert Answer.objects.get(item__key="off").result == Result.PASS


@pytest.mark.parametrize(
    ("number", "result"), [("2.5", "pass"), ("1.9", "fail"), ("3.0", "fail"), ("2.8", "pass")]
)
def test_it_fails_a_number_outside_the_limits(school, number, result):
    escort = patroller_in(school)
    bus = place_in(school)
    version = _bus_checklist(school).current_version()
    services.sync_round(escort, _place_round(bus, version, {"tyre": number}))
    assert Answer.objects.get().result == result


def test_it_reports_a_hazard_for_a_count_mismatch_on_finish(school):
    escort = patroller_in(school)
    bus = place_in(school)
    version = _bus_checklist(school).current_version()
    services.sync_round(escort, _place_round(bus, version, {"on": "32", "off": "31"}, True))
    hazard = Hazard.objects.get()
    assert hazard.domain == "bus_traffic"
    assert hazard.place == bus
    assert Round.objects.get().missed_checkpoints == 0


def test_it_accepts_items_of_a_checkpoints_own_checklist(patroller, school):
    canteen = place_in(school, name="食堂")
    route = RouteFactory(school=school)
    own = ChecklistFactory(school=school, kind=ChecklistKind.CANTEEN_HYGIENE)
    services.checkpoint_add(route, place=canteen, checklist=own)
    data = _round(route)
    data["answers"].append(
        {
            "uuid": str(uuid.uuid4()),
            "item": own.current_version().items.first().pk,
            "place": canteen.pk,
            "result": "pass",
            "answered_at": _at(3),
        }
    )
    assert services.sync_round(patroller, data)["errors"] == []
    assert Answer.objects.filter(place=canteen).count() == 1


def test_it_keeps_a_round_version_after_the_checklist_is_revised(patroller, route):
    version = route.checklist.current_version()
    data = _round(route)
    services.sync_round(patroller, data)
    services.checklist_revise(route.checklist, by=patroller)
    services.checklist_publish(route.checklist, by=patroller)
    data["finished_at"] = _at(30)
    assert services.sync_round(patroller, data)["errors"] == []
    assert Round.objects.get().checklist_version == version
    assert route.checklist.current_version() != version


def test_it_takes_a_round_whose_route_changed_checklist_while_offline(patroller, route, school):
    data = _round(route, finished=True)
    route.checklist = ChecklistFactory(school=school)
    route.save()
    result = services.sync_round(patroller, data)
    assert result["errors"] == []
    assert Round.objects.get().checklist_version_id == data["checklist_version"]


# --- the payload ------------------------------------------------------------------------


def test_it_gives_the_phone_everything_for_a_route(patroller, route, django_assert_max_num_queries):
    plan = PlanFactory(route=route, patrollers=[patroller])
    expected = ExpectedRoundFactory(plan=plan)
    with django_assert_max_num_queries(12):
        payload = services.round_payload(route, patroller, expected=expected)
    points = list(route.checkpoints.select_related("place"))
    assert payload["kind"] == "route"
    assert payload["route"] == {"id": route.pk, "name": "教学楼早巡"}
    assert [c["place"]["id"] for c in payload["checkpoints"]] == [p.place_id for p in points]
    assert payload["checkpoints"][0]["place"]["token"] == _token(points[0].place)
    version = route.checklist.current_version()
    assert payload["checklist_version"] == version.pk
    assert [item["text"] for item in payload["versions"][0]["items"]] == [
        "消防通道畅通",
        "灭火器在有效期内",
        "门窗完好",
    ]
    assert payload["expected"]["id"] == expected.pk
    assert payload["patroller"] == {"id": patroller.pk, "name": "王保安"}
    uuid.UUID(payload["uuid"])


def test_it_gives_the_phone_a_free_inspection(patroller, school):
    place = place_in(school, name="化学实验室")
    checklist = ChecklistFactory(school=school, kind=ChecklistKind.SPECIAL)
    payload = services.round_payload(place, patroller, checklist=checklist)
    assert payload["kind"] == "place"
    assert payload["place"] == place.pk
    assert payload["checkpoints"][0]["place"]["name"] == "化学实验室"
    assert payload["checklist"]["id"] == checklist.pk


def test_it_refuses_a_payload_for_an_unpublished_checklist(patroller, school):
    route = RouteFactory(school=school, checklist=ChecklistFactory(school=school, published=False))
    with pytest.raises(PatrolError, match="还没有发布"):
        services.round_payload(route, patroller)


def test_it_refuses_a_payload_for_another_schools_route(patroller, other_school):
    with pytest.raises(PatrolNotFound):
        services.round_payload(RouteFactory(school=other_school), patroller)


# --- photos -----------------------------------------------------------------------------


def test_it_attaches_a_photo_once_per_uuid(patroller, route):
    data = _round(route)
    services.sync_round(patroller, data)
    answer_uuid = data["answers"][0]["uuid"]
    photo_uuid = str(uuid.uuid4())
    first, created = services.attach_answer_photo(patroller, answer_uuid, photo_uuid, jpeg_upload())
    again, created_again = services.attach_answer_photo(
        patroller, answer_uuid, photo_uuid, jpeg_upload()
    )
    assert created and not created_again
    assert first == again
    answer = Answer.objects.get(client_uuid=answer_uuid)
    assert list(attachments_for(answer)) == [first]
    assert AnswerPhoto.objects.count() == 1


def test_it_refuses_a_photo_for_someone_elses_answer(patroller, route, school):
    data = _round(route)
    services.sync_round(patroller, data)
    with pytest.raises(PatrolError, match="只有巡查人"):
        services.attach_answer_photo(
            patroller_in(school), data["answers"][0]["uuid"], str(uuid.uuid4()), jpeg_upload()
        )


def test_it_hides_another_schools_answer_from_a_photo_upload(patroller, route, other_school):
    data = _round(route)
    services.sync_round(patroller, data)
    with pytest.raises(PatrolNotFound):
        services.attach_answer_photo(
            patroller_in(other_school), data["answers"][0]["uuid"], str(uuid.uuid4()), None
        )
