import pytest

from houqin.org.tests.factories import PlaceFactory
from houqin.qr.models import TOKEN_ALPHABET, TOKEN_LENGTH, QrCode
from houqin.qr.places import find_place
from houqin.qr.registry import find, normalise

pytestmark = pytest.mark.django_db


def test_it_gives_a_record_one_short_unambiguous_token(place):
    code = QrCode.objects.for_object(place)
    assert len(code.token) == TOKEN_LENGTH
    assert set(code.token) <= set(TOKEN_ALPHABET)
    assert not set(code.token) & set("01OIL")
    assert code.school == place.school
    assert QrCode.objects.for_object(place) == code


def test_it_keeps_the_token_when_the_place_is_renamed_and_recoded(place):
    token = QrCode.objects.for_object(place).token
    place.code, place.name = "B502", "科学实验室"
    place.save()
    assert QrCode.objects.for_object(place).token == token
    assert QrCode.objects.for_objects([place]) == {place.pk: token}


def test_it_makes_missing_tokens_in_bulk(place, django_assert_max_num_queries):
    existing = QrCode.objects.for_object(place).token
    others = PlaceFactory.create_batch(5, floor=place.floor)
    with django_assert_max_num_queries(4):
        tokens = QrCode.objects.for_objects([place, *others])
    assert tokens[place.pk] == existing
    assert len(set(tokens.values())) == 6
    assert QrCode.objects.count() == 6
    with django_assert_max_num_queries(2):
        assert QrCode.objects.for_objects([place, *others]) == tokens


def test_it_survives_a_token_collision(place, monkeypatch):
    taken = QrCode.objects.for_object(place).token
    second = PlaceFactory(floor=place.floor)
    fresh = iter([taken, "2345678923"])
    monkeypatch.setattr("houqin.qr.models.new_token", lambda: next(fresh))
    assert QrCode.objects.for_object(second).token == "2345678923"


def test_it_normalises_typed_codes():
    assert normalise("  ａ３０１　") == "a301"
    assert normalise("Ｐ：A301") == "P:A301"
    assert normalise("A3\u200b01") == "A301"


def test_it_finds_a_place_by_token_url_and_code(place, manager):
    token = QrCode.objects.for_object(place).token
    user, school = manager.user, place.school
    for text in (
        token,
        token.lower(),
        f"http://192.168.1.10:8000/q/{token}",
        f"https://houqin.example.cn/sub/q/{token}/",
        "a301",
        " Ａ３０１ ",
        "P:a301",
    ):
        found = find(user, school, text)
        assert [f.obj for f in found] == [place], text
    assert find(user, school, token)[0].by_token
    assert not find(user, school, "A301")[0].by_token


def test_it_finds_nothing_of_another_school(place, other_place, manager):
    other_token = QrCode.objects.for_object(other_place).token
    assert find(manager.user, place.school, other_token) == []
    assert [f.obj for f in find(manager.user, place.school, "A301")] == [place]


def test_it_prefers_the_exact_code_over_another_case(place):
    lower = PlaceFactory(floor=place.floor, code="a301")
    assert find_place(place.school, "a301") == lower
    assert find_place(place.school, "A301") == place
