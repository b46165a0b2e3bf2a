"""文号 and date normalisation used by every step."""

import datetime as dt

import pytest

from gazette.importer.text import normalise_doc_number, parse_date


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
