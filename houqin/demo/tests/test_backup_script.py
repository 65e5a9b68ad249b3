"""deploy/: backup.sh against a throwaway PostgreSQL database, and the env file example."""

import os
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from django.conf import settings

DEPLOY = Path(settings.BASE_DIR) / "deploy"
BACKUP = DEPLOY / "backup.sh"
PG = {"host": "127.0.0.1", "port": "5432", "user": "postgres"}


def _psql(sql):
    return subprocess.run(
        ["psql", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"], "-d", "postgres"]
        + ["-v", "ON_ERROR_STOP=1", "-Atqc", sql],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "PGCONNECT_TIMEOUT": "3"},
    )


@pytest.fixture
def throwaway_database():
    if not (shutil.which("pg_dump") and shutil.which("psql")):
        pytest.skip("pg_dump/psql not installed")
    if _psql("select 1").returncode != 0:
        pytest.skip("no PostgreSQL at 127.0.0.1:5432 for user postgres")
    name = f"houqin_backup_test_{uuid.uuid4().hex[:8]}"
    assert _psql(f'create database "{name}"').returncode == 0
    try:
        yield f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{name}"
    finally:
        _psql(f'drop database if exists "{name}"')


def _run(tmp_path, **env):
    return subprocess.run(
        ["bash", str(BACKUP)],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOUQIN_ENV_FILE": str(tmp_path / "absent.env"),
            **env,
        },
    )


def test_it_is_valid_bash():
    assert subprocess.run(["bash", "-n", str(BACKUP)]).returncode == 0


def test_it_dumps_the_database_and_media_and_keeps_the_newest(tmp_path, throwaway_database):
    backups = tmp_path / "backups"
    backups.mkdir()
    media = tmp_path / "media"
    (media / "repairs").mkdir(parents=True)
    (media / "repairs" / "photo.jpg").write_bytes(b"jpeg")
    for day in range(1, 5):  # older backups from earlier nights
        (backups / f"houqin-db-2020010{day}-023000.dump").write_bytes(b"old")
        (backups / f"houqin-media-2020010{day}-023000.tar.gz").write_bytes(b"old")

    result = _run(
        tmp_path,
        DATABASE_URL=throwaway_database,
        BACKUP_DIR=str(backups),
        BACKUP_KEEP="3",
        MEDIA_ROOT=str(media),
    )

    assert result.returncode == 0, result.stderr
    dumps = sorted(p.name for p in backups.glob("houqin-db-*.dump"))
    archives = sorted(p.name for p in backups.glob("houqin-media-*.tar.gz"))
    assert len(dumps) == 3 and len(archives) == 3
    assert dumps[:2] == ["houqin-db-20200103-023000.dump", "houqin-db-20200104-023000.dump"]
    newest = backups / dumps[-1]
    assert newest.read_bytes().startswith(b"PGDMP")  # pg_dump custom format
    listing = subprocess.run(
        ["tar", "-tzf", str(backups / archives[-1])], capture_output=True, text=True
    )
    assert "media/repairs/photo.jpg" in listing.stdout
    assert not list(backups.glob("*.partial"))


def test_it_refuses_to_run_without_a_database_url(tmp_path):
    result = _run(tmp_path, BACKUP_DIR=str(tmp_path / "b"))
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_it_lists_every_setting_in_the_env_example():
    source = (Path(settings.BASE_DIR) / "houqin" / "settings.py").read_text()
    names = set(re.findall(r'(?:os\.environ\.get|env_bool|env_list)\(\s*"([A-Z0-9_]+)"', source))
    names.add("DATABASE_URL")  # read by dj_database_url.config()
    example = (DEPLOY / "houqin.env.example").read_text()
    listed = set(re.findall(r"^#?\s*([A-Z0-9_]+)=", example, re.MULTILINE))
    assert names - listed == set()
    assert re.search(r"^DEBUG=0$", example, re.MULTILINE)
    assert re.search(r"^HOUQIN_REQUIRE_SECRET_KEY=1$", example, re.MULTILINE)
