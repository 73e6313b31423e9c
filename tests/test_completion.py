"""Shell completion (issue 17, point 6): typer's own, for bash, zsh and fish, driven as the shells
drive it (the console script run with _QIYE_COMPLETE and the words typed so far) on the sample
ledger, with values read from the ledger without the ORM."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from qiye_service.services import completion as values

BIN = Path(sys.executable).parent
QIYE = shutil.which("qiye", path=str(BIN)) or shutil.which("qiye")
pytestmark = pytest.mark.skipif(QIYE is None, reason="the qiye console script is not installed")
HEAVY = ("sqlalchemy", "sqlmodel", "pydantic", "alembic", "psycopg", "rich")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("completion")
    path = folder / "sample.db"
    env = {**os.environ, "QIYE_CONFIG_DIR": str(folder / "config"), "QIYE_NOW": "2023-12-20T10:00:00+08:00"}
    done = subprocess.run([QIYE, "--db", str(path), "init", "--sample"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return path


def ledger(path: Path, statement: str) -> list[tuple]:
    with sqlite3.connect(path) as connection:
        return connection.execute(statement).fetchall()


def tab(line: str, *, shell: str = "bash", env: dict[str, str] | None = None,
        python: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    """What the console script answers for `line` + Tab, as typer's script for `shell` asks."""
    asked = {**os.environ, **(env or {}), "_QIYE_COMPLETE": f"complete_{shell}"}
    if shell == "bash":
        words = line.split(" ")  # the last word is the one being completed ("" after a space)
        asked |= {"COMP_WORDS": " ".join(words), "COMP_CWORD": str(len(words) - 1)}
    else:
        asked |= {"_TYPER_COMPLETE_ARGS": line, "_TYPER_COMPLETE_FISH_ACTION": "get-args"}
    done = subprocess.run([*(python or []), QIYE], env=asked, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done


def offered(line: str, **kwargs: object) -> list[str]:
    return [entry for entry in tab(line, **kwargs).stdout.splitlines() if entry]  # type: ignore[arg-type]


@pytest.fixture
def on_sample(sample: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("QIYE_DB", str(sample))
    return sample


def test_commands_and_subcommands(on_sample: Path) -> None:
    root = offered("qiye ")
    assert {"init", "issue", "enterprise", "category", "department", "report", "config", "db"} <= set(root)
    assert offered("qiye iss") == ["issue"]
    assert {"add", "list", "show", "start", "resolve", "edit", "assign", "reopen"} <= set(offered("qiye issue "))
    assert offered("qiye issue res") == ["resolve", "resume"]
    assert offered("qiye report ") and "summary" in offered("qiye report ")


def test_options_and_choices(on_sample: Path) -> None:
    options = offered("qiye issue list --")
    assert {"--category", "--enterprise", "--dept", "--status", "--format", "--limit"} <= set(options)
    assert {"--db", "--lang", "--install-completion", "--show-completion"} <= set(offered("qiye --"))
    assert offered("qiye issue list --format ") == ["table", "csv", "tsv", "json", "ndjson", "markdown"]
    assert offered("qiye issue list --status ") == ["open", "in_progress", "resolved", "deferred", "verifying", "all"]
    assert offered("qiye issue list --status in") == ["in_progress"]
    assert offered("qiye issue add x --priority ") == ["urgent", "high", "normal", "low"]
    assert offered("qiye issue callback 1 --result ") == ["satisfied", "basic", "unsatisfied"]
    assert offered("qiye --lang ") == ["zh", "en"]


def test_categories_codes_and_chinese_names(on_sample: Path) -> None:
    rows = ledger(on_sample, "SELECT code, name_zh FROM category")
    got = offered("qiye issue list --category ")
    assert sorted(got) == sorted([code for code, _ in rows] + [name for _, name in rows])
    assert offered("qiye issue add t -e 蓝思科技 -c 消防") == [name for _, name in rows if name.startswith("消防")]
    assert offered("qiye issue add t -c fire") == sorted(code for code, _ in rows if code.startswith("fire"))


def test_enterprise_names_by_chinese_prefix(on_sample: Path) -> None:
    names = [name for (name,) in ledger(on_sample, "SELECT name FROM enterprise")]
    assert len(names) == 40
    for prefix in ("湘", "浏", "蓝思"):
        expected = sorted(name for name in names if name.startswith(prefix))
        assert expected, prefix
        assert offered(f"qiye issue list -e {prefix}") == expected
        assert offered(f"qiye issue add 标题 --enterprise {prefix}") == expected
    assert offered("qiye enterprise show 蓝") == ["蓝思科技"]
    assert sorted(offered("qiye issue list --enterprise ")) == sorted(names)
    assert offered("qiye issue list -e 无此企业") == []
    # no name starts with it: the one name holding it (bash puts it in place), none when several do
    assert [name for name in names if "思科" in name] == ["蓝思科技"]
    assert offered("qiye issue list -e 思科") == ["蓝思科技"]
    assert len([name for name in names if "制药" in name]) > 1
    assert offered("qiye issue list -e 制药") == []
    assert offered("qiye issue list --dept 供电") == ["国网浏阳供电公司"]


def test_department_names(on_sample: Path) -> None:
    names = sorted(name for (name,) in ledger(on_sample, "SELECT name FROM department"))
    assert len(names) == 13
    assert sorted(offered("qiye issue list --dept ")) == names
    assert sorted(offered("qiye issue assign 1 --dept ")) == names
    assert sorted(offered("qiye report summary --dept ")) == names
    assert offered("qiye issue list --dept 国网") == [name for name in names if name.startswith("国网")]


def test_open_issue_ids_not_resolved_ones(on_sample: Path) -> None:
    status = dict(ledger(on_sample, "SELECT id, status FROM issue"))
    resolved = [i for i, s in status.items() if s == "resolved"]
    unresolved = [i for i, s in status.items() if s != "resolved"]
    assert resolved and unresolved
    for command in ("show", "start", "resolve", "edit", "assign", "escalate", "comment", "defer"):
        got = [int(value) for value in offered(f"qiye issue {command} ")]
        assert got and set(got) <= set(unresolved), command
    assert sorted(int(v) for v in offered("qiye issue start ")) == sorted(unresolved)  # fewer than the limit
    some_resolved, some_open = max(resolved), max(unresolved)
    assert str(some_resolved) not in offered(f"qiye issue start {some_resolved}")
    assert str(some_open) in offered(f"qiye issue resolve {some_open}")
    # ids by prefix: 1 offers 1, 10–19, 100–199 … of the unresolved ones, and nothing else
    assert sorted(offered("qiye issue show 1")) == sorted(str(i) for i in unresolved if str(i).startswith("1"))
    assert offered("qiye issue show #" + str(some_open)) == ["#" + str(some_open)]
    # reopen and callback are for resolved issues
    assert str(some_resolved) in offered(f"qiye issue reopen {some_resolved}")
    assert set(offered("qiye issue reopen ")) <= {str(i) for i in resolved}
    assert offered("qiye issue show x") == []
    # issue 20: verify offers close-outs waiting for verification (none in the sample); the
    # free-text --reason of extend and suspend offers nothing (a return's --reason has codes)
    assert offered("qiye issue verify ") == []
    assert offered(f"qiye issue extend {some_open} --to +5wd --reason ") == []
    assert offered(f"qiye issue suspend {some_open} --reason ") == []


def test_zsh_and_fish_show_titles(on_sample: Path) -> None:
    some_open, title = ledger(on_sample, "SELECT id, title FROM issue WHERE status = 'open' ORDER BY id DESC")[0]
    zsh = tab(f"qiye issue show {some_open}", shell="zsh").stdout
    assert zsh.startswith("_arguments '*: :((") and f'"{some_open}":"{title}"' in zsh
    assert '"list":"List issues' in tab("qiye issue ", shell="zsh").stdout
    fish = offered(f"qiye issue show {some_open}", shell="fish")
    assert f"{some_open}\t{title}" in fish
    assert "蓝思科技" in offered("qiye issue list -e 蓝", shell="fish")
    assert "蓝思科技" in tab("qiye issue list -e 蓝", shell="zsh").stdout


def test_the_ledger_named_on_the_line_then_env_then_config(sample: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "nowhere.db"
    monkeypatch.setenv("QIYE_DB", str(missing))
    assert offered("qiye issue list --dept ") == []  # no ledger: nothing offered, nothing said
    assert not missing.exists()
    assert len(offered(f"qiye --db {sample} issue list --dept ")) == 13  # --db on the line wins
    assert len(offered(f"qiye --db sqlite:///{sample} issue list --dept ")) == 13
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").write_text(f'db = "{sample}"\n')
    monkeypatch.setenv("QIYE_CONFIG_DIR", str(config))
    monkeypatch.delenv("QIYE_DB")
    assert len(offered("qiye issue list --dept ")) == 13  # the config's ledger
    monkeypatch.setenv("QIYE_DB", str(missing))
    assert offered("qiye issue list --dept ") == []  # QIYE_DB before the config


def test_never_writes_or_breaks(sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "copy.db"
    shutil.copyfile(sample, copy)
    before = copy.read_bytes()
    monkeypatch.setenv("QIYE_DB", str(copy))
    assert offered("qiye issue show ")
    assert copy.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.db"]  # no -wal or -shm left behind
    junk = tmp_path / "junk.db"
    junk.write_text("not a database")
    done = tab(f"qiye --db {junk} issue show ")
    assert done.stdout.strip() == "" and done.stderr == ""
    done = tab("qiye --db postgresql://nobody@127.0.0.1:1/none issue list -e ")
    assert done.stdout.strip() == ""


def test_completion_does_not_import_the_orm(on_sample: Path) -> None:
    for line in ("qiye ", "qiye issue show ", "qiye issue list -e 蓝", "qiye issue list --category ",
                 "qiye --db x issue list --format "):
        for shell in ("bash", "zsh"):
            done = tab(line, shell=shell, python=[sys.executable, "-X", "importtime"])
            loaded = {entry.rsplit("|", 1)[-1].strip() for entry in done.stderr.splitlines() if "|" in entry}
            assert "qiye_service.cli.completion" in loaded, line  # the check can see what is loaded
            assert ("sqlite3" in loaded) == (line in ("qiye issue show ", "qiye issue list -e 蓝",
                                                       "qiye issue list --category ")), line
            assert not {name for name in loaded if name.split(".")[0] in HEAVY}, (line, shell)


def test_config_keys(on_sample: Path) -> None:
    codes = sorted(code for (code,) in ledger(on_sample, "SELECT code FROM category"))
    assert "deadline.default" in offered("qiye config set ")
    assert offered("qiye config set deadline.category.") == [f"deadline.category.{code}" for code in codes]
    assert offered("qiye config get la") == ["lang"]


def test_show_and_install_completion(tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path), "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    expected = {"bash": "complete -o default -F _qiye_completion qiye", "zsh": "compdef _qiye_completion qiye",
                "fish": "complete --command qiye"}
    for shell, line in expected.items():
        done = subprocess.run([QIYE, "--show-completion", shell], env=env, capture_output=True, text=True)
        assert done.returncode == 0 and line in done.stdout and "_QIYE_COMPLETE" in done.stdout, done.stderr
    done = subprocess.run([QIYE, "--install-completion", "bash"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    script = tmp_path / ".bash_completions" / "qiye.sh"
    assert expected["bash"] in script.read_text()
    assert f"source '{script}'" in (tmp_path / ".bashrc").read_text()
    assert done.stdout == f"bash completion installed in {script}; it works in a new terminal.\n"
    done = subprocess.run([QIYE, "--lang", "zh", "--install-completion", "fish"], env=env, capture_output=True,
                          text=True)
    fish = tmp_path / ".config" / "fish" / "completions" / "qiye.fish"
    assert done.returncode == 0 and fish.is_file()
    assert done.stdout == f"已安装 fish 的 Tab 补全：{fish}；新开一个终端后生效。\n"
    done = subprocess.run([QIYE, "--install-completion", "zsh"], env={**env, "QIYE_LANG": "zh"},
                          capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("已安装 zsh 的 Tab 补全：")
    assert "compdef _qiye_completion qiye" in (tmp_path / ".zfunc" / "_qiye").read_text()


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")
def test_in_bash_itself(on_sample: Path, tmp_path: Path) -> None:
    """The script `--show-completion bash` prints, sourced in bash, completes through the console script."""
    script = subprocess.run([QIYE, "--show-completion", "bash"], capture_output=True, text=True,
                            env={**os.environ, "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}).stdout
    (tmp_path / "qiye.sh").write_text(script)
    program = (f"source {tmp_path / 'qiye.sh'}; COMP_WORDS=(qiye issue list -e 湘); COMP_CWORD=4; "
               "_qiye_completion qiye; printf '%s\\n' \"${COMPREPLY[@]}\"")
    done = subprocess.run(["bash", "--norc", "-c", program], capture_output=True, text=True,
                          env={**os.environ, "PATH": f"{Path(QIYE).parent}{os.pathsep}{os.environ['PATH']}"})
    names = sorted(name for (name,) in ledger(on_sample, "SELECT name FROM enterprise") if name.startswith("湘"))
    assert done.stdout.splitlines() == names, done.stderr


def test_fixed_values_are_the_models() -> None:
    from qiye_service import models
    from qiye_service.services import supervision

    assert values.STATUSES == tuple(s.value for s in models.Status)
    assert values.UNRESOLVED == tuple(models.UNRESOLVED_STATUSES)
    assert values.KINDS == tuple(k.value for k in models.Kind)
    assert values.SOURCES == tuple(s.value for s in models.Source)
    assert values.PRIORITIES == tuple(p.value for p in models.Priority)
    assert values.CALLBACK_RESULTS == tuple(r.value for r in models.CallbackResult)
    assert set(values.LEVELS) == set(supervision.LEVELS)


def test_values_on_either_backend(filed, backend: str) -> None:  # type: ignore[no-untyped-def]
    """The ledger a URL names (PostgreSQL through psycopg) completes as an SQLite file does."""
    filed.ok("issue", "resolve", "1", "--note", "已通过复验", "--on", "2023-12-18")
    line = f"qiye --db {filed.url} "
    env = {"QIYE_DB": "", "QIYE_CONFIG_DIR": filed.env["QIYE_CONFIG_DIR"]}
    assert offered(line + "issue list -e 蓝", env=env) == ["蓝思科技"]
    assert offered(line + "issue list -e 九", shell="fish", env=env) == ["九典制药"]
    assert offered(line + "issue list -e 思科", env=env) == ["蓝思科技"]
    assert sorted(offered(line + "issue assign 2 --dept ", env=env)) == sorted(["消防救援大队", "国网浏阳供电公司"])
    assert sorted(offered(line + "issue start ", env=env)) == ["2", "3"]  # 1 is resolved
    assert offered(line + "issue reopen ", env=env) == ["1"]
    assert offered(line + "issue list --owner 王", env=env) == ["王强"]
    assert offered(line + "issue list --tag 重点", env=env) == ["重点项目"]
    assert offered(line + "issue list --zone 南", env=env) == ["南园"]
    assert "消防验收" in offered(line + "issue add t -c 消防", env=env)
