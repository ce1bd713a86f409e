"""PDF from the same templates as the HTML pages, by WeasyPrint (docs/reports.md).

Fonts come from the system (fontconfig): Debian's fonts-noto-core and fonts-noto-cjk cover
every shipped script (Latin, Arabic and Urdu, Bengali, Devanagari, Myanmar, Khmer, Chinese)
and WeasyPrint embeds the subsets it uses, so the file reads the same on any machine. The
renderer fetches nothing: every URL the document names is refused."""

from __future__ import annotations

#: Families in the order the PDF asks for them; fontconfig falls back per character.
FONT_STACK = ("Noto Sans", "Noto Sans Arabic", "Noto Sans Bengali", "Noto Sans Devanagari",
              "Noto Sans Myanmar", "Noto Sans Khmer", "Noto Sans CJK SC", "DejaVu Sans",
              "sans-serif")  # fmt: skip


class PdfUnavailable(RuntimeError):
    """WeasyPrint or its system libraries (Pango) are missing."""


def _refuse(url: str, *args, **kwargs):
    raise ValueError(f"the PDF renderer fetches nothing ({url[:40]})")


def render_pdf(html: str) -> bytes:
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:  # OSError: Pango is not installed
        raise PdfUnavailable(str(error)) from error
    return HTML(string=html, url_fetcher=_refuse).write_pdf()


def font_css() -> str:
    return ", ".join(f'"{name}"' if " " in name else name for name in FONT_STACK)
