"""Round 2 of other cities' layouts: 政府令, 信函格式, TOC titles printed differently, TOC tables,
people in responsibility cells, 各县、区人民政府, BOM/CRLF/form feeds.

Each test feeds a short invented excerpt shaped like a real gazette and checks what a reader
of the imported issue would see.
"""

from pathlib import Path

from gazette.importer import decode_bytes, parse_gazette
from gazette.importer.departments import split_departments
from gazette.importer.lines import split_lines
from gazette.importer.records import Block
from gazette.importer.tasks import extract_tasks
from gazette.importer.toc import read_toc, split_entry

DATA = Path(__file__).resolve().parent / "data"


def tasks_of(text):
    return [(t.lead, t.support, t.deadline) for t in extract_tasks([Block(kind="paragraph", text=text)])]


def test_generic_county_and_district_governments_stay_one_body():
    assert split_departments("各县、区人民政府，市农业农村局") == ["各县、区人民政府", "市农业农村局"]


def test_person_and_title_in_brackets_after_a_department_are_dropped():
    assert split_departments("市发展改革委（张三，主任）") == ["市发展改革委"]
    assert split_departments("市城市管理局（联系人：王五，电话：0778-2281234），金城江区、宜州区人民政府") == [
        "市城市管理局",
        "金城江区人民政府",
        "宜州区人民政府",
    ]


def test_short_labels_lead_and_take_part_in_round_brackets():
    assert tasks_of("严格耕地占补平衡。(牵头：市自然资源局；参与：市农业农村局、水利局；完成时限：2024年底前)") == [
        (["市自然资源局"], ["市农业农村局", "市水利局"], "2024年底前")
    ]


def test_toc_entry_with_decree_number_keeps_it_whole():
    assert split_entry("柳州市城市绿化管理办法（柳州市人民政府令第12号）……（1）") == (
        "柳州市城市绿化管理办法",
        "柳州市人民政府令第12号",
        1,
    )


def test_decree_opens_with_its_promulgation_and_keeps_articles():
    issue = parse_gazette((DATA / "liuzhou_decree_sections_no_numbers.txt").read_text(encoding="utf-8"))
    decree = issue.documents[0]
    assert (decree.title, decree.doc_number, decree.issuer, decree.section) == (
        "柳州市城市绿化管理办法",
        "柳州市人民政府令第12号",
        "柳州市人民政府",
        "政府令",
    )
    assert decree.date.isoformat() == "2024-05-28"
    assert decree.body.startswith("《柳州市城市绿化管理办法》已经")
    assert "第一章总则" in [block.text for block in decree.blocks if block.kind == "heading"]


def test_toc_items_without_doc_number_are_imported_with_body():
    issue = parse_gazette((DATA / "liuzhou_decree_sections_no_numbers.txt").read_text(encoding="utf-8"))
    assert not issue.warnings
    by_title = {doc.title: doc for doc in issue.documents}
    for title, section in [
        ("柳州市人民政府第45次常务会议纪要", "政府文件"),
        ("《柳州市城市绿化管理办法》政策解读", "政策解读"),
        ("柳州市人民政府任免名单", "人事任免"),
    ]:
        assert by_title[title].doc_number is None
        assert by_title[title].section == section
        assert by_title[title].body


def test_letter_format_bom_crlf_and_form_feeds():
    issue = parse_gazette(decode_bytes((DATA / "wuzhou_letter_bom_crlf.txt").read_bytes()))
    assert not issue.warnings
    numbers = [doc.doc_number for doc in issue.documents]
    assert numbers == ["梧政发〔2024〕3号", "梧政办发〔2024〕5号", "梧政办发〔2024〕6号", "梧政办函〔2024〕12号", None]
    letter = issue.documents[3]
    assert letter.title == "梧州市人民政府办公室关于同意设立梧州市六堡茶产业发展服务中心的复函"
    assert letter.recipients == "市农业农村局"
    assert issue.documents[0].body.endswith("确保项目按期建成投产。")
    # The 信函格式 issuer line over the 文号 is not left at the end of the document before.
    assert not issue.documents[2].body.endswith("梧州市人民政府办公室")


def test_toc_title_without_quotes_or_issuer_finds_the_notice():
    issue = parse_gazette((DATA / "wuzhou_letter_bom_crlf.txt").read_text(encoding="utf-8"))
    assert issue.documents[1].title == "梧州市人民政府办公室关于印发《梧州市2024年数字政府建设工作要点》的通知"
    # Listed under the plan's own title with the notice's 文号: the notice is the document.
    assert issue.documents[2].title.startswith("梧州市人民政府办公室关于印发梧州市推进六堡茶产业")


def test_toc_titles_shortened_or_without_number_find_the_notice():
    issue = parse_gazette((DATA / "chongzuo_toc_titles_differ.txt").read_text(encoding="utf-8"))
    assert [doc.title for doc in issue.documents] == [
        "崇左市人民政府关于公布《崇左市第一批市级非物质文化遗产代表性项目名录》的通知",
        "崇左市人民政府办公室关于印发崇左市2024年政务公开工作要点的通知",
        "崇左市人民政府关于同意设立崇左市边境贸易服务中心的批复",
    ]
    assert all(doc.body for doc in issue.documents)


def test_toc_as_pipe_table_header_row_is_not_a_section():
    entries = read_toc(
        split_lines(
            "## 目录\n\n| 文件名称 | 文号 | 页码 |\n|---|---|---|\n| 某某市人民政府关于某事的通知 | 某政发〔2024〕2号 | 6 |\n"
        )
    ).entries
    assert [(e.title, e.doc_number, e.page, e.section) for e in entries] == [
        ("某某市人民政府关于某事的通知", "某政发〔2024〕2号", 6, None)
    ]


def test_tasks_in_attachment_table_with_two_row_header_and_people():
    issue = parse_gazette((DATA / "yulin_pipe_toc_attachment_tasks.txt").read_text(encoding="utf-8"))
    first = issue.documents[0].tasks[0]
    assert (first.lead, first.support, first.deadline) == (
        ["市发展改革委"],
        ["市工业和信息化局", "市财政局"],
        "2024年12月底前",
    )


def test_responsible_only_table_follows_the_documents_own_rule():
    issue = parse_gazette((DATA / "hechi_responsible_only_tables.txt").read_text(encoding="utf-8"))
    ruled, unruled = issue.documents
    # "排在第一位的为牵头单位": first listed leads.
    assert (ruled.tasks[0].lead, ruled.tasks[0].support) == (["市住房城乡建设局"], ["市生态环境局", "各县、区人民政府"])
    # No rule stated: every listed body is responsible (lead).
    assert (unruled.tasks[0].lead, unruled.tasks[0].support) == (["市商务局", "市财政局"], [])


def test_every_line_indented_with_ideographic_spaces_and_unwrapped_paragraphs():
    issue = parse_gazette((DATA / "fangchenggang_indented_unwrapped.txt").read_text(encoding="utf-8"))
    assert [doc.doc_number for doc in issue.documents] == ["防政发〔2024〕1号", "防政办发〔2024〕2号"]
    assert [(t.lead, t.support) for t in issue.documents[0].tasks][:2] == [
        (["市工业和信息化局"], ["港口区人民政府", "防城区人民政府", "市发展改革委"]),
        (["市交通运输局"], ["防城港海关", "市口岸办"]),
    ]
