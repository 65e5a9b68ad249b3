#!/usr/bin/env bash
# Browser tests drive Debian's Chromium (no browser download: schools and CI are offline).
# Installs it, and CJK fonts so screenshots show Chinese, when missing.
set -euo pipefail
if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "cjk\|wqy"; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "Chromium is missing: run 'sudo apt-get install -y chromium fonts-noto-cjk', or set HOUQIN_SKIP_BROWSER=1." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
