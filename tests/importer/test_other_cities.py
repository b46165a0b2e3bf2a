"""Layouts of other cities' gazettes: mastheads, 版记, running headers, headless TOCs, split tables.

Each test feeds a short invented excerpt in the shape real gazettes print (公文格式) and checks
what a reader of the imported issue would see.
"""

from gazette.importer import parse_gazette
from gazette.importer.blocks import lines_to_blocks
from gazette.importer.lines import split_lines
from gazette.importer.records import Block
from gazette.importer.tasks import extract_tasks
from gazette.importer.text import normalise_doc_number
from gazette.importer.toc import read_toc


def toc_of(text):
    return read_toc(split_lines(text)).entries


def tasks_of(text):
    return [
        (task.number, task.lead, task.support, task.deadline)
        for task in extract_tasks([Block(kind="paragraph", text=text)])
    ]


def test_doc_number_glued_to_title_starts_after_the_title_words():
    assert normalise_doc_number("桂林市人民政府关于印发若干措施的通知　市政发 [ 2024 ] 5 号") == "市政发〔2024〕5号"
    assert normalise_doc_number("关于同意设立企业服务中心的批复南府函（2024）15号") == "南府函〔2024〕15号"


def test_toc_page_number_printed_before_the_title():
    (entry,) = toc_of("目　录\n6  桂林市人民政府关于公布 2024 年市级 重大 项目 计划的通知  市政发（2024）6号\n")
    assert (entry.title, entry.doc_number, entry.page) == (
        "桂林市人民政府关于公布2024年市级重大项目计划的通知",
        "市政发〔2024〕6号",
        6,
    )


def test_toc_doc_number_in_lenticular_brackets_and_section_in_brackets():
    (entry,) = toc_of(
        "目　录\n【市人民政府办公室文件】\n南宁市人民政府办公室关于做好防汛工作的通知【南府办〔2024〕7号】……（9）\n"
    )
    assert (entry.title, entry.doc_number, entry.page, entry.section) == (
        "南宁市人民政府办公室关于做好防汛工作的通知",
        "南府办〔2024〕7号",
        9,
        "市人民政府办公室文件",
    )


def test_toc_printed_without_a_mulu_line_is_still_read():
    entries = toc_of(
        "广西壮族自治区人民政府公报\n2024年第5期\n自治区人民政府文件\n"
        "广西壮族自治区人民政府关于印发某方案的通知\n桂政发 [2024] 5 号 ………… 3\n"
        "广西壮族自治区人民政府任免国家工作人员 ………… 14\n"
        "广西壮族自治区人民政府文件\n桂政发〔2024〕5号\n"
    )
    assert [(e.title, e.doc_number, e.page, e.section) for e in entries] == [
        ("广西壮族自治区人民政府关于印发某方案的通知", "桂政发〔2024〕5号", 3, "自治区人民政府文件"),
        ("广西壮族自治区人民政府任免国家工作人员", None, 14, "自治区人民政府文件"),
    ]


TWO_DOCUMENTS = """南宁市人民政府公报
2024年第3期
目　录
南宁市人民政府关于印发工作要点的通知（南府发〔2024〕3号）………（2）
南宁市人民政府关于同意设立中心的批复……（8）
南宁市人民政府文件
南府发〔2024〕3号
南宁市人民政府关于印发
工作要点的通知
各县、区人民政府，市政府各部门：
现将《工作要点》印发给你们，请认真贯彻执行。
南宁市人民政府
2024年2月28日
（此件公开发布）
一、提升政务服务效能。推动政务服务事项网上可办率稳定在95%以上，
— 3 —
南宁市人民政府公报　2024年第3期
高频事项实现“掌上办”。
公开方式：主动公开
抄送：市委各部门，市人大常委会办公厅，
市政协办公厅。
南宁市人民政府办公室　　　　2024年2月29日印发
南宁市人民政府文件
南府函〔2024〕15号
南宁市人民政府关于同意设立中心的批复
五象新区管委会：
同意设立南宁市五象新区企业服务中心。
南宁市人民政府
2024年3月1日
"""


def test_doc_number_under_the_masthead_belongs_to_the_document_below_it():
    first, second = parse_gazette(TWO_DOCUMENTS).documents
    assert (first.title, first.doc_number) == ("南宁市人民政府关于印发工作要点的通知", "南府发〔2024〕3号")
    # The TOC lists no 文号 for the second: it is read from the masthead above the title.
    assert (second.title, second.doc_number, second.recipients) == (
        "南宁市人民政府关于同意设立中心的批复",
        "南府函〔2024〕15号",
        "五象新区管委会",
    )
    assert "南宁市人民政府文件" not in first.body


def test_running_header_and_page_number_inside_a_paragraph_are_dropped():
    first = parse_gazette(TWO_DOCUMENTS).documents[0]
    assert "一、提升政务服务效能。推动政务服务事项网上可办率稳定在95%以上，高频事项实现“掌上办”。" in first.body
    assert "公报" not in first.body and "— 3 —" not in first.body


def test_colophon_and_publicity_note_are_not_body_text():
    first = parse_gazette(TWO_DOCUMENTS).documents[0]
    for text in ("抄送", "2024年2月29日印发", "公开方式", "此件公开发布", "市政协办公厅"):
        assert text not in first.body


def test_joint_signature_keeps_one_issuer_per_line():
    issue = parse_gazette(
        "桂林市发展和改革委员会\n桂林市财政局\n关于规范市级政府投资项目资金管理的通知\n市发改投资〔2024〕21号\n"
        "市直各有关单位：\n项目资金实行专户管理。\n"
        "桂林市发展和改革委员会　　　　　桂林市财政局\n2024年2月20日\n"
    )
    (document,) = issue.documents
    assert document.title == "桂林市发展和改革委员会桂林市财政局关于规范市级政府投资项目资金管理的通知"
    assert document.signature == "桂林市发展和改革委员会\n桂林市财政局"
    assert document.body == "项目资金实行专户管理。"


