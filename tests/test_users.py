"""Users (issue 19, DESIGN §10): the people registered on a shared ledger, their roles,
departments and logins; `qiye user …`, and users through import and export. On both backends."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect

from conftest import Qiye
from qiye_service import _schema
from qiye_service.db import make_engine, resolve_location, upgrade
from qiye_service.models import Role
from test_migrations_data import downgrade, revision_of


def test_the_users_migration_downgrades_and_upgrades_again(qiye: Qiye) -> None:
    qiye.ok("db", "upgrade")
    engine = make_engine(resolve_location(qiye.url))
    try:
        assert "app_user" in inspect(engine).get_table_names()
        downgrade(engine, "0004")
        assert revision_of(engine) == "0004"
        assert "app_user" not in inspect(engine).get_table_names()
        upgrade(engine)
        assert revision_of(engine) == _schema.HEAD_REVISION
        columns = {c["name"] for c in inspect(engine).get_columns("app_user")}
        assert columns == {"id", "name", "role", "department_id", "login", "active", "created_at"}
    finally:
        engine.dispose()


# --- qiye user … ---------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def roles_not_enforced(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about registering and listing people, made by a tester whose login is
    mapped to none of them: the ledger is treated as one without users, where every command is
    allowed. Who may run `qiye user …` once users exist is tests/test_permissions.py's matter."""
    from qiye_service.services import permissions

    monkeypatch.setattr(permissions, "users_registered", lambda connection: False)


@pytest.fixture
def office(qiye: Qiye) -> Qiye:
    """Two departments and no users yet."""
    qiye.ok("department", "add", "消防救援大队")
    qiye.ok("department", "add", "国网浏阳供电公司")
    return qiye


def users_table(qiye: Qiye) -> list[tuple]:
    rows = qiye.sql("SELECT u.name, u.role, d.name, u.login, u.active FROM app_user u "
                    "LEFT JOIN department d ON d.id = u.department_id ORDER BY u.id")
    return [(*row[:4], bool(row[4])) for row in rows]


def listed(qiye: Qiye, *args: str) -> list[dict]:
    return json.loads(qiye.ok("user", "list", "--format", "json", *args).stdout)


def test_add_list_and_show(office: Qiye) -> None:
    added = office.ok("user", "add", "王强", "--role", "handler", "--dept", "消防", "--login", "wangqiang")
    assert added.stdout == "Added user 王强 (handler).\n"
    office.ok("user", "add", "李明", "--role", "联企干部", "--login", "liming")  # the Chinese role name
    office.ok("user", "add", "赵督办", "--role", "督办")
    office.ok("user", "add", "周管理", "--role", "Admin")
    assert users_table(office) == [("王强", "handler", "消防救援大队", "wangqiang", True),
                                   ("李明", "cadre", None, "liming", True),
                                   ("赵督办", "supervisor", None, None, True),
                                   ("周管理", "admin", None, None, True)]
    rows = listed(office)
    assert [r["name"] for r in rows] == sorted(["王强", "李明", "赵督办", "周管理"])
    assert rows[0].keys() == {"name", "role", "department", "login", "state"}
    assert [r["name"] for r in listed(office, "--role", "责任单位经办人")] == ["王强"]
    assert [r["name"] for r in listed(office, "--dept", "消防救援大队")] == ["王强"]
    shown = json.loads(office.ok("user", "show", "wq", "--format", "json").stdout)  # pinyin initials
    assert shown | {"created_at": None} == {"name": "王强", "role": "handler", "department": "消防救援大队",
                                            "login": "wangqiang", "state": "active", "created_at": None}
    assert shown["created_at"].endswith("Z")
    by_login = json.loads(office.ok("user", "show", "liming", "--format", "json").stdout)
    assert by_login["name"] == "李明"
    table = office.ok("user", "list").stdout
    assert "handler" in table and "消防救援大队" in table
    csv_text = office.ok("user", "list", "--format", "csv").stdout
    assert csv_text.splitlines()[0] == "name,role,department,login,state"


def test_chinese_labels_in_tables(office: Qiye) -> None:
    office.ok("user", "add", "王强", "--role", "handler", "--dept", "消防救援大队")
    office.ok("user", "disable", "王强")
    zh = office.ok("--lang", "zh", "user", "list", "--all")
    for word in ("名称", "角色", "登录名", "状态", "责任单位经办人", "已停用"):
        assert word in zh.stdout, zh.stdout
    assert "共 1 条" in zh.stderr
    shown = office.ok("--lang", "zh", "user", "show", "王强").stdout
    assert "责任单位经办人" in shown and "已停用" in shown
    assert office.ok("--lang", "zh", "user", "add", "李明", "--role", "cadre").stdout == "已添加用户：李明（联企干部）。\n"


