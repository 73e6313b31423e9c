"""Ledger files → validated rows (DESIGN §5): CSV (UTF-8 with or without BOM, or GB18030;
comma or tab; quoted multi-line cells; CRLF) and XLSX.

Each data row comes back as a LedgerRow with its spreadsheet row number (the header is
row 1) and either its cleaned values or the reasons it is bad. Nothing here touches the
database: names are resolved to ids by services/transfer.py.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import repeat
from pathlib import Path
from typing import IO, Any

from qiye_service.errors import BadFile, InvalidValue, QiyeError
from qiye_service.i18n import Listed, Msg

# The accepted header of every column, by file kind and field: the English field name
# first, then the Chinese ledger headers. Matching ignores case, blanks and a trailing
# note in brackets (`登记日期（必填）`). This is the table the README cites.
ACCEPTED_HEADERS: dict[str, dict[str, tuple[str, ...]]] = {
    "issues": {
        "id": ("id", "序号", "编号", "问题编号"),
        "title": ("title", "问题标题", "标题", "问题名称"),
        "description": ("description", "问题描述", "问题内容", "具体问题", "描述"),
        "enterprise": ("enterprise", "企业名称", "企业", "企业名"),
        "project": ("project", "项目名称", "项目"),
        "category": ("category", "问题类别", "问题类型", "类别", "问题分类"),
        "kind": ("kind", "问题性质", "性质"),
        "source": ("source", "来源", "问题来源"),
        "priority": ("priority", "优先级", "紧急程度"),
        "status": ("status", "办理状态", "状态", "当前状态"),
        "department": ("department", "责任单位", "牵头单位", "责任部门", "主办单位"),
        "owner": ("owner", "责任人", "揭榜挂帅"),
        "reported_on": ("reported_on", "登记日期", "提出时间", "提出日期", "反映时间"),
        "due_on": ("due_on", "办结时限", "完成时限", "办理时限"),
        "resolved_on": ("resolved_on", "办结日期", "销号日期", "办结时间", "销号时间"),
        "resolution": ("resolution", "办理结果", "办理情况", "处理结果"),
        "tags": ("tags", "标签"),
        "created_by": ("created_by", "登记人"),
        "created_at": ("created_at", "登记时间"),
        "updated_at": ("updated_at", "更新时间"),
        "dispatched_on": ("dispatched_on", "派单日期", "派单时间"),
        "acknowledged_on": ("acknowledged_on", "签收日期", "签收时间"),
        "escalated": ("escalated", "挂牌督办", "是否挂牌督办"),
        "callback_result": ("callback_result", "回访结果"),
        "callback_on": ("callback_on", "回访日期", "回访时间"),
        "callback_note": ("callback_note", "回访意见"),
        # The work-order cycle (issue 20): `export issues --cycle` writes these back.
        "co_departments": ("co_departments", "协办单位", "配合单位"),
        "return_count": ("return_count", "退单次数"),
        "transfer_count": ("transfer_count", "转办次数"),
        "returned_by": ("returned_by", "退单单位"),
        "transferred_from": ("transferred_from", "转出单位"),
        "callback_solved": ("callback_solved", "解决情况", "是否解决"),
        "callback_reached": ("callback_reached", "是否联系上", "有效回访"),
        "co_dispatched_on": ("co_dispatched_on", "协办派单日期"),
        "co_acknowledged_on": ("co_acknowledged_on", "协办签收日期"),
        # Extension, suspension, verification (issue 20 points 3, 4).
        "extended_due_on": ("extended_due_on", "延期至", "批准延期至"),
        "extension_count": ("extension_count", "延期次数", "批准延期次数"),
        "deadline_on": ("deadline_on", "执行时限"),
        "suspended_on": ("suspended_on", "挂起日期"),
        "suspended_days": ("suspended_days", "挂起天数", "挂起工作日数"),
        "closeout_by": ("closeout_by", "销号申请人"),
        "verified_by": ("verified_by", "审核人"),
        # The visit (走访) that found the problem (issue 22): the id `export visits` writes.
        "visit": ("visit", "visit_id", "走访编号", "走访记录编号"),
    },
    "enterprises": {
        "id": ("id", "序号", "编号"),
        "name": ("name", "企业名称", "企业", "名称", "企业全称"),
        "credit_code": ("credit_code", "统一社会信用代码", "信用代码", "社会信用代码"),
        "zone": ("zone", "所在园区", "园区", "片区", "园区片区"),
        "industry": ("industry", "所属产业", "产业", "产业链"),
        "contact": ("contact", "联系人"),
        "phone": ("phone", "联系电话", "电话", "手机"),
        "liaison": ("liaison", "联企干部", "包联干部", "联络员"),
    },
    "visits": {  # issue 22: the campaign's visit log (走访记录)
        "id": ("id", "走访编号", "序号", "编号"),
        "visited_on": ("visited_on", "走访日期", "走访时间", "日期"),
        "enterprise": ("enterprise", "走访企业", "企业名称", "企业"),
        "visited_by": ("visited_by", "走访人", "走访干部", "联企干部"),
        "kind": ("visit_kind", "kind", "走访方式", "方式"),
        "note": ("note", "走访情况", "走访内容", "情况记录", "备注"),
        "created_by": ("created_by", "登记人"),
        "created_at": ("created_at", "登记时间"),
    },
    "users": {  # issue 19: the people of a shared ledger
        "name": ("name", "姓名", "用户", "用户名", "名称"),
        "role": ("role", "角色", "用户角色"),
        "department": ("department", "所属单位", "责任单位", "单位", "部门"),
        "login": ("login", "登录名", "登录账号", "账号"),
        "state": ("state", "状态", "status", "用户状态"),
    },
}

# Columns a file must have; for issues, a title may come from the description instead.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "issues": ("enterprise", "category", "reported_on"),
    "enterprises": ("name",),
    "users": ("name", "role"),
    "visits": ("visited_on", "enterprise", "visited_by", "note"),
}
MAX_LISTED_ROWS = 50
HEADER_SCAN_ROWS = 10  # a ledger may have a title row or two above its header
YES = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "✔", "x"})
NO = frozenset({"否", "n", "no", "false", "0", ""})

_BRACKETED_NOTE = re.compile(r"[(（][^)）]*[)）]$")
_BLANKS = re.compile(r"[\s\u3000]+")


def _header_key(text: str) -> str:
    raw = _BLANKS.sub(" ", str(text).replace("\ufeff", "")).strip().strip("*＊").strip()
    if raw.isascii():
        return raw.lower().replace("-", "_").replace(" ", "_")
    return raw.replace(" ", "")


_HEADER_INDEX: dict[str, dict[str, str]] = {
    kind: {_header_key(name): field for field, names in table.items() for name in names}
    for kind, table in ACCEPTED_HEADERS.items()
}


def header_field(kind: str, header: Any) -> str | None:
    """The field a header names, or None for a column we do not know."""
    if header is None:
        return None
    key = _header_key(str(header))
    index = _HEADER_INDEX[kind]
    if key in index:
        return index[key]
    return index.get(_header_key(_BRACKETED_NOTE.sub("", str(header).strip())))


# --- reading the file -----------------------------------------------------------------------


@dataclass(frozen=True)
class CellError:
    """One reason a row is bad: its row number, the column as the file names it, the error."""

    row: int
    column: str
    error: QiyeError


class BadRows(BadFile):
    """A file with bad rows; lists up to MAX_LISTED_ROWS of them with every reason."""

    def __init__(self, source: str, errors: list[CellError], bad_rows: int, notes: list[QiyeError]) -> None:
        super().__init__("error.import_bad_rows", path=source, count=bad_rows)
        self.errors = errors
        self.bad_rows = bad_rows
        self.notes = notes

    def message(self, lang: str = "en") -> str:
        from qiye_service.i18n import translate

        lines = [super().message(lang)]
        listed: set[int] = set()
        for error in self.errors:
            listed.add(error.row)
            lines.append("  " + translate("error.import_row", lang, row=error.row, column=error.column,
                                          reason=error.error.message(lang)))
        if self.bad_rows > len(listed):
            lines.append("  " + translate("error.import_more_rows", lang, count=self.bad_rows - len(listed)))
        lines.extend("  " + note.message(lang) for note in self.notes)
        return "\n".join(lines)


@dataclass(slots=True)
class LedgerRow:
    """One data row: its spreadsheet row number and its values, or why it is bad."""

    number: int
    values: dict[str, Any]
    errors: list[CellError] = field(default_factory=list)


# TSV as qiye writes it (render.text.write_tsv, DESIGN §4): no quoting, \t \n \r \\ escapes.
_TSV_ESCAPE = re.compile(r"\\([tnr\\])")
_TSV_UNESCAPED = {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}
# A field as a spreadsheet quotes it in a TSV it saves: "…" with inner quotes doubled, ended by
# a tab or the line's end. Read so only when it holds what made the spreadsheet quote it (a tab,
# a line break or a quote); plain TSV has none of those raw, so no qiye cell reads as quoted.
_TSV_QUOTED = re.compile(r'"((?:[^"]|"")*)"(?=\t|\r\n|\n|\r|\Z)')
_TSV_PLAIN = re.compile(r"[^\t\r\n]*")
_TSV_QUOTED_LINES = 1000  # how many lines one quoted field may span


def unescape_tsv(text: str) -> str:
    """A plain-TSV cell's text: \\t, \\n, \\r and \\\\ decoded; any other backslash kept."""
    if "\\" not in text:
        return text
    return _TSV_ESCAPE.sub(lambda match: _TSV_UNESCAPED[match.group(1)], text)


