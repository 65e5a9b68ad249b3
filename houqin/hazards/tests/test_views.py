"""The hazard screens through HTTP: 隐患上报 (from a scan, a repair, with photos, a manager
assigning at once), 我上报的, 我的整改, the 隐患台账 with its filters, one hazard with the
actions each person may take, the repair page's link, 我的工作 — with 403/404, Chinese
errors that keep what was typed, and bounded queries on the lists."""

import uuid
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from houqin.accounts.roles import Position
from houqin.files.services import attachments_for
from houqin.files.tests.factories import jpeg_upload
from houqin.hazards.models import Domain, Grade, Hazard, HazardPlan, Source, Status
from houqin.hazards.tests.factories import HazardFactory, HazardPlanFactory
from houqin.org.tests.factories import BuildingFactory
from houqin.patrols.models import Answer, Checklist, ChecklistItem, ChecklistVersion, Round
from houqin.qr.models import QrCode
from houqin.repairs.models import Category, RepairRequest, Urgency
from houqin.repairs.tests.factories import RepairRequestFactory, place_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(school):
    return place_in(school, name="实验楼走廊", code="B201")


@pytest.fixture
def other_manager(school, make_staff):
    return make_staff(school, Position.LOGISTICS_MANAGER, name="吴主任")


@pytest.fixture
def nobody(school, make_staff):
    """A person of the school who holds no position, so no permission."""
    return make_staff(school, name="无岗位")


def _report_data(place, **overrides):
    data = {
        "place": place.pk if place else "",
        "location_note": "",
        "domain": Domain.FIRE,
        "grade": Grade.GENERAL,
        "title": "安全出口指示灯不亮",
        "detail": "",
    }
    data.update(overrides)
    return data


def _url(name, hazard):
    return reverse(f"hazards:{name}", args=[hazard.pk])


# ---------------------------------------------------------------------------------------
# 隐患上报


def test_it_prefills_the_place_from_a_scan(login, teacher, place):
    response = login(teacher).get(reverse("hazards:report") + f"?place={place.pk}")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'value="{place.pk}"' in html and "实验楼走廊" in html
    assert "校车和交通" in html  # the domains as big buttons
    assert 'capture="environment"' in html  # the camera
    assert "直接指派整改" not in html  # only managers assign while reporting


def test_scanning_a_place_for_a_hazard_opens_the_form(login, teacher, place):
    token = QrCode.objects.for_object(place).token
    response = login(teacher).get(f"/q/{token}?for=hazard")
    assert response["Location"] == f"/hazards/report/?place={place.pk}"


def test_it_ignores_another_schools_place_in_the_link(login, teacher, other_school):
    theirs = place_in(other_school, name="别校教室")
    html = login(teacher).get(reverse("hazards:report") + f"?place={theirs.pk}").content.decode()
    assert "没有找到这个场所" in html and "别校教室" not in html


def test_it_prefills_from_a_repair(login, school, place):
    repair = RepairRequestFactory(place=place, category=Category.FIRE_EQUIPMENT, assigned=True)
    client = login(repair.assignee)
    response = client.get(reverse("hazards:report") + f"?repair={repair.pk}")
    html = response.content.decode()
    assert repair.number in html and f'value="{place.pk}"' in html
    assert response.context["form"]["domain"].value() == Domain.FIRE
    response = client.post(
        reverse("hazards:report"), _report_data(place, repair=repair.pk, title="消火栓漏水")
    )
    hazard = Hazard.objects.get()
    assert response["Location"] == _url("detail", hazard)
    assert hazard.repair == repair and hazard.source == Source.REPAIR


def test_it_refuses_a_repair_one_cannot_see(login, teacher, place):
    repair = RepairRequestFactory(place=place)
    html = login(teacher).get(reverse("hazards:report") + f"?repair={repair.pk}").content.decode()
    assert "没有找到这张报修单" in html
    login(teacher).post(reverse("hazards:report"), _report_data(place, repair=repair.pk))
    assert Hazard.objects.get().repair is None


