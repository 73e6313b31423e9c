"""Visits and 包联 coverage (issue 22): enterprise assign, visit add/list/show, issue add --visit,
report visits against an independent oracle, import/export visits, permissions. SQLite and
PostgreSQL (the `qiye` fixture is parametrised)."""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from conftest import Qiye

TODAY = date(2023, 12, 20)  # conftest's PINNED_NOW


def fingerprint(qiye: Qiye) -> tuple:
    return tuple(qiye.sql(f"SELECT COUNT(*) FROM {table}")[0][0]
                 for table in ("visit", "issue", "liaison_assignment", "enterprise"))


# --- point 1: assign, visit add/list/show, issue add --visit ------------------------------------


def test_assign_keeps_history_and_show_lists_it(qiye: Qiye) -> None:
    qiye.ok("enterprise", "add", "蓝思科技", "--liaison", "李娟")
    qiye.ok("enterprise", "assign", "lansi", "--liaison", "王磊")  # a name as DESIGN §3 finds it
    qiye.ok("enterprise", "edit", "蓝思科技", "--liaison", "刘洋")
    assert qiye.sql("SELECT liaison FROM enterprise") == [("刘洋",)]
    assert [row[0] for row in qiye.sql("SELECT liaison FROM liaison_assignment ORDER BY id")] == ["李娟", "王磊", "刘洋"]
    again = qiye.ok("enterprise", "assign", "蓝思科技", "--liaison", "刘洋")
    assert "already" in again.stdout
    assert qiye.sql("SELECT COUNT(*) FROM liaison_assignment") == [(3,)]
    shown = json.loads(qiye.ok("enterprise", "show", "蓝思科技", "--format", "json").stdout)
    assert [a["liaison"] for a in shown["assignments"]] == ["李娟", "王磊", "刘洋"]
    assert shown["visits"] == 0 and shown["last_visited_on"] is None
    missing = qiye("enterprise", "assign", "兰思", "--liaison", "王磊")
    assert missing.exit_code == 1 and missing.stderr.startswith("error:") and "蓝思科技" in missing.stderr


def test_visit_add_list_show_and_issue_link(qiye: Qiye) -> None:
    qiye.ok("enterprise", "add", "蓝思科技", "--zone", "北园", "--industry", "电子", "--liaison", "李娟")
    qiye.ok("enterprise", "add", "九典制药", "--zone", "南园", "--industry", "生物医药", "--liaison", "王磊")
    assert qiye.ok("visit", "add", "蓝思", "--on", "2023年12月1日", "--by", "李娟", "--note", "查看二期厂房").stdout == "1\n"
    assert qiye.ok("visit", "add", "九典制药", "--on", "昨天", "--kind", "电话", "--note", "电话了解用工").stdout == "2\n"
    assert [(str(d)[:10], by, kind) for d, by, kind in qiye.sql("SELECT visited_on, visited_by, kind FROM visit "
                                                                 "ORDER BY id")] == [
        ("2023-12-01", "李娟", "visit"), ("2023-12-19", "tester", "phone")]
    number = qiye.ok("issue", "add", "消防验收未通过", "-e", "蓝思科技", "-c", "消防验收", "--visit", "#1").stdout.strip()
    assert qiye.sql("SELECT visit_id, source, reported_on FROM issue WHERE id = :i", i=int(number))[0][:2] == (1, "visit")
    wrong = qiye("issue", "add", "x", "-e", "九典制药", "-c", "road", "--visit", "1")
    assert wrong.exit_code == 1 and "visit #1 was to 蓝思科技" in wrong.stderr
    rows = json.loads(qiye.ok("visit", "list", "--format", "json").stdout)
    assert [(r["id"], r["issues"], r["visit_kind"]) for r in rows] == [(2, 0, "phone"), (1, 1, "visit")]
    assert [r["id"] for r in json.loads(qiye.ok("visit", "list", "--liaison", "wl", "--format", "json").stdout)] == [2]
    assert [r["id"] for r in json.loads(qiye.ok("visit", "list", "--zone", "北园", "--format", "json").stdout)] == [1]
    assert [r["id"] for r in json.loads(qiye.ok("visit", "list", "--industry", "生物医药", "--format", "json").stdout)] == [2]
    assert [r["id"] for r in json.loads(qiye.ok("visit", "list", "--kind", "phone", "--format", "json").stdout)] == [2]
    assert [r["id"] for r in json.loads(qiye.ok("visit", "list", "--until", "2023-12-10", "--format", "json").stdout)] == [1]
    assert [r["id"] for r in json.loads(qiye.ok("visit", "list", "-e", "九典", "--since", "12月2日", "--format",
                                                "json").stdout)] == [2]
    listed = qiye.ok("visit", "list", "--limit", "1")
    assert "1 of 2 rows" in listed.stderr
    for fmt in ("csv", "tsv", "ndjson", "markdown"):
        assert "查看二期厂房" in qiye.ok("visit", "list", "--format", fmt).stdout
    shown = json.loads(qiye.ok("visit", "show", "1", "--format", "json").stdout)
    assert shown["found"] == [{"id": int(number), "title": "消防验收未通过", "status": "open"}]
    assert "消防验收未通过" in qiye.ok("visit", "show", "1").stdout
    assert qiye("visit", "show", "9").exit_code == 1


