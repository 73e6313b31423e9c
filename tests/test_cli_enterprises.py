"""`qiye enterprise …`, `qiye category …` and `qiye department …` through the real CLI."""

from __future__ import annotations

import json

import pytest

VALID_CODE = "91110000600037341L"  # GB 32100-2015: the 18th character is the check character
OTHER_VALID_CODE = "91350100M000100Y43"
ROW_HEADER = "id,name,credit_code,zone,industry,contact,phone,liaison,issues,open_issues"


def enterprise(qiye, name: str) -> dict:
    """The enterprise's row; the visits and the 包联 history `show` adds (issue 22) are
    tests/test_visits.py's."""
    shown = json.loads(qiye.ok("enterprise", "show", name, "--format", "json").stdout)
    for key in ("visits", "last_visited_on", "assignments"):
        shown.pop(key)
    return shown


# --- enterprises ----------------------------------------------------------------------------


def test_add_and_show_every_field(qiye):
    result = qiye.ok("enterprise", "add", "蓝思科技", "--credit-code", VALID_CODE, "--zone", "北园", "--industry",
                     "显示功能器件", "--contact", "张三", "--phone", "0731-83281234", "--liaison", "李明")
    assert result.stdout == "Added enterprise 蓝思科技.\n"
    assert enterprise(qiye, "蓝思科技") == {
        "id": 1, "name": "蓝思科技", "credit_code": VALID_CODE, "zone": "北园", "industry": "显示功能器件",
        "contact": "张三", "phone": "0731-83281234", "liaison": "李明", "issues": 0, "open_issues": 0,
    }


def test_credit_code_is_normalised(qiye):
    qiye.ok("enterprise", "add", "蓝思科技", "--credit-code", " 9111 0000 6000 3734 1l ")
    assert qiye.sql("select credit_code from enterprise") == [(VALID_CODE,)]


def test_show_by_credit_code(qiye):
    qiye.ok("enterprise", "add", "蓝思科技", "--credit-code", VALID_CODE)
    assert enterprise(qiye, VALID_CODE)["name"] == "蓝思科技"
    assert enterprise(qiye, VALID_CODE.lower())["name"] == "蓝思科技"


@pytest.mark.parametrize(("code", "reason"), [
    ("91110000600037341X", "the check character (the 18th) does not match"),
    ("91110000600037341", "it must have 18 characters"),
    ("911100006000373411L", "it must have 18 characters"),
    ("91110000600037341!", "it has characters a credit code cannot contain"),
    ("9111000060003734OL", "it has characters a credit code cannot contain"),  # O is never used
])
def test_bad_credit_code_is_refused(qiye, code, reason):
    result = qiye("enterprise", "add", "蓝思科技", "--credit-code", code)
    assert result.exit_code == 1
    assert result.stderr == f"error: invalid credit code {code!r}: {reason}\n"
    assert qiye.sql("select count(*) from enterprise") == [(0,)]


def test_bad_credit_code_on_edit_changes_nothing(qiye):
    qiye.ok("enterprise", "add", "蓝思科技", "--credit-code", VALID_CODE, "--zone", "北园")
    result = qiye("enterprise", "edit", "蓝思科技", "--zone", "南园", "--credit-code", "91110000600037341X")
    assert result.exit_code == 1 and result.stderr.startswith("error: invalid credit code")
    assert qiye.sql("select zone, credit_code from enterprise") == [("北园", VALID_CODE)]


def test_duplicates_are_refused(qiye):
    qiye.ok("enterprise", "add", "蓝思科技", "--credit-code", VALID_CODE)
    result = qiye("enterprise", "add", " 蓝思科技 ")
    assert (result.exit_code, result.stderr) == (1, "error: enterprise '蓝思科技' already exists\n")
    result = qiye("enterprise", "add", "九典制药", "--credit-code", VALID_CODE)
    assert (result.exit_code, result.stderr) == (1, f"error: credit code {VALID_CODE!r} already exists\n")
    qiye.ok("enterprise", "add", "九典制药")
    result = qiye("enterprise", "edit", "九典制药", "--name", "蓝思科技")
    assert (result.exit_code, result.stderr) == (1, "error: enterprise '蓝思科技' already exists\n")
    assert qiye.sql("select name from enterprise order by id") == [("蓝思科技",), ("九典制药",)]


