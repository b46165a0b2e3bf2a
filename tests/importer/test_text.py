"""文号 and date normalisation used by every step."""

import datetime as dt

import pytest

from gazette.importer.text import normalise_doc_number, normalise_line, parse_date


@pytest.mark.parametrize(
    "written",
    [
        "贺政办发〔2018〕139号",
        "贺政办发[2018]139号",
        "贺政办发(2018)139号",
        "贺政办发【2018】139号",
        "贺政办发（2018）139号",
        "贺政办发［２０１８］１３９号",
        "贺政办发 〔2018〕 139 号",
    ],
)
def test_doc_number_variants_normalised(written):
    assert normalise_doc_number(written) == "贺政办发〔2018〕139号"


def test_doc_number_after_a_date_on_the_same_line():
    assert normalise_doc_number("2022年1月29日 柳政办〔2022〕9号") == "柳政办〔2022〕9号"


def test_date_in_chinese_numerals():
    assert parse_date("二〇一九年一月三日") == dt.date(2019, 1, 3)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("贺政办发〔２０１８〕１３９号", "贺政办发〔2018〕139号"),
        ("市　商务局\u00a0牵头", "市商务局牵头"),
        ("市商\u200b务局\ufeff", "市商务局"),
        ("**一、总体要求**", "一、总体要求"),
        ("__关于__印发", "关于印发"),
        (r"第1\.2条", "第1.2条"),
        ("贺州市人民政府关于 市长副市长工作分工调整的通知", "贺州市人民政府关于市长副市长工作分工调整的通知"),
        ("ＡＢＣ ｄｅｆ  ", "ABC def"),
        ("\t市商务局\t", "市商务局"),
        ("（一）推进冷链物流。", "（一）推进冷链物流。"),
    ],
)
def test_line_normalised_whatever_it_needs(raw, clean):
    assert normalise_line(raw) == clean
