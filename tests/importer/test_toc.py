"""The 目录 reader: entry forms, wrapped titles, sections, several 目录 blocks."""

from gazette.importer.lines import split_lines
from gazette.importer.toc import read_toc


def toc_of(text):
    return read_toc(split_lines(text)).entries


def test_toc_bullet_entry_with_doc_number_and_page():
    (entry,) = toc_of("目 录\n- ◆贺州市人民政府关于市长副市长工作分工调整的通知(贺政发〔2019〕1号) 1\n")
    assert (entry.title, entry.doc_number, entry.page) == (
        "贺州市人民政府关于市长副市长工作分工调整的通知",
        "贺政发〔2019〕1号",
        1,
    )


def test_toc_title_wrapped_within_cell_loses_stray_spaces():
    (entry,) = toc_of(
        "目 录\n柳州市人民政府办公室关于印发《柳州市 2022年国民经济和社会 发展规划》的通知·····\t柳政办〔2022〕14号（52）\n"
    )
    assert entry.title == "柳州市人民政府办公室关于印发《柳州市2022年国民经济和社会发展规划》的通知"
    assert (entry.doc_number, entry.page) == ("柳政办〔2022〕14号", 52)


def test_toc_title_wrapped_over_two_lines_with_number_on_the_next():
    (entry,) = toc_of(
        "目　录\n南宁市人民政府关于印发南宁市\n促进民营经济发展若干措施的通知\n（南府发【2020】 5号）……………（2）\n"
    )
    assert entry.title == "南宁市人民政府关于印发南宁市促进民营经济发展若干措施的通知"
    assert (entry.doc_number, entry.page) == ("南府发〔2020〕5号", 2)


def test_toc_section_headings_go_to_the_entries_below():
    entries = toc_of(
        "目录\n市人民政府文件\n南宁市人民政府关于调整财政事权的通知\n(南府发[2020]6号) ...... (6)\n"
        "人事任免\n南宁市人民政府关于张三等同志职务任免的通知\n（南府任〔2020〕3号）……（12）\n"
    )
    assert [(e.section, e.page) for e in entries] == [("市人民政府文件", 6), ("人事任免", 12)]


def test_toc_unclosed_page_bracket_still_gives_the_page():
    (entry,) = toc_of("目 录\n柳州市人民政府办公室关于印发任务分工方案 的通知·····\t柳政办〔2023〕12号（96\n")
    assert entry.page == 96


def test_toc_several_blocks_are_read_in_order():
    entries = toc_of(
        "目 录\n甲市人民政府关于一的通知·····\t甲政发〔2022〕1号（3）\n"
        "目 录\n甲市人民政府关于二的通知·····\t甲政发〔2022〕2号（9）\n"
    )
    assert [e.doc_number for e in entries] == ["甲政发〔2022〕1号", "甲政发〔2022〕2号"]


def test_chapter_list_inside_a_plan_is_not_a_toc():
    assert toc_of("柳州市服务业发展规划\n目 录\n前 言\n第一章 发展基础与态势\n第一节 发展基础\n") == []


def test_toc_stops_at_the_first_document_of_the_body():
    text = "目 录\n- ◆甲市人民政府关于一的通知(甲政发〔2019〕1号) 1\n甲市人民政府关于一的通知\n甲政发〔2019〕1号\n"
    toc = read_toc(split_lines(text))
    assert len(toc.entries) == 1 and toc.spans == [(0, 1)]