def tsv_records(lines: Iterator[str] | IO[str]) -> Iterator[list[str]]:
    """The records of a TSV file read with newline="": plain TSV, each line a record and each
    cell unescaped, with a cell a spreadsheet quoted (see _TSV_QUOTED) read as it wrote it."""
    source = iter(lines)
    pushed: list[str] = []

    def read() -> str | None:
        return pushed.pop() if pushed else next(source, None)

    while (text := read()) is not None:
        if text in ("\n", "\r\n", "\r"):
            yield []
            continue
        fields: list[str] = []
        position = 0
        while True:
            match = None
            if text.startswith('"', position):
                match = _TSV_QUOTED.match(text, position)
                extra: list[str] = []
                while match is None and len(extra) < _TSV_QUOTED_LINES and (more := read()) is not None:
                    extra.append(more)
                    match = _TSV_QUOTED.match(text + "".join(extra), position)
                if match is not None and extra:
                    text += "".join(extra)
                else:
                    pushed.extend(reversed(extra))  # not a quoted field: those lines are records
                if match is not None and not any(mark in match.group(1) for mark in ("\t", "\n", "\r", '""')):
                    match = None
            if match is not None:
                fields.append(match.group(1).replace('""', '"'))
            else:
                match = _TSV_PLAIN.match(text, position)
                fields.append(unescape_tsv(match.group()))
            position = match.end()
            if not text.startswith("\t", position):
                break
            position += 1
        yield fields


_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def xlsx_cell_text(text: str) -> str:
    """A workbook cell's text with its OOXML escapes (_x000D_ for a carriage return, as Excel
    and render.xlsx.ooxml_escaped write it; _x005F_ for an underscore) decoded."""
    return _OOXML_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text)


