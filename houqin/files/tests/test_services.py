"""attach / attach_all / attachments_for: what is stored where, and all or nothing."""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from PIL import Image

from houqin.files.models import Attachment, AttachmentKind
from houqin.files.services import (
    attach,
    attach_all,
    attachment_counts,
    attachment_remove,
    attachment_restore,
    attachments_for,
)
from houqin.files.tests.factories import (
    camera_exif,
    exe_upload,
    jpeg_upload,
    pdf_upload,
    png_upload,
)


def _files_under(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_it_stores_a_photo_and_its_thumbnail_under_a_name_of_its_own(place, manager, settings):
    attachment = attach(
        place, jpeg_upload("门锁坏了.jpg", size=(80, 40), exif=camera_exif()), by=manager.user
    )
    assert attachment.kind == AttachmentKind.IMAGE
    assert attachment.school_id == place.school_id
    assert attachment.record == place
    assert attachment.original_name == "门锁坏了.jpg"
    assert attachment.uploaded_by == manager.user
    assert (attachment.width, attachment.height) == (40, 80)
    pattern = rf"attachments/{place.school_id}/\d{{4}}/\d{{2}}/{attachment.key.hex}"
    assert re.fullmatch(pattern + r"\.jpg", attachment.file.name)
    assert re.fullmatch(pattern + r"_thumb\.jpg", attachment.thumbnail.name)
    assert "门锁" not in attachment.file.name
    stored = _files_under(settings.MEDIA_ROOT)
    assert stored == sorted([attachment.file.name, attachment.thumbnail.name])
    with attachment.file.open("rb") as handle:
        content = handle.read()
    assert Image.open(io.BytesIO(content)).size == (40, 80)
    assert attachment.size == len(content)


def test_it_stores_a_document_as_it_came(place, manager):
    attachment = attach(place, pdf_upload("验收单.pdf"), by=manager.user, caption="验收")
    assert attachment.kind == AttachmentKind.FILE
    assert attachment.mime_type == "application/pdf"
    assert attachment.file.name.endswith(".pdf")
    assert not attachment.thumbnail
    assert attachment.caption == "验收"
    with attachment.file.open("rb") as handle:
        assert handle.read().startswith(b"%PDF-")


def test_it_keeps_roles_apart(place, manager):
    before = attach(place, jpeg_upload(), by=manager.user, role="before")
    after = attach(place, jpeg_upload(), by=manager.user, role="after")
    plain = attach(place, pdf_upload(), by=manager.user)
    assert list(attachments_for(place, role="before")) == [before]
    assert list(attachments_for(place, role="")) == [plain]
    assert list(attachments_for(place)) == [before, after, plain]


def test_it_stores_a_whole_batch(place, manager):
    created = attach_all(place, [jpeg_upload(), png_upload(), pdf_upload()], by=manager.user)
    assert [a.kind for a in created] == ["image", "image", "file"]
    assert attachments_for(place).count() == 3


def test_it_stores_nothing_of_a_batch_with_one_bad_file(place, manager, settings):
    batch = [jpeg_upload("好的.jpg"), exe_upload("坏的.jpg"), pdf_upload()]
    with pytest.raises(ValidationError) as caught:
        attach_all(place, batch, by=manager.user)
    assert any("“坏的.jpg”" in message for message in caught.value.messages)
    assert Attachment.objects.count() == 0
    assert not settings.MEDIA_ROOT.exists() or _files_under(settings.MEDIA_ROOT) == []


def test_it_refuses_an_oversized_file_and_saves_nothing(place, manager, settings):
    settings.HOUQIN_UPLOAD_MAX_MB = 1
    big = jpeg_upload("大图.jpg")
    big.size = 2 * 1024 * 1024
    with pytest.raises(ValidationError, match="超过了单个文件 1 MB 的上限"):
        attach(place, big, by=manager.user)
    assert Attachment.objects.count() == 0


def test_it_removes_files_it_stored_when_the_database_refuses(
    place, manager, settings, monkeypatch
):
    def fail(self, *args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(Attachment, "save", fail)
    with pytest.raises(RuntimeError):
        attach_all(place, [jpeg_upload(), pdf_upload()], by=manager.user)
    assert _files_under(settings.MEDIA_ROOT) == []


def test_it_lists_a_removed_attachment_no_more(place, manager):
    attachment = attach(place, jpeg_upload(), by=manager.user)
    attachment_remove(attachment, by=manager.user, reason="拍错了")
    assert list(attachments_for(place)) == []
    attachment.refresh_from_db()
    assert (attachment.is_active, attachment.archive_reason) == (False, "拍错了")
    assert attachment.archived_by == manager.user
    assert default_storage.exists(attachment.file.name)
    attachment_restore(attachment)
    assert list(attachments_for(place)) == [attachment]


def test_it_uses_only_the_storage_api(place, manager, settings, tmp_path):
    """An S3-compatible store works because only Django's storage API is used: here the
    default storage keeps everything in memory and nothing touches the disk."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    photo = attach(place, jpeg_upload(size=(50, 30)), by=manager.user)
    document = attach(place, pdf_upload(), by=manager.user)
    assert type(default_storage._wrapped).__name__ == "InMemoryStorage"
    assert default_storage.exists(photo.file.name)
    assert default_storage.exists(photo.thumbnail.name)
    assert default_storage.exists(document.file.name)
    assert not (tmp_path / "media").exists()


def test_it_counts_attachments_per_record_in_one_query(
    school, place, manager, django_assert_num_queries
):
    from houqin.org.tests.factories import PlaceFactory

    other = PlaceFactory(school=school, campus=place.campus, building=None, floor=None)
    empty = PlaceFactory(school=school, campus=place.campus, building=None, floor=None)
    attach_all(place, [jpeg_upload(), pdf_upload()], by=manager.user)
    removed = attach(other, jpeg_upload(), by=manager.user, role="before")
    attach(other, jpeg_upload(), by=manager.user, role="before")
    attachment_remove(removed, by=manager.user, reason="重复")
    with django_assert_num_queries(1):
        counts = attachment_counts([place, other, empty])
    assert counts == {place.pk: 2, other.pk: 1}
    assert attachment_counts([place, other], role="before") == {other.pk: 1}