def test_edit_and_disable(office: Qiye) -> None:
    office.ok("user", "add", "王强", "--role", "handler", "--dept", "消防救援大队", "--login", "wq")
    assert office.ok("user", "edit", "王强", "--dept", "供电").stdout == "Updated user 王强.\n"
    assert users_table(office) == [("王强", "handler", "国网浏阳供电公司", "wq", True)]
    office.ok("user", "edit", "王强", "--role", "supervisor", "--dept", "", "--login", "", "--name", "王强华")
    assert users_table(office) == [("王强华", "supervisor", None, None, True)]
    assert office.ok("user", "edit", "王强华", "--role", "supervisor").stdout == "Nothing to change.\n"
    assert office.ok("user", "disable", "王强华").stdout.startswith("Disabled user 王强华;")
    assert office.ok("user", "disable", "王强华").stdout == "User 王强华 was already disabled.\n"
    assert users_table(office) == [("王强华", "supervisor", None, None, False)]
    assert listed(office) == []
    assert [r["state"] for r in listed(office, "--all")] == ["disabled"]
    office.ok("user", "enable", "王强华")
    assert users_table(office)[0][4] is True


@pytest.mark.parametrize(("args", "message"), [
    (("user", "add", "张三", "--role", "handler"), "error: 张三: a handler acts for a department; give one with --dept"),
    (("user", "add", "张三", "--role", "boss"),
     "error: --role: 'boss' is not one of cadre (联企干部), handler (责任单位经办人), supervisor (督办), admin (管理员)"),
    (("user", "add", "王强", "--role", "cadre"), "error: a user named '王强' is already registered"),
    (("user", "add", "张三", "--role", "cadre", "--login", "wq"),
     "error: the login 'wq' is already mapped to 王强; one login names one person"),
    (("user", "add", "张三", "--role", "handler", "--dept", "教育局"), "error: no department named '教育局'"),
    (("user", "add", " ", "--role", "cadre"), "error: name must not be empty"),
    (("user", "edit", "王强", "--dept", ""), "error: 王强: a handler acts for a department"),
    (("user", "edit", "王强", "--role", "nope"), "error: --role: 'nope' is not one of cadre"),
    (("user", "edit", "王强", "--login", "liming"), "error: the login 'liming' is already mapped to 李明"),
    (("user", "edit", "王强", "--name", "李明"), "error: a user named '李明' is already registered"),
    (("user", "edit", "李明", "--role", "handler"), "error: 李明: a handler acts for a department"),
    (("user", "edit", "陈某", "--role", "cadre"), "error: no user named '陈某'"),
    (("user", "disable", "陈某"), "error: no user named '陈某'"),
    (("user", "list", "--role", "boss"), "error: --role: 'boss' is not one of"),
])
def test_each_error_exits_1_and_writes_nothing(office: Qiye, args: tuple[str, ...], message: str) -> None:
    office.ok("user", "add", "王强", "--role", "handler", "--dept", "消防救援大队", "--login", "wq")
    office.ok("user", "add", "李明", "--role", "cadre", "--login", "liming")
    before = users_table(office)
    result = office(*args)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(message), result.stderr
    assert "Traceback" not in result.output
    assert users_table(office) == before


def test_errors_in_chinese(office: Qiye) -> None:
    office.ok("user", "add", "王强", "--role", "handler", "--dept", "消防救援大队", "--login", "wq")
    for args, message in (
        (("user", "add", "张三", "--role", "经办人"), "error: 张三：责任单位经办人须属于某个责任单位；请用 --dept 指定"),
        (("user", "add", "张三", "--role", "boss"), "error: --role 的值 'boss' 无效，可选：cadre (联企干部)"),
        (("user", "add", "王强", "--role", "cadre"), "error: 已有名为 '王强' 的用户"),
        (("user", "add", "张三", "--role", "cadre", "--login", "wq"), "error: 登录名 'wq' 已对应用户 王强"),
        (("user", "show", "陈某"), "error: 没有名为 '陈某' 的用户"),
    ):
        result = office("--lang", "zh", *args)
        assert result.exit_code == 1 and result.stderr.startswith(message), result.stderr
    assert len(users_table(office)) == 1


def test_a_user_the_history_names_keeps_the_name(office: Qiye) -> None:
    office.ok("user", "add", "王强", "--role", "admin")
    office.ok("enterprise", "add", "蓝思科技")
    office.ok("issue", "add", "用电增容", "-e", "蓝思科技", "-c", "water-power", env={"QIYE_USER": "王强"})
    refused = office("user", "edit", "王强", "--name", "王强华")
    assert refused.exit_code == 1 and "is named in the history" in refused.stderr
    assert users_table(office) == [("王强", "admin", None, None, True)]


