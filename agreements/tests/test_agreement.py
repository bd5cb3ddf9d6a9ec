"""The cooperation agreement, through the real views: who reads it, its past states by
date (``?stand=``) from the change history, its PDF, and the admin that edits it.

The agreement binds Erkelenz, the Gesundheitsamt, Caritas, Diakonie and the
Kreisjugendamt; Hückelhoven has not joined, Lindenbrück is another cooperation.
"""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement, AgreementParty, AgreementSection
from tests.german import label

from .conftest import pdf_pages

OLD_TEXT = "Zusammenarbeit von Jugendhilfe und Suchthilfe im Kreis Heinsberg."
NEW_TEXT = "Zusammenarbeit nach DSGVO, SGB VIII und SGB X im Kreis Heinsberg."


def url(name: str, agreement: Agreement, stand: str | None = None) -> str:
    base = reverse(f"agreements:{name}", args=[agreement.pk])
    return f"{base}?stand={stand}" if stand else base


def at(year, month, day, hour=10):
    return time_machine.travel(
        timezone.make_aware(datetime.datetime(year, month, day, hour)), tick=False
    )


@pytest.fixture
def dated_agreement(institutions, heinsberg, coordination_office, signed_in):
    """Recorded on 02.05.2016; § 1 amended in the admin on 25.05.2018; Hückelhoven
    joined on 01.03.2019."""
    with at(2016, 5, 2):
        agreement = Agreement.objects.create(
            cooperation=heinsberg,
            title="Kooperationsvereinbarung Heinsberg",
            legal_form="öffentlich-rechtliche Vereinbarung",
            responsible_body="Kreis Heinsberg",
            effective_since=datetime.date(2016, 5, 1),
            goals="Ein gemeinsames Leben von Eltern und Kindern.",
        )
        for key in ("erkelenz", "caritas"):
            AgreementParty.objects.create(
                agreement=agreement,
                institution=institutions[key],
                signatory_name=f"Leitung {key}",
                signatory_function="Leitung",
                signed_on=datetime.date(2016, 4, 20),
            )
        AgreementSection.objects.create(
            agreement=agreement, number=1, title="Gegenstand", body=OLD_TEXT
        )
    with at(2018, 5, 25):
        office = signed_in(coordination_office)
        change = reverse("admin:agreements_agreement_change", args=[agreement.pk])
        data = admin_form_data(office.get(change))
        data["sections-0-body"] = NEW_TEXT
        response = office.post(change, data)
        assert response.status_code == 302, response.context and response.context.get("errors")
    with at(2019, 3, 1):
        AgreementParty.objects.create(
            agreement=agreement,
            institution=institutions["hueckelhoven"],
            signatory_name="Ralf Jennissen",
            signatory_function="Leiter des Jugendamtes",
            signed_on=datetime.date(2019, 2, 27),
        )
    return agreement


def admin_form_data(response) -> dict:
    """What the admin's change form would send back unchanged (with its inlines)."""
    assert response.status_code == 200

    def value(field):
        v = field.value()
        if v is None:
            return ""
        return v.isoformat() if isinstance(v, datetime.date) else v

    form = response.context["adminform"].form
    data = {name: value(form[name]) for name in form.fields}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data.update({f"{formset.prefix}-{k}": value(management[k]) for k in management.fields})
        for subform in formset.forms:
            data.update({subform.add_prefix(n): value(subform[n]) for n in subform.fields})
    return data


# --- who reads it --------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona",
    [
        "erkelenz_caseworker",
        "caritas_caseworker",
        "gesundheitsamt_caseworker",
        "coordination_office",
        "data_protection_officer",
        "superuser",
    ],
)
def test_parties_and_the_coordination_office_read_it(request, signed_in, agreement, persona):
    response = signed_in(request.getfixturevalue(persona)).get(url("agreement", agreement))
    assert response.status_code == 200
    page = response.content.decode()
    assert agreement.title in page
    assert "öffentlich-rechtliche Vereinbarung" in page
    assert "01.05.2016" in page
    assert "Leitung Caritas" in page and "20.04.2016" in page
    assert "§ 1 Gegenstand" in page


