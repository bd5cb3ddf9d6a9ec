"""The one place that turns a template into a PDF.

Every document KispFam prints comes out of ``render_pdf``, and so comes out alike:

- PDF/A-3b (ISO 19005-3): archival, every font embedded, XMP metadata with the title,
  a file identifier. Protocols, agreements and Leitfaden versions are public records.
- Tagged: a structure tree (headings, lists, tables), ``/MarkInfo`` and ``/Lang``, so
  that a screen reader reads it (BITV 2.0, PDF/UA's requirements as far as WeasyPrint
  goes).
- One print stylesheet (``static/css/documents.css``): one font family in body, headers
  and footers, the running header and the footer "Seite X von Y" from the template's
  ``documents/base.html`` blocks.
- Rendered in the document's language, whatever the reader's interface language:
  everything the template and the context's lazy strings say is translated then.
- No resource is fetched from the network or the file system, only ``data:`` URLs: a
  Markdown image in a Leitfaden cannot make the server fetch anything.
"""

from collections.abc import Callable

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

PDF_VARIANT = "pdf/a-3b"
STYLESHEET = "css/documents.css"


def _stylesheet():
    from weasyprint import CSS

    return CSS(filename=finders.find(STYLESHEET))


def render_html(
    template: str,
    context: dict | Callable[[], dict],
    *,
    language: str,
    title: str,
    author: str = "",
) -> str:
    """The document's HTML: ``template`` rendered in ``language`` with ``document``
    (title, language, author) in its context for ``documents/base.html``."""
    with translation.override(language):
        values = context() if callable(context) else context
        return render_to_string(
            template,
            {
                **values,
                "document": {"title": str(title), "language": language, "author": str(author)},
            },
        )


def write_pdf(html: str) -> bytes:
    """WeasyPrint, once: tagged PDF/A-3b with the documents' stylesheet, fetching nothing."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf(
        pdf_variant=PDF_VARIANT, pdf_tags=True, stylesheets=[_stylesheet()]
    )


def render_pdf(
    template: str,
    context: dict | Callable[[], dict],
    *,
    language: str,
    title: str,
    author: str = "",
) -> bytes:
    """Render ``template`` (which extends ``documents/base.html``) as a tagged PDF/A-3b.

    ``context`` may be a callable, so that the context is built under ``language`` too
    (evaluations that word their findings while being computed). ``title`` becomes the
    document's title in its metadata and the reader's title bar.
    """
    return write_pdf(render_html(template, context, language=language, title=title, author=author))
