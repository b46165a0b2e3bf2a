"""Task extraction: assignment brackets and 任务分工表 tables read into TaskRecords.

Excerpts live in data/tasks/<case>.txt in body-block form (the block parser's output):
blocks are separated by blank lines; "#N " starts a heading of level N; a block with tab-separated
lines is a table, one row per line (<br> is a line break inside a cell); "%" lines are comments.
Each case has a golden <case>.expected.json; regenerate after checking the output by eye with
    GONGBAO_REGEN_GOLDEN=1 python -m pytest tests/importer/test_tasks.py -p no:django
"""

import json
import re
from pathlib import Path

import pytest

from gazette.importer.records import HEADING, PARAGRAPH, TABLE, Block
from gazette.importer.tasks import extract_tasks
from gazette.importer.text import clean_cell, join_wrapped
from tests.importer.golden import assert_matches_golden

DATA = Path(__file__).resolve().parent / "data" / "tasks"
CASES = sorted(DATA.glob("*.txt"))


def read_blocks(path: Path) -> list[Block]:
    """Body blocks of an excerpt file, built by hand as the block parser would."""
    text = path.read_text(encoding="utf-8")
    lines = [line for line in text.split("\n") if not line.startswith("%")]
    blocks = []
    for chunk in re.split(r"\n\s*\n", "\n".join(lines)):
        chunk_lines = [line for line in chunk.split("\n") if line.strip()]
        if not chunk_lines:
            continue
        if any("\t" in line for line in chunk_lines):
            rows = [[clean_cell(cell) for cell in line.split("\t")] for line in chunk_lines]
            blocks.append(Block(kind=TABLE, rows=rows))
        elif heading := re.match(r"#(\d) (.*)", chunk_lines[0]):
            blocks.append(Block(kind=HEADING, level=int(heading.group(1)), text=heading.group(2)))
        else:
            blocks.append(Block(kind=PARAGRAPH, text=join_wrapped(chunk_lines)))
    return blocks


def tasks_of(case: str):
    return extract_tasks(read_blocks(DATA / f"{case}.txt"))


