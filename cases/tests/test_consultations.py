"""Pseudonymised consultation with an experienced child-protection specialist.

§4 Abs. 2 KKG, §8a Abs. 4 and §64 Abs. 2a SGB VIII: a caseworker asks a specialist whom
an institution designated, with pseudonymised data only. The form refuses text that
names the family; the specialist reads the consultation, never the case; the asking
institution records the outcome on the case. Family Beispiel (mother Sabine, born
14.03.1991, Marktplatz 1, 41812 Erkelenz) is led by Jugendamt Erkelenz; the Kreisjugendamt
caseworker is the specialist. The clock stands at 25.11.2026.
"""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils.html import escape

from cases import services
from cases.models import (
    AccessLog,
    CaseGrant,
    Consultation,
    DataCategory,
    FamilyMember,
    Involvement,
    Specialist,
)
from cases.pseudonyms import find_identifying
from cooperation.models import User
from tests import factories
from tests.german import label

TODAY = datetime.date(2026, 11, 25)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 10, 0), tick=False):
        yield


@pytest.fixture
def specialist(kreisjugendamt_caseworker) -> Specialist:
    return services.specialist_designate(
        user=kreisjugendamt_caseworker, designated_by=None, qualification="Kinderschutzfachkraft"
    )


@pytest.fixture
def mother(family_case) -> FamilyMember:
    return family_case.members.get()


def ask(specialist, **changes) -> dict:
    data = {
        "specialist": specialist.pk,
        "pseudonym": "Familie B.",
        "summary": "Mutter (35), alkoholabhängig; Kind (6) kommt oft ohne Frühstück in die Kita.",
        "question": "Liegen gewichtige Anhaltspunkte für eine Gefährdung vor?",
    }
    data.update(changes)
    return data


@pytest.fixture
def consultation(family_case, specialist, erkelenz_caseworker) -> Consultation:
    return services.consultation_request(
        case=family_case,
        specialist=specialist,
        requested_by=erkelenz_caseworker,
        **{k: v for k, v in ask(specialist).items() if k != "specialist"},
    )


# --- asking --------------------------------------------------------------------------


def test_a_caseworker_asks_a_specialist_without_naming_the_family(
    signed_in, family_case, specialist, institutions, erkelenz_caseworker, kreisjugendamt_caseworker
):
    response = signed_in(erkelenz_caseworker).post(
        reverse("cases:consultation_add", args=[family_case.reference]), ask(specialist)
    )

    consultation = Consultation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == consultation.get_absolute_url()
    assert consultation.case == family_case
    assert consultation.source_institution == institutions["erkelenz"]
    assert consultation.requested_by == erkelenz_caseworker
    assert consultation.specialist == specialist
    # Asking grants the specialist's institution nothing on the case.
    assert not CaseGrant.objects.filter(
        case=family_case, institution=institutions["kreisjugendamt"]
    ).exists()
    assert (
        signed_in(kreisjugendamt_caseworker).get(family_case.get_absolute_url()).status_code == 404
    )


IDENTIFYING = {
    "first_name": ("summary", "Sabine (35) trinkt.", "the name “%(text)s”", "Sabine"),
    "last_name_in_capitals": ("pseudonym", "FAMILIE BEISPIEL", "the name “%(text)s”", "BEISPIEL"),
    "date_of_birth": (
        "summary",
        "Mutter, geb. 14.3.91, trinkt.",
        "the date of birth “%(text)s”",
        "14.3.91",
    ),
    "date_of_birth_in_words": (
        "question",
        "Was tun? Geboren am 14. März 1991.",
        "the date of birth “%(text)s”",
        "14. März 1991",
    ),
    "street": ("summary", "Wohnt am marktplatz 1.", "the address “%(text)s”", "marktplatz 1"),
    "postcode": ("summary", "Wohnt in 41812.", "the address “%(text)s”", "41812"),
}


@pytest.mark.parametrize(
    ("field", "text", "what", "found"), IDENTIFYING.values(), ids=IDENTIFYING.keys()
)
def test_text_naming_the_family_is_refused_saying_what_was_found_and_kept(
    signed_in, family_case, specialist, erkelenz_caseworker, field, text, what, found
):
    response = signed_in(erkelenz_caseworker).post(
        reverse("cases:consultation_add", args=[family_case.reference]),
        ask(specialist, **{field: text}),
    )

    assert response.status_code == 400
    assert not Consultation.objects.exists()
    errors = response.context["form"].errors[field]
    assert len(errors) == 1
    assert label(what) % {"text": found} in errors[0]
    html = response.content.decode()
    assert escape(text) in html  # what was typed stays in the form


