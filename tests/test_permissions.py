"""People and roles (issue 19 points 2, 3, 4): who is acting, and who may run which writing
command on which issues. Every writing command is driven as every role, on SQLite and on
PostgreSQL (whose identity is the database login, `session_user`: the tests' login is mapped
to the role under test)."""

from __future__ import annotations

from pathlib import Path

import pytest

from notify_target import NotifyTarget
from qiye_service.i18n import translate
from qiye_service.services import permissions
from qiye_service.services.permissions import PERMISSIONS, ROLES, Forbidden, Person, require_four_eyes

OS_LOGIN = "os-login"
PEOPLE = {"cadre": "张干部", "handler": "李经办", "supervisor": "王督办", "admin": "赵管理"}
NO_USER_ENV = {"QIYE_USER": ""}
# The users are registered a minute after the pinned clock the ledger was filed at; LATER is when
# the tests' commands after that run, for what db check holds to the table.
REGISTERED_AT = "2023-12-20 02:01:00"
LATER = {"QIYE_USER": "", "QIYE_NOW": "2023-12-20T11:00:00+08:00"}  # base_env's QIYE_USER=tester is --as for everyone


@pytest.fixture(autouse=True)
def fixed_os_login(monkeypatch: pytest.MonkeyPatch) -> None:
    """On SQLite the identity is the OS login: the same one wherever the tests run."""
    monkeypatch.setattr(permissions, "os_login", lambda: OS_LOGIN)


def login_of(qiye) -> str:  # type: ignore[no-untyped-def]
    """The login this test's commands are known by: session_user on PostgreSQL, else the OS login."""
    if qiye.url.startswith("postgresql"):
        return str(qiye.sql("SELECT session_user")[0][0])
    return OS_LOGIN


def register(qiye, name: str, role: str, dept: str | None = None, login: str | None = None,  # type: ignore[no-untyped-def]
             active: bool = True) -> None:
    dept_id = qiye.sql("SELECT id FROM department WHERE name = :d", d=dept)[0][0] if dept else None
    qiye.sql("INSERT INTO app_user (name, role, department_id, login, active, created_at) "
             "VALUES (:n, :r, :d, :l, :a, :c)", n=name, r=role, d=dept_id, l=login, a=active,
             c=REGISTERED_AT)


def become(qiye, role: str | None) -> None:  # type: ignore[no-untyped-def]
    """Map this test's login to the user of `role` (None: to nobody)."""
    qiye.sql("UPDATE app_user SET login = NULL")
    if role is not None:
        qiye.sql("UPDATE app_user SET login = :l WHERE name = :n", l=login_of(qiye), n=PEOPLE[role])


@pytest.fixture(scope="module")
def notify_target():  # type: ignore[no-untyped-def]
    """Where `remind --send` delivers (a JSON webhook on 127.0.0.1, tests/notify_target.py)."""
    server = NotifyTarget()
    yield server
    server.close()


