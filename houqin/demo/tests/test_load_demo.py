from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.core.management import call_command

from houqin.accounts.models import Staff, User
from houqin.accounts.roles import Position
from houqin.demo.demo_school import DEMO_PASSWORD
from houqin.org.models import (
    AcademicYear,
    Building,
    CalendarDay,
    Campus,
    Grade,
    Place,
    PlaceType,
    School,
    SchoolClass,
    Term,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _load(**options):
    out = StringIO()
    call_command("load_demo", stdout=out, **options)
    return out.getvalue()


def _row_counts():
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


@pytest.fixture
def demo():
    _load(quiet=True)
    return School.objects.get(code="SZSY")


def test_it_changes_nothing_when_run_twice(demo):
    counts = _row_counts()
    log_entries = LogEntry.objects.count()
    password = User.objects.get(username="zhoujing").password
    output = _load()
    assert _row_counts() == counts
    assert LogEntry.objects.count() == log_entries
    assert User.objects.get(username="zhoujing").password == password
    assert "zhoujing" in output and "周静" in output


def test_it_prints_nothing_when_quiet(db):
    assert _load(quiet=True) == ""


def test_it_lets_zhoujing_sign_in_with_the_demo_password(demo, client):
    response = client.post(
        "/accounts/login/", {"username": "zhoujing", "password": DEMO_PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert "我的工作" in response.content.decode()
    assert response.context["user"].username == "zhoujing"


NAMED_PEOPLE = [
    ("zhoujing", "周静", Position.LOGISTICS_MANAGER),
    ("zhuzhigang", "朱志刚", Position.LOGISTICS_MANAGER),
    ("xiefeng", "谢丰", Position.VICE_PRINCIPAL),
    ("liuwei", "刘伟", Position.DUTY_ADMIN),
    ("wangjiajia", "王佳佳", Position.UNION_CHAIR),
    ("wangjiajia", "王佳佳", Position.TEACHER),
    ("liugang", "刘刚", Position.ASSET_CLERK),
    ("taoxiangming", "陶向明", Position.MAINTENANCE_STAFF),
    ("chenliqun", "陈立群", Position.PRINCIPAL),
    ("admin", "系统管理员", Position.SYSTEM_ADMIN),
    ("security", "安全管理员", Position.SECURITY_ADMIN),
    ("audit", "审计管理员", Position.AUDIT_ADMIN),
    ("district", "郑文博", Position.DISTRICT_OFFICER),
]


def test_it_creates_the_named_people(demo):
    for username, name, position in NAMED_PEOPLE:
        staff = Staff.objects.get(user__username=username)
        assert staff.name == name
        assert position in staff.positions, username


def test_it_keeps_the_separated_administrators_apart(demo):
    assert User.objects.get(username="admin").is_staff
    assert not User.objects.get(username="admin").is_superuser
    for username in ("admin", "security", "audit"):
        assert len(Staff.objects.get(user__username=username).positions) == 1
    officer = Staff.objects.get(user__username="district")
    assert officer.school is None
    assert officer.district.name == "善真区"


def test_it_builds_the_school_like_the_plan(demo):
    assert demo.name == "善真实验学校"
    assert demo.short_name == "善真学校"
    assert set(Campus.objects.filter(school=demo).values_list("code", flat=True)) == {
        "MAIN",
        "BRANCH",
    }
    assert Building.objects.get(school=demo, name="沛学楼").floors_above == 5
    places = Place.objects.filter(school=demo)
    assert places.filter(place_type=PlaceType.TOILET).count() >= 4
    for name in ("基建区域", "工会之家", "母婴室", "学生餐厅", "教工餐厅", "操场"):
        assert places.filter(name=name).exists(), name
    assert places.get(code="JJ").place_type == PlaceType.CONSTRUCTION
    assert places.get(code="ST-102").place_type == PlaceType.KITCHEN
    assert places.filter(building__name="沛学楼", place_type=PlaceType.CLASSROOM).exists()
    assert places.get(code="PX-1F-WC-M").building.name == "沛学楼"


def test_it_gives_every_class_a_class_teacher_and_a_room(demo):
    classes = SchoolClass.objects.filter(school=demo).select_related("head_teacher", "grade")
    assert classes.filter(grade__campus__code="MAIN").count() == 36
    assert classes.get(grade__campus__code="MAIN", grade__number=1, number=1).name == "一(1)中队"
    for school_class in classes:
        assert school_class.head_teacher is not None
        assert school_class.room is not None
        assert 40 <= school_class.student_count <= 45
        assert Position.CLASS_TEACHER in school_class.head_teacher.positions
    assert len({c.head_teacher_id for c in classes}) == classes.count()
    assert len({c.room_id for c in classes}) == classes.count()
    grades = Grade.objects.filter(school=demo)
    assert grades.filter(campus__code="MAIN").count() == 9
    assert not grades.filter(leader=None).exists()


def test_it_limits_branch_security_to_the_branch_campus(demo):
    guards = Staff.objects.filter(school=demo, appointments__position=Position.SECURITY_STAFF)
    branch = [g for g in guards if {a.campus_id for a in g.appointments.all()} != {None}]
    assert branch
    assert all(a.campus.code == "BRANCH" for g in branch for a in g.appointments.all())


def test_it_has_enough_teachers_with_unique_pinyin_usernames(demo):
    teachers = Staff.objects.filter(school=demo, appointments__position=Position.TEACHER)
    assert 60 <= teachers.distinct().count() <= 90
    usernames = list(User.objects.values_list("username", flat=True))
    assert len(usernames) == len(set(usernames))


def test_it_sets_up_the_school_years_and_no_invented_holidays(demo):
    assert set(AcademicYear.objects.filter(school=demo).values_list("name", flat=True)) == {
        "2025-2026",
        "2026-2027",
    }
    term = Term.objects.get(school=demo, academic_year__name="2026-2027", name="第一学期")
    assert (term.start.isoformat(), term.end.isoformat()) == ("2026-09-01", "2027-01-22")
    spring = Term.objects.get(school=demo, academic_year__name="2026-2027", name="第二学期")
    assert (spring.start.isoformat(), spring.end.isoformat()) == ("2027-02-22", "2027-07-02")
    assert not CalendarDay.objects.filter(school=None, day__year=2027).exists()
