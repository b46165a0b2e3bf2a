"""backup: write the whole knowledge base to one archive file.

    python manage.py backup OUT [--force]

OUT is a tar holding a manifest (when, what vendor, migrations, counts, checksums), the
database (pg_dump's custom format, or a copy made with SQLite's backup API) and the jieba
dictionary beside the index. Uploaded gazette files are in the database. The search index
is not: `restore` rebuilds it. GONGBAO_UPLOAD_DIR is not needed either: it only holds
previews of uploads nobody has confirmed, which are thrown away anyway.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gazette.backup import BackupError, backup_create, counts_text


class Command(BaseCommand):
    help = (
        "备份：把数据库（含上传的公报原文件）写成一个归档文件（tar：manifest.json、数据库转储、分词词典）。"
        "搜索索引不备份，restore 时从数据库重建；GONGBAO_UPLOAD_DIR 只存未确认上传的预览，不需要备份。"
    )

    def add_arguments(self, parser):
        parser.add_argument("out", metavar="OUT", help="archive file to write, e.g. gongbao-2026-01-31.tar")
        parser.add_argument("--force", action="store_true", help="replace OUT if it already exists")

    def handle(self, *args, out: str, force: bool, **options):
        try:
            manifest = backup_create(path=Path(out), force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        size = Path(out).stat().st_size
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up to {out} ({size / 1_000_000:.1f} MB, {manifest['seconds']} s): "
                f"{counts_text(manifest['counts'])}; {', '.join(sorted(manifest['files']))} and manifest.json."
            )
        )