@pytest.fixture
def office(qiye, tmp_path: Path, notify_target):  # type: ignore[no-untyped-def]
    """A ledger filed before anyone registered, then four users, one per role.

    #1 消防救援大队, owner 王强; #2 供电, owner 李娜; #3 消防救援大队, owner 张干部 (the cadre),
    open; #4 the same, resolved. The cadre and the handler both reach #3 and #4, not #1 or #2."""
    qiye.ok("enterprise", "add", "蓝思科技")
    qiye.ok("department", "add", "消防救援大队")
    qiye.ok("department", "add", "国网浏阳供电公司")
    qiye.ok("issue", "add", "消防验收", "-e", "蓝思科技", "-c", "消防验收", "--dept", "消防救援大队",
            "--owner", "王强", "--reported", "2023-12-01")
    qiye.ok("issue", "add", "用电增容", "-e", "蓝思科技", "-c", "water-power", "--dept", "国网浏阳供电公司",
            "--owner", "李娜", "--reported", "2023-12-01")
    qiye.ok("issue", "add", "消防车道", "-e", "蓝思科技", "-c", "消防验收", "--dept", "消防救援大队",
            "--owner", "张干部", "--reported", "2023-12-02")
    qiye.ok("issue", "add", "消防水池", "-e", "蓝思科技", "-c", "消防验收", "--dept", "消防救援大队",
            "--owner", "张干部", "--reported", "2023-12-02")
    qiye.ok("issue", "resolve", "4", "--note", "已整改")
    # issue 20: #5 suspended, #1 with an extension request waiting, #2 returned by its department,
    # #6 closed out and waiting for verification (closeout.verify on).
    qiye.ok("issue", "add", "消防通道", "-e", "蓝思科技", "-c", "消防验收", "--dept", "消防救援大队",
            "--owner", "张干部", "--reported", "2023-12-02")
    qiye.ok("issue", "suspend", "5", "--reason", "等待企业补充材料")
    qiye.ok("issue", "extend", "1", "--to", "2023-12-29", "--reason", "等待省厅批复")
    qiye.ok("issue", "return", "2", "--reason", "非本单位职责", "--note", "属规划建设局职责")
    qiye.ok("issue", "add", "消防栓", "-e", "蓝思科技", "-c", "消防验收", "--dept", "消防救援大队",
            "--owner", "张干部", "--reported", "2023-12-02")
    qiye.ok("config", "set", "closeout.verify", "on")
    qiye.ok("issue", "resolve", "6", "--note", "已更换")
    qiye.ok("config", "set", "notify.default", notify_target.url("office"))  # issue 23: remind --send
    qiye.ok("db", "backup", str(tmp_path / "backup.db"))
    register(qiye, PEOPLE["cadre"], "cadre")
    register(qiye, PEOPLE["handler"], "handler", dept="消防救援大队")
    register(qiye, PEOPLE["supervisor"], "supervisor")
    register(qiye, PEOPLE["admin"], "admin")
    register(qiye, "钱停用", "cadre", active=False)
    (tmp_path / "issues.csv").write_text("title,enterprise,category,reported_on\n新问题,蓝思科技,消防验收,2023-12-01\n", encoding="utf-8")
    (tmp_path / "enterprises.csv").write_text("name,zone\n九典制药,南园\n", encoding="utf-8")
    (tmp_path / "验收意见.txt").write_text("消防验收合格\n", encoding="utf-8")  # issue 23: evidence
    (tmp_path / "visits.csv").write_text("走访日期,走访企业,走访人,走访情况\n2023-12-18,蓝思科技,张干部,了解用工\n",
                                         encoding="utf-8")
    return qiye


