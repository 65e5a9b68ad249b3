"""What an uploaded file is, decided by its content, and the photo made from it.

``prepare(uploaded_file)`` checks one upload and returns what will be stored, or raises a
``ValidationError`` in Chinese that names the file:

- photos must open with Pillow (JPEG, PNG, WebP, GIF's first frame, AVIF); they are turned
  upright by their EXIF orientation, flattened to RGB, scaled down to
  ``HOUQIN_IMAGE_MAX_PX`` on the long side and saved again as JPEG without EXIF (so a
  phone's GPS position is not kept), with a ``HOUQIN_THUMBNAIL_PX`` thumbnail;
- documents are PDF, Word, Excel and PowerPoint, recognised by their first bytes *and*
  their extension; anything else (a program, a script, a renamed text file) is refused;
- iPhone HEIC photos get their own message saying what to do.

The work is done once per upload: a form field that checked the file leaves the result on
it, and ``services.attach_all`` stores that result.
"""

import hashlib
import io
import posixpath
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from houqin.files.models import AttachmentKind

# JPEG also opens the multi-picture JPEGs (MPO) some phones write.
IMAGE_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "AVIF")
OOXML = "ooxml"
OLE = "ole"
PDF = "pdf"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# extension → (how its content is recognised, the folder an Office zip holds, MIME type)
DOCUMENTS = {
    ".pdf": (PDF, "", "application/pdf"),
    ".docx": (
        OOXML,
        "word/",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ".xlsx": (OOXML, "xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".pptx": (
        OOXML,
        "ppt/",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ".doc": (OLE, "", "application/msword"),
    ".xls": (OLE, "", "application/vnd.ms-excel"),
    ".ppt": (OLE, "", "application/vnd.ms-powerpoint"),
}
# What the file picker offers; the server decides by content all the same.
DOCUMENT_ACCEPT = ",".join(DOCUMENTS)
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1"}
JPEG_QUALITY = 85
THUMBNAIL_QUALITY = 80
NAME_MAX_LENGTH = 200


@dataclass
class PreparedUpload:
    """One checked upload: what to store, and what to remember about it."""

    original_name: str
    kind: str
    mime_type: str
    extension: str
    content: File
    size: int
    sha256: str
    thumbnail: bytes = b""
    width: int | None = None
    height: int | None = None


def max_upload_bytes():
    return settings.HOUQIN_UPLOAD_MAX_MB * 1024 * 1024


def clean_name(name):
    """The user's file name without folders or control characters, at most 200 long."""
    name = posixpath.basename(str(name or "").replace("\\", "/"))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if len(name) > NAME_MAX_LENGTH:
        stem, extension = posixpath.splitext(name)
        extension = extension[:20]
        name = stem[: NAME_MAX_LENGTH - len(extension)] + extension
    return name or _("未命名")


def prepare(uploaded_file, *, images_only=False):
    """Check ``uploaded_file`` and make what will be stored; ValidationError if refused."""
    cached = getattr(uploaded_file, "_houqin_prepared", None)
    if cached is not None and (cached.kind == AttachmentKind.IMAGE or not images_only):
        return cached
    name = clean_name(getattr(uploaded_file, "name", ""))
    size = uploaded_file.size or 0
    if size == 0:
        raise ValidationError(_("“%(name)s”是空文件。") % {"name": name}, code="empty")
    if size > max_upload_bytes():
        raise ValidationError(
            _("“%(name)s”有 %(size)s，超过了单个文件 %(limit)s MB 的上限。")
            % {"name": name, "size": filesizeformat(size), "limit": settings.HOUQIN_UPLOAD_MAX_MB},
            code="too_large",
        )
    uploaded_file.seek(0)
    head = uploaded_file.read(2048)
    uploaded_file.seek(0)
    prepared = _prepare_image(uploaded_file, name)
    if prepared is None:
        if _is_heif(head):
            raise ValidationError(
                _(
                    "“%(name)s”是 HEIC 格式（苹果手机的高效格式）的照片，系统无法识别。"
                    "请用“拍照”按钮直接拍摄上传；或在 iPhone 的“设置 → 相机 → 格式”中"
                    "选择“兼容性最佳”后重新拍摄。"
                )
                % {"name": name},
                code="heic",
            )
        if images_only:
            raise ValidationError(
                _("“%(name)s”不是照片。请上传 JPG、PNG、WebP 或 GIF 格式的图片。") % {"name": name},
                code="not_image",
            )
        prepared = _prepare_document(uploaded_file, name, head)
    uploaded_file._houqin_prepared = prepared
    return prepared


def _type_refused(name):
    return ValidationError(
        _(
            "“%(name)s”的文件类型不支持。可以上传照片（JPG、PNG、WebP、GIF）"
            "和文档（PDF、Word、Excel、PowerPoint）。"
        )
        % {"name": name},
        code="type",
    )


def _is_heif(head):
    return head[4:8] == b"ftyp" and (head[8:12] in HEIF_BRANDS and b"avif" not in head[8:32])


# Photos


def _prepare_image(uploaded_file, name):
    """The photo made from ``uploaded_file``, or None when Pillow does not see an image."""
    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that; we refuse at once.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(uploaded_file, formats=IMAGE_FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _bomb(name) from None
        except Exception:  # not an image, or a malformed one: Pillow raises many kinds
            return None
        try:
            with image:
                photo, thumbnail = _photo_and_thumbnail(image)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _bomb(name) from None
        except Exception as error:  # truncated or corrupt image data
            raise ValidationError(
                _("“%(name)s”已损坏或不完整，无法打开。") % {"name": name}, code="broken"
            ) from error
    digest = hashlib.sha256(photo).hexdigest()
    width, height = _jpeg_size(photo)
    return PreparedUpload(
        original_name=name,
        kind=AttachmentKind.IMAGE,
        mime_type="image/jpeg",
        extension=".jpg",
        content=ContentFile(photo),
        size=len(photo),
        sha256=digest,
        thumbnail=thumbnail,
        width=width,
        height=height,
    )


def _bomb(name):
    return ValidationError(
        _("“%(name)s”的像素太多（超过 %(limit)s 万像素），无法处理，请缩小后再上传。")
        % {"name": name, "limit": Image.MAX_IMAGE_PIXELS // 10000},
        code="bomb",
    )


def _photo_and_thumbnail(image):
    max_px, thumb_px = settings.HOUQIN_IMAGE_MAX_PX, settings.HOUQIN_THUMBNAIL_PX
    if image.format in ("JPEG", "MPO"):
        # Let the JPEG decoder scale down while decoding: a 50-megapixel photo then needs a
        # fraction of the memory. Square, because the orientation may still swap the sides.
        image.draft("RGB", (max_px, max_px))
    icc_profile = image.info.get("icc_profile") if image.mode in ("RGB", "RGBA") else None
    image.seek(0)  # a GIF or WebP animation: its first frame
    upright = ImageOps.exif_transpose(image)
    photo = _rgb(upright)
    photo.thumbnail((max_px, max_px), Image.Resampling.LANCZOS)
    photo.info = {}  # nothing of the original's metadata (EXIF, comments) goes along
    thumbnail = photo.copy()
    thumbnail.thumbnail((thumb_px, thumb_px), Image.Resampling.LANCZOS)
    return (
        _jpeg(photo, JPEG_QUALITY, icc_profile),
        _jpeg(thumbnail, THUMBNAIL_QUALITY, icc_profile),
    )


def _rgb(image):
    """RGB on white: transparent parts of a PNG or GIF become white, not black."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    if has_alpha:
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        image = image.point(lambda value: value / 256).convert("L")
    return image.convert("RGB") if image.mode != "RGB" else image


def _jpeg(image, quality, icc_profile):
    buffer = io.BytesIO()
    options = {"quality": quality, "optimize": True, "progressive": True}
    if icc_profile:
        options["icc_profile"] = icc_profile
    image.save(buffer, "JPEG", **options)
    return buffer.getvalue()


def _jpeg_size(data):
    with Image.open(io.BytesIO(data)) as stored:
        return stored.size


# Documents


def _prepare_document(uploaded_file, name, head):
    extension = posixpath.splitext(name)[1].lower()
    if extension not in DOCUMENTS:
        raise _type_refused(name)
    signature, folder, mime_type = DOCUMENTS[extension]
    if signature == PDF:
        recognised = b"%PDF-" in head[:1024]
    elif signature == OLE:
        recognised = head.startswith(OLE_MAGIC)
    else:
        recognised = head.startswith(b"PK\x03\x04") and _is_office_zip(uploaded_file, folder)
    if not recognised:
        raise _type_refused(name)
    uploaded_file.seek(0)
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    return PreparedUpload(
        original_name=name,
        kind=AttachmentKind.FILE,
        mime_type=mime_type,
        extension=extension,
        content=uploaded_file,
        size=uploaded_file.size,
        sha256=digest.hexdigest(),
    )


def _is_office_zip(uploaded_file, folder):
    """An Office Open XML file: a zip with [Content_Types].xml and the part's folder. Only
    the zip's directory is read; nothing is unpacked."""
    uploaded_file.seek(0)
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        uploaded_file.seek(0)
    return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)
