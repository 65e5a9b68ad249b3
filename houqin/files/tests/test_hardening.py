"""Hostile uploads: scripts in disguise, file names that try to break the download header,
and garbage in the URLs."""

import pytest
from django.core.exceptions import ValidationError

from houqin.files.models import Attachment
from houqin.files.services import attach
from houqin.files.tests.factories import pdf_upload, upload
from houqin.files.uploads import prepare

SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>"
)


@pytest.mark.parametrize(
    ("name", "content_type"),
    [("图标.svg", "image/svg+xml"), ("照片.jpg", "image/jpeg"), ("图.png", "image/svg+xml")],
)
def test_an_svg_is_refused_whatever_its_name(name, content_type):
    with pytest.raises(ValidationError) as refused:
        prepare(upload(name, SVG, content_type))
    assert "文件类型不支持" in refused.value.messages[0]


def test_an_svg_upload_stores_nothing(login, manager, place):
    response = login(manager).post(
        f"/files/org.place/{place.pk}/upload/",
        {"files": [upload("图标.svg", SVG, "image/svg+xml")]},
        headers={"HX-Request": "true"},
    )
    assert "文件类型不支持" in response.content.decode()
    assert not Attachment.objects.exists()


def test_a_page_dressed_as_a_pdf_is_only_ever_served_as_a_pdf(login, teacher, manager, place):
    page = b"<html><!-- %PDF-1.4 --><script>alert(1)</script></html>"
    attachment = attach(place, upload("通知.pdf", page, "text/html"), by=manager.user)
    response = login(teacher).get(f"/files/{attachment.pk}/")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ('a"b.pdf', 'inline; filename="a\\"b.pdf"'),
        ('x.pdf"; filename="evil.pdf', 'inline; filename="x.pdf\\"; filename=\\"evil.pdf"'),
        ("r\r\nSet-Cookie: a=1.pdf", 'inline; filename="rSet-Cookie: a=1.pdf"'),
        ('验收"单\n.pdf', "inline; filename*=utf-8''%E9%AA%8C%E6%94%B6%22%E5%8D%95.pdf"),
    ],
)
def test_a_file_name_cannot_break_the_download_header(
    login, teacher, manager, place, name, expected
):
    attachment = attach(place, pdf_upload(name), by=manager.user)
    response = login(teacher).get(f"/files/{attachment.pk}/")
    assert response["Content-Disposition"] == expected
    assert "Set-Cookie" not in {key for key, _value in response.items()}


def test_the_stored_name_is_ours_whatever_the_user_called_it(manager, place):
    attachment = attach(place, pdf_upload("../../../etc/cron.d/x.pdf"), by=manager.user)
    assert attachment.original_name == "x.pdf"
    assert attachment.file.name.startswith(f"attachments/{place.school_id}/")
    assert ".." not in attachment.file.name and attachment.file.name.endswith(".pdf")


@pytest.mark.parametrize("pk", ["9223372036854775808", "99999999999999999999999"])
def test_huge_ids_are_not_found(login, manager, place, pk):
    client = login(manager)
    for suffix in ("", "download/", "thumb/"):
        assert client.get(f"/files/{pk}/{suffix}").status_code == 404
    for suffix in ("remove/", "restore/"):
        assert client.post(f"/files/{pk}/{suffix}").status_code == 404
    assert client.post(f"/files/org.place/{pk}/upload/").status_code == 404
