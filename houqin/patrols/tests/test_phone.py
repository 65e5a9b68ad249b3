"""The round on the phone through HTTP: the round page carries the offline payload, the
chooser of a free inspection (and the "inspect" QR purpose), the sync endpoint
(idempotent, a replay after finishing changes nothing, 400 for what is not the
protocol), and the answer photo upload (once per photo UUID) — with 403/404."""

import json
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from houqin.files.services import attachments_for
from houqin.files.tests.factories import exe_upload, jpeg_upload
from houqin.hazards.models import Hazard
from houqin.patrols.models import Answer, AnswerPhoto, ExpectedRound, Round, Visit
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

START = reverse("patrols:round_start")
NEW = reverse("patrols:round_new")
SYNC = reverse("patrols:sync")


@pytest.fixture
def patroller(school):
    return patroller_in(school, name="王保安")


@pytest.fixture
def route(school):
    return RouteFactory(school=school, name="教学楼早巡")


def _token(place):
    return QrCode.objects.for_object(place).token


def _payload(response):
    return response.context["payload"]


def _at(minutes=0):
    return (timezone.now() - timedelta(hours=1) + timedelta(minutes=minutes)).isoformat()


def _round(route, *, finished=False, fail_first=False):
    """A round as patrol.js sends it: every checkpoint scanned, every item answered at
    the first checkpoint."""
    points = list(route.checkpoints.select_related("place"))
    version = route.checklist.current_version()
    items = list(version.items.all())
    return {
        "uuid": str(uuid.uuid4()),
        "route": route.pk,
        "place": None,
        "checklist_version": version.pk,
        "expected": None,
        "started_at": _at(),
        "finished_at": _at(30) if finished else None,
        "note": "",
        "visits": [
            {
                "uuid": str(uuid.uuid4()),
                "place": point.place_id,
                "token": _token(point.place),
                "method": "qr",
                "scanned_at": _at(i),
            }
            for i, point in enumerate(points)
        ],
        "answers": [
            {
                "uuid": str(uuid.uuid4()),
                "item": item.pk,
                "place": points[0].place_id,
                "result": "fail" if fail_first and i == 0 else "pass",
                "number": None,
                "text": "",
                "note": "通道堆放杂物" if fail_first and i == 0 else "",
                "answered_at": _at(1),
            }
            for i, item in enumerate(items)
        ],
    }


def _sync(client, *rounds):
    return client.post(SYNC, json.dumps({"rounds": list(rounds)}), content_type="application/json")


# ---------------------------------------------------------------------------------------
# The round page


def test_it_renders_a_route_round_with_everything_for_offline(
    login, patroller, route, django_assert_max_num_queries
):
    client = login(patroller)
    with django_assert_max_num_queries(40):
        response = client.get(f"{START}?route={route.pk}")
    assert response.status_code == 200
    payload = _payload(response)
    points = list(route.checkpoints.select_related("place"))
    assert [c["place"]["id"] for c in payload["checkpoints"]] == [p.place_id for p in points]
    assert [c["place"]["token"] for c in payload["checkpoints"]] == [
        _token(p.place) for p in points
    ]
    assert payload["page"] == {
        "key": f"route:{route.pk}",
        "title": "教学楼早巡",
        "scanned_token": "",
    }
    html = response.content.decode()
    # The JSON the page works from, and the script that works with it.
    assert 'id="round-data"' in html and 'id="round-texts"' in html
    assert "houqin/patrol.js" in html
    assert "开始巡查前请先打开本页" in html
    assert f'data-sync-url="{SYNC}"' in html
    photo_url = reverse("patrols:answer_photo", args=[uuid.UUID(int=0)])
    assert f'data-photo-url="{photo_url}"' in html
    data = json.loads(
        html.split('id="round-data" type="application/json">')[1].split("</script>")[0]
    )
    assert data["route"] == {"id": route.pk, "name": "教学楼早巡"}
    assert len(data["versions"][0]["items"]) == 3


def test_it_keeps_the_page_fast_on_a_long_route(
    login, patroller, school, django_assert_max_num_queries
):
    route = RouteFactory(school=school, places=[place_in(school) for _ in range(12)])
    client = login(patroller)
    client.get(f"{START}?route={route.pk}")  # QR tokens are made on the first view
    with django_assert_max_num_queries(40):
        response = client.get(f"{START}?route={route.pk}")
    assert len(_payload(response)["checkpoints"]) == 12


