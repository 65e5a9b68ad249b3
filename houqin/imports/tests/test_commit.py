import pytest
from django.db import IntegrityError

from houqin.accounts.models import Staff, User
from houqin.imports.models import ImportBatch
from houqin.imports.services import import_batch_commit
from houqin.imports.tests.workbooks import upload
from houqin.org.models import Floor, Place

PLACES = [
    ["本部校区", "", "", "操场", "CC", "操场", "", "", ""],
    ["本部校区", "", "", "篮球场", "LQ", "室外区域", "", "", ""],
    ["本部校区", "", "", "大门", "GATE", "校门", "", "", ""],
]


def test_a_good_file_commits_every_row_once(login, manager):
    client = login(manager)
    upload(client, "places", PLACES)
    batch = ImportBatch.objects.get()
    response = client.post(f"/imports/batches/{batch.pk}/commit/", follow=True)
    assert "导入完成：新增 3 条，更新 0 条。" in response.content.decode()
    assert 'data-testid="committed"' in response.content.decode()
    assert Place.objects.count() == 3
    response = client.post(f"/imports/batches/{batch.pk}/commit/", follow=True)
    assert "这个文件已经导入过了。" in response.content.decode()
    assert Place.objects.count() == 3


def test_commit_only_accepts_post(login, manager):
    client = login(manager)
    upload(client, "places", PLACES)
    batch = ImportBatch.objects.get()
    assert client.get(f"/imports/batches/{batch.pk}/commit/").status_code == 405


def test_a_failure_midway_writes_nothing(login, manager, monkeypatch):
    client = login(manager)
    upload(client, "places", PLACES)
    batch = ImportBatch.objects.get()
    original_save = Place.save

    def save_then_fail(self, *args, **kwargs):
        if self.code == "GATE":
            raise IntegrityError("forced")
        original_save(self, *args, **kwargs)

    monkeypatch.setattr(Place, "save", save_then_fail)
    response = client.post(f"/imports/batches/{batch.pk}/commit/", follow=True)
    assert "导入失败，没有写入任何数据。" in response.content.decode()
    assert Place.objects.count() == 0
    batch.refresh_from_db()
    assert not batch.is_committed


def test_a_failure_midway_in_people_leaves_no_logins(manager, school, monkeypatch, rf):
    from houqin.imports.tests.workbooks import upload_file, workbook_bytes

    rows = [
        ["T1", "张三", "", "", "", "", "", "教师", ""],
        ["T2", "李四", "", "", "", "", "", "教师", ""],
    ]
    batch = ImportBatch.objects.create(
        school=school,
        kind="people",
        created_by=manager.user,
        file=upload_file(workbook_bytes("people", rows)),
    )
    users_before = User.objects.count()
    original_save = Staff.save

    def save_then_fail(self, *args, **kwargs):
        if self.staff_no == "T2":
            raise RuntimeError("disk full")
        original_save(self, *args, **kwargs)

    monkeypatch.setattr(Staff, "save", save_then_fail)
    with pytest.raises(RuntimeError):
        import_batch_commit(batch=batch, user=manager.user)
    assert User.objects.count() == users_before
    assert not Staff.objects.filter(staff_no__in=["T1", "T2"]).exists()


def test_commit_checks_the_rows_again(login, manager, school):
    """Between preview and commit someone else took the code's floor away: the commit
    finds it and writes nothing."""
    from houqin.org.models import Campus
    from houqin.org.tests.factories import BuildingFactory

    building = BuildingFactory(campus=Campus.objects.get(school=school), code="PX", floors_above=4)
    client = login(manager)
    response = upload(client, "places", [["本部校区", "PX", 4, "顶楼", "TOP", "教室", "", "", ""]])
    assert response.context["plan"].ok
    building.floors_above = 3
    building.save()
    batch = ImportBatch.objects.get()
    response = client.post(f"/imports/batches/{batch.pk}/commit/")
    assert "发现错误，没有写入任何数据。" in response.content.decode()
    assert "楼层不在楼宇" in response.content.decode()
    assert Place.objects.count() == 0 and Floor.objects.count() == 0
