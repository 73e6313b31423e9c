"""Mixed encodings are an error, not mojibake (issue 25, point 10).

The attack: a UTF-8 ledger with one Latin-1 byte (`Caf\\xe9s` beside Chinese text) was read
as GB18030 and imported 闀挎矙鎯犵鍏夌數 without a word. With `--encoding auto` a file that
is mostly UTF-8 with a few bad bytes is now an error naming the line, the byte offset and the
bytes; `--encoding utf-8` says the same of any bad byte; genuine GB18030 files still import.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import Qiye

SAMPLE = Path(__file__).parent.parent / "sample_data"
HEADER = "enterprise,category,reported_on,title,description\n"
GOOD_ROW = "长沙惠科光电,road,2023-05-12,园区道路破损,主干道破损，重载货车通行困难\n"
TABLES = ("issue", "event", "enterprise")


def counts(qiye: Qiye) -> dict[str, int]:
    qiye.ok("db", "upgrade")
    return {table: qiye.sql(f"SELECT count(*) FROM {table}")[0][0] for table in TABLES}


def mixed_ledger(path: Path) -> tuple[Path, int]:
    """A UTF-8 ledger whose third line holds one Latin-1 byte; and that byte's offset."""
    head = (HEADER + GOOD_ROW).encode("utf-8") + "长沙经开区企业,road,2023-05-12,".encode()
    path.write_bytes(head + b"Caf\xe9s \xe9\xa1\xb9\xe7\x9b\xae,\xe6\x8f\x8f\xe8\xbf\xb0\n" + GOOD_ROW.encode())
    return path, len(head) + 3


def test_a_utf8_file_with_a_latin1_byte_is_an_error_naming_line_and_byte(qiye, tmp_path):
    path, offset = mixed_ledger(tmp_path / "混合.csv")
    before = counts(qiye)
    result = qiye("import", "issues", str(path))
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr == (
        f"error: {path} is UTF-8 text except for 1 byte sequence(s) that are not UTF-8, the first \\xe9 on line 3 "
        f"(byte offset {offset}): '长沙经开区企业,road,2023-05-12,Caf\\xe9s 项目,描述'; fix those bytes (save the file "
        "as CSV UTF-8), or pass --encoding gb18030 if the file really is GB18030 (GBK) text\n")
    assert counts(qiye) == before
    zh = qiye("--lang", "zh", "import", "issues", str(path))
    assert zh.exit_code == 1
    assert zh.stderr == (
        f"error: {path} 是 UTF-8 文本，但有 1 处字节不是 UTF-8，第一处是第 3 行（字节偏移 {offset}）的 \\xe9："
        "'长沙经开区企业,road,2023-05-12,Caf\\xe9s 项目,描述'；请修正这些字节（将文件另存为“CSV UTF-8”），"
        "如果文件确为 GB18030（GBK）编码，请加 --encoding gb18030\n")
    assert counts(qiye) == before


def test_explicit_utf8_names_the_bad_byte_too(qiye, tmp_path):
    path, offset = mixed_ledger(tmp_path / "混合.csv")
    before = counts(qiye)
    result = qiye("import", "issues", str(path), "--encoding", "utf-8")
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(
        f"error: {path} is not valid UTF-8 text: 1 byte sequence(s) are not UTF-8, the first \\xe9 on line 3 "
        f"(byte offset {offset}): ")
    assert counts(qiye) == before


def test_a_bad_byte_far_into_a_large_file_is_found_where_it_is(qiye, tmp_path):
    """Past the first megabyte the file is read a chunk at a time; characters cut by a chunk's
    end are whole again, and the line and offset still count from the start of the file."""
    rows = [f"企业{n % 9},road,2023-05-12,问题{n},{'描述' * 20}\n".encode() for n in range(30_000)]
    data = bytearray(HEADER.encode() + b"".join(rows))
    # A control character in the line, too: the message escapes it.
    target = data.index("问题21000,".encode())
    line = data.count(b"\n", 0, target) + 1
    data[target:target + len("问题21000".encode())] = b"\x1b\xff" + "问题".encode()[2:] + b"21000"
    path = tmp_path / "large.csv"
    path.write_bytes(bytes(data))
    before = counts(qiye)
    result = qiye("import", "issues", str(path))
    assert result.exit_code == 1, result.output
    assert f"the first \\xff on line {line} (byte offset {target + 1}): " in result.stderr
    assert "\\x1b\\xff" in result.stderr and "\x1b" not in result.stderr
    assert counts(qiye) == before


def test_valid_characters_across_read_chunks_are_not_bad_bytes(qiye, tmp_path):
    """A big UTF-8 file is read a megabyte at a time: a character cut by a chunk's end is no
    bad byte."""
    from qiye_service.importers import SCAN_CHUNK

    rows = "".join(f"企业{n % 9},road,2023-05-12,问题{n},长描述{'文' * (n % 7)}\n" for n in range(25_000))
    for pad in range(3):  # shift the text until the first chunk ends inside a character
        data = (HEADER + "蓝思科技,road,2023-05-12,x" + "x" * pad + ",\n" + rows).encode()
        if 0x80 <= data[SCAN_CHUNK] < 0xC0:
            break
    assert 0x80 <= data[SCAN_CHUNK] < 0xC0
    path = tmp_path / "big.csv"
    path.write_bytes(data)
    qiye.ok("import", "issues", str(path))
    assert counts(qiye)["issue"] == 25_001


def test_a_genuine_gb18030_ledger_still_imports(qiye, tmp_path):
    """The whole sample ledger, saved as GB18030 the way Excel on Chinese Windows does."""
    for name in ("enterprises.csv", "visits.csv", "ledger.csv"):
        text = (SAMPLE / name).read_text(encoding="utf-8-sig")
        (tmp_path / name).write_bytes(text.replace("\n", "\r\n").encode("gb18030"))
    later = {"QIYE_NOW": "2024-01-15T10:00:00+08:00"}  # after the campaign's last close-out
    qiye.ok("import", "enterprises", str(tmp_path / "enterprises.csv"), env=later)
    qiye.ok("import", "visits", str(tmp_path / "visits.csv"), env=later)  # the ledger's 走访编号 name them
    result = qiye.ok("import", "issues", str(tmp_path / "ledger.csv"), env=later)
    assert "174 issues created" in result.stdout
    titles = {row["title"] for row in json.loads(qiye.ok("issue", "list", "--status", "all", "--format", "json").stdout)}
    assert "双回路供电接入进度慢" in titles


@pytest.mark.parametrize("encoding", ["auto", "gb18030"])
def test_a_gb18030_file_with_an_accidental_utf8_sequence_is_gb18030(qiye, tmp_path, encoding):
    """GBK text forms valid UTF-8 sequences by chance now and then (缁煎悎 in GB18030 is 综合 in
    UTF-8), about one for every four bad ones; such a file is still read as GB18030."""
    path = tmp_path / "gbk.csv"
    path.write_bytes((HEADER + "浏阳蓝思科技,road,2023-05-12,缁煎悎,读取测试\n").encode("gb18030"))
    qiye.ok("import", "issues", str(path), "--encoding", encoding)
    rows = json.loads(qiye.ok("issue", "list", "--format", "json").stdout)
    assert [(row["enterprise"], row["title"]) for row in rows] == [("浏阳蓝思科技", "缁煎悎")]