def test_it_starts_an_expected_round(login, patroller, route):
    plan = PlanFactory(route=route, patrollers=[patroller], name="早间巡查")
    expected = ExpectedRoundFactory(plan=plan)
    response = login(patroller).get(f"{START}?expected={expected.pk}")
    assert response.status_code == 200
    payload = _payload(response)
    assert payload["expected"]["id"] == expected.pk
    assert payload["page"]["key"] == f"expected:{expected.pk}"
    assert "早间巡查，请在 09:00 前完成" in response.content.decode()


def test_it_walks_a_done_expected_round_as_a_round_of_its_own(login, patroller, route):
    expected = ExpectedRoundFactory(plan=PlanFactory(route=route), state=ExpectedRound.State.DONE)
    response = login(patroller).get(f"{START}?expected={expected.pk}")
    assert response.status_code == 200
    assert _payload(response)["expected"] is None
    assert _payload(response)["page"]["key"] == f"route:{route.pk}"
    assert "这次巡查任务已经完成" in response.content.decode()


def test_it_starts_a_free_inspection_of_a_place(login, patroller, school):
    checklist = ChecklistFactory(school=school, name="食堂卫生检查表", kind="canteen_hygiene")
    place = place_in(school, name="学生食堂")
    response = login(patroller).get(f"{START}?place={place.pk}&checklist={checklist.pk}")
    assert response.status_code == 200
    payload = _payload(response)
    assert payload["route"] is None and payload["place"] == place.pk
    assert payload["page"]["title"] == "食堂卫生检查表 · 学生食堂"
    assert payload["page"]["scanned_token"] == ""
    assert "开始检查前请先打开本页" in response.content.decode()


def test_it_takes_the_scanned_token_of_the_place_only(login, patroller, school):
    checklist = ChecklistFactory(school=school)
    place = place_in(school)
    client = login(patroller)
    url = f"{START}?place={place.pk}&checklist={checklist.pk}&token="
    token = _token(place)
    assert _payload(client.get(url + token.lower()))["page"]["scanned_token"] == token
    other = _token(place_in(school))
    assert _payload(client.get(url + other))["page"]["scanned_token"] == ""


def test_it_sends_a_start_without_a_target_to_the_chooser(login, patroller, school):
    place = place_in(school)
    response = login(patroller).get(f"{START}?place={place.pk}")
    assert response.status_code == 302
    assert response["Location"] == f"{NEW}?place={place.pk}"


def test_it_explains_a_checklist_that_is_not_published(login, patroller, school):
    checklist = ChecklistFactory(school=school, name="汛期专项检查", published=False)
    route = RouteFactory(school=school, checklist=checklist)
    response = login(patroller).get(f"{START}?route={route.pk}")
    assert response.status_code == 200
    assert "检查表“汛期专项检查”还没有发布，不能开始巡查。" in response.content.decode()


def test_it_explains_an_archived_route(login, patroller, route, manager):
    route.archive(by=manager.user, reason="路线调整")
    response = login(patroller).get(f"{START}?route={route.pk}")
    assert "已停用，不能巡查" in response.content.decode()


def test_it_refuses_the_round_page_without_the_permission(login, teacher, route):
    assert login(teacher).get(f"{START}?route={route.pk}").status_code == 403


@pytest.mark.parametrize("kind", ["route", "expected", "place", "checklist"])
def test_it_hides_another_schools_records_from_the_round_page(
    kind, login, patroller, school, other_school
):
    theirs_route = RouteFactory(school=other_school)
    query = {
        "route": f"route={theirs_route.pk}",
        "expected": f"expected={ExpectedRoundFactory(plan=PlanFactory(route=theirs_route)).pk}",
        "place": f"place={place_in(other_school).pk}&checklist={ChecklistFactory(school=school).pk}",
        "checklist": f"place={place_in(school).pk}&checklist={theirs_route.checklist_id}",
    }[kind]
    assert login(patroller).get(f"{START}?{query}").status_code == 404


def test_it_answers_a_malformed_id_with_404(login, patroller):
    assert login(patroller).get(f"{START}?route=abc").status_code == 404


# ---------------------------------------------------------------------------------------
# The chooser (检查) and the "inspect" QR purpose


def test_it_offers_published_checklists_and_routes(login, patroller, school, route):
    ChecklistFactory(school=school, name="厕所保洁检查表", kind="toilet")
    ChecklistFactory(school=school, name="未发布的检查表", published=False)
    ChecklistFactory(school=school, name="停用的检查表").archive(by=None, reason="不用了")
    response = login(patroller).get(NEW)
    assert response.status_code == 200
    html = response.content.decode()
    assert "厕所保洁检查表（厕所保洁检查）" in html
    assert "未发布的检查表" not in html and "停用的检查表" not in html
    assert f"{START}?route={route.pk}" in html
    assert "/q/scan/?for=inspect" in html
    assert "data-patrol-sync" in html  # pending rounds are flushed from here too


