"""Count how the tasks' deadlines were read, and list the ones that could not be.

    python manage.py deadlines [--reread] [--json]

prints how many tasks have a deadline text, how many were read as a due date, as ongoing
work (持续推进), as both, and how many could not be read (they keep their text and count
here), with each unread text and how often it occurs. --reread reads every deadline again
with the current rules (gazette/importer/deadlines.py) first.
"""

from __future__ import annotations

import json
from collections import Counter

from django.core.management.base import BaseCommand
from django.db.models import Count, Q

from policies.models import Task
from policies.services import task_deadlines_reread


class Command(BaseCommand):
    help = "Count the tasks' deadlines read as dates or ongoing work, and list those that could not be read."

    def add_arguments(self, parser):
        parser.add_argument("--reread", action="store_true", help="Read every task's deadline text again first.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object instead of lines.")

    def handle(self, *args, **options):
        changed = task_deadlines_reread() if options["reread"] else None
        with_text = Task.objects.exclude(deadline="")
        # Named apart from the fields, which an aggregate may not shadow.
        counts = with_text.aggregate(
            n_tasks=Count("pk"),
            n_dated=Count("pk", filter=Q(due__isnull=False, ongoing=False)),
            n_ongoing=Count("pk", filter=Q(due__isnull=True, ongoing=True)),
            n_both=Count("pk", filter=Q(due__isnull=False, ongoing=True)),
        )
        counts = {name.removeprefix("n_"): value for name, value in counts.items()}
        unread = Counter(with_text.with_unread_deadline().values_list("deadline", flat=True))
        report = {**counts, "unread": sum(unread.values()), "unread_texts": dict(unread.most_common())}
        if changed is not None:
            report["reread_changed"] = changed
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        if changed is not None:
            self.stdout.write(f"重新识别：{changed} 项任务的到期日期或持续推进有变化。")
        self.stdout.write(
            f"有完成时限的任务 {report['tasks']} 项：到期日期 {report['dated']} 项，持续推进 {report['ongoing']} 项，"
            f"两者都有 {report['both']} 项，未能识别 {report['unread']} 项。"
        )
        for text, count in unread.most_common():
            self.stdout.write(f"  {count} × {text}")
