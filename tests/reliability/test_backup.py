"""Backup and restore: an archive restored into an empty database finds the same documents by search.

The commands run as `manage.py` child processes, as an operator would run them: on real
PostgreSQL (a second database created here and dropped afterwards), with a real Whoosh
index in a new folder; the SQLite path (the quick start's database) is run end to end too.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import tarfile
import textwrap
import time
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from gazette import backup
from gazette.models import Document, Gazette, ImportRecord, Issue
from gazette.services import gazette_file_import
from policies.models import Task

from .conftest import PYTHON, ROOT

# Words and numbers a reader would search the fixture gazette 000 for.
QUERIES = ["冷链物流", "贺政办发〔2018〕146号", "营商环境", "市长副市长工作分工"]

# Prints knowledge_base_facts() of the database and index the child's settings name.
CHILD_FACTS = textwrap.dedent(
    """
    import json
    import django
    django.setup()
    from tests.reliability.test_backup import knowledge_base_facts
    print(json.dumps(knowledge_base_facts(), ensure_ascii=False))
    """
)


def knowledge_base_facts() -> dict:
    """What a reader would see: counts, every document, every upload's bytes, and search hits."""
    from search.query import documents_search

    numbers = dict(Document.objects.values_list("pk", "doc_number"))
    return {
        "counts": {
            "gazettes": Gazette.objects.count(),
            "issues": Issue.objects.count(),
            "documents": Document.objects.count(),
            "import_records": ImportRecord.objects.count(),
            "tasks": Task.objects.count(),
        },
        "documents": sorted(
            [number, title, hashlib.sha256(body.encode()).hexdigest()]
            for number, title, body in Document.objects.values_list("doc_number", "title", "body")
        ),
        "uploads": sorted(
            [name, hashlib.sha256(bytes(data)).hexdigest()]
            for name, data in ImportRecord.objects.values_list("file_name", "data")
        ),
        "search": {q: [numbers[pk] for pk in documents_search(q=q).ids] for q in QUERIES},
    }


def postgres_url(name: str) -> str:
    db = connection.settings_dict
    return f"postgres://{quote(db['USER'])}:{quote(db['PASSWORD'] or '')}@{db['HOST']}:{db['PORT']}/{quote(name)}"


def manage(*args: str, database_url: str, index: Path) -> subprocess.CompletedProcess:
    """Run `manage.py ARGS` in a child process on this database and index, as an operator would."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GONGBAO_", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DATABASE_URL=database_url,
        GONGBAO_INDEX_DIR=str(index),
        PYTHONPATH=str(ROOT),
    )
    command = [PYTHON, "-c", CHILD_FACTS] if args == ("facts",) else [PYTHON, "manage.py", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def scratch_databases():
    """Creates empty PostgreSQL databases on the test server by name suffix; drops them afterwards."""
    created = []
    admin = connection.settings_dict

    def execute(sql: str) -> None:
        conn = psycopg2.connect(
            host=admin["HOST"], port=admin["PORT"], user=admin["USER"], password=admin["PASSWORD"], dbname="postgres"
        )
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql)
        finally:
            conn.close()

    def create(suffix: str) -> str:
        name = f"{connection.settings_dict['NAME']}_{suffix}"
        execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return name

    yield create
    for name in created:
        execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def kb_counts():
    def counts() -> dict[str, int]:
        return {name: model.objects.count() for name, model in backup.counted_models().items()}

    return counts


def rewrite_archive(path: Path, change) -> None:
    """Rewrite the archive's manifest with `change(manifest)`, keeping the other members as they are."""
    with tarfile.open(path) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    manifest = json.loads(members.pop(backup.MANIFEST))
    renamed = change(manifest) or {}
    with tarfile.open(path, "w") as tar:
        for name, data in [(backup.MANIFEST, json.dumps(manifest).encode()), *members.items()]:
            info = tarfile.TarInfo(renamed.get(name, name))
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


