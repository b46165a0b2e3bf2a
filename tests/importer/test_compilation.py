"""Policy compilations (汇编): items, regions, source URLs, the leading fragment."""

import datetime as dt

from gazette.importer import parse_gazette

COMPILATION = """执法“四张清单”，规范行政处罚裁量权行使。
四、华南
（一）广东
1. 广东省财政厅关于进一步加强政府采购需求管理工作的通知 (2023 年 4 月 19 日)
http://czt.gd.gov.cn/post_4167088.html
粤财采购函〔2023〕29 号
省直各单位：
为加强政府采购需求管理，现通知如下。
2. 广东省人民政府办公厅关于印发广东省培育扶持个体工商户
若干措施的通知（2023 年 1 月 12 日）
<http://www.gd.gov.cn/post_4086737.html>
1. 延续执行阶段性降低失业保险费率政策。
（二）广西
1. 北海市行政审批局关于印发首问责任人制度的通知（2023年6月13日）
http://www.beihai.gov.cn/t16654593.shtml
第一条 为提高服务质量，制定本制度。
"""


def test_compilation_items_with_region_url_issuer_and_date():
    issue = parse_gazette(COMPILATION)
    assert issue.kind == "compilation"
    items = [d for d in issue.documents if not d.fragment]
    assert [(d.region, d.issuer, d.date) for d in items] == [
        ("广东", "广东省财政厅", dt.date(2023, 4, 19)),
        ("广东", "广东省人民政府办公厅", dt.date(2023, 1, 12)),
        ("广西", "北海市行政审批局", dt.date(2023, 6, 13)),
    ]
    assert items[1].title == "广东省人民政府办公厅关于印发广东省培育扶持个体工商户若干措施的通知"
    assert items[1].source_url == "http://www.gd.gov.cn/post_4086737.html"
    assert items[0].doc_number == "粤财采购函〔2023〕29号"


def test_compilation_text_before_first_item_is_kept_as_fragment():
    first = parse_gazette(COMPILATION).documents[0]
    assert first.fragment and "四张清单" in first.body and "华南" not in first.body


def test_numbered_body_lines_are_not_items():
    items = [d for d in parse_gazette(COMPILATION).documents if not d.fragment]
    assert "延续执行阶段性降低失业保险费率政策" in items[1].body