def test_issue_show_names_the_visit_and_a_contradicting_source_is_refused(qiye: Qiye) -> None:
    """`issue show` names the visit a problem was found on (table record and `visit_id` in JSON);
    its source is how the visit was made (DESIGN §12: `visit` for an on-site one), so an
    explicit `--source` that says otherwise is an error in either language, and nothing is written."""
    qiye.ok("enterprise", "add", "蓝思科技")
    qiye.ok("visit", "add", "蓝思科技", "--on", "2023-12-01", "--by", "李娟", "--note", "查看二期厂房")
    qiye.ok("visit", "add", "蓝思科技", "--on", "2023-12-05", "--kind", "座谈", "--note", "座谈会")
    for lang, wanted in (("en", "a problem found on visit #1 (kind of visit: visit) has the source visit, "
                                "not meeting: leave --source out"),
                         ("zh", "走访 #1 的方式是实地走访，其发现的问题来源为“走访”，不能是“座谈”：请去掉 --source")):
        refused = qiye("--lang", lang, "issue", "add", "消防", "-e", "蓝思科技", "-c", "消防验收", "--visit", "1",
                       "--source", "meeting")
        assert refused.exit_code == 1 and refused.stderr == f"error: {wanted}\n" and not refused.stdout
    assert qiye.sql("SELECT COUNT(*) FROM issue") == [(0,)]
    qiye.ok("issue", "add", "消防", "-e", "蓝思科技", "-c", "消防验收", "--visit", "1", "--source", "走访")
    qiye.ok("issue", "add", "用工", "-e", "蓝思科技", "-c", "road", "--visit", "2", "--source", "meeting")
    qiye.ok("issue", "add", "道路", "-e", "蓝思科技", "-c", "road")
    assert qiye.sql("SELECT id, source, visit_id FROM issue ORDER BY id") == [(1, "visit", 1), (2, "meeting", 2),
                                                                               (3, "visit", None)]
    assert [json.loads(qiye.ok("issue", "show", str(n), "--format", "json").stdout)["visit_id"]
            for n in (1, 2, 3)] == [1, 2, None]
    assert json.loads(qiye.ok("issue", "show", "1", "--format", "ndjson").stdout)["visit_id"] == 1
    shown = qiye.ok("--lang", "en", "issue", "show", "1", env={"COLUMNS": "120"}).stdout
    assert "Found on visit  #1 on 2023-12-01 by 李娟 (visit)" in shown
    shown = qiye.ok("--lang", "zh", "issue", "show", "2", env={"COLUMNS": "120"}).stdout
    assert "发现于走访  #2，2023-12-05，tester（座谈）" in shown
    assert "发现于走访" not in qiye.ok("--lang", "zh", "issue", "show", "3").stdout


VISIT_SOURCE = {"en": "a problem found on visit #1 (kind of visit: visit) has the source visit, not meeting: ",
                "zh": "走访 #1 的方式是实地走访，其发现的问题来源为“走访”，不能是“座谈”："}


def _visit_linked(qiye: Qiye) -> tuple:
    return (qiye.sql("SELECT id, source, visit_id, updated_at FROM issue ORDER BY id"),
            qiye.sql("SELECT COUNT(*) FROM event"))


