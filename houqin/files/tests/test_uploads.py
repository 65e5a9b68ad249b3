"""What is accepted, what is refused (with which Chinese message), and the photo made."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from houqin.files.models import AttachmentKind
from houqin.files.tests.factories import (
    EXIF_ORIENTATION,
    camera_exif,
    exe_upload,
    heic_upload,
    image_bytes,
    jpeg_upload,
    office_upload,
    pdf_upload,
    png_bomb,
    png_upload,
    upload,
)
from houqin.files.uploads import clean_name, prepare


def _stored(prepared):
    prepared.content.seek(0)
    return Image.open(io.BytesIO(prepared.content.read()))


def test_it_turns_a_phone_photo_upright_and_drops_its_exif():
    photo = jpeg_upload(size=(80, 40), exif=camera_exif(orientation=6))
    prepared = prepare(photo)
    stored = _stored(prepared)
    assert stored.format == "JPEG"
    assert stored.size == (40, 80)
    assert (prepared.width, prepared.height) == (40, 80)
    assert "exif" not in stored.info
    assert EXIF_ORIENTATION not in stored.getexif()
    assert len(stored.getexif()) == 0


def test_it_scales_a_large_photo_down_and_makes_a_thumbnail(settings):
    settings.HOUQIN_IMAGE_MAX_PX, settings.HOUQIN_THUMBNAIL_PX = 300, 100
    prepared = prepare(jpeg_upload(size=(1200, 900)))
    assert _stored(prepared).size == (300, 225)
    assert Image.open(io.BytesIO(prepared.thumbnail)).size == (100, 75)
    assert prepared.kind == AttachmentKind.IMAGE
    assert prepared.mime_type == "image/jpeg"
    assert prepared.extension == ".jpg"


def test_it_leaves_a_small_photo_its_size():
    assert _stored(prepare(jpeg_upload(size=(64, 48)))).size == (64, 48)


def test_it_puts_a_transparent_png_on_white():
    prepared = prepare(png_upload(alpha=True))
    stored = _stored(prepared).convert("RGB")
    red, green, blue = stored.getpixel((10, 10))
    assert min(red, green, blue) > 240


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("动图.gif", image_bytes(format="GIF", mode="P", color=3)),
        ("图片.webp", image_bytes(format="WEBP")),
        ("扫描.jpg", image_bytes(mode="CMYK", color=(0, 100, 100, 0))),
        ("灰度.png", image_bytes(format="PNG", mode="L", color=128)),
    ],
)
def test_it_takes_the_other_photo_formats(name, content):
    prepared = prepare(upload(name, content))
    assert _stored(prepared).mode == "RGB"


@pytest.mark.parametrize(
    ("factory", "mime_type"),
    [
        (pdf_upload, "application/pdf"),
        (
            lambda: office_upload("报价单.xlsx", "xl/"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            lambda: office_upload("方案.docx", "word/"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            lambda: upload("旧表格.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500),
            "application/vnd.ms-excel",
        ),
    ],
)
def test_it_takes_documents_recognised_by_content(factory, mime_type):
    prepared = prepare(factory())
    assert prepared.kind == AttachmentKind.FILE
    assert prepared.mime_type == mime_type
    assert len(prepared.sha256) == 64


def _refusal(uploaded_file, **kwargs):
    with pytest.raises(ValidationError) as caught:
        prepare(uploaded_file, **kwargs)
    return " ".join(caught.value.messages)


def test_it_refuses_a_file_over_the_limit_naming_it(settings):
    settings.HOUQIN_UPLOAD_MAX_MB = 1
    message = _refusal(upload("大照片.jpg", b"\xff" * (1024 * 1024 + 1)))
    assert "“大照片.jpg”" in message
    assert "1 MB 的上限" in message


def test_it_refuses_an_empty_file():
    assert "“空.pdf”是空文件" in _refusal(upload("空.pdf", b""))


@pytest.mark.parametrize(
    "uploaded_file",
    [
        exe_upload("照片.jpg"),
        exe_upload("说明.pdf"),
        upload("记录.txt", "这是一段文字".encode()),
        upload("假的.docx", b"just some text, not a zip"),
        upload("装了程序.docx", b"PK\x03\x04" + b"\x00" * 100),
        upload("脚本.pdf.exe", b"%PDF-1.4 ..."),
        office_upload("表格.xlsm", "xl/"),
        upload("图.bmp", image_bytes(format="BMP")),
    ],
    ids=["exe-as-jpg", "exe-as-pdf", "text", "text-as-docx", "bad-zip", "exe-ext", "xlsm", "bmp"],
)
def test_it_refuses_what_is_not_an_allowed_type(uploaded_file):
    message = _refusal(uploaded_file)
    assert f"“{uploaded_file.name}”的文件类型不支持" in message


def test_it_tells_iphone_users_what_to_do_with_heic():
    message = _refusal(heic_upload())
    assert "HEIC" in message
    assert "兼容性最佳" in message


def test_it_refuses_a_decompression_bomb():
    message = _refusal(png_bomb())
    assert "“炸弹.png”的像素太多" in message


def test_it_refuses_an_image_over_the_pixel_limit_at_once(monkeypatch):
    # Pillow only warns between MAX_IMAGE_PIXELS and twice that; we refuse.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 60 * 40 - 1)
    assert "像素太多" in _refusal(jpeg_upload(size=(60, 40)))


def test_it_refuses_a_truncated_photo():
    content = image_bytes(size=(400, 300))
    message = _refusal(upload("半张.jpg", content[: len(content) // 2]))
    assert "“半张.jpg”已损坏或不完整" in message


def test_it_refuses_documents_where_only_photos_go():
    assert "不是照片" in _refusal(pdf_upload(), images_only=True)


def test_it_prepares_a_file_once():
    photo = jpeg_upload()
    assert prepare(photo) is prepare(photo)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("C:\\Users\\周静\\照片.jpg", "照片.jpg"),
        ("../../etc/passwd", "passwd"),
        ("a\x00b\n.pdf", "ab.pdf"),
        ("", "未命名"),
        ("长" * 300 + ".pdf", "长" * 196 + ".pdf"),
    ],
)
def test_it_cleans_the_users_file_name(raw, clean):
    assert clean_name(raw) == clean
