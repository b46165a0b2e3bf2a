"""Bodies: the level and place a name says, in the place its document speaks from, and which
names are one body. Names are from the fixture gazettes (贺州, 柳州, the 汇编) unless noted."""

import pytest

from gazette.importer.bodies import (
    CITY_LEVEL,
    COUNTY_LEVEL,
    NATIONAL,
    OTHER,
    PROVINCIAL,
    Where,
    body_bare_key,
    body_key,
    body_likeness,
    body_read,
    former_name_of,
    where_from,
)
from gazette.importer.places import gazetteer

LIUZHOU = Where("广西壮族自治区", "柳州市")
SANYA = Where("海南省", "三亚市")
GUANGDONG = Where("广东省")


@pytest.mark.parametrize(
    ("name", "where", "expected"),
    [
        # (name, level, province, city, county)
        ("市市场监管局", LIUZHOU, ("市市场监管局", CITY_LEVEL, "广西壮族自治区", "柳州市", "")),
        ("柳州市市场监管局", LIUZHOU, ("市市场监管局", CITY_LEVEL, "广西壮族自治区", "柳州市", "")),
        ("自治区自然资源厅", LIUZHOU, ("自治区自然资源厅", PROVINCIAL, "广西壮族自治区", "", "")),
        ("区商务厅", LIUZHOU, ("区商务厅", PROVINCIAL, "广西壮族自治区", "", "")),
        ("广西税务局", LIUZHOU, ("广西税务局", PROVINCIAL, "广西壮族自治区", "", "")),
        ("自然资源部", LIUZHOU, ("自然资源部", NATIONAL, "", "", "")),
        ("市场监管总局", LIUZHOU, ("市场监管总局", NATIONAL, "", "", "")),
        ("人民银行柳州市中心支行", LIUZHOU, ("人民银行柳州市中心支行", CITY_LEVEL, "广西壮族自治区", "柳州市", "")),
        ("人民银行南宁中心支行", LIUZHOU, ("人民银行南宁中心支行", CITY_LEVEL, "广西壮族自治区", "南宁市", "")),
        ("新区管委会", LIUZHOU, ("新区管委会", OTHER, "广西壮族自治区", "柳州市", "")),
        ("市住房公积金中心", LIUZHOU, ("市住房公积金中心", OTHER, "广西壮族自治区", "柳州市", "")),
        ("北部湾大学", Where("广西壮族自治区", "钦州市"), ("北部湾大学", OTHER, "广西壮族自治区", "钦州市", "")),
        ("广西电网公司", LIUZHOU, ("广西电网公司", OTHER, "广西壮族自治区", "", "")),
        ("国家税务总局三亚市税务局", GUANGDONG, ("国家税务总局三亚市税务局", CITY_LEVEL, "海南省", "三亚市", "")),
        ("三亚供电局", SANYA, ("三亚供电局", OTHER, "海南省", "三亚市", "")),
        ("中央商务区管理局", SANYA, ("中央商务区管理局", CITY_LEVEL, "海南省", "三亚市", "")),
        ("广州市人民政府", GUANGDONG, ("市人民政府", CITY_LEVEL, "广东省", "广州市", "")),
        ("广东省财政厅", GUANGDONG, ("省财政厅", PROVINCIAL, "广东省", "", "")),
        ("天河区政府", GUANGDONG, ("天河区政府", COUNTY_LEVEL, "广东省", "广州市", "天河区")),
        ("海关总署广东分署", GUANGDONG, ("海关总署广东分署", PROVINCIAL, "广东省", "", "")),
        ("市财政局", GUANGDONG, ("市财政局", CITY_LEVEL, "广东省", "", "")),
        (
            "富川瑶族自治县人民政府",
            Where("广西壮族自治区", "贺州市"),
            ("富川瑶族自治县人民政府", COUNTY_LEVEL, "广西壮族自治区", "贺州市", "富川瑶族自治县"),
        ),
    ],
)
def test_level_and_place_of_a_body(name, where, expected):
    body = body_read(name, where)
    assert (body.name, body.level, body.province, body.city, body.county) == expected


def test_a_citys_full_name_becomes_its_prefix_and_is_kept_as_written():
    body = body_read("柳州市市场监管局", LIUZHOU)
    assert body.name == "市市场监管局"
    assert body.written == ("柳州市市场监管局",)
    assert not body.unplaced


def test_a_company_keeps_its_citys_name():
    assert body_read("云浮市港盛港务有限公司", Where("广东省", "云浮市")).name == "云浮市港盛港务有限公司"


