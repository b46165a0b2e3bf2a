"""Department names: splitting responsibility lists and normalising each name."""

from gazette.importer.departments import (
    DEFAULT_ALIASES,
    DepartmentName,
    canonical_name,
    parse_department,
    split_departments,
)
from gazette.importer.records import TABLE, Block
from gazette.importer.tasks import extract_tasks


def test_list_split_on_chinese_and_ascii_separators():
    # 贺政办发〔2018〕143号, half-width punctuation as printed
    assert split_departments("市农业局、林业局,扶贫办;供销社；市商务局") == [
        "市农业局",
        "市林业局",
        "市扶贫办",
        "市供销社",
        "市商务局",
    ]


def test_bare_name_inherits_city_prefix():
    assert split_departments("市公安局、人力资源社会保障局") == ["市公安局", "市人力资源社会保障局"]


def test_bare_name_inherits_region_prefix_but_named_bodies_do_not():
    # 柳政办〔2023〕10号, 自治区 配合单位 of task 1
    names = split_departments("自治区公安厅、人力资源社会保障局、医保局、人民银行南宁中心支行、广西税务局")
    assert names == ["自治区公安厅", "自治区人力资源社会保障局", "自治区医保局", "人民银行南宁中心支行", "广西税务局"]


def test_name_with_its_own_place_gets_no_prefix():
    names = split_departments(
        "市公安局、人民银行柳州市中心支行、柳州市税务局、市住房公积金中心，各县（区）人民政府、新区管委会"
    )
    assert names == [
        "市公安局",
        "人民银行柳州市中心支行",
        "柳州市税务局",
        "市住房公积金中心",
        "各县（区）人民政府",
        "新区管委会",
    ]
    assert split_departments("市教育局、人社局，贺州学院") == ["市教育局", "市人社局", "贺州学院"]
    assert split_departments("市商务局、邮政管理局，梧州海关贺州工作组")[-1] == "梧州海关贺州工作组"


def test_county_governments_do_not_take_or_change_the_prefix():
    assert split_departments("各县（区）人民政府，市工商局、邮政管理局") == [
        "各县（区）人民政府",
        "市工商局",
        "市邮政管理局",
    ]


def test_market_regulation_bureau_is_not_read_as_a_city_prefix():
    # 柳政办〔2023〕10号 task 3: 市行政审批局、市场监管局、市场监管局
    assert split_departments("市行政审批局、市场监管局、市场监管局") == ["市行政审批局", "市市场监管局"]


def test_column_prefix_given_to_bare_names():
    # 柳政办〔2023〕12号, 柳州市 配合单位 of item 4
    assert split_departments("市场监管局、 发展改革委", prefix="市") == ["市市场监管局", "市发展改革委"]


def test_shared_suffix_distributed():
    assert split_departments("灵山县、浦北县人民政府") == ["灵山县人民政府", "浦北县人民政府"]


def test_shared_suffix_distributed_over_bare_city_names():
    # 柳政办〔2023〕12号 item 49
    assert split_departments("南宁、柳州、北海、钦州、防城港、崇左市人民政府") == [
        "南宁市人民政府",
        "柳州市人民政府",
        "北海市人民政府",
        "钦州市人民政府",
        "防城港市人民政府",
        "崇左市人民政府",
    ]


def test_all_cities_and_counties_split_into_both_bodies():
    assert split_departments("各市、县（市、区）人民政府") == ["各市人民政府", "各县（市、区）人民政府"]


def test_person_name_dropped():
    assert split_departments("市发展改革委 黄登成") == ["市发展改革委"]


def test_person_name_run_into_department_dropped():
    # Table cells lose the space between Chinese characters when normalised.
    assert split_departments("市发展改革委黄登成、市商务局") == ["市发展改革委", "市商务局"]


def test_party_bodies_take_the_party_prefix():
    # 柳政办〔2023〕12号 item 88
    assert split_departments("市委编办(绩效办)、组织部,市纪委监委机关") == [
        "市委编办（绩效办）",
        "市委组织部",
        "市纪委监委机关",
    ]


def test_closing_descriptions_removed():
    assert split_departments("省财政厅、国家税务总局广东省税务局等按职责分工负责") == [
        "省财政厅",
        "国家税务总局广东省税务局",
    ]
    assert split_departments("市委宣传部、市两新党工委、扶贫办等") == ["市委宣传部", "市两新党工委", "市扶贫办"]


def test_name_wrapped_over_lines_joined():
    assert split_departments("人民银行柳州市中心\n支行、市商务局") == ["人民银行柳州市中心支行", "市商务局"]
    assert split_departments("市行政审批\n局,各县(区)\n人民政府") == ["市行政审批局", "各县（区）人民政府"]


def test_fragment_that_is_not_a_department_left_out():
    assert split_departments("长期推进") == []
    assert split_departments("市行政审批局、大数据发展局、财政") == ["市行政审批局", "市大数据发展局"]


def test_national_ministries_keep_no_region_prefix():
    assert split_departments("自治区财政厅、市场监管总局、水利部") == ["自治区财政厅", "市场监管总局", "水利部"]


def test_parenthesised_alias_exposed():
    assert parse_department("市发展改革委（市大数据发展局）") == DepartmentName("市发展改革委", ("市大数据发展局",))
    assert parse_department("市发展改革委(粮食和储备局)") == DepartmentName("市发展改革委", ("市粮食和储备局",))


def test_alias_stays_in_the_listed_name():
    assert split_departments("市残联、新闻出版局（版权局）") == ["市残联", "市新闻出版局（版权局）"]


def test_county_in_brackets_is_not_an_alias():
    assert parse_department("各县（区）人民政府") == DepartmentName("各县（区）人民政府")
    assert parse_department("各住房公积金管理中心（分中心）").aliases == ()


