"""`qiye issue …` through the real CLI on every backend: filing, the workflow, every filter
of DESIGN §3, sorting, and the output formats of DESIGN §4 pinned as exact text.
"""

from __future__ import annotations

import json

import pytest

from conftest import BACKENDS
from ledgers import add_ledger_issues, file_three, module_database
from qiye_service.cli import issues as cli_issues


def ids(qiye, *args: str, env: dict[str, str] | None = None) -> list[int]:
    """The ids `issue list` prints for these arguments, in order."""
    listed = qiye.ok("issue", "list", *args, "--format", "json", env=env)
    return [row["id"] for row in json.loads(listed.stdout)]


def issue(qiye, issue_id: int) -> dict:
    return json.loads(qiye.ok("issue", "show", str(issue_id), "--format", "json").stdout)


@pytest.fixture
def ledger(filed):
    """The five issues of ledgers.add_ledger_issues, for tests that change them."""
    add_ledger_issues(filed)
    return filed


@pytest.fixture(scope="module", params=BACKENDS)
def shared_ledger(request, tmp_path_factory, sqlite_template):
    """The same five issues built once per module and backend, for tests that only read them."""
    def build(qiye):
        file_three(qiye)
        add_ledger_issues(qiye)

    yield from module_database(request.param, tmp_path_factory.mktemp("ledger"), sqlite_template, build)


# --- filing -------------------------------------------------------------------------------


def test_add_prints_the_new_id(qiye):
    qiye.ok("enterprise", "add", "蓝思科技")
    assert qiye.ok("issue", "add", "消防验收未通过", "-e", "蓝思科技", "-c", "消防验收").stdout == "1\n"
    assert qiye.ok("issue", "add", "用电增容", "-e", "蓝思科技", "-c", "water-power").stdout == "2\n"
    assert qiye.sql("select id, title from issue order by id") == [(1, "消防验收未通过"), (2, "用电增容")]


def test_add_stores_every_field(filed):
    filed.ok("issue", "add", "  标准厂房产权分割  ", "-e", "九典制药", "-c", "approval", "--kind", "共性",
             "--dept", "消防救援大队", "--owner", "赵敏", "--due", "2024-02-01", "--reported", "2023/12/18",
             "--priority", "urgent", "--source", "座谈", "--tag", "产权", "--tag", "首批", "--project", "二期标准厂房",
             "--desc", "企业反映产权分割办理周期长")
    row = issue(filed, 4)
    assert {k: row[k] for k in ("title", "enterprise", "category", "kind", "source", "priority", "status",
                                 "department", "owner", "reported_on", "due_on", "tags", "project",
                                 "description", "created_by")} == {
        "title": "标准厂房产权分割", "enterprise": "九典制药", "category": "approval", "kind": "common",
        "source": "meeting", "priority": "urgent", "status": "open", "department": "消防救援大队",
        "owner": "赵敏", "reported_on": "2023-12-18", "due_on": "2024-02-01", "tags": ["产权", "首批"],
        "project": "二期标准厂房", "description": "企业反映产权分割办理周期长", "created_by": "tester",
    }


def test_add_defaults_reported_to_today_in_the_park(qiye):
    qiye.ok("enterprise", "add", "蓝思科技")
    # 2023-12-19T17:00Z is already the 20th in Asia/Shanghai.
    qiye.ok("issue", "add", "t", "-e", "蓝思科技", "-c", "road", env={"QIYE_NOW": "2023-12-19T17:00:00Z"})
    assert issue(qiye, 1)["reported_on"] == "2023-12-20"
    assert issue(qiye, 1)["created_at"] == "2023-12-19T17:00:00Z"


def test_add_format_json_prints_the_record(filed):
    result = filed.ok("issue", "add", "园区道路照明不足", "-e", "九典制药", "-c", "道路建设", "--due", "2024-01-31",
                      "--tag", "夜间", "--format", "json")
    assert result.stdout == (
        '{"id": 4, "title": "园区道路照明不足", "description": null, "enterprise": "九典制药", "project": null, '
        '"category": "road", "kind": "individual", "source": "visit", "priority": "normal", "status": "open", '
        '"department": null, "owner": null, "reported_on": "2023-12-20", "due_on": "2024-01-31", '
        '"resolved_on": null, "resolution": null, "tags": ["夜间"], "created_by": "tester", '
        '"created_at": "2023-12-20T02:00:00Z", "updated_at": "2023-12-20T02:00:00Z"}\n'
    )


