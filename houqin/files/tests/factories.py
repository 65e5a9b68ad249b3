"""Uploads as a phone or a browser would send them, made in memory."""

import io
import struct
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

JPEG_GPS_IFD = 0x8825
EXIF_ORIENTATION = 0x0112


def image_bytes(size=(60, 40), *, format="JPEG", mode="RGB", color=(200, 30, 30), exif=None):
    image = Image.new(mode, size, color)
    buffer = io.BytesIO()
    options = {"exif": exif} if exif is not None else {}
    image.save(buffer, format, **options)
    return buffer.getvalue()


def camera_exif(orientation=6):
    """EXIF as a phone writes it: the orientation, and where the photo was taken."""
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = orientation
    exif[0x010F] = "HUAWEI"
    exif.get_ifd(JPEG_GPS_IFD).update({1: "N", 2: (31.0, 14.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)})
    return exif


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def jpeg_upload(name="照片.jpg", size=(60, 40), **kwargs):
    return upload(name, image_bytes(size, **kwargs), "image/jpeg")


def png_upload(name="截图.png", size=(50, 50), *, alpha=False):
    if alpha:
        content = image_bytes(size, format="PNG", mode="RGBA", color=(0, 0, 255, 0))
    else:
        content = image_bytes(size, format="PNG")
    return upload(name, content, "image/png")


def pdf_upload(name="验收单.pdf"):
    content = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return upload(name, content, "application/pdf")


def office_upload(name="报价单.xlsx", folder="xl/"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}workbook.xml", "<workbook/>")
    return upload(name, buffer.getvalue())


def heic_upload(name="IMG_0001.HEIC"):
    box = b"ftypheic" + b"\x00\x00\x00\x00" + b"mif1heic"
    return upload(name, struct.pack(">I", len(box) + 4) + box + b"\x00" * 64, "image/heic")


def exe_upload(name="照片.jpg"):
    return upload(name, b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "image/jpeg")


def png_bomb(name="炸弹.png", side=40000):
    """A tiny PNG whose header claims ``side`` × ``side`` pixels."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    content = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )
    return upload(name, content, "image/png")
