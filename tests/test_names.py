"""DESIGN §3 "Names" on the sample ledger's 40 enterprises and 13 departments: the exact name,
else a unique name containing what was typed, else a unique pinyin match (full or initials),
else an error listing the nearest candidates. Nothing is created or written on an error.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import Qiye


def ids(qiye: Qiye, *args: str) -> list[int]:
    listed = qiye.ok("issue", "list", "--status", "all", *args, "--format", "json")
    return [row["id"] for row in json.loads(listed.stdout)]


def state(qiye: Qiye) -> tuple:
    """What an error must leave as it was."""
    return (qiye.sql("select count(*) from enterprise"), qiye.sql("select count(*) from department"),
            qiye.sql("select count(*) from category"), qiye.sql("select max(id), count(*) from issue"),
            qiye.sql("select count(*) from event"))


def fails(qiye: Qiye, *args: str, lang: str = "en") -> str:
    """Run a command that must fail with one `error:` line and write nothing; its message."""
    before = state(qiye)
    result = qiye("--lang", lang, *args)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert state(qiye) == before
    return result.stderr.removeprefix("error: ").rstrip("\n")


def test_the_sample_has_the_names_these_tests_count_on(sample):
    assert sample.sql("select count(*) from enterprise") == [(40,)]
    assert sample.sql("select count(*) from department") == [(13,)]


@pytest.mark.parametrize("typed", ["蓝思", "思科", "lansi", "LanSi", "lan si", "lansikeji", "lskj", "LSKJ"])
def test_an_enterprise_is_found_by_substring_and_pinyin(sample, typed):
    wanted = ids(sample, "-e", "蓝思科技")
    assert wanted  # the sample files issues for 蓝思科技
    assert ids(sample, "-e", typed) == wanted


def test_pinyin_from_a_syllable_inside_the_name(sample):
    assert ids(sample, "-e", "shuhai") == ids(sample, "-e", "蜀海供应链")
    assert ids(sample, "-e", "gongyinglian") == ids(sample, "-e", "蜀海供应链")
    # A syllable's middle is no match: `ansi` is inside lansikeji but starts no syllable.
    assert "did you mean" in fails(sample, "issue", "list", "-e", "ansikeji")


def test_exact_initials_win_over_longer_names_that_contain_them(sample):
    # 英氏 is `ys` as a whole; 湘味源食品 only has y-s inside (xwysp).
    assert ids(sample, "-e", "ys") == ids(sample, "-e", "英氏")


def test_an_ambiguous_substring_lists_both(sample):
    assert fails(sample, "issue", "list", "-e", "光电") == (
        "'光电' matches 2 enterprises: 浏芯光电, 长沙惠科光电; type more of the name")
    assert fails(sample, "issue", "list", "-e", "光电", lang="zh") == (
        "'光电' 对应 2 家企业：浏芯光电、长沙惠科光电；请输入更完整的名称")  # Chinese lists with 、


def test_more_candidates_than_shown_are_counted(sample):
    message = fails(sample, "issue", "list", "-e", "制药")
    assert message.startswith("'制药' matches 4 enterprises: ")
    assert sorted(message.split(": ")[1].split("; ")[0].split(", ")) == sorted(["九典制药", "威尔曼制药", "天劲制药", "尔康制药"])
    # zhi starts a syllable in seven names (制药 ×4, 智能 ×2, 欧智通): five are shown, then "…".
    message = fails(sample, "issue", "list", "-e", "zhi")
    assert message.startswith("'zhi' matches 7 enterprises: ") and message.endswith(", …; type more of the name")
    assert len(message.split(": ")[1].split("; ")[0].split(", ")) == 6
    message = fails(sample, "issue", "list", "-e", "zhi", lang="zh")
    assert message.startswith("'zhi' 对应 7 家企业：") and message.endswith("、…；请输入更完整的名称")
    assert len(message.split("：")[1].split("；")[0].split("、")) == 6 and ", " not in message


def test_a_pinyin_collision_lists_every_name(sample):
    # 华实半导体 hsbdt, 和盛生物科技 hsswkj, 海四达 hsd all start with the initials hs.
    message = fails(sample, "issue", "list", "-e", "hs")
    assert message.startswith("'hs' matches 3 enterprises: ")
    assert set(message.split(": ")[1].split("; ")[0].split(", ")) == {"华实半导体", "和盛生物科技", "海四达"}
    # Two names with the very same initials and pinyin prefix.
    sample.ok("enterprise", "add", "蓝盛科技")
    assert fails(sample, "issue", "list", "-e", "lskj") == (
        "'lskj' matches 2 enterprises: 蓝思科技, 蓝盛科技; type more of the name")
    assert fails(sample, "issue", "add", "新问题", "-e", "lskj", "-c", "road").startswith("'lskj' matches 2")
    assert ids(sample, "-e", "lansheng") == []  # 蓝盛科技, unique by its full pinyin, has no issues yet


def test_a_typo_suggests_the_nearest_name(sample):
    assert fails(sample, "issue", "list", "-e", "兰思科技") == (
        "no enterprise named '兰思科技'; did you mean 蓝思科技? (`qiye enterprise list` lists them all)")
    assert fails(sample, "issue", "list", "-e", "兰思科技", lang="zh") == (
        "没有名为 '兰思科技' 的企业；您是不是要找：蓝思科技？（`qiye enterprise list` 可列出全部）")
    assert fails(sample, "issue", "list", "-e", "lanskeji").startswith("no enterprise named 'lanskeji'; did you mean 蓝思科技")
    # Nothing near: the plain message.
    assert fails(sample, "issue", "list", "-e", "不存在的企业") == (
        "no enterprise named '不存在的企业'; add it with `qiye enterprise add` or see `qiye enterprise list`")


def test_a_near_match_never_creates_or_files_anything(sample):
    fails(sample, "issue", "add", "新问题", "-e", "兰思科技", "-c", "road")
    fails(sample, "issue", "add", "新问题", "-e", "光电", "-c", "road")
    fails(sample, "issue", "add", "新问题", "-e", "蓝思科技", "-c", "land")
    fails(sample, "issue", "add", "新问题", "-e", "蓝思科技", "-c", "road", "--dept", "公司")
    fails(sample, "issue", "edit", "1", "-e", "兰思科技")
    fails(sample, "issue", "assign", "1", "--dept", "供电局司")
    # A unique match files on the existing enterprise; no enterprise is added.
    new_id = int(sample.ok("issue", "add", "新问题", "-e", "lansi", "-c", "消防").stdout)
    assert sample.sql("select count(*) from enterprise") == [(40,)]
    assert sample.sql("select e.name, c.code from issue i join enterprise e on e.id = i.enterprise_id "
                      "join category c on c.id = i.category_id where i.id = :id", id=new_id) == [("蓝思科技", "fire-acceptance")]


def test_issue_edit_and_assign_resolve_names(sample):
    sample.ok("issue", "edit", "1", "-e", "jiudian", "-c", "xfys", "--dept", "供电公司")
    sample.ok("issue", "assign", "2", "--dept", "xfjydd")
    rows = sample.sql("select i.id, e.name, c.code, d.name from issue i join enterprise e on e.id = i.enterprise_id "
                      "join category c on c.id = i.category_id join department d on d.id = i.department_id "
                      "where i.id in (1, 2) order by i.id")
    assert rows[0][1:] == ("九典制药", "fire-acceptance", "国网浏阳供电公司")
    assert rows[1][3] == "消防救援大队"


def test_departments_by_part_of_the_name_and_pinyin(sample):
    wanted = ids(sample, "--dept", "国网浏阳供电公司")
    assert wanted
    assert ids(sample, "--dept", "供电公司") == wanted
    assert ids(sample, "--dept", "gdgs") == wanted
    assert fails(sample, "issue", "list", "--dept", "公司") == (
        "'公司' matches 3 departments: 水务公司, 园区建设公司, 国网浏阳供电公司; type more of the name")
    assert fails(sample, "issue", "list", "--dept", "规划局") == (
        "no department named '规划局'; did you mean 规划建设局? (`qiye department list` lists them all)")
    assert fails(sample, "export", "issues", "--dept", "规划局", lang="zh").startswith(
        "没有名为 '规划局' 的责任单位；您是不是要找：规划建设局？")
    assert fails(sample, "report", "summary", "--dept", "公司").startswith("'公司' matches 3 departments")


def test_categories_by_part_of_a_name_and_pinyin(sample):
    wanted = ids(sample, "-c", "fire-acceptance")
    assert wanted
    for typed in ("消防验收", "消防", "xfys", "xiaofang", "Fire", "fire-acc"):
        assert ids(sample, "-c", typed) == wanted, typed
    message = fails(sample, "issue", "list", "-c", "land")
    assert message.startswith("'land' matches 3 categories: ")
    assert fails(sample, "issue", "list", "-c", "消防严收").startswith(
        "unknown category '消防严收'; did you mean fire-acceptance (消防验收)? Valid categories: land-acquisition (征拆)")


def test_owners_in_filters(sample):
    wanted = ids(sample, "--owner", "谭晓峰")
    assert wanted
    for typed in ("谭晓", "txf", "tanxiaofeng", "TanXiaofeng"):
        assert ids(sample, "--owner", typed) == wanted, typed
    assert fails(sample, "issue", "list", "--owner", "peng") == "'peng' matches 2 owners: 彭丽, 彭勇; type more of the name"
    assert fails(sample, "issue", "list", "--owner", "谭晓风") == "no issue has the owner '谭晓风'; did you mean 谭晓峰?"
    assert fails(sample, "issue", "list", "--owner", "Nobody Atall") == "no issue has the owner 'Nobody Atall'"


def test_an_owner_being_set_is_a_known_person_by_pinyin_or_a_new_one_as_typed(sample):
    def owner(issue_id: str) -> str:
        return sample.sql("select owner from issue where id = :id", id=int(issue_id))[0][0]

    sample.ok("issue", "assign", "1", "--owner", "tanxiaofeng")
    assert owner("1") == "谭晓峰"
    sample.ok("issue", "edit", "1", "--owner", "zm")  # 张敏's initials, and no one else's
    assert owner("1") == "张敏"
    # Owners are free text: a name nobody has is a new person, kept as typed, never a near one.
    new_id = sample.ok("issue", "add", "新问题", "-e", "蓝思科技", "-c", "road", "--owner", "谭晓").stdout.strip()
    assert owner(new_id) == "谭晓"
    sample.ok("issue", "assign", new_id, "--owner", "Zhang Wei")
    assert owner(new_id) == "Zhang Wei"
    # Two people with the same initials: the error names both, and nothing changes.
    sample.ok("issue", "assign", new_id, "--owner", "周敏")
    assert fails(sample, "issue", "assign", "1", "--owner", "zm") == (
        "'zm' matches 2 owners: 周敏, 张敏; type more of the name")
    assert owner("1") == "张敏"


def test_config_keys_name_a_category_as_the_ledger_does(sample):
    sample.ok("config", "set", "deadline.category.消防验收", "7wd")
    sample.ok("config", "set", "deadline.category.road", "3wd")
    assert sample.ok("config", "list").stdout == (
        "deadline.category.fire-acceptance = 7wd\ndeadline.category.road = 3wd\n")
    assert sample.ok("config", "get", "deadline.category.xfys").stdout == "7wd\n"
    # The setting is used: filed without --due, the deadline is seven working days on.
    by_setting = sample.ok("issue", "add", "新问题", "-e", "蓝思科技", "-c", "消防验收").stdout.strip()
    by_hand = sample.ok("issue", "add", "新问题", "-e", "蓝思科技", "-c", "消防验收", "--due", "+7wd").stdout.strip()
    due = dict(sample.sql("select id, due_on from issue where id in (:a, :b)", a=int(by_setting), b=int(by_hand)))
    assert due[int(by_setting)] == due[int(by_hand)]

    config_file = Path(sample.env["QIYE_CONFIG_DIR"]) / "config.toml"
    before = config_file.read_bytes()
    for key in ("deadline.category.nosuch", "deadline.category.land", "deadline.category.消防严收"):
        result = sample("config", "set", key, "5wd")
        assert result.exit_code == 1 and result.stderr.startswith("error: "), result.output
        assert config_file.read_bytes() == before
    result = sample("config", "set", "deadline.category.nosuch", "5wd")
    assert result.stderr.startswith("error: unknown category 'nosuch'; valid categories: land-acquisition (征拆)")
    result = sample("--lang", "zh", "config", "set", "deadline.category.消防严收", "5wd")
    assert result.stderr.startswith("error: 未知问题类别 '消防严收'；您是不是要找：fire-acceptance (消防验收)？")


def test_a_liaison_cadre_is_a_known_person_by_pinyin_or_a_new_one_as_typed(sample):
    def liaison(name: str) -> str:
        return sample.sql("select liaison from enterprise where name = :name", name=name)[0][0]

    sample.ok("enterprise", "add", "新企业", "--liaison", "lj")  # 李娟's initials
    assert liaison("新企业") == "李娟"
    sample.ok("enterprise", "edit", "新企业", "--liaison", "LiuYang")
    assert liaison("新企业") == "刘洋"
    sample.ok("enterprise", "edit", "新企业", "--liaison", "李")  # a part of a name is a new person
    assert liaison("新企业") == "李"
    sample.ok("enterprise", "add", "另一家企业", "--liaison", "王亮")  # wl, as 王磊
    before = state(sample)
    assert fails(sample, "enterprise", "add", "第三家企业", "--liaison", "wl") == (
        "'wl' matches 2 liaison cadres: 王磊, 王亮; type more of the name")  # nearer first
    assert fails(sample, "enterprise", "edit", "新企业", "--liaison", "wl", lang="zh") == (
        "'wl' 对应 2 位联企干部：王磊、王亮；请输入更完整的姓名")
    assert state(sample) == before and liaison("新企业") == "李"


def test_chinese_lists_of_names_and_options_use_the_enumeration_comma(sample):
    """Under zh a list inside a sentence is joined with 、 (candidates, options, missing fields);
    under en with `, `."""
    zh = sample("--lang", "zh", "issue", "list", "--formt", "csv")
    assert zh.exit_code == 2 and "是否想用 --format、--sort？" in zh.stderr, zh.stderr
    en = sample("--lang", "en", "issue", "list", "--formt", "csv")
    assert en.exit_code == 2 and "Did you mean --format, --sort?" in en.stderr, en.stderr
    zh = sample("--lang", "zh", "report", "summary", "--week", "2023-W50", "--date", "2023-12-12")
    assert zh.exit_code == 1 and "--week、--date" in zh.stderr, zh.stderr
    assert fails(sample, "issue", "list", "--dept", "局", lang="zh").count("、") >= 4
