from houqin.imports.models import ImportBatch
from houqin.imports.tests.workbooks import upload, upload_file, workbook_bytes


def test_it_shows_the_upload_form(login, manager):
    response = login(manager).get("/imports/places/")
    assert response.status_code == 200
    assert "导入场所" in response.content.decode()


def test_it_keeps_the_file_on_the_server_and_redirects_to_the_preview(login, manager, school):
    client = login(manager)
    content = workbook_bytes("places", [["本部校区", "", "", "操场", "CC", "操场", "", "", ""]])
    response = client.post("/imports/places/", {"file": upload_file(content, "场所.xlsx")})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response.url == f"/imports/batches/{batch.pk}/"
    assert (batch.school, batch.kind, batch.created_by) == (school, "places", manager.user)
    assert batch.original_name == "场所.xlsx"
    assert batch.file.name.startswith("imports/") and batch.file.name.endswith(".xlsx")
    assert "场所" not in batch.file.name
    with batch.file.open("rb") as stored:
        assert stored.read() == content


def test_it_refuses_a_file_that_is_not_xlsx(login, manager):
    client = login(manager)
    response = client.post("/imports/people/", {"file": upload_file(b"a,b,c", "people.csv")})
    assert response.status_code == 200
    assert "请上传 Excel（.xlsx）文件。" in response.content.decode()
    assert "导入教职工" in response.content.decode()  # still the people form
    assert ImportBatch.objects.count() == 0


def test_it_refuses_a_corrupt_file(login, manager):
    client = login(manager)
    response = client.post("/imports/classes/", {"file": upload_file(b"PK\x03\x04broken")})
    assert "文件已损坏或不是 Excel（.xlsx）文件。" in response.content.decode()
    assert "导入班级" in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_it_refuses_a_file_over_the_size_limit(login, manager, settings):
    settings.HOUQIN_IMPORT_MAX_BYTES = 1024
    client = login(manager)
    response = client.post("/imports/people/", {"file": upload_file(b"x" * 2048)})
    assert "文件太大" in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_it_refuses_a_workbook_without_the_required_columns(login, manager):
    response = upload(login(manager), "people", [["x"]], headers=["名字"])
    assert "缺少列：工号、姓名。请使用导入模板。" in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_it_refuses_a_workbook_without_rows(login, manager):
    response = upload(login(manager), "people", [])
    assert "文件里没有数据行。" in response.content.decode()


def test_it_requires_a_file(login, manager):
    response = login(manager).post("/imports/people/", {})
    assert response.status_code == 200
    assert ImportBatch.objects.count() == 0
