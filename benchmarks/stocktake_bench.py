"""Stocktake scan benchmark on PostgreSQL (issue 5): the sync endpoint confirming one scan
(what a phone sends after each scan when it has signal), in a stocktake of ~5,000 lines.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/houqin_bench \\
        .venv/bin/python benchmarks/stocktake_bench.py [--runs 300] [--lines 5000]

Takes the school of the district (``manage.py generate_district``) whose card count is
nearest ``--lines``, starts a stocktake of the whole school (the snapshot is timed too),
then POSTs ``--runs`` single scans — each a new UUID, a random line, a random room — to
``stocktakes:sync`` through Django's test client (middleware, session, access checks,
JSON), and a replay of each tenth. Reports p50/p95/max in ms; the stocktake is cancelled
afterwards so the district stays as it was for the other benchmarks.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "houqin.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from houqin.accounts.models import Staff  # noqa: E402
from houqin.assets.models import Asset  # noqa: E402
from houqin.stocktakes import services  # noqa: E402
from houqin.stocktakes.models import Line, Stocktake  # noqa: E402

TARGET_MS = 30


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--lines", type=int, default=5000)
    args = parser.parse_args()

    sizes = Asset.objects.on_books().values("school").annotate(n=Count("pk"))
    school_id = min(sizes, key=lambda row: abs(row["n"] - args.lines))["school"]
    clerk = next(
        (
            s
            for s in Staff.objects.filter(school_id=school_id, is_active=True)
            .select_related("user")
            .exclude(user=None)
            if s.user.has_perm("assets.manage")
        ),
        None,
    )
    if clerk is None:
        # The generated district has no logins: an asset clerk for the run.
        from houqin.accounts.roles import Position
        from houqin.accounts.tests.factories import StaffFactory

        clerk = StaffFactory(
            school_id=school_id, name="基准盘点员", positions=[Position.ASSET_CLERK]
        )
    stocktake = services.stocktake_save(
        Stocktake(), by=clerk, values={"name": "基准测试盘点", "base_date": date.today()}
    )
    services.counter_add(stocktake, by=clerk, staff=clerk)
    started = time.perf_counter()
    services.stocktake_start(stocktake, by=clerk)
    snapshot_s = time.perf_counter() - started
    lines = list(Line.objects.filter(stocktake=stocktake).values_list("pk", "expected_place_id"))
    rooms = [place for _pk, place in lines if place]

    # The test client's host name, as the test settings would allow it.
    settings.ALLOWED_HOSTS.append("testserver")
    client = Client()
    client.force_login(clerk.user)
    url = reverse("stocktakes:sync", args=[stocktake.pk])
    rng = random.Random(2026)

    def post(scan):
        started = time.perf_counter()
        response = client.post(
            url, data=json.dumps({"scans": [scan]}), content_type="application/json"
        )
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.content
        return elapsed

    def scan():
        line, place = rng.choice(lines)
        # Nine in ten where the book says; the rest in some other room.
        room = place if place and rng.random() < 0.9 else rng.choice(rooms)
        return {"uuid": str(uuid.uuid4()), "place": room, "line": line}

    for _ in range(20):
        post(scan())
    timings, replays = [], []
    for index in range(args.runs):
        sent = scan()
        timings.append(post(sent))
        if index % 10 == 0:
            replays.append(post(sent))
    # The same work without the HTTP layer (middleware, session, login): the share of
    # the figure that is ours.
    stocktake.refresh_from_db()
    direct = []
    for _ in range(args.runs):
        started = time.perf_counter()
        services.record_scans(stocktake, staff=clerk, scans=[scan()])
        direct.append((time.perf_counter() - started) * 1000)
    services.stocktake_cancel(stocktake, by=clerk, reason="基准测试")

    p95 = percentile(timings, 0.95)
    report = [
        f"## Stocktake scan — {date.today().isoformat()}",
        "",
        f"School {school_id}: {len(lines)} lines; snapshot (开始盘点) {snapshot_s:.2f} s.",
        "",
        "| case | runs | p50 ms | p95 ms | max ms | target |",
        "|---|---|---|---|---|---|",
        f"| one scan confirmed (sync endpoint) | {len(timings)} | "
        f"{statistics.median(timings):.1f} | {p95:.1f} | {max(timings):.1f} | "
        f"p95 ≤ {TARGET_MS} ms {'✓' if p95 <= TARGET_MS else '✗'} |",
        f"| the same scan replayed | {len(replays)} | {statistics.median(replays):.1f} | "
        f"{percentile(replays, 0.95):.1f} | {max(replays):.1f} | |",
        f"| one scan, service only (record_scans) | {len(direct)} | "
        f"{statistics.median(direct):.1f} | {percentile(direct, 0.95):.1f} | "
        f"{max(direct):.1f} | |",
        "",
        f"Load average while running: {os.getloadavg()[0]:.1f} (2 cores).",
    ]
    text = "\n".join(report)
    print(text)
    results = ROOT / "benchmarks" / "results"
    results.mkdir(exist_ok=True)
    with open(results / f"stocktake-{date.today().isoformat()}.md", "w") as out:
        out.write(text + "\n")


if __name__ == "__main__":
    main()
