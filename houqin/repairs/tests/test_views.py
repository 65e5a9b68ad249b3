"""The repair screens: report (pre-filled from a scan, with photos, joining a similar
request), 我的报修, the manager's queue with inline assign, the worker's 我的维修单, one
request with its timeline and per-role actions, the settings pages, the place card and
我的工作 — with 403/404, Chinese errors that keep what was typed, and bounded queries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from houqin.accounts.roles import Position
from houqin.accounts.tests.factories import StaffFactory
from houqin.files.services import attachments_for
from houqin.files.tests.factories import exe_upload, jpeg_upload
from houqin.org.tests.factories import BuildingFactory, SchoolClassFactory
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
from houqin.repairs.tests.factories import (
    RepairRequestFactory,
    VendorFactory,
    place_in,
    worker_in,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(school):
    return place_in(school, name="三年级二班教室", code="A301")


@pytest.fixture
def worker(school):
    return worker_in(school, name="刘师傅")


def _report_data(place, **overrides):
    data = {
        "place": place.pk if place else "",
        "category": Category.DOORS_WINDOWS,
        "description": "后门门锁打不开",
        "urgency": Urgency.NORMAL,
    }
    data.update(overrides)
    return data


# ---------------------------------------------------------------------------------------
# Reporting


def test_it_prefills_the_place_from_a_scan(login, teacher, place):
    response = login(teacher).get(reverse("repairs:report") + f"?place={place.pk}")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'value="{place.pk}"' in html
    assert "三年级二班教室" in html
    assert "一体机与多媒体" in html  # the categories as tiles
    assert 'capture="environment"' in html  # the camera


def test_it_ignores_another_schools_place_in_the_link(login, teacher, other_school):
    theirs = place_in(other_school, name="别校教室")
    response = login(teacher).get(reverse("repairs:report") + f"?place={theirs.pk}")
    html = response.content.decode()
    assert "没有找到这个场所" in html
    assert "别校教室" not in html


def test_it_reports_with_a_photo(login, teacher, place):
    data = _report_data(place, photos=[jpeg_upload("门锁.jpg")])
    response = login(teacher).post(reverse("repairs:report"), data)
    repair = RepairRequest.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("repairs:detail", args=[repair.pk])
    assert repair.reporter == teacher
    assert repair.place == place
    assert repair.status == Status.SUBMITTED
    assert [a.role for a in attachments_for(repair)] == ["report"]


def test_it_says_when_no_place_is_chosen_and_keeps_the_text(login, teacher):
    response = login(teacher).post(reverse("repairs:report"), _report_data(None))
    html = response.content.decode()
    assert response.status_code == 200
    assert "请选择报修地点" in html
    assert "后门门锁打不开" in html
    assert not RepairRequest.objects.exists()


def test_it_refuses_a_bad_photo_in_chinese_and_keeps_the_text(login, teacher, place):
    data = _report_data(place, photos=[exe_upload("门锁.jpg")])
    response = login(teacher).post(reverse("repairs:report"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "门锁.jpg" in html
    assert "后门门锁打不开" in html
    assert f'value="{place.pk}"' in html
    assert not RepairRequest.objects.exists()


def test_it_refuses_an_oversized_photo(login, teacher, place, settings):
    settings.HOUQIN_UPLOAD_MAX_MB = 0
    data = _report_data(place, photos=[jpeg_upload("大照片.jpg", size=(800, 600))])
    response = login(teacher).post(reverse("repairs:report"), data)
    html = response.content.decode()
    assert "大照片.jpg" in html
    assert "后门门锁打不开" in html
    assert not RepairRequest.objects.exists()


def test_it_says_when_a_place_id_is_garbled(login, teacher, place):
    response = login(teacher).post(
        reverse("repairs:report"), {**_report_data(None), "place": "abc"}
    )
    assert "没有找到这个场所" in response.content.decode()


def test_it_shows_open_requests_for_the_place_before_submitting(login, teacher, place):
    other = RepairRequestFactory(place=place, description="后门门锁坏了")
    RepairRequestFactory(place=place, closed=True, description="已修好的灯")
    client = login(teacher)
    response = client.get(reverse("repairs:similar"), {"place": place.pk, "description": "门锁"})
    html = response.content.decode()
    assert "后门门锁坏了" in html
    assert "我也遇到了，加入" in html
    assert reverse("repairs:join", args=[other.pk]) in html
    assert "已修好的灯" not in html
    # Pre-filled from a scan: the panel is on the form at once.
    page = client.get(reverse("repairs:report") + f"?place={place.pk}")
    assert "后门门锁坏了" in page.content.decode()


def test_it_joins_a_similar_request(login, teacher, place):
    other = RepairRequestFactory(place=place)
    response = login(teacher).post(
        reverse("repairs:join", args=[other.pk]), {"description": "我们班的门也打不开"}
    )
    assert response.status_code == 302
    assert list(other.followers.all()) == [teacher]
    event = other.events.get(action=RepairEvent.Action.JOIN)
    assert event.note == "我们班的门也打不开"
    # Now a follower, the teacher sees the request.
    assert login(teacher).get(reverse("repairs:detail", args=[other.pk])).status_code == 200


def test_it_says_why_joining_is_refused(login, teacher, place):
    mine = RepairRequestFactory(place=place, reporter=teacher)
    response = login(teacher).post(reverse("repairs:join", args=[mine.pk]), follow=True)
    assert "无需再次报修" in response.content.decode()


# ---------------------------------------------------------------------------------------
# Who sees what


def test_it_hides_a_request_from_other_teachers(login, make_staff, school, place):
    repair = RepairRequestFactory(place=place)
    stranger = make_staff(school, Position.TEACHER, name="路人")
    assert login(stranger).get(reverse("repairs:detail", args=[repair.pk])).status_code == 404


def test_it_hides_another_schools_request(login, manager, other_school):
    theirs = RepairRequestFactory(school=other_school)
    url = reverse("repairs:detail", args=[theirs.pk])
    assert login(manager).get(url).status_code == 404
    assert login(manager).post(reverse("repairs:assign", args=[theirs.pk])).status_code == 404


def test_it_shows_the_request_to_its_parties_and_managers(login, school, place, manager, worker):
    repair = RepairRequestFactory(place=place, assignee=worker, status=Status.ASSIGNED)
    principal = StaffFactory(school=school, positions=[Position.PRINCIPAL])
    for person in (repair.reporter, worker, manager, principal):
        response = login(person).get(reverse("repairs:detail", args=[repair.pk]))
        assert response.status_code == 200, person


@pytest.mark.parametrize(
    "name", ["repairs:queue", "repairs:vendor_list", "repairs:rule_list", "repairs:deadline_list"]
)
def test_it_refuses_manager_pages_to_a_teacher(login, teacher, name):
    assert login(teacher).get(reverse(name)).status_code == 403


def test_it_refuses_the_jobs_page_to_a_teacher(login, teacher):
    assert login(teacher).get(reverse("repairs:jobs")).status_code == 403


@pytest.mark.parametrize("action", ["assign", "accept", "start", "finish", "costs"])
def test_it_refuses_worker_and_manager_actions_to_the_reporter(login, teacher, place, action):
    repair = RepairRequestFactory(place=place, reporter=teacher)
    response = login(teacher).post(reverse(f"repairs:{action}", args=[repair.pk]))
    assert response.status_code == 403


def test_it_refuses_settings_changes_to_a_worker(login, worker, school):
    vendor = VendorFactory(school=school)
    client = login(worker)
    assert client.get(reverse("repairs:vendor_edit", args=[vendor.pk])).status_code == 403
    assert client.post(reverse("repairs:vendor_create"), {"name": "X"}).status_code == 403


# ---------------------------------------------------------------------------------------
# Lists


def _many(school, count, **fields):
    buildings = [BuildingFactory(school=school, campus=school.campus_set.first()) for _ in "ab"]
    places = [place_in(school, floor__building=b) for b in buildings]
    people = [worker_in(school) for _ in range(2)]
    vendor = VendorFactory(school=school)
    for n in range(count):
        RepairRequestFactory(
            place=places[n % 2],
            assignee=people[n % 2] if n % 3 else None,
            vendor=vendor if n % 3 == 0 else None,
            status=Status.ASSIGNED if n % 3 else Status.SUBMITTED,
            **fields,
        )
    return people


def test_the_queue_runs_a_bounded_number_of_queries(
    login, manager, school, django_assert_max_num_queries
):
    client = login(manager)
    _many(school, 3)
    client.get(reverse("repairs:queue"))  # warm the caches
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("repairs:queue"))
    _many(school, 25)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("repairs:queue"))
    assert response.content.decode().count('data-testid="queue-row"') == 28


def test_the_worker_list_runs_a_bounded_number_of_queries(
    login, school, django_assert_max_num_queries
):
    worker = _many(school, 4)[0]
    client = login(worker)
    client.get(reverse("repairs:jobs"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("repairs:jobs"))
    for _ in range(20):
        RepairRequestFactory(school=school, assignee=worker, status=Status.ASSIGNED)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("repairs:jobs"))
    expected = RepairRequest.objects.filter(assignee=worker).count()
    assert response.content.decode().count('data-testid="job"') == expected >= 21


def test_my_reports_run_a_bounded_number_of_queries(
    login, teacher, place, django_assert_max_num_queries
):
    client = login(teacher)
    RepairRequestFactory(place=place, reporter=teacher)
    client.get(reverse("repairs:mine"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("repairs:mine"))
    for _ in range(15):
        RepairRequestFactory(place=place, reporter=teacher, assigned=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("repairs:mine"))
    assert response.content.decode().count('data-testid="repair-item"') == 16


def test_the_queue_filters(login, manager, school):
    building = BuildingFactory(school=school, campus=school.campus_set.first(), name="实验楼")
    lab = place_in(school, floor__building=building, name="化学实验室")
    late = RepairRequestFactory(
        place=lab,
        category=Category.WATER_POWER,
        description="水龙头漏水",
        reported_at=timezone.now() - timedelta(days=5),
    )
    RepairRequestFactory(
        school=school, description="空调不制冷", category=Category.AIR_CONDITIONING
    )
    RepairRequestFactory(school=school, closed=True, description="早已修好")
    client = login(manager)

    def rows(**params):
        html = client.get(reverse("repairs:queue"), params).content.decode()
        return [t for t in ("水龙头漏水", "空调不制冷", "早已修好") if t in html]

    assert rows() == ["水龙头漏水", "空调不制冷"]
    assert rows(status="all") == ["水龙头漏水", "空调不制冷", "早已修好"]
    assert rows(status="closed") == ["早已修好"]
    assert rows(category=Category.AIR_CONDITIONING) == ["空调不制冷"]
    assert rows(building=building.pk) == ["水龙头漏水"]
    assert rows(overdue="1") == ["水龙头漏水"]
    assert rows(q="空调") == ["空调不制冷"]
    assert late.number in client.get(reverse("repairs:queue"), {"overdue": "1"}).content.decode()
    # htmx gets only the results.
    partial = client.get(reverse("repairs:queue"), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "水龙头漏水" in partial


def test_the_queue_assigns_inline(login, manager, place, worker):
    repair = RepairRequestFactory(place=place)
    response = login(manager).post(
        reverse("repairs:assign", args=[repair.pk]),
        {"to": f"s{worker.pk}", "from": "queue"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="repair-row-' in html
    assert "已派单" in html
    repair.refresh_from_db()
    assert repair.assignee == worker and repair.status == Status.ASSIGNED


def test_the_queue_assigns_to_a_vendor(login, manager, place, school):
    vendor = VendorFactory(school=school, name="海尔空调售后")
    repair = RepairRequestFactory(place=place)
    login(manager).post(reverse("repairs:assign", args=[repair.pk]), {"to": f"v{vendor.pk}"})
    repair.refresh_from_db()
    assert repair.vendor == vendor and repair.assignee is None


def test_the_queue_says_when_no_one_is_chosen(login, manager, place, worker):
    repair = RepairRequestFactory(place=place)
    response = login(manager).post(
        reverse("repairs:assign", args=[repair.pk]),
        {"to": "", "from": "queue"},
        HTTP_HX_REQUEST="true",
    )
    assert "请选择维修人员或维修单位" in response.content.decode()
    response = login(manager).post(
        reverse("repairs:assign", args=[repair.pk]), {"to": "s999999", "note": "尽快"}
    )
    html = response.content.decode()
    assert "所选人员或单位不可用" in html
    assert "尽快" in html


# ---------------------------------------------------------------------------------------
# The whole life of a request, through the screens


def test_the_worker_accepts_starts_and_finishes(login, place, worker, school):
    repair = RepairRequestFactory(place=place, assignee=worker, status=Status.ASSIGNED)
    client = login(worker)
    page = client.get(reverse("repairs:detail", args=[repair.pk])).content.decode()
    assert 'data-testid="accept"' in page
    client.post(reverse("repairs:accept", args=[repair.pk]))
    page = client.get(reverse("repairs:detail", args=[repair.pk])).content.decode()
    assert 'data-testid="start"' in page
    client.post(reverse("repairs:start", args=[repair.pk]))

    # No note: a Chinese error, the costs typed are kept.
    response = client.post(
        reverse("repairs:finish", args=[repair.pk]), {"note": "", "labour_cost": "35.50"}
    )
    html = response.content.decode()
    assert "请写一句维修说明" in html
    assert "35.50" in html
    repair.refresh_from_db()
    assert repair.status == Status.IN_PROGRESS

    school_class = SchoolClassFactory(school=school, grade__school=school)
    response = client.post(
        reverse("repairs:finish", args=[repair.pk]),
        {
            "note": "更换门锁一把",
            "photos": [jpeg_upload("修好了.jpg")],
            "labour_cost": "30",
            "parts_cost": "45.5",
            "damaged_by_students": "on",
            "responsible_class": school_class.pk,
        },
    )
    assert response.status_code == 302
    repair.refresh_from_db()
    assert repair.status == Status.DONE
    assert repair.done_note == "更换门锁一把"
    assert repair.total_cost == Decimal("75.50")
    assert repair.responsible_class == school_class
    assert [a.role for a in attachments_for(repair, role="done")] == ["done"]


def test_the_worker_needs_parts_with_a_reason(login, place, worker):
    repair = RepairRequestFactory(place=place, assignee=worker, status=Status.IN_PROGRESS)
    client = login(worker)
    response = client.post(reverse("repairs:wait_parts", args=[repair.pk]), {"note": " "})
    assert "请写明需要什么配件" in response.content.decode()
    client.post(reverse("repairs:wait_parts", args=[repair.pk]), {"note": "锁芯一个"})
    repair.refresh_from_db()
    assert repair.status == Status.WAITING_PARTS


def test_the_worker_outsources(login, place, worker, school):
    vendor = VendorFactory(school=school)
    repair = RepairRequestFactory(place=place, assignee=worker, status=Status.IN_PROGRESS)
    login(worker).post(
        reverse("repairs:outsource", args=[repair.pk]),
        {"vendor": vendor.pk, "note": "主板损坏，需厂家上门"},
    )
    repair.refresh_from_db()
    assert repair.status == Status.OUTSOURCED and repair.vendor == vendor


def test_a_refused_action_says_why(login, place, worker):
    repair = RepairRequestFactory(place=place, assignee=worker, status=Status.ACCEPTED)
    response = login(worker).post(reverse("repairs:accept", args=[repair.pk]), follow=True)
    assert response.status_code == 200
    assert "接单" in response.content.decode()
    repair.refresh_from_db()
    assert repair.status == Status.ACCEPTED


def test_the_reporter_confirms_and_rates(login, place, teacher):
    repair = RepairRequestFactory(place=place, reporter=teacher, done=True)
    client = login(teacher)
    page = client.get(reverse("repairs:detail", args=[repair.pk])).content.decode()
    assert "修好了吗？" in page and 'data-testid="star-5"' in page
    client.post(reverse("repairs:confirm", args=[repair.pk]), {"rating": "4", "comment": "很快"})
    repair.refresh_from_db()
    assert repair.status == Status.CLOSED and repair.rating == 4
    page = client.get(reverse("repairs:detail", args=[repair.pk])).content.decode()
    assert "4 星" in page and "很快" in page
    client.post(reverse("repairs:rate", args=[repair.pk]), {"rating": "5"})
    repair.refresh_from_db()
    assert repair.rating == 5


def test_a_rating_out_of_range_is_refused(login, place, teacher):
    repair = RepairRequestFactory(place=place, reporter=teacher, closed=True)
    response = login(teacher).post(
        reverse("repairs:rate", args=[repair.pk]), {"rating": "9", "comment": "留着"}
    )
    html = response.content.decode()
    assert "评分为 1 到 5 星" in html and "留着" in html


def test_the_reporter_reopens_with_a_reason(login, place, teacher):
    repair = RepairRequestFactory(place=place, reporter=teacher, done=True)
    client = login(teacher)
    response = client.post(reverse("repairs:reopen", args=[repair.pk]), {"note": ""})
    assert "请写明哪里还没修好" in response.content.decode()
    client.post(reverse("repairs:reopen", args=[repair.pk]), {"note": "门锁还是打不开"})
    repair.refresh_from_db()
    assert repair.status == Status.ASSIGNED and repair.reopen_count == 1


def test_the_timeline_shows_every_step_with_times(login, place, teacher, manager, worker):
    repair = RepairRequestFactory(place=place, reporter=teacher)
    login(manager).post(reverse("repairs:assign", args=[repair.pk]), {"to": f"s{worker.pk}"})
    login(worker).post(reverse("repairs:accept", args=[repair.pk]))
    page = login(teacher).get(reverse("repairs:detail", args=[repair.pk])).content.decode()
    assert page.count('data-testid="event"') == 3
    for label in ("报修", "派单", "接单"):
        assert f"<strong>{label}</strong>" in page
    assert timezone.localtime().strftime("%Y-%m-%d") in page


def test_the_reporter_cancels_before_work_starts(login, place, teacher):
    repair = RepairRequestFactory(place=place, reporter=teacher)
    login(teacher).post(reverse("repairs:cancel", args=[repair.pk]), {"note": "已自行解决"})
    repair.refresh_from_db()
    assert repair.status == Status.CANCELLED


def test_the_manager_records_costs(login, place, manager, worker):
    repair = RepairRequestFactory(place=place, assignee=worker, done=True)
    response = login(manager).post(
        reverse("repairs:costs", args=[repair.pk]),
        {"labour_cost": "-1", "parts_cost": "abc"},
    )
    html = response.content.decode()
    assert "金额不能为负数" in html and "请输入金额" in html
    login(manager).post(reverse("repairs:costs", args=[repair.pk]), {"vendor_cost": "200"})
    repair.refresh_from_db()
    assert repair.vendor_cost == Decimal("200")


# ---------------------------------------------------------------------------------------
# Settings


def test_vendors_are_added_and_a_duplicate_name_refused(login, manager, school):
    client = login(manager)
    response = client.post(
        reverse("repairs:vendor_create"),
        {"name": "海尔空调售后", "phone": "400-699-9999", "categories": ["air_conditioning"]},
    )
    assert response.status_code == 302
    vendor = Vendor.objects.get()
    assert vendor.school == school and vendor.categories == ["air_conditioning"]
    response = client.post(
        reverse("repairs:vendor_create"), {"name": "海尔空调售后", "contact": "王经理"}
    )
    html = response.content.decode()
    assert "已有同名的维修单位" in html and "王经理" in html
    client.post(reverse("repairs:vendor_archive", args=[vendor.pk]), {"reason": "不再合作"})
    vendor.refresh_from_db()
    assert not vendor.is_active
    assert "海尔空调售后" in client.get(reverse("repairs:vendor_list")).content.decode()


def test_dispatch_rules_are_kept(login, manager, school, worker):
    client = login(manager)
    data = {"category": Category.WATER_POWER, "campus": "", "to": f"s{worker.pk}"}
    assert client.post(reverse("repairs:rule_create"), data).status_code == 302
    rule = DispatchRule.objects.get()
    assert rule.assignee == worker and rule.school == school
    response = client.post(reverse("repairs:rule_create"), data)
    assert "已有派单规则" in response.content.decode()
    response = client.post(reverse("repairs:rule_create"), {**data, "to": ""})
    assert "请选择维修人员或维修单位" in response.content.decode()
    page = client.get(reverse("repairs:rule_list")).content.decode()
    assert "刘师傅" in page
    client.post(reverse("repairs:rule_delete", args=[rule.pk]))
    assert not DispatchRule.objects.exists()


def test_deadlines_are_kept_and_checked(login, manager, school):
    client = login(manager)
    data = {
        "urgency": Urgency.URGENT,
        "category": "",
        "response_hours": "1",
        "completion_hours": "4",
    }
    assert client.post(reverse("repairs:deadline_create"), data).status_code == 302
    deadline = Deadline.objects.get()
    assert deadline.school == school and deadline.completion_hours == 4
    response = client.post(
        reverse("repairs:deadline_create"),
        {**data, "category": Category.NETWORK, "response_hours": "8", "completion_hours": "2"},
    )
    html = response.content.decode()
    assert "完成时限不能短于响应时限" in html
    response = client.post(reverse("repairs:deadline_create"), data)
    assert "已有时限" in response.content.decode()
    page = client.get(reverse("repairs:deadline_list")).content.decode()
    assert "默认时限" in page and "紧急" in page


# ---------------------------------------------------------------------------------------
# The place card, 我的工作, navigation


def test_the_place_page_shows_its_repairs(login, teacher, place):
    for _ in range(3):
        RepairRequestFactory(place=place, closed=True)
    mine = RepairRequestFactory(place=place, reporter=teacher, description="投影不亮")
    page = login(teacher).get(reverse("org:place_detail", args=[place.pk])).content.decode()
    assert 'data-testid="repairs-card"' in page
    assert "投影不亮" in page
    assert reverse("repairs:detail", args=[mine.pk]) in page
    assert 'data-testid="often-repaired"' in page
    assert f"{reverse('repairs:report')}?place={place.pk}" in page


def test_my_work_shows_what_waits(login, manager, worker, teacher, place):
    RepairRequestFactory(place=place)
    RepairRequestFactory(place=place, assignee=worker, status=Status.ASSIGNED)
    RepairRequestFactory(place=place, reporter=teacher, done=True)
    home = reverse("dashboard:home")
    assert "报修待派单" in login(manager).get(home).content.decode()
    assert "我的维修单" in login(worker).get(home).content.decode()
    assert "报修待确认" in login(teacher).get(home).content.decode()


def test_the_navigation_offers_repairs(login, teacher, manager):
    assert reverse("repairs:mine") in login(teacher).get(reverse("dashboard:home")).content.decode()
    page = login(manager).get(reverse("dashboard:home")).content.decode()
    assert reverse("repairs:queue") in page and reverse("repairs:vendor_list") in page
