"""Surveillance cameras, the places they cover, and the blind spots (监控盲区) they leave —
registered as hazards of their own."""

import pytest
from django.urls import reverse

from houqin.accounts.roles import Position
from houqin.hazards import stats
from houqin.hazards.models import Camera, Domain, Hazard, Source, Status
from houqin.hazards.services import HazardError, hazard_rectify, hazard_verify
from houqin.hazards.tests.factories import HazardFactory
from houqin.org.models import PlaceType
from houqin.org.tests.factories import PlaceFactory
from houqin.repairs.tests.factories import place_in

LIST_URL = reverse("hazards:camera_list")
CREATE_URL = reverse("hazards:camera_create")
OPTIONS_URL = reverse("hazards:camera_cover_options")
BLIND_SPOTS_URL = reverse("hazards:blind_spots")
WORKING, FAULTY = Camera.CameraStatus.WORKING, Camera.CameraStatus.FAULTY


def camera_in(school, *, place=None, covers=(), **fields):
    fields.setdefault("name", "南门枪机")
    camera = Camera.objects.create(school=school, place=place or covers[0], **fields)
    camera.covers.set(covers)
    return camera


@pytest.fixture
def gate(school):
    return place_in(school, name="南门", code="GATE-S", place_type=PlaceType.GATE)


@pytest.fixture
def corridor(school, gate):
    return PlaceFactory(
        floor__building=gate.building,
        floor__level=2,
        name="二楼走廊",
        code="COR-2",
        place_type=PlaceType.CORRIDOR,
    )


# Coverage


def test_it_finds_watched_places_no_working_camera_covers(school, gate, corridor):
    stairs = place_in(school, name="东楼梯", place_type=PlaceType.STAIRWELL)
    playground = place_in(school, name="操场", place_type=PlaceType.PLAYGROUND)
    place_in(school, name="301教室", place_type=PlaceType.CLASSROOM)  # not watched
    place_in(school, name="旧门卫室", place_type=PlaceType.GATE).archive(by=None, reason="拆除")
    camera_in(school, covers=[gate])
    camera_in(school, name="走廊球机", covers=[corridor], status=FAULTY)
    camera_in(school, name="楼梯半球", covers=[stairs]).archive(by=None, reason="拆除")

    spots = stats.blind_spots(school.place_set.all())

    assert {place.name for place in spots} == {"二楼走廊", "东楼梯", "操场"}
    assert playground in spots


def test_it_shows_the_blind_spots_with_coverage(
    login, manager, school, gate, corridor, django_assert_max_num_queries
):
    camera_in(school, covers=[gate])
    for n in range(5):
        place_in(school, name=f"楼梯{n}", place_type=PlaceType.STAIRWELL)
    client = login(manager)

    with django_assert_max_num_queries(16):
        response = client.get(BLIND_SPOTS_URL)

    assert response.status_code == 200
    assert response.context["totals"] == {"total": 7, "covered": 1}
    assert response.context["coverage"] == 14.3
    names = [place.name for place in response.context["page"]]
    assert "二楼走廊" in names and "南门" not in names
    assert reverse("hazards:blind_spot_report", args=[corridor.pk]) in response.content.decode()


def test_it_filters_blind_spots_by_type(login, manager, school, gate, corridor):
    response = login(manager).get(BLIND_SPOTS_URL, {"place_type": PlaceType.GATE})

    assert [place.name for place in response.context["page"]] == ["南门"]


def test_it_refuses_the_blind_spots_without_the_register(login, teacher):
    assert login(teacher).get(BLIND_SPOTS_URL).status_code == 403


def test_it_hides_other_schools_places_from_the_blind_spots(login, manager, other_school):
    place_in(other_school, name="别校校门", place_type=PlaceType.GATE)

    response = login(manager).get(BLIND_SPOTS_URL)

    assert list(response.context["page"]) == []


# 登记为隐患


def test_it_registers_a_blind_spot_as_a_security_hazard(login, manager, school, corridor):
    url = reverse("hazards:blind_spot_report", args=[corridor.pk])

    response = login(manager).post(url)

    hazard = Hazard.objects.get()
    assert response.status_code == 302
    assert response["Location"] == hazard.get_absolute_url()
    assert hazard.source == Source.BLIND_SPOT
    assert hazard.domain == Domain.SECURITY
    assert hazard.place == corridor
    assert hazard.title == f"监控盲区：{corridor.full_name}"
    assert hazard.reported_by == manager
    assert hazard.status == Status.REPORTED