def test_it_reports_with_photos(login, teacher, manager, place):
    data = _report_data(place, detail="二楼东侧", photos=[jpeg_upload(), jpeg_upload("2.jpg")])
    response = login(teacher).post(reverse("hazards:report"), data)
    hazard = Hazard.objects.get()
    assert response.status_code == 302 and response["Location"] == _url("detail", hazard)
    assert hazard.reported_by == teacher and hazard.status == Status.REPORTED
    assert len(attachments_for(hazard, role="found")) == 2
    page = login(teacher).get(response["Location"]).content.decode()
    assert f"已上报隐患，编号 {hazard.number}" in page


def test_a_bad_report_keeps_what_was_typed(login, teacher, place):
    response = login(teacher).post(
        reverse("hazards:report"),
        _report_data(None, domain="", title="楼梯扶手松动", photos=[jpeg_upload()]),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "请选择隐患类别。" in html
    assert "请选择隐患地点，或填写具体位置。" in html
    assert "楼梯扶手松动" in html
    assert "请重新选择照片" in html
    assert not Hazard.objects.exists()


def test_a_manager_assigns_while_reporting(login, manager, teacher, place):
    client = login(manager)
    assert "直接指派整改" in client.get(reverse("hazards:report")).content.decode()
    client.post(
        reverse("hazards:report"),
        _report_data(place, owner=teacher.pk, deadline=timezone.localdate() + timedelta(days=5)),
    )
    hazard = Hazard.objects.get()
    assert hazard.owner == teacher and hazard.status == Status.RECTIFYING


def test_reporting_needs_the_permission(client, login, nobody):
    assert login(nobody).get(reverse("hazards:report")).status_code == 403
    client.logout()
    assert client.get(reverse("hazards:report")).status_code == 302  # to the login


# ---------------------------------------------------------------------------------------
# Lists


def _many(school, count, **fields):
    for _ in range(count):
        HazardFactory(school=school, **fields)


def test_my_reports_run_a_bounded_number_of_queries(
    login, teacher, school, django_assert_max_num_queries
):
    client = login(teacher)
    _many(school, 2, reported_by=teacher)
    client.get(reverse("hazards:mine"))
    with django_assert_max_num_queries(15) as few:
        client.get(reverse("hazards:mine"))
    _many(school, 12, reported_by=teacher, rectifying=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("hazards:mine"))
    assert response.content.decode().count('data-testid="hazard-item"') == 14


def test_my_reports_split_open_and_done(login, teacher, school):
    HazardFactory(school=school, reported_by=teacher, title="未处理的")
    HazardFactory(school=school, reported_by=teacher, closed=True, title="已销号的")
    HazardFactory(school=school, title="别人的")
    client = login(teacher)
    html = client.get(reverse("hazards:mine")).content.decode()
    assert "未处理的" in html and "已销号的" not in html and "别人的" not in html
    html = client.get(reverse("hazards:mine") + "?tab=done").content.decode()
    assert "已销号的" in html and "未处理的" not in html


def test_my_tasks_run_a_bounded_number_of_queries(
    login, teacher, school, django_assert_max_num_queries
):
    client = login(teacher)
    _many(school, 2, owner=teacher, status=Status.RECTIFYING, deadline=date(2026, 1, 5))
    client.get(reverse("hazards:tasks"))
    with django_assert_max_num_queries(15) as few:
        client.get(reverse("hazards:tasks"))
    _many(school, 12, owner=teacher, status=Status.RECTIFYING, deadline=date(2026, 1, 5))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("hazards:tasks"))
    html = response.content.decode()
    assert html.count('data-testid="hazard-item"') == 14
    assert "有 14 条隐患已超过整改期限" in html
    assert html.count('data-testid="overdue"') == 14


def test_the_register_runs_a_bounded_number_of_queries(
    login, manager, school, django_assert_max_num_queries
):
    client = login(manager)
    _many(school, 3)
    client.get(reverse("hazards:list"))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("hazards:list"))
    _many(school, 20, rectifying=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("hazards:list"))
    assert response.content.decode().count('data-testid="hazard-item"') == 23


def test_the_register_is_for_its_managers(login, teacher, make_staff, school):
    assert login(teacher).get(reverse("hazards:list")).status_code == 403
    principal = make_staff(school, Position.PRINCIPAL)
    assert login(principal).get(reverse("hazards:list")).status_code == 200