def invocations(tmp_path: Path) -> dict[str, list[str]]:
    """One call of every writing command that succeeds for a role allowed to run it."""
    return {
        "init": ["init"],
        "db upgrade": ["db", "upgrade"],
        "db restore": ["db", "restore", str(tmp_path / "backup.db"), "--yes"],
        "db seal": ["db", "seal"],
        "config set": ["config", "set", "timezone", "Asia/Shanghai"],
        "user add": ["user", "add", "新同事", "--role", "cadre"],
        "user edit": ["user", "edit", PEOPLE["cadre"], "--role", "supervisor"],
        "user disable": ["user", "disable", PEOPLE["cadre"]],
        "user enable": ["user", "enable", "钱停用"],
        "import users": ["import", "users", str(tmp_path / "users.csv")],
        "import issues": ["import", "issues", str(tmp_path / "issues.csv")],
        "import enterprises": ["import", "enterprises", str(tmp_path / "enterprises.csv")],
        "category add": ["category", "add", "safety", "--zh", "安全生产", "--en", "Safety"],
        "department add": ["department", "add", "应急管理局"],
        "enterprise add": ["enterprise", "add", "九典制药"],
        "enterprise edit": ["enterprise", "edit", "蓝思科技", "--zone", "南园"],
        "issue add": ["issue", "add", "新问题", "-e", "蓝思科技", "-c", "消防验收"],
        "issue add --dept": ["issue", "add", "新问题", "-e", "蓝思科技", "-c", "消防验收", "--dept", "消防救援大队"],
        "issue edit": ["issue", "edit", "3", "--priority", "high"],
        "issue edit --dept": ["issue", "edit", "3", "--dept", "国网浏阳供电公司"],
        "issue edit --owner": ["issue", "edit", "3", "--owner", "刘洋"],
        "issue comment": ["issue", "comment", "3", "已电话联系企业"],
        "issue tag": ["issue", "tag", "3", "+重点项目"],
        "issue start": ["issue", "start", "3"],
        "issue resolve": ["issue", "resolve", "3", "--note", "已解决"],
        "issue defer": ["issue", "defer", "3", "--note", "等待省里批复"],
        "issue reopen": ["issue", "reopen", "4", "--note", "企业反映未解决"],
        "issue assign": ["issue", "assign", "3", "--owner", "刘洋"],
        "issue escalate": ["issue", "escalate", "3", "--note", "逾期"],
        "issue callback": ["issue", "callback", "4", "--result", "满意"],
        "issue extend": ["issue", "extend", "3", "--to", "2023-12-29", "--reason", "等待检测报告"],
        "issue extension approve": ["issue", "extension", "approve", "1"],
        "issue extension refuse": ["issue", "extension", "refuse", "1", "--note", "理由不充分"],
        "issue suspend": ["issue", "suspend", "3", "--reason", "等待企业补充材料"],
        "issue resume": ["issue", "resume", "5"],
        "issue verify": ["issue", "verify", "6"],
        "issue return": ["issue", "return", "3", "--reason", "非本单位职责", "--note", "属供电公司职责"],
        "issue uphold": ["issue", "uphold", "2", "--note", "经审定属供电公司职责"],
        "issue attach": ["issue", "attach", "3", str(tmp_path / "验收意见.txt"), "--note", "验收意见书"],
        "remind --send": ["remind", "--send", "--dept", "消防救援大队"],
        # issue 22: visits and 包联
        "enterprise assign": ["enterprise", "assign", "蓝思科技", "--liaison", "刘洋"],
        "enterprise edit --liaison": ["enterprise", "edit", "蓝思科技", "--liaison", "刘洋"],
        "visit add": ["visit", "add", "蓝思科技", "--on", "2023-12-19", "--note", "走访了解用工"],
        "import visits": ["import", "visits", str(tmp_path / "visits.csv")],
    }


def fingerprint(qiye, tmp_path: Path) -> tuple:  # type: ignore[no-untyped-def]
    """Everything a writing command could change: row counts, the history heads, the settings."""
    counts = tuple(qiye.sql(f"SELECT COUNT(*) FROM {table}")[0][0]
                   for table in ("issue", "event", "enterprise", "department", "category", "app_user", "seal",
                                 "reminder_delivery", "visit", "liaison_assignment", "attachment"))
    heads = tuple(qiye.sql("SELECT id, status, priority, owner, history_hash FROM issue ORDER BY id"))
    users = tuple(qiye.sql("SELECT name, role, active FROM app_user ORDER BY name"))
    enterprises = tuple(qiye.sql("SELECT name, zone, liaison FROM enterprise ORDER BY name"))
    config = tmp_path / "config" / "config.toml"
    return counts, heads, users, enterprises, config.read_text() if config.exists() else None


def cli_commands() -> set[str]:
    from typer.main import get_command

    from qiye_service.cli import app

    root = get_command(app)
    found: set[str] = set()

    def walk(group, prefix: str) -> None:  # type: ignore[no-untyped-def]
        for name in group.list_commands(None):  # type: ignore[arg-type]
            command = group.get_command(None, name)  # type: ignore[arg-type]
            if hasattr(command, "list_commands"):
                walk(command, f"{prefix}{name} ")
            else:
                found.add(f"{prefix}{name}")

    walk(root, "")
    return found


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("command", list(PERMISSIONS))
def test_every_writing_command_as_every_role(office, tmp_path: Path, command: str, role: str) -> None:
    if command.split()[0] == "user" or command == "import users":
        if command not in cli_commands():
            pytest.skip(f"`qiye {command}` arrives with the users branch")
        (tmp_path / "users.csv").write_text("name,role\n新同事,cadre\n", encoding="utf-8")
    args = invocations(tmp_path)[command]
    become(office, role)
    # `issue edit --dept` is `issue edit`'s row, then its own: the first that refuses is named
    rows = [row for row in (command.split(" --")[0], command) if row in PERMISSIONS]
    refusing = [row for row in rows if role not in PERMISSIONS[row].roles]
    before = fingerprint(office, tmp_path)
    result = office(*args, env=NO_USER_ENV)
    if not refusing:
        assert result.exit_code == 0, result.output
        if command not in ("init", "db upgrade", "db restore"):
            assert fingerprint(office, tmp_path) != before, f"{command} as {role} changed nothing"
    else:
        assert result.exit_code == 1, result.output
        rule = PERMISSIONS[refusing[0]]
        wanted = translate("error.perm.role", "en", command=refusing[0], role=translate(f"role.{role}", "en"),
                           name=PEOPLE[role], roles=translate(f"perm.roles.{'+'.join(rule.roles)}", "en"))
        assert result.stderr.strip() == f"error: {wanted}"
        assert fingerprint(office, tmp_path) == before


