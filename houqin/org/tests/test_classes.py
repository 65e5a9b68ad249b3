import pytest

from houqin.org.models import Grade, SchoolClass
from houqin.org.tests.factories import GradeFactory, PlaceFactory, SchoolClassFactory


@pytest.fixture
def campus(school):
    return school.campus_set.get()


@pytest.fixture
def grade(campus):
    return GradeFactory(campus=campus, number=3)


def test_it_lists_classes_by_grade_with_teacher_and_room(login, teacher, school, campus, grade):
    room = PlaceFactory(school=school, campus=campus, name="301教室")
    SchoolClassFactory(grade=grade, number=2, head_teacher=teacher, room=room)
    body = login(teacher).get("/org/classes/").content.decode()
    assert "本部校区" in body
    assert "三年级" in body
    assert "3(2)中队" in body
    assert "张老师" in body
    assert "301教室" in body
    assert "新建班级" not in body


def test_it_shows_an_empty_state(login, teacher):
    assert "还没有年级和班级" in login(teacher).get("/org/classes/").content.decode()


def test_it_lists_archived_classes_apart(login, manager, grade):
    SchoolClassFactory(grade=grade, number=1, name="在用中队")
    old = SchoolClassFactory(grade=grade, number=2, name="停用中队")
    old.archive(by=manager.user)
    client = login(manager)
    assert "停用中队" not in client.get("/org/classes/").content.decode()
    body = client.get("/org/classes/", {"archived": "1"}).content.decode()
    assert "停用中队" in body
    assert "在用中队" not in body


def test_it_renders_only_the_results_for_htmx(login, teacher, grade):
    response = login(teacher).get("/org/classes/", headers={"HX-Request": "true"})
    assert "三年级" in response.content.decode()
    assert "hq-page-header" not in response.content.decode()


def test_it_lists_many_classes_in_few_queries(
    login, teacher, school, campus, make_staff, django_assert_max_num_queries
):
    room = PlaceFactory(school=school, campus=campus)
    for number in range(1, 7):
        grade = GradeFactory(campus=campus, number=number, leader=make_staff(school))
        for n in range(1, 6):
            SchoolClassFactory(grade=grade, number=n, head_teacher=teacher, room=room)
    client = login(teacher)
    with django_assert_max_num_queries(13):
        response = client.get("/org/classes/")
    assert response.content.decode().count("中队</a>") == 30


def test_it_never_lists_another_schools_classes(login, teacher, other_school):
    grade = GradeFactory(campus=other_school.campus_set.get(), number=1)
    SchoolClassFactory(grade=grade, name="别校中队")
    assert "别校中队" not in login(teacher).get("/org/classes/").content.decode()


def test_it_creates_a_grade(login, manager, school, campus, teacher):
    response = login(manager).post(
        "/org/grades/new/", {"campus": campus.pk, "number": 4, "leader": teacher.pk}
    )
    assert response.status_code == 302
    grade = Grade.objects.get()
    assert (grade.school, grade.name, grade.leader) == (school, "四年级", teacher)


def test_it_refuses_a_duplicate_grade(login, manager, campus, grade):
    response = login(manager).post("/org/grades/new/", {"campus": campus.pk, "number": 3})
    assert "该校区已有这个年级" in response.content.decode()
    assert Grade.objects.count() == 1


def test_it_refuses_another_schools_campus(login, manager, other_school):
    response = login(manager).post(
        "/org/grades/new/", {"campus": other_school.campus_set.get().pk, "number": 1}
    )
    assert response.status_code == 200
    assert not Grade.objects.exists()


def test_it_creates_a_class_named_by_default(login, manager, school, campus, grade, teacher):
    room = PlaceFactory(school=school, campus=campus)
    response = login(manager).post(
        "/org/classes/new/",
        {
            "grade": grade.pk,
            "number": 2,
            "head_teacher": teacher.pk,
            "room": room.pk,
            "student_count": 42,
        },
    )
    school_class = SchoolClass.objects.get()
    assert response.status_code == 302
    assert school_class.school == school
    assert school_class.name == "3(2)中队"
    assert (school_class.head_teacher, school_class.room) == (teacher, room)


