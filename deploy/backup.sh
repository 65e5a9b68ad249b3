#!/usr/bin/env bash
# Back up houqin: a PostgreSQL dump (pg_dump -Fc) of DATABASE_URL and a tar of MEDIA_ROOT,
# into BACKUP_DIR with timestamped names, keeping the newest BACKUP_KEEP of each.
#
# Usage: deploy/backup.sh [ENV_FILE]
#   ENV_FILE (default /etc/houqin/houqin.env when it exists) is read for DATABASE_URL,
#   MEDIA_ROOT, BACKUP_DIR and BACKUP_KEEP; variables already set in the environment win.
#
# Cron (as the houqin user), every night at 02:30:
#   30 2 * * * /srv/houqin/app/deploy/backup.sh >>/srv/houqin/backups/backup.log 2>&1
#
# Restore: pg_restore --clean --if-exists --no-owner -d "$DATABASE_URL" houqin-db-....dump
#          tar -xzf houqin-media-....tar.gz -C "$(dirname "$MEDIA_ROOT")"
set -euo pipefail

env_file="${1:-${HOUQIN_ENV_FILE:-/etc/houqin/houqin.env}}"
if [[ -r "$env_file" ]]; then
    # Keep what the caller set explicitly; take the rest from the env file.
    saved="$(declare -p DATABASE_URL MEDIA_ROOT BACKUP_DIR BACKUP_KEEP 2>/dev/null || true)"
    set -a
    # shellcheck disable=SC1090
    . "$env_file"
    set +a
    eval "$saved"
elif [[ $# -gt 0 ]]; then
    echo "backup: cannot read $env_file" >&2
    exit 2
fi

: "${DATABASE_URL:?backup: DATABASE_URL is not set}"
BACKUP_DIR="${BACKUP_DIR:-/srv/houqin/backups}"
BACKUP_KEEP="${BACKUP_KEEP:-14}"
MEDIA_ROOT="${MEDIA_ROOT:-}"

if ! [[ "$BACKUP_KEEP" =~ ^[1-9][0-9]*$ ]]; then
    echo "backup: BACKUP_KEEP must be a positive number, not '$BACKUP_KEEP'" >&2
    exit 2
fi
case "$DATABASE_URL" in
    postgres://* | postgresql://*) ;;
    *)
        echo "backup: DATABASE_URL must be a postgres:// URL" >&2
        exit 2
        ;;
esac

umask 077
mkdir -p "$BACKUP_DIR"
stamp="$(date +%Y%m%d-%H%M%S)"

# Write to a temporary name and rename when complete: a half-written file never counts as
# a backup, and the pruning below never sees it.
tmp_files=()
cleanup() {
    if [[ ${#tmp_files[@]} -gt 0 ]]; then
        rm -f -- "${tmp_files[@]}"
    fi
}
trap cleanup EXIT

dump="$BACKUP_DIR/houqin-db-$stamp.dump"
tmp_files+=("$dump.partial")
pg_dump --format=custom --compress=6 --file="$dump.partial" --dbname="$DATABASE_URL"
mv -- "$dump.partial" "$dump"
echo "backup: database → $dump"

if [[ -n "$MEDIA_ROOT" && -d "$MEDIA_ROOT" ]]; then
    archive="$BACKUP_DIR/houqin-media-$stamp.tar.gz"
    tmp_files+=("$archive.partial")
    tar -czf "$archive.partial" -C "$(dirname "$MEDIA_ROOT")" "$(basename "$MEDIA_ROOT")"
    mv -- "$archive.partial" "$archive"
    echo "backup: media → $archive"
else
    echo "backup: no media directory (MEDIA_ROOT='${MEDIA_ROOT}'), skipped"
fi

# Keep the newest BACKUP_KEEP of each kind. Timestamped names sort by age.
prune() {
    local pattern="$1"
    local files=()
    local file
    while IFS= read -r file; do
        files+=("$file")
    done < <(find "$BACKUP_DIR" -maxdepth 1 -type f -name "$pattern" | LC_ALL=C sort -r)
    local index
    for ((index = BACKUP_KEEP; index < ${#files[@]}; index++)); do
        rm -f -- "${files[$index]}"
        echo "backup: removed old ${files[$index]}"
    done
}
prune 'houqin-db-*.dump'
prune 'houqin-media-*.tar.gz'