def test_every_writing_command_is_in_the_table() -> None:
    """A new command must be classified: listed here as reading, or given its row in PERMISSIONS."""
    reading = {"issue list", "issue show", "enterprise list", "enterprise show", "category list",
               "department list", "report summary", "report weekly", "report overdue", "report trend",
               "report scorecard",
               "report supervision", "report meeting", "export issues", "export enterprises", "export events",
               "export users", "db backup", "db check", "db info", "config get", "config list", "config path",
               "user list", "user show", "user roles", "remind", "visit list", "visit show", "report visits",
               "export visits",
               "attachment get", "attachment list", "export attachments"}  # evidence (issue 23)
    # PostgreSQL itself lets only the ledger's owner grant (issue 19 point 5): no qiye role can.
    owner_only = {"db grant"}
    unclassified = cli_commands() - reading - owner_only - set(PERMISSIONS)
    assert not unclassified, f"classify these as reading or writing: {sorted(unclassified)}"


def test_handler_only_on_their_departments_issues(office) -> None:
    become(office, "handler")
    refused = office("issue", "start", "2", env=NO_USER_ENV)
    assert refused.exit_code == 1
    assert "a handler runs `qiye issue start` only on their department's issues" in refused.stderr
    assert "a supervisor or an admin may on any issue" in refused.stderr
    assert office.sql("SELECT status FROM issue WHERE id = 2") == [("open",)]
    office.ok("issue", "start", "1", env=NO_USER_ENV)  # 消防救援大队's, owned by someone else
    assert office.sql("SELECT actor FROM event WHERE issue_id = 1 ORDER BY id DESC LIMIT 1") == [("李经办",)]


def test_cadre_only_on_issues_they_filed_or_own(office) -> None:
    become(office, "cadre")
    refused = office("issue", "comment", "1", "催办", env=NO_USER_ENV)
    assert refused.exit_code == 1
    assert "a cadre runs `qiye issue comment` only on issues they filed or own" in refused.stderr
    office.ok("issue", "comment", "3", "已联系", env=NO_USER_ENV)  # owns #3
    number = office.ok("issue", "add", "道路", "-e", "蓝思科技", "-c", "road", env=NO_USER_ENV).stdout.strip()
    assert office.sql("SELECT created_by FROM issue WHERE id = :i", i=int(number)) == [("张干部",)]
    office.ok("issue", "comment", number, "补充材料", env=NO_USER_ENV)  # filed it


def test_refusal_in_chinese(office) -> None:
    become(office, "cadre")
    refused = office("issue", "escalate", "3", "--note", "逾期", "--lang", "zh", env=NO_USER_ENV)
    assert refused.exit_code == 1
    assert refused.stderr.strip() == "error: 张干部 是联企干部，不能执行 `qiye issue escalate`：只有督办或管理员可以。"


# --- identity (point 2) ----------------------------------------------------------------------


def test_no_users_everything_as_before(qiye) -> None:
    """No registered user: --as, QIYE_USER, anyone may do anything, as a single cadre's ledger."""
    qiye.ok("enterprise", "add", "蓝思科技")
    qiye.ok("issue", "add", "x", "-e", "蓝思科技", "-c", "road", "--as", "局长")
    qiye.ok("issue", "escalate", "1", "--note", "n", env={"QIYE_USER": "某人"})
    assert qiye.sql("SELECT actor FROM event ORDER BY id") == [("局长",), ("某人",)]


