"""The meeting pack (issue 21, DESIGN §15): `report weekly|summary --format html|pdf`, printed on
A4 by a real browser (headless Chromium) and by the pdf engine, read back as text; the park's
name; the week-over-week change in json and markdown too."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from conftest import Qiye

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture
def ledger(sample: Qiye) -> Qiye:
    return sample


def test_park_name_is_a_checked_setting(qiye: Qiye) -> None:
    qiye.ok("config", "set", "park.name", "浏阳经济技术开发区")
    assert "浏阳经济技术开发区" in qiye.ok("config", "get", "park.name").stdout
    for bad in (" 前导空格", "两行\n名称", "长" * 61):
        result = qiye("config", "set", "park.name", bad)
        assert result.exit_code == 1 and "error:" in result.stderr and "park.name" in result.stderr
    assert "浏阳经济技术开发区" in qiye.ok("config", "get", "park.name").stdout
    result = qiye("--lang", "zh", "config", "set", "park.name", " x")
    assert "首尾不留空格" in result.stderr


def report_json(qiye: Qiye, *args: str) -> dict:
    return json.loads(qiye.ok("report", *args, "--format", "json").stdout)


FIGURES = ("filed", "resolved", "total_to_date", "resolved_to_date", "resolution_rate_to_date", "overdue",
           "due_next_7_days")


def test_weekly_json_has_the_previous_week_and_the_change(ledger: Qiye) -> None:
    week = report_json(ledger, "weekly", "--week", "2023-W50")
    before = report_json(ledger, "weekly", "--week", "2023-W49")
    # The previous week's figures are the previous week's own report, through the same query.
    assert week["previous"]["scope"] == before["scope"]
    assert {name: week["previous"][name] for name in FIGURES} == {name: before[name] for name in FIGURES}
    assert (week["filed"], week["previous"]["filed"], week["filed_change"]) == (3, 2, 1)
    assert (week["total_to_date"], week["total_to_date_change"]) == (171, 3)
    assert week["resolution_rate_to_date_change"] == pytest.approx(
        week["resolution_rate_to_date"] - before["resolution_rate_to_date"], abs=1e-4)
    # The keys are added after the figures; the existing ones keep their order.
    keys = list(week)
    assert keys[:len(FIGURES) + 1] == ["scope", *FIGURES]
    assert keys.index("filed_change") < keys.index("previous") < keys.index("categories")
    # QIYE_NOW is Wednesday 2023-12-20 (W51): last week is W50, in English and in Chinese.
    assert report_json(ledger, "weekly", "--week", "last") == week
    assert report_json(ledger, "weekly", "--week", "上周") == week


def test_weekly_markdown_shows_the_change(ledger: Qiye) -> None:
    text = ledger.ok("--lang", "zh", "report", "weekly", "--week", "2023-W50", "--format", "markdown").stdout
    assert "## 较上周变化\n" in text
    assert "| 指标 | 本周 | 上周（2023-W49） | 变化 |" in text
    assert "| 本周登记 | 3 | 2 | +1 |" in text and "| 累计登记 | 171 | 168 | +3 |" in text
    assert "个百分点 |" in text
    english = ledger.ok("report", "weekly", "--week", "2023-W50", "--format", "markdown").stdout
    assert "## Change from the previous week" in english and "| Filed this week | 3 | 2 | +1 |" in english
    # Only with --section for the terminal table and the workbook (their layout is point 5's).
    table = ledger.ok("report", "weekly", "--week", "2023-W50").stdout
    assert "Change from the previous week" not in table
    rows = ledger.ok("report", "weekly", "--week", "2023-W50", "--format", "csv", "--section", "change").stdout
    assert rows.splitlines()[1].startswith("Filed this week,3,2,+1")


def pack_html(qiye: Qiye, tmp_path: Path, lang: str, *args: str) -> str:
    out = tmp_path / f"pack-{lang}.html"
    result = qiye.ok("--lang", lang, "report", *(args or ("weekly", "--week", "2023-W50")), "--format", "html",
                     "--out", str(out), "--force")
    assert result.stdout == "" and str(out) in result.stderr
    return out.read_text(encoding="utf-8")


def test_html_is_one_self_contained_printable_file(ledger: Qiye, tmp_path: Path) -> None:
    ledger.ok("config", "set", "park.name", "<script>alert(1)</script>浏阳经开区 & Co")
    html = pack_html(ledger, tmp_path, "zh")
    # The user's text is escaped: no markup from the config or the ledger.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;浏阳经开区 &amp; Co" in html
    assert "<script" not in html.lower()
    # Nothing fetched: no link, no src, no url(), no address but the SVG namespace.
    assert "<link" not in html and " src=" not in html and "url(" not in html and "@import" not in html
    assert set(re.findall(r"https?://[^\s\"'<>]+", html)) == {"http://www.w3.org/2000/svg"}
    # A4 print rules: page size and margins, page numbers, breaks between sections, repeated headers.
    for rule in ("size: A4", "margin: 16mm", "counter(page)", "counter(pages)", "break-before: page",
                 "thead { display: table-header-group; }"):
        assert rule in html, rule
    # The parts of the pack, with inline SVG charts.
    for part in ("周调度报告 2023-W50", "截至 2023-12-17", "总体情况", "较上周 +1（上周 2）",
                 "近 12 周登记与办结（2023-W39 至 2023-W50）", "分类情况", "部门办结率排名（累计）", "本周办结问题",
                 "逾期分级督办", "逾期问题"):
        assert part in html, part
    assert html.count("<svg") == 4
    # Overdue by level, in the level's colour: red, yellow, blue bars and red badges in the list.
    for colour in ("#c62828", "#e0a100", "#1565c0"):
        assert f'fill="{colour}"' in html
    assert 'style="background: #c62828">红色</span>' in html
    english = pack_html(ledger, tmp_path, "en")
    for part in ("Weekly close-out report 2023-W50", "Filed vs resolved, last 12 weeks", "Overdue by level",
                 "+1 on the previous week (2"):
        assert part in english, part


def html_tables(html: str) -> list[list[list[str]]]:
    """The pack's tables as rows of cell texts (charts and styles left out)."""
    import html as markup

    text = re.sub(r"<svg.*?</svg>|<style.*?</style>", "", html, flags=re.S)
    return [[[markup.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
              for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.S)]
             for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)]
            for table in re.findall(r"<table.*?</table>", text, flags=re.S)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_past_weeks_pack_counts_its_levels_and_ranking_as_the_week_stood(ledger: Qiye, tmp_path: Path,
                                                                             lang: str) -> None:
    """W50 ended before the pinned today (2023-12-20) and issue #148 (red at its end) was closed
    after it: the levels and the department ranking count as the week's own figures do, so the
    printed page never says 27 red beside a list of 29 red issues."""
    week = report_json(ledger, "weekly", "--week", "2023-W50")
    assert ledger.sql("SELECT resolved_on FROM issue WHERE id = 148")[0][0] in ("2023-12-18", date(2023, 12, 18))
    tables = html_tables(pack_html(ledger, tmp_path, lang))
    levels = next(table for table in tables if len(table) == 4 and len(table[0]) == 3)
    assert [int(row[1]) for row in levels[1:]] == [week["level_red"], week["level_overdue"], week["level_due_soon"]]
    assert sum(1 for row in week["overdue_issues"] if row["level"] == "red") == week["level_red"]
    ranking = next(table for table in tables if len(table[0]) == 6 and table[1][0] != "1")
    totals = [sum(int(row[index]) for row in ranking[1:]) for index in (1, 2, 4)]
    assert totals == [week["total_to_date"], week["resolved_to_date"], week["overdue"]]


