"""Whole issues: headers, document boundaries and the parts of each document."""

import datetime as dt

import pytest

from gazette.importer import GazetteFileError, parse_gazette

ISSUE = """桂林市人民政府公报
2021年第2期（总第88期）
桂林市人民政府办公室
2021年2月10日
目 录
- ◆桂林市人民政府关于印发桂林市 促进消费若干措施的通知(市政发[2021]3号) 1
- ◆桂林市人民政府办公室关于做好节日值班工作的通知(市政办〔2021〕7号) 5
桂林市人民政府关于印发桂林市
促进消费若干措施的通知
市政发〔2021〕3号
各县（区）人民政府，市直各单位：
现将《桂林市促进消费若干措施》印发给你们，请认真贯彻执行。
附件：1.桂林市促进消费若干措施
2.任务分工表
桂林市人民政府
二〇二一年一月三日
桂林市促进消费若干措施
一、扩大消费
（一）发放消费券。
桂林市人民政府办公室关于做好节日值班工作的通知
市政办〔2021〕7号
各县（区）人民政府：
请做好值班工作。
桂林市人民政府办公室
2021年1月20日
"""


def test_issue_header_is_read():
    issue = parse_gazette(ISSUE)
    assert (issue.gazette, issue.publisher, issue.year, issue.number, issue.total_number, issue.published) == (
        "桂林市人民政府公报",
        "桂林市人民政府办公室",
        2021,
        2,
        88,
        dt.date(2021, 2, 10),
    )


def test_document_title_split_over_two_heading_lines_is_found():
    issue = parse_gazette(ISSUE)
    assert [d.title for d in issue.documents] == [
        "桂林市人民政府关于印发桂林市促进消费若干措施的通知",
        "桂林市人民政府办公室关于做好节日值班工作的通知",
    ]
    assert issue.warnings == []


def test_document_parts_are_read():
    doc = parse_gazette(ISSUE).documents[0]
    assert doc.doc_number == "市政发〔2021〕3号"
    assert doc.recipients == "各县（区）人民政府，市直各单位"
    assert doc.attachments == ["桂林市促进消费若干措施", "任务分工表"]
    assert (doc.signature, doc.issuer, doc.date) == ("桂林市人民政府", "桂林市人民政府", dt.date(2021, 1, 3))
    # The attached plan is part of the body; the signature and date are not.
    assert "（一）发放消费券。" in doc.body and "二〇二一年" not in doc.body


def test_no_toc_text_inside_bodies():
    for doc in parse_gazette(ISSUE).documents:
        assert "◆" not in doc.body and "目 录" not in doc.body


def test_toc_entry_found_by_doc_number_when_body_title_differs():
    text = ISSUE.replace("桂林市人民政府办公室关于做好节日值班工作的通知\n市政办", "关于做好值班工作的通知\n市政办")
    issue = parse_gazette(text)
    assert issue.documents[1].title == "关于做好值班工作的通知"
    assert issue.documents[1].page == 5


def test_toc_entry_missing_from_body_gives_a_warning_and_no_document():
    text = ISSUE[: ISSUE.index("桂林市人民政府办公室关于做好节日值班工作的通知\n市政办")]
    issue = parse_gazette(text)
    assert len(issue.documents) == 1
    assert issue.warnings == [
        "目录中的《桂林市人民政府办公室关于做好节日值班工作的通知》（市政办〔2021〕7号）在正文中未找到，未导入该文件。"
    ]


def test_document_missing_from_toc_gives_a_warning():
    text = ISSUE + "桂林市人民政府办公室关于开展安全检查的通知\n市政办〔2021〕9号\n各县（区）人民政府：\n请开展检查。\n"
    issue = parse_gazette(text)
    assert issue.documents[-1].doc_number == "市政办〔2021〕9号"
    assert any("未列入目录" in w for w in issue.warnings)


def test_date_and_doc_number_on_one_line():
    text = (
        "甲市人民政府办公室关于印发甲方案的通知\n2022年1月29日 甲政办〔2022〕9号\n各县、区人民政府：\n现印发给你们。\n"
    )
    doc = parse_gazette(text).documents[0]
    assert (doc.doc_number, doc.date) == ("甲政办〔2022〕9号", dt.date(2022, 1, 29))


def test_single_document_without_toc_or_doc_number():
    text = "\n\n贺州市推进电子商务与快递物流 协同发展实施方案\n\n为贯彻落实有关意见，特制定本方案。\n\n一、总体要求\n"
    issue = parse_gazette(text)
    (doc,) = issue.documents
    assert doc.title == "贺州市推进电子商务与快递物流协同发展实施方案" and doc.doc_number is None
    assert doc.body.startswith("为贯彻落实")


def test_file_without_any_document_is_refused():
    with pytest.raises(GazetteFileError):
        parse_gazette("为贯彻落实有关意见，特制定本方案。现印发给你们，请认真执行。\n")
