"""Files as admins have them: PDF, Word (.docx), saved web pages, scans and legacy Word.

Each fixture gazette is typeset into a PDF (reportlab) and written as a .docx (python-docx)
by tests/importer/render.py, and must import with the same documents as its text (and, from
.docx, the same tasks). The real PDF in data/ is a typeset joint notice of two offices.
"""

import io
import json
from pathlib import Path

import pytest

from gazette.importer import GazetteFileError, parse_file, parse_gazette, read_source, sniff_format
from tests.importer.render import docx_bytes, pdf_bytes

DATA = Path(__file__).resolve().parent / "data"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
GAZETTES = sorted(FIXTURES.glob("*.txt"))
REAL_PDF = DATA / "fagaiban_caijingui_2019_860.pdf"
SAVED_PAGE = DATA / "govcn_saved_page_joint_notice.html"


def document_facts(issue) -> list[dict]:
    """What a document is, without its body and tasks: title, 文号, issuer, dates, place in the issue."""
    facts = []
    for document in issue.documents:
        entry = document.to_json()
        entry.pop("body")
        entry.pop("tasks")
        entry["recipients"] = document.recipients
        entry["attachments"] = document.attachments
        facts.append(entry)
    return facts


def issue_facts(issue) -> dict:
    entry = issue.to_json()
    entry.pop("documents")
    return entry


@pytest.fixture(scope="module", params=GAZETTES, ids=[path.stem[:3] for path in GAZETTES])
def gazette(request):
    text = request.param.read_text(encoding="utf-8")
    return request.param.name, text, parse_gazette(text)


def test_the_real_pdf_imports_as_the_joint_notice_of_both_offices():
    issue = parse_file(REAL_PDF.read_bytes(), name=REAL_PDF.name)

    (document,) = issue.documents
    assert document.doc_number == "发改办财金规〔2019〕860号"
    assert document.title == "关于加强个人所得税纳税信用建设的通知"
    assert document.issuer == "国家发展改革委办公厅、税务总局办公厅"
    assert document.signature == "国家发展改革委办公厅\n税务总局办公厅"
    assert document.date.isoformat() == "2019-08-20"
    assert document.recipients.startswith("各省、自治区、直辖市、新疆生产建设兵团社会信用体系建设牵头部门")


def test_the_real_pdf_reads_as_paragraphs_without_page_numbers_or_soft_hyphens_lost():
    text = read_source(REAL_PDF.read_bytes(), name=REAL_PDF.name).text

    assert text.splitlines()[0] == "发展改革委办公厅\u3000税务总局办公厅文件"
    assert "— 1 —" not in text and "—1—" not in text
    assert "社会信用体系建设规划纲要（2014-2020年）" in text
    # A paragraph wrapped over a page break is one line again.
    assert "是党中央、国务院着眼于优化税收制度、推动经济发展、惠及百姓民生作出的一项重大决策部署。" in text
    body = parse_file(REAL_PDF.read_bytes(), name=REAL_PDF.name).documents[0].blocks
    assert [block.text for block in body if block.kind == "heading"][:3] == [
        "一、总体要求",
        "二、建立个人所得税纳税信用管理机制",
        "（一）全面实施个人所得税申报信用承诺制",
    ]


def test_a_fixture_gazette_typeset_as_pdf_imports_with_the_same_documents(gazette):
    name, text, expected = gazette

    issue = parse_file(pdf_bytes(text), name=name.replace(".txt", ".pdf"))

    assert issue_facts(issue) == issue_facts(expected)
    assert document_facts(issue) == document_facts(expected)
    # Task rows a page break split are put back by the table reader as a converter's are, not
    # always alike: the documents must be the same, the tasks nearly so.
    tasks = sum(len(document.tasks) for document in issue.documents)
    expected_tasks = sum(len(document.tasks) for document in expected.documents)
    assert abs(tasks - expected_tasks) <= 0.02 * expected_tasks


def test_a_fixture_gazette_written_as_docx_imports_with_the_same_documents_and_tasks(gazette):
    name, text, expected = gazette

    issue = parse_file(docx_bytes(text), name=name.replace(".txt", ".docx"))

    assert issue.to_json() == expected.to_json()


def test_a_docx_table_with_merged_cells_gives_each_task_its_shared_lead():
    text = (
        "测试市人民政府办公室关于印发测试任务分工方案的通知\n"
        "测政办发〔2024〕8号\n"
        "各县（区）人民政府，市直各有关单位：\n"
        "现将任务分工印发给你们，请认真贯彻落实。\n"
        "序号\t重点任务\t牵头单位\t配合单位\t完成时限\n"
        "1\t建设冷链物流园区\t市发展改革委\t市商务局\t2024年底前\n"
        "2\t完善冷链配送网络\t\t市交通运输局\t2025年底前\n"
        "测试市人民政府办公室\n"
        "2024年3月1日\n"
    )
    import docx

    document = docx.Document(io.BytesIO(docx_bytes(text)))
    table = document.tables[0]
    # 市发展改革委 leads both tasks: one cell merged down over the two rows, as offices write it.
    table.cell(1, 2).merge(table.cell(2, 2)).text = "市发展改革委"
    out = io.BytesIO()
    document.save(out)

    issue = parse_file(out.getvalue(), name="分工.docx")

    tasks = issue.documents[0].tasks
    assert [(task.number, task.lead, task.support) for task in tasks] == [
        ("1", ["市发展改革委"], ["市商务局"]),
        ("2", ["市发展改革委"], ["市交通运输局"]),
    ]


