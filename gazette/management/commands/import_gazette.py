"""import_gazette: import gazette files (or dry-run them) from the command line.

A FILE may be text or Markdown, a PDF with a text layer, a Word .docx or a saved web page;
its format is told from its content, then its name. The dry-run JSON is the same for all.

    python manage.py import_gazette FILE... [--dry-run] [--json] [--gazette NAME] [--year Y]

With --dry-run nothing is written; with --dry-run --json and one FILE only the parse
result is printed as JSON. A file that cannot be imported makes the command exit non-zero
with a message naming the file and the problem; other files are still imported.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gazette.importer import GazetteFileError
from gazette.services import ImportFailed, gazette_file_import, gazette_file_parse


class Command(BaseCommand):
    help = "导入政府公报文件（PDF、Word .docx、网页、文本或 Markdown）；--dry-run 只解析不写入。"

    def add_arguments(self, parser):
        parser.add_argument(
            "files", nargs="+", metavar="FILE", help="gazette files to import: .pdf, .docx, .html, .txt or .md"
        )
        parser.add_argument("--dry-run", action="store_true", help="parse only; write nothing to the database or index")
        parser.add_argument(
            "--json", action="store_true", help="with --dry-run and one FILE, print only the parse result as JSON"
        )
        parser.add_argument(
            "--gazette", metavar="NAME", help="gazette name to use instead of the one read from the file"
        )
        parser.add_argument("--year", type=int, metavar="Y", help="year to use when the file does not state one")
        parser.add_argument("--no-index", action="store_true", help="do not update the search index after importing")

    def handle(self, *args, **options):
        files = [Path(f) for f in options["files"]]
        if options["json"] and not (options["dry_run"] and len(files) == 1):
            raise CommandError("--json needs --dry-run and exactly one FILE")
        failures = []
        for path in files:
            try:
                data = path.read_bytes()
            except OSError as exc:
                failures.append(f"{path}: cannot read the file ({exc.strerror})")
                continue
            try:
                if options["dry_run"]:
                    self._dry_run(path, data, options)
                else:
                    self._import(path, data, options)
            except (GazetteFileError, ImportFailed) as exc:
                failures.append(str(exc))
        if failures:
            raise CommandError("\n".join(failures))

    def _dry_run(self, path: Path, data: bytes, options) -> None:
        record = gazette_file_parse(
            file_name=str(path), data=data, gazette_name=options["gazette"], year=options["year"]
        )
        if options["json"]:
            self.stdout.write(json.dumps(record.to_json(), ensure_ascii=False, indent=2))
            return
        tasks = sum(len(doc.tasks) for doc in record.documents)
        self.stdout.write(
            f"{path}: {record.gazette} {record.year or ''} 第{record.number or '?'}期 "
            f"{len(record.documents)} 篇文件, {tasks} 项任务 (dry run, nothing written)"
        )
        for warning in record.warnings:
            self.stdout.write(self.style.WARNING(f"  warning: {warning}"))

    def _import(self, path: Path, data: bytes, options) -> None:
        outcome = gazette_file_import(
            file_name=path.name,
            data=data,
            gazette_name=options["gazette"],
            year=options["year"],
            index=not options["no_index"],
        )
        for message in outcome.messages:
            self.stdout.write(f"  {message}")
        if outcome.unchanged:
            self.stdout.write(self.style.WARNING(f"{path}: unchanged (already imported)"))
            return
        where = f" → {outcome.issue}" if outcome.issue else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{path}: imported{where}: {len(outcome.created)} documents created, {len(outcome.linked)} linked"
            )
        )