def test_user_names_and_roles_complete(office: Qiye) -> None:
    from qiye_service.db import resolve_location
    from qiye_service.services import completion

    office.ok("user", "add", "王强", "--role", "admin")
    office.ok("user", "add", "王芳", "--role", "cadre")
    location = resolve_location(office.url)
    assert sorted(v for v, _ in completion.users(location, "王")) == ["王强", "王芳"]
    assert [v for v, _ in completion.users(location, "芳")] == ["王芳"]  # the one name holding it
    assert completion.ROLES == tuple(role.value for role in Role)


def test_tab_completes_user_names_and_roles(sqlite_qiye: Qiye, monkeypatch: pytest.MonkeyPatch) -> None:
    from test_completion import QIYE, offered

    if QIYE is None:
        pytest.skip("the qiye console script is not installed")
    sqlite_qiye.ok("user", "add", "王强", "--role", "admin")
    sqlite_qiye.ok("user", "add", "王芳", "--role", "cadre")
    monkeypatch.setenv("QIYE_DB", sqlite_qiye.url)
    assert sorted(offered("qiye user show 王")) == ["王强", "王芳"]
    assert offered("qiye user disable 芳") == ["王芳"]
    assert offered("qiye user add 李明 --role s") == ["supervisor"]


# --- import and export ---------------------------------------------------------------------------

def register_office(qiye: Qiye) -> None:
    """Users of every role and state, with commas, quotes and an empty optional field."""
    qiye.ok("user", "add", "王强", "--role", "handler", "--dept", "消防救援大队", "--login", "wangqiang")
    qiye.ok("user", "add", "李明", "--role", "cadre", "--login", "liming")
    qiye.ok("user", "add", 'O\'Brien, "Pat"', "--role", "supervisor", "--login", "pat")
    qiye.ok("user", "add", "周管理", "--role", "admin")
    qiye.ok("user", "add", "赵六", "--role", "handler", "--dept", "国网浏阳供电公司")
    qiye.ok("user", "disable", "赵六")


@pytest.fixture
def second(office: Qiye, tmp_path: Path) -> Iterator[Qiye]:
    """A second, empty ledger on the same backend with the same departments."""
    pg = office.url.startswith("postgresql")
    if pg:
        import psycopg

        from conftest import PG_URL, pg_schema_url

        schema = f"t_{uuid.uuid4().hex[:12]}"
        plain = (PG_URL or "").replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        url = pg_schema_url(schema)
    else:
        url = str(tmp_path / "second.db")
    other = Qiye(url, {**office.env, "QIYE_DB": url})
    other.ok("init")
    other.ok("department", "add", "消防救援大队")
    other.ok("department", "add", "国网浏阳供电公司")
    yield other
    if pg:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def test_export_users_in_every_format(office: Qiye, tmp_path: Path) -> None:
    register_office(office)
    csv_text = office.ok("export", "users").stdout
    assert csv_text.splitlines() == [
        "name,role,department,login,state", "王强,handler,消防救援大队,wangqiang,active", "李明,cadre,,liming,active",
        '"O\'Brien, ""Pat""",supervisor,,pat,active', "周管理,admin,,,active", "赵六,handler,国网浏阳供电公司,,disabled"]
    rows = json.loads(office.ok("export", "users", "--format", "json").stdout)
    assert rows[0] == {"name": "王强", "role": "handler", "department": "消防救援大队", "login": "wangqiang",
                       "state": "active"}
    assert len(office.ok("export", "users", "--format", "ndjson").stdout.splitlines()) == 5
    assert office.ok("export", "users", "--format", "tsv").stdout.splitlines()[1] == \
        "王强\thandler\t消防救援大队\twangqiang\tactive"
    labelled = json.loads(office.ok("--lang", "zh", "export", "users", "--format", "json", "--labels").stdout)
    assert (labelled[0]["role_label"], labelled[4]["state_label"]) == ("责任单位经办人", "已停用")


def test_csv_round_trip_is_byte_identical(office: Qiye, second: Qiye, tmp_path: Path) -> None:
    register_office(office)
    first = tmp_path / "first.csv"
    office.ok("export", "users", "--out", str(first))
    assert second.ok("import", "users", str(first)).stdout.startswith("Imported first.csv: 5 rows; 5 users created")
    again = tmp_path / "again.csv"
    second.ok("export", "users", "--out", str(again))
    assert again.read_bytes() == first.read_bytes()
    assert users_table(second) == users_table(office)