class LedgerFile:
    """An open CSV or XLSX ledger: its header, its column mapping and its data rows.

    Use as a context manager; `records()` yields (row number, cells) lazily so a large
    file never sits in memory.
    """

    def __init__(self, path: Path, kind: str, *, encoding: str = "auto") -> None:
        self.path = path
        self.kind = kind
        self.requested_encoding = encoding
        self.encoding: str | None = None
        self.delimiter: str | None = None
        self.size = 0
        self._binary: IO[bytes] | None = None
        self._text: IO[str] | None = None
        self._workbook: Any = None
        self._rows: Iterator[tuple[int, list[Any]]] = iter(())
        self.header_row = 1
        self.headers: list[str] = []
        self.columns: dict[str, int] = {}  # field -> column index
        self.column_names: dict[str, str] = {}  # field -> header as written
        self.unknown_columns: list[str] = []
        self._done_rows = 0
        self._total_rows: int | None = None

    # -- opening --

    def __enter__(self) -> LedgerFile:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> None:
        if not self.path.is_file():
            raise BadFile("error.import_no_file", path=str(self.path))
        self.size = self.path.stat().st_size
        with self.path.open("rb") as handle:
            magic = handle.read(8)
        suffix = self.path.suffix.lower()
        if suffix == ".xls" or magic.startswith(b"\xd0\xcf\x11\xe0"):
            raise BadFile("error.import_xls", path=str(self.path))
        if magic.startswith(b"PK\x03\x04") or suffix in (".xlsx", ".xlsm"):
            self._open_xlsx()
        else:
            self._open_csv(magic)
        self._find_header()

    def _open_csv(self, magic: bytes) -> None:
        if magic.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise BadFile("error.import_encoding", path=str(self.path))
        if self.requested_encoding == "auto":
            self.encoding = detect_encoding(self.path)
        elif self.requested_encoding in ("utf-8", "utf8", "utf-8-sig"):
            # A bad byte is an error naming where it is, not a decode error some rows later.
            if (scan := scan_utf8(self.path)).bad:
                mostly_utf8 = scan.multibyte > scan.bad  # else its bytes would only be noise
                raise scan.error("error.import_not_utf8" if mostly_utf8 else "error.import_not_utf8_at_all", self.path)
            self.encoding = "utf-8-sig"
        elif self.requested_encoding.lower() in ("gb18030", "gbk", "gb2312"):
            self.encoding = "gb18030"
        else:
            raise InvalidValue("error.bad_choice", field="--encoding", value=self.requested_encoding,
                               valid="auto, utf-8, gb18030")
        self._binary = self.path.open("rb")
        # The text stream must not translate line ends: csv needs them for quoted cells.
        self._text = io.TextIOWrapper(self._binary, encoding=self.encoding, newline="")
        try:
            first = self._text.readline()
        except UnicodeDecodeError:
            raise BadFile("error.import_decode", path=str(self.path), encoding=self._encoding_name, row=1) from None
        self._text.seek(0)
        self.delimiter = "\t" if first.count("\t") > first.count(",") or self.path.suffix.lower() == ".tsv" else ","
        reader = tsv_records(self._text) if self.delimiter == "\t" else csv.reader(self._text, delimiter=",")
        self._rows = self._csv_records(reader)

    def _csv_records(self, reader: Any) -> Iterator[tuple[int, list[Any]]]:
        number = 0
        try:
            for number, cells in enumerate(reader, start=1):  # noqa: B007 - number is read below
                yield number, cells
        except UnicodeDecodeError:
            raise BadFile("error.import_decode", path=str(self.path), encoding=self._encoding_name,
                          row=number + 1) from None
        except csv.Error as exc:
            raise BadFile("error.import_csv", path=str(self.path), row=number + 1, detail=str(exc)) from None

    @property
    def _encoding_name(self) -> str:
        return {"utf-8-sig": "UTF-8", "gb18030": "GB18030"}.get(self.encoding or "", str(self.encoding))

    def _open_xlsx(self) -> None:
        from xml.etree.ElementTree import ParseError
        from zipfile import BadZipFile

        from openpyxl import load_workbook

        try:
            check_xlsx_archive(self.path)
            self._workbook = load_workbook(self.path, read_only=True, data_only=True)
        except (BadZipFile, KeyError, OSError, ValueError, ParseError) as exc:
            raise self._unreadable(exc) from None
        sheet = self._workbook.worksheets[0]
        declared = sheet.max_row
        # The declared dimension is the file's word only: A1:XFD1048576 pads every row to
        # 16,384 cells, a too small one drops rows and columns. Read the cells as they are.
        sheet.reset_dimensions()
        self._total_rows = min(declared, MAX_XLSX_ROWS) if isinstance(declared, int) else None
        self._rows = self._xlsx_records(sheet)

    def _xlsx_records(self, sheet: Any) -> Iterator[tuple[int, list[Any]]]:
        """The sheet's rows, within MAX_XLSX_ROWS rows and MAX_XLSX_COLUMNS columns."""
        from xml.etree.ElementTree import ParseError
        from zipfile import BadZipFile

        rows = enumerate(sheet.iter_rows(values_only=True), start=1)
        while True:
            try:
                number, cells = next(rows)
            except StopIteration:
                return
            except (BadZipFile, EOFError, KeyError, ValueError, ParseError) as exc:
                # Malformed XML (or entities past expat's amplification limit), a part that does
                # not match its checksum: a broken file, said as such.
                raise self._unreadable(exc) from None
            if number > MAX_XLSX_ROWS:
                raise BadFile("error.import_xlsx_rows", path=str(self.path), row=number, limit=MAX_XLSX_ROWS)
            if len(cells) > MAX_XLSX_COLUMNS:
                from openpyxl.utils import get_column_letter

                raise BadFile("error.import_xlsx_columns", path=str(self.path), row=number, width=len(cells),
                              column=get_column_letter(len(cells)), limit=MAX_XLSX_COLUMNS)
            yield number, [xlsx_cell_text(cell) if isinstance(cell, str) and "_x" in cell else cell for cell in cells]

    def _unreadable(self, exc: Exception) -> BadFile:
        return BadFile("error.import_xlsx", path=str(self.path), detail=str(exc) or type(exc).__name__)

    def _find_header(self) -> None:
        """The header is the first of the first rows that names two known columns (or row 1)."""
        scanned: list[tuple[int, list[Any]]] = []
        for number, cells in self._rows:
            scanned.append((number, cells))
            if sum(header_field(self.kind, c) is not None for c in cells) >= 2:
                self._use_header(number, cells)
                return
            if len(scanned) >= HEADER_SCAN_ROWS:
                break
        if not scanned:
            raise BadFile("error.import_empty", path=str(self.path))
        # No recognisable header: use the first row, so the error names what is missing.
        number, cells = scanned[0]
        self._use_header(number, cells)
        rest = iter(scanned[1:])
        self._rows = _chain(rest, self._rows)

    def _use_header(self, number: int, cells: list[Any]) -> None:
        self.header_row = number
        self.headers = ["" if c is None else str(c).replace("\ufeff", "").strip() for c in cells]
        for index, header in enumerate(self.headers):
            if not header:
                continue
            found = header_field(self.kind, header)
            if found is None:
                self.unknown_columns.append(header)
            elif found in self.columns:
                raise BadFile("error.import_duplicate_column", path=str(self.path), first=self.column_names[found],
                              second=header, field=found)
            else:
                self.columns[found] = index
                self.column_names[found] = header
        missing = [name for name in REQUIRED_COLUMNS[self.kind] if name not in self.columns]
        if self.kind == "issues" and "title" not in self.columns and "description" not in self.columns:
            missing.append("title")
        if missing:
            accepted = Listed([Msg("import.accepted_column", field=name, headers=" / ".join(ACCEPTED_HEADERS[self.kind][name]))
                               for name in missing], en="; ", zh="；")
            raise BadFile("error.import_missing_columns", path=str(self.path), columns=Listed(missing),
                          accepted=accepted)

    def close(self) -> None:
        if self._text is not None:
            self._text.close()
        if self._binary is not None:
            self._binary.close()
        if self._workbook is not None:
            self._workbook.close()

    # -- reading --

    def records(self) -> Iterator[tuple[int, list[Any]]]:
        """(row number, cells) of every data row that is not blank."""
        for number, cells in self._rows:
            self._done_rows = number
            if any(cells):
                yield number, cells

    def progress(self) -> tuple[int, int]:
        """(done, total) in bytes for CSV, in rows for XLSX, for a progress bar."""
        if self._binary is not None:
            try:
                return self._binary.tell(), self.size
            except (OSError, ValueError):
                return self.size, self.size
        return self._done_rows, self._total_rows or max(self._done_rows, 1)