def test_add_prompts_for_missing_fields_in_a_terminal(filed, monkeypatch):
    monkeypatch.setattr(cli_issues, "stdin_is_terminal", lambda: True)
    result = filed.ok("issue", "add", "污水管网未接通", input="九典制药\n用水用电\n")
    assert "Enterprise:" in result.stdout and "Category:" in result.stdout
    row = issue(filed, 4)
    assert (row["enterprise"], row["category"]) == ("九典制药", "water-power")


def test_add_prompts_only_for_what_is_missing(filed, monkeypatch):
    monkeypatch.setattr(cli_issues, "stdin_is_terminal", lambda: True)
    result = filed.ok("issue", "add", "污水管网未接通", "-e", "九典制药", input="road\n")
    assert "Enterprise:" not in result.stdout and "Category:" in result.stdout
    assert issue(filed, 4)["category"] == "road"


def test_add_prompt_in_chinese(filed, monkeypatch):
    monkeypatch.setattr(cli_issues, "stdin_is_terminal", lambda: True)
    result = filed.ok("--lang", "zh", "issue", "add", "污水管网未接通", input="九典制药\nroad\n")
    assert "企业名称：" in result.stdout and "问题类别：" in result.stdout  # full-width colons
    assert ":" not in result.stdout


@pytest.mark.parametrize(("flags", "missing"), [
    ((), "--enterprise, --category"),
    (("-e", "九典制药"), "--category"),
    (("-c", "road"), "--enterprise"),
])
def test_add_without_a_terminal_lists_what_is_missing(filed, flags, missing):
    zh = filed("--lang", "zh", "issue", "add", "污水管网未接通", *flags)
    assert zh.exit_code == 1
    assert zh.stderr.startswith(f"error: 缺少必填项：{missing.replace(', ', '、')}；"), zh.stderr
    result = filed("issue", "add", "污水管网未接通", *flags)
    assert result.exit_code == 1
    assert result.stderr == (f"error: missing required option(s): {missing}; pass them as flags "
                             "(no terminal to ask on)\n")
    assert filed.sql("select count(*) from issue") == [(3,)]


# --- the workflow ---------------------------------------------------------------------------


def test_start_resolve_reopen_defer(filed):
    assert filed.ok("issue", "start", "1").stdout == "Issue #1 is now in progress.\n"
    assert issue(filed, 1)["status"] == "in_progress"
    filed.ok("issue", "resolve", "#1", "--note", "已完成消防验收", "--on", "yesterday")
    row = issue(filed, 1)
    assert (row["status"], row["resolved_on"], row["resolution"]) == ("resolved", "2023-12-19", "已完成消防验收")
    filed.ok("issue", "reopen", "1", "--note", "企业反映问题仍存在")
    row = issue(filed, 1)
    assert (row["status"], row["resolved_on"]) == ("in_progress", None)
    filed.ok("issue", "defer", "1", "--note", "待上级政策明确")
    assert issue(filed, 1)["status"] == "deferred"
    filed.ok("issue", "reopen", "1")
    assert issue(filed, 1)["status"] == "in_progress"
    statuses = [(e["old"], e["new"], e["note"]) for e in issue(filed, 1)["events"] if e["action"] == "status"]
    assert statuses == [
        ("open", "in_progress", None), ("in_progress", "resolved", "已完成消防验收"),
        ("resolved", "in_progress", "企业反映问题仍存在"), ("in_progress", "deferred", "待上级政策明确"),
        ("deferred", "in_progress", None),
    ]


def test_resolve_an_open_issue_defaults_to_today(filed):
    filed.ok("issue", "resolve", "2", "--note", "已增容")
    row = issue(filed, 2)
    assert (row["status"], row["resolved_on"]) == ("resolved", "2023-12-20")


