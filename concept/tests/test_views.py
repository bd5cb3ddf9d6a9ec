"""The overview, its edit page and the catalogue of offers, through the real views.

Who: the coordination office edits; members of the Kooperationsgremium read the overview;
every staff member of the cooperation reads the catalogue; another cooperation's
coordination office sees only its own records.
"""

import io

import pypdf
import pytest
from django.urls import reverse
from django.utils.html import escape

from concept.models import Concept, FieldOfAction, Offer
from concept.tests.conftest import de, squash
from cooperation.models import Institution
from tests import factories

OVERVIEW = reverse("concept:overview")
EDIT = reverse("concept:edit")
OFFERS = reverse("concept:offers")
WAITING = 'data-hx-trigger="every 2s"'


def offer(institution, name, **fields) -> Offer:
    fields.setdefault("target_group", "Kinder von 8 bis 12 Jahren")
    return Offer.objects.create(institution=institution, name=name, **fields)


@pytest.fixture
def catalogue(institutions):
    return {
        "leuchtturm": offer(
            institutions["caritas"],
            "Kindergruppe Leuchtturm",
            target_group="Kinder von 8 bis 12 Jahren mit einem suchtkranken Elternteil",
            contact_person="Lena Küppers",
            address="Hochstraße 4, 52525 Heinsberg",
        ),
        "eltern": offer(
            institutions["diakonie"],
            "Elterngruppe Sucht und Familie",
            target_group="Suchtkranke Mütter und Väter",
        ),
        "paten": offer(
            institutions["kreisjugendamt"],
            "Patenschaften",
            status=Offer.Status.PLANNED,
        ),
        "fortbildung": offer(
            institutions["koordination"],
            "Fortbildungsreihe",
            target_group="Fachkräfte aus Kita und Schule",
            field_of_action=FieldOfAction.D,
        ),
        "beendet": offer(institutions["caritas"], "Alte Gruppe", status=Offer.Status.ENDED),
        "lindenbrueck": offer(institutions["lindenbrueck"], "Lindenbrücker Kindergruppe"),
    }


# --- overview ----------------------------------------------------------------------------


def test_the_coordination_office_sees_the_overview_with_everything_to_edit(
    client, coordination_office, concept
):
    client.force_login(coordination_office)
    response = client.get(OVERVIEW)
    assert response.status_code == 200
    html = response.content.decode()
    assert escape(de("1. Initial situation")) in html
    assert escape(de("2. Fields of action")) in html
    assert reverse("concept:edit") in html
    assert reverse("concept:declaration_edit", args=["support"]) in html
    assert reverse("admin:concept_offer_changelist") in html
    assert len(response.context["fields"]) == 4


def test_the_overview_links_evidence_to_its_records_for_the_coordination_office(
    client, coordination_office, concept, catalogue
):
    client.force_login(coordination_office)
    html = client.get(OVERVIEW).content.decode()
    assert f'href="/admin/concept/offer/{catalogue["leuchtturm"].pk}/change/"' in html


def test_a_committee_member_reads_the_overview_without_edit_links(
    client, committee_member, concept, catalogue
):
    client.force_login(committee_member)
    response = client.get(OVERVIEW)
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("concept:edit") not in html
    assert reverse("concept:declaration_edit", args=["support"]) not in html
    assert "/admin/" not in html
    assert "Kindergruppe Leuchtturm" in html
    assert client.get(EDIT).status_code == 403


