"""Fixed-asset benchmarks on PostgreSQL (issue 5): the card list and the monthly
depreciation, on the district built by ``manage.py generate_district``.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/houqin_bench \\
        .venv/bin/python benchmarks/assets_bench.py [--runs 50] [--no-depreciation]

The list is measured through the code path of the pages: ``listing.search_assets`` on the
district's cards (or one school's), then the 50 rows rendered with the district list's
row template. Each case runs ``--runs`` times (the school cases on a different school each
time) after a warm-up; the figures are p50/p95/max in milliseconds. The depreciation books
the next month for every school of the district, as the monthly job would. Results go to
``benchmarks/results/<date>.md`` (and the terminal).
"""

import argparse
import os
import platform
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "houqin.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.utils import timezone  # noqa: E402

from houqin.accounts.models import Staff  # noqa: E402
from houqin.assets.depreciation import (  # noqa: E402
    depreciate_month,
    month_start,
    next_month,
)
from houqin.assets.listing import (  # noqa: E402
    ON_BOOKS,
    school_totals,
    search_assets,
    totals_by_school,
)
from houqin.assets.models import Asset, AssetEvent, DepreciationRun  # noqa: E402
from houqin.org.models import Department, District, Place, School  # noqa: E402

DISTRICT_TARGET_MS = 200
SCHOOL_TARGET_MS = 50
DEPRECIATION_TARGET_S = 300
SORTS = ["-id", "number", "-name", "name", "-original_value", "acquired_on"]


def percentile(values, share):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
    return ordered[index]


class SchoolFacts:
    """Ids and names of one school for the filters and searches that need them."""

    def __init__(self, school):
        self.school = school
        self.cards = Asset.objects.filter(school=school)
        sample = self.cards.order_by("pk")[self.cards.count() // 2]
        self.number = sample.number
        self.number_prefix = sample.number[:7]
        self.department = Department.objects.filter(school=school).order_by("code")[5].pk
        place = Place.objects.filter(school=school).order_by("pk")[3]
        self.place, self.place_name = place.pk, place.name
        self.building, self.campus = place.building_id, place.campus_id
        person = Staff.objects.filter(school=school, assets__isnull=False).order_by("pk").first()
        self.custodian, self.person_name = person.pk, person.name


def district_cases(sample_numbers):
    """(label, params or a function of the run index → params)."""
    cases = [(f"排序 {sort}", {"sort": sort}) for sort in SORTS]
    cases += [
        ("状态 闲置", {"status": "idle"}),
        ("状态 在账", {"status": ON_BOOKS}),
        ("状态 待处置 按原值", {"status": "pending_disposal", "sort": "-original_value"}),
        ("分类 A05 家具和用具", {"category": "A05"}),
        ("分类 A0201 信息化设备 按名称", {"category": "A0201", "sort": "name"}),
        ("分类 A0302 陈列品（少）", {"category": "A0302"}),
        ("学校", lambda i, facts: {"school": facts.school.pk}),
        (
            "学校 + 闲置 + 按原值",
            lambda i, f: {"school": f.school.pk, "status": "idle", "sort": "-original_value"},
        ),  # noqa: E501
        ("搜索 编号（精确）", lambda i, facts: {"q": sample_numbers[i % len(sample_numbers)]}),
        ("搜索 编号前缀", lambda i, facts: {"q": sample_numbers[i % len(sample_numbers)][:9]}),
        ("搜索 名称 台式计算机", {"q": "台式计算机"}),
        ("搜索 名称 空调（两字）", {"q": "空调"}),
        ("搜索 名称 古筝（少）", {"q": "古筝"}),
        ("搜索 名称 校车（很少）", {"q": "校车"}),
        ("搜索 名称 不存在", {"q": "不存在的资产"}),
        ("搜索 拼音首字母 xskz", {"q": "xskz"}),
        ("搜索 分类代码 A0501", {"q": "A0501"}),
        ("搜索 空调 按取得日期", {"q": "空调", "sort": "acquired_on"}),
        ("第 2 页（按名称）", "page2:name"),
        ("第 2 页（按原值）", "page2:-original_value"),
    ]
    return cases


def school_cases():
    cases = [(f"排序 {sort}", lambda i, f, sort=sort: {"sort": sort}) for sort in SORTS]
    cases += [
        ("状态 闲置", lambda i, f: {"status": "idle"}),
        ("分类 A05", lambda i, f: {"category": "A05"}),
        ("使用部门", lambda i, f: {"department": f.department}),
        ("校区", lambda i, f: {"campus": f.campus}),
        ("楼宇", lambda i, f: {"building": f.building}),
        ("存放地点", lambda i, f: {"place": f.place}),
        ("使用人", lambda i, f: {"custodian": f.custodian}),
        ("搜索 编号（精确）", lambda i, f: {"q": f.number}),
        ("搜索 编号前缀", lambda i, f: {"q": f.number_prefix}),
        ("搜索 名称 空调", lambda i, f: {"q": "空调"}),
        ("搜索 名称 台式计算机", lambda i, f: {"q": "台式计算机"}),
        ("搜索 拼音首字母 tsjsj", lambda i, f: {"q": "tsjsj"}),
        ("搜索 地点名称", lambda i, f: {"q": f.place_name}),
        ("搜索 使用人姓名", lambda i, f: {"q": f.person_name}),
        ("搜索 不存在", lambda i, f: {"q": "不存在的资产"}),
        ("使用部门 + 按原值", lambda i, f: {"department": f.department, "sort": "-original_value"}),
    ]
    return cases


def timed_page(queryset, params, *, school=None):
    started = time.perf_counter()
    page = search_assets(queryset, params, school=school)
    render_to_string("assets/reports/_rows.html", {"page": page})
    return (time.perf_counter() - started) * 1000, page


def run_case(label, params, *, scope, runs, district_cards, facts):
    timings, rows, count = [], 0, ""
    for index in range(-2, runs):  # two warm-up runs
        fact = facts[index % len(facts)]
        if scope == "school":
            queryset, school = fact.cards, fact.school
        else:
            queryset, school = district_cards, None
        if isinstance(params, str):  # the second page of a sort, through the cursor
            sort = params.split(":", 1)[1]
            first = search_assets(queryset, {"sort": sort}, school=school)
            chosen = {"sort": sort, "after": first.rows[-1].pk}
        elif callable(params):
            chosen = params(index, fact)
        else:
            chosen = params
        elapsed, page = timed_page(queryset, chosen, school=school)
        if index >= 0:
            timings.append(elapsed)
            rows, count = len(page.rows), page.count_display
    return {
        "label": label,
        "scope": scope,
        "p50": statistics.median(timings),
        "p95": percentile(timings, 0.95),
        "max": max(timings),
        "rows": rows,
        "count": count,
    }


def server_facts():
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        settings = {}
        for name in ("shared_buffers", "work_mem", "effective_cache_size", "max_wal_size"):
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT pg_size_pretty(pg_relation_size('assets_asset')), "
            "pg_size_pretty(pg_total_relation_size('assets_asset'))"
        )
        table, total = cursor.fetchone()
    return version, settings, table, total