def test_a_citys_body_named_where_no_city_is_unplaced():
    assert body_read("市财政局", GUANGDONG).unplaced
    assert not body_read("各地级以上市人民政府", GUANGDONG).unplaced  # a group of the province's cities


def test_groups_belong_to_the_level_they_name():
    counties = body_read("各县（区）人民政府", LIUZHOU)
    assert (counties.group, counties.level, counties.city) == (True, COUNTY_LEVEL, "柳州市")
    cities = body_read("各市人民政府", LIUZHOU)
    assert (cities.group, cities.level, cities.city, cities.province) == (True, CITY_LEVEL, "", "广西壮族自治区")


def test_bracketed_alias_is_read_with_the_bodys_prefix():
    body = body_read("市发展改革委（市大数据发展局）", LIUZHOU)
    assert (body.name, body.aliases) == ("市发展改革委", ("市大数据发展局",))


@pytest.mark.parametrize(
    ("issuer", "city", "region", "expected"),
    [
        ("柳州市人民政府办公室", "柳州市", "", Where("广西壮族自治区", "柳州市")),
        ("三亚市人民政府办公室", "", "海南", Where("海南省", "三亚市")),
        ("广东省人民政府办公厅", "", "广东", Where("广东省")),
        ("深圳市前海深港现代服务业合作区管理局国家税务总局深圳市税务局", "", "广东", Where("广东省", "深圳市")),
        ("", "贺州市", "", Where("广西壮族自治区", "贺州市")),
        ("", "", "湖北", Where("湖北省")),
    ],
)
def test_place_a_document_speaks_from(issuer, city, region, expected):
    assert where_from(issuer=issuer, city=city, region=region) == expected


def test_four_spellings_of_the_natural_resources_bureau_share_one_key():
    names = ["市自然资源局", "市自然资源和规划局", "市自然资源规划局", "市自然资源局和规划局"]
    assert {body_key(name) for name in names} == {"市自然资源局"}
    assert body_key("市规划局") == "市规划局"  # the planning bureau before 2018 is not 市局


def test_spellings_of_one_body_share_a_key():
    assert body_key("深圳市人民政府") == body_key("深圳市政府")
    assert body_key("自治区高级人民法院") == body_key("自治区高级法院")
    assert body_key("市卫生健康委员会") == body_key("市卫生健康委")
    assert body_key("中国人民银行三亚市中心支行") == body_key("人民银行三亚市中心支行")
    assert body_bare_key("市现代服务业产业园管理委员会") == body_bare_key("现代服务业产业园管理委员会")


@pytest.mark.parametrize(
    ("name", "other"),
    [
        ("市发改改革委", "市发展改革委"),
        ("市人力资源保障局", "市人力资源社会保障局"),
        ("自治区住房城乡建设局", "自治区住房城乡建设厅"),
        ("自治区公安局", "自治区公安厅"),
        ("市市场监督局", "市市场监管局"),
        ("人民银行柳州中心支行", "人民银行柳州市中心支行"),
    ],
)
def test_misspelt_names_look_alike(name, other):
    assert body_likeness(name, other) > 0


@pytest.mark.parametrize(
    ("name", "other"),
    [
        ("市财政局", "市民政局"),
        ("市水利局", "市水务局"),
        ("市工商局", "市工商联"),
        ("三亚交通投资集团有限公司", "三亚科技投资集团有限公司"),
        ("市发展改革委", "自治区发展改革委"),
    ],
)
def test_different_bodies_do_not_look_alike(name, other):
    assert body_likeness(name, other) == 0


def test_renamings_of_the_2018_reform_are_known():
    assert former_name_of("市工商局", "市市场监管局").startswith("2018年机构改革")
    assert former_name_of("市国土资源局", "市自然资源和规划局")
    assert former_name_of("市市场监管局", "市工商局") == ""
    assert former_name_of("市工商局", "自治区市场监管局") == ""


def test_gazetteer_reads_short_and_autonomous_names():
    places = gazetteer()
    assert places.city("柳州").city == "柳州市"
    assert places.province_of("广西") == "广西壮族自治区"
    assert [place.county for place in places.places("融水县")] == ["融水苗族自治县"]
    mention = places.mentions("城中区人民政府")[0]
    assert mention.place("广西壮族自治区", "柳州市").city == "柳州市"
    assert mention.place("青海省", "西宁市").city == "西宁市"
