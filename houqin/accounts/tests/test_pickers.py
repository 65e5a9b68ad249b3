from houqin.org.tests.factories import PlaceFactory


def test_it_finds_people_by_pinyin_initials(login, manager, school, make_staff):
    make_staff(school, name="朱志刚")
    response = login(manager).get("/accounts/pick/people/", {"q": "zj"})
    body = response.content.decode()
    assert "周静" in body
    assert "朱志刚" not in body


def test_it_finds_people_by_name(login, manager):
    response = login(manager).get("/accounts/pick/people/", {"q": "周"})
    assert "周静" in response.content.decode()


def test_it_never_offers_people_of_another_school(login, manager, other_school, make_staff):
    make_staff(other_school, name="周杰")
    response = login(manager).get("/accounts/pick/people/", {"q": "zj"})
    assert "周杰" not in response.content.decode()


def test_it_finds_places_by_initials_and_code(login, manager, school):
    campus = school.campus_set.get()
    place = PlaceFactory(
        school=school, campus=campus, building=None, floor=None, name="母婴室", code="MY-01"
    )
    client = login(manager)
    assert place.full_name in client.get("/org/pick/places/", {"q": "my"}).content.decode()
    assert place.full_name in client.get("/org/pick/places/", {"q": "MY-"}).content.decode()
