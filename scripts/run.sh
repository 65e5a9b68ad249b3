#!/usr/bin/env bash
# Sets everything up and runs houqin on the embedded SQLite database with the demo school.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
PY=.venv/bin/python
export DJANGO_SETTINGS_MODULE=houqin.settings
$PY manage.py migrate --noinput --verbosity 0
$PY manage.py load_demo --quiet
$PY manage.py collectstatic --noinput --verbosity 0
PORT=${PORT:-8000}
$PY manage.py load_demo
echo
echo "houqin is running at http://127.0.0.1:${PORT}/  (Ctrl-C stops it)"
exec .venv/bin/gunicorn houqin.wsgi:application --bind "127.0.0.1:${PORT}" --workers 2 \
  --access-logfile - --error-logfile -