def test_a_child_recorded_later_is_found_too(
    signed_in, family_case, specialist, institutions, erkelenz_caseworker
):
    FamilyMember.objects.create(
        case=family_case,
        kind=FamilyMember.Kind.CHILD,
        first_name="Leon",
        last_name="Beispiel",
        date_of_birth=datetime.date(2020, 9, 2),
        source_institution=institutions["erkelenz"],
    )
    response = signed_in(erkelenz_caseworker).post(
        reverse("cases:consultation_add", args=[family_case.reference]),
        ask(specialist, summary="Leon (6), geboren 2020-09-02."),
    )
    assert response.status_code == 400
    (error,) = response.context["form"].errors["summary"]
    assert "Leon" in error and "2020-09-02" in error


def test_the_check_does_not_reveal_members_the_institution_may_not_see(
    signed_in, family_case, specialist, institutions, erkelenz_caseworker, gesundheitsamt_caseworker
):
    """The Gesundheitsamt is involved but was released no master data: the check must
    not tell it which names Erkelenz recorded (the name search follows the same rule)."""
    services.involvement_save(
        involvement=Involvement(
            case=family_case, institution=institutions["gesundheitsamt"], since=TODAY
        )
    )
    response = signed_in(gesundheitsamt_caseworker).post(
        reverse("cases:consultation_add", args=[family_case.reference]),
        ask(specialist, summary="Sabine Beispiel (35)."),
    )
    assert response.status_code == 302


def test_spellings_that_still_name_the_family():
    member = FamilyMember(
        first_name="Jürgen",
        last_name="Groß-Küppers",
        date_of_birth=datetime.date(1980, 1, 5),
        address="Kölner Straße 12a\n52525 Heinsberg",
    )
    found = find_identifying(
        "juergen GROSS-KUEPPERS, 05.01.1980, 5.1.80, Koelner Str. 12a und Kölner Straße", [member]
    )
    assert [str(item.text) for item in found] == [
        "juergen",
        "GROSS-KUEPPERS",
        "05.01.1980",
        "5.1.80",
        "Koelner Str. 12a",
        "Kölner Straße",
    ]


def test_words_of_a_pseudonymised_text_are_not_taken_for_names():
    member = FamilyMember(
        first_name="Mia", last_name="Kind", date_of_birth=datetime.date(2019, 6, 1)
    )
    text = "Das Kind (7) war in Miami; Termin am 01.06.2025, Mutter M. aus dem Kreis Heinsberg."
    assert find_identifying(text, [member]) == []


def test_only_specialists_whose_institution_does_not_see_the_case_are_offered(
    signed_in, family_case, specialist, institutions, erkelenz_caseworker
):
    """A specialist whose institution sees the case would recognise the family; nobody
    is offered to themselves."""
    caritas_specialist = services.specialist_designate(
        user=factories.make_user(institutions["caritas"], username="caritas.isef"),
        designated_by=None,
    )
    factories.give_consent(
        family_case,
        institutions["erkelenz"],
        [institutions["caritas"]],
        [DataCategory.MASTER],
        erkelenz_caseworker,
    )
    own = services.specialist_designate(user=erkelenz_caseworker, designated_by=None)
    lindenbrueck = services.specialist_designate(
        user=factories.make_user(institutions["lindenbrueck"], username="lb.isef"),
        designated_by=None,
    )
    form = (
        signed_in(erkelenz_caseworker)
        .get(reverse("cases:consultation_add", args=[family_case.reference]))
        .context["form"]
    )
    offered = set(form.fields["specialist"].queryset)
    assert offered == {specialist}
    assert not offered & {caritas_specialist, own, lindenbrueck}


def test_a_recipient_of_released_data_does_not_ask(
    signed_in, family_case, specialist, institutions, erkelenz_caseworker, caritas_caseworker
):
    factories.give_consent(
        family_case,
        institutions["erkelenz"],
        [institutions["caritas"]],
        [DataCategory.MASTER],
        erkelenz_caseworker,
    )
    caritas = signed_in(caritas_caseworker)
    url = reverse("cases:consultation_add", args=[family_case.reference])
    assert caritas.get(url).status_code == 403
    assert caritas.post(url, ask(specialist)).status_code == 403
    assert not Consultation.objects.exists()


# --- the specialist ------------------------------------------------------------------