def test_it_registers_a_blind_spot_once(login, manager, school, corridor):
    url = reverse("hazards:blind_spot_report", args=[corridor.pk])
    client = login(manager)
    client.post(url)

    response = client.post(url)

    assert Hazard.objects.count() == 1
    assert response["Location"] == Hazard.objects.get().get_absolute_url()
    page = client.get(BLIND_SPOTS_URL).content.decode()
    assert "已登记，查看" in page


def test_it_registers_a_spot_again_once_the_last_one_was_closed(login, manager, school, corridor):
    HazardFactory(place=corridor, source=Source.BLIND_SPOT, closed=True)

    login(manager).post(reverse("hazards:blind_spot_report", args=[corridor.pk]))

    assert Hazard.objects.filter(status=Status.REPORTED, source=Source.BLIND_SPOT).count() == 1


def test_it_refuses_to_register_a_covered_place(login, manager, school, gate):
    camera_in(school, covers=[gate])

    response = login(manager).post(
        reverse("hazards:blind_spot_report", args=[gate.pk]), follow=True
    )

    assert not Hazard.objects.exists()
    assert "已有正常的摄像头覆盖，不是监控盲区" in response.content.decode()


def test_it_lists_blind_spots_ready_to_close_once_covered(login, manager, school, corridor):
    hazard = HazardFactory(place=corridor, source=Source.BLIND_SPOT, rectified=True)
    client = login(manager)
    assert list(client.get(BLIND_SPOTS_URL).context["ready"]) == []

    camera_in(school, name="走廊球机", covers=[corridor])

    response = client.get(BLIND_SPOTS_URL)
    assert list(response.context["ready"]) == [hazard]
    assert corridor not in response.context["page"]


def test_it_refuses_to_register_for_people_without_the_register(login, teacher, corridor):
    response = login(teacher).post(reverse("hazards:blind_spot_report", args=[corridor.pk]))

    assert response.status_code == 403
    assert not Hazard.objects.exists()


def test_it_hides_another_schools_place_when_registering(login, manager, other_school):
    place = place_in(other_school, place_type=PlaceType.GATE)

    response = login(manager).post(reverse("hazards:blind_spot_report", args=[place.pk]))

    assert response.status_code == 404


# The camera list


def test_it_lists_cameras_with_their_coverage(
    login, manager, school, gate, corridor, django_assert_max_num_queries
):
    for n in range(6):
        camera_in(school, name=f"球机{n}", covers=[gate, corridor])
    camera_in(school, name="坏了的", covers=[corridor], status=FAULTY)
    camera_in(school, name="拆了的", covers=[corridor]).archive(by=None, reason="拆除")
    client = login(manager)

    with django_assert_max_num_queries(18):
        response = client.get(LIST_URL)

    assert response.status_code == 200
    names = [camera.name for camera in response.context["page"]]
    assert "拆了的" not in names and len(names) == 7
    assert response.context["counts"] == {"working": 6, "faulty": 1}
    assert corridor.full_name in response.content.decode()


def test_it_filters_cameras(login, manager, school, gate, corridor):
    camera_in(school, name="南门枪机", code="CAM-01", covers=[gate])
    camera_in(school, name="走廊球机", code="CAM-02", covers=[corridor], status=FAULTY)
    camera_in(school, name="旧枪机", covers=[gate]).archive(by=None, reason="拆除")
    client = login(manager)

    def names(**query):
        return [c.name for c in client.get(LIST_URL, query).context["page"]]

    assert names(status=FAULTY) == ["走廊球机"]
    assert names(q="CAM-01") == ["南门枪机"]
    assert names(q="zlqj") == ["走廊球机"]  # pinyin initials
    assert names(state="archived") == ["旧枪机"]
    assert len(names(state="all")) == 3


def test_it_lets_the_principal_see_but_not_add_cameras(login, make_staff, school):
    principal = make_staff(school, Position.PRINCIPAL)
    client = login(principal)

    assert client.get(LIST_URL).status_code == 200
    assert client.get(CREATE_URL).status_code == 403


def test_it_refuses_the_camera_list_without_the_register(login, teacher):
    assert login(teacher).get(LIST_URL).status_code == 403