@pytest.mark.parametrize("persona", ["uninvolved_caseworker", "lindenbrueck_coordination"])
@pytest.mark.parametrize("name", ["agreement", "agreement_pdf"])
def test_a_non_party_and_another_cooperation_get_a_404(
    request, signed_in, agreement, persona, name
):
    response = signed_in(request.getfixturevalue(persona)).get(url(name, agreement))
    assert response.status_code == 404
    assert agreement.title not in response.content.decode(errors="replace")


def test_the_overview_tells_a_non_party_why_it_sees_nothing(
    signed_in, agreement, uninvolved_caseworker
):
    response = signed_in(uninvolved_caseworker).get(reverse("agreements:index"))
    assert response.status_code == 200
    page = response.content.decode()
    assert agreement.title not in page
    assert (
        label(
            "Your institution is not a party to a cooperation agreement of your cooperation, so "
            "the agreement and the Leitfaden are not shown to you. Your coordination office can "
            "tell you more."
        )
        in page
    )


def test_anonymous_is_sent_to_the_login(client, agreement):
    response = client.get(url("agreement", agreement))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_rejects_post(signed_in, agreement, erkelenz_caseworker):
    assert signed_in(erkelenz_caseworker).post(url("agreement", agreement)).status_code == 405


def test_only_the_coordination_office_is_offered_the_admin(
    signed_in, agreement, coordination_office, erkelenz_caseworker
):
    edit = reverse("admin:agreements_agreement_change", args=[agreement.pk])
    assert edit in signed_in(coordination_office).get(url("agreement", agreement)).content.decode()
    caseworker = signed_in(erkelenz_caseworker)
    assert edit not in caseworker.get(url("agreement", agreement)).content.decode()
    assert caseworker.get(edit).status_code == 302  # to the admin login


# --- as it stood on a date -----------------------------------------------------------


def test_the_agreement_shows_as_it_stood_on_a_date(signed_in, dated_agreement, caritas_caseworker):
    caritas = signed_in(caritas_caseworker)

    before = caritas.get(url("agreement", dated_agreement, "2018-05-24")).content.decode()
    assert OLD_TEXT in before and NEW_TEXT not in before
    assert label("As it stood on %(day)s (from the change history).") % {"day": "24.05.2018"} in (
        before
    )
    assert "Ralf Jennissen" not in before

    on_the_day = caritas.get(url("agreement", dated_agreement, "2018-05-25")).content.decode()
    assert NEW_TEXT in on_the_day and OLD_TEXT not in on_the_day
    assert "Ralf Jennissen" not in on_the_day

    now = caritas.get(url("agreement", dated_agreement)).content.decode()
    assert NEW_TEXT in now and "Ralf Jennissen" in now
    assert 'role="status"' not in now  # no "as it stood on" note


def test_the_change_list_names_each_change_and_links_its_day(
    signed_in, dated_agreement, caritas_caseworker, coordination_office
):
    page = signed_in(caritas_caseworker).get(url("agreement", dated_agreement)).content.decode()
    for day, iso in (("02.05.2016", "2016-05-02"), ("25.05.2018", "2018-05-25")):
        assert day in page
        assert f'href="?stand={iso}"' in page
    assert "§ 1 Gegenstand" in page
    assert coordination_office.get_full_name() in page  # who changed § 1 in the admin


def test_a_day_before_the_history_began_is_a_404_that_says_so(
    signed_in, dated_agreement, caritas_caseworker
):
    response = signed_in(caritas_caseworker).get(url("agreement", dated_agreement, "2016-01-01"))
    assert response.status_code == 404
    assert (
        label(
            "On %(day)s the agreement had not been recorded yet; its history begins on %(first)s."
        )
        % {"day": "01.01.2016", "first": "02.05.2016"}
        in response.content.decode()
    )