def depreciation_bench(schools):
    ids = [school.pk for school in schools]
    last_run = DepreciationRun.objects.filter(school__in=ids).aggregate(p=Max("period"))["p"]
    through = (
        last_run
        or Asset.objects.filter(school__in=ids).aggregate(p=Max("depreciated_through"))["p"]
    )
    period = next_month(through) if through else month_start(timezone.localdate())
    if period > month_start(timezone.localdate()):
        return {"skipped": f"{period:%Y-%m} 还没有到：请用更早的 --through 重新生成数据"}
    started = time.perf_counter()
    cards = amount = 0
    slowest = 0.0
    for school in schools:
        school_started = time.perf_counter()
        result = depreciate_month(school, period)
        slowest = max(slowest, time.perf_counter() - school_started)
        cards += result.run.asset_count
        amount += result.run.amount
    seconds = time.perf_counter() - started
    # Every card it touched left a dead row version behind: autovacuum cleans them up in
    # production; do it here when it is off, so the next run measures a clean table.
    vacuum = None
    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        if cursor.fetchone()[0] != "on":
            vacuum_started = time.perf_counter()
            cursor.execute("VACUUM (ANALYZE) assets_asset")
            vacuum = time.perf_counter() - vacuum_started
    return {
        "period": f"{period:%Y-%m}",
        "schools": len(schools),
        "cards": cards,
        "amount": amount,
        "seconds": seconds,
        "slowest": slowest,
        "vacuum": vacuum,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--district", default="基准测试区")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--no-depreciation", action="store_true")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    if connection.vendor != "postgresql":
        sys.exit("Run it on PostgreSQL: DATABASE_URL=postgres://…/houqin_bench")
    district = District.objects.filter(name=args.district).first()
    if district is None:
        sys.exit(f"No district {args.district!r}: run manage.py generate_district first.")
    schools = list(School.objects.filter(district=district).order_by("pk"))
    ids = [school.pk for school in schools]
    district_cards = Asset.objects.filter(school__in=ids)
    card_count = district_cards.count()
    event_count = AssetEvent.objects.filter(asset__school__in=ids).count()
    rng = random.Random(5)
    sample = rng.sample(schools, min(len(schools), args.runs))
    facts = [SchoolFacts(school) for school in sample]
    numbers = [fact.number for fact in facts]
    print(f"{len(schools)} schools, {card_count} cards, {event_count} events")
    load_before = os.getloadavg()

    results = []
    for label, params in district_cases(numbers):
        results.append(
            run_case(
                label,
                params,
                scope="district",
                runs=args.runs,
                district_cards=district_cards,
                facts=facts,
            )
        )
        print_result(results[-1])
    for label, params in school_cases():
        results.append(
            run_case(
                label,
                params,
                scope="school",
                runs=args.runs,
                district_cards=district_cards,
                facts=facts,
            )
        )
        print_result(results[-1])

    totals = []
    for _run in range(5):
        started = time.perf_counter()
        totals_by_school(district_cards)
        totals.append((time.perf_counter() - started) * 1000)
    one_school = []
    for fact in facts:
        started = time.perf_counter()
        school_totals(fact.cards)
        one_school.append((time.perf_counter() - started) * 1000)
    print(f"totals_by_school: median {statistics.median(totals):.0f} ms")

    load_lists = os.getloadavg()
    depreciation = None if args.no_depreciation else depreciation_bench(schools)
    if depreciation:
        print(depreciation)
    load = {"before": load_before, "lists": load_lists, "after": os.getloadavg()}
    report = render_report(
        results,
        schools=len(schools),
        cards=card_count,
        events=event_count,
        runs=args.runs,
        totals=totals,
        one_school=one_school,
        depreciation=depreciation,
        load=load,
    )
    out = args.out or ROOT / "benchmarks" / "results" / f"{date.today():%Y-%m-%d}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report, encoding="utf-8")
    print(f"Written to {out}")


