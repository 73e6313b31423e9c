"""Issue 23 points 1, 2 and 3 through the real CLI, on every backend: `qiye remind` prints what
needs each department and person, `--send` delivers each digest through apprise to a target on
127.0.0.1 (tests/notify_target.py) at most once a day, a failing or hanging target is named while
the others still get theirs, and `config set notify.*` takes only URLs apprise understands.

The clock is pinned to Wed 2023-12-20 (conftest). The ledger (`office`):

- #1 消防验收, 消防救援大队, owner 王强, due 2023-12-08, not acknowledged: red (8 working days late)
- #2 用电增容, 国网浏阳供电公司, owner 李娜, due Fri 2023-12-22, not acknowledged: due soon
- #3 消防车道, 消防救援大队, owner 王强, due 2023-12-18, acknowledged: overdue (2 working days)
- #4 道路, 消防救援大队 (acknowledged) with 国网浏阳供电公司 co-handling, not acknowledged by it
- #5 消防水池, owner 张三: an extension request by `tester`, waiting for a supervisor
- #6 消防栓, owner 张三: closed out by `tester`, waiting for verification (closeout.verify on)
- #7 消防门, due 2023-12-08 but resolved: on nobody's list
- #8 用水接入, owner 李娜, due 2023-12-19, returned (退单) by 国网浏阳供电公司: the office's to decide,
  not the department's (its owner still sees it overdue)
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from conftest import Qiye
from notify_target import NotifyTarget, refused_url

FIRE, POWER = "消防救援大队", "国网浏阳供电公司"


@pytest.fixture
def target() -> Iterator[NotifyTarget]:
    server = NotifyTarget()
    yield server
    server.close()


def _add(qiye: Qiye, title: str, dept: str, owner: str, due: str, enterprise: str = "蓝思科技") -> None:
    qiye.ok("issue", "add", title, "-e", enterprise, "-c", "消防验收", "--dept", dept, "--owner", owner,
            "--reported", "2023-12-01", "--due", due)


@pytest.fixture
def office(qiye: Qiye) -> Qiye:
    qiye.ok("enterprise", "add", "蓝思科技")
    qiye.ok("enterprise", "add", "九典制药")
    qiye.ok("department", "add", FIRE)
    qiye.ok("department", "add", POWER)
    _add(qiye, "消防验收", FIRE, "王强", "2023-12-08")
    _add(qiye, "用电增容", POWER, "李娜", "2023-12-22", enterprise="九典制药")
    _add(qiye, "消防车道", FIRE, "王强", "2023-12-18")
    qiye.ok("issue", "start", "3")
    _add(qiye, "道路", FIRE, "王强", "2024-02-01")
    qiye.ok("issue", "start", "4")
    qiye.ok("issue", "assign", "4", "--co", POWER)
    _add(qiye, "消防水池", FIRE, "张三", "2024-02-01")
    qiye.ok("issue", "start", "5")
    qiye.ok("issue", "extend", "5", "--to", "2024-03-01", "--reason", "等待省厅批复")
    _add(qiye, "消防栓", FIRE, "张三", "2024-02-01")
    _add(qiye, "消防门", FIRE, "张三", "2023-12-08")
    qiye.ok("issue", "resolve", "7", "--note", "已整改")
    qiye.ok("config", "set", "closeout.verify", "on")
    qiye.ok("issue", "start", "6")
    qiye.ok("issue", "resolve", "6", "--note", "已更换")
    _add(qiye, "用水接入", POWER, "李娜", "2023-12-19")
    qiye.ok("issue", "return", "8", "--reason", "非本单位职责", "--note", "属水务公司职责")
    return qiye


def register(qiye: Qiye, name: str, role: str, login: str | None = None) -> None:
    qiye.sql("INSERT INTO app_user (name, role, login, active, created_at) VALUES (:n, :r, :l, :a, :c)",
             n=name, r=role, l=login, a=True, c="2023-12-20 02:01:00")


def digests(qiye: Qiye, *args: str) -> dict[tuple[str, str], list[tuple[str, int]]]:
    data = json.loads(qiye.ok("remind", *args, "--format", "json").stdout)
    return {(d["kind"], d["name"]): [(item["need"], item["id"]) for item in d["items"]] for d in data["recipients"]}


# --- point 1: the digests ---------------------------------------------------------------------------


def test_digest_of_every_department_and_person(office: Qiye) -> None:
    register(office, "王督办", "supervisor")
    register(office, "tester", "supervisor")  # asked for #5's extension and closed #6 out: not theirs to decide
    found = digests(office, "--all")
    assert list(found) == [("department", POWER), ("department", FIRE), ("person", "tester"), ("person", "李娜"),
                           ("person", "王强"), ("person", "王督办")]
    assert found[("department", POWER)] == [("unacknowledged", 2), ("unacknowledged", 4), ("due-soon", 2)]
    assert found[("department", FIRE)] == [("unacknowledged", 1), ("red", 1), ("overdue", 3)]
    assert found[("person", "李娜")] == [("unacknowledged", 2), ("overdue", 8), ("due-soon", 2)]
    assert found[("person", "王强")] == [("unacknowledged", 1), ("red", 1), ("overdue", 3)]
    assert found[("person", "王督办")] == [("returned", 8), ("extension", 5), ("verifying", 6)]
    assert found[("person", "tester")] == [("returned", 8)]
    assert digests(office) == found  # no choice: everyone

    data = json.loads(office.ok("remind", "--for", "王督办", "--format", "json").stdout)
    assert data["as_of"] == "2023-12-20" and data["due_soon"] == 3
    (digest,) = data["recipients"]
    assert digest["counts"] == {"unacknowledged": 0, "red": 0, "overdue": 0, "due-soon": 0, "returned": 1,
                                "extension": 1, "verifying": 1}
    assert digest["items"][0]["department"] == POWER  # the department that sent #8 back
    assert digest["items"][1] == {"need": "extension", "id": 5, "title": "消防水池", "enterprise": "蓝思科技",
                                  "department": FIRE, "owner": "张三", "deadline": "2024-02-01",
                                  "days_overdue": None, "extension_to": "2024-03-01"}


def test_one_department_or_person_by_the_names_people_type(office: Qiye) -> None:
    assert digests(office, "--dept", "供电") == {("department", POWER): [
        ("unacknowledged", 2), ("unacknowledged", 4), ("due-soon", 2)]}
    assert digests(office, "--for", "wq") == {("person", "王强"): [("unacknowledged", 1), ("red", 1), ("overdue", 3)]}
    refused = office("remind", "--dept", "消防大队救援")
    assert refused.exit_code == 1 and refused.stderr.startswith("error: ") and FIRE in refused.stderr
    refused = office("remind", "--for", "王小强")
    assert refused.exit_code == 1 and "did you mean 王强" in refused.stderr
    both = office("remind", "--for", "王强", "--dept", FIRE)
    assert both.exit_code == 1 and "only one of --for, --dept and --all" in both.stderr
    nothing = office.ok("remind", "--for", "张三")
    assert "nothing needs reminding today" in nothing.stderr


def test_dept_and_for_are_repeatable_like_the_issue_filters(office: Qiye) -> None:
    """`--dept A --dept B` gives each its digest (it kept only B), as `issue list --dept` and
    `--status` take several; so does `--for`. A name that matches no one is still refused."""
    power = [("unacknowledged", 2), ("unacknowledged", 4), ("due-soon", 2)]
    fire = [("unacknowledged", 1), ("red", 1), ("overdue", 3)]
    assert digests(office, "--dept", FIRE, "--dept", "供电") == {("department", POWER): power,
                                                                 ("department", FIRE): fire}
    assert digests(office, "--dept", FIRE, "--dept", "消防救援大队") == {("department", FIRE): fire}
    assert digests(office, "--for", "wq", "--for", "李娜") == {
        ("person", "李娜"): [("unacknowledged", 2), ("overdue", 8), ("due-soon", 2)], ("person", "王强"): fire}
    table = office.ok("--lang", "zh", "remind", "--dept", FIRE, "--dept", POWER).stdout
    assert f"{FIRE}（责任单位，3 项）" in table and f"{POWER}（责任单位，3 项）" in table
    refused = office("remind", "--dept", FIRE, "--dept", "消防大队救援")
    assert refused.exit_code == 1 and refused.stderr.startswith("error: ") and not refused.stdout


def test_due_soon_horizon_is_configurable(office: Qiye) -> None:
    office.ok("config", "set", "remind.due_soon", "1")  # Thu 12-21 only: #2 (Fri 12-22) is not due soon
    assert digests(office, "--dept", POWER)[("department", POWER)] == [("unacknowledged", 2), ("unacknowledged", 4)]
    office.ok("config", "set", "remind.due_soon", "2wd")
    assert ("due-soon", 2) in digests(office, "--dept", POWER)[("department", POWER)]
    assert office("config", "set", "remind.due_soon", "soon").exit_code == 1


def test_table_and_markdown_in_both_languages(office: Qiye) -> None:
    table = office.ok("remind", "--dept", FIRE, env={"COLUMNS": "60"}).stdout
    assert table.startswith("Reminders for 2023-12-20\n")
    assert f"{FIRE} (department, 3 item(s))" in table and "not acknowledged" in table
    markdown = office.ok("remind", "--dept", FIRE, "--format", "markdown", "--lang", "zh").stdout
    assert markdown == (
        "# 2023-12-20 待办提醒\n\n共 1 个接收方；临期：3 个工作日内到期\n\n"
        f"## {FIRE}（责任单位，3 项）\n\n"
        "未签收（1）\n"
        "- #1 消防验收（蓝思科技），王强\n"
        "红色督办（1）\n"
        "- #1 消防验收（蓝思科技），王强，截止 2023-12-08，逾期 12 天\n"
        "黄色逾期（1）\n"
        "- #3 消防车道（蓝思科技），王强，截止 2023-12-18，逾期 2 天\n")


# --- point 2: delivery --------------------------------------------------------------------------------

FIRE_DIGEST = (
    "not acknowledged: 1\n"
    "- #1 消防验收 (蓝思科技), 王强\n"
    "red: 1\n"
    "- #1 消防验收 (蓝思科技), 王强, due 2023-12-08, 12 day(s) overdue\n"
    "overdue (yellow): 1\n"
    "- #3 消防车道 (蓝思科技), 王强, due 2023-12-18, 2 day(s) overdue")


def deliveries(qiye: Qiye) -> list[tuple[str, str, str, int]]:
    rows = qiye.sql("SELECT recipient, day, outcome, items FROM reminder_delivery ORDER BY id")
    return [(name, str(day), outcome, items) for name, day, outcome, items in rows]


def test_send_delivers_each_digest_once_a_day(office: Qiye, target: NotifyTarget) -> None:
    office.ok("config", "set", f"notify.dept.{FIRE}", target.url("fire"))
    office.ok("config", "set", "notify.user.王强", target.url("wang"))
    result = office.ok("remind", "--send")
    assert result.stdout == ""
    (fire,) = target.bodies("fire")
    assert fire["title"] == f"qiye reminders: {FIRE} (department, 3 item(s)), 2023-12-20"
    assert fire["message"].strip() == FIRE_DIGEST
    (wang,) = target.bodies("wang")
    assert "- #3 消防车道 (蓝思科技), 消防救援大队, due 2023-12-18, 2 day(s) overdue" in wang["message"]
    assert f"sent {FIRE}'s reminders (3 item(s)) to json://127.0.0.1:{target.port}/fire" in result.stderr
    assert f"no notify target for: {POWER}, 李娜" in result.stderr
    assert deliveries(office) == [(FIRE, "2023-12-20", "sent", 3), ("王强", "2023-12-20", "sent", 3)]

    # The same day again (a second cron line, a rerun): nobody is reminded twice.
    again = office.ok("remind", "--send", env={"QIYE_NOW": "2023-12-20T17:00:00+08:00"})
    assert f"{FIRE}: already reminded today" in again.stderr
    assert len(target.received) == 2 and len(deliveries(office)) == 2
    # --force sends again; the next morning everyone is reminded again, in the language asked for.
    office.ok("remind", "--send", "--force", "--dept", FIRE)
    assert len(target.bodies("fire")) == 2 and len(target.bodies("wang")) == 1
    office.ok("remind", "--send", "--lang", "zh", env={"QIYE_NOW": "2023-12-21T08:30:00+08:00"})
    latest = target.bodies("fire")[-1]
    assert latest["title"] == f"qiye 待办提醒：{FIRE}（责任单位，3 项），2023-12-21"
    assert latest["message"].startswith("未签收（1）\n- #1 消防验收（蓝思科技），王强\n")
    assert [row[:3] for row in deliveries(office)][-2:] == [(FIRE, "2023-12-21", "sent"), ("王强", "2023-12-21", "sent")]


def test_a_failing_target_is_named_and_the_others_still_get_theirs(office: Qiye, target: NotifyTarget) -> None:
    office.ok("config", "set", f"notify.dept.{FIRE}", target.url("fail"))  # answers 500
    refused = refused_url()
    office.ok("config", "set", f"notify.dept.{POWER}", refused)  # nothing listens
    office.ok("config", "set", "notify.default", target.url("office"))  # everyone else
    result = office("remind", "--send")
    assert result.exit_code == 1
    assert f"error: the reminders for {FIRE} could not be delivered to json://127.0.0.1:{target.port}/fail" \
        in result.stderr
    assert f"error: the reminders for {POWER} could not be delivered to {refused}" in result.stderr
    assert "Traceback" not in result.output
    assert sorted(body["title"].split(": ")[1].split(" (")[0] for body in target.bodies("office")) == ["李娜", "王强"]
    assert sorted(deliveries(office)) == sorted([
        (FIRE, "2023-12-20", "failed", 3), (POWER, "2023-12-20", "failed", 3),
        ("李娜", "2023-12-20", "sent", 3), ("王强", "2023-12-20", "sent", 3)])
    # A failed delivery is tried again by the next run; the ones that arrived are not sent twice.
    again = office("remind", "--send")
    assert again.exit_code == 1
    assert len(target.bodies("fail")) == 2 and len(target.bodies("office")) == 2


def test_a_failure_is_said_in_chinese_under_zh(office: Qiye, target: NotifyTarget) -> None:
    """Under --lang zh the failed targets' errors are Chinese (HTTP 500 said as 服务器返回 HTTP 500, a
    refused connection as 无法连接): apprise's English words appear only under en or QIYE_DEBUG=1."""
    office.ok("config", "set", f"notify.dept.{FIRE}", target.url("fail"))  # answers 500
    refused = refused_url()
    office.ok("config", "set", f"notify.dept.{POWER}", refused)  # nothing listens
    result = office("--lang", "zh", "remind", "--send", "--dept", FIRE, "--dept", POWER)
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert errors == [f"error: {POWER} 的提醒未能发送到 {refused}：发送失败，无法连接目标地址",
                      f"error: {FIRE} 的提醒未能发送到 json://127.0.0.1:{target.port}/fail：发送失败，服务器返回 HTTP 500"]
    for word in ("Failed", "notification", "Connection", "Internal", "error="):
        assert word not in result.stderr
    english = office("--lang", "en", "remind", "--send", "--dept", FIRE)
    assert "Failed to send JSON POST notification: Internal server error., error=500." in english.stderr
    debug = office("--lang", "zh", "remind", "--send", "--dept", FIRE, env={"QIYE_DEBUG": "1"})
    assert "发送失败，服务器返回 HTTP 500（Failed to send JSON POST notification" in debug.stderr


