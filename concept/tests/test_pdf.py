"""The Kurzkonzept as PDF: the official form's structure, filled from the records, in
German, A4, PDF/A."""

import datetime
import io
from decimal import Decimal

import pypdf
import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from agreements.models import Agreement, AgreementParty
from concept import tasks
from concept.evaluation import REQUIREMENTS, Status
from concept.models import (
    Declaration,
    FieldOfAction,
    Indicator,
    IndicatorValue,
    Measure,
    Network,
    Offer,
    SteeringGroup,
)
from concept.tests.conftest import de, de_plural, flat, squash
from tests import factories


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 5, 20, 10, 0), tick=False):
        yield


@pytest.fixture
def filled(concept, hs, institutions):
    concept.inhabitants = 248233
    concept.area_km2 = Decimal("1110")
    concept.contact_name = "Claudia Mertens"
    concept.contact_institution = institutions["koordination"]
    concept.contact_function = "Koordinatorin"
    concept.contact_phone = "02452 13-0"
    concept.contact_email = "koordination@kreis-heinsberg.example"
    concept.reasons = "Wir kooperieren seit Mai 2016 verbindlich."
    concept.goals = "Ein kreisweiter Angebotskatalog."
    concept.remarks_c = "Arbeitskreis tagt halbjährlich."
    concept.save()
    hze = Indicator.objects.get(cooperation=hs, standard=Indicator.Standard.HZE)
    IndicatorValue.objects.create(
        indicator=hze, year=2023, value=Decimal("1048.9"), state_average=Decimal("981.2")
    )
    Offer.objects.create(
        institution=institutions["caritas"],
        name="Kindergruppe Leuchtturm",
        target_group="Kinder von 8 bis 12 Jahren",
    )
    agreement = Agreement.objects.create(
        cooperation=hs,
        title="Kooperationsvereinbarung",
        legal_form="öffentlich-rechtliche Vereinbarung",
        responsible_body="Kreis Heinsberg",
        effective_since=datetime.date(2016, 5, 1),
    )
    for key in ("kreisjugendamt", "gesundheitsamt"):
        AgreementParty.objects.create(
            agreement=agreement,
            institution=institutions[key],
            signatory_name="Leitung",
            signatory_function="Amtsleitung",
        )
    SteeringGroup.objects.create(cooperation=hs, name="Steuerungsgruppe KispFam")
    Network.objects.create(cooperation=hs, name="Frühe Hilfen", deals_with_kispfam=False)
    Measure.objects.create(
        cooperation=hs,
        date=datetime.date(2026, 1, 21),
        title="Fachtag Kinder aus suchtbelasteten Familien",
        kind=Measure.Kind.QUALIFICATION,
        status=Measure.Status.HELD,
        participants=85,
    )
    Declaration.objects.create(
        cooperation=hs,
        kind=Declaration.Kind.SUPPORT,
        dated=datetime.date(2026, 2, 10),
        document=factories.pdf_upload(),
    )
    return concept