def test_it_prefills_the_place_and_keeps_the_token(login, patroller, school):
    place = place_in(school, name="一号厕所")
    response = login(patroller).get(f"{NEW}?place={place.pk}&token=ABCDEFGH23")
    html = response.content.decode()
    assert f'value="{place.pk}"' in html and "一号厕所" in html
    assert 'value="ABCDEFGH23"' in html


def test_it_ignores_another_schools_place_in_the_chooser(login, patroller, other_school):
    theirs = place_in(other_school, name="别校食堂")
    html = login(patroller).get(f"{NEW}?place={theirs.pk}").content.decode()
    assert "没有找到这个场所" in html and "别校食堂" not in html


def test_it_starts_the_chosen_inspection(login, patroller, school):
    checklist = ChecklistFactory(school=school)
    place = place_in(school)
    query = f"checklist={checklist.pk}&place={place.pk}&token=ABCDEFGH23"
    response = login(patroller).get(f"{NEW}?{query}")
    assert response.status_code == 302
    assert response["Location"] == (
        f"{START}?place={place.pk}&checklist={checklist.pk}&token=ABCDEFGH23"
    )


def test_it_says_what_is_missing_in_the_chooser(login, patroller, school):
    draft = ChecklistFactory(school=school, published=False)
    response = login(patroller).get(f"{NEW}?checklist={draft.pk}&place=")
    html = response.content.decode()
    assert "请选择检查场所" in html
    assert "这个检查表不能使用，请重新选择。" in html


def test_it_refuses_the_chooser_without_the_permission(login, teacher):
    assert login(teacher).get(NEW).status_code == 403


def test_it_opens_the_chooser_from_a_scanned_place(login, patroller, school):
    place = place_in(school, code="ST-01")
    token = _token(place)
    response = login(patroller).get(f"/q/{token}?for=inspect")
    assert response.status_code == 302
    assert response["Location"] == f"{NEW}?place={place.pk}&token={token}"


def test_it_opens_the_chooser_from_a_typed_code_without_proof(login, patroller, school):
    place = place_in(school, code="ST-01")
    response = login(patroller).get("/q/scan/?for=inspect&code=st-01")
    assert response.status_code == 302
    assert response["Location"] == f"{NEW}?place={place.pk}"


def test_it_shows_the_inspection_entry_to_patrollers(login, patroller):
    html = login(patroller).get(NEW).content.decode()
    assert f'href="{NEW}"' in html


# ---------------------------------------------------------------------------------------
# Sync


def test_it_syncs_a_round_and_counts_a_replay_once(login, patroller, route):
    client = login(patroller)
    data = _round(route)
    first = _sync(client, data)
    assert first.status_code == 200
    result = first.json()["rounds"][0]
    round_ = Round.objects.get()
    assert result == {
        "uuid": data["uuid"],
        "id": round_.pk,
        "url": round_.get_absolute_url(),
        "state": "in_progress",
        "hazards": [],
        "errors": [],
    }
    assert _sync(client, data).json() == first.json()
    assert Round.objects.count() == 1
    assert Visit.objects.count() == 3
    assert Answer.objects.count() == 3
    assert round_.patroller == patroller


def test_it_finishes_a_round_with_hazards_and_ignores_a_replay_after(login, patroller, route):
    client = login(patroller)
    data = _round(route, fail_first=True)
    _sync(client, data)
    data["finished_at"] = _at(30)
    finished = _sync(client, data).json()["rounds"][0]
    hazard = Hazard.objects.get()
    assert finished["state"] == "finished"
    assert finished["hazards"] == [
        {"id": hazard.pk, "number": hazard.number, "url": hazard.get_absolute_url()}
    ]
    assert hazard.title.endswith("通道堆放杂物")
    # The phone sends it again (it did not hear the answer), even changed: nothing moves.
    data["answers"][1]["result"] = "fail"
    replay = _sync(client, data).json()["rounds"][0]
    assert replay == finished
    assert Hazard.objects.count() == 1
    assert Answer.objects.filter(result="fail").count() == 1