# What an .xlsx import reads (issue 25, point 11). A workbook is a zip of XML: a small file
# can unzip to gigabytes, or declare a million rows of 16,384 cells. A park's ledger is far
# inside these; a larger one imports as CSV, which streams without them.
MAX_XLSX_UNCOMPRESSED = 100 * 1024 * 1024  # bytes, all parts together: a 100,000-row ledger is about half
MAX_XLSX_RATIO = 100  # how many times a part may expand: worksheets compress 5-20 fold, zip bombs 1,000
RATIO_FROM_BYTES = 1024 * 1024  # smaller parts may compress as they like
MAX_XLSX_ROWS = 200_000
MAX_XLSX_COLUMNS = 256  # a ledger has thirty; Excel 2003's last column (IV)


def check_xlsx_archive(path: Path) -> None:
    """Refuse a workbook whose parts unzip to more than MAX_XLSX_UNCOMPRESSED, or expand more
    than MAX_XLSX_RATIO fold, before anything is unzipped. The sizes are the archive's own
    word, and zipfile holds it to them: it reads no more than a part declares."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        parts = archive.infolist()
    total = sum(part.file_size for part in parts)
    if total > MAX_XLSX_UNCOMPRESSED:
        raise BadFile("error.import_xlsx_too_large", path=str(path), size=_megabytes(total),
                      limit=_megabytes(MAX_XLSX_UNCOMPRESSED))
    for part in parts:
        if part.file_size > RATIO_FROM_BYTES and part.file_size > MAX_XLSX_RATIO * max(part.compress_size, 1):
            raise BadFile("error.import_xlsx_ratio", path=str(path), part=part.filename,
                          ratio=part.file_size // max(part.compress_size, 1), limit=MAX_XLSX_RATIO)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f}"


def _chain(first: Iterator[tuple[int, list[Any]]], second: Iterator[tuple[int, list[Any]]]
           ) -> Iterator[tuple[int, list[Any]]]:
    yield from first
    yield from second


@dataclass
class Utf8Scan:
    """What a file holds as UTF-8: its characters of two bytes or more, and its byte sequences
    that are not UTF-8 (how many, and where the first one is)."""

    multibyte: int = 0
    bad: int = 0
    offset: int = 0  # of the first bad sequence, from the start of the file
    line: int = 0
    bad_bytes: bytes = b""
    context: bytes = b""  # the bytes around it on its line

    def error(self, key: str, path: Path) -> BadFile:
        shown = "".join(f"\\x{byte:02x}" for byte in self.bad_bytes)
        return BadFile(key, path=str(path), count=self.bad, bytes=shown, line=self.line, offset=self.offset,
                       context=_shown_bytes(self.context))


SCAN_CHUNK = 1 << 20
CONTEXT_BYTES = 60


def scan_utf8(path: Path) -> Utf8Scan:
    """Read the file as UTF-8 without stopping at bytes that are not (streaming, a chunk at a time)."""
    scan = Utf8Scan()
    found: list[tuple[int, int]] = []

    def skip(exc: UnicodeDecodeError) -> tuple[str, int]:
        found.append((exc.start, exc.end))
        return "", exc.end

    codecs.register_error("qiye-utf8-scan", skip)
    carry, base, lines = b"", 0, 0
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(SCAN_CHUNK)
            data = carry + chunk
            # Not final until the end: a character cut by the chunk's end waits for the next one.
            text, used = codecs.utf_8_decode(data, "qiye-utf8-scan", not chunk)
            scan.multibyte += len(text) - len(text.encode("ascii", "ignore"))
            if found and not scan.bad:
                start, end = found[0]
                scan.offset, scan.line, scan.bad_bytes = base + start, lines + data.count(b"\n", 0, start) + 1, \
                    data[start:end]
                scan.context = _line_around(data, start, end)
            scan.bad += len(found)
            found.clear()
            lines += data.count(b"\n", 0, used)
            carry, base = data[used:], base + used
            if not chunk:
                return scan


def _decodes(path: Path, encoding: str) -> bool:
    """Whether the whole file decodes in `encoding`, read in chunks at the codec's speed."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(SCAN_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _line_around(data: bytes, start: int, end: int) -> bytes:
    """Up to CONTEXT_BYTES of the line on either side of data[start:end], whole characters."""
    first = max(data.rfind(b"\n", 0, start) + 1, start - CONTEXT_BYTES)
    last = data.find(b"\n", end)
    last = min(len(data) if last < 0 else last, end + CONTEXT_BYTES)
    while first < start and 0x80 <= data[first] < 0xC0:  # not in the middle of a character
        first += 1
    while last < len(data) and 0x80 <= data[last] < 0xC0:
        last += 1
    return data[first:last].rstrip(b"\r")


