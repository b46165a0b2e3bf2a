"""Backup and restore of the knowledge base: one archive file, written and read back.

An archive is an uncompressed tar holding

    manifest.json     what it holds: format, created_at, database vendor and server version,
                      Django version, the applied migrations, row counts, and the size and
                      sha256 of every other member
    database.pgdump   PostgreSQL: pg_dump's custom format (compressed by pg_dump), taken in
                      the same snapshot as the manifest's counts
    database.sqlite3  SQLite: a consistent copy made with sqlite3's backup API
    dictionary.txt    the jieba user dictionary beside the index, when there is one (for
                      reference: a rebuild writes it again from the department registry)

Uploaded gazette files are rows (ImportRecord.data), so the database holds them. Not in the
archive: the search index, rebuilt from the database on restore, and GONGBAO_UPLOAD_DIR,
previews of uploads nobody has confirmed yet, which are thrown away anyway.

A restore reads and checks the whole archive (every member's size and sha256, the vendor,
migrations this code knows) before it touches the database; on PostgreSQL the old tables
are dropped and the dump loaded in one transaction, so a failed restore changes nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import django
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction
from django.db.backends.postgresql.client import DatabaseClient
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from .hooks import search_index
from .models import Document, Gazette, ImportRecord, Issue

ARCHIVE_FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.pgdump"
SQLITE_COPY = "database.sqlite3"
DICTIONARY = "dictionary.txt"
DATABASE_MEMBER = {"postgresql": PG_DUMP, "sqlite": SQLITE_COPY}
VENDOR_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
# Rows counted into the manifest and compared after a restore.
# Tasks belong to the policies app, which gazette does not import (gazette.hooks): counted
# by the app registry's name for them.
COUNTED = {
    "gazettes": Gazette,
    "issues": Issue,
    "documents": Document,
    "import_records": ImportRecord,
    "tasks": ("policies", "Task"),
}
# A target holding any of these is not empty: restoring over it needs replace=True.
KNOWLEDGE_BASE = ("gazettes", "issues", "documents", "import_records")
# Dropping the old tables waits this long for other sessions (a running app) to let go.
LOCK_TIMEOUT = "60s"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


class ArchiveDamaged(BackupError):
    """The file is not a whole, unaltered Gongbao archive."""


@dataclass
class Archive:
    manifest: dict
    files: dict[str, Path]


@dataclass
class RestoreReport:
    manifest: dict
    counts: dict[str, int]
    tables_replaced: int = 0
    migrations_applied: list[str] = field(default_factory=list)
    indexed: int | None = None
    dictionary_same: bool | None = None
    seconds: float = 0.0


# --- backup -----------------------------------------------------------------------------------


def backup_create(*, path: Path, force: bool = False) -> dict:
    """Write an archive of the configured database to `path`; returns its manifest.

    The file appears whole or not at all (written beside it, then renamed).
    Raises BackupError if `path` exists (unless force), or the dump fails.
    """
    path = Path(path).absolute()
    if path.is_dir():
        raise BackupError(f"{path} is a directory; give the archive's file name")
    if path.exists() and not force:
        raise BackupError(f"{path} already exists; choose another name or pass --force to replace it")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} does not exist")
    vendor = connection.vendor
    if vendor not in DATABASE_MEMBER:
        raise BackupError(f"backing up a {vendor} database is not supported (PostgreSQL or SQLite)")
    started = time.monotonic()
    # The work files sit beside the archive: the final rename stays on one filesystem.
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=f".{path.name}.") as work_dir:
        work = Path(work_dir)
        database = work / DATABASE_MEMBER[vendor]
        manifest = _pg_dump(database) if vendor == "postgresql" else _sqlite_copy(database)
        members = {DATABASE_MEMBER[vendor]: database}
        dictionary = search_index().dictionary_path()
        if dictionary.is_file():
            shutil.copyfile(dictionary, work / DICTIONARY)
            members[DICTIONARY] = work / DICTIONARY
        manifest["files"] = {name: _file_facts(member) for name, member in members.items()}
        archive = work / "archive.tar"
        _tar_write(archive, manifest, members)
        _publish(archive, path, force=force)
    manifest["seconds"] = round(time.monotonic() - started, 2)
    return manifest


def _pg_dump(out: Path) -> dict:
    """pg_dump the database to `out`; the manifest's facts come from the dump's own snapshot."""
    pg_dump = _pg_tool("pg_dump")
    if connection.in_atomic_block:
        raise BackupError("a backup needs a transaction of its own; call it outside transaction.atomic()")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        facts = _database_facts(cursor, set(connection.introspection.table_names(cursor)))
        cursor.execute("SHOW server_version")
        (server_version,) = cursor.fetchone()
        # pg_dump reads the snapshot this transaction exported, so counts and dump agree
        # even while an import commits; the transaction stays open until the dump is done.
        _run([pg_dump, "--no-password", "--format=custom", f"--snapshot={snapshot}", f"--file={out}"], what="pg_dump")
    tool_version = _run([pg_dump, "--version"], what="pg_dump").strip()
    return _manifest("postgresql", server_version=server_version, tool=tool_version, **facts)


def _sqlite_copy(out: Path) -> dict:
    """Copy the SQLite database to `out` with the backup API; the manifest's facts come from the copy."""
    source_name = _sqlite_path()
    try:
        source = sqlite3.connect(f"file:{source_name}?mode=ro", uri=True)
        try:
            copy = sqlite3.connect(out)
            try:
                source.backup(copy)
                tables = {row[0] for row in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                facts = _database_facts(copy.cursor(), tables)
            finally:
                copy.close()
        finally:
            source.close()
    except sqlite3.Error as exc:
        raise BackupError(f"cannot copy the SQLite database {source_name}: {exc}") from exc
    return _manifest("sqlite", server_version=sqlite3.sqlite_version, tool="sqlite3 backup API", **facts)


def _database_facts(cursor, tables: set[str]) -> dict:
    """Row counts and applied migrations, read through `cursor` (a Django or a sqlite3 one)."""
    counts = {}
    for name, table in _counted_tables().items():
        if table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[name] = cursor.fetchone()[0]
        else:
            counts[name] = 0
    migrations: dict[str, list[str]] = {}
    if MigrationRecorder.Migration._meta.db_table in tables:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        for app, name in cursor.fetchall():
            migrations.setdefault(app, []).append(name)
    if not migrations:
        raise BackupError("the database has no Django tables (run migrate first); there is nothing to back up")
    return {"counts": counts, "migrations": migrations}


def _manifest(vendor: str, *, server_version: str, tool: str, counts: dict, migrations: dict) -> dict:
    return {
        "format": ARCHIVE_FORMAT,
        "created_at": timezone.now().isoformat(),
        "vendor": vendor,
        "server_version": server_version,
        "dump_tool": tool,
        "django_version": django.get_version(),
        "counts": counts,
        "migrations": migrations,
        "not_included": {
            "search index": "rebuilt from the database on restore",
            "GONGBAO_UPLOAD_DIR": "previews of uploads not yet confirmed; thrown away anyway",
        },
    }


def _file_facts(path: Path) -> dict:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return {"size": path.stat().st_size, "sha256": digest.hexdigest()}


def _tar_write(out: Path, manifest: dict, members: dict[str, Path]) -> None:
    data = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
    # Only the owner may read it: the database holds password hashes and sessions.
    with open(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
        with tarfile.open(fileobj=handle, mode="w", format=tarfile.PAX_FORMAT) as tar:
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
            tar.addfile(info, io.BytesIO(data))
            for name, member in members.items():
                tar.add(member, arcname=name, recursive=False)
        handle.flush()
        os.fsync(handle.fileno())


def _publish(archive: Path, path: Path, *, force: bool) -> None:
    """Give the finished archive its name: never a half-written file, never a silent overwrite."""
    if force:
        os.replace(archive, path)
    else:
        try:
            # A hard link fails if the name was taken meanwhile, where a rename would replace it.
            os.link(archive, path)
        except FileExistsError:
            raise BackupError(f"{path} already exists; choose another name or pass --force to replace it") from None
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


# --- reading an archive ------------------------------------------------------------------------


def archive_read(*, path: Path, into: Path) -> Archive:
    """Read the archive at `path`, checking every member against the manifest, into the folder `into`.

    Raises ArchiveDamaged for a file that is not a whole Gongbao archive, BackupError if it cannot be read.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} does not exist or is not a file")
    try:
        with tarfile.open(path, mode="r:") as tar:
            manifest = _manifest_read(tar, path)
            files = {}
            for name, expected in manifest["files"].items():
                files[name] = _member_extract(tar, name, expected, into, path)
    except (tarfile.TarError, EOFError) as exc:
        raise ArchiveDamaged(f"{path} is not a whole Gongbao archive (truncated or damaged: {exc})") from exc
    except OSError as exc:
        raise BackupError(f"cannot read {path}: {exc}") from exc
    return Archive(manifest=manifest, files=files)


def _manifest_read(tar: tarfile.TarFile, path: Path) -> dict:
    try:
        handle = tar.extractfile(MANIFEST)
    except KeyError:
        handle = None
    if handle is None:
        raise ArchiveDamaged(f"{path} has no {MANIFEST}: it is not a Gongbao archive")
    try:
        manifest = json.loads(handle.read().decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ArchiveDamaged(f"{path}: {MANIFEST} is damaged ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != ARCHIVE_FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise ArchiveDamaged(f"{path}: archive format {found!r}, this code reads format {ARCHIVE_FORMAT}")
    vendor = manifest.get("vendor")
    files = manifest.get("files")
    if vendor not in DATABASE_MEMBER or not isinstance(files, dict) or DATABASE_MEMBER[vendor] not in files:
        raise ArchiveDamaged(f"{path}: {MANIFEST} does not name a database dump")
    unknown = set(files) - {DATABASE_MEMBER[vendor], DICTIONARY}
    if unknown:
        raise ArchiveDamaged(f"{path}: {MANIFEST} lists unknown members {sorted(unknown)}")
    migrations = manifest.get("migrations")
    if not isinstance(manifest.get("counts"), dict) or not isinstance(migrations, dict):
        raise ArchiveDamaged(f"{path}: {MANIFEST} lacks counts or migrations")
    if not all(isinstance(names, list) and all(isinstance(n, str) for n in names) for names in migrations.values()):
        raise ArchiveDamaged(f"{path}: {MANIFEST} lists migrations in a form this code does not read")
    return manifest


def _member_extract(tar: tarfile.TarFile, name: str, expected: dict, into: Path, path: Path) -> Path:
    try:
        member = tar.getmember(name)
    except KeyError:
        raise ArchiveDamaged(f"{path} lacks {name}, which its manifest lists (truncated?)") from None
    source = tar.extractfile(member) if member.isfile() else None
    if source is None:
        raise ArchiveDamaged(f"{path}: {name} is not a regular file")
    # Member names are checked against a fixed set above, so this stays inside `into`.
    out = into / name
    digest = hashlib.sha256()
    size = 0
    with open(out, "wb") as handle:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            handle.write(chunk)
    if size != expected.get("size") or digest.hexdigest() != expected.get("sha256"):
        raise ArchiveDamaged(
            f"{path}: {name} is damaged ({size} bytes, sha256 {digest.hexdigest()[:12]}…; "
            f"the manifest says {expected.get('size')} bytes, sha256 {str(expected.get('sha256'))[:12]}…)"
        )
    return out


# --- restore ------------------------------------------------------------------------------------


def backup_restore(
    *, path: Path, replace: bool = False, index: bool = True, log: Callable[[str], None] = lambda line: None
) -> RestoreReport:
    """Restore the archive at `path` into the configured database, migrate it and rebuild the index.

    Raises ArchiveDamaged for a damaged archive and BackupError for one this database cannot
    take (other vendor, newer migrations) or a target holding documents without replace=True;
    in every such case the database is left as it was.
    """
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="gongbao-restore-") as work_dir:
        archive = archive_read(path=Path(path), into=Path(work_dir))
        manifest = archive.manifest
        log(
            f"Archive of {manifest.get('created_at')}: {VENDOR_NAMES[manifest['vendor']]} {manifest.get('server_version')}, "
            f"{counts_text(manifest['counts'])}"
        )
        _check_vendor(manifest)
        _check_migrations(manifest)
        _check_target(replace=replace)
        if manifest["vendor"] == "postgresql":
            replaced = _pg_restore(archive.files[PG_DUMP])
        else:
            replaced = _sqlite_restore(archive.files[SQLITE_COPY])
        connection.close()
        ContentType.objects.clear_cache()
        counts = _counts_now()
        if counts != manifest["counts"]:
            raise BackupError(
                f"restored {counts_text(counts)}, but the archive's manifest says {counts_text(manifest['counts'])}"
            )
        report = RestoreReport(manifest=manifest, counts=counts, tables_replaced=replaced)
        report.migrations_applied = _migrate()
        if index:
            try:
                report.indexed = search_index().index_rebuild().indexed
            # Whatever the engine raises (busy, a cluster out of reach), the data is in: say so.
            except Exception as exc:
                raise BackupError(
                    f"the database is restored, but rebuilding the search index failed ({exc}); run check_index --rebuild"
                ) from exc
            dictionary = archive.files.get(DICTIONARY)
            if dictionary is not None:
                archived = set(dictionary.read_text(encoding="utf-8").split())
                report.dictionary_same = archived == set(search_index().registry_dictionary_text().split())
    report.seconds = round(time.monotonic() - started, 2)
    return report


def counts_text(counts: dict) -> str:
    """`gazettes 1, issues 1, documents 13, import records 1, tasks 71`."""
    return ", ".join(f"{name.replace('_', ' ')} {counts.get(name, 0)}" for name in COUNTED)


def _check_vendor(manifest: dict) -> None:
    have, want = connection.vendor, manifest["vendor"]
    if have != want:
        raise BackupError(
            f"the archive holds a {VENDOR_NAMES[want]} database but the configured database is "
            f"{VENDOR_NAMES.get(have, have)}; restore it into {VENDOR_NAMES[want]} (set DATABASE_URL)"
        )


def _check_migrations(manifest: dict) -> None:
    """Refuse an archive made by newer code: its tables have columns this code does not know."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        known.update(tuple(key) for key in migration.replaces)
    unknown = [
        f"{app}.{name}"
        for app, names in sorted(manifest["migrations"].items())
        for name in names
        if app in loader.migrated_apps and (app, name) not in known
    ]
    if unknown:
        raise BackupError(
            f"the archive was made by newer code (migrations this code lacks: {', '.join(unknown)}); "
            "restore it with that version of Gongbao"
        )


def _check_target(*, replace: bool) -> None:
    counts = _counts_now()
    held = {name: counts[name] for name in KNOWLEDGE_BASE if counts[name]}
    if held and not replace:
        raise BackupError(
            f"the database {connection.settings_dict['NAME']} is not empty ({counts_text(counts)}); "
            "pass --replace to replace everything in it with the archive"
        )


def counted_models() -> dict:
    """Each counted model, by its name in the manifest."""
    return {name: apps.get_model(*model) if isinstance(model, tuple) else model for name, model in COUNTED.items()}


def _counted_tables() -> dict[str, str]:
    """The table of each counted model, by its name in the manifest."""
    return {name: model._meta.db_table for name, model in counted_models().items()}


def _counts_now() -> dict[str, int]:
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        counts = {}
        for name, table in _counted_tables().items():
            if table in tables:
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
                counts[name] = cursor.fetchone()[0]
            else:
                counts[name] = 0
    return counts


def _pg_restore(dump: Path) -> int:
    """Drop what the schema holds and load the dump, in one transaction; returns the tables dropped."""
    pg_restore, psql = _pg_tool("pg_restore"), _pg_tool("psql")
    # Reads the whole table of contents: a dump pg_restore cannot read fails here, before any change.
    _run([pg_restore, "--list", str(dump)], what="pg_restore")
    drops, tables = _pg_drop_statements()
    with tempfile.TemporaryFile() as restore_errors:
        script = subprocess.Popen(
            [pg_restore, "--no-owner", "--no-privileges", "--file=-", str(dump)],
            stdout=subprocess.PIPE,
            stderr=restore_errors,
        )
        # -1: psql wraps the drops and the whole dump in one transaction; ON_ERROR_STOP rolls it all back.
        command = [psql, "--no-password", "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--single-transaction"]
        if drops:
            command += ["--command", f"SET client_min_messages = warning; SET lock_timeout = '{LOCK_TIMEOUT}'; {drops}"]
        loader = subprocess.run(
            [*command, "--file=-"],
            stdin=script.stdout,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=_pg_env(),
            text=True,
        )
        script.stdout.close()
        script.wait()
        restore_errors.seek(0)
        script_errors = restore_errors.read().decode("utf-8", "replace").strip()
    if loader.returncode != 0 or script.returncode != 0:
        output = loader.stderr.strip() or script_errors
        errors = [line for line in output.splitlines() if "ERROR" in line or "FATAL" in line or "error:" in line]
        message = "\n".join(errors or [output])[-2000:]
        hint = " (is the app still running? stop it first)" if "lock timeout" in message else ""
        raise BackupError(f"restore failed, the database is unchanged{hint}: {message}")
    return tables


def _pg_drop_statements() -> tuple[str, int]:
    """SQL dropping every table, view and sequence of the current schema (not extensions' own)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relkind, quote_ident(n.nspname) || '.' || quote_ident(c.relname)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
              -- a column's own sequence goes with its table
              AND NOT (c.relkind = 'S' AND EXISTS (
                SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))
            ORDER BY c.relname
            """
        )
        rows = cursor.fetchall()
    connection.close()
    kinds = {"m": "MATERIALIZED VIEW", "v": "VIEW", "r": "TABLE", "p": "TABLE", "f": "FOREIGN TABLE", "S": "SEQUENCE"}
    statements = []
    for kind, what in kinds.items():
        names = [name for relkind, name in rows if relkind == kind]
        if names:
            statements.append(f"DROP {what} IF EXISTS {', '.join(names)} CASCADE;")
    return " ".join(statements), sum(1 for relkind, _ in rows if relkind in "rp")


def _sqlite_restore(copy: Path) -> int:
    """Copy the archived database over the configured one with the backup API (one locked write)."""
    target_name = _sqlite_path()
    with connection.cursor() as cursor:
        tables = len(connection.introspection.table_names(cursor))
    connection.close()
    try:
        source = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
        try:
            target = sqlite3.connect(target_name, timeout=60)
            try:
                source.backup(target)
            finally:
                target.close()
        finally:
            source.close()
    except sqlite3.Error as exc:
        raise BackupError(f"restore into {target_name} failed: {exc}") from exc
    return tables


def _migrate() -> list[str]:
    """Apply the migrations an older archive lacks; returns their names."""
    before = set(MigrationRecorder(connection).applied_migrations())
    call_command("migrate", interactive=False, verbosity=0, stdout=io.StringIO())
    after = set(MigrationRecorder(connection).applied_migrations())
    return [f"{app}.{name}" for app, name in sorted(after - before)]


# --- the database's tools -------------------------------------------------------------------------


def _sqlite_path() -> str:
    if connection.is_in_memory_db():
        raise BackupError("the configured SQLite database is in memory; there is no file to back up or restore")
    return str(connection.settings_dict["NAME"])


def _pg_tool(name: str) -> str:
    """The PostgreSQL client program `name`, preferring the server's own major version."""
    major = connection.pg_version // 10000
    candidate = Path(f"/usr/lib/postgresql/{major}/bin/{name}")
    if candidate.is_file():
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed; install PostgreSQL {major}'s client (postgresql-client-{major})")
    return found


def _pg_env() -> dict[str, str]:
    """libpq's environment for the configured database; the password goes here, never on a command line."""
    settings_dict = connection.settings_dict
    _, client_env = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    env = {**os.environ, **(client_env or {})}
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGDATABASE", "NAME")):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    env["PGAPPNAME"] = "gongbao-backup"
    # An unreachable server is an error within seconds, not a hung backup.
    env.setdefault("PGCONNECT_TIMEOUT", "10")
    return env


def _run(command: list[str], *, what: str) -> str:
    try:
        done = subprocess.run(
            command, env=_pg_env(), stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False
        )
    except OSError as exc:
        raise BackupError(f"cannot run {what}: {exc}") from exc
    if done.returncode != 0:
        raise BackupError(f"{what} failed: {done.stderr.strip()[-2000:]}")
    return done.stdout