def test_identity_comes_from_the_login(office) -> None:
    become(office, "supervisor")
    office.ok("issue", "escalate", "3", "--note", "逾期", env=NO_USER_ENV)
    # QIYE_USER naming oneself is no request to act for someone else
    office.ok("issue", "comment", "3", "督办中", env={"QIYE_USER": "王督办"})
    assert office.sql("SELECT actor FROM event WHERE issue_id = 3 ORDER BY id DESC LIMIT 2") == [
        ("王督办",), ("王督办",)]


@pytest.mark.parametrize("how", ["--as", "QIYE_USER"])
def test_only_an_admin_acts_on_behalf(office, how: str) -> None:
    become(office, "supervisor")
    args, env = (["--as", "赵管理"], NO_USER_ENV) if how == "--as" else ([], {"QIYE_USER": "赵管理"})
    before = office.sql("SELECT COUNT(*) FROM event")
    refused = office("issue", "comment", "3", "冒名", *args, env=env)
    assert refused.exit_code == 1
    assert "only an admin may act on behalf of someone else" in refused.stderr
    assert office.sql("SELECT COUNT(*) FROM event") == before

    become(office, "admin")
    args, env = (["--as", "张干部"], NO_USER_ENV) if how == "--as" else ([], {"QIYE_USER": "张干部"})
    office.ok("issue", "add", "代录", "-e", "蓝思科技", "-c", "road", *args, env={**LATER, **env})
    assert office.sql("SELECT created_by FROM issue ORDER BY id DESC LIMIT 1") == [("赵管理（代 张干部）",)]
    assert office.sql("SELECT actor FROM event ORDER BY id DESC LIMIT 1") == [("赵管理（代 张干部）",)]
    office.ok("db", "check")  # the chain holds: the actor text is hashed as any other
    # what an admin filed for the cadre is the cadre's: they may work it
    become(office, "cadre")
    office.ok("issue", "comment", "5", "收到", env=NO_USER_ENV)


def test_as_someone_unknown(office) -> None:
    become(office, "admin")
    refused = office("issue", "comment", "3", "x", "--as", "无名氏", env=NO_USER_ENV)
    assert refused.exit_code == 1
    assert "no active registered user has this name" in refused.stderr


def test_unmapped_login_reads_but_cannot_write(office) -> None:
    become(office, None)
    login = login_of(office)
    assert office.ok("issue", "list", env=NO_USER_ENV).stdout
    office.ok("issue", "show", "1", env=NO_USER_ENV)
    office.ok("report", "summary", env=NO_USER_ENV)
    before = office.sql("SELECT COUNT(*) FROM event")
    refused = office("issue", "comment", "1", "x", env=NO_USER_ENV)
    assert refused.exit_code == 1
    assert f"the login {login!r} is not mapped to a registered user" in refused.stderr
    assert f"qiye user add NAME --role ROLE --login {login}" in refused.stderr
    assert office.sql("SELECT COUNT(*) FROM event") == before
    zh = office("issue", "comment", "1", "x", "--lang", "zh", env=NO_USER_ENV)
    assert zh.exit_code == 1 and "未对应任何登记用户" in zh.stderr
    # nor may the unmapped login pass itself off as somebody (--as is not a way in)
    assert office("issue", "comment", "1", "x", "--as", "赵管理", env=NO_USER_ENV).exit_code == 1


def test_disabled_user_cannot_write(office) -> None:
    become(office, "supervisor")
    office.sql("UPDATE app_user SET active = :f WHERE name = '王督办'", f=False)
    refused = office("issue", "comment", "1", "x", env=NO_USER_ENV)
    assert refused.exit_code == 1
    assert "is disabled" in refused.stderr


# --- four eyes (point 4) ----------------------------------------------------------------------


