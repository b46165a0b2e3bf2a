"""Departments get a level and a place; bodies filed twice under the new place are merged.

Each existing department is read again by the importer's rules in the place its city says
(自治区自然资源厅 of 柳州市 becomes the provincial body of 广西壮族自治区, 柳州市市场监管局 becomes
市市场监管局 of 柳州市 with the old name kept as an alias), each task assignment in the place of
its own document: a compilation's 市财政局 of a 三亚 notice is 三亚's, of a 深圳 notice 深圳's.
Where two rows now name one body, the second's assignments move to the first and the row is
deleted. Aliases admins wrote keep their meaning: they are rules without a department.
"""

from django.db import migrations

from gazette.importer.bodies import body_read, body_unplaced, where_from
from policies.pinyin import name_sort_key, place_sort_key


def place_departments(apps, schema_editor):
    department_model = apps.get_model("policies", "Department")
    alias_model = apps.get_model("policies", "DepartmentAlias")
    assignment_model = apps.get_model("policies", "TaskAssignment")
    document_model = apps.get_model("gazette", "Document")
    places = {
        pk: where_from(issuer=issuer, city=city, region=region)
        for pk, issuer, city, region in document_model.objects.values_list(
            "pk", "issuer", "issue__gazette__city", "region"
        )
    }
    bodies: dict[tuple[str, str, str, str], object] = {}
    for department in department_model.objects.order_by("pk"):
        # One row stood for a name in a city; in a compilation (no city) it stood for the
        # name in every document: each assignment is read in its own document's place.
        assignments: dict[object, list[int]] = {}
        for pk, document_id in assignment_model.objects.filter(department=department).values_list(
            "pk", "task__document_id"
        ):
            body = _read(department.name, places.get(document_id) or where_from(city=department.city))
            assignments.setdefault(body, []).append(pk)
        if not assignments:
            assignments[_read(department.name, where_from(city=department.city))] = []
        reused = False
        for body, pks in assignments.items():
            key = (body.province, body.city, body.county, body.name)
            target = bodies.get(key)
            if target is None:
                target = department if not reused else department_model(pk=None)
                reused = reused or target is department
                target.province, target.city, target.county, target.name = key
                target.level, target.is_group = body.level, body.group
                target.sort_key = name_sort_key(body.name)
                unplaced = body_unplaced(level=body.level, province=body.province, city=body.city, group=body.group)
                target.place_key = place_sort_key(province=body.province, city=body.city, unplaced=unplaced)
                target.save()
                bodies[key] = target
            if target is not department:
                taken = set(assignment_model.objects.filter(department=target).values_list("task_id", "role"))
                for assignment in assignment_model.objects.filter(pk__in=pks):
                    if (assignment.task_id, assignment.role) in taken:
                        assignment.delete()
                    else:
                        assignment.department = target
                        assignment.save(update_fields=["department"])
            for written in body.written:
                if written != target.name:
                    alias_model.objects.get_or_create(
                        department=target, alias=written, defaults={"city": target.city, "canonical": target.name}
                    )
        if not reused:
            department.delete()


_bodies: dict = {}


def _read(name, where):
    if (name, where) not in _bodies:
        _bodies[name, where] = body_read(name, where)
    return _bodies[name, where]


class Migration(migrations.Migration):
    dependencies = [("policies", "0003_department_levels_places_review")]

    operations = [migrations.RunPython(place_departments, migrations.RunPython.noop)]
