"""资产台账导入: the column guess, every row check, the 2010 codes, duplicate numbers,
all-or-nothing commit with one "import" event per card, the template, 403/404."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from houqin.accounts.roles import Position
from houqin.assets.importer import guess_mapping, parse_amount, parse_date, read_header
from houqin.assets.models import Asset, AssetEvent, LedgerImport, Status
from houqin.assets.tests.factories import AssetFactory, place_in, staff_in
from houqin.org.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

HEADERS = [
    "序号",
    "资产编号",
    "资产名称",
    "分类代码",
    "规格型号",
    "数量",
    "计量单位",
    "原值（元）",
    "取得日期",
    "使用部门",
    "使用人",
    "存放地点",
    "使用状态",
    "折旧年限",
    "累计折旧",
    "备注",
]


def ledger(rows, headers=HEADERS, title=None, name="台账.xlsx"):
    """An uploaded .xlsx: an optional title row, the headers, then ``rows`` (dicts by
    header; missing cells blank)."""
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(header) for header in headers])
    output = BytesIO()
    workbook.save(output)
    return SimpleUploadedFile(name, output.getvalue())


def row(**cells):
    values = {
        "资产名称": "台式计算机",
        "分类代码": "A02010105",
        "数量": 1,
        "原值（元）": 5200,
        "取得日期": date(2022, 9, 1),
    }
    values.update({"原值（元）" if key == "原值" else key: value for key, value in cells.items()})
    return values


@pytest.fixture
def clerk(school):
    return staff_in(school, Position.ASSET_CLERK, name="刘刚", staff_no="A001")


@pytest.fixture
def setting(school):
    """A department, a teacher and a room the rows can name."""
    department = DepartmentFactory(school=school, name="信息中心", code="XX")
    teacher = staff_in(school, name="王芳", staff_no="T100", department=department)
    room = place_in(school, name="301教室", code="PX-301")
    return {"department": department, "teacher": teacher, "room": room}


def upload(client, file):
    response = client.post(reverse("assets:import"), {"file": file})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response.url.rstrip("/").split("/")[-1]


def preview(client, token):
    return client.get(reverse("assets:import_preview", args=[token]))


def errors_of(response):
    return [str(error.message) for error in response.context["plan"].errors]


# ---------------------------------------------------------------------------------------
# Reading


def test_it_guesses_the_mapping_from_chinese_header_synonyms():
    headers = ["序号", "卡片编号", "名称", "国标分类代码", "规格型号", "原值(元)", "购置日期"]
    headers += ["使用单位", "保管人", "存放位置", "折旧年限（月）", "资产状态", "无关列"]
    assert guess_mapping(headers) == {
        "number": 1,
        "name": 2,
        "category": 3,
        "spec": 4,
        "original_value": 5,
        "acquired_on": 6,
        "using_department": 7,
        "custodian": 8,
        "place": 9,
        "life_months": 10,
        "status": 11,
    }


def test_it_reads_the_date_and_amount_forms_of_old_ledgers():
    for text in ("2019-09-01", "2019/9/1", "2019.09.01", "2019年9月1日", "20190901", 43709):
        assert parse_date(text) == date(2019, 9, 1)
    assert parse_date("2019-09") == date(2019, 9, 1)
    assert parse_amount("¥1,234.50") == Decimal("1234.50")
    assert parse_amount(5200.0) == Decimal("5200.00")


def test_it_finds_the_header_row_below_a_title_and_shows_the_guess(login, clerk, school):
    client = login(clerk)
    token = upload(client, ledger([row()], title="善真学校固定资产明细账"))
    response = client.get(reverse("assets:import_mapping", args=[token]))
    assert response.status_code == 200
    batch = response.context["batch"]
    assert batch.header_row == 2
    form = response.context["form"]
    assert form["name"].initial == str(HEADERS.index("资产名称"))
    assert form["serial_number"].initial == ""
    assert "表头在第 2 行" in response.content.decode()


def test_it_refuses_a_file_that_is_not_a_ledger(login, clerk):
    client = login(clerk)
    response = client.post(
        reverse("assets:import"), {"file": SimpleUploadedFile("a.xlsx", b"not a zip")}
    )
    assert "文件已损坏" in response.content.decode()
    response = client.post(
        reverse("assets:import"), {"file": ledger([{"x": 1}], headers=["甲", "乙"])}
    )
    assert "没有找到表头行" in response.content.decode()
    response = client.post(reverse("assets:import"), {"file": ledger([row()], name="a.xls")})
    assert "请上传 Excel" in response.content.decode()


# ---------------------------------------------------------------------------------------
# The mapping


def test_it_lets_the_user_change_the_mapping(login, clerk, school):
    client = login(clerk)
    headers = ["物品", "代码", "价钱", "日期", "附注"]
    file = ledger(
        [{"物品": "空调", "代码": "A02061804", "价钱": 3000, "日期": "2021-06-01", "附注": "格力"}],
        headers=headers,
    )
    response = client.post(reverse("assets:import"), {"file": file})
    assert "没有找到表头行" in response.content.decode()

    headers = ["名称", "分类代码", "金额", "日期", "说明"]
    file = ledger(
        [
            {
                "名称": "空调",
                "分类代码": "A02061804",
                "金额": 3000,
                "日期": "2021-06-01",
                "说明": "格力",
            }
        ],
        headers=headers,
    )
    token = upload(client, file)
    url = reverse("assets:import_mapping", args=[token])
    mapping = {"name": "0", "category": "1", "original_value": "2", "acquired_on": "3"}

    response = client.post(url, {**mapping, "brand": "2"})
    assert "选了同一列" in response.content.decode()
    response = client.post(url, {**mapping, "acquired_on": ""})
    assert "请为这些项选择列：取得日期" in response.content.decode()

    response = client.post(url, {**mapping, "brand": "4"})
    assert response.status_code == 302
    assert response.url == reverse("assets:import_preview", args=[token])
    response = preview(client, token)
    assert response.context["plan"].ok
    client.post(reverse("assets:import_commit", args=[token]))
    card = Asset.objects.get(school=school)
    assert (card.name, card.brand, card.original_value) == ("空调", "格力", Decimal("3000.00"))
    assert card.acquired_on == date(2021, 6, 1)
    assert card.life_months == 120


# ---------------------------------------------------------------------------------------
# Row checks


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"分类代码": "A99"}, "没有这个分类代码：“A99”。"),
        ({"分类代码": "A02", "资产名称": "某设备"}, "“A02 设备”是大类"),
        ({"分类代码": ""}, "请填写分类代码。"),
        ({"资产名称": ""}, "请填写资产名称。"),
        ({"使用部门": "后勤处"}, "本校没有这个部门：“后勤处”。"),
        ({"使用人": "李四"}, "本校没有这个人员：“李四”。"),
        ({"存放地点": "火星"}, "本校没有这个地点：“火星”。"),
        ({"取得日期": "2022-13-45"}, "“2022-13-45”不是有效的日期"),
        ({"取得日期": "2999-01-01"}, "日期不能晚于今天。"),
        ({"原值（元）": "五千"}, "“五千”不是有效的金额。"),
        ({"原值（元）": -5}, "金额不能为负数。"),
        ({"原值（元）": "12.345"}, "金额最多保留两位小数"),
        ({"原值（元）": ""}, "请填写原值或单价。"),
        ({"数量": 0}, "不是有效的整数（至少为 1）"),
        ({"累计折旧": 6000}, "累计折旧（6000.00）大于原值（5200.00）。"),
        ({"折旧年限": 3}, "“台式计算机”的最低折旧年限是 6 年，不能更短。"),
        ({"使用状态": "丢了"}, "“丢了”不是可导入的使用状态"),
        ({"使用状态": "已处置"}, "已处置的资产不导入。"),
        ({"资产编号": "X" * 41}, "超过 40 个字。"),
    ],
)
def test_it_reports_each_bad_row_in_chinese(login, clerk, setting, cells, message):
    client = login(clerk)
    token = upload(client, ledger([row(), row(**cells)]))
    response = preview(client, token)
    errors = response.context["plan"].errors
    assert len(errors) == 1, errors
    assert errors[0].row == 3
    assert message in errors[0].message
    assert message.split("“")[0] in response.content.decode()
    assert "import-commit" not in response.content.decode()


def test_it_asks_for_a_staff_number_when_two_people_share_a_name(login, clerk, school, setting):
    staff_in(school, name="王芳", staff_no="T200")
    client = login(clerk)
    token = upload(client, ledger([row(使用人="王芳"), row(使用人="T200")]))
    assert errors_of(preview(client, token)) == ["“王芳”对应多个人员，请改填工号。"]


def test_it_refuses_numbers_repeated_in_the_file_or_already_on_the_books(login, clerk, school):
    AssetFactory(school=school, number="ZC-0001")
    client = login(clerk)
    rows = [row(资产编号="ZC-0001"), row(资产编号="ZC-0002"), row(资产编号="ZC-0002")]
    token = upload(client, ledger(rows))
    assert errors_of(preview(client, token)) == [
        "资产编号“ZC-0001”已在账上。",
        "资产编号“ZC-0002”与第 3 行重复。",
    ]


def test_it_maps_2010_codes_to_the_2022_classes(login, clerk, school):
    client = login(clerk)
    rows = [
        row(资产名称="联想台式计算机", 分类代码="2010105"),
        row(资产名称="1号教学用房", 分类代码="1020000", 折旧年限=50),
        row(资产名称="某设备", 分类代码="2010000"),
    ]
    token = upload(client, ledger(rows))
    response = preview(client, token)
    assert errors_of(response) == [
        "“A0201 信息化设备”是大类，请填写更具体的分类代码（中类或小类），"
        "或在“分类名称”列写明具体分类。",
    ]
    assert response.context["plan"].preview[0]["category"] == "A02010105 台式计算机"
    assert response.context["plan"].preview[1]["category"] == "A01010201 教学用房"


def test_it_uses_the_class_name_column_and_a_class_name_as_code(login, clerk, school):
    client = login(clerk)
    headers = [*HEADERS, "分类名称"]
    rows = [
        {**row(分类代码="2010000"), "分类名称": "便携式计算机"},
        row(分类代码="台式计算机"),
    ]
    token = upload(client, ledger(rows, headers=headers))
    response = preview(client, token)
    assert errors_of(response) == []
    categories = [line["category"] for line in response.context["plan"].preview]
    assert categories == ["A02010108 便携式计算机", "A02010105 台式计算机"]


# ---------------------------------------------------------------------------------------
# Commit


def test_it_books_every_row_with_an_import_event(login, clerk, school, setting):
    AssetFactory(school=school, number="2026-000007")
    client = login(clerk)
    rows = [
        row(
            资产编号="ZC-0001",
            资产名称="联想台式计算机",
            分类代码="2010105",
            规格型号="M720",
            计量单位="台",
            使用部门="信息中心",
            使用人="T100",
            存放地点="PX-301",
            使用状态="闲置",
            累计折旧=2600,
            备注="旧账",
        ),
        row(资产名称="课桌", 分类代码="A05010203", 数量=50, 计量单位="张", 原值=15000),
        row(资产名称="投影仪", 分类代码="A02010105", 存放地点=setting["room"].full_name),
    ]
    token = upload(client, ledger(rows))
    response = preview(client, token)
    assert response.context["plan"].ok
    assert len(response.context["plan"].preview) == 3
    assert "（自动编号）" in response.content.decode()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.utils.timezone.localdate", lambda *a: date(2026, 3, 15))
        response = client.post(reverse("assets:import_commit", args=[token]))
    assert response.status_code == 302
    cards = {
        card.name: card for card in Asset.objects.filter(school=school, events__action="import")
    }
    assert set(cards) == {"联想台式计算机", "课桌", "投影仪"}
    computer = cards["联想台式计算机"]
    assert computer.number == "ZC-0001"
    assert computer.category.code == "A02010105"
    assert computer.legacy_code == "2010105"
    assert computer.using_department == setting["department"]
    assert computer.custodian == setting["teacher"]
    assert computer.place == setting["room"]
    assert computer.status == Status.IDLE
    assert computer.life_months == 72
    assert computer.accumulated_depreciation == Decimal("2600.00")
    assert computer.net_value == Decimal("2600.00")
    assert computer.depreciated_months == 36
    assert computer.life_locked
    assert computer.depreciated_through == date(2026, 2, 1)
    assert computer.fiscal_amount + computer.non_fiscal_amount == computer.original_value
    assert computer.name_initials == "lxtsjsj"
    # Blank numbers continue the year's sequence after the books' highest.
    assert sorted([cards["课桌"].number, cards["投影仪"].number]) == [
        "2026-000008",
        "2026-000009",
    ]
    assert cards["课桌"].quantity == 50 and cards["课桌"].unit == "张"
    events = AssetEvent.objects.filter(action="import")
    assert events.count() == 3
    assert {event.actor for event in events} == {clerk.user}
    assert "台账.xlsx" in events.first().note

    batch = LedgerImport.objects.get(token=token)
    assert batch.is_committed and batch.created_count == 3 and batch.row_count == 3
    assert batch.committed_at is not None and batch.uploaded_by == clerk.user
    assert batch.file.name == f"imports/assets/{school.pk}/{token}.xlsx"
    response = preview(client, token)
    assert "导入完成：新增 3 张资产卡片" in response.content.decode()
    index = client.get(reverse("assets:import"))
    assert "已导入 3 张" in index.content.decode()


def test_it_saves_nothing_when_one_row_is_bad(login, clerk, school):
    client = login(clerk)
    rows = [row(资产名称=f"电脑{n}") for n in range(5)] + [row(使用部门="不存在的部门")]
    token = upload(client, ledger(rows))
    response = client.post(reverse("assets:import_commit", args=[token]))
    assert response.status_code == 200
    assert "发现错误，没有写入任何数据" in response.content.decode()
    assert "本校没有这个部门" in response.content.decode()
    assert not Asset.objects.filter(school=school).exists()
    assert not AssetEvent.objects.exists()
    batch = LedgerImport.objects.get(token=token)
    assert batch.state == LedgerImport.State.FAILED and batch.error_count == 1
    assert "本校没有这个部门" in batch.error_summary
    assert "1 处错误" in client.get(reverse("assets:import")).content.decode()


def test_it_writes_nothing_when_the_database_refuses_a_row(login, clerk, school, monkeypatch):
    from django.db import IntegrityError

    from houqin.assets import importer

    client = login(clerk)
    token = upload(client, ledger([row(资产名称=f"电脑{n}") for n in range(3)]))
    original = importer._write

    def write_then_fail(*args, **kwargs):
        original(*args, **kwargs)
        assert Asset.objects.filter(school=school).count() == 3
        raise IntegrityError("boom")

    monkeypatch.setattr(importer, "_write", write_then_fail)
    response = client.post(reverse("assets:import_commit", args=[token]), follow=True)
    assert "导入失败，没有写入任何数据" in response.content.decode()
    assert not Asset.objects.filter(school=school).exists()
    assert not AssetEvent.objects.exists()
    batch = LedgerImport.objects.get(token=token)
    assert batch.state == LedgerImport.State.FAILED
    assert "导入失败" in client.get(reverse("assets:import")).content.decode()
    # Failed is not final: the same file may be committed once the cause is gone.
    monkeypatch.setattr(importer, "_write", original)
    client.post(reverse("assets:import_commit", args=[token]))
    assert Asset.objects.filter(school=school, events__action="import").count() == 3


def test_it_reads_values_as_calamine_gives_them(login, clerk, school):
    """Numbers come as floats (integers too) and the table need not start at A1."""
    workbook = Workbook()
    sheet = workbook.active
    sheet["C3"] = "资产名称"
    sheet["D3"] = "分类代码"
    sheet["E3"] = "数量"
    sheet["F3"] = "单价"
    sheet["G3"] = "取得日期"
    sheet["H3"] = "资产编号"
    sheet.append([None, None, "课桌", "A05010203", 3, 0.1 + 0.2, date(2020, 1, 2), 2020001])
    output = BytesIO()
    workbook.save(output)
    file = SimpleUploadedFile("偏移.xlsx", output.getvalue())
    header_row, headers, mapping = read_header(file)
    assert (header_row, mapping["name"], mapping["number"]) == (3, 2, 7)
    client = login(clerk)
    token = upload(client, SimpleUploadedFile("偏移.xlsx", output.getvalue()))
    response = preview(client, token)
    assert response.context["plan"].ok, errors_of(response)
    assert response.context["plan"].preview[0]["row"] == 4
    client.post(reverse("assets:import_commit", args=[token]))
    card = Asset.objects.get(school=school)
    assert (card.number, card.quantity) == ("2020001", 3)
    assert card.original_value == Decimal("0.90")
    assert card.acquired_on == date(2020, 1, 2)
    assert LedgerImport.objects.get(token=token).state == LedgerImport.State.COMMITTED


def test_it_imports_a_file_once(login, clerk, school):
    client = login(clerk)
    token = upload(client, ledger([row()]))
    client.post(reverse("assets:import_commit", args=[token]))
    response = client.post(reverse("assets:import_commit", args=[token]), follow=True)
    assert "这个文件已经导入过了" in response.content.decode()
    assert Asset.objects.filter(school=school).count() == 1
    # The mapping of an imported file cannot be changed any more.
    response = client.get(reverse("assets:import_mapping", args=[token]))
    assert response.status_code == 302


# ---------------------------------------------------------------------------------------
# The template


def test_it_downloads_a_template_that_imports_as_is(login, clerk, school, setting):
    client = login(clerk)
    response = client.get(reverse("assets:import_template"))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    sheet = load_workbook(BytesIO(content)).worksheets[0]
    header, example = list(sheet.iter_rows(values_only=True))[:2]
    assert header[:3] == ("资产编号", "资产名称*", "分类代码*")
    assert example[1] == "台式计算机"
    token = upload(client, SimpleUploadedFile("模板.xlsx", content))
    response = preview(client, token)
    assert response.context["plan"].ok, errors_of(response)


# ---------------------------------------------------------------------------------------
# Access


def test_it_refuses_people_who_do_not_manage_assets(login, school, clerk):
    client = login(clerk)
    token = upload(client, ledger([row()]))
    client = login(staff_in(school, Position.PRINCIPAL))
    for url in (
        reverse("assets:import"),
        reverse("assets:import_template"),
        reverse("assets:import_mapping", args=[token]),
        reverse("assets:import_preview", args=[token]),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("assets:import_commit", args=[token])).status_code == 403
    assert not Asset.objects.exists()


def test_it_hides_another_schools_import(login, school, clerk, other_school):
    other_clerk = staff_in(other_school, Position.ASSET_CLERK)
    token = upload(login(other_clerk), ledger([row()]))
    client = login(clerk)
    for name in ("assets:import_mapping", "assets:import_preview"):
        assert client.get(reverse(name, args=[token])).status_code == 404
        assert client.get(reverse(name, args=["not-a-token"])).status_code == 404
    assert client.post(reverse("assets:import_commit", args=[token])).status_code == 404
    assert not Asset.objects.exists()


def test_it_lists_recent_imports_with_bounded_queries(
    login, clerk, school, django_assert_max_num_queries
):
    client = login(clerk)
    for _n in range(3):
        upload(client, ledger([row()]))
    with django_assert_max_num_queries(10):
        response = client.get(reverse("assets:import"))
    assert len(response.context["batches"]) == 3
    assert response.context["section"] == "import"
    assert 'href="/assets/import/"' in response.content.decode()