def test_a_visit_decides_its_problems_source_in_edit_and_import(qiye: Qiye, tmp_path: Path) -> None:
    """`issue edit --source` and an import row refuse a source that contradicts the visit that
    found the problem, as `issue add --visit` does: exit 1, the same words, nothing written."""
    qiye.ok("enterprise", "add", "蓝思科技")
    qiye.ok("visit", "add", "蓝思科技", "--on", "2023-12-01", "--by", "李娟", "--note", "查看二期厂房")
    qiye.ok("visit", "add", "蓝思科技", "--on", "2023-12-05", "--kind", "座谈", "--note", "座谈会")
    qiye.ok("issue", "add", "消防", "-e", "蓝思科技", "-c", "消防验收", "--visit", "1")
    qiye.ok("issue", "add", "道路", "-e", "蓝思科技", "-c", "road", "--reported", "2023-12-06")
    before = _visit_linked(qiye)
    for lang in ("en", "zh"):
        refused = qiye("--lang", lang, "issue", "edit", "1", "--source", "座谈")
        fix = "leave --source out" if lang == "en" else "请去掉 --source"
        assert refused.exit_code == 1 and refused.stderr == f"error: {VISIT_SOURCE[lang]}{fix}\n", refused.stderr
        assert not refused.stdout and _visit_linked(qiye) == before
    qiye.ok("issue", "edit", "1", "--source", "走访")  # what the visit says: nothing changes
    assert _visit_linked(qiye) == before
    qiye.ok("issue", "edit", "2", "--source", "phone")  # found on no visit: any source
    before = _visit_linked(qiye)

    # An import row naming the visit (走访编号 / visit_id), new or updating, or updating a problem
    # the visit found without naming it: the source cell is blamed.
    path = tmp_path / "ledger.csv"
    files = {
        "来源": ("序号,企业名称,问题类别,登记日期,问题标题,来源,走访编号", ["3,蓝思科技,消防验收,2023/12/6,新问题,座谈,1",
                                                                   "1,蓝思科技,消防验收,2023/12/1,消防,座谈,1"]),
        "source": ("id,enterprise,category,reported_on,title,source,visit_id",
                   ["1,蓝思科技,fire-acceptance,2023-12-01,消防,meeting,"]),
    }
    for column, (header, rows) in files.items():
        for row in rows:
            path.write_text(f"{header}\n{row}\n", encoding="utf-8")
            for lang, where in (("en", f"row 2, column {column}: "), ("zh", f"第 2 行，{column} 列：")):
                fix = "correct the cell or leave it empty" if lang == "en" else "请更正该单元格或留空"
                refused = qiye("--lang", lang, "import", "issues", str(path), "--on-conflict", "update")
                assert refused.exit_code == 1 and refused.stderr.startswith("error:"), refused.stderr
                assert f"{where}{VISIT_SOURCE[lang]}{fix}" in refused.stderr, refused.stderr
                assert _visit_linked(qiye) == before
    assert qiye.sql("SELECT id, source, visit_id FROM issue ORDER BY id") == [(1, "visit", 1), (2, "phone", None)]
    # Without a source, a row takes the visit's, as `issue add --visit` does; the visit's own source imports.
    path.write_text("序号,企业名称,问题类别,登记日期,问题标题,来源,走访编号\n"
                    "1,蓝思科技,消防验收,2023/12/1,消防,走访,1\n2,蓝思科技,road,2023/12/6,道路,,2\n"
                    "3,蓝思科技,road,2023/12/6,新问题,,2\n", encoding="utf-8")
    qiye.ok("import", "issues", str(path), "--on-conflict", "update")
    assert qiye.sql("SELECT id, source, visit_id FROM issue ORDER BY id") == [
        (1, "visit", 1), (2, "meeting", 2), (3, "meeting", 2)]
    assert qiye.ok("db", "check").exit_code == 0


@pytest.mark.parametrize("args,message", [
    (["不存在的企业", "--on", "2023-12-01", "--note", "x"], "不存在的企业"),
    (["蓝思科技", "--on", "明天", "--note", "x"], "lies in the future"),
    (["蓝思科技", "--on", "2023-12-01", "--note", "  "], "must not be empty"),
    (["蓝思科技", "--on", "2023-12-01", "--note", "x", "--kind", "walk"], "'walk' is not one of visit"),
    (["蓝思科技", "--on", "someday", "--note", "x"], "someday"),
])
def test_bad_visit_fails_and_writes_nothing(qiye: Qiye, args: list[str], message: str) -> None:
    qiye.ok("enterprise", "add", "蓝思科技", "--liaison", "李娟")
    before = fingerprint(qiye)
    result = qiye("visit", "add", *args)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("error:") and message in result.stderr and "Traceback" not in result.output
    assert result.stdout == ""
    assert fingerprint(qiye) == before


