"""List the department registry for scripts and checks.

    python manage.py departments --json [--city NAME]

prints one JSON list: for each body its name, city (null for national and provincial
bodies and for bodies whose place is not known), level, aliases, how many tasks it leads and
supports, and whether it waits in the review queue. Without --json, one line a body.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from gazette.importer.places import gazetteer
from policies.models import Department


class Command(BaseCommand):
    help = "List the department registry (name, city, level, aliases, task counts, review), optionally as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print one JSON list instead of lines.")
        parser.add_argument("--city", help="Only the bodies of this city (柳州市, or 柳州).")

    def handle(self, *args, **options):
        departments = Department.objects.with_task_counts().in_registry_order().prefetch_related("aliases")
        if options["city"]:
            city = _city_name(options["city"])
            departments = departments.in_city(city)
        rows = [
            {
                "name": department.name,
                "city": department.city or None,
                "level": department.level,
                "aliases": sorted(alias.alias for alias in department.aliases.all()),
                "lead": department.lead_count,
                "support": department.support_count,
                "review": department.review,
            }
            for department in departments
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            aliases = f" （别名：{'、'.join(row['aliases'])}）" if row["aliases"] else ""
            review = " [待审核]" if row["review"] else ""
            self.stdout.write(
                f"{row['city'] or '-'}\t{row['level']}\t{row['name']}{aliases}{review}\t"
                f"牵头 {row['lead']} 配合 {row['support']}"
            )


def _city_name(text: str) -> str:
    """The registry's name of a city written in full or short (柳州 → 柳州市); raises CommandError."""
    text = text.strip()
    if Department.objects.filter(city=text).exists():
        return text
    place = gazetteer().city(text)
    if place is None or not Department.objects.filter(city=place.city).exists():
        raise CommandError(f"没有城市“{text}”的单位。")
    return place.city
