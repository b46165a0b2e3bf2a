"""Step 7: 文种, 规范性文件, 施行日期, 有效期 and what a document repeals or amends, read from its own words."""

import datetime as dt

import pytest

from gazette.importer.records import HEADING, PARAGRAPH, TABLE, Block, DocumentRecord, DocumentRef
from gazette.importer.validity import (
    DATE_IN_TEXT,
    DOCUMENT_DATE,
    DOCUMENT_DATE_AFTER,
    ISSUE_DATE,
    ISSUE_DATE_AFTER,
    is_normative,
    read_genre,
    read_validity,
)


def document(*paragraphs, title="广州市人民政府办公厅关于印发广州市网上办事管理办法的通知", **fields) -> DocumentRecord:
    blocks = [p if isinstance(p, Block) else Block(kind=PARAGRAPH, text=p) for p in paragraphs]
    return DocumentRecord(title=title, blocks=blocks, **fields)


def read(*paragraphs, published=None, **fields) -> DocumentRecord:
    record = document(*paragraphs, **fields)
    read_validity(record, published=published)
    return record


@pytest.mark.parametrize(
    ("title", "doc_number", "expected"),
    [
        ("贺州市人民政府关于市长副市长工作分工调整的通知", "贺政发〔2019〕1号", ("通知", None)),
        ("柳州市人民政府办公室关于印发《柳州市服务业发展“十四五”规划》的通知", None, ("通知", "规划")),
        ("广州市人民政府办公厅关于印发广州市网上办事管理办法的通知", None, ("通知", "办法")),
        (
            "柳州市人民政府办公室印发关于建立健全养老服务综合监管制度促进养老服务高质量发展实施方案的通知",
            None,
            ("通知", "方案"),
        ),
        (
            "江门市城市管理和综合执法局关于印发江门市关于获得用水用气工作政企联席会议制度（试行）的通知",
            None,
            ("通知", "制度"),
        ),
        ("深圳市人民政府办公厅关于印发《深圳市特殊教育发展提升行动计划（2023—2025年）》的通知", None, ("通知", "计划")),
        ("梧州市人民政府办公室关于同意设立梧州市六堡茶产业发展服务中心的复函", None, ("函", None)),
        ("崇左市人民政府关于同意设立崇左市边境贸易服务中心的批复", None, ("批复", None)),
        ("湖北省人民政府办公厅关于加快建设高质量人力资源市场体系的实施意见", None, ("意见", None)),
        ("东莞市优化营商环境条例（草案征求意见稿）", None, ("条例", None)),
        ("柳州市人民政府第45次常务会议纪要", None, ("纪要", None)),
        ("《柳州市城市绿化管理办法》政策解读", None, ("解读", None)),
        ("柳州市城市绿化管理办法", "柳州市人民政府令第12号", ("令", "办法")),
        (
            "柳州市人民政府办公室关于印发柳州市贯彻落实《广西复制推广营商环境创新试点改革举措任务清单》任务分工表的通知",
            None,
            ("通知", None),
        ),
        ("广西壮族自治区人民政府任免国家工作人员", None, (None, None)),
    ],
)
def test_genre_is_read_from_the_end_of_the_title_and_what_a_notice_passes_on(title, doc_number, expected):
    assert read_genre(title, doc_number) == expected


@pytest.mark.parametrize(
    ("doc_number", "section", "text", "expected"),
    [
        ("钦政办规〔2019〕6号", None, "", True),
        ("穗政数规字〔2023〕1号", None, "", True),
        ("发改办财金规〔2019〕860号", None, "", True),
        ("穗府函〔2023〕20号", None, "", False),
        ("穗规划资源字〔2023〕12号", None, "", False),
        (None, "【规范性文件】", "", True),
        ("桂政办发〔2023〕5号", None, "（此件为行政规范性文件）", True),
        ("桂政办发〔2023〕5号", None, "规范性文件统一登记号：GXZF-2023-00012", True),
        ("穗府办规〔2023〕7号", None, "在本办法实施前制定的其他规范性文件与本办法不一致的，适用本办法。", True),
        ("穗府函〔2023〕20号", None, "加快智慧政务服务相关领域地方性法规、政府规章、规范性文件的制定工作。", False),
    ],
)
def test_a_normative_document_is_told_by_its_code_its_section_or_its_own_words(doc_number, section, text, expected):
    assert is_normative(doc_number, section, [text]) is expected


