"""One catalogue, two languages (DESIGN §3, §4): --lang and QIYE_LANG switch table labels and
messages; machine formats are the same bytes in either language.
"""

from __future__ import annotations

import pytest

from conftest import BACKENDS
from ledgers import add_ledger_issues, file_three, module_database
from qiye_service.i18n import CATALOGUE


@pytest.fixture(scope="module", params=BACKENDS)
def ledger(request, tmp_path_factory, sqlite_template):
    def build(qiye):
        file_three(qiye)
        add_ledger_issues(qiye)

    yield from module_database(request.param, tmp_path_factory.mktemp("lang"), sqlite_template, build)


def header(output: str) -> str:
    """The header row of a rich table (the line after the top border)."""
    return output.splitlines()[1]


def test_lang_switches_list_headers(ledger):
    en = ledger.ok("--lang", "en", "issue", "list")
    zh = ledger.ok("--lang", "zh", "issue", "list")
    for word in ("ID", "Title", "Enterprise", "Category", "Status", "Priority", "Department", "Owner", "Due"):
        assert word in header(en.stdout)
    for word in ("编号", "问题标题", "企业名称", "问题类别", "办理状态", "优先级", "责任单位", "责任人", "办结时限"):
        assert word in header(zh.stdout)
    assert "Title" not in zh.stdout and "问题标题" not in en.stdout
    # Values are labelled too: codes become words of the language.
    assert "Fire-safety acceptance" in en.stdout and "消防验收" in zh.stdout
    assert "deferred" in en.stdout and "暂缓" in zh.stdout
    assert (en.stderr, zh.stderr) == ("4 rows\n", "共 4 条\n")


def test_lang_switches_show_and_timeline(ledger):
    zh = ledger.ok("--lang", "zh", "issue", "show", "4").stdout
    for text in ("问题标题", "办理过程", "操作人", "登记：厂区道路积水", "办理状态: 已登记 → 已办结", "特急", "个性", "走访"):
        assert text in zh, text
    en = ledger.ok("--lang", "en", "issue", "show", "4").stdout
    for text in ("Title", "History", "By", "filed: 厂区道路积水", "Status: open → resolved", "urgent"):
        assert text in en, text


def test_lang_switches_messages(ledger):
    assert ledger("--lang", "zh", "issue", "show", "99").stderr == "error: 问题 #99 不存在；可用 `qiye issue list` 查看\n"
    assert ledger("--lang", "en", "issue", "show", "99").stderr == (
        "error: issue #99 does not exist; see `qiye issue list`\n")
    assert ledger("--lang", "zh", "issue", "list", "--status", "in_progress").stderr == "没有符合条件的记录。\n"
    assert ledger("--lang", "zh", "issue", "add", "x", "-e", "蓝思科技", "-c", "nope").stderr.startswith(
        "error: 未知问题类别 'nope'；可用类别：land-acquisition (征拆)")


def test_qiye_lang_env_and_precedence(ledger):
    assert ledger("issue", "show", "99", env={"QIYE_LANG": "zh"}).stderr.startswith("error: 问题 #99 不存在")
    assert ledger("issue", "show", "99", env={"QIYE_LANG": "en"}).stderr.startswith("error: issue #99 does not")
    # --lang beats QIYE_LANG.
    assert ledger("--lang", "en", "issue", "show", "99", env={"QIYE_LANG": "zh"}).stderr.startswith("error: issue")
    assert "编号" in header(ledger.ok("issue", "list", env={"QIYE_LANG": "zh"}).stdout)


def test_config_then_locale_when_nothing_is_said(ledger, tmp_path):
    no_lang = {"QIYE_LANG": None, "LC_ALL": None, "LC_MESSAGES": None, "QIYE_CONFIG_DIR": str(tmp_path)}
    assert ledger("issue", "show", "99", env={**no_lang, "LANG": "zh_CN.UTF-8"}).stderr.startswith("error: 问题")
    assert ledger("issue", "show", "99", env={**no_lang, "LANG": "en_US.UTF-8"}).stderr.startswith("error: issue")
    ledger.ok("config", "set", "lang", "zh", env=no_lang)
    assert ledger("issue", "show", "99", env={**no_lang, "LANG": "en_US.UTF-8"}).stderr.startswith("error: 问题")
    assert ledger("issue", "show", "99", env={**no_lang, "QIYE_LANG": "en"}).stderr.startswith("error: issue")


MACHINE_COMMANDS = [
    ("issue", "list", "--status", "all", "--format", "csv"),
    ("issue", "list", "--status", "all", "--format", "tsv"),
    ("issue", "list", "--status", "all", "--format", "json"),
    ("issue", "list", "--status", "all", "--format", "ndjson"),
    ("issue", "show", "4", "--format", "json"),
    ("issue", "show", "4", "--format", "csv"),
    ("enterprise", "list", "--format", "csv"),
    ("enterprise", "show", "蓝思科技", "--format", "json"),
    ("category", "list", "--format", "json"),
    ("department", "list", "--format", "tsv"),
]


@pytest.mark.parametrize("args", MACHINE_COMMANDS, ids=[" ".join(a) for a in MACHINE_COMMANDS])
def test_machine_formats_are_byte_identical_across_languages(ledger, args):
    en = ledger.ok("--lang", "en", *args).stdout
    zh = ledger.ok("--lang", "zh", *args).stdout
    assert en == zh
    assert en.strip()
    for label in ("已办结", "办理状态", "Status", "Enterprise"):  # labels of either language
        assert label not in en


def test_every_catalogue_entry_has_both_languages():
    for key, texts in CATALOGUE.items():
        assert len(texts) == 2 and all(texts), key
        # The same parameters in both, so a message never fails in one language only.
        import string

        names = [{name for _, name, _, _ in string.Formatter().parse(text) if name} for text in texts]
        assert names[0] == names[1], key