@pytest.mark.parametrize("action", ["verify", "approve"])
def test_four_eyes(action: str) -> None:
    with pytest.raises(Forbidden) as refused:
        require_four_eyes("李经办", "李经办", action)
    assert refused.value.key == f"error.perm.four_eyes_{action}"
    assert str(refused.value).endswith(f"may not {action} it too: a supervisor or an admin other than 李经办 must.")
    require_four_eyes("王督办", "李经办", action)  # someone else: allowed
    require_four_eyes("王督办", None, action)
    # an admin acting for the requester is the requester's own hand, and the reverse
    with pytest.raises(Forbidden):
        require_four_eyes("赵管理（代 李经办）", "李经办", action)
    with pytest.raises(Forbidden):
        require_four_eyes("赵管理", "赵管理（代 李经办）", action)
    with pytest.raises(Forbidden):
        require_four_eyes("李经办", "赵管理（代 李经办）", action)


def test_check_table_directly() -> None:
    handler = Person("李经办", "handler", department_id=1)
    permissions.check(handler, "issue resolve", (1, "王强", "tester"), issue_id=1)
    with pytest.raises(Forbidden):
        permissions.check(handler, "issue resolve", (2, "王强", "tester"), issue_id=1)
    with pytest.raises(Forbidden):
        permissions.check(handler, "issue escalate", (1, "王强", "tester"), issue_id=1)
    with pytest.raises(Forbidden) as unlisted:
        permissions.check(Person("赵管理", "admin"), "issue frobnicate")
    assert unlisted.value.key == "error.perm.unlisted"


def test_readme_shows_the_table() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert permissions.markdown_table("en") in readme


def test_the_first_user_by_anyone_then_only_an_admin(qiye) -> None:
    login = login_of(qiye)
    qiye.ok("user", "add", "赵管理", "--role", "admin", "--login", "elsewhere", env=NO_USER_ENV)  # bootstrap
    refused = qiye("user", "add", "张三", "--role", "cadre", env=NO_USER_ENV)
    assert refused.exit_code == 1 and f"the login {login!r} is not mapped" in refused.stderr
    qiye.sql("UPDATE app_user SET login = :l", l=login)
    qiye.ok("user", "add", "张三", "--role", "cadre", "--login", "zhangsan", env=NO_USER_ENV)
    qiye.sql("UPDATE app_user SET login = CASE WHEN name = '张三' THEN :l ELSE 'elsewhere' END", l=login)
    refused = qiye("user", "add", "李四", "--role", "cadre", env=NO_USER_ENV)
    assert refused.exit_code == 1 and "only an admin may" in refused.stderr
    assert [row[0] for row in qiye.sql("SELECT name FROM app_user ORDER BY id")] == ["赵管理", "张三"]


def test_every_role_set_of_the_table_is_said_in_both_languages() -> None:
    from qiye_service.i18n import CATALOGUE

    for rule in PERMISSIONS.values():
        english, chinese = CATALOGUE[f"perm.roles.{'+'.join(rule.roles)}"]
        assert english and chinese


# --- db check (point 6) -----------------------------------------------------------------------


def test_db_check_holds_the_history_to_the_table(office, monkeypatch: pytest.MonkeyPatch) -> None:
    become(office, "supervisor")
    office.ok("issue", "comment", "1", "督办", env=LATER)
    office.ok("db", "check")  # the filing before anyone registered, and a supervisor since: all fine
    # Events written past the check (an older qiye, another tool): roles not enforced
    monkeypatch.setattr(permissions, "users_registered", lambda connection: False)
    office.ok("issue", "comment", "1", "路过", env={**LATER, "QIYE_USER": "路人"})
    office.ok("issue", "escalate", "3", "--note", "越权", env={**LATER, "QIYE_USER": "张干部"})
    office.ok("issue", "comment", "2", "越界", env={**LATER, "QIYE_USER": "李经办"})
    monkeypatch.undo()
    monkeypatch.setattr(permissions, "os_login", lambda: OS_LOGIN)
    result = office("db", "check")
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if line.startswith("- ")]
    assert len(lines) == 3, result.output
    assert "'路人', who is not a registered user (users were registered from 2023-12-20 02:01:00)" in lines[0]
    assert lines[0].startswith("- issue #1: event ")
    assert "(issue comment)" not in lines[0]
    assert lines[1].startswith("- issue #2: event ") and "(issue comment) was recorded by 李经办, a handler" in lines[1]
    assert "on an issue outside their reach" in lines[1]
    assert lines[2].startswith("- issue #3: event ")
    assert "(issue escalate) was recorded by 张干部, a cadre, who could not have done it: only a supervisor " \
           "or an admin may." in lines[2]
    zh = office("db", "check", "--lang", "zh")
    assert "不是登记用户" in zh.stdout and "该角色无此权限" in zh.stdout and "超出其可操作的问题范围" in zh.stdout
    as_json = office("db", "check", "--format", "json")
    import json

    assert [p["check"] for p in json.loads(as_json.stdout)["problems"]] == ["people"] * 3


