"""Deadlines as dates: every wording in the fixture gazettes and the usual others resolve as staff read them."""

import datetime as dt
import json
from pathlib import Path

import pytest

from gazette.importer import parse_gazette
from gazette.importer.deadlines import Deadline, read_deadline
from gazette.importer.records import TaskRecord

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
# 柳政办〔2023〕10号 was written on 2023-02-17.
WRITTEN = dt.date(2023, 2, 17)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.mark.parametrize(
    ("text", "due", "ongoing"),
    [
        # The forms the issue names.
        ("2020年12月", "2020-12-31", False),
        ("2023年9月30日前", "2023-09-30", False),
        ("2022年12月31日，持续推进", "2022-12-31", True),
        ("年底", "2023-12-31", False),
        ("年底前", "2023-12-31", False),
        ("上半年", "2023-06-30", False),
        ("第三季度", "2023-09-30", False),
        ("6月底前", "2023-06-30", False),
        # As the fixtures print them: spaces, half-width commas, 前 with ongoing work.
        ("2022 年 12 月 31 日，持续推进", "2022-12-31", True),
        ("2022年12 月31日, 持续推进", "2022-12-31", True),
        ("2022年11月30日,持续推进", "2022-11-30", True),
        ("2022年12月31日前,长期推进", "2022-12-31", True),
        ("2023年 12月31日", "2023-12-31", False),
        ("2023 年 11 月", "2023-11-30", False),
        ("2024年12月底前完成", "2024-12-31", False),
        ("2025年6月底", "2025-06-30", False),
        ("2024年底前", "2024-12-31", False),
        # Other wordings plans use.
        ("２０２３年６月底前", "2023-06-30", False),
        ("二〇二三年十二月三十一日", "2023-12-31", False),
        ("2023.12.31", "2023-12-31", False),
        ("2023-06", "2023-06-30", False),
        ("2024年2月底", "2024-02-29", False),
        ("2023年3月中旬", "2023-03-20", False),
        ("2023年第四季度", "2023-12-31", False),
        ("三季度末", "2023-09-30", False),
        ("下半年", "2023-12-31", False),
        ("年内", "2023-12-31", False),
        ("2023年度", "2023-12-31", False),
        ("2025年前", "2025-12-31", False),
        ("到2025年", "2025-12-31", False),
        ("2023—2025年", "2025-12-31", False),
        ("2023年1-6月", "2023-06-30", False),
        ("2023年6月底前完成试点，年底前全面推开", "2023-12-31", False),
        ("2023年6月、12月底前", "2023-12-31", False),
        ("明年6月底前", "2024-06-30", False),
        ("“十四五”期间", "2025-12-31", False),
        ("印发之日起3个月内", "2023-05-17", False),
        ("半年内", "2023-08-17", False),
        ("立即", "2023-02-17", False),
        ("每年12月底前", "2023-12-31", True),
        ("2023年12月底之前", "2023-12-31", False),
        ("2023年底以前", "2023-12-31", False),
        ("2023年内", "2023-12-31", False),
        ("2023年10月中下旬", "2023-10-31", False),
        ("12月31日以前", "2023-12-31", False),
        ("2024年一季度末", "2024-03-31", False),
        ("2023年底至2024年6月", "2024-06-30", False),
        ("2023年-2025年", "2025-12-31", False),
        ("2023年6月底前完成，并持续推进", "2023-06-30", True),
        ("在2023年底前完成", "2023-12-31", False),
    ],
)
def test_deadline_text_resolves_to_its_last_day(text, due, ongoing):
    assert read_deadline(text, written=WRITTEN) == Deadline(due=day(due), ongoing=ongoing)


@pytest.mark.parametrize("text", ["持续推进", "长期推进", "长期坚持", "长期", "常态化推进", "每季度报送", "定期通报"])
def test_ongoing_work_has_no_date(text):
    assert read_deadline(text, written=WRITTEN) == Deadline(due=None, ongoing=True)


def test_a_month_without_a_year_before_the_document_is_next_years():
    assert read_deadline("3月底前", written=dt.date(2022, 12, 20)).due == dt.date(2023, 3, 31)
    assert read_deadline("年底前", written=dt.date(2022, 12, 20)).due == dt.date(2022, 12, 31)


def test_a_start_date_is_not_a_deadline():
    assert read_deadline("2023年3月起，长期坚持", written=WRITTEN) == Deadline(due=None, ongoing=True)
    assert read_deadline("从2018年9月1日至2020年12月31日", written=WRITTEN).due == dt.date(2020, 12, 31)


@pytest.mark.parametrize(
    "text", ["按国家部署", "2月30日", "根据工作需要", "春节前", "2024年春节前", "2023年汛期前", ""]
)
def test_unreadable_deadline_stays_text_only(text):
    assert not read_deadline(text, written=WRITTEN).read


def test_without_the_documents_year_a_bare_month_is_not_guessed():
    assert read_deadline("6月底前") == Deadline()
    assert read_deadline("6月底前", year=2024) == Deadline(due=dt.date(2024, 6, 30))


def test_every_deadline_in_the_fixture_gazettes_resolves():
    read, unread = 0, []
    for path in sorted(FIXTURES.glob("*.txt")):
        issue = parse_gazette(path.read_text(encoding="utf-8"))
        for document in issue.documents:
            for task in document.tasks:
                if task.deadline:
                    (unread if task.due is None and not task.ongoing else []).append(task.deadline)
                    read += 1
        assert not [warning for warning in issue.warnings if "完成时限" in warning]
    assert unread == [] and read == 333


def test_dry_run_json_tasks_carry_due_and_ongoing():
    issue = parse_gazette((FIXTURES / "001_8b0bbcfefae60775.txt").read_text(encoding="utf-8"))
    plan = next(doc for doc in issue.documents if doc.doc_number == "柳政办〔2023〕10号")
    tasks = json.loads(json.dumps(issue.to_json(), ensure_ascii=False))["documents"][issue.documents.index(plan)][
        "tasks"
    ]

    first = tasks[0]
    assert (first["deadline"], first["due"], first["ongoing"]) == ("2023年12月31日前", "2023-12-31", False)
    assert {(task["due"], task["ongoing"]) for task in tasks if task["deadline"] == "长期推进"} == {(None, True)}


def test_an_unreadable_deadline_is_counted_in_the_import_warnings():
    text = (
        "柳州市人民政府办公室关于印发某某工作任务分工的通知\n柳政办〔2023〕99号\n"
        "序号\t工作任务\t牵头单位\t配合单位\t完成时限\n"
        "1\t建立联席会议制度。\t市发展改革委\t市财政局\t按国家部署\n"
        "2\t制定实施细则。\t市商务局\t市财政局\t2023年6月底前\n"
        "柳州市人民政府办公室\n2023年2月17日\n"
    )
    issue = parse_gazette(text)

    tasks = issue.documents[0].tasks
    assert [(task.deadline, task.due) for task in tasks] == [
        ("按国家部署", None),
        ("2023年6月底前", dt.date(2023, 6, 30)),
    ]
    assert any("1 项任务的完成时限未能读成日期：按国家部署" in warning for warning in issue.warnings)


def test_task_record_json_writes_the_due_date_as_iso():
    record = TaskRecord(text="制定细则", deadline="2023年6月底前", due=dt.date(2023, 6, 30))
    assert record.to_json()["due"] == "2023-06-30" and record.to_json()["ongoing"] is False