def print_result(result):
    target = DISTRICT_TARGET_MS if result["scope"] == "district" else SCHOOL_TARGET_MS
    flag = "ok" if result["p95"] <= target else "SLOW"
    print(
        f"{result['scope']:8} {result['label']:28} p50 {result['p50']:7.1f}  "
        f"p95 {result['p95']:7.1f}  max {result['max']:7.1f}  {flag}"
    )


def render_report(results, *, schools, cards, events, runs, totals, one_school, depreciation, load):
    version, settings, table, total = server_facts()
    lines = [
        f"# Fixed-asset benchmarks — {date.today():%Y-%m-%d}",
        "",
        f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python "
        f"{platform.python_version()}; PostgreSQL {version} "
        + ", ".join(f"{name}={value}" for name, value in settings.items())
        + ".",
        f"Data (`manage.py generate_district`): {schools} schools, {cards:,} cards, "
        f"{events:,} history lines; assets_asset {table} ({total} with indexes).",
        "Load average (1, 5, 15 min) — before: "
        + ", ".join(f"{value:.1f}" for value in load["before"])
        + "; after the lists: "
        + ", ".join(f"{value:.1f}" for value in load["lists"])
        + "; at the end: "
        + ", ".join(f"{value:.1f}" for value in load["after"])
        + ". Above 2 the machine was shared with other work and the figures are slower than "
        "its own.",
        "",
        f"## Card list — 50 rows, `listing.search_assets` + rendering the rows ({runs} runs "
        "each; a school case runs on a different school each time)",
        "",
        f"Targets: p95 ≤ {DISTRICT_TARGET_MS} ms across the district, "
        f"≤ {SCHOOL_TARGET_MS} ms within one school.",
        "",
        "| scope | case | p50 ms | p95 ms | max ms | rows | count | target met |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for result in results:
        target = DISTRICT_TARGET_MS if result["scope"] == "district" else SCHOOL_TARGET_MS
        lines.append(
            f"| {result['scope']} | {result['label']} | {result['p50']:.1f} | "
            f"{result['p95']:.1f} | {result['max']:.1f} | {result['rows']} | "
            f"{result['count']} | {'yes' if result['p95'] <= target else '**no**'} |"
        )
    for scope, target in (("district", DISTRICT_TARGET_MS), ("school", SCHOOL_TARGET_MS)):
        worst = max((r for r in results if r["scope"] == scope), key=lambda r: r["p95"])
        lines.append("")
        lines.append(
            f"Worst p95 ({scope}): {worst['p95']:.1f} ms — {worst['label']} (target {target} ms)."
        )
    lines += [
        "",
        "## Totals",
        "",
        f"- Every school's totals (`totals_by_school`, one GROUP BY over the district, "
        f"cached 10 minutes by the page): median {statistics.median(totals):.0f} ms, "
        f"max {max(totals):.0f} ms.",
        f"- One school's totals (`school_totals`): median {statistics.median(one_school):.1f} "
        f"ms, p95 {percentile(one_school, 0.95):.1f} ms.",
        "",
        f"## Monthly depreciation (target ≤ {DEPRECIATION_TARGET_S} s for the district)",
        "",
    ]
    if depreciation is None:
        lines.append("Not run (`--no-depreciation`).")
    elif "skipped" in depreciation:
        lines.append(f"Skipped: {depreciation['skipped']}.")
    else:
        lines.append(
            f"{depreciation['period']}: {depreciation['schools']} schools, "
            f"{depreciation['cards']:,} cards depreciated, {depreciation['amount']:,} yuan, "
            f"**{depreciation['seconds']:.1f} s** (slowest school "
            f"{depreciation['slowest']:.2f} s) — target "
            f"{'met' if depreciation['seconds'] <= DEPRECIATION_TARGET_S else '**missed**'}."
        )
        if depreciation["vacuum"] is not None:
            lines.append(
                f"Then `VACUUM (ANALYZE)` of the cards, as autovacuum would (it is off on this "
                f"server): {depreciation['vacuum']:.1f} s."
            )
    lines += [
        "",
        "The stocktake scan and the ledger import are measured by `stocktake_bench.py` and",
        "`import_bench.py` (their own results files).",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