def test_visit_interval_is_validated(qiye: Qiye) -> None:
    qiye.ok("config", "set", "visit.interval", "45")
    for bad in ("0", "abc", "3周", "99999"):
        refused = qiye("config", "set", "visit.interval", bad)
        assert refused.exit_code == 1 and refused.stderr.startswith("error:")


# --- point 2: report visits against an oracle -------------------------------------------------


ZONES, INDUSTRIES, CADRES = ["南园", "北园", None], ["生物医药", "电子", None], ["李娟", "王磊", "刘洋", None]


def random_ledger(qiye: Qiye, seed: int) -> tuple[list[dict], list[dict], list[dict]]:
    """Enterprises, visits and issues written straight into the database."""
    qiye.ok("init")  # the schema, before rows go in by SQL
    rng = random.Random(seed)
    now = datetime(2023, 12, 20, 2)
    enterprises = []
    for number in range(rng.randint(3, 9)):
        ent = {"id": number + 1, "name": f"企业{number + 1}", "zone": rng.choice(ZONES),
               "industry": rng.choice(INDUSTRIES), "liaison": rng.choice(CADRES)}
        enterprises.append(ent)
        qiye.sql("INSERT INTO enterprise (id, name, zone, industry, liaison, created_at, updated_at) "
                 "VALUES (:id, :name, :zone, :industry, :liaison, :c, :c)", c=now, **ent)
    visits = []
    for number in range(rng.randint(0, 25)):
        visit = {"id": number + 1, "enterprise_id": rng.choice(enterprises)["id"],
                 "visited_on": date(2022, 11, 1) + timedelta(days=rng.randint(0, (TODAY - date(2022, 11, 1)).days)),
                 "kind": rng.choice(["visit", "phone", "meeting", "online"])}
        visits.append(visit)
        qiye.sql("INSERT INTO visit (id, enterprise_id, visited_on, visited_by, kind, note, created_at, created_by) "
                 "VALUES (:id, :enterprise_id, :visited_on, '李娟', :kind, '记录', :c, 't')", c=now, **visit)
    issues = []
    category = qiye.sql("SELECT id FROM category ORDER BY id LIMIT 1")[0][0]
    for number in range(rng.randint(0, 15)):
        visit = rng.choice(visits) if visits and rng.random() < 0.8 else None
        issue = {"id": number + 1, "visit_id": visit["id"] if visit else None,
                 "enterprise_id": visit["enterprise_id"] if visit else rng.choice(enterprises)["id"]}
        issues.append(issue)
        qiye.sql("INSERT INTO issue (id, title, enterprise_id, category_id, kind, source, priority, status, reported_on, "
                 "created_by, created_at, updated_at, visit_id) VALUES (:id, 't', :enterprise_id, :cat, 'individual', "
                 "'visit', 'normal', 'open', :r, 't', :c, :c, :visit_id)", cat=category, r=TODAY, c=now, **issue)
    return enterprises, visits, issues


def oracle(enterprises: list[dict], visits: list[dict], issues: list[dict], by: str, since: date | None,
           until: date | None, interval: int) -> dict:
    """Every figure of report visits, recomputed in plain Python from the rows."""
    as_of = until if until is not None and until < TODAY else TODAY
    in_scope = [v for v in visits if v["visited_on"] <= as_of and (since is None or v["visited_on"] >= since)
                and (until is None or v["visited_on"] <= until)]
    scoped_ids = {v["id"] for v in in_scope}
    assigned = [e for e in enterprises if e["liaison"] is not None]
    groups: dict = {}
    lapsed = []
    for ent in assigned:
        mine = [v for v in in_scope if v["enterprise_id"] == ent["id"]]
        found = [i for i in issues if i["visit_id"] in scoped_ids and i["enterprise_id"] == ent["id"]]
        past = [v["visited_on"] for v in visits if v["enterprise_id"] == ent["id"] and v["visited_on"] <= as_of]
        last = max(past) if past else None
        is_lapsed = last is None or (as_of - last).days > interval
        group = groups.setdefault(ent[by], {"assigned": 0, "visited": 0, "visits": 0, "problems": 0, "lapsed": 0})
        group["assigned"] += 1
        group["visited"] += bool(mine)
        group["visits"] += len(mine)
        group["problems"] += len(found)
        group["lapsed"] += is_lapsed
        if is_lapsed:
            lapsed.append((last is not None, last or date.min, ent["name"], (as_of - last).days if last else None))
    lapsed.sort()
    total = {name: sum(g[name] for g in groups.values()) for name in ("assigned", "visited", "visits", "problems",
                                                                      "lapsed")}

    def derived(g: dict) -> dict:
        return {**g, "coverage_rate": round(g["visited"] / g["assigned"], 4) if g["assigned"] else None,
                "visits_per_enterprise": round(g["visits"] / g["assigned"], 2) if g["assigned"] else None,
                "problems_per_visit": round(g["problems"] / g["visits"], 2) if g["visits"] else None}

    return {"total": derived(total), "groups": {key: derived(g) for key, g in groups.items()},
            "unassigned": len(enterprises) - len(assigned),
            "lapsed": [(name, days) for _, _, name, days in lapsed]}