def render(path: Path) -> str:
    tasks = [
        {**task.to_json(), "block_index": task.block_index, "row_index": task.row_index}
        for task in extract_tasks(read_blocks(path))
    ]
    return json.dumps(tasks, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_tasks_match_golden_file(path):
    assert_matches_golden(render(path), DATA / f"{path.stem}.expected.json")


# --- Brackets ------------------------------------------------------------------------------


def test_first_listed_convention_applies_to_its_own_bracket():
    task = tasks_of("hezhou_express_first_listed")[0]
    assert task.number == "1"
    assert task.lead == ["各县（区）人民政府"]
    assert task.support == ["市工商局", "市邮政管理局"]
    assert task.text.startswith("深化“放管服”改革。")
    assert not task.text.endswith("〕")


def test_first_listed_convention_holds_for_rest_of_document():
    tasks = tasks_of("hezhou_express_first_listed")
    seventh = next(task for task in tasks if task.number == "7")
    assert seventh.lead == ["市发展改革委"]
    assert seventh.support == ["市交通运输局", "市商务局", "各县（区）人民政府"]


def test_paragraph_cut_by_page_break_keeps_its_number():
    second = tasks_of("hezhou_express_first_listed")[1]
    assert second.number == "2"
    assert second.text.startswith("探索协同共治管理模式。")
    assert "切实维护公平竞争秩序" in second.text


def test_bracket_wrapped_over_lines_belongs_to_the_paragraph_before():
    tenth = next(task for task in tasks_of("hezhou_express_first_listed") if task.number == "10")
    assert tenth.text.startswith("保障快递服务车辆便利通行。")
    assert tenth.text.endswith("完善相关交通标志。")
    assert tenth.lead == ["各县（区）人民政府"]
    assert tenth.support == ["市公安局", "市交通运输局", "市邮政管理局"]


def test_each_bracket_in_a_paragraph_is_its_own_task():
    sixteenth = [task for task in tasks_of("hezhou_express_first_listed") if task.number == "16"]
    assert [task.text[:9] for task in sixteenth] == [
        "推广绿色包装。引导",
        "鼓励电子商务平台开",
        "探索包装回收和循环",
        "建立健全快递包装生",
    ]
    assert [task.lead for task in sixteenth] == [["市邮政管理局"], ["市发展改革委"], ["市环保局"], ["市邮政管理局"]]


def test_every_measure_of_a_numbered_paragraph_keeps_its_number():
    numbers = [task.number for task in tasks_of("hezhou_express_first_listed")]
    assert numbers[-4:] == ["（二）"] * 4


def test_unnumbered_task_paragraph_takes_its_heading_number():
    # 贺政办发〔2018〕146号: the task text sits under its heading, not in a numbered paragraph.
    blocks = [
        Block(kind=HEADING, level=2, text="（一）进一步完善冷链物流基础设施"),
        Block(
            kind=PARAGRAPH,
            text="科学规划，统筹布局，逐步构建和完善覆盖全市农产品主要产地和销售地的冷链物流基础设施网络。"
            "〔市发展改革委、财政局、交通运输局、农业局、商务局、食品药品监督管理局、供销社，各县（区）人民政府。"
            "排在第一位的为牵头单位，下同〕",
        ),
    ]
    (task,) = extract_tasks(blocks)
    assert task.number == "（一）"
    assert task.block_index == 1
    assert task.lead == ["市发展改革委"]
    assert task.support[-1] == "各县（区）人民政府"


def test_labelled_bracket_gives_lead_and_support():
    first = tasks_of("hezhou_labelled_brackets")[0]
    assert first.lead == ["各县（区）人民政府", "市商务局"]
    assert first.support == ["市发展改革委", "市工商局"]


def test_half_width_brackets_and_colons_are_read():
    ninth = next(task for task in tasks_of("hezhou_labelled_brackets") if task.number == "9")
    assert ninth.lead == ["各县（区）人民政府", "市商务局"]
    assert ninth.support == ["市农业局", "市林业局", "市扶贫办", "市供销社"]


def test_mismatched_closing_bracket_still_closes_the_assignment():
    last = tasks_of("hezhou_labelled_brackets")[-1]
    assert last.number == "（一）"
    assert last.support == ["各县（区）人民政府", "市直各相关部门"]


def test_responsible_units_first_listed_leads_and_alias_kept():
    first, second = tasks_of("guangdong_responsible_first_listed")
    assert first.lead == ["省政务服务数据管理局"]
    assert first.support == ["省市场监管局", "省发展改革委（能源局）"]
    assert second.lead == ["省财政厅"]
    assert second.support == ["省人力资源社会保障厅", "国家税务总局广东省税务局", "国家税务总局深圳市税务局"]


def test_responsible_units_without_convention_all_lead():
    blocks = [
        Block(kind=PARAGRAPH, text="（一）加强组织领导。各有关部门要明确任务分工。（责任单位：市商务局、市财政局）")
    ]
    (task,) = extract_tasks(blocks)
    assert task.lead == ["市商务局", "市财政局"]
    assert task.support == []


def test_bracket_inside_a_sentence_is_not_an_assignment():
    text = "1.建设一批电子商务示范园区（基地）、楼宇。利用改造原有厂房（桂政办发〔2018〕109号）。"
    assert extract_tasks([Block(kind=PARAGRAPH, text=text)]) == []


# --- Tables --------------------------------------------------------------------------------


def test_two_group_table_keeps_both_levels():
    tasks = tasks_of("liuzhou_two_group_table")
    first = [task for task in tasks if task.number == "1"]
    assert [task.level for task in first] == ["自治区", "柳州市"]
    region, city = first
    assert region.lead == ["自治区市场监管局"]
    assert city.lead == ["市市场监管局", "市行政审批局"]
    assert city.support[:2] == ["市公安局", "市人力资源社会保障局"]
    assert city.deadline == "2023年12月31日前"
    assert city.text.startswith("开展“一照多址”改革：全市推行")
    assert region.text.startswith("开展“一照多址”改革：全区推行")


def test_section_row_is_not_a_task():
    tasks = tasks_of("liuzhou_two_group_table")
    assert [task.number for task in tasks] == ["1", "1", "2", "2", "7", "7"]
    assert all(task.row_index >= 3 for task in tasks)


def test_group_with_no_department_is_left_out():
    seventh = [task for task in tasks_of("liuzhou_two_group_table") if task.number == "7"]
    assert [(task.level, task.lead, task.support) for task in seventh] == [
        ("自治区", ["自治区司法厅"], []),
        ("柳州市", ["市司法局"], []),
    ]


def test_numbered_items_in_measure_cells_are_tasks():
    tasks = tasks_of("liuzhou_items_in_measure_cells")
    assert [task.number for task in tasks if task.level == "柳州市"] == ["1", "2", "3", "4", "5", "72", "73"]
    first = tasks[1]
    assert first.text == "做好市场准入负面清单实施工作。"
    assert first.lead == ["市发展改革委", "市商务局"]


def test_page_break_row_continues_the_previous_item():
    fourth = next(
        task for task in tasks_of("liuzhou_items_in_measure_cells") if task.number == "4" and task.level == "柳州市"
    )
    assert fourth.text.endswith("按照国家最新外商投资准入特别管理措施（负面清单），持续推动对外开放。")
    assert fourth.lead == ["市商务局"]


def test_bare_names_in_city_column_take_city_prefix():
    fourth = next(
        task for task in tasks_of("liuzhou_items_in_measure_cells") if task.number == "4" and task.level == "柳州市"
    )
    assert fourth.support == ["市市场监管局", "市发展改革委"]


def test_several_numbered_items_in_one_cell_share_departments():
    tasks = [task for task in tasks_of("liuzhou_items_in_measure_cells") if task.number in ("72", "73")]
    assert [task.text[:8] for task in tasks if task.level == "柳州市"] == ["持续开展强化公平", "开展破除行政垄断"]
    assert all(task.lead == ["市市场监管局"] for task in tasks if task.level == "柳州市")


def test_merged_rows_split_back_into_items_with_their_own_departments():
    city = [task for task in tasks_of("liuzhou_merged_item_rows") if task.level == "柳州市"]
    assert [task.number for task in city] == ["1", "2", "3", "4"]
    assert city[2].lead == ["市发展改革委"]
    assert city[3].lead == ["市商务局"]
    assert city[3].deadline == "2022年12月31日，持续推进"


def test_assisting_units_column_is_support():
    first, second = tasks_of("task_breakdown_with_assisting_units")
    assert first.level is None
    assert first.lead == ["县市场监管局"]
    assert first.support == ["县公安局", "县商务局", "各乡（镇）人民政府"]
    assert first.deadline == "2024年6月底前"
    assert second.lead == ["县行政审批局", "县大数据发展局"]


def test_table_without_department_columns_gives_no_tasks():
    rows = [
        ["类别", "序号", "指标名称", "单位", "现状值", "目标值"],
        ["经济", "1", "地区生产总值", "亿元", "100", "150"],
    ]
    assert extract_tasks([Block(kind=TABLE, rows=rows)]) == []


def test_bracket_that_defines_a_short_name_is_not_a_task():
    blocks = [Block(kind="paragraph", text="第六条海南省知识产权局设海南省专利奖评审委员会（以下简称评审委员会）。")]

    assert extract_tasks(blocks) == []