# --- the round trip ---------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_an_empty_database_finds_the_same_documents_by_search(
    search_index, fixture_bytes, tmp_path, scratch_databases
):
    gazette_file_import(file_name="000.txt", data=fixture_bytes("000"))
    before = knowledge_base_facts()
    assert "贺政办发〔2018〕146号" in before["search"]["冷链物流"]
    archive = tmp_path / "gongbao.tar"

    started = time.monotonic()
    backed_up = manage(
        "backup", str(archive), database_url=postgres_url(connection.settings_dict["NAME"]), index=search_index
    )
    backup_seconds = time.monotonic() - started
    assert backed_up.returncode == 0, backed_up.stderr
    with tarfile.open(archive) as tar:
        assert tar.getnames() == ["manifest.json", "database.pgdump", "dictionary.txt"]
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["vendor"] == "postgresql"
    assert manifest["counts"] == before["counts"]
    assert "0001_initial" in manifest["migrations"]["gazette"]

    target = scratch_databases("restored")
    restored_index = tmp_path / "restored-index"
    started = time.monotonic()
    restored = manage("restore", str(archive), database_url=postgres_url(target), index=restored_index)
    restore_seconds = time.monotonic() - started
    assert restored.returncode == 0, restored.stderr
    assert "Search index rebuilt: 13 documents." in restored.stdout
    assert "Restored gazettes 1, issues 1, documents 13, import records 1, tasks 71" in restored.stdout

    after = manage("facts", database_url=postgres_url(target), index=restored_index)
    assert after.returncode == 0, after.stderr
    facts = json.loads(after.stdout.splitlines()[-1])
    assert facts["search"]["冷链物流"] == before["search"]["冷链物流"]
    assert "贺政办发〔2018〕146号" in facts["search"]["冷链物流"]
    assert facts["uploads"] == [["000.txt", hashlib.sha256(fixture_bytes("000")).hexdigest()]]
    assert facts == before
    print(f"\nbackup {backup_seconds:.1f} s, restore {restore_seconds:.1f} s (each with Django's start-up)")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_archive_of_an_older_schema_is_migrated_on_restore(tmp_path, scratch_databases):
    old = scratch_databases("old_schema")
    migrated = manage("migrate", "gazette", "0002", database_url=postgres_url(old), index=tmp_path / "old-index")
    assert migrated.returncode == 0, migrated.stderr
    archive = tmp_path / "old.tar"
    assert manage("backup", str(archive), database_url=postgres_url(old), index=tmp_path / "old-index").returncode == 0

    target = scratch_databases("from_old_schema")
    restored = manage("restore", str(archive), database_url=postgres_url(target), index=tmp_path / "new-index")
    assert restored.returncode == 0, restored.stderr
    assert "gazette.0003_citation_backfill" in restored.stdout

    conn = psycopg2.connect(postgres_url(target))
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT app, name FROM django_migrations")
            applied = set(cursor.fetchall())
    finally:
        conn.close()
    assert set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations) <= applied


@pytest.mark.slow
def test_the_quick_starts_sqlite_database_is_backed_up_and_restored_with_the_same_search_results(
    tmp_path, fixture_bytes
):
    source = f"sqlite:///{tmp_path / 'source.sqlite3'}"
    (gazette_file,) = (ROOT / "fixtures").glob("000_*.txt")
    for step in (("migrate",), ("import_gazette", str(gazette_file))):
        done = manage(*step, database_url=source, index=tmp_path / "index")
        assert done.returncode == 0, done.stderr
    archive = tmp_path / "sqlite.tar"
    assert manage("backup", str(archive), database_url=source, index=tmp_path / "index").returncode == 0

    target = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    restored = manage("restore", str(archive), database_url=target, index=tmp_path / "restored-index")
    assert restored.returncode == 0, restored.stderr
    before = json.loads(manage("facts", database_url=source, index=tmp_path / "index").stdout.splitlines()[-1])
    after = json.loads(manage("facts", database_url=target, index=tmp_path / "restored-index").stdout.splitlines()[-1])
    assert "贺政办发〔2018〕146号" in after["search"]["冷链物流"]
    assert after["uploads"] == [[gazette_file.name, hashlib.sha256(fixture_bytes("000")).hexdigest()]]
    assert after == before


# --- refusals -----------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_holding_documents_unless_told_to_replace_it(
    search_index, fixture_bytes, tmp_path, kb_counts
):
    gazette_file_import(file_name="000.txt", data=fixture_bytes("000"), index=False)
    archive = tmp_path / "gongbao.tar"
    call_command("backup", str(archive), stdout=io.StringIO())
    gazette_file_import(file_name="001.txt", data=fixture_bytes("001"), index=False)
    holding = kb_counts()
    here = postgres_url(connection.settings_dict["NAME"])

    refused = manage("restore", str(archive), database_url=here, index=search_index)
    assert refused.returncode == 1
    assert "is not empty" in refused.stderr and "--replace" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert kb_counts() == holding

    replaced = manage("restore", str(archive), "--replace", "--no-index", database_url=here, index=search_index)
    assert replaced.returncode == 0, replaced.stderr
    assert kb_counts() == {"gazettes": 1, "issues": 1, "documents": 13, "import_records": 1, "tasks": 71}
    assert list(ImportRecord.objects.values_list("file_name", flat=True)) == ["000.txt"]
    assert "check_index --rebuild" in replaced.stdout


@pytest.mark.django_db(transaction=True)
def test_backup_refuses_to_overwrite_a_file_unless_forced(tmp_path):
    out = tmp_path / "gongbao.tar"
    out.write_bytes(b"yesterday's backup")
    with pytest.raises(CommandError, match="already exists.*--force"):
        call_command("backup", str(out), stdout=io.StringIO())
    assert out.read_bytes() == b"yesterday's backup"

    call_command("backup", str(out), "--force", stdout=io.StringIO())
    with tarfile.open(out) as tar:
        assert json.load(tar.extractfile("manifest.json"))["vendor"] == "postgresql"
    # Written beside it and renamed: no temporary file is left behind, and only its owner may read it.
    assert [p.name for p in tmp_path.iterdir()] == ["gongbao.tar"]
    assert out.stat().st_mode & 0o077 == 0


