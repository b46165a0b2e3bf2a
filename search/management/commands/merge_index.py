"""Merge the search index's segments into few: after a bulk load, and nightly from cron.

Every search visits every segment of the index, and imports leave tens of them (the
engines' own merges keep a few per size tier). On OpenSearch the segments are merged to
about 2 GB each per shard, small enough for later merges to take in.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from search.engines import EngineUnavailable
from search.indexing import IndexBusy, index_merge


class Command(BaseCommand):
    help = "Merge the search index's segments into few (after a bulk load, or nightly)."

    def handle(self, *args, **options):
        start = time.monotonic()
        try:
            merge = index_merge()
        except (IndexBusy, EngineUnavailable) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"索引段合并完成：{merge.before} 段 → {merge.after} 段（{time.monotonic() - start:.1f} 秒）。"
            )
        )
