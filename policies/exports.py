"""Task lists as spreadsheets: CSV (with a BOM, so Excel shows the Chinese) and Excel .xlsx.

One row per task, in the list's own order and filters: its text, departments, deadline text, the
due date as a date (a date cell in Excel, ISO in CSV), whether it is ongoing, the latest
progress, and its source document with that document's validity (效力: 现行有效, 已废止…); a
department's list also says its role.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .models import Department, Task, TaskAssignment

# Excel runs a cell starting with these as a formula; a leading apostrophe keeps it text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Column widths in Excel's characters (a Chinese character counts about two).
XLSX_WIDTHS = {"任务": 60, "牵头单位": 24, "配合单位": 30, "完成时限": 18, "进展说明": 30, "文件": 40, "链接": 30}
DUE_FORMAT = "yyyy-mm-dd"

HEADER = [
    "序号",
    "任务",
    "牵头单位",
    "配合单位",
    "完成时限",
    "到期日期",
    "持续推进",
    "进展",
    "进展日期",
    "进展单位",
    "进展说明",
    "层级",
    "文件",
    "文号",
    "效力",
    "公报",
    "期",
    "链接",
]


def task_export_rows(
    tasks: Iterable[Task], *, department: Department | None, absolute: Callable[[str], str]
) -> Iterable[list]:
    """The header, then one row per task (with_departments, with_progress); dates stay dates."""
    yield (["单位", "角色"] if department else []) + HEADER
    for task in tasks:
        leads, supports = task.leads, task.supports
        follow_up = task.follow_up
        issue = task.document.issue
        row = [
            task.number,
            task.text,
            "、".join(d.name for d in leads),
            "、".join(d.name for d in supports),
            task.deadline,
            task.due,
            "是" if task.ongoing else "",
            follow_up.label,
            follow_up.reported_on,
            follow_up.department,
            follow_up.note,
            task.level,
            task.document.title,
            task.document.doc_number,
            task.document.get_validity_display() if task.document.shows_validity else "",
            issue.gazette.name,
            issue.label,
            absolute(task.url),
        ]
        if department is not None:
            roles = [
                label
                for role, label in TaskAssignment.Role.choices
                if department in (leads if role == TaskAssignment.Role.LEAD else supports)
            ]
            row = [department.name, "、".join(roles), *row]
        yield row


def rows_csv(rows: Iterable[list], *, filename: str) -> HttpResponse:
    """A CSV download of the rows (UTF-8 with BOM for Excel), dates as YYYY-MM-DD, formulas neutralised."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    for row in rows:
        writer.writerow([_text(value) for value in row])
    return response


def tasks_xlsx(rows: Iterable[list], *, filename: str, title: str) -> HttpResponse:
    """An Excel download of the rows: a bold, frozen header row, due dates as date cells."""
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = title[:31]
    for row in rows:
        sheet.append([value if isinstance(value, dt.date) else "" if value is None else str(value) for value in row])
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":
                cell.data_type = "s"  # text that starts with =, kept as text rather than run as a formula
    header = [cell.value for cell in sheet[1]]
    for index, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = XLSX_WIDTHS.get(name, 12)
        sheet.cell(row=1, column=index).font = Font(bold=True)
    for column in ("到期日期", "进展日期"):
        if column in header:
            for (cell,) in sheet.iter_rows(
                min_row=2, min_col=header.index(column) + 1, max_col=header.index(column) + 1
            ):
                cell.number_format = DUE_FORMAT
    wrap = Alignment(wrap_text=True, vertical="top")
    for (cell,) in sheet.iter_rows(min_row=2, min_col=header.index("任务") + 1, max_col=header.index("任务") + 1):
        cell.alignment = wrap
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text
