"""Serving, uploading, removing and restoring through HTTP, with the access checks."""

import io

import pytest
from PIL import Image

from houqin.accounts.roles import Position
from houqin.files.models import Attachment
from houqin.files.services import attach, attachment_remove
from houqin.files.tests.factories import exe_upload, jpeg_upload, office_upload, pdf_upload


@pytest.fixture
def photo(place, manager):
    return attach(place, jpeg_upload("教室门锁.jpg", size=(90, 60)), by=manager.user)


@pytest.fixture
def document(place, manager):
    return attach(place, pdf_upload("验收单（第2批）.pdf"), by=manager.user)


@pytest.fixture
def foreign_photo(foreign_place, other_school, make_staff):
    owner = make_staff(other_school, Position.LOGISTICS_MANAGER)
    return attach(foreign_place, jpeg_upload(), by=owner.user)


def _content(response):
    return b"".join(response.streaming_content)


# Serving


def test_it_shows_a_photo_inline_to_a_teacher(login, teacher, photo):
    response = login(teacher).get(f"/files/{photo.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]
    assert Image.open(io.BytesIO(_content(response))).size == (90, 60)


def test_it_sends_the_thumbnail(login, teacher, photo, settings):
    settings.HOUQIN_THUMBNAIL_PX = 30
    response = login(teacher).get(f"/files/{photo.pk}/thumb/")
    assert response.status_code == 200
    assert Image.open(io.BytesIO(_content(response))).size[0] <= 90


def test_it_downloads_with_the_chinese_file_name(login, teacher, document):
    response = login(teacher).get(f"/files/{document.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert (
        "filename*=utf-8''%E9%AA%8C%E6%94%B6%E5%8D%95%EF%BC%88%E7%AC%AC2%E6%89%B9%EF%BC%89.pdf"
        in disposition
    )
    assert _content(response).startswith(b"%PDF-")


def test_it_downloads_a_converted_photo_as_jpg(login, teacher, place, manager):
    from houqin.files.tests.factories import png_upload

    attachment = attach(place, png_upload("截图.png"), by=manager.user)
    response = login(teacher).get(f"/files/{attachment.pk}/download/")
    assert "%E6%88%AA%E5%9B%BE.jpg" in response["Content-Disposition"]


def test_it_downloads_office_files_even_from_the_view_url(login, teacher, place, manager):
    attachment = attach(place, office_upload("报价单.xlsx"), by=manager.user)
    response = login(teacher).get(f"/files/{attachment.pk}/")
    assert response["Content-Disposition"].startswith("attachment;")


def test_it_hands_the_file_to_nginx_when_configured(login, teacher, photo, settings):
    settings.HOUQIN_ACCEL_REDIRECT_PREFIX = "/protected-media/"
    response = login(teacher).get(f"/files/{photo.pk}/")
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{photo.file.name}"
    assert response["Content-Type"] == "image/jpeg"
    assert response.content == b""
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("suffix", ["", "download/", "thumb/"])
def test_it_hides_another_schools_files(login, manager, foreign_photo, suffix):
    response = login(manager).get(f"/files/{foreign_photo.pk}/{suffix}")
    assert response.status_code == 404


def test_it_refuses_a_user_who_may_not_see_the_record(login, school, make_staff, photo):
    # A district officer of no school gets no school page at all; a school member without
    # org.view_org is refused by the record's rule.
    outsider = make_staff(school)  # no position: no permission
    assert login(outsider).get(f"/files/{photo.pk}/").status_code == 403


def test_it_hides_files_of_records_outside_a_campus_scope(
    login, school, make_staff, manager, photo
):
    from houqin.org.tests.factories import CampusFactory

    other_campus = CampusFactory(school=school, code="EAST", is_main=False)
    limited = make_staff(school, name="东校区管理员")
    limited.appointments.create(position=Position.LOGISTICS_MANAGER, campus=other_campus)
    assert login(limited).get(f"/files/{photo.pk}/").status_code == 404


def test_it_hides_a_removed_file_from_viewers_but_not_from_managers(
    client, login, teacher, manager, photo
):
    attachment_remove(photo, by=manager.user, reason="拍错了")
    assert login(teacher).get(f"/files/{photo.pk}/").status_code == 404
    assert login(manager).get(f"/files/{photo.pk}/").status_code == 200


def test_it_says_not_found_when_the_stored_file_is_gone(login, teacher, photo):
    photo.file.storage.delete(photo.file.name)
    assert login(teacher).get(f"/files/{photo.pk}/").status_code == 404


def test_it_asks_an_anonymous_visitor_to_sign_in(client, photo):
    response = client.get(f"/files/{photo.pk}/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# Upload


def _upload_url(place):
    return f"/files/org.place/{place.pk}/upload/"


def test_it_uploads_photos_from_the_card(login, manager, place):
    response = login(manager).post(
        _upload_url(place),
        {"files": [jpeg_upload("一.jpg"), jpeg_upload("二.jpg")], "next": "/org/places/"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('data-testid="attachment-thumb"') == 2
    assert 'data-testid="attachments"' in body
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["一.jpg", "二.jpg"]


def test_it_shows_the_error_in_the_card_and_stores_nothing(login, manager, place):
    response = login(manager).post(
        _upload_url(place),
        {"files": [jpeg_upload("好.jpg"), exe_upload("病毒.jpg")]},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert "“病毒.jpg”的文件类型不支持" in body
    assert Attachment.objects.count() == 0


def test_it_asks_for_a_file_when_none_was_chosen(login, manager, place):
    response = login(manager).post(_upload_url(place), {}, headers={"HX-Request": "true"})
    assert "请选择要上传的照片或文件" in response.content.decode()


def test_it_uploads_without_htmx_and_goes_back(login, manager, place):
    response = login(manager).post(
        _upload_url(place), {"files": [pdf_upload()], "next": f"/org/places/{place.pk}/"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/org/places/{place.pk}/"
    assert Attachment.objects.count() == 1


def test_it_refuses_an_offsite_next(login, manager, place):
    response = login(manager).post(
        _upload_url(place), {"files": [pdf_upload()], "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_it_refuses_an_upload_from_a_teacher(login, teacher, place):
    response = login(teacher).post(_upload_url(place), {"files": [jpeg_upload()]})
    assert response.status_code == 403
    assert Attachment.objects.count() == 0


def test_it_hides_another_schools_record_from_an_upload(login, manager, foreign_place):
    response = login(manager).post(
        f"/files/org.place/{foreign_place.pk}/upload/", {"files": [jpeg_upload()]}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("label", ["accounts.user", "org.nothing", "nonsense"])
def test_it_refuses_records_that_take_no_attachments(login, manager, label):
    response = login(manager).post(f"/files/{label}/{manager.user.pk}/upload/", {})
    assert response.status_code == 404


def test_it_refuses_an_unknown_role(login, manager, place):
    from houqin.files.registry import _registry, register_attachable
    from houqin.org.models import Place

    saved = _registry[Place]
    register_attachable(Place, can_view=saved.can_view, can_add=saved.can_add, roles=["before"])
    try:
        client = login(manager)
        bad = client.post(_upload_url(place), {"files": [jpeg_upload()], "role": "nope"})
        good = client.post(_upload_url(place), {"files": [jpeg_upload()], "role": "before"})
    finally:
        _registry[Place] = saved
    assert bad.status_code == 400
    assert good.status_code == 302
    assert list(Attachment.objects.values_list("role", flat=True)) == ["before"]


# Remove and restore


def test_it_removes_with_a_reason(login, manager, photo, place):
    response = login(manager).post(
        f"/files/{photo.pk}/remove/",
        {"reason": "拍错了", "next": f"/org/places/{place.pk}/"},
    )
    assert response.status_code == 302
    photo.refresh_from_db()
    assert (photo.is_active, photo.archive_reason, photo.archived_by) == (
        False,
        "拍错了",
        manager.user,
    )


def test_it_wants_a_reason_to_remove(login, manager, photo):
    response = login(manager).post(
        f"/files/{photo.pk}/remove/", {"reason": " "}, headers={"HX-Request": "true"}
    )
    assert "请填写移除原因" in response.content.decode()
    photo.refresh_from_db()
    assert photo.is_active


def test_it_refuses_removal_by_a_teacher(login, teacher, photo):
    response = login(teacher).post(f"/files/{photo.pk}/remove/", {"reason": "不要了"})
    assert response.status_code == 403


def test_it_lets_the_uploader_remove_their_own(login, school, make_staff, place):
    from houqin.files.registry import _registry, register_attachable
    from houqin.org.models import Place

    saved = _registry[Place]
    # A module where anyone may add (e.g. a repair report) but only managers remove.
    register_attachable(
        Place, can_view=saved.can_view, can_add=lambda u, o: True, can_remove=saved.can_remove
    )
    try:
        reporter = make_staff(school, Position.TEACHER, name="报修人")
        other = make_staff(school, Position.TEACHER, name="旁人")
        mine = attach(place, jpeg_upload(), by=reporter.user)
        assert login(other).post(f"/files/{mine.pk}/remove/", {"reason": "x"}).status_code == 403
        assert login(reporter).post(f"/files/{mine.pk}/remove/", {"reason": "x"}).status_code == 302
    finally:
        _registry[Place] = saved


def test_it_restores_a_removed_attachment(login, manager, photo):
    attachment_remove(photo, by=manager.user, reason="误删")
    response = login(manager).post(f"/files/{photo.pk}/restore/", headers={"HX-Request": "true"})
    assert 'data-testid="attachment-thumb"' in response.content.decode()
    photo.refresh_from_db()
    assert photo.is_active


def test_it_refuses_restoring_by_a_teacher(login, manager, teacher, photo):
    attachment_remove(photo, by=manager.user, reason="误删")
    assert login(teacher).post(f"/files/{photo.pk}/restore/").status_code == 404


@pytest.mark.parametrize("action", ["remove", "restore"])
def test_it_hides_another_schools_attachment_from_actions(login, manager, foreign_photo, action):
    response = login(manager).post(f"/files/{foreign_photo.pk}/{action}/", {"reason": "x"})
    assert response.status_code == 404