def test_it_refuses_a_duplicate_class_number(login, manager, grade):
    SchoolClassFactory(grade=grade, number=2)
    response = login(manager).post(
        "/org/classes/new/", {"grade": grade.pk, "number": 2, "student_count": 0}
    )
    assert "该年级已有这个班号" in response.content.decode()
    assert SchoolClass.objects.count() == 1


def test_it_refuses_a_room_of_another_school(login, manager, other_school, grade):
    room = PlaceFactory(school=other_school, campus=other_school.campus_set.get())
    response = login(manager).post(
        "/org/classes/new/", {"grade": grade.pk, "number": 1, "student_count": 0, "room": room.pk}
    )
    assert response.status_code == 200
    assert not SchoolClass.objects.exists()


def test_it_creates_classes_for_a_grade_in_bulk(login, manager, grade):
    SchoolClassFactory(grade=grade, number=2, name="老二班")
    response = login(manager).post(f"/org/grades/{grade.pk}/classes/", {"count": 4})
    assert response.status_code == 302
    names = list(
        SchoolClass.objects.filter(grade=grade).order_by("number").values_list("name", flat=True)
    )
    assert names == ["3(1)中队", "老二班", "3(3)中队", "3(4)中队"]


def test_it_refuses_a_bulk_count_out_of_range(login, manager, grade):
    response = login(manager).post(f"/org/grades/{grade.pk}/classes/", {"count": 0})
    assert response.status_code == 200
    assert not SchoolClass.objects.exists()


def test_it_shows_class_history_after_an_edit(login, manager, grade):
    school_class = SchoolClassFactory(grade=grade, number=1)
    client = login(manager)
    client.post(
        f"/org/classes/{school_class.pk}/edit/",
        {"grade": grade.pk, "number": 1, "name": "3(1)雏鹰中队", "student_count": 40},
    )
    body = client.get(f"/org/classes/{school_class.pk}/").content.decode()
    assert "3(1)雏鹰中队" in body
    assert "<del>" in body


def test_it_archives_and_restores_a_class(login, manager, grade):
    school_class = SchoolClassFactory(grade=grade)
    client = login(manager)
    client.post(f"/org/classes/{school_class.pk}/archive/", {"reason": "合班"})
    school_class.refresh_from_db()
    assert not school_class.is_active
    client.post(f"/org/classes/{school_class.pk}/restore/")
    school_class.refresh_from_db()
    assert school_class.is_active


def test_it_forbids_reading_without_view_org(login, school, make_staff):
    assert login(make_staff(school)).get("/org/classes/").status_code == 403


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/org/grades/new/"),
        ("get", "/org/grades/{grade}/edit/"),
        ("get", "/org/grades/{grade}/classes/"),
        ("get", "/org/classes/new/"),
        ("get", "/org/classes/{cls}/edit/"),
        ("post", "/org/classes/{cls}/archive/"),
        ("post", "/org/classes/{cls}/restore/"),
    ],
)
def test_it_forbids_managing_without_the_permission(login, teacher, grade, method, url):
    school_class = SchoolClassFactory(grade=grade)
    url = url.format(grade=grade.pk, cls=school_class.pk)
    assert getattr(login(teacher), method)(url).status_code == 403


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/org/grades/{grade}/edit/"),
        ("get", "/org/grades/{grade}/classes/"),
        ("get", "/org/classes/{cls}/"),
        ("get", "/org/classes/{cls}/edit/"),
        ("post", "/org/classes/{cls}/archive/"),
        ("post", "/org/classes/{cls}/restore/"),
    ],
)
def test_it_hides_another_schools_grades_and_classes(login, manager, other_school, method, url):
    grade = GradeFactory(campus=other_school.campus_set.get(), number=1)
    school_class = SchoolClassFactory(grade=grade)
    url = url.format(grade=grade.pk, cls=school_class.pk)
    assert getattr(login(manager), method)(url).status_code == 404


def test_it_refuses_class_number_zero(login, manager, grade):
    response = login(manager).post(
        "/org/classes/new/", {"grade": grade.pk, "number": 0, "student_count": 0}
    )
    assert "确保该值大于或等于1" in response.content.decode()
    assert not SchoolClass.objects.exists()