def test_xlsx_round_trip(office: Qiye, second: Qiye, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    register_office(office)
    first = tmp_path / "first.xlsx"
    office.ok("export", "users", "--format", "xlsx", "--out", str(first))
    second.ok("import", "users", str(first))
    again = tmp_path / "again.xlsx"
    second.ok("export", "users", "--format", "xlsx", "--out", str(again))

    def cells(path: Path) -> list[tuple]:
        workbook = load_workbook(path, read_only=True)
        try:
            return [tuple(row) for row in workbook.active.iter_rows(values_only=True)]
        finally:
            workbook.close()

    assert cells(again) == cells(first)
    assert cells(first)[5] == ("赵六", "handler", "国网浏阳供电公司", None, "disabled")
    assert second.ok("export", "users").stdout == office.ok("export", "users").stdout


def test_import_reads_chinese_headers_and_values(office: Qiye, tmp_path: Path) -> None:
    ledger = tmp_path / "用户名单.csv"
    ledger.write_text("姓名,角色,所属单位,登录名,状态\n王强,责任单位经办人,消防救援大队,wq,在用\n"
                      "李明,联企干部,,,停用\n赵督办,督办,,zdb,\n", encoding="gb18030")
    dry = office.ok("import", "users", str(ledger), "--dry-run")
    assert "would create 3 users" in dry.stdout
    assert users_table(office) == []
    office.ok("import", "users", str(ledger))
    assert users_table(office) == [("王强", "handler", "消防救援大队", "wq", True), ("李明", "cadre", None, None, False),
                                   ("赵督办", "supervisor", None, "zdb", True)]
    zh = office.ok("--lang", "zh", "import", "users", str(ledger), "--on-conflict", "skip")
    assert "跳过 3 个" in zh.stdout


def test_import_conflicts_skip_and_update(office: Qiye, tmp_path: Path) -> None:
    office.ok("user", "add", "王强", "--role", "handler", "--dept", "消防救援大队", "--login", "wq")
    ledger = tmp_path / "users.csv"
    ledger.write_text("name,role,department,login\n王强,supervisor,,wangq\n李明,cadre,,wq2\n", encoding="utf-8")
    refused = office("import", "users", str(ledger))
    assert refused.exit_code == 1
    assert "row 2, column name: user '王强' is already registered" in refused.stderr
    assert users_table(office) == [("王强", "handler", "消防救援大队", "wq", True)]  # nothing written, not even 李明
    office.ok("import", "users", str(ledger), "--on-conflict", "skip")
    assert users_table(office) == [("王强", "handler", "消防救援大队", "wq", True), ("李明", "cadre", None, "wq2", True)]
    office.ok("import", "users", str(ledger), "--on-conflict", "update")
    assert users_table(office) == [("王强", "supervisor", None, "wangq", True), ("李明", "cadre", None, "wq2", True)]


@pytest.mark.parametrize(("content", "message"), [
    ("姓名,角色,所属单位\n甲,经办人,\n", "row 2, column 所属单位: 甲 is a handler, who acts for a department"),
    ("姓名,角色,所属单位\n甲,督办,教育局\n", "row 2, column 所属单位: no department named '教育局'"),
    ("姓名,角色\n甲,boss\n", "row 2, column 角色: role: 'boss' is not one of cadre"),
    ("姓名,角色\n,督办\n", "row 2, column 姓名: name must not be empty"),
    ("姓名,角色,登录名\n甲,督办,x\n乙,督办,x\n", "row 3, column 登录名: 'x' is also in row 2"),
    ("姓名,角色,登录名\n甲,督办,x\n甲,督办,y\n", "row 3, column 姓名: '甲' is also in row 2"),
    ("姓名,角色,登录名\n甲,督办,liming\n", "row 2, column 登录名: the login 'liming' is already mapped to 李明"),
    ("姓名,角色,状态\n甲,督办,离职\n", "row 2, column 状态: state: '离职' is not one of active"),
    ("姓名,登录名\n甲,x\n", "lacks the required column(s) role"),
])
def test_one_bad_row_imports_nothing(office: Qiye, tmp_path: Path, content: str, message: str) -> None:
    office.ok("user", "add", "李明", "--role", "cadre", "--login", "liming")
    ledger = tmp_path / "users.csv"
    ledger.write_text(content + "好人,督办\n", encoding="utf-8")  # a good row, not imported either
    before = users_table(office)
    result = office("import", "users", str(ledger))
    assert result.exit_code == 1, result.output
    assert message in result.stderr, result.stderr
    assert users_table(office) == before
    zh = office("--lang", "zh", "import", "users", str(ledger))
    assert zh.exit_code == 1 and ("未导入任何数据" in zh.stderr or "缺少" in zh.stderr), zh.stderr


def test_backup_and_restore_keep_the_users(office: Qiye, tmp_path: Path) -> None:
    register_office(office)
    before = users_table(office)
    copy = tmp_path / "copy.db"
    office.ok("db", "backup", str(copy))
    office.ok("user", "add", "后来者", "--role", "cadre")
    office.ok("db", "restore", str(copy), "--yes")
    assert users_table(office) == before
    office.ok("user", "add", "新来的", "--role", "cadre")  # the id sequence goes on after the restored rows
    assert len(users_table(office)) == len(before) + 1