def test_db_check_an_admin_acting_for_someone(office) -> None:
    become(office, "admin")
    office.ok("issue", "comment", "1", "代录", "--as", "张干部", env=LATER)
    office.ok("db", "check")


def test_a_persons_own_settings_are_theirs(office, tmp_path: Path) -> None:
    """`config set lang|db|user` changes only the person's own qiye: open to every role, and to
    an unmapped login; the office's settings are the admin's."""
    become(office, None)
    office.ok("config", "set", "lang", "zh", env=NO_USER_ENV)
    become(office, "cadre")
    office.ok("config", "set", "db", office.url, env=NO_USER_ENV)
    refused = office("config", "set", "deadline.default", "10wd", env=NO_USER_ENV)
    assert refused.exit_code == 1 and "only an admin may" in refused.stderr
    assert "deadline" not in (tmp_path / "config" / "config.toml").read_text()


def test_sqlite_identity_is_the_real_os_login(sqlite_qiye) -> None:
    """In a process of its own (nothing monkeypatched), the OS login is who writes to SQLite."""
    import getpass

    real = getpass.getuser()
    sqlite_qiye.ok("enterprise", "add", "蓝思科技")
    sqlite_qiye.ok("issue", "add", "x", "-e", "蓝思科技", "-c", "road")
    register(sqlite_qiye, "孙督办", "supervisor", login=f"not-{real}")
    refused = sqlite_qiye.run_process("issue", "comment", "1", "x", env=NO_USER_ENV)
    assert refused.returncode == 1 and f"the login {real!r} is not mapped" in refused.stderr
    sqlite_qiye.sql("UPDATE app_user SET login = :l", l=real)
    done = sqlite_qiye.run_process("issue", "comment", "1", "已督办", env=LATER)
    assert done.returncode == 0, done.stderr
    assert sqlite_qiye.sql("SELECT actor FROM event ORDER BY id DESC LIMIT 1") == [("孙督办",)]


def test_a_cadre_logs_their_own_visits(office) -> None:
    """Issue 22: a cadre records the visits they made; naming another visitor is the office's."""
    become(office, "cadre")
    office.ok("visit", "add", "蓝思科技", "--on", "2023-12-19", "--note", "走访", env=NO_USER_ENV)
    office.ok("visit", "add", "蓝思科技", "--on", "2023-12-19", "--by", "张干部", "--note", "走访", env=NO_USER_ENV)
    assert office.sql("SELECT visited_by, created_by FROM visit") == [("张干部", "张干部")] * 2
    refused = office("visit", "add", "蓝思科技", "--on", "2023-12-19", "--by", "王强", "--note", "代录",
                     env=NO_USER_ENV)
    assert refused.exit_code == 1 and "logs their own visits" in refused.stderr
    assert office.sql("SELECT COUNT(*) FROM visit") == [(2,)]
    become(office, "supervisor")
    office.ok("visit", "add", "蓝思科技", "--on", "2023-12-19", "--by", "王强", "--note", "代录", env=NO_USER_ENV)
    become(office, "handler")
    assert office("visit", "add", "蓝思科技", "--on", "2023-12-19", "--note", "x", env=NO_USER_ENV).exit_code == 1