def test_an_explicit_date_is_when_it_takes_effect_and_five_years_end_the_day_before_the_anniversary():
    record = read("本措施自 2023 年 6 月 20 日起施行，有效期 5 年。", date=dt.date(2023, 5, 30))

    assert (record.effective_from, record.effective_basis) == (dt.date(2023, 6, 20), DATE_IN_TEXT)
    assert record.valid_until == dt.date(2028, 6, 19)


def test_from_the_day_it_was_issued_means_its_date_else_the_date_of_the_issue_that_printed_it():
    dated = read("第四十六条 本细则自印发之日起实施，有效期 5 年。", date=dt.date(2023, 1, 5))
    undated = read("本通知自印发之日起施行。", published=dt.date(2024, 3, 1))

    assert (dated.effective_from, dated.effective_basis, dated.valid_until) == (
        dt.date(2023, 1, 5),
        DOCUMENT_DATE,
        dt.date(2028, 1, 4),
    )
    assert (undated.effective_from, undated.effective_basis) == (dt.date(2024, 3, 1), ISSUE_DATE)


def test_a_decree_takes_effect_on_the_date_its_promulgation_gives():
    record = read(
        "《柳州市城市绿化管理办法》已经2024年5月20日市人民政府第44次常务会议审议通过，现予公布，自2024年7月1日起施行。"
    )

    assert record.effective_from == dt.date(2024, 7, 1)


@pytest.mark.parametrize(
    ("sentence", "effective"),
    [
        ("本办法自公布之日起30日后施行。", dt.date(2023, 9, 30)),
        ("本规定自印发之日起30日后施行。", dt.date(2023, 9, 30)),
        ("本细则自发布之日起三十日后施行，有效期3年。", dt.date(2023, 9, 30)),
        ("本办法自印发之日起满30日后施行。", dt.date(2023, 9, 30)),
        ("本规定自公布之日起30天以后实施。", dt.date(2023, 9, 30)),
        ("本办法自公布之日起六个月后施行。", dt.date(2024, 2, 29)),
        ("本决定自发布之日起两个月后施行。", dt.date(2023, 10, 31)),
    ],
)
def test_days_or_months_after_it_was_issued_count_from_its_date(sentence, effective):
    record = read(sentence, date=dt.date(2023, 8, 31))

    assert (record.effective_from, record.effective_basis) == (effective, DOCUMENT_DATE_AFTER)


def test_days_after_it_was_issued_count_from_the_issue_without_a_date_and_the_term_from_then():
    record = read("本办法自发布之日起三十日后施行，有效期5年。", published=dt.date(2024, 3, 15))

    assert (record.effective_from, record.effective_basis) == (dt.date(2024, 4, 14), ISSUE_DATE_AFTER)
    assert record.valid_until == dt.date(2029, 4, 13)


def test_days_after_an_unknown_day_leave_the_effective_date_unknown():
    record = read("本办法自公布之日起30日后施行。")

    assert (record.effective_from, record.effective_basis) == (None, None)


@pytest.mark.parametrize(
    "sentence",
    [
        "承办单位应当自收到工单之日起2个工作日内核查。",
        "申请人应当自本通知印发之日起30日内提交材料。",
        "全面推行工程建设项目审批分类改革，社会投资简易低风险建设工程项目的改革措施自本工作方案印发之日起实行。",
        "自本通知印发之日起，在汕尾市市场监督管理局登记注册的新开办企业可享受免费刻制印章服务。",
        "第六十条 本条例自 202X 年 X 月 X 日起施行。",
        "（三）减免租金。本项政策自2023年1月1日起执行。",
    ],
)
def test_dates_about_something_else_than_the_document_are_not_its_effective_date(sentence):
    record = read(sentence, date=dt.date(2023, 6, 5))

    assert (record.effective_from, record.effective_basis) == (None, None)


