"""A4 sheets of QR labels as PDF: school, name, code and the QR drawn as vector squares,
crisp on any printer.

Two layouts match label sheets sold in China: 3×8 labels of 70×37 mm (24 per sheet, no
margins) and 2×4 labels of 99.1×67.7 mm (8 per sheet). On plain paper, ask for cut lines.
"""

import functools
import io
import os
from dataclasses import dataclass

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from houqin.qr import codes
from houqin.qr.models import QrCode

MAX_LABELS = 2000
MAX_COPIES = 20
# Choosing each QR's best mask costs about 10 ms; above this many records a fixed mask is
# used so that a sheet of 2,000 is ready in seconds.
BEST_MASK_LIMIT = 300
FAST_MASK = 3  # the mask segno finds best most often for our URLs

# TrueType CJK fonts embedded when present (subset, so the PDF prints the same anywhere).
# Otherwise the CID font STSong-Light, which needs no file: PDF viewers bring their own.
CJK_FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
)
CID_FONT = "STSong-Light"
CODE_FONT = "Helvetica-Bold"


@dataclass(frozen=True)
class Layout:
    key: str
    name: str
    columns: int
    rows: int
    width: float  # mm, of one label
    height: float
    left: float  # mm, page edge to the first label
    top: float
    pitch_x: float  # mm, from one label's left edge to the next one's
    pitch_y: float

    @property
    def per_page(self):
        return self.columns * self.rows

    def pages_for(self, count):
        return -(-count // self.per_page)


LAYOUTS = {
    "small": Layout(
        "small", gettext_lazy("小标签 3×8（70×37 毫米，每页 24 张）"), 3, 8, 70, 37, 0, 0.5, 70, 37
    ),
    "large": Layout(
        "large",
        gettext_lazy("大标签 2×4（99.1×67.7 毫米，每页 8 张）"),
        2,
        4,
        99.1,
        67.7,
        4.65,
        13.1,
        101.6,
        67.7,
    ),
}


@dataclass(frozen=True)
class LabelItem:
    title: str  # the record's name, largest text
    lines: tuple  # smaller lines under it (where it is)
    code: str  # the human code, for manual entry
    url: str  # what the QR encodes
    hint: str = ""


@functools.cache
def cjk_font():
    """The name of a registered font that draws Chinese."""
    for path in CJK_FONT_FILES:
        if not os.path.exists(path):
            continue
        try:
            pdfmetrics.registerFont(TTFont("HouqinCJK", path, subfontIndex=0))
        except Exception:  # noqa: BLE001 — PostScript-outline or broken font: try the next
            continue
        return "HouqinCJK"
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


def label_items(request, objects, kind):
    """One LabelItem per record, their tokens made in bulk where missing."""
    objects = list(objects)
    tokens = QrCode.objects.for_objects(objects)
    hint = str(kind.label_hint) if kind.label_hint else _("扫码查看 / 报修")
    items = []
    for obj in objects:
        title, *lines = [str(line) for line in kind.label_lines(obj)] or [str(obj)]
        items.append(
            LabelItem(
                title=title,
                lines=tuple(line for line in lines if line),
                code=str(kind.code_of(obj)),
                url=codes.target_url(tokens[obj.pk], request),
                hint=hint,
            )
        )
    return items


def render_pdf(
    items, *, layout, school_name, copies=1, cut_lines=False, invariant=False, compress=True
):
    """The PDF bytes: ``items`` in order, each ``copies`` times, filling pages row by row."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(
        buffer, pagesize=A4, invariant=int(invariant), pageCompression=int(compress)
    )
    pdf.setTitle(_("二维码标签"))
    pdf.setAuthor(school_name)
    pdf.setCreator("houqin")
    font = cjk_font()
    page_height = A4[1]
    fast = len(items) > BEST_MASK_LIMIT
    slot = 0
    for item in items:
        matrix = qr_matrix(item.url, fast=fast)
        for _copy in range(copies):
            if slot and slot % layout.per_page == 0:
                pdf.showPage()
            index = slot % layout.per_page
            column, row = index % layout.columns, index // layout.columns
            x = (layout.left + column * layout.pitch_x) * mm
            y = page_height - (layout.top + row * layout.pitch_y + layout.height) * mm
            _draw_label(pdf, item, matrix, x, y, layout, school_name, font, cut_lines)
            slot += 1
    if slot == 0:
        pdf.setFont(font, 12)
        pdf.drawString(20 * mm, page_height - 30 * mm, _("没有要打印的标签。"))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _draw_label(pdf, item, matrix, x, y, layout, school_name, font, cut_lines):
    width, height = layout.width * mm, layout.height * mm
    if cut_lines:
        pdf.saveState()
        pdf.setStrokeGray(0.75)
        pdf.setLineWidth(0.3)
        pdf.setDash(2, 2)
        pdf.rect(x, y, width, height, stroke=1, fill=0)
        pdf.restoreState()
    scale = layout.height / 37  # type sizes grow with the label
    pad = 2.5 * mm * min(scale, 1.6)
    qr_side = min(height - 2 * pad, width * 0.48)
    _draw_qr(pdf, matrix, x + pad, y + (height - qr_side) / 2, qr_side)

    left = x + pad + qr_side + 1.5 * mm
    text_width = x + width - pad - left
    top = y + height - pad
    bottom = y + pad

    pdf.setFillGray(0.35)
    size, lines = fit_text(school_name, font, 6.5 * scale, 5, text_width, 1)
    top -= size
    pdf.setFont(font, size)
    pdf.drawString(left, top, lines[0])

    pdf.setFillGray(0)
    size, lines = fit_text(item.title, font, 11.5 * scale, 7, text_width, 2)
    top -= 1.5 * mm * scale
    pdf.setFont(font, size)
    for line in lines:
        top -= size
        pdf.drawString(left, top, line)
        top -= size * 0.15
    for extra in item.lines[:1]:
        size, lines = fit_text(extra, font, 7.5 * scale, 5, text_width, 1)
        top -= size * 1.1
        pdf.setFillGray(0.3)
        pdf.setFont(font, size)
        pdf.drawString(left, top, lines[0])

    pdf.setFillGray(0.4)
    hint_size, hint_lines = fit_text(item.hint, font, 6.5 * scale, 5, text_width, 1)
    pdf.setFont(font, hint_size)
    pdf.drawString(left, bottom, hint_lines[0])

    code_font = CODE_FONT if item.code.isascii() else font
    size, lines = fit_text(item.code, code_font, 13 * scale, 6, text_width, 1)
    pdf.setFillGray(0)
    pdf.setFont(code_font, size)
    pdf.drawString(left, bottom + hint_size + 1.2 * mm * scale, lines[0])


def qr_matrix(url, *, fast=False):
    """The QR's modules, rows of 0/1. ``fast`` skips choosing the best of the eight masks
    (four times quicker; every mask scans, the best one only a little more easily)."""
    return codes.make(url, mask=FAST_MASK if fast else None).matrix


def _draw_qr(pdf, matrix, x, y, side):
    """The QR as filled squares, with a two-module quiet zone inside ``side``. Each row's
    dark runs are one rectangle reaching slightly into the next row, so no seams show.
    Written in module units (small integers): a sheet of 2,000 stays small and quick."""
    border = 2
    module = side / (len(matrix) + 2 * border)
    operations = []
    for row_index, row in enumerate(matrix):
        column, length = 0, len(row)
        while column < length:
            if row[column]:
                start = column
                while column < length and row[column]:
                    column += 1
                operations.append(f"{start} {row_index} {column - start} 1.04 re")
            else:
                column += 1
    pdf.saveState()
    pdf.setFillGray(0)
    # Origin at the symbol's top-left corner, one unit per module, y running down.
    pdf.transform(module, 0, 0, -module, x + border * module, y + side - border * module)
    pdf.addLiteral("\n".join(operations) + "\nf")
    pdf.restoreState()


def fit_text(text, font, size, min_size, width, max_lines):
    """The largest size from ``size`` down to ``min_size`` at which ``text`` fits in
    ``max_lines`` lines of ``width``; broken between any characters (Chinese has no
    spaces), and cut with "…" if it fits nowhere."""
    text = " ".join(str(text).split())
    current = size
    while True:
        lines = _wrap(text, font, current, width)
        if len(lines) <= max_lines:
            return current, lines or [""]
        if current - 0.5 < min_size:
            break
        current -= 0.5
    lines = _wrap(text, font, min_size, width)[:max_lines]
    last = lines[-1]
    while last and pdfmetrics.stringWidth(last + "…", font, min_size) > width:
        last = last[:-1]
    lines[-1] = last + "…"
    return min_size, lines


def _wrap(text, font, size, width):
    lines, line = [], ""
    for char in text:
        if line and pdfmetrics.stringWidth(line + char, font, size) > width:
            lines.append(line.rstrip())
            line = char.lstrip()
        else:
            line += char
    if line:
        lines.append(line)
    return lines


def pdf_response(pdf_bytes, filename):
    response = HttpResponse(pdf_bytes, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response