def _shown_bytes(raw: bytes) -> str:
    """Bytes for a message: UTF-8 as text, other bytes as \\xNN, control characters escaped
    (file-borne text never reaches the terminal raw)."""
    text = raw.decode("utf-8", "surrogateescape")
    shown = "".join(
        f"\\x{ord(char) - 0xDC00:02x}" if "\udc80" <= char <= "\udcff"
        else char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in text
    )
    return f"'{shown}'"


def detect_encoding(path: Path) -> str:
    """utf-8-sig when the whole file is UTF-8 (with or without BOM), else gb18030, else an error.

    A file that is mostly UTF-8 (more valid multi-byte characters than bad sequences) with a
    few bytes that are not is an error naming the first: read as GB18030 it would import as
    mojibake without a word. (GBK text makes a valid UTF-8 sequence by chance now and then:
    about one for every four bad ones.)
    """
    if _decodes(path, "utf-8"):  # the common case, at the codec's speed; the scan below says where it is not
        return "utf-8-sig"
    scan = scan_utf8(path)
    if not scan.bad:
        return "utf-8-sig"
    if scan.multibyte > scan.bad:
        raise scan.error("error.import_mixed_encoding", path)
    if not _decodes(path, "gb18030"):
        raise BadFile("error.import_encoding", path=str(path))
    return "gb18030"


# --- cleaning cells ---------------------------------------------------------------------------

TITLE_LIMIT = 500
TEXT_LIMIT = 20000
NAME_LIMIT = 100


def cell_text(raw: Any) -> str | None:
    """A cell as stripped text; None when blank. Excel numbers lose a spurious `.0`."""
    if raw is None:
        return None
    if raw.__class__ is str:
        text = raw.strip()
        return text or None
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime):
        return raw.date().isoformat() if raw.time() == datetime.min.time() else raw.isoformat(sep=" ")
    if isinstance(raw, date):
        return raw.isoformat()
    return str(raw).strip() or None


_MISS = object()
_CACHE_LIMIT = 100_000


class ColumnCleaner:
    """Cleans a whole column of cells at once: a dict of cells already seen (a ledger repeats
    few distinct dates, statuses and categories) answers most of them through `map` at C
    speed; the others go through `slow`, which cleans one cell or raises a QiyeError."""

    def __init__(self, slow: Callable[[Any], Any], cache: dict[Any, Any] | None = None) -> None:
        self.slow = slow
        self.cache = cache

    def clean(self, column: Sequence[Any]) -> tuple[list[Any], list[tuple[int, QiyeError]]]:
        errors: list[tuple[int, QiyeError]] = []
        slow, cache = self.slow, self.cache
        if cache is None:
            out = []
            for index, raw in enumerate(column):
                try:
                    out.append(slow(raw))
                except QiyeError as exc:
                    errors.append((index, exc))
                    out.append(None)
            return out, errors
        out = list(map(cache.get, column, repeat(_MISS, len(column))))
        if _MISS not in out:
            return out, errors
        for index, value in enumerate(out):
            if value is not _MISS:
                continue
            raw = column[index]
            try:
                value = slow(raw)
            except QiyeError as exc:
                errors.append((index, exc))
                value = None
            else:
                if len(cache) < _CACHE_LIMIT:
                    try:
                        cache[raw] = value
                    except TypeError:  # an unhashable cell value: just not cached
                        pass
            out[index] = value
        return out, errors


class FastColumn(ColumnCleaner):
    """A cleaner whose `fast` turns a whole column at once into values, or _MISS where a cell
    is not in the common form; those cells (all of them, if `fast` raises ValueError) go
    through `slow`, which cleans one cell or raises a QiyeError."""

    def fast(self, column: Sequence[Any]) -> list[Any]:
        raise NotImplementedError

    def clean(self, column: Sequence[Any]) -> tuple[list[Any], list[tuple[int, QiyeError]]]:
        try:
            out = self.fast(column)
        except ValueError:
            out = [_MISS] * len(column)
        errors: list[tuple[int, QiyeError]] = []
        if _MISS not in out:
            return out, errors
        for index, value in enumerate(out):
            if value is _MISS:
                try:
                    out[index] = self.slow(column[index])
                except QiyeError as exc:
                    errors.append((index, exc))
                    out[index] = None
        return out, errors


