"""Word's automatic numbering (编号): a .docx whose labels come from word/numbering.xml reads as typed.

Each test builds its Word file with python-docx and writes the list definitions into the
document's numbering part as Word does (w:abstractNum with its w:lvl, w:num using it, w:numPr
on the paragraph or on its style), then reads the lines docx_text gives the parser.
"""

import io

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from gazette.importer import parse_file
from gazette.importer.docx import docx_text
from tests.importer.render import docx_bytes


def level(number_format: str, text: str, *, start: int = 1, suffix: str | None = None, **extra) -> dict:
    """One level of a list as the keyword arguments of its w:lvl (restart=, legal=True, style=)."""
    return {"format": number_format, "text": text, "start": start, "suffix": suffix, **extra}


def lvl_xml(ilvl: int, spec: dict) -> str:
    parts = [f'<w:start w:val="{spec["start"]}"/>', f'<w:numFmt w:val="{spec["format"]}"/>']
    if "restart" in spec:
        parts.append(f'<w:lvlRestart w:val="{spec["restart"]}"/>')
    if "style" in spec:
        parts.append(f'<w:pStyle w:val="{spec["style"]}"/>')
    if spec.get("legal"):
        parts.append("<w:isLgl/>")
    if spec["suffix"]:
        parts.append(f'<w:suff w:val="{spec["suffix"]}"/>')
    parts.append(f'<w:lvlText w:val="{spec["text"]}"/><w:lvlJc w:val="left"/>')
    return f'<w:lvl w:ilvl="{ilvl}">{"".join(parts)}</w:lvl>'


def next_id(numbering, tag: str, attribute: str) -> int:
    return max((int(element.get(qn(attribute))) for element in numbering.iter(qn(tag))), default=0) + 1


def add_list(document, *levels: dict, start_overrides: dict[int, int] | None = None) -> str:
    """Define a list (a w:abstractNum and a w:num using it) in the document; its numId."""
    numbering = document.part.numbering_part.element
    abstract_id = next_id(numbering, "w:abstractNum", "w:abstractNumId")
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
        '<w:multiLevelType w:val="multilevel"/>'
        f"{''.join(lvl_xml(ilvl, spec) for ilvl, spec in enumerate(levels))}</w:abstractNum>"
    )
    # Word's schema keeps every w:abstractNum before the first w:num.
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    return add_instance(document, abstract_id, start_overrides=start_overrides)


def add_instance(document, abstract_id, *, start_overrides: dict[int, int] | None = None) -> str:
    """Another w:num on an abstract numbering, as Word writes one for 重新开始编号 (startOverride); its numId."""
    numbering = document.part.numbering_part.element
    num_id = next_id(numbering, "w:num", "w:numId")
    overrides = "".join(
        f'<w:lvlOverride w:ilvl="{ilvl}"><w:startOverride w:val="{start}"/></w:lvlOverride>'
        for ilvl, start in (start_overrides or {}).items()
    )
    numbering.append(
        parse_xml(
            f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>{overrides}</w:num>'
        )
    )
    return str(num_id)


def abstract_of(document, num_id: str) -> str:
    numbering = document.part.numbering_part.element
    num = next(num for num in numbering.iter(qn("w:num")) if num.get(qn("w:numId")) == num_id)
    return num.find(qn("w:abstractNumId")).get(qn("w:val"))


def set_numbering(paragraph_properties, num_id: str | None, ilvl: int | None) -> None:
    num_pr = paragraph_properties.get_or_add_numPr()
    if ilvl is not None:
        num_pr.get_or_add_ilvl().val = ilvl
    if num_id is not None:
        num_pr.get_or_add_numId().val = int(num_id)


def numbered(paragraph, num_id: str | None, ilvl: int | None = 0):
    """Number a paragraph as Word's 编号 does: w:numPr with w:numId and w:ilvl."""
    set_numbering(paragraph._p.get_or_add_pPr(), num_id, ilvl)
    return paragraph


def lines_of(document) -> list[str]:
    out = io.BytesIO()
    document.save(out)
    return docx_text(out.getvalue(), name="编号.docx").splitlines()


def outline(document) -> str:
    """The usual 公文 outline as one list: 一、 then （一） then 1. then （1）."""
    return add_list(
        document,
        level("chineseCounting", "%1、", suffix="nothing"),
        level("chineseCounting", "（%2）", suffix="nothing"),
        level("decimal", "%3."),
        level("decimal", "（%4）", suffix="nothing"),
    )


