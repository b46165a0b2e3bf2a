"""restore: load an archive written by `backup` into the configured database.

    python manage.py restore ARCHIVE [--replace] [--no-index]

Checks the whole archive first (checksums, database vendor, migrations this code knows),
refuses a database that already holds gazettes, documents or uploads unless --replace,
loads the dump (on PostgreSQL in one transaction with dropping the old tables), applies
the migrations an older archive lacks, and rebuilds the search index from the database.
A database without gazettes, documents or uploads (say, just migrated) counts as empty: its
tables, users and sessions included, are replaced by the archive's.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gazette.backup import BackupError, backup_restore, counts_text


class Command(BaseCommand):
    help = "恢复：把 backup 写的归档文件恢复到当前配置的数据库，执行迁移并从数据库重建搜索索引。"

    def add_arguments(self, parser):
        parser.add_argument("archive", metavar="ARCHIVE", help="archive file written by manage.py backup")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="replace everything in a database that already holds gazettes, documents or uploads",
        )
        parser.add_argument(
            "--no-index",
            action="store_true",
            help="do not rebuild the search index (run check_index --rebuild before searching)",
        )

    def handle(self, *args, archive: str, replace: bool, no_index: bool, **options):
        try:
            report = backup_restore(path=Path(archive), replace=replace, index=not no_index, log=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if report.tables_replaced:
            self.stdout.write(f"Dropped the {report.tables_replaced} tables the database held before.")
        if report.migrations_applied:
            self.stdout.write(f"Applied migrations: {', '.join(report.migrations_applied)}")
        if report.indexed is None:
            self.stdout.write(self.style.WARNING("Search index not rebuilt: run manage.py check_index --rebuild."))
        else:
            self.stdout.write(f"Search index rebuilt: {report.indexed} documents.")
            if report.dictionary_same is False:
                self.stdout.write(
                    "The rebuilt dictionary differs from the archived one (the department registry changed)."
                )
        self.stdout.write(self.style.SUCCESS(f"Restored {counts_text(report.counts)} ({report.seconds} s)."))
