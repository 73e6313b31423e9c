"""Same bytes out: every report in every format, issue list/show, catalogue lists and exports, in
English and Chinese, on the sample ledger with the pinned clock, compared byte for byte with
files written by the output code before it became one layer (issue 21 point 1).

The golden files under tests/fixtures/golden/ were generated from main before the refactor;
QIYE_REGEN_GOLDEN=1 rewrites them (only for a change that is meant to alter the output, and
say so in the commit). A workbook is compared as the values, number formats and fonts of its
cells, sheet by sheet (its zip bytes carry timestamps).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import Qiye

GOLDEN = Path(__file__).parent / "fixtures" / "golden"
REGENERATE = os.environ.get("QIYE_REGEN_GOLDEN") == "1"

REPORTS = {
    "summary": [(), ("--by", "department"), ("--year", "2023", "--by", "month")],
    "weekly": [(), ("--week", "2023-W50"), ("--limit", "3")],
    "overdue": [(), ("--by", "department"), ("--limit", "5")],
    "trend": [(), ("--by", "week", "--year", "2023")],
}
TEXT_FORMATS = ("table", "csv", "tsv", "json", "ndjson", "markdown")


def _cases() -> list[tuple[str, tuple[str, ...]]]:
    cases: list[tuple[str, tuple[str, ...]]] = []
    for report, variants in REPORTS.items():
        for index, extra in enumerate(variants):
            for fmt in (*TEXT_FORMATS, "xlsx"):
                cases.append((f"report-{report}-{index}-{fmt}", ("report", report, *extra, "--format", fmt)))
    cases.append(("report-weekly-section-closed-csv", ("report", "weekly", "--section", "closed", "--format", "csv")))
    cases.append(("report-weekly-section-overdue-json",
                  ("report", "weekly", "--section", "overdue_issues", "--format", "json")))
    cases.append(("report-summary-section-figures-tsv", ("report", "summary", "--section", "figures", "--format", "tsv")))
    cases.append(("report-weekly-section-closed-xlsx",
                  ("report", "weekly", "--section", "closed", "--format", "xlsx")))
    cases.append(("report-weekly-section-closed-markdown",
                  ("report", "weekly", "--section", "closed", "--format", "markdown")))
    # A narrow terminal (COLUMNS=60): columns dropped and text wrapped as before.
    cases.append(("narrow-report-weekly-table", ("report", "weekly", "--format", "table")))
    cases.append(("narrow-report-trend-table", ("report", "trend", "--format", "table")))
    cases.append(("narrow-issue-list-table", ("issue", "list", "--limit", "12")))
    for fmt in TEXT_FORMATS:
        cases.append((f"issue-list-{fmt}", ("issue", "list", "--limit", "12", "--format", fmt)))
        cases.append((f"issue-show-{fmt}", ("issue", "show", "3", "--format", fmt)))
        cases.append((f"enterprise-list-{fmt}", ("enterprise", "list", "--format", fmt)))
        cases.append((f"category-list-{fmt}", ("category", "list", "--format", fmt)))
    for fmt in ("csv", "json", "ndjson"):
        cases.append((f"issue-list-labels-{fmt}", ("issue", "list", "--limit", "12", "--labels", "--format", fmt)))
    cases.append(("issue-show-labels-json", ("issue", "show", "3", "--labels", "--format", "json")))
    for fmt in ("csv", "tsv", "json", "ndjson", "xlsx"):
        cases.append((f"export-issues-{fmt}", ("export", "issues", "--format", fmt, "--since", "2023-11-15")))
        cases.append((f"export-events-{fmt}", ("export", "events", "--format", fmt, "--since", "2023-12-01")))
    cases.append(("export-enterprises-csv", ("export", "enterprises", "--format", "csv")))
    cases.append(("export-issues-csv-excel", ("export", "issues", "--format", "csv", "--excel", "--since", "2023-11-15")))
    cases.append(("export-issues-csv-labels", ("export", "issues", "--format", "csv", "--labels", "--since", "2023-11-15")))
    return cases


CASES = _cases()


def workbook_text(path: Path) -> str:
    """A workbook as text: per sheet, its title, frozen pane, column widths and every cell's
    value (typed), number format and boldness."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    lines = []
    for sheet in book.worksheets:
        lines.append(f"== {sheet.title!r} freeze={sheet.freeze_panes}")
        if sheet.auto_filter.ref or sheet._charts:  # a report's meeting-ready sheet (issue 21 point 5)
            setup = sheet.page_setup
            lines.append(f"filter={sheet.auto_filter.ref} print={setup.orientation},{setup.paperSize},"
                         f"fit={setup.fitToWidth}x{setup.fitToHeight},titles={sheet.print_title_rows} "
                         f"charts={len(sheet._charts)}")
        widths = {key: dim.width for key, dim in sorted(sheet.column_dimensions.items()) if dim.width}
        lines.append(f"widths {json.dumps(widths, sort_keys=True)}")
        for row in sheet.iter_rows():
            cells = []
            for cell in row:
                value = cell.value
                typed = f"{type(value).__name__}:{value!r}"
                if cell.number_format != "General":
                    typed += f" fmt={cell.number_format}"
                if cell.font is not None and cell.font.b:
                    typed += " bold"
                if cell.fill is not None and cell.fill.fill_type:
                    typed += f" fill={cell.fill.fgColor.rgb}"
                cells.append(typed)
            lines.append(" | ".join(cells))
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def ledger(sample_file: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One read-only copy of the sample ledger for the whole module (every case only reads)."""
    import shutil

    folder = tmp_path_factory.mktemp("golden")
    path = folder / "qiye.db"
    shutil.copyfile(sample_file, path)
    return {"QIYE_DB": str(path), "QIYE_CONFIG_DIR": str(folder / "config")}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("name", "args"), CASES, ids=[name for name, _ in CASES])
def test_same_bytes_out(name: str, args: tuple[str, ...], lang: str, ledger: dict[str, str], tmp_path: Path,
                        base_env: dict[str, str]) -> None:
    qiye = Qiye(ledger["QIYE_DB"], {**base_env, **ledger, "QIYE_LANG": lang,
                          **({"COLUMNS": "60"} if name.startswith("narrow-") else {})})
    argv = list(args)
    xlsx = "xlsx" in args
    if xlsx:
        out = tmp_path / "out.xlsx"
        argv += ["--out", str(out)]
    result = qiye(*argv)
    assert result.exit_code == 0, result.output
    if xlsx:
        text = workbook_text(out)
    else:
        text = result.stdout
    golden = GOLDEN / f"{name}.{lang}.txt"
    if REGENERATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(text.encode("utf-8"))
    assert golden.exists(), f"no golden file {golden.name}: run with QIYE_REGEN_GOLDEN=1 on main"
    expected = golden.read_bytes().decode("utf-8")
    assert text == expected, f"{name} ({lang}) differs from {golden.name}"
