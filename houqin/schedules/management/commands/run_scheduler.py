"""``manage.py run_scheduler``: once a minute, queue the schedules that have come due and
call every heartbeat callback (outbox retries…). Safe to run on several machines at once:
a slot gets one run whoever asks for it. ``--once`` runs a single tick (for cron or tests).
"""

import logging
import signal
import threading

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from houqin.schedules import heartbeat
from houqin.schedules.services import run_due

logger = logging.getLogger("houqin.schedules")


class Command(BaseCommand):
    help = "Queue due schedules and run the heartbeat callbacks, once a minute."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run one tick, then exit.")
        parser.add_argument(
            "--interval",
            type=int,
            default=60,
            help="Seconds between ticks (default: 60, on the minute).",
        )

    def handle(self, *, once, interval, verbosity, **options):
        self.verbosity = verbosity
        if once:
            self.tick()
            return
        stop = threading.Event()

        def request_stop(signum, frame):
            logger.info("scheduler: %s received, stopping", signal.Signals(signum).name)
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        self.stdout.write(f"houqin scheduler: a tick every {interval}s (Ctrl-C stops it)")
        while not stop.is_set():
            close_old_connections()
            self.tick()
            close_old_connections()
            # Wake on the next whole interval, so ticks stay on the minute.
            stop.wait(interval - timezone.now().timestamp() % interval)

    def tick(self):
        now = timezone.now()
        try:
            runs = run_due(now)
        except Exception:
            logger.exception("scheduler: run_due failed")
            runs = []
        failed = heartbeat.tick(now)
        if self.verbosity >= 1 and (runs or failed):
            self.stdout.write(
                f"{timezone.localtime(now):%Y-%m-%d %H:%M} queued {len(runs)} run(s)"
                + (f", {len(failed)} callback(s) failed" if failed else "")
            )
