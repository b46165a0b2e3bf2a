"""Body blocks: reflowed paragraphs, headings with depth, tables."""

from gazette.importer.blocks import build_table, lines_to_blocks
from gazette.importer.lines import split_lines


def blocks_of(text):
    return [(b.kind, b.level, b.text) for b in lines_to_blocks(split_lines(text))]


def test_paragraph_broken_mid_sentence_across_blank_line_is_joined():
    text = "（二）工作目标。到2020年，城乡快递物流服务网络更加优化，科技\n\n应用水平显著提升。\n"
    assert blocks_of(text) == [
        ("paragraph", None, "（二）工作目标。到2020年，城乡快递物流服务网络更加优化，科技应用水平显著提升。")
    ]


def test_lead_unit_bracket_broken_over_lines_stays_in_its_paragraph():
    text = "10.保障快递服务车辆便利通行。完善相关交通标志。\n\n〔各县（区）人民政府，市公安局、\n\n交通运输局〕\n\n11.明确快递末端设施公共属性。\n"
    paragraphs = [t for kind, _, t in blocks_of(text) if kind == "paragraph"]
    assert (
        paragraphs[0] == "10.保障快递服务车辆便利通行。完善相关交通标志。〔各县（区）人民政府，市公安局、交通运输局〕"
    )


def test_heading_levels_follow_the_numbering():
    text = "第一章 总则\n第一节 目标\n一、总体要求\n（一）基本原则\n1.坚持统筹\n（1）分级负责\n"
    assert [level for _, level, _ in blocks_of(text)] == [1, 2, 1, 2, 3, 4]


def test_numbered_line_with_running_text_is_a_paragraph():
    ((kind, _, _),) = blocks_of("（一）指导思想。全面贯彻党的十九大精神，坚持以人民为中心。\n")
    assert kind == "paragraph"


def test_short_name_line_is_not_glued_to_the_next_paragraph():
    kinds = [kind for kind, _, _ in blocks_of("现将分工通知如下：\n林冠同志\n领导市人民政府全面工作。\n")]
    assert kinds == ["paragraph", "heading", "paragraph"]


def test_table_keeps_two_header_rows_and_drops_repeated_page_headers():
    header = [["序号", "事项", "自治区", "", "柳州市", ""], ["", "", "牵头单位", "配合单位", "牵头单位", "配合单位"]]
    rows = header + [["1", "甲", "区局", "", "市局", ""]] + header + [["2", "乙", "区厅", "", "市委", ""]]
    assert build_table(rows) == header + [["1", "甲", "区局", "", "市局", ""], ["2", "乙", "区厅", "", "市委", ""]]


def test_table_row_split_by_page_break_is_merged_into_the_row_above():
    header = [["序号", "措施", "配合单位"]]
    rows = header + [["1", "作为审核", "市住房城乡建设局、交通运"]] + header + [["", "条件。", "输局"]]
    assert build_table(rows)[1] == ["1", "作为审核条件。", "市住房城乡建设局、交通运输局"]


def test_table_rows_under_a_spanning_group_cell_stay_separate():
    rows = [["类别", "序号", "指标"], ["总体规模", "1", "增加值"], ["", "2", "占比"], ["", "3", "增速"]]
    assert len(build_table(rows)) == 4


def test_markdown_pipe_table_cells_with_p_become_lines():
    (table,) = lines_to_blocks(split_lines("| 序号 | 单位 |\n|---|---|\n| 1 | 市发展改革委<p>（市物价局）</p> |\n"))
    assert table.rows == [["序号", "单位"], ["1", "市发展改革委\n（市物价局）"]]


def test_markdown_heading_bold_and_escapes_are_cleaned():
    assert blocks_of("## 一、总体要求\n**林冠同志**\n市本级\\_清单已完成。\n") == [
        ("heading", 1, "一、总体要求"),
        ("heading", None, "林冠同志"),
        ("paragraph", None, "市本级_清单已完成。"),
    ]