def test_headings_numbered_by_word_read_with_their_labels_and_subheadings_restart_under_each():
    document = docx.Document()
    outline_id = outline(document)
    for ilvl, text in [
        (0, "总体要求"),
        (1, "指导思想"),
        (1, "工作目标"),
        (0, "重点任务"),
        (1, "完善冷链基础设施"),
        (2, "建设冷链物流园区。"),
        (3, "新建冷库"),
        (3, "改造冷库"),
        (2, "完善冷链配送网络。"),
        (1, "培育冷链市场主体"),
        (2, "引进冷链龙头企业。"),
    ]:
        numbered(document.add_paragraph(text), outline_id, ilvl)

    assert lines_of(document) == [
        "一、总体要求",
        "（一）指导思想",
        "（二）工作目标",
        "二、重点任务",
        "（一）完善冷链基础设施",
        "1. 建设冷链物流园区。",
        "（1）新建冷库",
        "（2）改造冷库",
        "2. 完善冷链配送网络。",
        "（二）培育冷链市场主体",
        "1. 引进冷链龙头企业。",
    ]


def test_a_task_table_numbered_by_word_keeps_its_row_numbers_in_the_first_column():
    document = docx.Document()
    rows_id = add_list(document, level("decimal", "%1"))
    table = document.add_table(rows=4, cols=3)
    for row, (number, task, lead) in zip(
        table.rows,
        [("序号", "重点任务", "牵头单位"), ("", "建设冷链物流园区", "市发展改革委"), ("", "完善冷链配送网络", "市交通运输局"),
         ("", "引进冷链龙头企业", "市商务局")],
        strict=True,
    ):  # fmt: skip
        row.cells[0].text, row.cells[1].text, row.cells[2].text = number, task, lead
    for row in table.rows[1:]:
        numbered(row.cells[0].paragraphs[0], rows_id)

    assert lines_of(document) == [
        "序号\t重点任务\t牵头单位",
        "1\t建设冷链物流园区\t市发展改革委",
        "2\t完善冷链配送网络\t市交通运输局",
        "3\t引进冷链龙头企业\t市商务局",
    ]


def test_numbering_set_on_a_paragraph_style_labels_every_paragraph_of_that_style():
    document = docx.Document()
    outline_id = outline(document)
    first = document.styles.add_style("公文一级标题", WD_STYLE_TYPE.PARAGRAPH)
    set_numbering(first.element.get_or_add_pPr(), outline_id, 0)
    # The second level inherits the list from the style it is based on and names only its level.
    second = document.styles.add_style("公文二级标题", WD_STYLE_TYPE.PARAGRAPH)
    second.base_style = first
    set_numbering(second.element.get_or_add_pPr(), None, 1)

    document.add_paragraph("总体要求", style=first)
    document.add_paragraph("指导思想", style=second)
    document.add_paragraph("重点任务", style=first)
    document.add_paragraph("完善冷链基础设施", style=second)
    # numId 0 takes the style's numbering off one paragraph.
    numbered(document.add_paragraph("（此段不编号）", style=first), "0", None)
    document.add_paragraph("保障措施", style=first)

    assert lines_of(document) == [
        "一、总体要求",
        "（一）指导思想",
        "二、重点任务",
        "（一）完善冷链基础设施",
        "（此段不编号）",
        "三、保障措施",
    ]


def test_a_style_numbered_without_a_level_takes_the_level_that_names_it():
    document = docx.Document()
    heading = document.styles.add_style("Heading Cn", WD_STYLE_TYPE.PARAGRAPH)
    subheading = document.styles.add_style("Subheading Cn", WD_STYLE_TYPE.PARAGRAPH)
    list_id = add_list(
        document,
        level("chineseCounting", "%1、", suffix="nothing", style=heading.style_id),
        level("chineseCounting", "（%2）", suffix="nothing", style=subheading.style_id),
    )
    set_numbering(heading.element.get_or_add_pPr(), list_id, None)
    set_numbering(subheading.element.get_or_add_pPr(), list_id, None)

    document.add_paragraph("总体要求", style=heading)
    document.add_paragraph("指导思想", style=subheading)
    document.add_paragraph("工作目标", style=subheading)

    assert lines_of(document) == ["一、总体要求", "（一）指导思想", "（二）工作目标"]


