"""`issue add` in a terminal (issue 17, point 4), through a pseudo-terminal: it asks for a missing
enterprise and category, says why a wrong answer is wrong, offers the candidates, asks again;
Ctrl-C at a prompt writes nothing and exits 130 with one line."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pexpect
import pytest

QIYE = str(Path(sys.executable).parent / "qiye")  # the venv's console script


def spawn(qiye, *args: str) -> pexpect.spawn:
    env = {**os.environ, **qiye.env, "TERM": "dumb"}
    child = pexpect.spawn(QIYE, list(args), env=env, encoding="utf-8", timeout=60, dimensions=(40, 200))
    return child


def finish(child: pexpect.spawn) -> tuple[int, str]:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus, child.before


def interrupt_at_the_prompt(child: pexpect.spawn) -> None:
    """Ctrl-C once the prompt waits for a key, as a person presses it. Sent in the instant between
    the prompt's text and the read (a test can be that quick, a person cannot), Python notes the
    signal but stays in the read until the next key: so wait until the process sleeps."""
    stat = Path(f"/proc/{child.pid}/stat")
    deadline = time.monotonic() + 10
    while stat.exists() and time.monotonic() < deadline:
        if stat.read_text().rsplit(")", 1)[1].split()[0] == "S":
            break
        time.sleep(0.02)
    time.sleep(0.2)
    child.sendintr()


def state(qiye) -> tuple:
    return (qiye.sql("select count(*) from enterprise"), qiye.sql("select max(id), count(*) from issue"),
            qiye.sql("select count(*) from event"), qiye.sql("select count(*) from tag"))


@pytest.fixture(autouse=True)
def needs_the_console_script() -> None:
    if not Path(QIYE).exists():
        pytest.skip("the qiye console script is not installed beside this interpreter")


def test_wrong_answers_are_explained_and_asked_again(filed):
    child = spawn(filed, "issue", "add", "二期消防通道整改", "--tag", "消防")
    child.expect_exact("Enterprise: ")
    child.sendline("兰思科技")
    child.expect_exact("no enterprise named '兰思科技'; did you mean 蓝思科技?")
    child.expect_exact("Enterprise: ")
    child.sendline("lansi")
    child.expect_exact("Category: ")
    child.sendline("消防严收")
    child.expect_exact("unknown category '消防严收'; did you mean fire-acceptance (消防验收)? "
                       "Valid categories: land-acquisition (征拆)")
    child.expect_exact("Category: ")
    child.sendline("land")
    child.expect_exact("'land' matches 3 categories:")
    child.expect_exact("Category: ")
    child.sendline("xfys")
    status, output = finish(child)
    assert status == 0, output
    assert "#4" in output
    assert filed.sql("select i.title, e.name, c.code from issue i join enterprise e on e.id = i.enterprise_id "
                     "join category c on c.id = i.category_id where i.id = 4") == [("二期消防通道整改", "蓝思科技", "fire-acceptance")]


def test_the_prompts_speak_chinese(filed):
    child = spawn(filed, "--lang", "zh", "issue", "add", "用电增容", "-c", "用水用电")
    child.expect_exact("企业名称：")  # a full-width colon, as Chinese punctuates
    child.sendline("九点制药")
    child.expect_exact("没有名为 '九点制药' 的企业；您是不是要找：九典制药？")
    child.expect_exact("企业名称：")
    child.sendline("九典")
    status, output = finish(child)
    assert status == 0, output
    assert "企业名称:" not in output
    assert filed.sql("select e.name from issue i join enterprise e on e.id = i.enterprise_id where i.id = 4") == [("九典制药",)]


@pytest.mark.parametrize("at", ["enterprise", "category"])
def test_ctrl_c_at_a_prompt_writes_nothing(filed, at):
    before = state(filed)
    child = spawn(filed, "issue", "add", "新问题", "--tag", "新标签", "--dept", "消防救援大队")
    child.expect_exact("Enterprise: ")
    if at == "category":
        child.sendline("蓝思科技")
        child.expect_exact("Category: ")
    interrupt_at_the_prompt(child)
    status, output = finish(child)
    assert status == 130, output
    lines = [line for line in output.replace("\r", "").split("\n") if line.strip() and not line.strip() == "^C"]
    assert lines == ["error: interrupted; nothing was written"], output
    assert state(filed) == before