def test_personnel_item_without_doc_number_keeps_its_date_and_text():
    issue = parse_gazette(
        "广西壮族自治区人民政府公报\n目 录\n人事任免\n广西壮族自治区人民政府任免国家工作人员……（14）\n"
        "某某通知……（15）\n"
        "广西壮族自治区人民政府任免国家工作人员\n（2024年3月6日）\n任命黄某某为广西壮族自治区发展和改革委员会副主任；\n"
    )
    document = issue.documents[0]
    assert (document.title, document.doc_number, document.section, document.issuer) == (
        "广西壮族自治区人民政府任免国家工作人员",
        None,
        "人事任免",
        "广西壮族自治区人民政府",
    )
    assert document.date.isoformat() == "2024-03-06"
    assert document.body == "任命黄某某为广西壮族自治区发展和改革委员会副主任；"


def test_roles_written_after_the_names_give_lead_and_support():
    assert tasks_of(
        "（二）发展临港产业。推动产业集群发展。（自治区工业和信息化厅牵头，自治区发展改革委、商务厅，北海、钦州市人民政府配合）"
    ) == [
        (
            "（二）",
            ["自治区工业和信息化厅"],
            ["自治区发展改革委", "自治区商务厅", "北海市人民政府", "钦州市人民政府"],
            None,
        )
    ]


def test_bodies_that_are_responsible_all_lead_without_the_word_responsible():
    assert tasks_of("（三）加强引资。开展活动。（省商务厅、发展改革委，各地级以上市人民政府负责）") == [
        ("（三）", ["省商务厅", "省发展改革委", "各地级以上市人民政府"], [], None)
    ]


def test_deadline_written_without_a_label_inside_an_assignment():
    assert tasks_of(
        "（五）加强知识产权保护。建立快速维权机制。（牵头单位：市市场监管局，配合单位：市公安局、北海海关；2024年12月底前完成）"
    ) == [("（五）", ["市市场监管局"], ["市公安局", "北海海关"], "2024年12月底前完成")]


def test_lead_bracket_wrapped_mid_label_over_two_lines():
    (document,) = parse_gazette(
        "北海市人民政府关于印发行动方案的通知\n北政发〔2024〕3号\n各县、区人民政府：\n现印发给你们。\n"
        "北海市人民政府\n2024年2月2日\n"
        "（三）规范中介服务。清理规范行政审批中介服务事项。〔牵头单位：市行政审批局；配合\n"
        "单位：市发展改革委、财政局；完成时限：2024年6月底前〕\n"
    ).documents
    assert [(t.lead, t.support, t.deadline) for t in document.tasks] == [
        (["市行政审批局"], ["市发展改革委", "市财政局"], "2024年6月底前")
    ]


TABLE = (
    "序号\t工作任务\t具体措施\t责任单位\t协助单位\t完成时限\n"
    "一、扩大有效投资\n"
    "1\t用好专项债券资金\t加快资金支出进度，提高资金使用效率，\t市财政局\t市发展改革委\t2024年9月底前\n"
    "钦州市人民政府公报\n— 5 —\n"
    "序号\t工作任务\t具体措施\t责任单位\t协助单位\t完成时限\n"
    "\t\t防止资金沉淀闲置。\t\t\t\n"
    "注：排在第一位的为牵头单位。\n"
    "2\t稳定住房消费\t落实住房贷款利率政策，\n"
    "支持刚性和改善性\n"
    "住房需求。\t市住房城乡建设局\t市财政局\t持续推进\n"
)


def test_task_table_stays_whole_across_section_rows_notes_and_page_breaks():
    issue = parse_gazette("钦州市任务分解表\n" + TABLE)
    blocks = issue.documents[0].blocks
    tables = [block for block in blocks if block.kind == "table"]
    assert len(tables) == 1
    assert tables[0].rows[1][0] == "一、扩大有效投资"
    assert tables[0].rows[2][2] == "加快资金支出进度，提高资金使用效率，防止资金沉淀闲置。"
    assert blocks[-1].text == "注：排在第一位的为牵头单位。"


def test_table_row_the_converter_broke_inside_a_cell_is_put_back():
    issue = parse_gazette("钦州市任务分解表\n" + TABLE)
    last = issue.documents[0].tasks[-1]
    assert (last.number, last.text, last.lead, last.support, last.deadline) == (
        "2",
        "稳定住房消费：落实住房贷款利率政策，支持刚性和改善性住房需求。",
        ["市住房城乡建设局"],
        ["市财政局"],
        "持续推进",
    )


def test_text_between_two_tables_that_finishes_no_cell_ends_the_table():
    blocks = lines_to_blocks(
        split_lines(
            "序号\t项目名称\t责任单位\n1\t桂林西站综合枢纽\t市交通运输局\n附件2\n序号\t项目名称\n1\t桂林至贺州高速公路\n"
        )
    )
    assert [block.kind for block in blocks] == ["table", "heading", "table"]


def test_attachment_list_item_that_starts_with_a_year():
    (document,) = parse_gazette(
        "桂林市人民政府关于公布重大项目计划的通知\n市政发〔2024〕6号\n各县（市、区）人民政府：\n现予以公布。\n"
        "附件：1.2024年桂林市市级重大项目计划表\n2.2024年桂林市市级重大前期项目计划表\n桂林市人民政府\n2024年2月1日\n"
    ).documents
    assert document.attachments == ["2024年桂林市市级重大项目计划表", "2024年桂林市市级重大前期项目计划表"]