def test_edit_changes_fields_and_records_each(filed):
    result = filed.ok("issue", "edit", "1", "--title", "二期厂房消防验收复验", "--priority", "high", "--due",
                      "2023-12-29", "--enterprise", "九典制药", "--category", "approval", "--dept",
                      "国网浏阳供电公司", "--owner", "赵敏", "--kind", "common", "--source", "phone", "--project",
                      "二期", "--desc", "复验", "--reported", "2023-12-02", "--tag", "复验")
    assert result.stdout == "Updated issue #1.\n"
    row = issue(filed, 1)
    assert {k: row[k] for k in ("title", "priority", "due_on", "enterprise", "category", "department", "owner",
                                 "kind", "source", "project", "description", "reported_on", "tags")} == {
        "title": "二期厂房消防验收复验", "priority": "high", "due_on": "2023-12-29", "enterprise": "九典制药",
        "category": "approval", "department": "国网浏阳供电公司", "owner": "赵敏", "kind": "common",
        "source": "phone", "project": "二期", "description": "复验", "reported_on": "2023-12-02", "tags": ["复验"],
    }
    edits = {e["field"]: (e["old"], e["new"]) for e in row["events"] if e["action"] in ("edited", "tagged")}
    assert edits == {
        "title": ("二期厂房消防验收未通过", "二期厂房消防验收复验"), "description": ("消防车道宽度不足", "复验"),
        "enterprise": ("蓝思科技", "九典制药"), "project": (None, "二期"), "category": ("fire-acceptance", "approval"),
        "kind": ("individual", "common"), "source": ("visit", "phone"), "priority": ("normal", "high"),
        "department": ("消防救援大队", "国网浏阳供电公司"), "owner": ("王强", "赵敏"),
        "reported_on": ("2023-12-01", "2023-12-02"), "due_on": ("2023-12-15", "2023-12-29"), "tags": ("", "复验"),
    }


def test_edit_with_the_same_values_changes_nothing(filed):
    before = filed.sql("select count(*) from event")
    assert filed.ok("issue", "edit", "1", "--priority", "normal", "--owner", "王强").stdout == "Nothing to change.\n"
    assert filed.sql("select count(*) from event") == before


def test_comment(filed):
    assert filed.ok("issue", "comment", "2", "已与供电公司现场对接").stdout == "Comment added to #2.\n"
    last = issue(filed, 2)["events"][-1]
    assert (last["action"], last["note"], last["actor"]) == ("comment", "已与供电公司现场对接", "tester")


def test_assign(filed):
    filed.ok("issue", "assign", "3", "--dept", "消防救援大队", "--owner", "王强", "--note", "周调度会派单")
    row = issue(filed, 3)
    assert (row["department"], row["owner"]) == ("消防救援大队", "王强")
    assigned = [(e["field"], e["old"], e["new"], e["note"]) for e in row["events"] if e["action"] == "assigned"]
    assert assigned == [("department", None, "消防救援大队", "周调度会派单"), ("owner", None, "王强", "周调度会派单")]
    assert filed.ok("issue", "assign", "3", "--owner", "王强").stdout == "Nothing to change.\n"


def test_tag_adds_and_removes(filed):
    assert filed.ok("issue", "tag", "2", "+督办", "+a-b", "-重点项目").stdout == (
        "Issue #2: added 督办, a-b; removed 重点项目; tags now: a-b, 督办.\n")
    assert issue(filed, 2)["tags"] == ["a-b", "督办"]
    last = issue(filed, 2)["events"][-1]
    assert (last["action"], last["old"], last["new"]) == ("tagged", "重点项目", "a-b;督办")
    assert filed.ok("issue", "tag", "2", "-a-b").stdout == "Issue #2: removed a-b; tags now: 督办.\n"


# --- filters --------------------------------------------------------------------------------


def test_list_defaults_to_everything_not_resolved(shared_ledger):
    assert ids(shared_ledger) == [3, 1, 2, 5]
    assert ids(shared_ledger, "--status", "all") == [4, 3, 1, 2, 5]


