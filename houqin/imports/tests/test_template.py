from urllib.parse import quote

import pytest

from houqin.imports.importers import IMPORTERS
from houqin.imports.tests.workbooks import read_sheets, response_bytes


@pytest.mark.parametrize("kind", ["people", "places", "classes"])
def test_it_downloads_a_template_with_headers_example_and_help(login, manager, kind):
    response = login(manager).get(f"/imports/{kind}/template/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    assert "filename*=utf-8''" in response["Content-Disposition"]
    sheets = read_sheets(response_bytes(response))
    data, help_sheet = list(sheets.values())
    assert list(sheets)[1] == "说明"
    headers = [column.header for column in IMPORTERS[kind].columns]
    assert data[0] == headers
    assert len(data) == 2  # one example row
    described = [row[0] for row in help_sheet[1:] if row]
    for header in headers:
        assert header in described


def test_it_names_the_template_in_chinese(login, manager):
    response = login(manager).get("/imports/people/template/")
    assert quote("教职工导入模板.xlsx") in response["Content-Disposition"]


def test_it_lists_place_types_and_grantable_positions(login, manager):
    client = login(manager)
    places = read_sheets(response_bytes(client.get("/imports/places/template/")))["说明"]
    types_row = next(row for row in places if row and row[0] == "类型")
    assert "教室" in types_row[2] and "食堂" in types_row[2]
    people = read_sheets(response_bytes(client.get("/imports/people/template/")))["说明"]
    positions_row = next(row for row in people if row and row[0] == "职务")
    assert "教师" in positions_row[2]
    assert "系统管理员" not in positions_row[2]


def test_the_example_rows_import_cleanly(login, manager):
    from houqin.imports.tests.workbooks import upload

    client = login(manager)
    for kind in ("people", "places", "classes"):
        example = [[column.example for column in IMPORTERS[kind].columns]]
        response = upload(client, kind, example)
        assert response.status_code == 200
        assert response.context["plan"].ok, response.context["plan"].errors