@pytest.mark.parametrize(
    ("sentence", "until"),
    [
        ("本措施自 2023 年 5 月 15 日起实施，有效期三年。", dt.date(2026, 5, 14)),
        ("本办法自2024年2月29日起施行，本办法有效期为5年。", dt.date(2029, 2, 28)),
        ("本通知自2023年1月1日起施行，有效期至2025年12月31日。", dt.date(2025, 12, 31)),
        ("本措施自2023年1月1日起实施至2025年12月31日。", dt.date(2025, 12, 31)),
        ("本措施自2023年1月1日起施行，证书有效期为3年。", None),
        ("原则上政策法规有效期不超过 5 年，办事指南有效期不超过 1 年。", None),
    ],
)
def test_the_term_is_read_from_a_clause_about_the_document_itself(sentence, until):
    assert read(sentence).valid_until == until


def test_a_term_with_no_start_in_the_text_counts_from_the_document_date():
    assert read("本办法有效期5年。", date=dt.date(2023, 4, 1)).valid_until == dt.date(2028, 3, 31)


def test_a_cited_document_repealed_at_the_same_time_is_kept_with_its_title_and_number():
    record = read(
        "第四十六条 本细则自印发之日起实施，有效期 5 年。《广州市政务服务数据管理局关于修订印发广州 12345 "
        "政府服务热线管理办法实施细则的通知》（穗政数规字〔2020〕1 号）同时废止。"
    )

    assert record.repeals == [
        DocumentRef(
            doc_number="穗政数规字〔2020〕1号",
            title="广州市政务服务数据管理局关于修订印发广州12345政府服务热线管理办法实施细则的通知",
        )
    ]
    assert record.amends == []


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "本办法自2023年1月1日起施行，《贺州市A管理办法》（贺政办发〔2015〕3号）、《贺州市B实施细则》（贺政办发〔2016〕8号）同时废止。",
            [
                DocumentRef("贺政办发〔2015〕3号", "贺州市A管理办法"),
                DocumentRef("贺政办发〔2016〕8号", "贺州市B实施细则"),
            ],
        ),
        (
            "原贺州市人民政府办公室关于印发贺州市城市管理办法的通知（贺政办发〔2015〕12号）同时废止。",
            [DocumentRef("贺政办发〔2015〕12号", "贺州市人民政府办公室关于印发贺州市城市管理办法的通知")],
        ),
        ("原贺州市城市绿化管理办法同时废止。", [DocumentRef(None, "贺州市城市绿化管理办法")]),
        (
            "《南宁市促进民营经济发展若干措施》（南府发〔2018〕5号）不再执行。",
            [DocumentRef("南府发〔2018〕5号", "南宁市促进民营经济发展若干措施")],
        ),
        (
            "市人民政府决定废止《柳州市A办法》（柳政发〔2010〕3号）等2件规范性文件。",
            [DocumentRef("柳政发〔2010〕3号", "柳州市A办法")],
        ),
        ("对排除、限制竞争的违规优惠政策予以修改或者废止。", []),
        ("2024年底前，对《柳州市A办法》（柳政发〔2010〕3号）予以修改或者废止。", []),
        ("根据《国务院关于废止部分规章的决定》（国令第1号）精神，结合我市实际，制定本办法。", []),
    ],
)
def test_repeals_are_the_documents_named_before_废止_or_不再执行(sentence, expected):
    assert read(sentence).repeals == expected


