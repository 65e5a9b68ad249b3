"""Screenshots of the running demo for the README and for looking at pages.

    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000 docs/screenshots [path ...]

Signs in as zhoujing (or HOUQIN_USER) on a phone-sized and a desktop viewport.
"""

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(sys.argv[2] if len(sys.argv) > 2 else "docs/screenshots")
PATHS = sys.argv[3:] or ["/"]
USER = os.environ.get("HOUQIN_USER", "zhoujing")
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        for label, viewport in VIEWPORTS.items():
            page = browser.new_page(viewport=viewport, locale="zh-CN")
            page.goto(f"{BASE}/accounts/login/")
            page.fill("input[name=username]", USER)
            page.fill("input[name=password]", "Houqin@2026")
            page.click("[data-testid=login-submit]")
            page.wait_for_load_state("networkidle")
            for path in PATHS:
                page.goto(f"{BASE}{path}")
                page.wait_for_load_state("networkidle")
                name = path.strip("/").replace("/", "-").replace("?", "_") or "home"
                page.screenshot(path=str(OUT / f"{name}-{label}.png"), full_page=True)
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
