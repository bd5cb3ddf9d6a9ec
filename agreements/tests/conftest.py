"""The Heinsberg agreement and Leitfaden the tests of this app work with.

The agreement's parties are Jugendamt Erkelenz, the Gesundheitsamt, Caritas, Diakonie
and the Kreisjugendamt. Jugendamt Hückelhoven (the ``uninvolved_caseworker``) has not
joined; Lindenbrück is another cooperation.
"""

import datetime
import io

import pypdf
import pytest
from django.http import HttpResponse

from agreements import services
from agreements.models import Agreement, AgreementParty, AgreementSection, GuidelineSection

PARTIES = ("erkelenz", "gesundheitsamt", "caritas", "diakonie", "kreisjugendamt")
AGENDA_V1 = (
    "Die Konferenz folgt dieser Tagesordnung:\n\n"
    "1. Begrüßung und Anlass\n"
    "2. Situation des Kindes\n"
    "3. Situation der Eltern und Behandlung (Gesundheitsdaten)\n"
    "   Nur mit Freigabe der Gesundheitsdaten besprechen.\n"
    "4. Vereinbarungen\n"
    "5. Nächster Termin\n"
)
PROTOCOL_V1 = "Die Eltern erhalten das Protokoll auf Papier."


@pytest.fixture
def agreement(institutions, heinsberg) -> Agreement:
    """``heinsberg`` is the root conftest's cooperation of the institutions."""
    agreement = Agreement.objects.create(
        cooperation=heinsberg,
        title="Kooperationsvereinbarung Jugendhilfe – Suchthilfe",
        legal_form="öffentlich-rechtliche Vereinbarung",
        responsible_body="Kreis Heinsberg",
        effective_since=datetime.date(2016, 5, 1),
        goals="Eltern mit Suchterkrankung und ihren Kindern ein gemeinsames Leben ermöglichen.",
        financing="Keine finanziellen Auswirkungen.",
    )
    for key in PARTIES:
        AgreementParty.objects.create(
            agreement=agreement,
            institution=institutions[key],
            signatory_name=f"Leitung {institutions[key].short_name}",
            signatory_function="Leitung",
            signed_on=datetime.date(2016, 4, 20),
        )
    AgreementSection.objects.create(
        agreement=agreement,
        number=1,
        title="Gegenstand",
        body="Zusammenarbeit von Jugendhilfe und Suchthilfe im Kreis Heinsberg.",
    )
    return agreement


def add(guideline, title, body, agenda=False) -> GuidelineSection:
    return services.section_add(
        guideline=guideline,
        section=GuidelineSection(title=title, body=body, is_conference_agenda=agenda),
    )


@pytest.fixture
def guideline(agreement, heinsberg, coordination_office):
    """Version 1 published: three sections, the second holds the conference agenda."""
    guideline = services.guideline_create(cooperation=heinsberg)
    guideline.title = "Leitfaden Jugendhilfe – Suchthilfe"
    guideline.save()
    add(guideline, "Grundsätze", "Das Wohl des Kindes steht im Zentrum.")
    add(guideline, "Die Beteiligtenkonferenz", AGENDA_V1, agenda=True)
    add(guideline, "Das Protokoll", PROTOCOL_V1)
    services.guideline_publish(guideline=guideline, published_by=coordination_office)
    return guideline


def draft(guideline, title) -> GuidelineSection:
    return guideline.draft_sections().get(title=title)


def pdf_pages(content: bytes) -> list[str]:
    """The text of each page, whitespace collapsed."""
    reader = pypdf.PdfReader(io.BytesIO(content))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


@pytest.fixture
def get_pdf(django_capture_on_commit_callbacks):
    """GET a stored document's URL as a reader would: the first request finds it not yet
    rendered and enqueues its task (run here, as a worker would, when the request's
    transaction commits); the second gets the stored file."""

    def get(browser, target):
        with django_capture_on_commit_callbacks(execute=True):
            response = browser.get(target)
        if response["Content-Type"].startswith("text/html"):
            response = browser.get(target)
        if response.streaming:  # the stored file, read whole for the checks
            plain = HttpResponse(b"".join(response.streaming_content), status=response.status_code)
            for header, value in response.items():
                plain[header] = value
            response = plain
        return response

    return get
