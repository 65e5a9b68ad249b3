#!/usr/bin/env bash
# Sets everything up and runs houqin on the embedded SQLite database with the demo school:
# the background worker and the scheduler in the background (logs in var/log/), gunicorn
# in front. Ctrl-C stops all three.
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

LOG_DIR="${HOUQIN_VAR_DIR:-var}/log"
mkdir -p "$LOG_DIR"
pids=()
stop_all() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  # The worker finishes the task it is running before it exits.
  wait "${pids[@]}" 2>/dev/null || true
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Background jobs (docs/JOBS.md): the worker runs queued tasks, the scheduler queues the
# schedules that have come due once a minute.
case "${HOUQIN_TASK_BACKEND:-database}" in
  database) $PY manage.py db_worker >>"$LOG_DIR/worker.log" 2>&1 & pids+=($!) ;;
  rq) $PY manage.py rqworker --job-class django_tasks_rq.Job default >>"$LOG_DIR/worker.log" 2>&1 & pids+=($!) ;;
  *) echo "HOUQIN_TASK_BACKEND=${HOUQIN_TASK_BACKEND}: tasks run at once, no worker started" ;;
esac
$PY manage.py run_scheduler >>"$LOG_DIR/scheduler.log" 2>&1 &
pids+=($!)

echo
echo "houqin is running at http://127.0.0.1:${PORT}/  (Ctrl-C stops it)"
echo "background worker and scheduler: logs in $LOG_DIR/"
# gunicorn runs as a child, not exec'd, so the traps above can stop the others; waiting on
# it (instead of running it in the foreground) lets a SIGTERM to this script act at once.
.venv/bin/gunicorn houqin.wsgi:application --bind "127.0.0.1:${PORT}" --workers 2 \
  --access-logfile - --error-logfile - &
pids+=($!)
wait "${pids[-1]}"
