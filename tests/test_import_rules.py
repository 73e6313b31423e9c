"""An import forges nothing in the ledger (DESIGN §10, §11): rows no sequence of commands could
produce are refused through the real CLI, with the row and the column, in either language, and
nothing is written; the same rows as the commands leave them (their exports) still import."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Qiye

NOW = {"QIYE_NOW": "2023-12-04T10:00:00+08:00"}
AS_WANG = {**NOW, "QIYE_USER": "王督办"}
AS_QIAN = {**NOW, "QIYE_USER": "钱督办"}


@pytest.fixture
def office(qiye: Qiye) -> Qiye:
    qiye.ok("enterprise", "add", "蓝思科技")
    for name in ("规划建设局", "消防救援大队", "自然资源局"):
        qiye.ok("department", "add", name)
    qiye.ok("issue", "add", "二期厂房用电增容", "-e", "蓝思科技", "-c", "water-power", "--reported", "2023-12-01",
            "--due", "2023-12-29", "--dept", "规划建设局", env=NOW)
    return qiye


def _written(qiye: Qiye) -> tuple:
    return (qiye.sql("SELECT id, status, closeout_by, verified_by, updated_at FROM issue ORDER BY id"),
            qiye.sql("SELECT count(*) FROM event"))


def _refused(qiye: Qiye, path: Path, lines: list[str], column: str, words: dict[str, str], *args: str,
             env: dict[str, str] = NOW) -> None:
    """The file of `lines` is refused in both languages: exit 1, an error naming row 2 and `column`
    and saying `words[lang]`, and nothing written."""
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = _written(qiye)
    for lang, where in (("en", f"row 2, column {column}:"), ("zh", f"第 2 行，{column} 列：")):
        result = qiye("import", "issues", str(path), *args, "--lang", lang, env=env)
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith("error:") and "Traceback" not in result.stderr, result.stderr
        line = next((line for line in result.stderr.splitlines() if where in line), None)
        assert line is not None and words[lang] in line, (lang, result.stderr)
        assert _written(qiye) == before


# --- rule 1: an update verifies no close-out, and keeps who requested and who verified it ---------


UPDATE_HEADER = "id,title,enterprise,category,reported_on,status,resolved_on,resolution,closeout_by,verified_by"


def test_an_update_does_not_verify_a_pending_close_out_nor_change_who_closed_it_out(office: Qiye,
                                                                                  tmp_path: Path) -> None:
    office.ok("config", "set", "closeout.verify", "on")
    office.ok("issue", "resolve", "1", "--note", "已增容", env=AS_WANG)
    path = tmp_path / "update.csv"
    row = "1,二期厂房用电增容,蓝思科技,water-power,2023-12-01,{status},2023-12-04,已增容,{closeout},{verified}"
    verify_words = {"en": "issue #1 waits for its close-out to be verified (待审核销号): an import does not verify "
                          "it; a supervisor runs qiye issue verify 1",
                    "zh": "问题 #1 待审核销号：导入不能审核销号，请由督办执行 qiye issue verify 1"}
    # A verification nobody made: by nobody, or by another supervisor.
    for verified in ("", "钱督办"):
        _refused(office, path, [UPDATE_HEADER, row.format(status="resolved", closeout="王督办", verified=verified)],
                 "status", verify_words, "--on-conflict", "update")
    # …nor with the status alone (no verification columns at all).
    _refused(office, path, ["id,title,enterprise,category,reported_on,status,resolved_on,resolution",
                            "1,二期厂房用电增容,蓝思科技,water-power,2023-12-01,已销号,2023-12-04,已增容"],
             "status", verify_words, "--on-conflict", "update")
    # The verifier of a pending close-out, or its requester, changed by a file.
    _refused(office, path, [UPDATE_HEADER, row.format(status="verifying", closeout="王督办", verified="钱督办")],
             "verified_by", {"en": "issue #1 has verified_by - and the row says 钱督办: an import does not change "
                                   "who requested or verified a close-out; qiye issue resolve and qiye issue "
                                   "verify 1 record them",
                             "zh": "问题 #1 的审核人为 -，本行为 钱督办：导入不能更改销号申请人或审核人，"
                                   "它们只由 qiye issue resolve 和 qiye issue verify 1 记录"},
             "--on-conflict", "update")
    _refused(office, path, [UPDATE_HEADER, row.format(status="verifying", closeout="李经办", verified="")],
             "closeout_by", {"en": "issue #1 has closeout_by 王督办 and the row says 李经办",
                             "zh": "问题 #1 的销号申请人为 王督办，本行为 李经办"}, "--on-conflict", "update")
    # --dry-run says the same.
    path.write_text(f"{UPDATE_HEADER}\n{row.format(status='resolved', closeout='王督办', verified='钱督办')}\n",
                    encoding="utf-8")
    dry = office("import", "issues", str(path), "--on-conflict", "update", "--dry-run", env=NOW)
    assert dry.exit_code == 1 and "row 2, column status:" in dry.stderr, dry.stderr
    assert office.sql("SELECT status, closeout_by, verified_by FROM issue") == [("verifying", "王督办", None)]

    # The ledger's own rows update it unchanged; `issue verify` is the way to verify.
    exported = tmp_path / "cycle.csv"
    office.ok("export", "issues", "--cycle", "-o", str(exported), env=NOW)
    office.ok("import", "issues", str(exported), "--on-conflict", "update", env=NOW)
    assert office.sql("SELECT status, closeout_by, verified_by FROM issue") == [("verifying", "王督办", None)]
    office.ok("issue", "verify", "1", env=AS_QIAN)
    verified = tmp_path / "verified.csv"
    office.ok("export", "issues", "--cycle", "-o", str(verified), env=NOW)
    office.ok("import", "issues", str(verified), "--on-conflict", "update", env=NOW)
    assert office.sql("SELECT status, closeout_by, verified_by FROM issue") == [("resolved", "王督办", "钱督办")]
    # A file of other cycle columns leaves them as they are.
    path.write_text("id,title,enterprise,category,reported_on,status,resolved_on,resolution,department,return_count\n"
                    "1,二期厂房用电增容,蓝思科技,water-power,2023-12-01,resolved,2023-12-04,已增容,规划建设局,0\n",
                    encoding="utf-8")
    office.ok("import", "issues", str(path), "--on-conflict", "update", env=NOW)
    assert office.sql("SELECT status, closeout_by, verified_by FROM issue") == [("resolved", "王督办", "钱督办")]
    _refused(office, path, [UPDATE_HEADER, row.format(status="resolved", closeout="王督办", verified="")],
             "verified_by", {"en": "issue #1 has verified_by 钱督办 and the row says -",
                             "zh": "问题 #1 的审核人为 钱督办，本行为 -"}, "--on-conflict", "update")
    # New rows bring an old ledger's verified close-outs in, under four eyes.
    path.write_text(f"{UPDATE_HEADER}\n,旧台账问题,蓝思科技,road,2023-11-01,resolved,2023-11-20,已办结,李经办,钱督办\n",
                    encoding="utf-8")
    office.ok("import", "issues", str(path), env=NOW)
    assert office.sql("SELECT status, closeout_by, verified_by FROM issue WHERE id = 2") == [
        ("resolved", "李经办", "钱督办")]
    assert office.ok("db", "check").exit_code == 0


# --- rule 2: an approved extension has its date ----------------------------------------------------


def test_an_extension_count_needs_the_approved_date(office: Qiye, tmp_path: Path) -> None:
    path = tmp_path / "extended.csv"
    header = "title,enterprise,category,reported_on,due_on,status,department,extended_due_on,extension_count"
    words = {"en": "1 approved extension(s) but no extended_due_on: an approved extension always has its date "
                   "(qiye issue extension approve sets both)",
             "zh": "批准延期 1 次却没有延期至日期：批准的延期总有其日期（qiye issue extension approve 同时记录两者）"}
    _refused(office, path, [header, "延期,蓝思科技,road,2023-11-01,2023-11-30,in_progress,规划建设局,,1"],
             "extended_due_on", words)
    # Without the column the count is the cell to blame; 延期次数 is read as the count.
    _refused(office, path, ["问题标题,企业名称,问题类别,登记日期,办结时限,办理状态,责任单位,延期次数",
                            "延期,蓝思科技,road,2023-11-01,2023-11-30,办理中,规划建设局,1"], "延期次数",
             words)
    # As `issue extension approve` leaves it, the row imports.
    path.write_text(f"{header}\n延期,蓝思科技,road,2023-11-01,2023-11-30,in_progress,规划建设局,2023-12-15,1\n"
                    f"未延期,蓝思科技,road,2023-11-01,2023-11-30,in_progress,规划建设局,,0\n", encoding="utf-8")
    office.ok("import", "issues", str(path), env=NOW)
    assert office.sql("SELECT CAST(extended_due_on AS TEXT), extension_count FROM issue WHERE id > 1 ORDER BY id") == [
        ("2023-12-15", 1), (None, 0)]


# --- rule 3: a close-out waiting for verification names who requested it ---------------------------


def test_a_pending_close_out_names_who_requested_it(office: Qiye, tmp_path: Path) -> None:
    path = tmp_path / "verifying.csv"
    header = "title,enterprise,category,reported_on,status,department,resolved_on,resolution,closeout_by,verified_by"
    _refused(office, path, [header, "待审,蓝思科技,road,2023-11-01,verifying,规划建设局,2023-11-20,已办结,,"],
             "closeout_by",
             {"en": "an issue waiting for verification (verifying) needs closeout_by, who requested the close-out",
              "zh": "待审核销号的问题需要填写销号申请人：否则任何人（包括申请人本人）都能审核其销号"})
    _refused(office, path, ["问题标题,企业名称,问题类别,登记日期,办理状态,责任单位,办结日期,办理结果,销号申请人",
                            "待审,蓝思科技,road,2023-11-01,待审核销号,规划建设局,2023-11-20,已办结,"],
             "销号申请人", {"en": "needs closeout_by", "zh": "待审核销号的问题需要填写销号申请人"})
    # As `issue resolve` leaves it with closeout.verify on, it imports, and four eyes hold.
    office.ok("config", "set", "closeout.verify", "on")
    office.ok("issue", "resolve", "1", "--note", "已增容", env=AS_WANG)
    exported = tmp_path / "cycle.csv"
    office.ok("export", "issues", "--cycle", "-o", str(exported), env=NOW)
    lines = exported.read_text(encoding="utf-8").splitlines()
    assert ",verifying," in lines[1] and ",王督办," in lines[1]
    path.write_text("\n".join([lines[0], lines[1].removeprefix("1,")]).replace("id,", "", 1) + "\n", encoding="utf-8")
    office.ok("import", "issues", str(path), env=NOW)
    assert office.sql("SELECT status, closeout_by FROM issue WHERE id = 2") == [("verifying", "王督办")]
    assert office("issue", "verify", "2", env=AS_WANG).exit_code == 1
    office.ok("issue", "verify", "2", env=AS_QIAN)


# --- rule 5: an open issue is acknowledged only while its lead's return waits ----------------------


def test_an_open_issue_is_acknowledged_only_by_a_lead_that_returned_it(office: Qiye, tmp_path: Path) -> None:
    path = tmp_path / "acknowledged.csv"
    words = {"en": "an open issue has no acknowledged_on: the lead department's acknowledgement (qiye issue start) "
                   "makes it in progress",
             "zh": "已登记（待办理）的问题不应有签收日期：主办单位签收（qiye issue start）即转为办理中"}
    header = "title,enterprise,category,reported_on,status,department,dispatched_on,acknowledged_on"
    cycle = f"{header},co_departments,co_acknowledged_on,returned_by,transferred_from"
    refused = {  # the row, and what makes it one no command leaves
        "no department": f"{header}\n无主办,蓝思科技,road,2023-11-01,open,,,2023-11-03",
        "no return": f"{cycle}\n签收未办,蓝思科技,road,2023-11-01,open,规划建设局,2023-11-02,2023-11-03,,,,",
        "a co-handler's return": f"{cycle}\n协办退单,蓝思科技,road,2023-11-01,open,规划建设局,2023-11-02,2023-11-03,"
                                 "消防救援大队,,消防救援大队,",
        "the return transferred": f"{cycle}\n已转回,蓝思科技,road,2023-11-01,open,规划建设局,2023-11-02,2023-11-03,"
                                  ",,规划建设局,规划建设局",
    }
    for line in refused.values():
        _refused(office, path, line.splitlines(), "acknowledged_on", words)
    _refused(office, path, ["问题标题,企业名称,问题类别,登记日期,办理状态,责任单位,派单日期,签收日期,退单次数",
                            "签收未办,蓝思科技,road,2023-11-01,待办理,规划建设局,2023-11-02,2023-11-03,0"],
             "签收日期", words)

    # What the commands leave: the lead acknowledged and returned it, the office has not decided
    # (exported with the cycle, or with the supervision columns alone); a co-handler's 签收.
    office.ok("issue", "start", "1", env=NOW)
    office.ok("issue", "return", "1", "--reason", "非本单位职责", "--note", "不属本局", env=NOW)
    office.ok("issue", "add", "协办签收", "-e", "蓝思科技", "-c", "road", "--reported", "2023-12-01",
              "--dept", "规划建设局", env=NOW)
    office.ok("issue", "assign", "2", "--co", "消防救援大队", env=NOW)
    office.ok("issue", "start", "2", "--dept", "消防救援大队", env=NOW)
    assert office.sql("SELECT status FROM issue ORDER BY id") == [("open",), ("open",)]
    for option in ("--cycle", "--supervision"):
        exported = tmp_path / f"export{option}.csv"
        office.ok("export", "issues", option, "-o", str(exported), env=NOW)
        lines = exported.read_text(encoding="utf-8").splitlines()
        assert ",open,规划建设局," in lines[1] and ",2023-12-01,2023-12-04," in lines[1], lines[1]  # acknowledged
        # Imported as new issues (without their ids), they import.
        exported.write_text("\n".join(line.split(",", 1)[1] for line in lines) + "\n", encoding="utf-8")
        office.ok("import", "issues", str(exported), env=NOW)
    assert office.ok("db", "check").exit_code == 0


# --- rule 4 (not a rule): a department that returned the issue may since have been replaced ---------


def test_a_return_by_a_department_since_replaced_imports(office: Qiye, tmp_path: Path) -> None:
    """returned_by may name a department that is neither the lead, a co-handler nor one it was
    transferred from: a lead whose return was upheld (审定) and which the office then replaced
    (`issue assign --dept`, not a transfer) or `issue edit --dept` changed. Its export imports."""
    office.ok("issue", "return", "1", "--reason", "非本单位职责", "--note", "不属本局", env=NOW)
    office.ok("issue", "uphold", "1", env=NOW)
    office.ok("issue", "assign", "1", "--dept", "自然资源局", env=NOW)
    office.ok("issue", "add", "改派", "-e", "蓝思科技", "-c", "road", "--reported", "2023-12-01", "--dept", "规划建设局",
              env=NOW)
    office.ok("issue", "return", "2", "--reason", "重复", "--note", "重复件", env=NOW)
    office.ok("issue", "uphold", "2", env=NOW)
    office.ok("issue", "edit", "2", "--dept", "消防救援大队", env=NOW)
    exported = tmp_path / "cycle.csv"
    office.ok("export", "issues", "--cycle", "-o", str(exported), env=NOW)
    lines = exported.read_text(encoding="utf-8").splitlines()
    for line, lead in zip(lines[1:], ("自然资源局", "消防救援大队"), strict=True):
        assert f",open,{lead}," in line and ",1,0,规划建设局,," in line, line  # returned once, not transferred
    exported.write_text("\n".join(line.split(",", 1)[1] for line in lines) + "\n", encoding="utf-8")
    office.ok("import", "issues", str(exported), env=NOW)
    assert office.sql("SELECT return_count, transfer_count FROM issue WHERE id > 2 ORDER BY id") == [(1, 0), (1, 0)]
    assert office.ok("db", "check").exit_code == 0


# --- rule 6: with verification on, an update closes out nothing past 审核销号 ----------------------


STATUS_HEADER = "id,title,enterprise,category,reported_on,status,resolved_on,resolution"
CLOSES_OUT = {"en": "issue #1 is {status} and close-out verification (审核销号) is on: an import does not close it "
                    "out; its department runs qiye issue resolve 1, then a supervisor qiye issue verify 1",
              "zh": "问题 #1 当前为{status}，且已开启审核销号：导入不能直接销号，请由责任单位执行 qiye issue resolve 1，"
                    "再由督办执行 qiye issue verify 1"}


def _closes_out(status: dict[str, str]) -> dict[str, str]:
    return {lang: text.format(status=status[lang]) for lang, text in CLOSES_OUT.items()}


def test_with_verification_on_an_update_does_not_resolve_an_unresolved_issue(office: Qiye, tmp_path: Path) -> None:
    office.ok("config", "set", "closeout.verify", "on")
    path = tmp_path / "update.csv"
    resolved = "1,二期厂房用电增容,蓝思科技,water-power,2023-12-01,{status},2023-12-04,已增容"
    # An open issue, then one in progress: straight to resolved, with no verifier named, or the
    # status alone, in English or Chinese headers and cells; --dry-run says the same.
    for stored, words in (("open", {"en": "open", "zh": "已登记"}), ("in_progress", {"en": "in progress", "zh": "办理中"})):
        if stored == "in_progress":
            office.ok("issue", "start", "1", env=NOW)
        _refused(office, path, [STATUS_HEADER, resolved.format(status="resolved")], "status", _closes_out(words),
                 "--on-conflict", "update")
        _refused(office, path, [UPDATE_HEADER, resolved.format(status="resolved") + ",,"], "status",
                 _closes_out(words), "--on-conflict", "update")
        _refused(office, path, ["序号,问题标题,企业名称,问题类别,登记日期,办理状态,办结日期,办理结果",
                                resolved.format(status="已销号")], "办理状态", _closes_out(words),
                 "--on-conflict", "update", "--dry-run")
    assert office.sql("SELECT status, resolved_on, closeout_by, verified_by FROM issue") == [
        ("in_progress", None, None, None)]

    # A close-out request (→ verifying) names who made it, as `issue resolve` records it…
    requesting = resolved.format(status="verifying")
    needs = {"en": "needs closeout_by, who requested the close-out", "zh": "待审核销号的问题需要填写销号申请人"}
    _refused(office, path, [STATUS_HEADER, requesting], "status", needs, "--on-conflict", "update")
    _refused(office, path, [UPDATE_HEADER, requesting + ",,"], "closeout_by", needs, "--on-conflict", "update")
    path.write_text(f"{UPDATE_HEADER}\n{requesting},李经办,\n", encoding="utf-8")
    office.ok("import", "issues", str(path), "--on-conflict", "update", env=NOW)
    assert office.sql("SELECT status, closeout_by, verified_by FROM issue") == [("verifying", "李经办", None)]
    # …and then waits for verification like any other: not by its requester.
    assert office("issue", "verify", "1", env={**NOW, "QIYE_USER": "李经办"}).exit_code == 1
    office.ok("issue", "verify", "1", env=AS_QIAN)
    # A row that repeats the resolved issue updates it; new rows bring an old ledger's close-outs in.
    path.write_text(f"{STATUS_HEADER}\n{resolved.format(status='resolved')}\n"
                    ",旧台账问题,蓝思科技,road,2023-11-01,已销号,2023-11-20,已办结\n", encoding="utf-8")
    office.ok("import", "issues", str(path), "--on-conflict", "update", env=NOW)
    assert office.sql("SELECT id, status, closeout_by, verified_by FROM issue ORDER BY id") == [
        (1, "resolved", "李经办", "钱督办"), (2, "resolved", None, None)]
    assert office.ok("db", "check").exit_code == 0

    # With verification off, a single cadre's ledger updates as before.
    office.ok("config", "set", "closeout.verify", "off")
    office.ok("issue", "add", "道路破损", "-e", "蓝思科技", "-c", "road", "--reported", "2023-12-01", env=NOW)
    path.write_text(f"{STATUS_HEADER}\n3,道路破损,蓝思科技,road,2023-12-01,resolved,2023-12-04,已修复\n",
                    encoding="utf-8")
    office.ok("import", "issues", str(path), "--on-conflict", "update", env=NOW)
    assert office.sql("SELECT status FROM issue WHERE id = 3") == [("resolved",)]


def test_verification_is_on_once_a_user_is_registered(office: Qiye, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from qiye_service.services import permissions

    monkeypatch.setattr(permissions, "os_login", lambda: "os-login")
    login = str(office.sql("SELECT session_user")[0][0]) if office.url.startswith("postgresql") else "os-login"
    office.ok("user", "add", "管理员", "--role", "admin", "--login", login)
    path = tmp_path / "update.csv"
    _refused(office, path, [STATUS_HEADER, "1,二期厂房用电增容,蓝思科技,water-power,2023-12-01,resolved,2023-12-04,已增容"],
             "status", _closes_out({"en": "open", "zh": "已登记"}), "--on-conflict", "update",
             env={**NOW, "QIYE_USER": ""})