@pytest.mark.parametrize("stand", ["gestern", "2018-02-30", "0001-01-01"])
def test_an_invalid_date_is_refused(signed_in, dated_agreement, caritas_caseworker, stand):
    caritas = signed_in(caritas_caseworker)
    response = caritas.get(url("agreement", dated_agreement, stand))
    assert response.status_code == 400
    assert response.context["form"].errors["stand"]
    assert caritas.get(url("agreement_pdf", dated_agreement, stand)).status_code == 400


def test_a_german_date_is_understood_too(signed_in, dated_agreement, caritas_caseworker):
    response = signed_in(caritas_caseworker).get(url("agreement", dated_agreement, "24.05.2018"))
    assert OLD_TEXT in response.content.decode()


# --- the PDF -------------------------------------------------------------------------


def test_the_pdf_of_a_past_state(signed_in, dated_agreement, caritas_caseworker, get_pdf):
    response = get_pdf(
        signed_in(caritas_caseworker), url("agreement_pdf", dated_agreement, "2017-06-30")
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    # The version in force that day, named by its last change.
    assert "stand-2016-05-02" in response["Content-Disposition"]
    pages = pdf_pages(response.content)
    text = " ".join(pages)
    assert "Kooperationsvereinbarung Heinsberg" in text
    # "Stand" is the day of the last change of the text shown, not the day asked for.
    assert "Stand 02.05.2016" in pages[0]
    assert OLD_TEXT in text and NEW_TEXT not in text
    assert "Leitung caritas" in text and "Ralf Jennissen" not in text
    assert f"Seite 1 von {len(pages)}" in pages[0]


def test_the_pdf_of_the_current_state_is_pdf_a_3(
    signed_in, dated_agreement, caritas_caseworker, get_pdf
):
    response = get_pdf(signed_in(caritas_caseworker), url("agreement_pdf", dated_agreement))
    assert response.status_code == 200
    pages = pdf_pages(response.content)
    text = " ".join(pages)
    assert NEW_TEXT in text and "Ralf Jennissen" in text
    # Its "Stand" is the day of its last change (Hückelhoven joined), not the printing day.
    assert "Stand 01.03.2019" in text
    assert f"Stand {timezone.localdate():%d.%m.%Y}" not in text
    assert re.search(rb"pdfaid:part(>|=\")3", response.content) or _xmp_declares_part_3(
        response.content
    )


def _xmp_declares_part_3(content: bytes) -> bool:
    import io

    import pypdf

    xmp = pypdf.PdfReader(io.BytesIO(content)).xmp_metadata
    return bool(xmp and re.search(r"pdfaid:part(>|=\")3", xmp.stream.get_data().decode()))


# --- the admin -----------------------------------------------------------------------


def test_the_admin_offers_the_coordination_office_only_its_own_institutions(
    signed_in, agreement, coordination_office, institutions
):
    page = signed_in(coordination_office).get(
        reverse("admin:agreements_agreement_change", args=[agreement.pk])
    )
    assert page.status_code == 200
    choices = page.context["inline_admin_formsets"][0].formset.empty_form.fields["institution"]
    offered = set(choices.queryset)
    assert institutions["hueckelhoven"] in offered
    assert institutions["lindenbrueck"] not in offered


def test_another_coordination_office_cannot_open_it_in_the_admin(
    signed_in, agreement, lindenbrueck_coordination
):
    other = signed_in(lindenbrueck_coordination)
    change = other.get(reverse("admin:agreements_agreement_change", args=[agreement.pk]))
    assert change.status_code == 302  # "does not exist", back to the admin index
    history = other.get(reverse("admin:agreements_agreement_history", args=[agreement.pk]))
    assert history.status_code == 404
    listing = other.get(reverse("admin:agreements_agreement_changelist"))
    assert agreement.title not in listing.content.decode()