def test_dispatching_by_editing_is_a_supervisors(office) -> None:
    """Naming the department (or owner) is dispatching, whichever command does it."""
    become(office, "handler")
    refused = office("issue", "edit", "3", "--dept", "国网浏阳供电公司", env=NO_USER_ENV)
    assert refused.exit_code == 1
    assert "may not run `qiye issue edit --dept`: only a supervisor or an admin may" in refused.stderr
    office.ok("issue", "edit", "3", "--desc", "补充说明", env=NO_USER_ENV)  # its other fields are theirs
    become(office, "cadre")
    refused = office("issue", "add", "道路", "-e", "蓝思科技", "-c", "road", "--dept", "消防救援大队", env=NO_USER_ENV)
    assert refused.exit_code == 1 and "`qiye issue add --dept`" in refused.stderr


# --- audit2: a co-handling department's handler, and db check's replay of the cycle's steps ---


def test_a_handler_acts_for_their_own_department_lead_or_co_handler(office) -> None:
    """签收 and 退单 name the department acting (`--dept`, default the lead): a handler of a
    co-handling department (协办) does its own part; no handler acts for another department."""
    become(office, "admin")
    office.ok("department", "add", "住建局", env=LATER)
    register(office, "周协办", "handler", dept="住建局")
    become(office, "supervisor")
    number = office.ok("issue", "add", "消防通道占用", "-e", "蓝思科技", "-c", "消防验收", env=LATER).stdout.strip()
    office.ok("issue", "assign", number, "--dept", "消防救援大队", "--co", "住建局", env=LATER)
    events = office.sql("SELECT count(*) FROM event")
    become(office, "handler")  # 李经办, of the lead 消防救援大队
    for lang, words in (("en", "李经办 may not run `qiye issue start` for 住建局: a handler acknowledges or returns "
                               "only their own department's part; a supervisor or an admin may act for any department."),
                        ("zh", "李经办 不能代 住建局 执行 `qiye issue start`：责任单位经办人只能签收或退回本单位承办的部分；"
                               "督办或管理员可以代任何单位执行。")):
        refused = office("issue", "start", number, "--dept", "住建局", "--lang", lang, env=LATER)
        assert (refused.exit_code, refused.stdout, refused.stderr.strip()) == (1, "", f"error: {words}")
    refused = office("issue", "return", number, "--dept", "住建局", "--reason", "重复", "--note", "代退", env=LATER)
    assert refused.exit_code == 1 and "may not run `qiye issue return` for 住建局" in refused.stderr
    assert office.sql("SELECT count(*) FROM event") == events
    office.sql("UPDATE app_user SET login = NULL")
    office.sql("UPDATE app_user SET login = :l WHERE name = '周协办'", l=login_of(office))
    lead = office("issue", "start", number, env=LATER)  # the lead's part is not 住建局's
    assert lead.exit_code == 1 and "only on their department's issues" in lead.stderr
    office.ok("issue", "start", number, "--dept", "住建局", env=LATER)
    office.ok("issue", "return", number, "--dept", "住建局", "--reason", "非本单位职责", "--note", "不归住建", env=LATER)
    assert office.sql("SELECT actor, action FROM event WHERE issue_id = :i AND actor = '周协办' ORDER BY id",
                      i=int(number)) == [("周协办", "acknowledged"), ("周协办", "returned")]
    office.ok("db", "check")  # the co-handler's own part, in their reach; the refusals left no trace


def test_db_check_replays_returns_upholds_and_transfers(office) -> None:
    """A return (退单), an upheld dispatch (审定) and a transfer (转办) recorded by a role that
    could not have done them is flagged like any other step."""
    become(office, "handler")
    office.ok("issue", "return", "3", "--reason", "信息不全", "--note", "缺材料", env=LATER)
    become(office, "supervisor")
    office.ok("issue", "uphold", "3", env=LATER)
    office.ok("issue", "assign", "2", "--dept", "消防救援大队", env=LATER)  # #2 was returned: a transfer
    office.ok("db", "check")
    office.sql("UPDATE app_user SET role = 'cadre' WHERE name IN (:h, :s)", h=PEOPLE["handler"], s=PEOPLE["supervisor"])
    result = office("db", "check")
    assert result.exit_code == 1
    flagged = {line.split("(", 1)[1].split(")", 1)[0] for line in result.stdout.splitlines() if line.startswith("- ")}
    assert {"issue return", "issue uphold", "issue assign"} <= flagged, result.output