def test_a_hanging_target_is_given_up_on_after_the_timeout(office: Qiye, target: NotifyTarget) -> None:
    office.ok("config", "set", "remind.timeout", "1")
    office.ok("config", "set", f"notify.dept.{FIRE}", target.url("hang"))  # takes the post, never answers
    office.ok("config", "set", "notify.user.王强", target.url("wang"))
    started = time.monotonic()
    result = office("remind", "--send", "--lang", "zh")
    elapsed = time.monotonic() - started
    assert result.exit_code == 1
    assert elapsed < 8, f"a hanging target held qiye for {elapsed:.1f} s"
    assert f"error: {FIRE} 的提醒未能发送到 json://127.0.0.1:{target.port}/hang：发送失败，目标地址超时未应答\n" \
        in result.stderr
    assert len(target.bodies("wang")) == 1
    assert ("王强", "2023-12-20", "sent", 3) in deliveries(office)


def test_only_the_office_sends(office: Qiye, target: NotifyTarget, monkeypatch: pytest.MonkeyPatch) -> None:
    from qiye_service.services import permissions

    monkeypatch.setattr(permissions, "os_login", lambda: "os-login")
    office.ok("config", "set", f"notify.dept.{FIRE}", target.url("fire"))
    login = str(office.sql("SELECT session_user")[0][0]) if office.url.startswith("postgresql") else "os-login"
    register(office, "张干部", "cadre", login=login)
    plain = office.ok("remind", "--dept", FIRE, env={"QIYE_USER": ""})  # reading: anyone
    assert "消防验收" in plain.stdout
    refused = office("remind", "--send", env={"QIYE_USER": ""})
    assert refused.exit_code == 1
    assert "error: 张干部 is a cadre and may not run `qiye remind --send`" in refused.stderr
    assert target.received == [] and deliveries(office) == []