SCOPES = [([], None, None), (["--year", "2023"], date(2023, 1, 1), date(2023, 12, 31)),
          (["--since", "2023-06-01", "--until", "2023-11-30"], date(2023, 6, 1), date(2023, 11, 30)),
          (["--since", "2023-10-01"], date(2023, 10, 1), None)]


@pytest.mark.parametrize("seed", range(6))
def test_report_visits_matches_the_oracle(qiye: Qiye, seed: int) -> None:
    enterprises, visits, issues = random_ledger(qiye, seed)
    rng = random.Random(seed)
    interval = rng.choice([7, 30, 90])
    if interval != 30:
        qiye.ok("config", "set", "visit.interval", str(interval))
    for args, since, until in SCOPES:
        by = rng.choice(["liaison", "zone", "industry"])
        got = json.loads(qiye.ok("report", "visits", *args, "--by", by, "--format", "json").stdout)
        want = oracle(enterprises, visits, issues, by, since, until, interval)
        for name, value in want["total"].items():
            assert got[name] == value, (name, args)
        assert got["unassigned"] == want["unassigned"] and got["interval_days"] == interval
        assert {row["key"]: {k: row[k] for k in want["total"]} for row in got["groups"]} == want["groups"]
        assert [(row["enterprise"], row["days_since_visit"]) for row in got["lapsed_enterprises"]] == want["lapsed"]


def test_report_visits_every_format(qiye: Qiye, tmp_path: Path) -> None:
    random_ledger(qiye, 3)
    for fmt in ("table", "csv", "tsv", "ndjson", "markdown", "html"):
        assert qiye.ok("report", "visits", "--format", fmt).stdout
    assert qiye.ok("report", "visits", "--format", "csv").stdout.startswith("key,label,assigned,visited,coverage_rate")
    assert qiye.ok("report", "visits", "--section", "lapsed", "--format", "csv").stdout.startswith("enterprise,liaison")
    html = qiye.ok("report", "visits", "--format", "html", "--lang", "zh").stdout
    assert "包联走访覆盖情况" in html and "<svg" in html
    qiye.ok("report", "visits", "--format", "xlsx", "--out", str(tmp_path / "v.xlsx"))
    from openpyxl import load_workbook

    book = load_workbook(tmp_path / "v.xlsx")
    assert any("走访" in str(cell.value) or "Visits" in str(cell.value)
               for sheet in book.worksheets for row in sheet.iter_rows() for cell in row)


# --- point 3: import and export ---------------------------------------------------------------


LOG = ("\ufeff走访编号,走访日期,走访企业,走访人,走访方式,走访情况\r\n"
       "1,2023/11/2,蓝思科技,李娟,走访,\"查看厂房，企业反映“消防验收”问题\"\r\n"
       "2,2023年12月1日,九典制药,王磊,电话,电话了解用工\r\n")


def test_import_export_round_trip(qiye: Qiye, tmp_path: Path) -> None:
    qiye.ok("enterprise", "add", "蓝思科技")
    qiye.ok("enterprise", "add", "九典制药")
    (tmp_path / "log.csv").write_text(LOG, encoding="utf-8", newline="")
    qiye.ok("import", "visits", str(tmp_path / "log.csv"))
    first = qiye.ok("export", "visits").stdout
    assert first.splitlines()[0] == "id,visited_on,enterprise,visited_by,visit_kind,note,created_by,created_at"
    # Timestamps as every machine format writes them (DESIGN §4), as visit list and the issue export do.
    import csv
    import io
    import re

    stamps = [row["created_at"] for row in csv.DictReader(io.StringIO(first))]
    listed = [row["created_at"] for row in csv.DictReader(io.StringIO(qiye.ok("visit", "list", "--format",
                                                                                 "csv").stdout))]
    assert stamps and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamp) for stamp in stamps), stamps
    assert sorted(stamps) == sorted(listed)
    assert qiye.ok("export", "visits", "--format", "tsv").stdout.splitlines()[1].endswith("\t" + stamps[0])
    (tmp_path / "out.csv").write_text(first, encoding="utf-8", newline="")
    qiye.ok("export", "visits", "--format", "xlsx", "--out", str(tmp_path / "out.xlsx"))
    for name in ("out.csv", "out.xlsx"):
        qiye.sql("DELETE FROM visit")
        qiye.ok("import", "visits", str(tmp_path / name))
        assert qiye.ok("export", "visits").stdout == first
    skipped = qiye.ok("import", "visits", str(tmp_path / "out.csv"), "--on-conflict", "skip")
    assert "2 skipped" in skipped.stdout