def test_edit_changes_renames_and_clears(qiye):
    qiye.ok("enterprise", "add", "蓝思科技", "--zone", "北园", "--phone", "0731-1", "--liaison", "李明")
    result = qiye.ok("enterprise", "edit", "蓝思科技", "--name", "蓝思科技（长沙）", "--phone", "", "--liaison", "王芳",
                     "--credit-code", OTHER_VALID_CODE, "--industry", "电子信息", "--contact", "张三")
    assert result.stdout == "Updated enterprise 蓝思科技（长沙）.\n"
    assert enterprise(qiye, "蓝思科技（长沙）") == {
        "id": 1, "name": "蓝思科技（长沙）", "credit_code": OTHER_VALID_CODE, "zone": "北园", "industry": "电子信息",
        "contact": "张三", "phone": None, "liaison": "王芳", "issues": 0, "open_issues": 0,
    }
    qiye.ok("enterprise", "edit", "蓝思科技（长沙）", "--credit-code", "")
    assert qiye.sql("select credit_code from enterprise") == [(None,)]


def test_edit_without_changes(qiye):
    qiye.ok("enterprise", "add", "蓝思科技")
    assert qiye.ok("enterprise", "edit", "蓝思科技").stdout == "Nothing to change.\n"


def test_renamed_enterprise_keeps_its_issues(filed):
    filed.ok("enterprise", "edit", "蓝思科技", "--name", "蓝思科技股份")
    listed = json.loads(filed.ok("issue", "list", "--format", "json", "--enterprise", "蓝思科技股份").stdout)
    assert [row["id"] for row in listed] == [3, 1]
    assert {row["enterprise"] for row in listed} == {"蓝思科技股份"}


def test_list_machine_formats(filed):
    filed.ok("issue", "resolve", "3", "--note", "已修通")
    assert filed.ok("enterprise", "list", "--format", "csv").stdout == (
        f"{ROW_HEADER}\n"
        "2,九典制药,,南园,生物医药,,,,1,1\n"
        "1,蓝思科技,,北园,显示功能器件及电子材料,,,,2,1\n"
    )
    assert filed.ok("enterprise", "list", "--format", "json", "--zone", "南园").stdout == (
        '[\n  {"id": 2, "name": "九典制药", "credit_code": null, "zone": "南园", "industry": "生物医药", '
        '"contact": null, "phone": null, "liaison": null, "issues": 1, "open_issues": 1}\n]\n'
    )


@pytest.mark.parametrize(("args", "names"), [
    (("--zone", "北园"), ["蓝思科技"]),
    (("--industry", "生物医药"), ["九典制药"]),
    (("--search", "蓝思"), ["蓝思科技"]),
    (("--search", "制"), ["九典制药"]),
    (("--zone", "西园"), []),
])
def test_list_filters(filed, args, names):
    rows = json.loads(filed.ok("enterprise", "list", *args, "--format", "json").stdout)
    assert [row["name"] for row in rows] == names


def test_list_and_show_tables(filed):
    listed = filed.ok("enterprise", "list")
    for text in ("Name", "Zone", "Unresolved", "蓝思科技", "九典制药", "北园"):
        assert text in listed.stdout
    assert listed.stderr == "2 rows\n"
    shown = filed.ok("enterprise", "show", "蓝思科技").stdout
    assert "Credit code" in shown and "显示功能器件及电子材料" in shown
    zh = filed.ok("--lang", "zh", "enterprise", "show", "蓝思科技").stdout
    assert "统一社会信用代码" in zh and "所在园区" in zh


def test_show_unknown_enterprise(qiye):
    result = qiye("enterprise", "show", "不存在")
    assert result.exit_code == 1
    assert result.stderr == ("error: no enterprise named '不存在'; add it with `qiye enterprise add` or see "
                             "`qiye enterprise list`\n")


# --- categories ----------------------------------------------------------------------------

SEEDED = [
    ("land-acquisition", "征拆", "Land acquisition"), ("site-leveling", "平地", "Site leveling"),
    ("land-listing", "土地摘牌", "Land listing"), ("land-use-change", "用地性质变更", "Land-use change"),
    ("fire-acceptance", "消防验收", "Fire-safety acceptance"), ("water-power", "用水用电", "Water and power"),
    ("road", "道路建设", "Road construction"), ("approval", "审批手续", "Approvals"),
    ("financing", "融资", "Financing"), ("talent", "人才用工", "Talent and labour"),
    ("policy", "政策兑现", "Policy delivery"), ("other", "其他", "Other"),
]


def test_the_twelve_categories_are_seeded(qiye):
    rows = json.loads(qiye.ok("category", "list", "--format", "json").stdout)
    assert [(r["code"], r["name_zh"], r["name_en"]) for r in rows] == SEEDED
    assert all(r["issues"] == 0 for r in rows)