def test_summary_html(ledger: Qiye, tmp_path: Path) -> None:
    html = pack_html(ledger, tmp_path, "zh", "summary", "--year", "2023", "--by", "department")
    assert "问题汇总" in html or "汇总" in html
    assert "<svg" in html and "counter(pages)" in html and "园区建设公司" in html


def test_html_and_pdf_are_for_weekly_and_summary(ledger: Qiye, tmp_path: Path) -> None:
    for args in (("overdue", "--format", "html"), ("trend", "--format", "pdf", "--out", str(tmp_path / "t.pdf"))):
        result = ledger("report", *args)
        assert result.exit_code == 1 and "error:" in result.stderr and "report weekly" in result.stderr
    result = ledger("report", "weekly", "--format", "pdf")
    assert result.exit_code == 1 and "--out" in result.stderr
    assert list(tmp_path.glob("*.pdf")) == []


def test_pdf_without_its_engine_says_what_to_install(ledger: Qiye, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as if not installed
    out = tmp_path / "w50.pdf"
    for lang, words in (("en", "pip install 'qiye-service[pdf]'"), ("zh", "请执行 pip install 'qiye-service[pdf]'")):
        result = ledger("--lang", lang, "report", "weekly", "--week", "2023-W50", "--format", "pdf", "--out", str(out))
        assert result.exit_code == 1 and result.stdout == ""
        assert result.stderr.startswith(("error:", "错误：")) and words in result.stderr
        assert "apt-get install libpango-1.0-0" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()


# --- printed: a real browser and the pdf engine ------------------------------------------------

HEADLINES = {
    "zh": ["浏阳经济技术开发区", "周调度报告 2023-W50", "截至 2023-12-17", "本周登记", "累计登记", "171", "累计办结", "123",
           "累计办结率", "71.9%", "较上周 +1（上周 2）", "近 12 周登记与办结", "部门办结率排名", "逾期分级督办"],
    "en": ["Weekly close-out report 2023-W50", "As of 2023-12-17", "Filed this week", "Reported to date", "171",
           "Resolved to date", "123", "71.9%", "+1 on the previous week (2)", "Filed vs resolved, last 12 weeks",
           "Departments by resolution rate", "Overdue by level"],
}


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (Debian: apt-get install chromium fonts-noto-cjk poppler-utils)")
    return found


def pdf_text(pdf: Path) -> str:
    text = subprocess.run([tool("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True, timeout=60).stdout
    return re.sub(r"[ \t]+", " ", text)


def page_count(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


def first_page_png(pdf: Path, name: str, resolution: int = 60) -> Path:
    """The first page as a PNG, kept under tests/artifacts/ (gitignored) to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    stem = ARTIFACTS / name
    subprocess.run([tool("pdftoppm"), "-f", "1", "-l", "1", "-singlefile", "-png", "-r", str(resolution),
                    str(pdf), str(stem)], check=True, timeout=60)
    png = stem.with_suffix(".png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return png


def check_printed(pdf: Path, lang: str, name: str) -> int:
    """The printed pack: A4, the headline figures as text, page numbers that count the pages."""
    from pypdf import PdfReader

    pages = page_count(pdf)
    assert 3 <= pages <= 8, pages
    box = PdfReader(pdf).pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)  # A4, mm
    # Compared without white space: a line may wrap anywhere in the printed page.
    text = re.sub(r"\s+", "", pdf_text(pdf))
    for words in HEADLINES[lang]:
        assert re.sub(r"\s+", "", words) in text, words
    page_word = "页码" if lang == "zh" else "Page"
    assert f"{page_word}1/{pages}" in text and f"{page_word}{pages}/{pages}" in text
    assert f"{page_word}{pages + 1}/" not in text
    png = first_page_png(pdf, name)
    from PIL import Image

    with Image.open(png) as image:
        width, height = image.size
    assert abs(height / width - 297 / 210) < 0.01
    return pages


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_chromium_prints_the_html_pack(ledger: Qiye, tmp_path: Path, lang: str, backend: str) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or tool("chromium")
    tool("pdftotext")
    ledger.ok("config", "set", "park.name", "浏阳经济技术开发区")
    html = tmp_path / f"pack-{lang}.html"
    pack_html(ledger, tmp_path, lang)
    pdf = tmp_path / f"chromium-{lang}.pdf"
    result = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                             f"--user-data-dir={tmp_path / 'chromium-profile'}", f"--print-to-pdf={pdf}",
                             html.as_uri()], capture_output=True, text=True, timeout=120)
    assert pdf.exists(), result.stderr
    check_printed(pdf, lang, f"weekly-2023-W50-{lang}-chromium-{backend}")
    if lang == "zh" and backend == "sqlite" and os.environ.get("QIYE_UPDATE_README_PICTURE"):
        readme_picture(pdf)


README_PICTURE = Path(__file__).resolve().parents[1] / "docs" / "meeting-pack-2023-W50.png"


def readme_picture(pdf: Path) -> None:
    """The README's picture of the first page (QIYE_UPDATE_README_PICTURE=1): this test's print,
    at 72 dpi in 64 colours, a few tens of kilobytes."""
    from PIL import Image

    png = first_page_png(pdf, "readme-first-page", resolution=72)
    README_PICTURE.parent.mkdir(exist_ok=True)
    with Image.open(png) as image:
        image.convert("RGB").quantize(colors=64).save(README_PICTURE, optimize=True)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pdf_format_prints_the_same_pack(ledger: Qiye, tmp_path: Path, lang: str, backend: str) -> None:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:
        pytest.skip(f"WeasyPrint cannot run here ({exc}): pip install 'qiye-service[pdf]'")
    tool("pdftotext")
    ledger.ok("config", "set", "park.name", "浏阳经济技术开发区")
    pdf = tmp_path / "w50.pdf"
    result = ledger.ok("--lang", lang, "report", "weekly", "--week", "2023-W50", "--format", "pdf", "--out", str(pdf))
    assert result.stdout == "" and str(pdf) in result.stderr
    assert pdf.read_bytes()[:5] == b"%PDF-"
    check_printed(pdf, lang, f"weekly-2023-W50-{lang}-pdf-{backend}")
    # Chinese text is embedded: every font in the file is embedded, a CJK one among them.
    fonts = subprocess.run([tool("pdffonts"), str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert rows and all("yes" in row[-5:-3] for row in rows), fonts
    if lang == "zh":
        assert any("CJK" in row[0] for row in rows), fonts