def test_canonical_name_keeps_the_level_prefix():
    assert canonical_name("市发改委", DEFAULT_ALIASES) == "市发展改革委"
    assert canonical_name("自治区住建厅", DEFAULT_ALIASES) == "自治区住房城乡建设厅"


def test_canonical_name_uses_the_table_it_is_given():
    admin_table = {"市工信委": "市工业和信息化局"}
    assert canonical_name("市工信委", admin_table) == "市工业和信息化局"
    assert canonical_name("市工信委", DEFAULT_ALIASES) == "市工信委"
    assert canonical_name("市公安局", DEFAULT_ALIASES) == "市公安局"


# --- Cells that hold more than a list of names --------------------------------------------


def test_leaders_names_between_bodies_are_dropped():
    # A 责任单位 cell run together with its 责任领导 column (the other-city gazette)
    assert split_departments("市发展改革委李知仲市财政局戴联华市国资委") == ["市发展改革委", "市财政局", "市国资委"]


def test_leaders_name_before_a_body_named_after_its_place_is_dropped():
    assert split_departments("市商务局黄悦文钦州保税港区管委经发处") == ["市商务局", "钦州保税港区管委经发处"]


def test_two_bodies_written_without_a_separator_are_two():
    assert split_departments("市发展改革委市应急局") == ["市发展改革委", "市应急局"]
    assert split_departments("市委市政府") == ["市委", "市政府"]
    # 发文机关 of a joint notice in the compilation (fixture 003)
    assert split_departments("深圳市前海深港现代服务业合作区管理局国家税务总局深圳市税务局") == [
        "深圳市前海深港现代服务业合作区管理局",
        "国家税务总局深圳市税务局",
    ]


def test_a_branch_named_after_its_place_stays_one_body():
    assert split_departments("梧州海关贺州工作组") == ["梧州海关贺州工作组"]
    assert split_departments("国家税务总局三亚市税务局、人民银行柳州市中心支行") == [
        "国家税务总局三亚市税务局",
        "人民银行柳州市中心支行",
    ]
    assert split_departments("市公安局高新区分局") == ["市公安局高新区分局"]


def test_a_group_after_a_committee_stays_with_it():
    assert split_departments("自治区食品安全委员会各成员单位") == ["自治区食品安全委员会各成员单位"]
    assert split_departments("相关市直部门、各相关区政府") == ["相关市直部门", "各相关区政府"]


def test_an_etc_list_is_its_bodies_and_its_group():
    # 政策汇编 (fixture 003), 三亚 and 广东 notices
    assert split_departments("市农业农村局等相关行业主管部门") == ["市农业农村局", "相关行业主管部门"]
    assert split_departments("市财政局等行业主管部门") == ["市财政局", "相关行业主管部门"]
    assert split_departments("东莞等市人民政府") == ["东莞市人民政府"]
    assert split_departments("中国铁路南宁局集团有限公司等和各设区市公共资源交易平台整合牵头部门") == [
        "中国铁路南宁局集团有限公司",
        "各设区市公共资源交易平台整合牵头部门",
    ]
    assert split_departments("自治区公共资源交易中心和各设区市公共资源交易平台整合牵头部门") == [
        "自治区公共资源交易中心",
        "各设区市公共资源交易平台整合牵头部门",
    ]


def test_no_level_prefix_before_a_body_named_after_its_own_place():
    # 柳政办〔2023〕12号 item 16, 柳州市 牵头单位
    names = split_departments("市住房和城乡建设局、公安局、自然资源和规划局、市通信管理局、市柳州供电局、市自来水公司")
    assert names == [
        "市住房和城乡建设局",
        "市公安局",
        "市自然资源和规划局",
        "市通信管理局",
        "柳州供电局",
        "市自来水公司",
    ]
    assert split_departments("市发展改革委、三亚供电局、海南国际仲裁院三亚分院") == [
        "市发展改革委",
        "三亚供电局",
        "海南国际仲裁院三亚分院",
    ]
    assert split_departments("省财政厅、深圳证监局、海关总署广东分署") == ["省财政厅", "深圳证监局", "海关总署广东分署"]


def test_typing_slips_are_undone_but_real_doubles_kept():
    assert split_departments("国国家税务总局深圳市税务局") == ["国家税务总局深圳市税务局"]  # fixture 003
    assert split_departments("市工业和信息化和信息化局") == ["市工业和信息化局"]
    assert split_departments("自治区各行政政法单位") == ["自治区各行政法单位"]  # fixture 001
    assert split_departments("市市场监管局、北海海关、齐齐哈尔市财政局") == [
        "市市场监管局",
        "北海海关",
        "齐齐哈尔市财政局",
    ]


def test_universities_companies_and_centres_are_kept():
    assert split_departments("北部湾大学、市教育局，广西电网公司、市公共资源交易中心") == [
        "北部湾大学",
        "市教育局",
        "广西电网公司",
        "市公共资源交易中心",
    ]


def test_leader_column_of_a_task_table_is_not_read_as_bodies():
    rows = [
        ["序号", "工作任务", "责任单位", "责任领导", "配合单位", "完成时限"],
        ["1", "推进产教融合", "北部湾大学", "黄悦文", "市教育局、人力资源社会保障局", "持续推进"],
        ["2", "加快项目建设", "市发展改革委", "李知仲", "市财政局", "2024年12月底前"],
    ]
    tasks = extract_tasks([Block(kind=TABLE, text="", rows=rows)])
    assert [(task.lead, task.support) for task in tasks] == [
        (["北部湾大学"], ["市教育局", "市人力资源社会保障局"]),
        (["市发展改革委"], ["市财政局"]),
    ]
