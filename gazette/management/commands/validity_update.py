"""validity_update: store every document's validity (现行有效, 尚未施行, 已失效, 已废止, 已修订) for today.

    python manage.py validity_update [--reread] [--date YYYY-MM-DD]

The worker runs the same every night (gazette.tasks.validity_refresh); run this from cron
instead where no worker runs. Documents read by an older version of the rules are read
again first; --reread reads every document again. Fields an admin corrected are kept.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from gazette.validity import documents_validity_refresh, validity_summary


class Command(BaseCommand):
    help = "按今天的日期更新每个文件的效力状态（现行有效、尚未施行、已失效、已废止、已修订）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--reread",
            action="store_true",
            help="read genre, dates, repeals and amendments again from every document's text (corrections kept)",
        )
        parser.add_argument("--date", metavar="YYYY-MM-DD", help="compute the status for this day instead of today")

    def handle(self, *args, reread: bool, date: str | None, **options):
        try:
            today = dt.date.fromisoformat(date) if date else None
        except ValueError as exc:
            raise CommandError(f"--date {date!r} is not a date like 2024-07-01") from exc
        report = documents_validity_refresh(today=today, reread_all=reread)
        self.stdout.write(validity_summary(report, today=today))