def test_a_saved_government_web_page_imports_its_article_with_the_pages_facts():
    issue = parse_file(SAVED_PAGE.read_bytes(), name=SAVED_PAGE.name)

    (document,) = issue.documents
    assert document.title == "关于加强个人所得税纳税信用建设的通知"
    assert document.doc_number == "发改办财金规〔2019〕860号"
    assert document.issuer == "国家发展改革委办公厅、税务总局办公厅"
    assert document.date.isoformat() == "2019-08-20"
    assert document.source_url == "https://www.gov.cn/zhengce/zhengceku/2019-09/05/content_5427559.htm"
    body = document.body
    assert "索引号：000014349/2019-00123" in body and "发布日期：2019-09-05" in body
    for furniture in ("当前位置", "首页", "分享到", "字体", "打印", "主办单位", "相关稿件", "责任编辑", "统计代码"):
        assert furniture not in body, furniture


def test_a_web_page_without_a_doc_number_takes_its_date_from_the_page():
    page = (
        "<html><head><meta charset='gbk'><title>关于做好2024年防汛工作的通知_通知公告_测试市人民政府</title>"
        '<meta property="og:url" content="http://www.test.gov.cn/zwgk/tzgg/t123.html"></head><body>'
        "<div class='menu'><a>首页</a><a>政务公开</a></div>"
        "<div class='detail'><h1>关于做好2024年防汛工作的通知</h1><p class='info'>发布时间：2024-05-06 09:30　浏览次数：12</p>"
        "<div class='article-content'><p>各镇人民政府，各有关单位：</p><p>　　为做好今年防汛工作，现就有关事项通知如下。</p>"
        "<p>一、压实防汛责任</p><p>各单位要落实防汛责任制。</p></div></div>"
        "<div class='footer'>版权所有：测试市人民政府</div></body></html>"
    ).encode("gbk")

    issue = parse_file(page, name="t123.html")

    (document,) = issue.documents
    assert document.title == "关于做好2024年防汛工作的通知"
    assert document.recipients == "各镇人民政府，各有关单位"
    assert document.date.isoformat() == "2024-05-06"
    assert document.source_url == "http://www.test.gov.cn/zwgk/tzgg/t123.html"
    assert "版权所有" not in document.body and "浏览次数" not in document.body


def test_a_document_copied_without_line_breaks_is_split_into_its_parts():
    text = (DATA / "oneline_fagaiban_joint_notice.txt").read_text(encoding="utf-8")
    assert len(text.strip().splitlines()) == 1

    (document,) = parse_gazette(text).documents

    assert (document.title, document.doc_number, document.date.isoformat()) == (
        "关于加强个人所得税纳税信用建设的通知",
        "发改办财金规〔2019〕860号",
        "2019-08-20",
    )
    assert document.issuer == "国家发展改革委办公厅、税务总局办公厅"
    assert document.recipients.endswith("社会信用体系建设部际联席会议成员单位办公厅（室）")
    assert "二、建立个人所得税纳税信用管理机制" in [block.text for block in document.blocks if block.kind == "heading"]


def scanned_pdf() -> bytes:
    from PIL import Image
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = Image.new("L", (200, 280), color=255)
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    for _ in range(2):
        page.drawImage(ImageReader(image), 0, 0, width=A4[0], height=A4[1])
        page.showPage()
    page.save()
    return out.getvalue()


def test_a_scanned_pdf_without_a_text_layer_is_refused_saying_it_needs_ocr():
    with pytest.raises(GazetteFileError) as refused:
        parse_file(scanned_pdf(), name="扫描件.pdf")

    assert "扫描件.pdf" in str(refused.value)
    assert "没有可提取的文字层" in str(refused.value) and "OCR" in str(refused.value)


@pytest.mark.parametrize("name", ["通知.doc", "通知.wps"])
def test_legacy_word_and_wps_files_are_refused_telling_how_to_save_them_as_docx(name):
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024

    with pytest.raises(GazetteFileError) as refused:
        parse_file(data, name=name)

    assert name in str(refused.value)
    assert "另存为" in str(refused.value) and ".docx" in str(refused.value)


def test_a_damaged_pdf_is_refused_as_damaged():
    with pytest.raises(GazetteFileError) as refused:
        parse_file(REAL_PDF.read_bytes()[:3000], name="cut.pdf")

    assert "cut.pdf" in str(refused.value)


def test_the_format_is_told_by_the_content_before_the_name():
    assert sniff_format(REAL_PDF.read_bytes(), "misnamed.txt") == "pdf"
    assert sniff_format(SAVED_PAGE.read_bytes(), "page.txt") == "html"
    assert sniff_format(docx_bytes("标题\n"), "file.bin") == "docx"
    assert sniff_format("关于…的通知\n".encode(), "notice.txt") == "text"
    assert sniff_format(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "x.doc") == "legacy-word"


def test_every_format_gives_the_same_dry_run_json_structure():
    text = (FIXTURES / "002_5c76bbc1b2b9039f.txt").read_text(encoding="utf-8")
    shapes = set()
    for name, data in [
        ("a.txt", text.encode()),
        ("a.pdf", pdf_bytes(text)),
        ("a.docx", docx_bytes(text)),
        (SAVED_PAGE.name, SAVED_PAGE.read_bytes()),
        (REAL_PDF.name, REAL_PDF.read_bytes()),
    ]:
        result = json.loads(json.dumps(parse_file(data, name=name).to_json(), ensure_ascii=False))
        shapes.add((tuple(sorted(result)), tuple(sorted(result["documents"][0]))))
    assert len(shapes) == 1