@pytest.mark.parametrize(
    "persona", ["erkelenz_caseworker", "caritas_caseworker", "data_protection_officer", "superuser"]
)
def test_staff_outside_coordination_and_committee_may_not_read_it(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(OVERVIEW).status_code == 403
    assert client.get(reverse("concept:pdf")).status_code == 403


def test_anonymous_users_are_sent_to_the_login(client, db):
    response = client.get(OVERVIEW)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_overview_rejects_post(client, coordination_office):
    client.force_login(coordination_office)
    assert client.post(OVERVIEW).status_code == 405


def test_another_cooperations_coordination_office_sees_only_its_own_concept(
    client, lindenbrueck_coordination, concept, catalogue
):
    concept.reasons = "Heinsberger Begründung"
    concept.save()
    client.force_login(lindenbrueck_coordination)
    response = client.get(OVERVIEW)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Stadt Lindenbrück" in html
    assert "Heinsberger Begründung" not in html
    assert "Kindergruppe Leuchtturm" not in html
    assert Concept.objects.count() == 2


# --- edit ----------------------------------------------------------------------------------


def test_the_coordination_office_edits_profile_and_texts(
    client, coordination_office, concept, institutions
):
    client.force_login(coordination_office)
    response = client.post(
        EDIT,
        {
            "inhabitants": "248233",
            "inhabitants_as_of": "31.12.2013",
            "area_km2": "1110",
            "contact_name": "Claudia Mertens",
            "contact_institution": institutions["koordination"].pk,
            "contact_function": "Koordinatorin",
            "contact_phone": "02452 13-0",
            "contact_email": "koordination@kreis-heinsberg.example",
            "reasons": "Weil wir seit 2016 kooperieren.",
            "goals": "Ein Angebotskatalog.",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == OVERVIEW
    concept.refresh_from_db()
    assert concept.inhabitants == 248233
    assert concept.inhabitants_as_of.isoformat() == "2013-12-31"
    assert concept.contact_institution == institutions["koordination"]
    assert concept.history.first().history_user == coordination_office
    html = client.get(OVERVIEW).content.decode()
    assert "248.233" in html and "31.12.2013" in html and "1.110 km²" in html


def test_the_contact_institution_must_belong_to_the_cooperation(
    client, coordination_office, concept, institutions
):
    client.force_login(coordination_office)
    response = client.post(EDIT, {"contact_institution": institutions["lindenbrueck"].pk})
    assert response.status_code == 400
    assert "contact_institution" in response.context["form"].errors
    concept.refresh_from_db()
    assert concept.contact_institution is None


def test_an_invalid_e_mail_is_refused_and_the_input_kept(client, coordination_office, concept):
    client.force_login(coordination_office)
    response = client.post(EDIT, {"contact_email": "keine-adresse", "reasons": "Entwurf"})
    assert response.status_code == 400
    assert "contact_email" in response.context["form"].errors
    assert "Entwurf" in response.content.decode()


def test_a_committee_member_may_not_post_the_edit_form(client, committee_member, concept):
    client.force_login(committee_member)
    assert client.post(EDIT, {"reasons": "Fremd"}).status_code == 403
    concept.refresh_from_db()
    assert concept.reasons == ""


# --- catalogue of offers -------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona",
    ["erkelenz_caseworker", "caritas_caseworker", "coordination_office", "data_protection_officer"],
)
def test_all_staff_of_the_cooperation_read_the_catalogue(client, request, persona, catalogue):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(OFFERS)
    assert response.status_code == 200
    # By institution (Caritas, Diakonie, Kreisjugendamt, Koordinationsstelle), then name.
    assert [o.name for o in response.context["offers"]] == [
        "Kindergruppe Leuchtturm",
        "Elterngruppe Sucht und Familie",
        "Patenschaften",
        "Fortbildungsreihe",
    ]
    html = response.content.decode()
    assert "Alte Gruppe" not in html
    assert "Lindenbrücker Kindergruppe" not in html
    assert "Hochstraße 4, 52525 Heinsberg" in html


def test_another_cooperation_reads_only_its_own_catalogue(
    client, lindenbrueck_coordination, catalogue
):
    client.force_login(lindenbrueck_coordination)
    offers = list(client.get(OFFERS).context["offers"])
    assert offers == [catalogue["lindenbrueck"]]


def test_the_superuser_belongs_to_no_cooperation_and_gets_no_catalogue(client, superuser):
    client.force_login(superuser)
    assert client.get(OFFERS).status_code == 403


def search(client, **params) -> list[str]:
    return sorted(o.name for o in client.get(OFFERS, params).context["offers"])


def test_the_catalogue_is_searched_by_text(client, caritas_caseworker, catalogue):
    client.force_login(caritas_caseworker)
    assert search(client, q="suchtkrank") == [
        "Elterngruppe Sucht und Familie",
        "Kindergruppe Leuchtturm",
    ]
    assert search(client, q="Küppers") == ["Kindergruppe Leuchtturm"]
    assert search(client, q="Diakonischen") == ["Elterngruppe Sucht und Familie"]
    # Every word must match somewhere: the Kreisjugendamt's offer is in Heinsberg too.
    assert search(client, q="Kinder Heinsberg") == ["Kindergruppe Leuchtturm", "Patenschaften"]
    assert search(client, q="Kinder Hochstraße") == ["Kindergruppe Leuchtturm"]
    assert search(client, q="Lindenbrücker") == []


def test_the_catalogue_is_filtered_by_field_and_institution(
    client, caritas_caseworker, catalogue, institutions
):
    client.force_login(caritas_caseworker)
    assert search(client, field="D") == ["Fortbildungsreihe"]
    assert search(client, institution=institutions["diakonie"].pk) == [
        "Elterngruppe Sucht und Familie"
    ]
    assert search(client, field="A", institution=institutions["caritas"].pk) == [
        "Kindergruppe Leuchtturm"
    ]


def test_another_cooperations_institution_is_no_filter(
    client, caritas_caseworker, catalogue, institutions
):
    client.force_login(caritas_caseworker)
    response = client.get(OFFERS, {"institution": institutions["lindenbrueck"].pk})
    assert response.status_code == 200
    assert len(response.context["offers"]) == 4
    assert "Lindenbrück" not in response.content.decode()


def test_the_catalogue_page_has_labelled_filters_and_table_headers(
    client, caritas_caseworker, catalogue
):
    client.force_login(caritas_caseworker)
    html = client.get(OFFERS).content.decode()
    assert '<label for="id_q">' in html
    assert '<label for="id_field">' in html
    assert '<label for="id_institution">' in html
    assert 'scope="col"' in html and "<caption" in html
    assert reverse("concept:offers_pdf") in html


def printed(client, selection: dict, capture) -> bytes:
    """The catalogue's PDF as a reader gets it: the first request queues the worker
    ("being created"; here it runs when the request commits), the next one downloads."""
    with capture(execute=True):
        waiting = client.get(reverse("concept:offers_pdf"), selection)
    assert waiting.status_code == 200
    assert WAITING in waiting.content.decode()
    response = client.get(reverse("concept:offers_pdf"), selection)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


def test_the_catalogue_prints_as_a_pdf_with_the_same_filters(
    client, caritas_caseworker, catalogue, django_capture_on_commit_callbacks
):
    client.force_login(caritas_caseworker)
    pdf = printed(client, {"field": "A"}, django_capture_on_commit_callbacks)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = squash(" ".join(page.extract_text() for page in reader.pages))
    assert de("Catalogue of offers") in text
    assert "Kindergruppe Leuchtturm" in text
    assert "Fortbildungsreihe" not in text
    assert "Lindenbrücker" not in text
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width)), round(float(height))) == (595, 842)


def test_only_staff_of_an_institution_have_a_catalogue(client, db):
    nobody = factories.make_user(None, username="ohne.einrichtung")
    client.force_login(nobody)
    assert client.get(OFFERS).status_code == 403
    assert Institution.objects.count() == 0