class IdColumn(FastColumn):
    """Ids: plain digits convert in one comprehension; anything else goes through parse_id."""

    def __init__(self) -> None:
        super().__init__(parse_id)

    def fast(self, column: Sequence[Any]) -> list[Any]:
        return [int(c) if c.__class__ is str and c.isdigit() and c.isascii() and c[0] != "0" and len(c) < 19
                else _MISS for c in column]


class TimestampColumn(FastColumn):
    """Timestamps: the export's own form (`2023-12-20T02:00:00Z`, UTC) converts in one
    comprehension; every timestamp differs, so a cache would only miss. A timestamp outside
    the accepted date range goes the slow way, which names the range."""

    def __init__(self, today: date) -> None:
        from qiye_service.dates import date_range

        super().__init__(lambda raw: parse_timestamp(raw, today))
        earliest, latest = date_range(today)
        self.earliest, self.latest = datetime.combine(earliest, datetime.min.time()), datetime.combine(
            latest, datetime.max.time())

    def fast(self, column: Sequence[Any]) -> list[Any]:
        parse, earliest, latest = datetime.fromisoformat, self.earliest, self.latest
        out = [parse(c[:19]) if c.__class__ is str and len(c) == 20 and c[19] == "Z" else _MISS for c in column]
        return [v if v is _MISS or earliest <= v <= latest else _MISS for v in out]


def _blank_cache() -> dict[Any, Any]:
    return {None: None, "": None}


def choice_cleaner(field_name: str, valid: tuple[str, ...], aliases: dict[str, str]) -> ColumnCleaner:
    """An enum cell given by its code (any case, `-` or blank for `_`) or a Chinese alias."""
    table = {v: v for v in valid} | {v.replace("_", "-"): v for v in valid} | {v.replace("_", " "): v for v in valid}
    table |= {k.lower(): v for k, v in aliases.items()}
    chinese: dict[str, list[str]] = {}
    for word, code in aliases.items():
        if not word.isascii():
            chinese.setdefault(code, []).append(word)
    shown = ", ".join(f"{v} ({'/'.join(chinese[v])})" if v in chinese else v for v in valid)

    def clean(raw: Any) -> str | None:
        text = cell_text(raw)
        if text is None:
            return None
        found = table.get(text.lower())
        if found is None:
            raise InvalidValue("error.bad_choice", field=field_name, value=text, valid=shown)
        return found

    return ColumnCleaner(clean, _blank_cache() | table | dict(aliases))


def parse_day(raw: Any, today: date, past: bool = False) -> date | None:
    """A date cell in any form of DESIGN §3, within the accepted range (dates.check_date;
    `past` for a close-out, acknowledgement or callback); Excel date cells too."""
    from qiye_service.dates import check_date, parse_date

    if raw is None:
        return None
    if isinstance(raw, datetime):
        return check_date(raw.date(), today=today, past=past)
    if isinstance(raw, date):
        return check_date(raw, today=today, past=past)
    text = cell_text(raw)
    if text is None:
        return None
    try:
        return parse_date(text, today=today, past=past)
    except InvalidValue as error:
        if error.key != "error.bad_date":
            raise  # out of range: that message names the range
        raise InvalidValue("error.import_bad_date", value=text) from None


def date_cleaner(today: date, past: bool = False) -> ColumnCleaner:
    return ColumnCleaner(lambda raw: parse_day(raw, today, past), _blank_cache())


def parse_timestamp(raw: Any, today: date | None = None) -> datetime | None:
    """An ISO timestamp (`2023-12-20T02:00:00Z`, with an offset, or naive = UTC) as naive UTC;
    with `today`, its day within the accepted range (dates.check_date)."""
    if raw is None:
        return None
    if isinstance(raw, datetime):
        value = raw
    elif isinstance(raw, date):
        value = datetime(raw.year, raw.month, raw.day)
    else:
        text = cell_text(raw)
        if text is None:
            return None
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise InvalidValue("error.import_bad_timestamp", value=text) from None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    if today is not None:
        from qiye_service.dates import check_date

        check_date(value.date(), today=today)
    return value


def parse_id(raw: Any) -> int | None:
    from qiye_service.services.lookups import MAX_ID, parse_issue_id

    if raw is None:
        return None
    if raw.__class__ is str and raw.isdigit() and raw.isascii() and 0 < len(raw) < 19 and raw[0] != "0":
        return int(raw)
    if isinstance(raw, int) and not isinstance(raw, bool):
        if raw < 1 or raw > MAX_ID:
            raise InvalidValue("error.bad_id", value=str(raw))
        return raw
    text = cell_text(raw)
    return None if text is None else parse_issue_id(text)


def parse_tags(raw: Any) -> tuple[str, ...]:
    """`;`-separated tags (also `,`, `，`, `；`), as a tuple: results are cached and shared."""
    from qiye_service.services.issues import clean_tags

    text = cell_text(raw)
    if text and "\x00" in text:
        raise InvalidValue("error.nul_character", field="tags")
    return tuple(clean_tags([text])) if text else ()


_NAME_SEPARATORS = re.compile(r"[;；,，、]")


def parse_names(raw: Any) -> tuple[str, ...]:
    """`;`-separated department names (also `，`, `、`), in order, repeats kept (one per return)."""
    text = cell_text(raw)
    if not text:
        return ()
    if "\x00" in text:
        raise InvalidValue("error.nul_character", field="department")
    names = tuple(name.strip() for name in _NAME_SEPARATORS.split(text) if name.strip())
    if any(len(name) > 200 for name in names):
        raise InvalidValue("error.too_long", field="department", limit=200)
    return names


def day_list_cleaner(today: date, past: bool) -> ColumnCleaner:
    """`;`-separated dates, one per co-handling department in the order named, blank for none."""

    def clean(raw: Any) -> tuple[date | None, ...]:
        text = cell_text(raw)
        if not text:
            return ()
        return tuple(parse_day(part.strip(), today, past) if part.strip() else None for part in re.split(r"[;；]", text))

    return ColumnCleaner(clean, {None: (), "": ()})


