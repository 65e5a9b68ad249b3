#!/usr/bin/env bash
# Runs the whole test suite (SQLite by default; set DATABASE_URL for PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [ "${HOUQIN_SKIP_BROWSER:-0}" != "1" ]; then
  scripts/browser.sh
fi
exec .venv/bin/pytest "$@"
