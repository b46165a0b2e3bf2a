"""Compare the search index with the database and, with --fix, bring it up to date.

Reports the document counts, documents missing from the index or left over in it, and
whether the index was built with the current department dictionary and has every field,
and (OpenSearch) documents whose values (效力, 发文机关, dates) the index holds differently.
--fix indexes the missing and differing documents and removes the extra ones, adds new department names
to the dictionary (for text indexed from then on), and rebuilds an index written by an
earlier version without some field; --rebuild rebuilds everything, re-segmenting old
documents and dropping words the registry no longer has.
"""

from django.core.management.base import BaseCommand, CommandError

from search.engines import EngineUnavailable
from search.indexing import IndexBusy, documents_index, index_rebuild, index_status


class Command(BaseCommand):
    help = "Check the search index against the database; --fix repairs it."

    def add_arguments(self, parser):
        parser.add_argument(
            "--fix",
            action="store_true",
            help="Index missing and differing documents, drop extra ones, add new department names to the dictionary.",
        )
        parser.add_argument("--rebuild", action="store_true", help="Rebuild the whole index from the database.")

    def handle(self, *args, fix: bool, rebuild: bool, **options):
        try:
            if rebuild:
                report = index_rebuild()
                self.stdout.write(self.style.SUCCESS(f"已重建索引：{report.indexed} 篇文件。"))
                return
            status = index_status()
            self.stdout.write(f"数据库文件数：{status.database_count}；索引文件数：{status.index_count}")
            self.stdout.write(
                f"索引词典：{'与单位名录一致' if status.dictionary_current else '已过期（单位名录或政策词表有变化）'}"
            )
            if status.missing:
                self.stdout.write(f"索引缺少 {len(status.missing)} 篇：{status.missing[:20]}")
            if status.missing_fields:
                self.stdout.write(f"索引缺少字段 {'、'.join(status.missing_fields)}（由旧版本建立），--fix 将重建索引")
            if status.extra:
                self.stdout.write(f"索引多出 {len(status.extra)} 篇：{status.extra[:20]}")
            if status.stale:
                self.stdout.write(
                    f"索引中效力、发文机关等信息与数据库不一致 {len(status.stale)} 篇：{status.stale[:20]}"
                )
            if status.healthy:
                self.stdout.write(self.style.SUCCESS("索引正常。"))
                return
            if not fix:
                raise CommandError("索引与数据库不一致；用 --fix 修复。")
            report = documents_index(document_ids=status.missing + status.extra + status.stale)
            what = "已重建索引" if report.rebuilt else "已更新索引"
            self.stdout.write(self.style.SUCCESS(f"{what}：索引 {report.indexed} 篇，移除 {report.removed} 篇。"))
        except (IndexBusy, EngineUnavailable) as exc:
            raise CommandError(str(exc)) from exc
