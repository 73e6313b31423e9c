"""The meeting pack as HTML and PDF (DESIGN §15, issue 21): a report document written through
the Jinja2 template templates/meeting_pack.html.j2 (inline CSS, inline SVG charts, A4 print
rules), and that HTML printed to PDF by WeasyPrint (the `pdf` extra).

The writer takes the document the report commands build (cli.reports.Document) and the
functions that show its cells and headers as every other format does, so a value reads the
same in the terminal, the markdown and the printed pack.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, BinaryIO, TextIO

from qiye_service.errors import QiyeError

# The sections that begin a new page of the printed pack.
PAGE_BREAKS = frozenset({"categories", "closed", "groups"})


class PdfEngineMissing(QiyeError):
    """`--format pdf` without WeasyPrint or the system libraries it needs."""


def html_document(doc: Any, *, lang: str, t: Callable[..., str], cell: Callable[[str, Any], str],
                  fields_of: Callable[[Any], tuple[str, ...]], headers_of: Callable[[Any], list[str]],
                  numeric: Callable[[Any, str], bool], park: str | None = None, seal: str | None = None) -> str:
    """The document as one self-contained HTML page (every value escaped)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(loader=PackageLoader("qiye_service", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=False, lstrip_blocks=False)
    footer = " · ".join(part for part in (park, doc.title) if part)
    return env.get_template("meeting_pack.html.j2").render(
        doc=doc, lang=lang, t=t, cell=cell, fields_of=fields_of, headers_of=headers_of, numeric=numeric,
        park=park, seal=seal, footer=footer, page_breaks=PAGE_BREAKS)


def write_html(html: str, out: TextIO) -> None:
    out.write(html)


def pdf_engine() -> Any:
    """WeasyPrint's HTML class, or PdfEngineMissing saying what to install."""
    try:
        from weasyprint import HTML
    except ImportError as exc:  # not installed, or Pango missing (WeasyPrint raises OSError then)
        raise PdfEngineMissing("error.pdf_engine", detail=str(exc).splitlines()[0] if str(exc) else "") from None
    except OSError as exc:
        raise PdfEngineMissing("error.pdf_engine", detail=str(exc).splitlines()[0]) from None
    return HTML


def write_pdf(html: str, out: BinaryIO) -> None:
    """The HTML printed on A4 by WeasyPrint, its fonts (the Chinese ones too) embedded."""
    engine = pdf_engine()
    engine(string=html).write_pdf(out)