def test_category_list_counts(filed):
    filed.ok("issue", "resolve", "1", "--note", "已验收")
    out = filed.ok("category", "list", "--format", "csv").stdout
    assert "fire-acceptance,消防验收,Fire-safety acceptance,1,0\n" in out
    assert "water-power,用水用电,Water and power,1,1\n" in out
    assert out.startswith("code,name_zh,name_en,issues,open_issues\n")


def test_category_add_and_use_it_by_any_name(filed):
    assert filed.ok("category", "add", "environment", "--zh", "环评手续", "--en", "Environmental approval").stdout == (
        "Added category environment.\n")
    for number, name in enumerate(("environment", "环评手续", "Environmental approval", "environmental APPROVAL",
                                   " ENVIRONMENT "), start=4):
        filed.ok("issue", "add", f"环评 {number}", "-e", "九典制药", "-c", name)
    assert filed.sql("select distinct c.code from issue i join category c on c.id = i.category_id "
                     "where i.id >= 4") == [("environment",)]
    listed = json.loads(filed.ok("issue", "list", "--category", "环评手续", "--format", "json").stdout)
    assert [row["id"] for row in listed] == [4, 5, 6, 7, 8]


@pytest.mark.parametrize("name", ["fire-acceptance", "消防验收", "Fire-safety acceptance", "FIRE-SAFETY ACCEPTANCE"])
def test_seeded_category_by_code_chinese_or_english(qiye, name):
    qiye.ok("enterprise", "add", "蓝思科技")
    qiye.ok("issue", "add", "消防验收", "-e", "蓝思科技", "-c", name)
    assert qiye.sql("select c.code from issue i join category c on c.id = i.category_id") == [("fire-acceptance",)]


@pytest.mark.parametrize(("args", "message"), [
    (("road", "--zh", "道路", "--en", "Roads"), "category 'road' already exists"),
    (("roads", "--zh", "道路建设", "--en", "Roads"), "category 'road' already exists"),
    (("roads", "--zh", "道路", "--en", "ROAD CONSTRUCTION"), "category 'road' already exists"),
    (("Safety_Check", "--zh", "安全", "--en", "Safety"),
     "'Safety_Check' is not a valid code; use lower-case letters, digits and hyphens, e.g. safety-check"),
    (("safety", "--zh", " ", "--en", "Safety"), "name_zh must not be empty"),
])
def test_category_add_refuses(qiye, args, message):
    result = qiye("category", "add", *args)
    assert (result.exit_code, result.stderr) == (1, f"error: {message}\n")
    assert qiye.sql("select count(*) from category") == [(12,)]


def test_category_table_in_both_languages(qiye):
    assert "Chinese name" in qiye.ok("category", "list").stdout
    zh = qiye.ok("--lang", "zh", "category", "list").stdout
    assert "中文名称" in zh and "消防验收" in zh


# --- departments ---------------------------------------------------------------------------


def test_department_add_and_list(filed):
    assert filed.ok("department", "add", " 自然资源局 ").stdout == "Added department 自然资源局.\n"
    filed.ok("issue", "resolve", "1", "--note", "已验收")
    assert json.loads(filed.ok("department", "list", "--format", "json").stdout) == [
        {"name": "国网浏阳供电公司", "issues": 1, "open_issues": 1},
        {"name": "消防救援大队", "issues": 1, "open_issues": 0},
        {"name": "自然资源局", "issues": 0, "open_issues": 0},
    ]
    assert "责任单位" not in filed.ok("department", "list").stdout  # table headers are the fields'
    assert "问题数" in filed.ok("--lang", "zh", "department", "list").stdout


def test_department_duplicates_and_blanks(qiye):
    qiye.ok("department", "add", "消防救援大队")
    result = qiye("department", "add", "消防救援大队")
    assert (result.exit_code, result.stderr) == (1, "error: department '消防救援大队' already exists\n")
    result = qiye("department", "add", "  ")
    assert (result.exit_code, result.stderr) == (1, "error: name must not be empty\n")
    assert qiye.sql("select name from department") == [("消防救援大队",)]


def test_unknown_department_names_the_fix(filed):
    result = filed("issue", "add", "x", "-e", "蓝思科技", "-c", "road", "--dept", "规划局")
    assert result.exit_code == 1
    assert result.stderr == ("error: no department named '规划局'; add it with `qiye department add` or see "
                             "`qiye department list`\n")