@pytest.mark.parametrize(("args", "expected"), [
    (("--status", "resolved"), [4]),
    (("--status", "已办结"), [4]),
    (("--status", "deferred", "--status", "open"), [3, 1, 2, 5]),
    (("--status", "in_progress"), []),
    (("--category", "road"), [4, 3]),
    (("--category", "道路建设"), [4, 3]),
    (("--category", "Road construction", "--category", "fire-acceptance"), [4, 3, 1]),
    (("--enterprise", "九典制药"), [2, 5]),
    (("--zone", "北园"), [4, 3, 1]),
    (("--zone", "南园"), [2, 5]),
    (("--industry", "智能装备"), [4]),
    (("--industry", "生物医药", "--zone", "南园"), [2, 5]),
    (("--dept", "消防救援大队"), [1]),
    (("--owner", "王强"), [4, 1]),
    (("--owner", "李娜", "--owner", "王强"), [4, 1, 2]),
    (("--tag", "重点项目"), [4, 2]),
    (("--tag", "重点项目", "--tag", "防汛"), [4]),
    (("--kind", "common"), [3, 5]),
    (("--kind", "共性"), [3, 5]),
    (("--priority", "urgent"), [4]),
    (("--priority", "high", "--priority", "urgent"), [4, 2]),
    (("--since", "2023-12-01"), [1, 2, 5]),
    (("--until", "2023-11-30"), [4, 3]),
    (("--since", "12月1日", "--until", "2023/12/5"), [1, 2]),
    (("--since", "2023-12-05", "--until", "2023-12-05"), [2]),
    (("--resolved-since", "2023-11-01", "--resolved-until", "2023-11-30"), [4]),
    (("--resolved-since", "2023-11-03"), []),
    (("--resolved-until", "2023-11-02"), [4]),
    (("--overdue",), [3, 1]),
    (("--category", "road", "--zone", "北园", "--search", "road"), [3]),
])
def test_each_filter(shared_ledger, args, expected):
    # Against every status, so each filter is seen on its own.
    base = () if "--status" in args else ("--status", "all")
    assert ids(shared_ledger, *base, *args) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("消防", [1]),  # title
    ("车道", [1]),  # description only
    ("排水管网", [4]),  # resolution only
    ("九典", [2, 5]),  # enterprise name only
    ("robot", [4]),  # enterprise name, any case
    ("ROAD ACCESS", [3]),  # title, any case
    ("增容", [2]),
    ("%", []),  # LIKE wildcards are literal text
    ("_", []),
    ("不存在的问题", []),
])
def test_search_matches_substrings(shared_ledger, text, expected):
    assert ids(shared_ledger, "--status", "all", "--search", text) == expected


def test_overdue_uses_today_in_the_park(ledger):
    # Not resolved and due before today (2023-12-20): #3 (12-11) and #1 (12-15); #4 is resolved.
    assert ids(ledger, "--overdue") == [3, 1]
    assert ids(ledger, "--overdue", "--status", "all") == [3, 1]
    ledger.ok("issue", "edit", "2", "--due", "2023-12-19")
    assert ids(ledger, "--overdue") == [3, 1, 2]
    ledger.ok("issue", "edit", "2", "--due", "2023-12-20")
    assert ids(ledger, "--overdue") == [3, 1]  # due today is not overdue yet
    # 2023-12-20T17:00Z is the 21st in Asia/Shanghai (still the 20th in UTC).
    assert ids(ledger, "--overdue", env={"QIYE_NOW": "2023-12-20T17:00:00Z"}) == [3, 1, 2]
    assert ids(ledger, "--overdue", env={"QIYE_NOW": "2023-12-20T15:59:00Z"}) == [3, 1]


def test_filters_take_every_date_form(shared_ledger):
    assert ids(shared_ledger, "--status", "all", "--since", "som") == [1, 2, 5]
    assert ids(shared_ledger, "--status", "all", "--since", "-2w") == [5]  # since 2023-12-06
    assert ids(shared_ledger, "--status", "all", "--since", "2023年12月5日", "--until", "20231205") == [2]


# --- sorting and limits ---------------------------------------------------------------------


@pytest.mark.parametrize(("sort", "expected"), [
    ("due_on", [4, 3, 1, 2, 5]),
    ("-due_on", [5, 2, 1, 3, 4]),
    ("priority", [4, 2, 1, 3, 5]),
    ("-priority", [5, 3, 1, 2, 4]),
    ("id", [1, 2, 3, 4, 5]),
    ("-id", [5, 4, 3, 2, 1]),
    ("reported_on", [4, 3, 1, 2, 5]),
    ("-reported_on", [5, 2, 1, 3, 4]),
    ("status,id", [5, 1, 2, 3, 4]),
    ("kind,-id", [5, 3, 4, 2, 1]),
    ("title", [3, 1, 4, 2, 5]),  # code point order, the same on both backends here
])
def test_sort(shared_ledger, sort, expected):
    assert ids(shared_ledger, "--status", "all", "--sort", sort) == expected


def test_sort_puts_missing_values_last(ledger):
    ledger.ok("issue", "edit", "2", "--due", "none")
    assert ids(ledger, "--status", "all", "--sort", "due_on") == [4, 3, 1, 5, 2]
    assert ids(ledger, "--status", "all", "--sort", "-due_on") == [5, 1, 3, 4, 2]