def test_the_register_filters(login, manager, school, teacher):
    building = BuildingFactory(school=school, campus=school.campus_set.first(), name="实验楼")
    lab = place_in(school, floor__building=building, name="化学实验室")
    late = HazardFactory(
        place=lab,
        domain=Domain.LABS,
        grade=Grade.MAJOR,
        owner=teacher,
        status=Status.RECTIFYING,
        deadline=date(2026, 1, 5),
        title="通风橱故障",
    )
    other = HazardFactory(school=school, title="围墙裂缝", domain=Domain.BUILDINGS)
    closed = HazardFactory(school=school, closed=True, title="已修好的")
    client = login(manager)
    url = reverse("hazards:list")

    def shown(query=""):
        html = client.get(f"{url}?{query}").content.decode()
        return {h.title for h in (late, other, closed) if h.title in html}

    assert shown() == {"通风橱故障", "围墙裂缝"}
    assert shown("status=all") == {"通风橱故障", "围墙裂缝", "已修好的"}
    assert shown("status=closed") == {"已修好的"}
    assert shown("status=open&domain=labs") == {"通风橱故障"}
    assert shown("grade=major") == {"通风橱故障"}
    assert shown(f"building={building.pk}") == {"通风橱故障"}
    assert shown("overdue=1") == {"通风橱故障"}
    assert shown(f"owner={teacher.pk}") == {"通风橱故障"}
    assert shown("q=围墙") == {"围墙裂缝"}
    assert shown(f"q={late.number}") == {"通风橱故障"}
    assert shown("q=化学") == {"通风橱故障"}
    response = client.get(f"{url}?grade=major", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "通风橱故障" in html and "<html" not in html  # only the results


def test_the_register_counts(login, manager, school):
    HazardFactory(school=school)
    HazardFactory(school=school, rectified=True)
    HazardFactory(school=school, major=True, rectifying=True, deadline=date(2026, 1, 5))
    html = login(manager).get(reverse("hazards:list")).content.decode()
    for text in ("未销号 3", "待指派 1", "待验证 1", "超期 1", "重大隐患 1"):
        assert text in html


# ---------------------------------------------------------------------------------------
# One hazard


def test_another_schools_hazard_is_a_404(login, manager, other_school):
    theirs = HazardFactory(school=other_school)
    client = login(manager)
    assert client.get(_url("detail", theirs)).status_code == 404
    assert client.post(_url("assign", theirs), {}).status_code == 404


def test_a_teacher_sees_only_their_own_hazards(login, teacher, school):
    mine = HazardFactory(school=school, reported_by=teacher)
    theirs = HazardFactory(school=school)
    client = login(teacher)
    assert client.get(_url("detail", mine)).status_code == 200
    assert client.get(_url("detail", theirs)).status_code == 404
    assert client.post(_url("rectify", theirs), {"note": "x"}).status_code == 404


def test_the_detail_needs_the_permission(login, nobody, school):
    hazard = HazardFactory(school=school, reported_by=nobody)
    assert login(nobody).get(_url("detail", hazard)).status_code == 403


def test_the_reporter_sees_the_facts_but_no_actions(login, teacher, school):
    hazard = HazardFactory(school=school, reported_by=teacher, detail="二楼东侧")
    html = login(teacher).get(_url("detail", hazard)).content.decode()
    assert hazard.number in html and "二楼东侧" in html and "待指派" in html
    for testid in ("assign", "rectify", "verify", "more-actions", "history"):
        assert f'data-testid="{testid}"' not in html
    assert 'data-testid="timeline"' in html


def test_a_manager_assigns_through_the_page(login, manager, teacher, school):
    hazard = HazardFactory(school=school)
    client = login(manager)
    html = client.get(_url("detail", hazard)).content.decode()
    assert 'data-testid="assign"' in html and 'data-testid="history"' in html
    deadline = timezone.localdate() + timedelta(days=7)
    response = client.post(
        _url("assign", hazard), {"owner": teacher.pk, "deadline": deadline, "note": ""}
    )
    assert response["Location"] == _url("detail", hazard)
    hazard.refresh_from_db()
    assert hazard.owner == teacher and hazard.deadline == deadline
    assert hazard.status == Status.RECTIFYING


def test_a_bad_assignment_shows_why(login, manager, school):
    hazard = HazardFactory(school=school)
    response = login(manager).post(_url("assign", hazard), {"owner": "", "deadline": "2026-13-40"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "请选择整改责任人。" in html and "请输入日期" in html
    response = login(manager).post(
        _url("assign", hazard), {"owner": hazard.reported_by.pk, "deadline": "2020-01-01"}
    )
    assert "整改期限不能早于今天。" in response.content.decode()
    hazard.refresh_from_db()
    assert hazard.status == Status.REPORTED


def test_a_teacher_cannot_take_a_managers_action(login, teacher, school):
    hazard = HazardFactory(school=school, owner=teacher, status=Status.RECTIFYING)
    client = login(teacher)
    for action in ("assign", "regrade", "verify", "void"):
        assert client.post(_url(action, hazard), {}).status_code == 403, action
    assert client.get(_url("rectify", hazard)).status_code == 405


def test_the_owner_rectifies_with_photos(login, teacher, school, manager):
    hazard = HazardFactory(school=school, owner=teacher, status=Status.RECTIFYING)
    client = login(teacher)
    html = client.get(_url("detail", hazard)).content.decode()
    assert 'data-testid="rectify"' in html and 'data-testid="verify"' not in html
    response = client.post(
        _url("rectify", hazard), {"note": "已更换指示灯", "photos": [jpeg_upload()]}
    )
    assert response["Location"] == _url("detail", hazard)
    hazard.refresh_from_db()
    assert hazard.status == Status.RECTIFIED and hazard.rectified_by == teacher
    assert len(attachments_for(hazard, role="after")) == 1
    html = client.get(_url("detail", hazard)).content.decode()
    assert "已登记整改完成，等待验证。" in html


def test_the_fixer_is_told_to_ask_another_manager(login, manager, other_manager, school):
    hazard = HazardFactory(school=school, owner=manager, status=Status.RECTIFYING)
    client = login(manager)
    client.post(_url("rectify", hazard), {"note": "当场处理"})
    html = client.get(_url("detail", hazard)).content.decode()
    assert 'data-testid="own-rectification"' in html and 'data-testid="verify"' not in html
    response = client.post(_url("verify", hazard), {"result": "pass", "note": ""})
    assert "整改人不能验证自己的整改" in response.content.decode()
    hazard.refresh_from_db()
    assert hazard.status == Status.RECTIFIED

    other = login(other_manager)
    assert 'data-testid="verify"' in other.get(_url("detail", hazard)).content.decode()
    other.post(_url("verify", hazard), {"result": "pass", "note": "复查合格"})
    hazard.refresh_from_db()
    assert hazard.status == Status.CLOSED and hazard.verified_by == other_manager


def test_a_failed_verification_goes_back_to_the_owner(login, manager, teacher, school):
    hazard = HazardFactory(school=school, owner=teacher, rectified=True)
    client = login(manager)
    response = client.post(_url("verify", hazard), {"result": "fail", "note": ""})
    assert "请写明哪里没有整改到位。" in response.content.decode()
    client.post(_url("verify", hazard), {"result": "fail", "note": "二楼那只还不亮"})
    hazard.refresh_from_db()
    assert hazard.status == Status.RECTIFYING and hazard.reopen_count == 1
    html = login(teacher).get(_url("detail", hazard)).content.decode()
    assert 'data-testid="last-verification"' in html and "二楼那只还不亮" in html


def test_a_major_hazard_asks_for_its_plan_first(login, teacher, school, manager):
    hazard = HazardFactory(school=school, major=True, owner=teacher, status=Status.RECTIFYING)
    client = login(teacher)
    html = client.get(_url("detail", hazard)).content.decode()
    assert 'data-testid="rectify-blocked"' in html and 'data-testid="plan-form"' in html
    assert 'data-testid="rectify"' not in html
    deadline = timezone.localdate() + timedelta(days=30)
    data = {
        "goal": "消除外墙脱落风险",
        "measures": "搭设防护棚",
        "funds": "",
        "people": "王主任",
        "deadline": "",
        "emergency_plan": "围挡",
    }
    response = client.post(_url("plan", hazard), data)
    assert "请填写完成时限。" in response.content.decode()
    assert not HazardPlan.objects.exists()
    client.post(_url("plan", hazard), {**data, "deadline": deadline, "funds": "12000.50"})
    hazard.refresh_from_db()
    assert hazard.plan.funds == 12000.50 and hazard.deadline == deadline
    html = client.get(_url("detail", hazard)).content.decode()
    assert 'data-testid="plan"' in html and 'data-testid="rectify"' in html


def test_a_refused_plan_is_not_shown_as_saved(login, manager, school):
    plan = HazardPlanFactory(hazard__school=school, hazard__rectifying=True)
    data = {
        "goal": "改过的目标",
        "measures": "x",
        "people": "x",
        "deadline": "2020-01-01",
        "emergency_plan": "x",
    }
    response = login(manager).post(_url("plan", plan.hazard), data)
    html = response.content.decode()
    assert "完成时限不能早于今天。" in html
    plan.refresh_from_db()
    assert plan.goal == "消除隐患，恢复正常使用"


def test_a_hazard_turns_into_a_repair(login, teacher, school):
    hazard = HazardFactory(school=school, owner=teacher, status=Status.RECTIFYING)
    client = login(teacher)
    response = client.post(
        _url("to_repair", hazard),
        {"category": Category.DOORS_WINDOWS, "urgency": Urgency.URGENT, "description": "换锁"},
    )
    repair = RepairRequest.objects.get()
    assert response["Location"] == _url("detail", hazard)
    hazard.refresh_from_db()
    assert hazard.repair == repair
    html = client.get(_url("detail", hazard)).content.decode()
    assert f"已转报修，报修单号 {repair.number}" in html
    assert 'data-testid="hazard-repair"' in html and 'data-testid="rectify-blocked"' in html


def test_a_manager_regrades_and_voids(login, manager, school, make_staff):
    principal = make_staff(school, Position.PRINCIPAL)
    hazard = HazardFactory(school=school)
    client = login(manager)
    client.post(_url("regrade", hazard), {"grade": Grade.MAJOR, "note": "需停用"})
    hazard.refresh_from_db()
    assert hazard.grade == Grade.MAJOR
    assert principal.user.notifications.count() == 1
    response = client.post(_url("void", hazard), {"reason": ""})
    assert "请填写作废原因。" in response.content.decode()
    client.post(_url("void", hazard), {"reason": "重复上报"})
    hazard.refresh_from_db()
    assert hazard.status == Status.VOID


def test_the_patrol_answers_that_found_it_are_shown(login, manager, school, place):
    checklist = Checklist.objects.create(school=school, name="日巡视", kind="daily_patrol")
    version = ChecklistVersion.objects.create(
        checklist=checklist, number=1, published_at=timezone.now()
    )
    item = ChecklistItem.objects.create(version=version, key="exit", text="安全出口畅通")
    hazard = HazardFactory(place=place, source=Source.PATROL)
    patrol = Round.objects.create(
        school=school,
        client_uuid=uuid.uuid4(),
        checklist_version=version,
        place=place,
        patroller=manager,
        started_at=timezone.now(),
    )
    Answer.objects.create(
        client_uuid=uuid.uuid4(),
        round=patrol,
        item=item,
        place=place,
        result="fail",
        note="堆放桌椅",
        answered_at=timezone.now(),
        hazard=hazard,
    )
    html = login(manager).get(_url("detail", hazard)).content.decode()
    assert 'data-testid="answers"' in html
    assert "安全出口畅通" in html and "堆放桌椅" in html
    assert reverse("patrols:round_detail", args=[patrol.pk]) in html


# ---------------------------------------------------------------------------------------
# Elsewhere: the repair page, 我的工作


def test_the_repair_page_links_its_hazards(login, teacher, place):
    repair = RepairRequestFactory(place=place, reporter=teacher)
    hazard = HazardFactory(place=place, repair=repair, title="电线裸露")
    html = login(teacher).get(reverse("repairs:detail", args=[repair.pk])).content.decode()
    assert f"/hazards/report/?repair={repair.pk}" in html
    assert "电线裸露" in html and _url("detail", hazard) in html


def test_my_work_shows_hazards_to_fix_and_to_verify(login, teacher, manager, school):
    HazardFactory(school=school, owner=teacher, status=Status.RECTIFYING, deadline=date(2026, 1, 5))
    HazardFactory(school=school, rectified=True)
    HazardFactory(school=school)
    html = login(teacher).get(reverse("dashboard:home")).content.decode()
    assert "我的隐患整改" in html and "其中 1 条已超过整改期限" in html
    assert "上报隐患" in html
    html = login(manager).get(reverse("dashboard:home")).content.decode()
    assert "隐患待指派" in html and "隐患待验证" in html and "隐患超期" in html