def test_a_title_saying_what_it_repeals_or_amends_is_read():
    repealing = read(title="柳州市人民政府关于废止《柳州市城市绿化管理办法》的决定")
    amending = read(title="柳州市人民政府关于修改《柳州市城市绿化管理办法》的决定")
    revised = read(
        title="佛山市工程建设项目审批制度改革工作领导小组办公室关于印发佛山市工程建设项目高效审批“益晒你”行动方案（2023年修订版）的通知"
    )

    assert repealing.repeals == [DocumentRef(None, "柳州市城市绿化管理办法")]
    assert amending.amends == [DocumentRef(None, "柳州市城市绿化管理办法")]
    assert revised.amends == [DocumentRef(None, "佛山市工程建设项目高效审批“益晒你”行动方案")]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "市人民政府决定对《广州市网上办事管理办法》（穗府办规〔2019〕5号）作如下修改：",
            [DocumentRef("穗府办规〔2019〕5号", "广州市网上办事管理办法")],
        ),
        (
            "将《柳州市城市绿化管理办法》第五条中的“百分之三十”修改为“百分之三十五”。",
            [DocumentRef(None, "柳州市城市绿化管理办法")],
        ),
        (
            "现将修订后的《贺州市政府投资项目管理办法》印发给你们，请认真贯彻执行。",
            [DocumentRef(None, "贺州市政府投资项目管理办法")],
        ),
        ("适时修订完善《广州市权责清单和政务服务事项标准化管理办法（试行）》。", []),
        ("修订《广州市网上办事管理办法》，建立电子证照签发规则机制。", []),
    ],
)
def test_amends_are_the_documents_said_to_be_amended_now_not_those_to_be_revised_later(sentence, expected):
    assert read(sentence).amends == expected


def test_documents_listed_in_a_table_under_a_repeal_head_are_repealed_and_under_an_amend_head_amended():
    record = read(
        Block(kind=HEADING, level=1, text="一、决定废止的规范性文件（2件）"),
        Block(
            kind=TABLE,
            rows=[
                ["序号", "文件名称", "文号"],
                ["1", "柳州市城市绿化管理办法", "柳政发〔2010〕3号"],
                ["2", "柳州市城市道路管理办法", "柳政规〔2012〕7号"],
            ],
        ),
        Block(kind=HEADING, level=1, text="二、决定修改的规范性文件"),
        Block(kind=HEADING, level=3, text="1.《柳州市住宅专项维修资金管理办法》（柳政规〔2015〕2号）"),
        "以上文件自本决定公布之日起施行。",
        title="柳州市人民政府关于废止和修改部分规范性文件的决定",
    )

    assert record.repeals == [
        DocumentRef("柳政发〔2010〕3号", "柳州市城市绿化管理办法"),
        DocumentRef("柳政规〔2012〕7号", "柳州市城市道路管理办法"),
    ]
    assert record.amends == [DocumentRef("柳政规〔2015〕2号", "柳州市住宅专项维修资金管理办法")]


def test_a_document_never_repeals_itself():
    record = read("《柳州市A办法》（柳政规〔2024〕5号）同时废止。", doc_number="柳政规〔2024〕5号")

    assert record.repeals == []


def test_the_json_carries_every_field_dates_as_iso_days():
    record = read(
        "本措施自 2023 年 6 月 20 日起施行，有效期 5 年。《贺州市A办法》（贺政办发〔2015〕3号）同时废止。",
        doc_number="深府办规〔2023〕3号",
    )

    shown = record.to_json()

    assert {
        key: shown[key]
        for key in (
            "genre",
            "transmitted_genre",
            "normative",
            "effective_from",
            "effective_basis",
            "valid_until",
            "repeals",
            "amends",
        )
    } == {
        "genre": "通知",
        "transmitted_genre": "办法",
        "normative": True,
        "effective_from": "2023-06-20",
        "effective_basis": "date_in_text",
        "valid_until": "2028-06-19",
        "repeals": [{"doc_number": "贺政办发〔2015〕3号", "title": "贺州市A办法"}],
        "amends": [],
    }


def test_a_compilation_fragment_gets_nothing():
    record = read("本措施自 2023 年 6 月 20 日起施行，有效期 5 年。", fragment=True)

    assert (record.genre, record.effective_from, record.valid_until) == (None, None, None)


def test_a_policy_interpretation_repeals_nothing_itself():
    record = read(
        "《办法》施行后，《柳州市城市绿化管理办法》（柳政发〔2010〕3号）同时废止。",
        title="《柳州市城市绿化管理办法》政策解读",
    )

    assert (record.genre, record.repeals) == ("解读", [])