def test_limit(shared_ledger):
    assert ids(shared_ledger, "--status", "all", "--sort", "-reported_on", "--limit", "3") == [5, 2, 1]
    assert ids(shared_ledger, "--limit", "1") == [3]
    assert ids(shared_ledger, "-n", "10") == [3, 1, 2, 5]


# --- formats: machine output pinned exactly --------------------------------------------------

ISSUE4_JSON = (
    '{"id": 4, "title": "厂区道路积水", "description": null, "enterprise": "Acme Robotics", "project": null, '
    '"category": "road", "kind": "individual", "source": "visit", "priority": "urgent", "status": "resolved", '
    '"department": null, "owner": "王强", "reported_on": "2023-10-09", "due_on": "2023-10-31", '
    '"resolved_on": "2023-11-02", "resolution": "已完成排水管网改造", "tags": ["VIP", "重点项目", "防汛"], '
    '"created_by": "tester", "created_at": "2023-12-20T02:00:00Z", "updated_at": "2023-12-20T02:00:00Z"}'
)
HEADER = ("id,title,description,enterprise,project,category,kind,source,priority,status,department,owner,"
          "reported_on,due_on,resolved_on,resolution,tags,created_by,created_at,updated_at")


def test_csv_is_exact(shared_ledger):
    out = shared_ledger.ok("issue", "list", "--status", "resolved", "--format", "csv").stdout
    assert out == (
        f"{HEADER}\n"
        "4,厂区道路积水,,Acme Robotics,,road,individual,visit,urgent,resolved,,王强,2023-10-09,2023-10-31,"
        "2023-11-02,已完成排水管网改造,VIP;重点项目;防汛,tester,2023-12-20T02:00:00Z,2023-12-20T02:00:00Z\n"
    )


def test_csv_quotes_commas_quotes_and_newlines(filed):
    filed.ok("issue", "edit", "3", "--title", 'Road, "phase two"', "--desc", "line one\nline two")
    out = filed.ok("issue", "list", "--kind", "common", "--format", "csv").stdout
    assert out.splitlines()[1].startswith('3,"Road, ""phase two""","line one')
    assert '"line one\nline two"' in out


def test_tsv_is_exact(shared_ledger):
    out = shared_ledger.ok("issue", "list", "--status", "resolved", "--format", "tsv").stdout
    assert out == (
        HEADER.replace(",", "\t") + "\n"
        "4\t厂区道路积水\t\tAcme Robotics\t\troad\tindividual\tvisit\turgent\tresolved\t\t王强\t2023-10-09\t"
        "2023-10-31\t2023-11-02\t已完成排水管网改造\tVIP;重点项目;防汛\ttester\t2023-12-20T02:00:00Z\t"
        "2023-12-20T02:00:00Z\n"
    )


def test_json_is_exact(shared_ledger):
    out = shared_ledger.ok("issue", "list", "--status", "resolved", "--format", "json").stdout
    assert out == f"[\n  {ISSUE4_JSON}\n]\n"


def test_json_of_nothing_is_an_empty_array(shared_ledger):
    assert shared_ledger.ok("issue", "list", "--status", "in_progress", "--format", "json").stdout == "[]\n"
    assert shared_ledger.ok("issue", "list", "--status", "in_progress", "--format", "ndjson").stdout == ""
    assert shared_ledger.ok("issue", "list", "--status", "in_progress", "--format", "csv").stdout == HEADER + "\n"


def test_ndjson_is_exact(shared_ledger):
    out = shared_ledger.ok("issue", "list", "--status", "all", "--sort", "-id", "--limit", "2", "--format", "ndjson").stdout
    lines = out.splitlines()
    assert len(lines) == 2 and out.endswith("\n")
    assert lines[1] == ISSUE4_JSON
    assert json.loads(lines[0])["id"] == 5


def test_json_keys_are_stable_snake_case(shared_ledger):
    rows = json.loads(shared_ledger.ok("issue", "list", "--status", "all", "--format", "json").stdout)
    assert all(list(row) == HEADER.split(",") for row in rows)


def test_markdown_is_exact(shared_ledger):
    out = shared_ledger.ok("issue", "list", "--status", "resolved", "--format", "markdown").stdout
    assert out == (
        "| ID | Title | Description | Enterprise | Project | Category | Kind | Source | Priority | Status | "
        "Department | Owner | Reported | Due | Resolved | Resolution | Tags | Created by | Created at | Updated at |\n"
        "|" + " --- |" * 20 + "\n"
        "| 4 | 厂区道路积水 |  | Acme Robotics |  | Road construction | individual | visit | urgent | resolved |  | "
        "王强 | 2023-10-09 | 2023-10-31 | 2023-11-02 | 已完成排水管网改造 | VIP, 重点项目, 防汛 | tester | "
        "2023-12-20 10:00 | 2023-12-20 10:00 |\n"
    )


