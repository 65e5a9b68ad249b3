"""The ledger import at 100,000 rows on PostgreSQL (issue 5: ≤ 60 s, peak memory ≤ 500 MB).

    createdb houqin_import_bench && DATABASE_URL=postgres://postgres@127.0.0.1:5432/houqin_import_bench \\
        .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/houqin_import_bench \\
        .venv/bin/python benchmarks/import_bench.py [--rows 100000]

Makes a new school (20 departments, 300 people, 400 rooms, an asset clerk), writes a
ledger of ``--rows`` rows the way old ledgers look (a title row, 2022 and 2010 codes and
class names, people by name and by 工号, rooms by code and by full name, a third of the
numbers blank), then runs what the pages run: ``read_header`` (upload), ``ledger_plan``
(preview) and ``ledger_commit`` (commit). Prints each step's wall time and the process's
peak resident memory (``ru_maxrss``, Django and calamine included).
"""

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "houqin.settings")

import django  # noqa: E402

django.setup()

from django.core.files import File  # noqa: E402
from django.db import connection  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from houqin.accounts.models import Staff  # noqa: E402
from houqin.accounts.roles import Position  # noqa: E402
from houqin.accounts.tests.factories import StaffFactory  # noqa: E402
from houqin.assets.importer import (  # noqa: E402
    ledger_commit,
    ledger_plan,
    read_header,
    start_import,
)
from houqin.assets.models import Asset, AssetEvent  # noqa: E402
from houqin.org.models import Building, Campus, Department, Place, School  # noqa: E402

HEADERS = [
    "序号", "资产编号", "资产名称", "分类代码", "规格型号", "品牌", "数量", "计量单位", "单价",
    "原值（元）", "取得日期", "记账日期", "取得方式", "经费来源", "使用部门", "管理部门",
    "使用人", "存放地点", "使用状态", "折旧年限", "累计折旧", "备注",
]  # fmt: skip
# (name, code as a ledger writes it, price range, life in years, unit)
ITEMS = [
    ("台式计算机", "A02010105", (3500, 7000), 6, "台"),
    ("联想台式计算机", "2010105", (3500, 7000), 6, "台"),
    ("便携式计算机", "A02010108", (4000, 9000), 6, "台"),
    ("空调机", "A02061804", (2500, 9000), 10, "台"),
    ("学生课桌", "A05010203", (150, 400), 15, "张"),
    ("普通图书", "A040101", (20, 80), None, "册"),
    ("服务器", "台式计算机", (20000, 60000), 6, "台"),
]


def mb(kilobytes):
    return kilobytes / 1024


def peak_rss_mb():
    return mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def make_school():
    stamp = time.strftime("%Y%m%d%H%M%S")
    school = School.objects.create(name=f"导入压测学校{stamp}", code=f"IMP{stamp}")
    campus = Campus.objects.create(school=school, name="本部", code="MAIN", is_main=True)
    departments = Department.objects.bulk_create(
        Department(school=school, name=f"部门{n:02d}", code=f"D{n:02d}") for n in range(20)
    )
    people = Staff.objects.bulk_create(
        Staff(school=school, name=f"教师{n:03d}", staff_no=f"T{n:04d}") for n in range(300)
    )
    buildings = Building.objects.bulk_create(
        Building(school=school, campus=campus, name=f"{n}号楼", code=f"B{n}") for n in range(4)
    )
    places = Place.objects.bulk_create(
        Place(
            school=school,
            campus=campus,
            building=buildings[n % 4],
            name=f"{n + 101}室",
            code=f"R{n:04d}",
            place_type="classroom",
        )
        for n in range(400)
    )
    clerk = StaffFactory(
        school=school,
        name="刘刚",
        staff_no="A001",
        user__username=f"impbench{stamp}",
        positions=[Position.ASSET_CLERK],
    )
    return school, clerk, departments, people, places


def write_ledger(path, rows, departments, people, places):
    rng = random.Random(5)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("资产明细账")
    sheet.append(["导入压测学校固定资产明细账"])
    sheet.append(HEADERS)
    today = date.today()
    for n in range(rows):
        name, code, (low, high), life, unit = ITEMS[n % len(ITEMS)]
        price = rng.randint(low, high)
        quantity = 1 if unit == "台" else rng.choice((1, 10, 50))
        value = price * quantity
        acquired = today - timedelta(days=rng.randint(30, 3000))
        months = (today.year - acquired.year) * 12 + today.month - acquired.month - 1
        accumulated = round(value * min(months, life * 12) / (life * 12), 2) if life else 0
        person = people[n % len(people)]
        place = places[n % len(places)]
        sheet.append(
            [
                n + 1,
                "" if n % 3 == 0 else f"ZC{n:07d}",
                name,
                code,
                "标准型",
                "联想" if "计算机" in name else "",
                quantity,
                unit,
                price,
                value,
                acquired,
                acquired.isoformat(),
                "新购",
                "财政拨款" if n % 2 else "自筹资金",
                departments[n % len(departments)].name,
                departments[0].code,
                person.name if n % 2 else person.staff_no,
                place.code if n % 2 else place.full_name,
                "在用" if n % 10 else "闲置",
                life or "",
                accumulated,
                "",
            ]
        )
    workbook.save(path)


def step(label, func):
    started = time.perf_counter()
    result = func()
    elapsed = time.perf_counter() - started
    print(f"{label:<28} {elapsed:7.1f} s   peak RSS {peak_rss_mb():6.0f} MB", flush=True)
    return result, elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; rows: {args.rows}")
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    school, clerk, departments, people, places = make_school()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "台账.xlsx"
        _result, _elapsed = step(
            "write the ledger (setup)",
            lambda: write_ledger(path, args.rows, departments, people, places),
        )
        print(f"file size: {path.stat().st_size / 1024 / 1024:.1f} MB")
        print(f"peak RSS before the import: {peak_rss_mb():.0f} MB")
        with path.open("rb") as handle:
            upload = File(handle, name="台账.xlsx")
            (header_row, headers, mapping), upload_time = step(
                "upload (header, guess)", lambda: read_header(upload)
            )
            batch = start_import(
                school=school,
                user=clerk.user,
                upload=upload,
                header_row=header_row,
                headers=headers,
                mapping=mapping,
            )
        plan, preview_time = step("preview (read + check all)", lambda: ledger_plan(batch))
        assert plan.ok, plan.errors[:5]
        del plan
        _plan, commit_time = step("commit (check + write)", lambda: ledger_commit(batch, by=clerk))
    cards = Asset.objects.filter(school=school).count()
    events = AssetEvent.objects.filter(asset__school=school, action="import").count()
    print(f"cards booked: {cards}; import events: {events}")
    print(f"commit: {commit_time:.1f} s (target ≤ 60 s); peak RSS: {peak_rss_mb():.0f} MB")
    print(f"preview + commit: {preview_time + commit_time:.1f} s")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