def test_the_specialist_reads_the_consultation_and_nothing_of_the_case(
    signed_in, family_case, consultation, kreisjugendamt_caseworker
):
    specialist = signed_in(kreisjugendamt_caseworker)

    inbox = specialist.get(reverse("cases:consultation_inbox")).content.decode()
    page = specialist.get(reverse("cases:consultation_advise", args=[consultation.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert "Familie B." in inbox and "Familie B." in html
    assert "Kind (6) kommt oft ohne Frühstück" in html
    for secret in (family_case.reference, "Sabine", "Beispiel", "Marktplatz"):
        assert secret not in html and secret not in inbox
    assert specialist.get(family_case.get_absolute_url()).status_code == 404
    assert (
        specialist.get(
            reverse("cases:consultation", args=[family_case.reference, consultation.pk])
        ).status_code
        == 404
    )
    # The read is logged on the case: the case's access log shows the specialist.
    entry = AccessLog.objects.get(user=kreisjugendamt_caseworker)
    assert (entry.case, entry.what) == (family_case, AccessLog.What.CONSULTATION)


def test_nobody_but_the_specialist_opens_the_specialists_page(
    signed_in, consultation, erkelenz_caseworker, erkelenz_lead, superuser
):
    url = reverse("cases:consultation_advise", args=[consultation.pk])
    for user in (erkelenz_caseworker, erkelenz_lead, superuser):
        assert signed_in(user).get(url).status_code == 404


def test_the_specialist_advises_and_the_asking_institution_records_the_outcome(
    signed_in, family_case, consultation, erkelenz_caseworker, kreisjugendamt_caseworker
):
    specialist = signed_in(kreisjugendamt_caseworker)
    advised = specialist.post(
        reverse("cases:consultation_advise", args=[consultation.pk]),
        {"advice": "Gewichtige Anhaltspunkte liegen vor; Gespräch mit der Mutter suchen."},
    )
    assert advised.status_code == 302
    consultation.refresh_from_db()
    assert consultation.advised_at is not None

    erkelenz = signed_in(erkelenz_caseworker)
    page = erkelenz.get(consultation.get_absolute_url()).content.decode()
    assert "Gespräch mit der Mutter suchen" in page
    recorded = erkelenz.post(
        reverse("cases:consultation_outcome", args=[family_case.reference, consultation.pk]),
        {"outcome": "unclear", "outcome_notes": "Hausbesuch in der nächsten Woche."},
    )
    assert recorded.status_code == 302
    consultation.refresh_from_db()
    assert consultation.outcome == Consultation.Outcome.UNCLEAR
    assert consultation.outcome_recorded_by == erkelenz_caseworker
    case_page = erkelenz.get(family_case.get_absolute_url()).content.decode()
    assert escape(label(Consultation.Outcome.UNCLEAR.label)) in case_page

    # The outcome is final for the specialist: the advice no longer changes.
    refused = specialist.post(
        reverse("cases:consultation_advise", args=[consultation.pk]), {"advice": "Anders."}
    )
    assert refused.status_code == 403
    consultation.refresh_from_db()
    assert "Anders." not in consultation.advice
    # ... and they never read the outcome.
    html = specialist.get(reverse("cases:consultation_advise", args=[consultation.pk]))
    assert "Hausbesuch in der nächsten Woche" not in html.content.decode()


def test_the_outcome_is_recorded_only_by_the_asking_institution(
    signed_in,
    family_case,
    consultation,
    institutions,
    erkelenz_caseworker,
    gesundheitsamt_caseworker,
):
    services.involvement_save(
        involvement=Involvement(
            case=family_case, institution=institutions["gesundheitsamt"], since=TODAY
        )
    )
    url = reverse("cases:consultation_outcome", args=[family_case.reference, consultation.pk])
    gesundheitsamt = signed_in(gesundheitsamt_caseworker)
    # Erkelenz released no family-situation data to it: it does not read the consultation.
    assert gesundheitsamt.get(url).status_code == 403
    assert gesundheitsamt.get(consultation.get_absolute_url()).status_code == 403
    assert "Familie B." not in gesundheitsamt.get(family_case.get_absolute_url()).content.decode()
    factories.give_consent(
        family_case,
        institutions["erkelenz"],
        [institutions["gesundheitsamt"]],
        [DataCategory.FAMILY],
        erkelenz_caseworker,
    )
    # Now it reads it, and still records no outcome for Erkelenz.
    assert gesundheitsamt.get(consultation.get_absolute_url()).status_code == 200
    assert gesundheitsamt.post(url, {"outcome": "no_risk"}).status_code == 403


def test_an_ended_designation_closes_the_specialists_pages(
    signed_in, consultation, specialist, kreisjugendamt_caseworker
):
    services.specialist_end(specialist=specialist, until=TODAY - datetime.timedelta(days=1))
    specialist_browser = signed_in(kreisjugendamt_caseworker)
    assert (
        specialist_browser.get(
            reverse("cases:consultation_advise", args=[consultation.pk])
        ).status_code
        == 404
    )
    assert (
        "Familie B."
        not in specialist_browser.get(reverse("cases:consultation_inbox")).content.decode()
    )


# --- designating ---------------------------------------------------------------------


def test_the_lead_designates_and_ends_a_specialist_of_the_institution(
    signed_in, institutions, erkelenz_lead, erkelenz_caseworker
):
    lead = signed_in(erkelenz_lead)
    url = reverse("cases:specialists")
    form = lead.get(url).context["form"]
    assert erkelenz_caseworker in form.fields["user"].queryset
    assert not form.fields["user"].queryset.exclude(institution=institutions["erkelenz"])

    response = lead.post(
        url,
        {
            "user": erkelenz_caseworker.pk,
            "qualification": "Kinderschutzfachkraft",
            "since": "2026-11-25",
        },
    )

    assert response.status_code == 302
    designation = Specialist.objects.get()
    assert (designation.user, designation.institution, designation.designated_by) == (
        erkelenz_caseworker,
        institutions["erkelenz"],
        erkelenz_lead,
    )
    assert lead.post(reverse("cases:specialist_end", args=[designation.pk])).status_code == 302
    designation.refresh_from_db()
    assert designation.until == TODAY
    assert designation.history.count() == 2


def test_a_lead_designates_nobody_of_another_institution(
    signed_in, erkelenz_lead, caritas_caseworker, coordination_office
):
    response = signed_in(erkelenz_lead).post(
        reverse("cases:specialists"), {"user": caritas_caseworker.pk, "since": "2026-11-25"}
    )
    assert response.status_code == 400
    assert "user" in response.context["form"].errors
    assert not Specialist.objects.exists()
    assert signed_in(coordination_office).get(reverse("cases:specialists")).status_code == 403


def test_a_caseworker_designates_nobody(signed_in, erkelenz_caseworker):
    assert signed_in(erkelenz_caseworker).get(reverse("cases:specialists")).status_code == 403


def test_the_coordination_office_designates_in_the_admin_within_its_cooperation(
    signed_in, institutions, coordination_office, erkelenz_caseworker, lindenbrueck_coordination
):
    office = signed_in(coordination_office)
    add = reverse("admin:cases_specialist_add")
    form = office.get(add).context["adminform"].form
    assert institutions["lindenbrueck"] not in form.fields["institution"].queryset
    response = office.post(
        add,
        {
            "institution": institutions["erkelenz"].pk,
            "user": erkelenz_caseworker.pk,
            "qualification": "Kinderschutzfachkraft",
            "since": "25.11.2026",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    designation = Specialist.objects.get()
    assert designation.designated_by == coordination_office
    change = reverse("admin:cases_specialist_change", args=[designation.pk])
    assert signed_in(lindenbrueck_coordination).get(change).status_code in (302, 404)
    assert not User.objects.filter(pk=coordination_office.pk, specialist_designations__isnull=False)


def test_the_pages_answer_only_their_methods(
    signed_in,
    family_case,
    consultation,
    specialist,
    erkelenz_caseworker,
    erkelenz_lead,
    kreisjugendamt_caseworker,
):
    reference = family_case.reference
    assert signed_in(erkelenz_caseworker).post(consultation.get_absolute_url()).status_code == 405
    assert (
        signed_in(kreisjugendamt_caseworker).post(reverse("cases:consultation_inbox")).status_code
        == 405
    )
    assert (
        signed_in(erkelenz_lead)
        .get(reverse("cases:specialist_end", args=[specialist.pk]))
        .status_code
        == 405
    )
    assert (
        signed_in(erkelenz_caseworker)
        .put(reverse("cases:consultation_add", args=[reference]))
        .status_code
        == 405
    )


def test_the_pages_send_anonymous_visitors_to_the_login(client, family_case, consultation):
    for url in (
        consultation.get_absolute_url(),
        reverse("cases:consultation_inbox"),
        reverse("cases:consultation_advise", args=[consultation.pk]),
        reverse("cases:specialists"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_case_list_leads_the_specialist_and_the_lead_to_their_pages(
    signed_in, consultation, kreisjugendamt_caseworker, erkelenz_lead, erkelenz_caseworker
):
    inbox = reverse("cases:consultation_inbox")
    designations = reverse("cases:specialists")
    specialist_list = signed_in(kreisjugendamt_caseworker).get(reverse("cases:list"))
    assert inbox in specialist_list.content.decode()
    assert specialist_list.context["consultations_open"] == 1
    assert designations in signed_in(erkelenz_lead).get(reverse("cases:list")).content.decode()
    caseworker_list = signed_in(erkelenz_caseworker).get(reverse("cases:list")).content.decode()
    assert inbox not in caseworker_list and designations not in caseworker_list