def test_it_hides_other_schools_cameras(login, manager, other_school):
    camera = camera_in(other_school, covers=[place_in(other_school)])
    client = login(manager)

    assert list(client.get(LIST_URL).context["page"]) == []
    assert client.get(reverse("hazards:camera_detail", args=[camera.pk])).status_code == 404
    assert client.get(reverse("hazards:camera_edit", args=[camera.pk])).status_code == 404


# Adding, editing, archiving


def test_it_adds_a_camera_with_the_places_it_covers(login, manager, school, gate, corridor):
    response = login(manager).post(
        CREATE_URL,
        {
            "name": "南门枪机",
            "code": "CAM-01",
            "place": gate.pk,
            "covers": [gate.pk, corridor.pk],
            "status": WORKING,
            "note": "",
        },
    )

    camera = Camera.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("hazards:camera_detail", args=[camera.pk])
    assert camera.school == school
    assert set(camera.covers.all()) == {gate, corridor}
    assert list(stats.blind_spots(school.place_set.all())) == []


def test_it_refuses_a_camera_without_a_name_or_place(login, manager):
    response = login(manager).post(CREATE_URL, {"name": "", "status": WORKING})

    assert response.status_code == 200
    body = response.content.decode()
    assert "请填写摄像头名称。" in body
    assert "请选择安装位置。" in body
    assert not Camera.objects.exists()


def test_it_refuses_a_code_already_used(login, manager, school, gate):
    camera_in(school, code="CAM-01", covers=[gate])

    response = login(manager).post(
        CREATE_URL, {"name": "另一个", "code": "CAM-01", "place": gate.pk, "status": WORKING}
    )

    assert "本校已有编号为 CAM-01 的摄像头。" in response.content.decode()
    assert Camera.objects.count() == 1


def test_it_refuses_another_schools_places(login, manager, gate, other_school):
    theirs = place_in(other_school)

    response = login(manager).post(
        CREATE_URL,
        {"name": "越界", "place": gate.pk, "covers": [gate.pk, theirs.pk], "status": WORKING},
    )

    assert response.status_code == 200
    assert not Camera.objects.exists()
    assert response.context["form"].errors["covers"]


def test_it_edits_a_camera_and_warns_of_new_blind_spots(login, manager, school, gate, corridor):
    camera = camera_in(school, covers=[gate, corridor])
    camera_in(school, name="南门另一台", covers=[gate])

    response = login(manager).post(
        reverse("hazards:camera_edit", args=[camera.pk]),
        {
            "name": "走廊球机",
            "place": corridor.pk,
            "covers": [gate.pk, corridor.pk],
            "status": FAULTY,
        },
        follow=True,
    )

    camera.refresh_from_db()
    assert camera.status == FAULTY
    body = response.content.decode()
    assert "成为监控盲区" in body and corridor.full_name in body
    assert "仅此摄像头覆盖" in body  # the corridor, on the camera's page


def test_it_keeps_the_history_of_the_places_a_camera_covers(login, manager, school, gate, corridor):
    camera = camera_in(school, name="走廊球机", place=corridor, covers=[gate])
    client = login(manager)

    client.post(
        reverse("hazards:camera_edit", args=[camera.pk]),
        {"name": "走廊球机", "place": corridor.pk, "covers": [corridor.pk], "status": WORKING},
    )

    body = client.get(reverse("hazards:camera_detail", args=[camera.pk])).content.decode()
    history = body[body.index('data-testid="history"') :]
    assert "覆盖场所：增加" in " ".join(history.split())
    assert "覆盖场所：移除" in " ".join(history.split())
    assert corridor.name in history and gate.name in history


def test_it_shows_the_edit_form_with_the_chosen_places(login, manager, school, gate, corridor):
    camera = camera_in(school, covers=[corridor])

    response = login(manager).get(reverse("hazards:camera_edit", args=[camera.pk]))

    body = response.content.decode()
    assert f'value="{corridor.pk}"' in body and "checked" in body
    assert 'data-testid="covers-search"' in body


def test_it_offers_places_to_cover(login, manager, school, gate, corridor, other_school):
    place_in(other_school, name="别校走廊", place_type=PlaceType.CORRIDOR)

    response = login(manager).get(OPTIONS_URL, {"covers": [gate.pk], "covers__q": "走廊"})

    assert [p.name for p in response.context["chosen"]] == ["南门"]
    assert [p.name for p in response.context["found"]] == ["二楼走廊"]


