"""`issue add` warns, naming the issue, when the same enterprise already has an unresolved issue
with a near-identical title; the new issue is filed all the same (issue 17, point 5)."""

from __future__ import annotations


def count(qiye) -> int:
    return qiye.sql("select count(*) from issue")[0][0]


def test_a_near_identical_title_warns_and_files_anyway(filed):
    # conftest's `filed`: #1 二期厂房消防验收未通过 (蓝思科技, open)
    result = filed("issue", "add", "二期厂房消防验收未通过。", "-e", "蓝思科技", "-c", "road")
    assert result.exit_code == 0
    assert result.stdout == "4\n"  # the id, as scripts read it
    assert result.stderr == ("warning: this enterprise already has an unresolved issue with a near-identical title: "
                             "#1 二期厂房消防验收未通过; filed #4 anyway\n")
    assert filed.sql("select title from issue where id = 4") == [("二期厂房消防验收未通过。",)]


def test_the_warning_in_chinese_names_every_near_title(filed):
    filed.ok("issue", "add", "二期厂房消防验收 未通过", "-e", "蓝思科技", "-c", "road")  # #4
    result = filed("--lang", "zh", "issue", "add", "二期厂房消防验收没通过", "-e", "lansi", "-c", "消防")
    assert result.exit_code == 0 and result.stdout == "5\n"
    assert result.stderr.endswith("该企业已有标题几乎相同的未办结问题：#1 二期厂房消防验收未通过、"
                                  "#4 二期厂房消防验收 未通过；仍已登记为 #5\n")
    assert count(filed) == 5


def test_json_output_is_unchanged_by_the_warning(filed):
    import json

    result = filed("issue", "add", "新建产线用电增容", "-e", "九典制药", "-c", "water-power", "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["id"] == 4
    assert "#2 新建产线用电增容" in result.stderr


def test_no_warning_for_another_enterprise_a_resolved_issue_or_another_title(filed):
    # Same title, another enterprise.
    assert filed.ok("issue", "add", "二期厂房消防验收未通过", "-e", "九典制药", "-c", "road").stderr == ""
    # Titles that differ only in a number name different things.
    filed.ok("issue", "add", "3号楼消防验收", "-e", "蓝思科技", "-c", "road")
    assert filed.ok("issue", "add", "5号楼消防验收", "-e", "蓝思科技", "-c", "road").stderr == ""
    # A title that only shares words.
    assert filed.ok("issue", "add", "二期厂房用电增容", "-e", "蓝思科技", "-c", "road").stderr == ""
    # Once #1 is resolved, filing it again is a new problem, not a duplicate.
    filed.ok("issue", "resolve", "1", "--note", "已通过复验")
    assert filed.ok("issue", "add", "二期厂房消防验收未通过", "-e", "蓝思科技", "-c", "road").stderr == ""
    assert count(filed) == 8
