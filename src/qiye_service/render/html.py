"""The meeting pack as HTML and PDF (DESIGN §15, issue 21): a report document written through
the Jinja2 template templates/meeting_pack.html.j2 (inline CSS, inline SVG charts, A4 print
rules), and that HTML printed to PDF by WeasyPrint (the `pdf` extra).

The writer takes the report document (render.document.Document) and shows its cells and
headers as every other format does, so a value reads the same in the terminal, the markdown and
the printed pack.
"""

from __future__ import annotations

from typing import Any, BinaryIO, TextIO

from qiye_service.errors import QiyeError

# The sections that begin a new page of the printed pack.
PAGE_BREAKS = frozenset({"categories", "closed", "groups"})


class PdfEngineMissing(QiyeError):
    """`--format pdf` without WeasyPrint or the system libraries it needs."""


def html_document(doc: Any, lang: str) -> str:
    """The document as one self-contained HTML page (every value escaped)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    from qiye_service.i18n import translate
    from qiye_service.render.document import headers, numeric, seal_line, table_fields
    from qiye_service.render.values import shown

    def t(key: str, **params: Any) -> str:
        return translate(key, lang, **params)

    def cell(name: str, value: Any) -> str:
        return shown(name, value, lang, doc.category_names)

    park, seal = doc.park, seal_line(doc, lang)
    fields_of, headers_of = table_fields, lambda section: headers(section, lang)

    env = Environment(loader=PackageLoader("qiye_service", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=False, lstrip_blocks=False)
    footer = " · ".join(part for part in (park, doc.title) if part)
    return env.get_template("meeting_pack.html.j2").render(
        doc=doc, lang=lang, t=t, cell=cell, fields_of=fields_of, headers_of=headers_of, numeric=numeric,
        park=park, seal=seal, footer=footer, page_breaks=PAGE_BREAKS)


def write_html(doc: Any, lang: str, out: TextIO) -> None:
    out.write(html_document(doc, lang))


def pdf_engine() -> Any:
    """WeasyPrint's HTML class, or PdfEngineMissing saying what to install."""
    try:
        from weasyprint import HTML
    except ImportError as exc:  # not installed, or Pango missing (WeasyPrint raises OSError then)
        raise PdfEngineMissing("error.pdf_engine", detail=str(exc).splitlines()[0] if str(exc) else "") from None
    except OSError as exc:
        raise PdfEngineMissing("error.pdf_engine", detail=str(exc).splitlines()[0]) from None
    return HTML


def write_pdf(doc: Any, lang: str, out: BinaryIO) -> None:
    """The HTML printed on A4 by WeasyPrint, its fonts (the Chinese ones too) embedded."""
    engine = pdf_engine()
    engine(string=html_document(doc, lang)).write_pdf(out)