def parse_count(raw: Any) -> int | None:
    """A count cell: a whole number from 0, or blank."""
    text = cell_text(raw)
    if text is None:
        return None
    if text.endswith(".0"):  # a spreadsheet's number
        text = text[:-2]
    if not (text.isascii() and text.isdigit()) or len(text) > 6:
        raise InvalidValue("error.import_bad_count", value=text)
    return int(text)


def yes_no(raw: Any) -> bool | None:
    """是/否 (yes/no, true/false, 1/0); blank is None."""
    text = cell_text(raw)
    if text is None:
        return None
    if text.lower() in YES:
        return True
    if text.lower() in NO:
        return False
    raise InvalidValue("error.bad_choice", field="callback_reached", value=text, valid="是/否 (yes/no)")


def escalation_cleaner(today: date) -> ColumnCleaner:
    """挂牌督办: 是/yes (True), 否/blank (None), or the date it was raised."""

    def clean(raw: Any) -> date | bool | None:
        text = cell_text(raw)
        if text is None or text.lower() in NO:
            return None
        if text.lower() in YES:
            return True
        try:
            return parse_day(raw, today)
        except InvalidValue:
            raise InvalidValue("error.bad_choice", field="escalated", value=text, valid=Msg("valid.escalated")) from None

    return ColumnCleaner(clean, _blank_cache())


# Plain text columns and their length limits; checked inline in ledger_rows (the bulk of
# every ledger, so no function call per cell).
TEXT_COLUMNS: dict[str, dict[str, int]] = {
    "issues": {
        "title": TITLE_LIMIT, "description": TEXT_LIMIT, "enterprise": 200, "project": TITLE_LIMIT,
        "category": 100, "department": 200, "owner": NAME_LIMIT, "resolution": TEXT_LIMIT,
        "created_by": NAME_LIMIT, "callback_note": TEXT_LIMIT,
        "closeout_by": NAME_LIMIT, "verified_by": NAME_LIMIT,
    },
    "enterprises": {
        "name": 200, "zone": NAME_LIMIT, "industry": NAME_LIMIT, "contact": NAME_LIMIT, "phone": NAME_LIMIT,
        "liaison": NAME_LIMIT,
    },
    "users": {"name": NAME_LIMIT, "department": 200, "login": NAME_LIMIT},
    "visits": {"enterprise": 200, "visited_by": NAME_LIMIT, "note": TEXT_LIMIT, "created_by": NAME_LIMIT},
}


def issue_cleaners(today: date) -> dict[str, ColumnCleaner]:
    """Cleaners of the issue columns that are not plain text."""
    from qiye_service.models import CallbackResult, CallbackSolved, Kind, Priority, Source, Status
    from qiye_service.services import lookups
    from qiye_service.services.supervision import CALLBACK_ALIASES, SOLVED_ALIASES

    dates = date_cleaner(today)  # one cache for every date column
    # Close-outs, acknowledgements and callbacks already happened: never after today (DESIGN §3).
    past_dates = date_cleaner(today, past=True)

    def values(enum_type: Any) -> tuple[str, ...]:
        return tuple(member.value for member in enum_type)

    timestamps = TimestampColumn(today)
    return {
        "id": IdColumn(),
        "kind": choice_cleaner("kind", values(Kind), lookups.KIND_ALIASES),
        "source": choice_cleaner("source", values(Source), lookups.SOURCE_ALIASES),
        "priority": choice_cleaner("priority", values(Priority), lookups.PRIORITY_ALIASES),
        "status": choice_cleaner("status", values(Status), lookups.STATUS_ALIASES),
        "reported_on": dates,
        "due_on": dates,
        "resolved_on": past_dates,
        "tags": ColumnCleaner(parse_tags, {None: (), "": ()}),
        "created_at": timestamps,
        "updated_at": timestamps,
        "dispatched_on": dates,
        "acknowledged_on": past_dates,
        "escalated": escalation_cleaner(today),
        "callback_result": choice_cleaner("callback_result", values(CallbackResult), CALLBACK_ALIASES),
        "callback_on": past_dates,
        "co_departments": ColumnCleaner(parse_names, {None: (), "": ()}),
        "returned_by": ColumnCleaner(parse_names, {None: (), "": ()}),
        "transferred_from": ColumnCleaner(parse_names, {None: (), "": ()}),
        "return_count": ColumnCleaner(parse_count, _blank_cache()),
        "transfer_count": ColumnCleaner(parse_count, _blank_cache()),
        "callback_solved": choice_cleaner("callback_solved", values(CallbackSolved), SOLVED_ALIASES),
        "callback_reached": ColumnCleaner(yes_no, _blank_cache()),
        "co_dispatched_on": day_list_cleaner(today, past=False),
        "co_acknowledged_on": day_list_cleaner(today, past=True),
        "extended_due_on": dates,
        "extension_count": ColumnCleaner(parse_count, _blank_cache()),
        "deadline_on": dates,
        "suspended_on": past_dates,
        "suspended_days": ColumnCleaner(parse_count, _blank_cache()),
        "visit": IdColumn(),
    }


def enterprise_cleaners() -> dict[str, ColumnCleaner]:
    """Cleaners of the enterprise columns that are not plain text."""
    from qiye_service.services.enterprises import check_credit_code

    def credit_code(raw: Any) -> str | None:
        return check_credit_code(cell_text(raw))

    return {"id": IdColumn(), "credit_code": ColumnCleaner(credit_code)}


def visit_cleaners(today: date) -> dict[str, ColumnCleaner]:
    """Cleaners of the visit columns that are not plain text: a visit already happened (never
    after today), made one of four ways (services.visits)."""
    from qiye_service.services.visits import VISIT_KIND_ALIASES, VISIT_KINDS

    return {"id": IdColumn(), "visited_on": date_cleaner(today, past=True),
            "kind": choice_cleaner("kind", VISIT_KINDS, VISIT_KIND_ALIASES), "created_at": TimestampColumn(today)}