@pytest.mark.parametrize("bad_row,message", [
    ("3,2023/12/2,不存在,李娟,走访,x", "不存在"),
    ("3,2023/12/25,蓝思科技,李娟,走访,x", "future"),
    ("3,2023/12/2,蓝思科技,李娟,走访,", "note"),
    ("3,2023/12/2,蓝思科技,李娟,散步,x", "散步"),
    ("1,2023/12/2,蓝思科技,李娟,走访,x", "1"),
])
def test_import_is_all_or_nothing(qiye: Qiye, tmp_path: Path, bad_row: str, message: str) -> None:
    qiye.ok("enterprise", "add", "蓝思科技")
    qiye.ok("enterprise", "add", "九典制药")
    (tmp_path / "log.csv").write_text(LOG + bad_row + "\r\n", encoding="utf-8", newline="")
    result = qiye("import", "visits", str(tmp_path / "log.csv"))
    assert result.exit_code == 1 and result.stderr.startswith("error:") and message in result.stderr
    assert qiye.sql("SELECT COUNT(*) FROM visit") == [(0,)]


def test_issue_import_links_visits(qiye: Qiye, tmp_path: Path) -> None:
    qiye.ok("enterprise", "add", "蓝思科技")
    qiye.ok("enterprise", "add", "九典制药")
    (tmp_path / "log.csv").write_text(LOG, encoding="utf-8", newline="")
    qiye.ok("import", "visits", str(tmp_path / "log.csv"))
    ledger = "序号,企业名称,问题类别,登记日期,问题标题,走访编号\n1,蓝思科技,消防验收,2023/11/2,消防,1\n2,九典制药,road,2023/12/1,路,\n"
    (tmp_path / "ledger.csv").write_text(ledger, encoding="utf-8")
    qiye.ok("import", "issues", str(tmp_path / "ledger.csv"))
    assert qiye.sql("SELECT id, visit_id FROM issue ORDER BY id") == [(1, 1), (2, None)]
    bad = ledger.replace("路,", "路,1").replace("1,蓝思", "3,蓝思").replace("2,九典", "4,九典")
    (tmp_path / "bad.csv").write_text(bad, encoding="utf-8")
    refused = qiye("import", "issues", str(tmp_path / "bad.csv"))
    assert refused.exit_code == 1 and "visit #1 was to 蓝思科技" in refused.stderr
    assert qiye.sql("SELECT COUNT(*) FROM issue") == [(2,)]


# --- point 4: the sample ledger ---------------------------------------------------------------


def test_sample_ledger_visits(qiye: Qiye) -> None:
    qiye.ok("init", "--sample")
    summary = json.loads(qiye.ok("report", "summary", "--year", "2023", "--format", "json").stdout)
    assert (summary["total"], summary["resolved"]) == (174, 130)
    assert qiye.sql("SELECT COUNT(*) FROM issue WHERE status = 'resolved' AND kind = 'individual'") == [(127,)]
    assert qiye.sql("SELECT COUNT(*) FROM issue WHERE source = 'visit' AND visit_id IS NULL") == [(0,)]
    assert qiye.sql("SELECT COUNT(*) FROM issue WHERE source <> 'visit' AND visit_id IS NOT NULL") == [(0,)]
    report = json.loads(qiye.ok("report", "visits", "--year", "2023", "--format", "json").stdout)
    found = qiye.sql("SELECT COUNT(*) FROM issue JOIN visit ON visit.id = issue.visit_id "
                     "WHERE visit.visited_on <= :d", d=TODAY)[0][0]  # the pinned clock is 2023-12-20
    assert report["assigned"] == 40 and report["unassigned"] == 0 and report["problems"] == found > 100
    # Two enterprises were never visited (their problems came by phone and meetings): the coverage
    # report finds them first among the lapsed (more of which, as of the pinned 2023-12-20).
    assert (report["visited"], report["coverage_rate"]) == (38, 0.95) and report["lapsed"] > 2
    lapsed = report["lapsed_enterprises"]
    assert {row["enterprise"] for row in lapsed[:2]} == {"晶合电子材料", "英氏"}
    assert [row["last_visited_on"] for row in lapsed[:2]] == [None, None]
    empty = qiye.sql("SELECT COUNT(*) FROM visit WHERE id NOT IN (SELECT visit_id FROM issue WHERE visit_id IS NOT NULL)")
    assert empty[0][0] > 5