def pdf_text(client, user) -> tuple[pypdf.PdfReader, str]:
    client.force_login(user)
    # The worker's part: the Kurzkonzept as it reads now, rendered by its task.
    tasks.render_current_kurzkonzept.call(user.cooperation.pk)
    response = client.get(reverse("concept:pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="Kurzkonzept-HS-20260520.pdf"' in response["Content-Disposition"]
    reader = pypdf.PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    return reader, squash(" ".join(page.extract_text() for page in reader.pages))


def test_the_kurzkonzept_follows_the_forms_sections(client, coordination_office, filled):
    _reader, text = pdf_text(client, coordination_office)
    headings = [
        de("Short concept for taking part as pilot municipality"),
        de("1. Initial situation"),
        de(
            "2. Activities so far on the topic “children from addiction- and "
            "mentally-ill-burdened families”"
        ),
        de(
            "3. Reasons for taking part in the model project, first ideas and goals for a "
            "municipal overall concept"
        ),
        de("Attached to this short concept"),
    ]
    positions = [flat(text).find(flat(heading)) for heading in headings]
    assert -1 not in positions, list(zip(headings, positions, strict=True))
    assert positions == sorted(positions)
    assert "Wir kooperieren seit Mai 2016 verbindlich." in text
    assert "Ein kreisweiter Angebotskatalog." in text


def test_the_contact_block_comes_from_the_profile(client, coordination_office, filled):
    _reader, text = pdf_text(client, coordination_office)
    with translation.override("de"):
        kind = str(filled.cooperation.get_body_kind_display())
    assert squash(de("Municipality (Kreis / kreisfreie Stadt)")) in text
    assert f"Kreis Heinsberg ({kind})" in text
    assert "248.233" in text and "1.110 km²" in text
    assert "Claudia Mertens, Koordinationsstelle Heinsberg, Koordinatorin" in text
    assert "02452 13-0, koordination@kreis-heinsberg.example" in text


def test_the_initial_situation_states_the_eligibility_and_its_value(
    client, coordination_office, filled
):
    _reader, text = pdf_text(client, coordination_office)
    statement = de_plural(
        "The condition is met: in %(year)s this value lies above the state average: %(values)s.",
        "The condition is met: in %(year)s these values lie above the state average: %(values)s.",
        1,
        year=2023,
        values=de(
            "%(indicator)s with %(value)s (state average %(average)s)",
            indicator="Hilfen zur Erziehung je 100.000 Einwohner",
            value="1.048,9",
            average="981,2",
        ),
    )
    assert flat(statement) in flat(text)
    assert "U15-Jährige im Sozialgeld-Bezug je 100.000 Einwohner" in text


def test_the_table_has_the_rows_a_to_d_with_required_and_current_state(
    client, coordination_office, filled
):
    _reader, text = pdf_text(client, coordination_office)
    text = flat(text)
    expected = {
        FieldOfAction.A: (Status.FULFILLED, "Kindergruppe Leuchtturm"),
        # The agreement and the coordination office are there, the steering group is not
        # set up yet.
        FieldOfAction.B: (Status.PLANNED, "Kooperationsvereinbarung"),
        # Only a network that does not deal with the topic; the remark is shown.
        FieldOfAction.C: (Status.MISSING, "Arbeitskreis tagt halbjährlich."),
        FieldOfAction.D: (Status.FULFILLED, "Fachtag Kinder aus suchtbelasteten Familien"),
    }
    starts = [text.find(flat(de(field.label))) for field in expected]
    assert -1 not in starts
    assert starts == sorted(starts)
    section_3 = de(
        "3. Reasons for taking part in the model project, first ideas and goals for a "
        "municipal overall concept"
    )
    ends = [*starts[1:], text.find(flat(section_3))]
    for (field, (status, evidence)), start, end in zip(expected.items(), starts, ends, strict=True):
        row = text[start:end]
        assert flat(f"{de('Status:')} {de(status.label)}") in row, field
        assert flat(evidence) in row, field
    assert flat(de(REQUIREMENTS["A"])) in text
    assert flat(de(REQUIREMENTS["B_steering"])) in text


def test_the_attachments_checklist_shows_what_is_done(client, coordination_office, filled):
    _reader, text = pdf_text(client, coordination_office)
    assert "☑" in text and text.count("☐") == 3
    assert de("Attached, dated %(date)s.", date="10.02.2026") in text


def test_the_pdf_is_a4_pdfa_and_german(client, coordination_office, filled):
    reader, _text = pdf_text(client, coordination_office)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    metadata = reader.xmp_metadata
    assert metadata is not None
    assert b"pdfaid" in metadata.stream.get_data()
    assert reader.trailer["/Root"].get("/Lang") == "de"


def test_the_pdf_is_german_whatever_the_readers_language(client, coordination_office, filled):
    client.force_login(coordination_office)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    _reader, text = pdf_text(client, coordination_office)
    assert "1.048,9" in text


def test_an_empty_concept_still_prints_with_missing_states(client, coordination_office, concept):
    _reader, text = pdf_text(client, coordination_office)
    assert squash(de("No indicator values have been recorded yet.")) in text
    assert de("Status:") + " " + de("missing") in text