def test_it_reports_a_refused_round_and_keeps_the_others(login, patroller, route, other_school):
    client = login(patroller)
    good = _round(route)
    bad = _round(route)
    bad["visits"][0]["place"] = place_in(other_school).pk
    results = _sync(client, bad, good).json()["rounds"]
    assert results[0]["errors"] == ["场所不在这次巡查的范围内。"]
    assert results[1]["errors"] == []
    assert list(Round.objects.values_list("client_uuid", flat=True)) == [uuid.UUID(good["uuid"])]


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[]",
        '{"rounds": {}}',
        '{"rounds": 5}',
        '{"rounds": [1]}',
        '{"nothing": []}',
        "\xff",
    ],
)
def test_it_refuses_a_body_that_is_not_the_protocol(login, patroller, body):
    response = login(patroller).post(SYNC, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] in ("同步数据不是有效的 JSON。", "同步数据格式不正确。")
    assert Round.objects.count() == 0


def test_it_refuses_too_many_rounds_at_once(login, patroller, route):
    body = json.dumps({"rounds": [{}] * 51})
    response = login(patroller).post(SYNC, body, content_type="application/json")
    assert response.status_code == 400


def test_it_takes_only_posts_at_the_sync_url(login, patroller):
    assert login(patroller).get(SYNC).status_code == 405


def test_it_refuses_sync_without_the_permission(login, teacher, route):
    assert _sync(login(teacher), _round(route)).status_code == 403
    assert Round.objects.count() == 0


def test_it_sends_a_signed_out_phone_to_the_login(client, route):
    response = _sync(client, _round(route))
    assert response.status_code == 302
    assert Round.objects.count() == 0


def test_it_checks_the_csrf_token_of_a_sync(patroller, route):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(patroller.user)
    assert _sync(client, _round(route)).status_code == 403
    client.get(f"{START}?route={route.pk}")
    token = client.cookies["csrftoken"].value
    response = client.post(
        SYNC,
        json.dumps({"rounds": [_round(route)]}),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 200


# ---------------------------------------------------------------------------------------
# Answer photos


@pytest.fixture
def synced_answer(login, patroller, route):
    data = _round(route, fail_first=True)
    _sync(login(patroller), data)
    return Answer.objects.get(client_uuid=data["answers"][0]["uuid"])


def _photo_url(answer):
    return reverse("patrols:answer_photo", args=[answer.client_uuid])


def test_it_attaches_an_answer_photo_once(login, patroller, synced_answer):
    client = login(patroller)
    photo_uuid = str(uuid.uuid4())
    first = client.post(
        _photo_url(synced_answer), {"photo": jpeg_upload(), "photo_uuid": photo_uuid}
    )
    assert first.status_code == 201
    assert first.json()["created"] is True
    # The phone did not hear the answer and sends it again.
    again = client.post(
        _photo_url(synced_answer), {"photo": jpeg_upload(), "photo_uuid": photo_uuid}
    )
    assert again.status_code == 200
    assert again.json() == {"id": first.json()["id"], "created": False}
    assert attachments_for(synced_answer).count() == 1
    assert AnswerPhoto.objects.count() == 1


def test_it_refuses_a_file_it_does_not_take(login, patroller, synced_answer):
    response = login(patroller).post(
        _photo_url(synced_answer), {"photo": exe_upload(), "photo_uuid": str(uuid.uuid4())}
    )
    assert response.status_code == 400
    assert response.json()["error"]
    assert attachments_for(synced_answer).count() == 0


def test_it_refuses_a_photo_without_its_uuid(login, patroller, synced_answer):
    response = login(patroller).post(_photo_url(synced_answer), {"photo": jpeg_upload()})
    assert response.status_code == 400
    assert response.json()["error"] == "照片编号格式不正确。"


def test_it_refuses_a_photo_for_someone_elses_answer(login, school, synced_answer):
    colleague = patroller_in(school, name="李保安")
    response = login(colleague).post(
        _photo_url(synced_answer), {"photo": jpeg_upload(), "photo_uuid": str(uuid.uuid4())}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "只有巡查人可以上传这条检查结果的照片。"


def test_it_answers_an_unknown_answer_with_404(login, patroller):
    url = reverse("patrols:answer_photo", args=[uuid.uuid4()])
    response = login(patroller).post(url, {"photo": jpeg_upload(), "photo_uuid": str(uuid.uuid4())})
    assert response.status_code == 404


def test_it_hides_another_schools_answer_from_a_photo(login, other_school, synced_answer):
    stranger = patroller_in(other_school)
    response = login(stranger).post(
        _photo_url(synced_answer), {"photo": jpeg_upload(), "photo_uuid": str(uuid.uuid4())}
    )
    assert response.status_code == 404


def test_it_refuses_a_photo_without_the_permission(login, teacher, synced_answer):
    response = login(teacher).post(
        _photo_url(synced_answer), {"photo": jpeg_upload(), "photo_uuid": str(uuid.uuid4())}
    )
    assert response.status_code == 403
