"""The attachments card on a record's page ({% attachments_card obj %})."""

from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from houqin.files.services import attach, attachment_remove
from houqin.files.tests.factories import jpeg_upload, office_upload, pdf_upload


def _place_page(client, place):
    response = client.get(f"/org/places/{place.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_the_card_with_upload_buttons_to_a_manager(login, manager, place):
    body = _place_page(login(manager), place)
    assert 'data-testid="attachments"' in body
    assert "还没有照片或文件" in body
    assert 'data-testid="attachments-camera"' in body
    assert 'capture="environment"' in body
    assert f'hx-post="/files/org.place/{place.pk}/upload/"' in body
    assert "houqin/files.js" in body


def test_it_shows_photos_and_files_without_buttons_to_a_teacher(login, teacher, manager, place):
    photo = attach(place, jpeg_upload("窗户.jpg"), by=manager.user)
    document = attach(place, pdf_upload("图纸.pdf"), by=manager.user)
    body = _place_page(login(teacher), place)
    assert f'src="/files/{photo.pk}/thumb/"' in body
    assert f'href="/files/{document.pk}/"' in body
    assert "图纸.pdf" in body
    assert "bi-file-earmark-pdf" in body
    assert "attachments-camera" not in body
    assert "data-remove-url" not in body


def test_it_lists_a_removed_attachment_only_under_removed(login, manager, place):
    photo = attach(place, jpeg_upload("旧照片.jpg"), by=manager.user)
    attachment_remove(photo, by=manager.user, reason="已经修好")
    body = _place_page(login(manager), place)
    assert 'data-testid="attachment-thumb"' not in body
    assert 'data-testid="attachments-removed"' in body
    assert "已经修好" in body
    assert f'hx-post="/files/{photo.pk}/restore/"' in body


def test_it_hides_removed_attachments_from_a_teacher(login, teacher, manager, place):
    photo = attach(place, jpeg_upload("旧照片.jpg"), by=manager.user)
    attachment_remove(photo, by=manager.user, reason="已经修好")
    body = _place_page(login(teacher), place)
    assert "旧照片.jpg" not in body
    assert "attachments-removed" not in body


def test_it_runs_a_bounded_number_of_queries(login, manager, place, django_assert_max_num_queries):
    client = login(manager)
    _place_page(client, place)  # warm the caches (content types, permissions)
    with CaptureQueriesContext(connection) as empty_card:
        _place_page(client, place)
    for n in range(6):
        attach(place, jpeg_upload(f"{n}.jpg"), by=manager.user)
        attach(place, office_upload(f"{n}.xlsx"), by=manager.user)
    removed = attach(place, pdf_upload("作废.pdf"), by=manager.user)
    attachment_remove(removed, by=manager.user, reason="作废")
    # The same queries with thirteen attachments as with none.
    with django_assert_max_num_queries(len(empty_card.captured_queries)):
        body = _place_page(client, place)
    assert body.count('data-testid="attachment-thumb"') == 6
    assert body.count('data-testid="attachment-file"') == 6
    assert "作废.pdf" in body


def _render(template, request, **context):
    return Template("{% load files_tags %}" + template).render(
        Context({"request": request, **context})
    )


def test_it_shows_one_role_with_its_own_title(manager, place):
    attach(place, jpeg_upload("修前.jpg"), by=manager.user, role="before")
    attach(place, jpeg_upload("修后.jpg"), by=manager.user, role="after")
    request = RequestFactory().get("/")
    request.user = manager.user
    html = _render(
        '{% attachments_card place role="after" title="维修后照片" %}', request, place=place
    )
    assert "维修后照片" in html
    assert html.count('data-testid="attachment-thumb"') == 1
    assert "修后.jpg" in html
    assert 'name="role" value="after"' in html
    assert "attachments-" in html and "-after" in html


def test_it_hides_the_buttons_on_a_readonly_card(manager, place):
    request = RequestFactory().get("/")
    request.user = manager.user
    html = _render("{% attachments_card place readonly=True %}", request, place=place)
    assert 'data-testid="attachments"' in html
    assert "attachments-camera" not in html


def test_it_shows_nothing_for_a_record_of_another_school(manager, foreign_place):
    request = RequestFactory().get("/")
    request.user = manager.user
    assert _render("{% attachments_card place %}", request, place=foreign_place).strip() == ""


def test_it_shows_nothing_for_a_model_that_takes_no_attachments(manager):
    request = RequestFactory().get("/")
    request.user = manager.user
    html = _render("{% attachments_card staff %}", request, staff=manager)
    assert html.strip() == ""
