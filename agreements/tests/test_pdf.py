"""The printed Leitfaden, read back with pypdf: title page, a table of contents whose page
numbers are the pages the sections start on, the running header with title and version,
"Seite X von Y", A4, PDF/A-3 and tagged."""

import io
import re

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone

from agreements import services

from .conftest import add, draft, pdf_pages

LONG = "\n\n".join(
    f"Absatz {n}: Die Fachkräfte stimmen sich ab, bevor sie handeln, und sagen den Eltern, "
    "wer was erfährt. Die Verantwortung für das Wohl des Kindes bleibt im Zentrum."
    for n in range(1, 26)
)
EXTRA = [
    ("Anhaltspunkte erkennen", LONG),
    ("Einwilligung und Schweigepflichtentbindung", LONG),
    ("Vorgehen nach § 8a SGB VIII", LONG),
    ("Ansprechpersonen", "Koordinationsstelle, Valkenburger Straße 45, 52525 Heinsberg."),
]


@pytest.fixture
def version_2(guideline, coordination_office):
    """Version 2: three long sections more, so that sections start on different pages."""
    for title, body in EXTRA:
        add(guideline, title, body)
    protocol = draft(guideline, "Das Protokoll")
    protocol.body = "Die Eltern erhalten das Protokoll auf Papier oder per E-Mail."
    protocol.save()
    return services.guideline_publish(
        guideline=guideline, published_by=coordination_office, note="Vier Abschnitte ergänzt."
    )


@pytest.fixture
def pdf(signed_in, version_2, erkelenz_caseworker, get_pdf) -> bytes:
    response = get_pdf(
        signed_in(erkelenz_caseworker),
        reverse("agreements:guideline_pdf", args=[version_2.guideline_id, 2]),
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="leitfaden-fassung-2.pdf"'
    return response.content


def test_the_title_page_names_the_leitfaden_its_version_and_date(pdf, version_2, heinsberg):
    pages = pdf_pages(pdf)
    title_page = pages[0]
    today = timezone.localdate().strftime("%d.%m.%Y")
    assert "Leitfaden Jugendhilfe – Suchthilfe" in title_page
    assert f"Fassung 2 vom {today}" in title_page
    assert heinsberg.name in title_page
    assert "Ersetzt Fassung 1 vom" in title_page
    assert "Vier Abschnitte ergänzt." in title_page
    assert f"Seite 1 von {len(pages)}" in title_page
    assert "Inhalt" not in title_page


def test_the_table_of_contents_points_to_the_pages_the_sections_start_on(pdf, version_2):
    pages = pdf_pages(pdf)
    toc = pages[1]
    assert toc.startswith("Inhalt")
    sections = version_2.ordered_sections()
    assert len(sections) == 7
    starts = set()
    for section in sections:
        heading = f"{section.position}. {section.title}"
        entry = re.search(re.escape(heading) + r"[ .]*?(\d+)\b", toc)
        assert entry, f"{heading} is not in the table of contents"
        listed = int(entry.group(1))
        first = next(n for n, text in enumerate(pages[2:], 3) if heading in text)
        assert listed == first, f"{heading}: listed on page {listed}, starts on page {first}"
        starts.add(first)
    assert len(starts) >= 3, "the test needs sections on several pages"
    changes = re.search(r"Änderungen gegenüber Fassung 1[ .]*?(\d+)\b", toc)
    assert changes and "Änderungen gegenüber Fassung 1" in pages[int(changes.group(1)) - 1]


def test_every_page_after_the_title_carries_the_header_and_footer(pdf):
    pages = pdf_pages(pdf)
    assert len(pages) >= 4
    today = timezone.localdate().strftime("%d.%m.%Y")
    for number, text in enumerate(pages, 1):
        assert f"Seite {number} von {len(pages)}" in text
        if number > 1:
            assert "Leitfaden Jugendhilfe – Suchthilfe" in text
            assert f"Fassung 2 vom {today}" in text


def test_the_changes_against_version_1_are_listed(pdf):
    text = " ".join(pdf_pages(pdf))
    assert "Abschnitt 3 „Das Protokoll“: Text geändert" in text
    assert "Abschnitt 4 „Anhaltspunkte erkennen“: neu aufgenommen" in text


def test_it_is_a4_pdf_a_3_tagged_and_german(pdf):
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    metadata = reader.xmp_metadata.stream.get_data().decode()
    assert re.search(r"pdfaid:part(>|=\")3", metadata), "no PDF/A-3 identification"
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root  # tagged for screen readers
    assert root["/Lang"] == "de"
    assert reader.metadata.title == "Leitfaden Jugendhilfe – Suchthilfe – Fassung 2"


def test_an_older_version_prints_as_it_was(signed_in, version_2, erkelenz_caseworker, get_pdf):
    response = get_pdf(
        signed_in(erkelenz_caseworker),
        reverse("agreements:guideline_pdf", args=[version_2.guideline_id, 1]),
    )
    text = " ".join(pdf_pages(response.content))
    assert "Fassung 1 vom" in text
    assert "Die Eltern erhalten das Protokoll auf Papier." in text
    assert "Anhaltspunkte erkennen" not in text
    assert "Änderungen gegenüber" not in text