def _truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _dump_byte_flipped(path: Path) -> None:
    with tarfile.open(path) as tar:
        member = tar.getmember(backup.PG_DUMP)
    data = bytearray(path.read_bytes())
    data[member.offset_data + member.size // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _not_an_archive(path: Path) -> None:
    path.write_bytes("这不是备份文件\n".encode() * 200)


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _without_manifest(path: Path) -> None:
    with tarfile.open(path) as tar:
        dump = tar.extractfile(backup.PG_DUMP).read()
    with tarfile.open(path, "w") as tar:
        info = tarfile.TarInfo(backup.PG_DUMP)
        info.size = len(dump)
        tar.addfile(info, io.BytesIO(dump))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (_truncated, "truncated or damaged"),
        (_dump_byte_flipped, "database.pgdump is damaged"),
        (_not_an_archive, "not a whole Gongbao archive"),
        (_empty, "not a whole Gongbao archive"),
        (_without_manifest, "has no manifest.json"),
    ],
    ids=["truncated", "one-byte-changed", "not-an-archive", "empty", "no-manifest"],
)
def test_a_damaged_archive_is_refused_with_a_clear_message_before_the_database_is_touched(
    damage, message, fixture_bytes, tmp_path, kb_counts
):
    archive = tmp_path / "gongbao.tar"
    call_command("backup", str(archive), stdout=io.StringIO())
    gazette_file_import(file_name="000.txt", data=fixture_bytes("000"), index=False)
    holding = kb_counts()
    damage(archive)

    with pytest.raises(CommandError, match=message) as refused:
        call_command("restore", str(archive), "--replace", "--no-index", stdout=io.StringIO())
    assert str(archive) in str(refused.value)
    assert isinstance(refused.value.__cause__, backup.ArchiveDamaged)
    assert kb_counts() == holding


@pytest.mark.django_db(transaction=True)
def test_a_restore_that_fails_while_loading_leaves_the_replaced_database_as_it_was(fixture_bytes, tmp_path, kb_counts):
    # A schema of its own in the archive that the target also has: loading it fails after the
    # old tables were dropped, in the same transaction.
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA backup_test_extra")
        cursor.execute("CREATE TABLE backup_test_extra.note (text text)")
    try:
        archive = tmp_path / "gongbao.tar"
        call_command("backup", str(archive), stdout=io.StringIO())
        gazette_file_import(file_name="000.txt", data=fixture_bytes("000"), index=False)
        holding = kb_counts()

        with pytest.raises(CommandError, match="restore failed, the database is unchanged.*backup_test_extra"):
            call_command("restore", str(archive), "--replace", "--no-index", stdout=io.StringIO())
        assert kb_counts() == holding == {"gazettes": 1, "issues": 1, "documents": 13, "import_records": 1, "tasks": 71}
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA backup_test_extra CASCADE")


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_an_archive_of_another_database_vendor(tmp_path):
    archive = tmp_path / "gongbao.tar"
    call_command("backup", str(archive), stdout=io.StringIO())

    def as_sqlite(manifest):
        manifest["vendor"] = "sqlite"
        manifest["files"][backup.SQLITE_COPY] = manifest["files"].pop(backup.PG_DUMP)
        return {backup.PG_DUMP: backup.SQLITE_COPY}

    rewrite_archive(archive, as_sqlite)
    with pytest.raises(CommandError, match="holds a SQLite database but the configured database is PostgreSQL"):
        call_command("restore", str(archive), stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_an_archive_made_by_newer_code(tmp_path):
    archive = tmp_path / "gongbao.tar"
    call_command("backup", str(archive), stdout=io.StringIO())
    rewrite_archive(archive, lambda manifest: manifest["migrations"]["gazette"].append("9999_from_newer_code"))
    with pytest.raises(CommandError, match=r"newer code .*gazette\.9999_from_newer_code"):
        call_command("restore", str(archive), stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_backup_passes_the_password_in_the_environment_never_on_the_command_line(tmp_path, monkeypatch):
    # The test server trusts loopback connections, so any password is accepted; a real one is kept.
    password = connection.settings_dict["PASSWORD"] or "not-needed-on-trust-auth"
    monkeypatch.setitem(connection.settings_dict, "PASSWORD", password)
    calls = []
    real_run = subprocess.run

    def recording_run(command, **kwargs):
        calls.append((command, kwargs.get("env") or {}))
        return real_run(command, **kwargs)

    monkeypatch.setattr(backup.subprocess, "run", recording_run)
    call_command("backup", str(tmp_path / "gongbao.tar"), stdout=io.StringIO())

    (dump_command, dump_env), *_ = [(c, e) for c, e in calls if any(arg.startswith("--snapshot=") for arg in c)]
    assert dump_env["PGPASSWORD"] == password
    assert dump_env["PGDATABASE"] == connection.settings_dict["NAME"]
    assert all(password not in arg for command, _ in calls for arg in command)
