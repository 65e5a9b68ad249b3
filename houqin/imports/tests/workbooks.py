"""Workbooks built in memory for the import tests."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from houqin.imports.importers import IMPORTERS


def workbook_bytes(kind, rows, *, headers=None):
    """An .xlsx in memory with the kind's headers (or ``headers``) and ``rows``."""
    book = Workbook()
    sheet = book.active
    sheet.append(headers or [column.header for column in IMPORTERS[kind].columns])
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def upload_file(content, name="导入.xlsx"):
    return SimpleUploadedFile(
        name,
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def read_sheets(content):
    book = load_workbook(io.BytesIO(content), read_only=True)
    return {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in book.worksheets
    }


def response_bytes(response):
    return b"".join(response.streaming_content)


def upload(client, kind, rows, *, headers=None):
    """Upload a workbook of ``rows``; the preview response (following the redirect)."""
    content = workbook_bytes(kind, rows, headers=headers)
    return client.post(f"/imports/{kind}/", {"file": upload_file(content)}, follow=True)