def test_it_refuses_the_cover_options_without_manage(login, make_staff, school):
    principal = make_staff(school, Position.PRINCIPAL)

    assert login(principal).get(OPTIONS_URL).status_code == 403


def test_it_archives_and_restores_a_camera(login, manager, school, gate):
    camera = camera_in(school, covers=[gate])
    client = login(manager)

    response = client.post(
        reverse("hazards:camera_archive", args=[camera.pk]), {"reason": "拆除"}, follow=True
    )
    camera.refresh_from_db()
    assert not camera.is_active and camera.archive_reason == "拆除"
    assert "成为监控盲区" in response.content.decode()
    assert gate in stats.blind_spots(school.place_set.all())

    client.post(reverse("hazards:camera_restore", args=[camera.pk]))
    camera.refresh_from_db()
    assert camera.is_active


def test_it_needs_a_reason_to_archive(login, manager, school, gate):
    camera = camera_in(school, covers=[gate])

    login(manager).post(reverse("hazards:camera_archive", args=[camera.pk]), {"reason": ""})

    camera.refresh_from_db()
    assert camera.is_active


def test_it_refuses_to_archive_without_manage(login, make_staff, school, gate):
    camera = camera_in(school, covers=[gate])
    principal = make_staff(school, Position.PRINCIPAL)

    response = login(principal).post(
        reverse("hazards:camera_archive", args=[camera.pk]), {"reason": "拆除"}
    )

    assert response.status_code == 403
    camera.refresh_from_db()
    assert camera.is_active


def test_it_shows_a_camera(login, make_staff, school, gate, corridor):
    camera = camera_in(school, code="CAM-09", covers=[gate, corridor])
    camera_in(school, name="南门另一台", covers=[gate])

    response = login(make_staff(school, Position.VICE_PRINCIPAL)).get(
        reverse("hazards:camera_detail", args=[camera.pk])
    )

    assert response.status_code == 200
    covers = {place.name: place.covered_by_others for place in response.context["covers"]}
    assert covers == {"南门": True, "二楼走廊": False}
    assert 'data-testid="camera-edit"' not in response.content.decode()


def test_it_closes_a_blind_spot_only_after_a_camera_covers_it(
    login, manager, make_staff, school, corridor
):
    client = login(manager)
    client.post(reverse("hazards:blind_spot_report", args=[corridor.pk]))
    hazard = Hazard.objects.get()
    fixer = make_staff(school, Position.LOGISTICS_MANAGER, name="陶向明")
    hazard.owner, hazard.status = fixer, Status.RECTIFYING
    hazard.save()
    hazard_rectify(hazard, by=fixer, note="已报采购，等待安装")
    with pytest.raises(HazardError, match="监控盲区不能销号"):
        hazard_verify(hazard, by=manager, passed=True, note="现场查看")

    client.post(
        CREATE_URL,
        {"name": "走廊球机", "place": corridor.pk, "covers": [corridor.pk], "status": WORKING},
    )
    hazard_verify(hazard, by=manager, passed=True, note="已安装，画面清晰")

    hazard.refresh_from_db()
    assert hazard.status == Status.CLOSED
    assert corridor not in stats.blind_spots(school.place_set.all())


def test_it_prefills_a_new_camera_from_a_blind_spot(login, manager, corridor):
    response = login(manager).get(CREATE_URL, {"place": corridor.pk})

    form = response.context["form"]
    assert form.initial["place"] == str(corridor.pk)
    assert form.initial["covers"] == [str(corridor.pk)]
    body = response.content.decode()
    assert corridor.full_name in body and "checked" in body


def test_it_says_a_covered_blind_spot_can_be_closed(login, manager, school, corridor):
    hazard = HazardFactory(place=corridor, source=Source.BLIND_SPOT, rectified=True)

    response = login(manager).post(
        CREATE_URL,
        {"name": "走廊球机", "place": corridor.pk, "covers": [corridor.pk], "status": WORKING},
        follow=True,
    )

    assert f"监控盲区隐患 {hazard.number} 的场所已有摄像头覆盖" in response.content.decode()


def test_it_does_not_register_an_archived_place(login, manager, corridor):
    corridor.archive(by=None, reason="封闭")

    login(manager).post(reverse("hazards:blind_spot_report", args=[corridor.pk]))

    assert not Hazard.objects.exists()