def test_a_list_continues_across_other_paragraphs_tables_and_instances_of_the_same_list():
    document = docx.Document()
    items_id = add_list(document, level("decimal", "%1.", suffix="nothing"))
    numbered(document.add_paragraph("建设冷链物流园区。"), items_id)
    document.add_paragraph("园区按国家标准建设。")
    numbered(document.add_paragraph("完善冷链配送网络。"), items_id)
    document.add_table(rows=1, cols=1).cell(0, 0).text = "附表"
    # A second w:num on the same abstract numbering without an override continues the count.
    same_list = add_instance(document, abstract_of(document, items_id))
    numbered(document.add_paragraph("引进冷链龙头企业。"), same_list)

    assert lines_of(document) == [
        "1.建设冷链物流园区。",
        "园区按国家标准建设。",
        "2.完善冷链配送网络。",
        "附表",
        "3.引进冷链龙头企业。",
    ]


def test_start_override_restarts_a_list_where_word_restarts_numbering():
    document = docx.Document()
    items_id = add_list(document, level("decimal", "%1.", suffix="nothing"))
    abstract_id = abstract_of(document, items_id)
    numbered(document.add_paragraph("甲项"), items_id)
    numbered(document.add_paragraph("乙项"), items_id)
    restarted = add_instance(document, abstract_id, start_overrides={0: 1})
    numbered(document.add_paragraph("丙项"), restarted)
    numbered(document.add_paragraph("丁项"), restarted)
    from_five = add_instance(document, abstract_id, start_overrides={0: 5})
    numbered(document.add_paragraph("戊项"), from_five)
    numbered(document.add_paragraph("己项"), from_five)

    assert lines_of(document) == ["1.甲项", "2.乙项", "1.丙项", "2.丁项", "5.戊项", "6.己项"]


def test_a_list_instance_that_redefines_a_level_writes_its_labels_its_own_way():
    document = docx.Document()
    items_id = add_list(document, level("decimal", "%1.", suffix="nothing"))
    redefined = add_instance(document, abstract_of(document, items_id))
    numbering = document.part.numbering_part.element
    num = next(num for num in numbering.iter(qn("w:num")) if num.get(qn("w:numId")) == redefined)
    num.append(
        parse_xml(
            f'<w:lvlOverride {nsdecls("w")} w:ilvl="0">'
            f"{lvl_xml(0, level('chineseCounting', '第%1项', start=1, suffix='nothing'))}</w:lvlOverride>"
        )
    )
    numbered(document.add_paragraph("甲"), redefined)
    numbered(document.add_paragraph("乙"), redefined)

    assert lines_of(document) == ["第一项甲", "第二项乙"]


def test_a_list_defined_by_a_numbering_style_is_followed_to_that_style():
    document = docx.Document()
    defined = add_list(document, level("chineseCounting", "%1、", suffix="nothing"))
    numbering_style = document.styles.add_style("公文编号", WD_STYLE_TYPE.LIST)
    set_numbering(numbering_style.element.get_or_add_pPr(), defined, None)
    numbering = document.part.numbering_part.element
    abstracts = {element.get(qn("w:abstractNumId")): element for element in numbering.iter(qn("w:abstractNum"))}
    abstracts[abstract_of(document, defined)].append(
        parse_xml(f'<w:styleLink {nsdecls("w")} w:val="{numbering_style.style_id}"/>')
    )
    # A list made from the style: an abstract numbering with no levels of its own, only the link.
    linked = add_list(document)
    abstracts = {element.get(qn("w:abstractNumId")): element for element in numbering.iter(qn("w:abstractNum"))}
    abstracts[abstract_of(document, linked)].append(
        parse_xml(f'<w:numStyleLink {nsdecls("w")} w:val="{numbering_style.style_id}"/>')
    )
    numbered(document.add_paragraph("总体要求"), linked)
    numbered(document.add_paragraph("重点任务"), linked)

    assert lines_of(document) == ["一、总体要求", "二、重点任务"]


def test_separate_lists_count_apart():
    document = docx.Document()
    first = add_list(document, level("decimal", "%1.", suffix="nothing"))
    second = add_list(document, level("decimal", "%1.", suffix="nothing"))
    numbered(document.add_paragraph("甲"), first)
    numbered(document.add_paragraph("乙"), second)
    numbered(document.add_paragraph("丙"), first)
    numbered(document.add_paragraph("丁"), second)

    assert lines_of(document) == ["1.甲", "1.乙", "2.丙", "2.丁"]