def test_labels_adds_label_columns_only_when_asked(shared_ledger):
    plain = json.loads(shared_ledger.ok("issue", "list", "--status", "resolved", "--format", "json").stdout)[0]
    assert not any(key.endswith("_label") for key in plain)
    labelled = json.loads(shared_ledger.ok("--lang", "zh", "issue", "list", "--status", "resolved", "--labels",
                                    "--format", "json").stdout)[0]
    assert (labelled["status"], labelled["status_label"]) == ("resolved", "已办结")
    assert (labelled["category"], labelled["category_label"]) == ("road", "道路建设")
    assert (labelled["priority_label"], labelled["kind_label"], labelled["source_label"]) == ("特急", "个性", "走访")


def test_table_has_labels_and_values(shared_ledger):
    result = shared_ledger.ok("issue", "list")
    header = result.stdout.splitlines()[1]
    for word in ("ID", "Title", "Enterprise", "Category", "Status", "Due"):
        assert word in header
    assert "二期厂房消防验收未通过" in result.stdout and "Fire-safety acceptance" in result.stdout
    assert "deferred" in result.stdout and "厂区道路积水" not in result.stdout
    assert result.stderr == "4 rows\n"


def test_table_of_nothing_says_so(shared_ledger):
    result = shared_ledger.ok("issue", "list", "--status", "in_progress")
    assert result.stdout == ""
    assert result.stderr == "No matching records.\n"


def visible_width(line: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_table_fits_80_columns(ledger, lang):
    ledger.ok("enterprise", "add", "蓝思科技（长沙）有限公司第二分公司")
    ledger.ok("issue", "add", "二期厂房消防验收未通过，消防车道宽度不足，需要拓宽并重新验收", "-e",
              "蓝思科技（长沙）有限公司第二分公司", "-c", "fire-acceptance", "--dept", "消防救援大队", "--owner", "王强")
    out = ledger.ok("--lang", lang, "issue", "list", env={"COLUMNS": "80"}).stdout
    lines = out.splitlines()
    assert max(visible_width(line) for line in lines) <= 80
    # Every row is whole: the table's right edge is drawn on every line.
    assert all(line.rstrip().endswith(("┓", "┃", "┩", "│", "┘")) for line in lines)
    wide = ledger.ok("--lang", lang, "issue", "list", env={"COLUMNS": "200"}).stdout
    assert ("责任单位" if lang == "zh" else "Department") in wide
    assert ("责任单位" if lang == "zh" else "Department") not in out


# --- show -----------------------------------------------------------------------------------


def test_show_table_has_record_and_timeline(shared_ledger):
    out = shared_ledger.ok("issue", "show", "4").stdout
    for text in ("厂区道路积水", "Acme Robotics", "Road construction", "urgent", "resolved", "2023-11-02",
                 "已完成排水管网改造", "VIP, 重点项目, 防汛", "History", "filed: 厂区道路积水",
                 "Status: open → resolved"):
        assert text in out, text
    # The created event's JSON snapshot is summarised, not dumped.
    assert "{" not in out and "category_id" not in out


def test_show_markdown_summarises_the_timeline(shared_ledger):
    out = shared_ledger.ok("issue", "show", "4", "--format", "markdown").stdout
    assert "| tester | created | filed: 厂区道路积水 |  |" in out
    assert "| tester | status | Status: open → resolved | 已完成排水管网改造 |" in out
    assert "category_id" not in out


def test_show_json_keeps_the_snapshot(shared_ledger):
    shown = issue(shared_ledger, 4)
    created = shown["events"][0]
    assert created["action"] == "created"
    assert json.loads(created["new"])["title"] == "厂区道路积水"
    assert {k: shown[k] for k in json.loads(ISSUE4_JSON)} == json.loads(ISSUE4_JSON)


def test_show_csv_is_the_list_row(shared_ledger):
    shown = shared_ledger.ok("issue", "show", "4", "--format", "csv").stdout
    listed = shared_ledger.ok("issue", "list", "--status", "resolved", "--format", "csv").stdout
    assert shown == listed