def test_a_never_visited_enterprise_says_so_where_people_read_it(qiye: Qiye, tmp_path: Path) -> None:
    """report visits: the lapsed list's last-visit cell of an enterprise never visited reads 从未走访
    / never in the table, markdown, html and xlsx; csv and json keep it empty / null."""
    qiye.ok("enterprise", "add", "蓝思科技", "--liaison", "李娟")
    qiye.ok("enterprise", "add", "九典制药", "--liaison", "李娟")
    qiye.ok("visit", "add", "九典制药", "--on", "2023-10-02", "--note", "走访")
    args = ("report", "visits", "--year", "2023", "--section", "lapsed")
    for lang, never in (("zh", "从未走访"), ("en", "never")):
        table = qiye.ok("--lang", lang, *args, env={"COLUMNS": "80"}).stdout
        row = next(line for line in table.splitlines() if "蓝思科技" in line)
        assert never in row, table
        assert "2023-10-02" in next(line for line in table.splitlines() if "九典制药" in line)
        markdown = qiye.ok("--lang", lang, *args, "--format", "markdown").stdout
        assert f"| 蓝思科技 | 李娟 |  |  | {never} |  |" in markdown, markdown
        html = qiye.ok("--lang", lang, "report", "visits", "--year", "2023", "--format", "html").stdout
        assert never in html
        book = tmp_path / f"visits-{lang}.xlsx"
        qiye.ok("--lang", lang, "report", "visits", "--year", "2023", "--format", "xlsx", "--out", str(book))
        from openpyxl import load_workbook

        cells = [cell.value for sheet in load_workbook(book).worksheets for r in sheet.iter_rows() for cell in r]
        assert never in cells
    rows = qiye.ok("--lang", "zh", *args, "--format", "csv").stdout.splitlines()
    assert "蓝思科技,李娟,,,," in rows
    report = json.loads(qiye.ok("--lang", "zh", "report", "visits", "--year", "2023", "--format", "json").stdout)
    assert [row["last_visited_on"] for row in report["lapsed_enterprises"]] == [None, "2023-10-02"]


# --- backup carries visits --------------------------------------------------------------------


def test_backup_and_restore_carry_visits(qiye: Qiye, tmp_path: Path) -> None:
    qiye.ok("enterprise", "add", "蓝思科技", "--liaison", "李娟")
    qiye.ok("visit", "add", "蓝思科技", "--on", "2023-12-01", "--note", "走访")
    qiye.ok("issue", "add", "消防", "-e", "蓝思科技", "-c", "消防验收", "--visit", "1")
    qiye.ok("db", "backup", str(tmp_path / "b.db"))
    qiye.sql("UPDATE issue SET visit_id = NULL")
    qiye.sql("DELETE FROM visit")
    qiye.sql("DELETE FROM liaison_assignment")
    qiye.ok("db", "restore", str(tmp_path / "b.db"), "--yes")
    assert qiye.sql("SELECT COUNT(*) FROM visit") == [(1,)]
    assert qiye.sql("SELECT visit_id FROM issue") == [(1,)]
    assert qiye.sql("SELECT liaison FROM liaison_assignment") == [("李娟",)]
    qiye.ok("db", "check")


def test_issue_import_skip_leaves_the_link_alone(qiye: Qiye, tmp_path: Path) -> None:
    qiye.ok("enterprise", "add", "蓝思科技")
    qiye.ok("enterprise", "add", "九典制药")
    (tmp_path / "log.csv").write_text(LOG, encoding="utf-8", newline="")
    qiye.ok("import", "visits", str(tmp_path / "log.csv"))
    (tmp_path / "a.csv").write_text("序号,企业名称,问题类别,登记日期,问题标题\n1,蓝思科技,消防验收,2023/11/2,消防\n",
                                    encoding="utf-8")
    qiye.ok("import", "issues", str(tmp_path / "a.csv"))
    (tmp_path / "b.csv").write_text("序号,企业名称,问题类别,登记日期,问题标题,走访编号\n1,蓝思科技,消防验收,2023/11/2,消防,1\n",
                                    encoding="utf-8")
    qiye.ok("import", "issues", str(tmp_path / "b.csv"), "--on-conflict", "skip")
    assert qiye.sql("SELECT visit_id FROM issue") == [(None,)]
    qiye.ok("import", "issues", str(tmp_path / "b.csv"), "--on-conflict", "update")
    assert qiye.sql("SELECT visit_id FROM issue") == [(1,)]