@pytest.mark.parametrize(
    ("number_format", "text", "start", "labels"),
    [
        ("chineseCounting", "%1、", 9, ["九、", "十、", "十一、"]),
        ("chineseCounting", "%1、", 19, ["十九、", "二十、", "二十一、"]),
        ("chineseCountingThousand", "%1、", 99, ["九十九、", "一百、", "一百零一、"]),
        ("japaneseCounting", "第%1条", 1, ["第一条", "第二条", "第三条"]),
        ("ideographTraditional", "%1、", 1, ["甲、", "乙、", "丙、"]),
        ("upperLetter", "%1.", 25, ["Y.", "Z.", "AA."]),
        ("lowerLetter", "（%1）", 1, ["（a）", "（b）", "（c）"]),
        ("upperRoman", "%1.", 3, ["III.", "IV.", "V."]),
        ("lowerRoman", "%1)", 8, ["viii)", "ix)", "x)"]),
        ("decimalEnclosedCircle", "%1", 1, ["①", "②", "③"]),
        ("decimalEnclosedCircleChinese", "%1", 19, ["⑲", "⑳", "21"]),
        ("decimalFullWidth", "%1．", 1, ["１．", "２．", "３．"]),
        ("decimalZero", "%1.", 9, ["09.", "10.", "11."]),
        ("chineseLegalSimplified", "%1、", 1, ["壹、", "贰、", "叁、"]),
    ],
)
def test_each_number_format_is_written_as_word_shows_it(number_format, text, start, labels):
    document = docx.Document()
    list_id = add_list(document, level(number_format, text, start=start, suffix="nothing"))
    for _ in labels:
        numbered(document.add_paragraph("事项"), list_id)

    assert lines_of(document) == [f"{label}事项" for label in labels]


def test_bullets_and_levels_without_a_number_add_no_label():
    document = docx.Document()
    list_id = add_list(document, level("bullet", "\u2022"), level("none", ""), level("none", "%3"))
    numbered(document.add_paragraph("要点"), list_id, 0)
    numbered(document.add_paragraph("说明"), list_id, 1)
    numbered(document.add_paragraph("备注"), list_id, 2)

    assert lines_of(document) == ["要点", "说明", "备注"]


def test_a_multilevel_label_shows_the_numbers_of_the_levels_above():
    document = docx.Document()
    legal = add_list(
        document,
        level("chineseCounting", "%1、", suffix="nothing"),
        level("decimal", "%1.%2", suffix="space", legal=True),
        level("decimal", "%1.%2.%3", suffix="space"),
    )
    numbered(document.add_paragraph("总则"), legal, 0)
    numbered(document.add_paragraph("适用范围"), legal, 1)
    numbered(document.add_paragraph("术语"), legal, 1)
    numbered(document.add_paragraph("职责"), legal, 0)
    # A level skipped since its parent last counted shows 0, as Word shows it.
    numbered(document.add_paragraph("分工"), legal, 2)

    assert lines_of(document) == ["一、总则", "1.1 适用范围", "1.2 术语", "二、职责", "二.0.1 分工"]


def test_lvl_restart_zero_keeps_a_level_counting_through_its_parents():
    document = docx.Document()
    list_id = add_list(
        document,
        level("chineseCounting", "第%1章", suffix="space"),
        level("chineseCounting", "第%2条", suffix="space", restart=0),
    )
    numbered(document.add_paragraph("总则"), list_id, 0)
    numbered(document.add_paragraph("目的"), list_id, 1)
    numbered(document.add_paragraph("依据"), list_id, 1)
    numbered(document.add_paragraph("职责"), list_id, 0)
    numbered(document.add_paragraph("分工"), list_id, 1)

    assert lines_of(document) == ["第一章 总则", "第一条 目的", "第二条 依据", "第二章 职责", "第三条 分工"]


# --- End to end: a 公文 whose outline and task table Word numbers ---------------------------------

