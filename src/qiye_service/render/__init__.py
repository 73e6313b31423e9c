"""The output layer (DESIGN §4, §15): every format qiye writes — table, csv, tsv, json, ndjson,
markdown, xlsx, and for a report document the printed meeting pack as html or pdf — from rows or
a report document, through one entry point, `write`.

- values.py: values as each format shows them (ISO dates, labels, terminal-safe text, rates).
- text.py: csv, tsv, json, ndjson and markdown; one writer each.
- xlsx.py: the one workbook writer.
- html.py: the meeting pack (DESIGN §15) as HTML (a Jinja2 template) and PDF (WeasyPrint).
- terminal.py: terminal tables, records, timelines and report documents (rich).
- document.py: the report document built from a report query's data.

Files are written through qiye_service.outfiles (the one safe-file helper). Importing this
package loads neither rich nor openpyxl; each is imported when a table or workbook is drawn.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain, islice
from pathlib import Path
from typing import IO, Any, TextIO

from qiye_service.render.document import Document
from qiye_service.render.terminal import TIMELINE_FIELDS, fitted_table, record, table, timeline_rows
from qiye_service.render.text import LIST_SEPARATOR, digest_text, json_text, write_rows
from qiye_service.render.values import (
    LABELLED,
    LEVEL_STYLES,
    add_labels,
    cell_text,
    display_value,
    iso,
    json_value,
    labelled_fields,
    local_time,
    markdown_cell,
    show_times_in,
    terminal_safe,
    with_labels,
)

__all__ = ["FORMATS", "LABELLED", "LEVEL_STYLES", "LIST_SEPARATOR", "MACHINE_FORMATS",
           "TIMELINE_FIELDS", "Document", "add_labels", "cell_text", "digest_text", "display_value",
           "fitted_table", "iso", "json_text", "json_value", "labelled_fields", "local_time", "markdown_cell", "record",
           "show_times_in", "table", "terminal_safe", "timeline_rows", "with_labels", "write", "write_record", "write_rows"]

FORMATS = ("table", "csv", "tsv", "json", "ndjson", "markdown")
MACHINE_FORMATS = ("csv", "tsv", "json", "ndjson")


def write(fmt: str, source: Document | dict[str, Any] | Iterable[Any], fields: Sequence[str] = (), *, out: TextIO | None = None,
          path: Path | str | IO[bytes] | None = None, lang: str = "en", excel: bool = False, sheet: str = "export",
          category_names: dict[str, tuple[str, str]] | None = None, section: str | None = None,
          console: Any = None, progress: Callable[[int], Any] | None = None,
          headers: Sequence[str] | None = None) -> int:
    """Write rows or a report document in `fmt`: text formats to `out`, xlsx to `path` (a file or a
    binary handle). Rows are dicts of Python values or sequences of stored values in the order of
    `fields`; a dict is one record (json only). A document is written whole, or only its `section`; csv, tsv and ndjson write one
    section's rows (its default one), json the report's data, table draws on `console` (a rich
    console; a plain one on `out` when not given). Returns how many rows were written (rows only)."""
    if isinstance(source, Document):
        _write_document(fmt, source, out=out, path=path, lang=lang, section=section, console=console)
        return 0
    if progress is not None and not isinstance(source, dict):
        count = write(fmt, _reporting(source, progress), fields, out=out, path=path, lang=lang, excel=excel,
                      sheet=sheet, category_names=category_names, console=console)
        progress(count)
        return count
    if isinstance(source, dict) and fmt == "json":  # one record, laid out like json.dumps(indent=2)
        from qiye_service.render.text import write_json

        assert out is not None
        write_json(source, out)
        out.write("\n")
        return 1
    if fmt == "xlsx":
        from qiye_service.render.xlsx import write_xlsx

        assert path is not None
        return write_xlsx(source, fields, path, sheet=sheet, headers=headers)
    assert out is not None
    if fmt == "table":
        rows = list(source)
        (console or _plain_console(out)).print(table(rows, fields, lang=lang, category_names=category_names))
        return len(rows)
    return write_rows(source, fields, fmt, out, lang=lang, excel=excel, category_names=category_names,
                      headers=headers)


def write_record(fmt: str, row: dict[str, Any], fields: Sequence[str], *, out: TextIO, console: Any = None,
                 lang: str = "en", details: Sequence[tuple[str, Sequence[dict[str, Any]], Sequence[str]]] = ()) -> None:
    """One record (a `show` or `info` command) in `fmt`: a table draws it as a record and each
    non-empty detail (key, rows, fields) as a table under it; json nests each detail's rows under
    its key; the other formats write the record as one row, without details."""
    if fmt == "table":
        target = console or _plain_console(out)
        target.print(record(row, fields, lang=lang))
        for _, rows, detail_fields in details:
            if rows:
                target.print(table(rows, detail_fields, lang=lang))
    elif fmt == "json":
        payload = {field: json_value(row[field]) for field in fields}
        for key, rows, detail_fields in details:
            payload[key] = [{field: json_value(item[field]) for field in detail_fields} for item in rows]
        write("json", payload, out=out)
    else:
        write_rows([row], fields, fmt, out, lang=lang)


PROGRESS_EVERY = 1000  # rows between two reports to a progress bar (issue 26)


def _reporting(rows: Iterable[Any], progress: Callable[[int], Any]) -> Iterator[Any]:
    """The rows, telling `progress` how many have been written every PROGRESS_EVERY rows (`write`
    tells it the last count). They pass in slices of PROGRESS_EVERY chained by itertools, so a
    row costs no Python frame: a generator around each row of an export cost it 0.3-0.5%, a
    list of each 1,000 rows (the collector walking them) 2%."""
    source = iter(rows)

    def slices() -> Iterator[Iterator[Any]]:
        done = 0
        for first in source:  # the previous slice has been written whole
            if done:
                progress(done)
            yield chain((first,), islice(source, PROGRESS_EVERY - 1))
            done += PROGRESS_EVERY

    return chain.from_iterable(slices())


def _plain_console(out: TextIO) -> Any:
    from rich.console import Console

    return Console(file=out, no_color=True, width=160, highlight=False, soft_wrap=False)


def _write_document(fmt: str, doc: Document, *, out: TextIO | None, path: Any, lang: str, section: str | None,
                    console: Any) -> None:
    from qiye_service.render import text

    chosen = doc.section(section, lang) if section else None
    if fmt == "xlsx":
        from qiye_service.render.xlsx import write_workbook

        assert path is not None
        write_workbook(doc, path, lang, only=chosen)
        return
    if fmt == "pdf":
        from qiye_service.render.html import write_pdf

        assert path is not None
        write_pdf(doc, lang, path)
        return
    assert out is not None
    if fmt == "table":
        from qiye_service.render.terminal import print_document

        print_document(doc, lang, console or _plain_console(out), only=chosen, trend=doc.kind == "trend")
        return
    handle = text.ChunkedWriter(out)
    if fmt == "json":
        text.write_json(doc.data if chosen is None else chosen.rows, handle)
        handle.write("\n")
    elif fmt in MACHINE_FORMATS:
        part = chosen or doc.default_section()
        write_rows(part.rows, part.fields, fmt, handle, lang=lang)
    elif fmt == "markdown" and doc.kind == "remind":
        text.write_remind_markdown(doc, lang, handle)
    elif fmt == "markdown":
        text.write_markdown_document(doc, lang, handle, only=chosen)
    elif fmt == "html":
        from qiye_service.render.html import write_html

        write_html(doc, lang, handle)
    else:
        raise ValueError(f"not a report format: {fmt}")
    handle.flush()