def test_migration_0008_starts_the_history_from_the_current_liaisons(qiye: Qiye) -> None:
    """An enterprise with a liaison before 0008 gets one assignment row, recorded by `migration`."""
    from qiye_service.db import upgrade
    from test_migrations_data import downgrade

    qiye.ok("init")
    engine = qiye.engine()
    try:
        downgrade(engine, "0007")
        qiye.sql("INSERT INTO enterprise (name, liaison, created_at, updated_at) VALUES ('蓝思科技', '李娟', :c, :c), "
                 "('九典制药', NULL, :c, :c)", c=datetime(2023, 3, 1, 2))
        upgrade(engine)
    finally:
        engine.dispose()
    assert [(name, liaison, by) for name, liaison, by in qiye.sql(
        "SELECT enterprise.name, liaison_assignment.liaison, assigned_by FROM liaison_assignment "
        "JOIN enterprise ON enterprise.id = liaison_assignment.enterprise_id")] == [("蓝思科技", "李娟", "migration")]
    qiye.ok("enterprise", "assign", "蓝思科技", "--liaison", "王磊")
    assert qiye.sql("SELECT COUNT(*) FROM liaison_assignment") == [(2,)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_with_chinese_headers_imports_back(qiye: Qiye, tmp_path: Path, fmt: str) -> None:
    qiye.ok("enterprise", "add", "蓝思科技")
    qiye.ok("enterprise", "add", "九典制药")
    (tmp_path / "log.csv").write_text(LOG, encoding="utf-8", newline="")
    qiye.ok("import", "visits", str(tmp_path / "log.csv"))
    first = qiye.ok("export", "visits").stdout
    chinese = tmp_path / f"走访记录.{fmt}"
    qiye.ok("export", "visits", "--chinese-headers", "--format", fmt, "--out", str(chinese))
    if fmt == "csv":
        assert chinese.read_text(encoding="utf-8").splitlines()[0] == \
            "走访编号,走访日期,走访企业,走访人,走访方式,走访情况,登记人,登记时间"
    qiye.sql("DELETE FROM visit")
    qiye.ok("import", "visits", str(chinese))
    assert qiye.ok("export", "visits").stdout == first


def test_editing_a_problem_found_on_a_visit_keeps_it_the_visited_enterprises(qiye: Qiye) -> None:
    """`issue edit --enterprise` and `--reported` of a problem found on a visit are held to what
    `issue add --visit` checks: the visited enterprise, reported on or after the visit."""
    qiye.ok("enterprise", "add", "蓝思科技")
    qiye.ok("enterprise", "add", "惠科光电")
    qiye.ok("visit", "add", "蓝思科技", "--on", "2023-12-05", "--note", "查看二期厂房")
    qiye.ok("issue", "add", "消防", "-e", "蓝思科技", "-c", "消防验收", "--visit", "1")
    before = json.loads(qiye.ok("issue", "show", "1", "--format", "json").stdout)
    for lang, said in (("en", "visit #1 was to 蓝思科技, not to 惠科光电"), ("zh", "走访 #1 走访的是 蓝思科技，不是 惠科光电")):
        refused = qiye("--lang", lang, "issue", "edit", "1", "--enterprise", "惠科光电")
        assert refused.exit_code == 1 and refused.stderr.startswith(f"error: {said}"), refused.stderr
    refused = qiye("issue", "edit", "1", "--reported", "2023-12-04")
    assert refused.exit_code == 1 and "2023-12-04" in refused.stderr and "2023-12-05" in refused.stderr
    assert json.loads(qiye.ok("issue", "show", "1", "--format", "json").stdout) == before
    qiye.ok("issue", "edit", "1", "--reported", "2023-12-06")  # after the visit: fine
    qiye.ok("issue", "add", "道路", "-e", "蓝思科技", "-c", "road")
    qiye.ok("issue", "edit", "2", "--enterprise", "惠科光电")  # found on no visit: any enterprise