HEAD = [
    "测试市人民政府办公室关于印发测试市冷链物流发展三年行动方案的通知",
    "测政办发〔2024〕12号",
    "各县（区）人民政府，市直各有关单位：",
    "《测试市冷链物流发展三年行动方案》已经市人民政府同意，现印发给你们，请认真贯彻落实。",
    "测试市人民政府办公室",
    "2024年3月1日",
    "测试市冷链物流发展三年行动方案",
]
# (level in the outline, text) — None for a paragraph Word does not number.
OUTLINE = [
    (0, "总体要求"),
    (None, "以习近平新时代中国特色社会主义思想为指导，加快建设现代冷链物流体系。"),
    (0, "重点任务"),
    (1, "完善冷链基础设施。"),
    (2, "建设冷链物流园区。2025年底前建成市级冷链物流园区1个。（牵头单位：市发展改革委；配合单位：市商务局）"),
    (2, "完善冷链配送网络。推动城乡冷链配送一体化。（牵头单位：市交通运输局）"),
    (1, "培育冷链市场主体。"),
    (2, "引进冷链龙头企业。（牵头单位：市商务局）"),
    (0, "保障措施"),
    (None, "附表：任务分工表"),
]
TASK_ROWS = [
    ("建设冷链物流园区", "市发展改革委", "市商务局", "2025年底前"),
    ("完善冷链配送网络", "市交通运输局", "市商务局", "2024年底前"),
    ("引进冷链龙头企业", "市商务局", "市发展改革委", "2026年底前"),
]
TYPED = "\n".join(
    [
        *HEAD,
        "一、总体要求",
        OUTLINE[1][1],
        "二、重点任务",
        "（一）完善冷链基础设施。",
        f"1.{OUTLINE[4][1]}",
        f"2.{OUTLINE[5][1]}",
        "（二）培育冷链市场主体。",
        f"1.{OUTLINE[7][1]}",
        "三、保障措施",
        OUTLINE[9][1],
        "序号\t重点任务\t牵头单位\t配合单位\t完成时限",
        *(f"{number}\t{chr(9).join(row)}" for number, row in enumerate(TASK_ROWS, start=1)),
    ]
)


def auto_numbered_notice() -> bytes:
    """The notice of TYPED as an office writes it in Word: its outline and 序号 from 编号, not typed."""
    document = docx.Document()
    # Word's default suffix, a tab, after the item numbers; nothing after the headings' 、 and ）.
    outline_id = add_list(
        document,
        level("chineseCounting", "%1、", suffix="nothing"),
        level("chineseCounting", "（%2）", suffix="nothing"),
        level("decimal", "%3."),
    )
    rows_id = add_list(document, level("decimal", "%1"))
    for text in HEAD:
        document.add_paragraph(text)
    for ilvl, text in OUTLINE:
        paragraph = document.add_paragraph(text)
        if ilvl is not None:
            numbered(paragraph, outline_id, ilvl)
    table = document.add_table(rows=len(TASK_ROWS) + 1, cols=5)
    for cell, title in zip(table.rows[0].cells, ["序号", "重点任务", "牵头单位", "配合单位", "完成时限"], strict=True):
        cell.text = title
    for row, values in zip(table.rows[1:], TASK_ROWS, strict=True):
        numbered(row.cells[0].paragraphs[0], rows_id)
        for cell, value in zip(row.cells[1:], values, strict=True):
            cell.text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_notice_numbered_by_word_imports_with_the_headings_and_tasks_of_the_same_notice_typed():
    typed = parse_file(docx_bytes(TYPED + "\n"), name="手工编号.docx")
    numbered_by_word = parse_file(auto_numbered_notice(), name="自动编号.docx")

    (document,) = numbered_by_word.documents
    (expected,) = typed.documents
    headings = [(block.level, block.text) for block in document.blocks if block.kind == "heading"]
    assert headings == [(block.level, block.text) for block in expected.blocks if block.kind == "heading"]
    assert headings[1:] == [
        (1, "一、总体要求"),
        (1, "二、重点任务"),
        (2, "（一）完善冷链基础设施。"),
        (2, "（二）培育冷链市场主体。"),
        (1, "三、保障措施"),
    ]
    assert [(task.number, task.text, task.lead, task.deadline) for task in document.tasks] == [
        ("1", "建设冷链物流园区。2025年底前建成市级冷链物流园区1个。", ["市发展改革委"], None),
        ("2", "完善冷链配送网络。推动城乡冷链配送一体化。", ["市交通运输局"], None),
        ("1", "引进冷链龙头企业。", ["市商务局"], None),
        ("1", "建设冷链物流园区", ["市发展改革委"], "2025年底前"),
        ("2", "完善冷链配送网络", ["市交通运输局"], "2024年底前"),
        ("3", "引进冷链龙头企业", ["市商务局"], "2026年底前"),
    ]
    assert [task.to_json() for task in document.tasks] == [task.to_json() for task in expected.tasks]
    assert document.to_json()["title"] == expected.to_json()["title"]
    assert document.doc_number == "测政办发〔2024〕12号"
