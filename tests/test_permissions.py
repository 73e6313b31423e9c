"""People and roles (issue 19 points 2, 3, 4): who is acting, and who may run which writing
command on which issues. Every writing command is driven as every role, on SQLite and on
PostgreSQL (whose identity is the database login, `session_user`: the tests' login is mapped
to the role under test)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qiye_service.i18n import translate
from qiye_service.services import permissions
from qiye_service.services.permissions import PERMISSIONS, ROLES, Forbidden, Person, require_four_eyes

OS_LOGIN = "os-login"
PEOPLE = {"cadre": "张干部", "handler": "李经办", "supervisor": "王督办", "admin": "赵管理"}
NO_USER_ENV = {"QIYE_USER": ""}  # base_env's QIYE_USER=tester is --as for everyone


@pytest.fixture(autouse=True)
def fixed_os_login(monkeypatch: pytest.MonkeyPatch) -> None:
    """On SQLite the identity is the OS login: the same one wherever the tests run."""
    monkeypatch.setattr(permissions, "os_login", lambda: OS_LOGIN)


def login_of(qiye) -> str:  # type: ignore[no-untyped-def]
    """The login this test's commands are known by: session_user on PostgreSQL, else the OS login."""
    if qiye.url.startswith("postgresql"):
        return str(qiye.sql("SELECT session_user")[0][0])
    return OS_LOGIN


def register(qiye, name: str, role: str, dept: str | None = None, login: str | None = None) -> None:  # type: ignore[no-untyped-def]
    dept_id = qiye.sql("SELECT id FROM department WHERE name = :d", d=dept)[0][0] if dept else None
    qiye.sql("INSERT INTO app_user (name, role, department_id, login, active, created_at) "
             "VALUES (:n, :r, :d, :l, :a, :c)", n=name, r=role, d=dept_id, l=login, a=True,
             c="2023-12-20 02:00:00")


def become(qiye, role: str | None) -> None:  # type: ignore[no-untyped-def]
    """Map this test's login to the user of `role` (None: to nobody)."""
    qiye.sql("UPDATE app_user SET login = NULL")
    if role is not None:
        qiye.sql("UPDATE app_user SET login = :l WHERE name = :n", l=login_of(qiye), n=PEOPLE[role])


@pytest.fixture
def office(qiye, tmp_path: Path):  # type: ignore[no-untyped-def]
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
    qiye.ok("db", "backup", str(tmp_path / "backup.db"))
    register(qiye, PEOPLE["cadre"], "cadre")
    register(qiye, PEOPLE["handler"], "handler", dept="消防救援大队")
    register(qiye, PEOPLE["supervisor"], "supervisor")
    register(qiye, PEOPLE["admin"], "admin")
    (tmp_path / "issues.csv").write_text("title,enterprise,category,reported_on\n新问题,蓝思科技,消防验收,2023-12-01\n", encoding="utf-8")
    (tmp_path / "enterprises.csv").write_text("name,zone\n九典制药,南园\n", encoding="utf-8")
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
        "import users": ["import", "users", str(tmp_path / "users.csv")],
        "import issues": ["import", "issues", str(tmp_path / "issues.csv")],
        "import enterprises": ["import", "enterprises", str(tmp_path / "enterprises.csv")],
        "category add": ["category", "add", "safety", "--zh", "安全生产", "--en", "Safety"],
        "department add": ["department", "add", "应急管理局"],
        "enterprise add": ["enterprise", "add", "九典制药"],
        "enterprise edit": ["enterprise", "edit", "蓝思科技", "--zone", "南园"],
        "issue add": ["issue", "add", "新问题", "-e", "蓝思科技", "-c", "消防验收"],
        "issue edit": ["issue", "edit", "3", "--priority", "high"],
        "issue comment": ["issue", "comment", "3", "已电话联系企业"],
        "issue tag": ["issue", "tag", "3", "+重点项目"],
        "issue start": ["issue", "start", "3"],
        "issue resolve": ["issue", "resolve", "3", "--note", "已解决"],
        "issue defer": ["issue", "defer", "3", "--note", "等待省里批复"],
        "issue reopen": ["issue", "reopen", "4", "--note", "企业反映未解决"],
        "issue assign": ["issue", "assign", "3", "--owner", "刘洋"],
        "issue escalate": ["issue", "escalate", "3", "--note", "逾期"],
        "issue callback": ["issue", "callback", "4", "--result", "满意"],
    }


def fingerprint(qiye, tmp_path: Path) -> tuple:  # type: ignore[no-untyped-def]
    """Everything a writing command could change: row counts, the history heads, the settings."""
    counts = tuple(qiye.sql(f"SELECT COUNT(*) FROM {table}")[0][0]
                   for table in ("issue", "event", "enterprise", "department", "category", "app_user", "seal"))
    heads = tuple(qiye.sql("SELECT id, status, priority, owner, history_hash FROM issue ORDER BY id"))
    users = tuple(qiye.sql("SELECT name, role, active FROM app_user ORDER BY name"))
    enterprises = tuple(qiye.sql("SELECT name, zone FROM enterprise ORDER BY name"))
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
    rule = PERMISSIONS[command]
    before = fingerprint(office, tmp_path)
    result = office(*args, env=NO_USER_ENV)
    if role in rule.roles:
        assert result.exit_code == 0, result.output
        if command not in ("init", "db upgrade", "db restore"):
            assert fingerprint(office, tmp_path) != before, f"{command} as {role} changed nothing"
    else:
        assert result.exit_code == 1, result.output
        wanted = translate("error.perm.role", "en", command=command, role=translate(f"perm.role.{role}", "en"),
                           name=PEOPLE[role], roles=translate(
                               f"perm.roles.{'+'.join(rule.roles)}" if len(rule.roles) > 1
                               else f"perm.role.{rule.roles[0]}", "en"))
        assert result.stderr.strip() == f"error: {wanted}"
        assert fingerprint(office, tmp_path) == before


def test_every_writing_command_is_in_the_table() -> None:
    """A new command must be classified: listed here as reading, or given its row in PERMISSIONS."""
    reading = {"issue list", "issue show", "enterprise list", "enterprise show", "category list",
               "department list", "report summary", "report weekly", "report overdue", "report trend",
               "report supervision", "report meeting", "export issues", "export enterprises", "export events",
               "export users", "db backup", "db check", "db info", "config get", "config list", "config path",
               "user list", "user show", "user roles", "db grant"}
    unclassified = cli_commands() - reading - set(PERMISSIONS)
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
    number = office.ok("issue", "add", "道路", "-e", "蓝思科技", "-c", "road", "--dept", "国网浏阳供电公司",
                       env=NO_USER_ENV).stdout.strip()
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
    office.ok("issue", "add", "代录", "-e", "蓝思科技", "-c", "road", *args, env=env)
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