# --- point 3: targets are URLs apprise understands -----------------------------------------------------


def test_config_set_checks_notify_urls(office: Qiye, tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "config" / "config.toml"
    before = config.read_text()
    bad = office("config", "set", "notify.dept.消防", "wechat://not-a-scheme")
    assert bad.exit_code == 1
    assert bad.stderr.startswith("error: invalid value 'wechat://not-a-scheme' for notify.dept.消防救援大队: "
                                 "not a notification URL apprise understands")
    assert office("config", "set", "notify.default", "https://").exit_code == 1
    assert config.read_text() == before
    office.ok("config", "set", "notify.dept.消防", "wecombot://0123456789abcdef")  # 企业微信 group robot
    office.ok("config", "set", "notify.dept.供电", "dingtalk://abcdef0123456789")  # 钉钉 group robot
    office.ok("config", "set", "notify.user.wq", "mailto://user:secret@example.com")  # 王强, typed in pinyin
    assert office.ok("config", "get", "notify.user.王强").stdout.strip() == "mailto://user:***@example.com"
    assert office.ok("config", "get", f"notify.dept.{FIRE}").stdout.strip() == "wecombot://0123456789abcdef"
    assert office.ok("config", "get", f"notify.dept.{POWER}").stdout.strip() == "dingtalk://abcdef0123456789"
    unknown = office("config", "set", "notify.dept.应急管理局", "wecombot://0123456789abcdef")
    assert unknown.exit_code == 1 and unknown.stderr.startswith("error: ")
    assert office("config", "set", "remind.timeout", "forever").exit_code == 1


def test_the_delivery_log_moves_with_the_ledger(office: Qiye, target: NotifyTarget, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Backup and restore carry the log (a PostgreSQL ledger's backup is an SQLite file: the move
    between the backends), so a restored ledger still knows who was reminded today."""
    import sqlite3

    office.ok("config", "set", f"notify.dept.{FIRE}", target.url("fire"))
    office.ok("remind", "--send", "--dept", FIRE)
    logged = office.sql("SELECT recipient_kind, recipient, day, sent_by, target, outcome, items FROM reminder_delivery")
    backup = tmp_path / "backup.db"
    office.ok("db", "backup", str(backup))
    with sqlite3.connect(backup) as conn:
        copied = conn.execute("SELECT recipient_kind, recipient, day, sent_by, target, outcome, items "
                              "FROM reminder_delivery").fetchall()
    assert [tuple(str(value) for value in row) for row in copied] == [
        tuple(str(value) for value in row) for row in logged]
    office.sql("DELETE FROM reminder_delivery")
    office.ok("db", "restore", str(backup), "--yes")
    assert deliveries(office) == [(FIRE, "2023-12-20", "sent", 3)]
    again = office.ok("remind", "--send", "--dept", FIRE)
    assert "already reminded today" in again.stderr and len(target.bodies("fire")) == 1