def user_cleaners() -> dict[str, ColumnCleaner]:
    """Cleaners of the user columns that are not plain text: the role and the state, by code
    or Chinese word (services.people)."""
    from qiye_service.services import people

    return {"role": choice_cleaner("role", people.ROLES, people.ROLE_ALIASES),
            "state": choice_cleaner("state", people.STATES, people.STATE_ALIASES)}


# --- rows -----------------------------------------------------------------------------------

BATCH_ROWS = 1000


def ledger_rows(ledger: LedgerFile, *, today: date) -> Iterator[LedgerRow]:
    """Every data row of an open ledger, cleaned and checked on its own (no database)."""
    kind = ledger.kind
    cleaners = (issue_cleaners(today) if kind == "issues" else user_cleaners() if kind == "users"
                else visit_cleaners(today) if kind == "visits" else enterprise_cleaners())
    batch: list[tuple[int, list[Any]]] = []
    for record in ledger.records():
        batch.append(record)
        if len(batch) >= BATCH_ROWS:
            yield from _clean_batch(ledger, cleaners, batch)
            batch = []
    if batch:
        yield from _clean_batch(ledger, cleaners, batch)


def _clean_batch(ledger: LedgerFile, cleaners: dict[str, ColumnCleaner],
                 batch: list[tuple[int, list[Any]]]) -> Iterator[LedgerRow]:
    """Clean a batch column by column, then check each row's cross-column rules."""
    kind = ledger.kind
    limits = TEXT_COLUMNS[kind]
    headers = ledger.column_names
    width = len(ledger.headers)
    numbers = [number for number, _ in batch]
    rows = [cells if len(cells) >= width else [*cells, *([None] * (width - len(cells)))] for _, cells in batch]
    columns = list(zip(*rows, strict=False)) if rows else []
    names: list[str] = []
    cleaned: list[list[Any]] = []
    errors: dict[int, list[CellError]] = {}
    for name, index in ledger.columns.items():
        column = columns[index]
        names.append(name)
        limit = limits.get(name)
        if limit is not None:
            out = [(c.strip() or None) if c.__class__ is str else cell_text(c) for c in column]
            if max(map(len, filter(None, out)), default=0) > limit:
                for position, text in enumerate(out):
                    if text is not None and len(text) > limit:
                        errors.setdefault(position, []).append(CellError(
                            numbers[position], headers[name], InvalidValue("error.too_long", field=name, limit=limit)))
                        out[position] = None
            # A NUL is text no spreadsheet means and PostgreSQL cannot store: refused on
            # both backends alike, with its row and column.
            if "\x00" in "".join(filter(None, out)):
                for position, text in enumerate(out):
                    if text is not None and "\x00" in text:
                        errors.setdefault(position, []).append(CellError(
                            numbers[position], headers[name], InvalidValue("error.nul_character", field=name)))
                        out[position] = None
        else:
            out, failures = cleaners[name].clean(column)
            for position, exc in failures:
                errors.setdefault(position, []).append(CellError(numbers[position], headers[name], exc))
        cleaned.append(out)
    check = {"issues": check_issue_row, "users": check_user_row, "visits": check_visit_row}.get(
        kind, check_enterprise_row)
    for position, values in enumerate(zip(*cleaned, strict=True)):
        row = LedgerRow(numbers[position], dict(zip(names, values, strict=True)), errors.get(position, []))
        if not row.errors:
            check(row, headers)
        if row.errors and all(c is None or not str(c).strip() for c in rows[position]):
            continue  # a row of blanks
        yield row


def _fail(row: LedgerRow, names: dict[str, str], name: str, error: QiyeError) -> None:
    row.errors.append(CellError(row.number, names.get(name, name), error))


def check_issue_row(row: LedgerRow, names: dict[str, str]) -> None:
    """Rules that span cells: required values, a title from the description, date order; the
    state (status against resolved_on, acknowledgement, callbacks, returns) by services.workflow."""
    values = row.values
    for name in ("enterprise", "category", "reported_on"):
        if values.get(name) is None:
            _fail(row, names, name, InvalidValue("error.empty", field=name))
    if values.get("title") is None:
        description = values.get("description")
        if description:
            values["title"] = description.strip().splitlines()[0].strip()[:TITLE_LIMIT]
        else:
            _fail(row, names, "title" if "title" in names else "description",
                  InvalidValue("error.empty", field="title"))
    reported = values.get("reported_on")
    if reported is not None:
        for later in ("due_on", "resolved_on", "dispatched_on"):
            value = values.get(later)
            if value is not None and value < reported:
                _fail(row, names, later, InvalidValue(
                    "error.date_order", later=later, later_value=value.isoformat(),
                    earlier="reported_on", earlier_value=reported.isoformat()))
    # The state the row describes: one the commands could reach (services.workflow decides).
    from qiye_service.services.workflow import imported_state_errors

    for name, error in imported_state_errors(values):
        _fail(row, names, name if name in names or name != "resolved_on" else "status", error)


def check_enterprise_row(row: LedgerRow, names: dict[str, str]) -> None:
    if row.values.get("name") is None:
        _fail(row, names, "name", InvalidValue("error.empty", field="name"))


def check_user_row(row: LedgerRow, names: dict[str, str]) -> None:
    """A user needs a name and a role (a handler's department is checked against the ledger)."""
    for name in ("name", "role"):
        if row.values.get(name) is None:
            _fail(row, names, name, InvalidValue("error.empty", field=name))


def check_visit_row(row: LedgerRow, names: dict[str, str]) -> None:
    """A visit needs its day, its enterprise, who went and what was found."""
    for name in ("visited_on", "enterprise", "visited_by", "note"):
        if row.values.get(name) is None:
            _fail(row, names, name, InvalidValue("error.empty", field=name))
