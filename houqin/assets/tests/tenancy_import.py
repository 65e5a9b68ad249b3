"""URLs of the ledger import pages for tests/test_tenancy.py (merged by ``tenancy.py``):
another school's import is a 404 on every page that names it."""

from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from houqin.assets.importer import read_header, start_import


def _token(objects):
    return {"token": objects["ledger_batch"].token}


OBJECT_URLS = {
    "assets:import_mapping": _token,
    "assets:import_preview": _token,
    "assets:import_commit": _token,
}


def objects(school, base):
    workbook = Workbook()
    workbook.active.append(["资产名称", "分类代码", "原值", "取得日期"])
    workbook.active.append(["台式计算机", "A02010105", 5200, "2024-09-01"])
    output = BytesIO()
    workbook.save(output)
    upload = SimpleUploadedFile("台账.xlsx", output.getvalue())
    header_row, headers, mapping = read_header(upload)
    batch = start_import(
        school=school,
        user=base["staff"].user,
        upload=upload,
        header_row=header_row,
        headers=headers,
        mapping=mapping,
    )
    return {"ledger_batch": batch}
