"""Recording what is known about a family, through the real views.

Opening and editing a case, family members, health data, involvements, progress notes,
disclosures without consent, the timeline, the access log page, the case list's name
search and filters, and the dashboard's expiry warning. The clock stands at 25.11.2026.
"""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils.html import escape

from cases import services
from cases.models import (
    AccessLog,
    Case,
    CaseGrant,
    Consent,
    DataCategory,
    Disclosure,
    FamilyMember,
    HealthSituation,
    Involvement,
    ProgressNote,
)
from cooperation.models import User
from tests import factories
from tests.german import assert_german_error, label

TODAY = datetime.date(2026, 11, 25)
YESTERDAY = TODAY - datetime.timedelta(days=1)
C = DataCategory
Kind = FamilyMember.Kind


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 10, 0), tick=False):
        yield


# --- helpers -------------------------------------------------------------------------


def rows() -> dict[str, int]:
    """How many rows each kind of record has: compared before and after a refused form."""
    models = (
        Case,
        FamilyMember,
        HealthSituation,
        Involvement,
        ProgressNote,
        Disclosure,
        Consent,
        CaseGrant,
    )
    return {model.__name__: model.objects.count() for model in models}


def version_in(html: str) -> str:
    """The hidden version the edit form carries (what the browser sends back)."""
    match = re.search(r'name="version" value="(\d+)"', html)
    assert match, "the edit form carries no version"
    return match.group(1)


def section(html: str, heading_id: str) -> str:
    """The part of the case page under one heading (up to the next section)."""
    start = html.index(f'id="{heading_id}"')
    end = html.find("<section", start)
    return html[start : end if end != -1 else None]


# --- the world -----------------------------------------------------------------------


@pytest.fixture
def mother(family_case) -> FamilyMember:
    return family_case.members.get(kind=Kind.MOTHER)


@pytest.fixture
def child(family_case, institutions) -> FamilyMember:
    return FamilyMember.objects.create(
        case=family_case,
        kind=Kind.CHILD,
        first_name="Mia",
        last_name="Beispiel",
        date_of_birth=datetime.date(2019, 6, 1),
        source_institution=institutions["erkelenz"],
    )


def involve(case, institution, since=TODAY - datetime.timedelta(days=30)) -> Involvement:
    return services.involvement_save(
        involvement=Involvement(case=case, institution=institution, since=since)
    )


@pytest.fixture
def gesundheitsamt_involved(family_case, institutions, erkelenz_caseworker):
    """The Gesundheitsamt works with the mother; Erkelenz released its master data to it."""
    involve(family_case, institutions["gesundheitsamt"])
    factories.give_consent(
        family_case,
        institutions["erkelenz"],
        [institutions["gesundheitsamt"]],
        [C.MASTER],
        erkelenz_caseworker,
    )


@pytest.fixture
def caritas_case(institutions, caritas_caseworker) -> Case:
    """A family that only the Caritas counselling centre knows (it leads the case)."""
    return services.case_open(
        lead_institution=institutions["caritas"],
        opened_by=caritas_caseworker,
        first_member=FamilyMember(kind=Kind.FATHER, first_name="Thomas", last_name="Muster"),
    )


# --- opening a case ------------------------------------------------------------------


def test_a_caseworker_opens_a_case_with_its_first_parent(
    signed_in, institutions, erkelenz_caseworker
):
    erkelenz = signed_in(erkelenz_caseworker)
    response = erkelenz.post(
        reverse("cases:open"),
        {
            "kind": "mother",
            "first_name": "Sabine",
            "last_name": "Beispiel",
            "date_of_birth": "1991-03-14",
            "address": "Marktplatz 1, 41812 Erkelenz",
        },
    )

    case = Case.objects.get()
    assert case.reference == "HS-2026-0001"
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=["HS-2026-0001"])
    assert case.lead_institution == institutions["erkelenz"]
    assert case.opened_by == erkelenz_caseworker
    first = case.members.get()
    assert (first.kind, first.first_name, first.last_name) == ("mother", "Sabine", "Beispiel")
    assert first.date_of_birth == datetime.date(1991, 3, 14)
    assert first.source_institution == institutions["erkelenz"]
    involvement = case.involvements.get()
    assert (involvement.institution, involvement.since) == (institutions["erkelenz"], TODAY)
    assert case.conference_due_on == datetime.date(2027, 5, 25)
    assert "Sabine Beispiel" in erkelenz.get(response["Location"]).content.decode()


def test_a_second_case_gets_the_next_reference(signed_in, family_case, erkelenz_caseworker):
    signed_in(erkelenz_caseworker).post(
        reverse("cases:open"), {"kind": "father", "last_name": "Muster"}
    )
    assert Case.objects.exclude(pk=family_case.pk).get().reference == "HS-2026-0002"


def test_the_coordination_office_cannot_open_a_case(signed_in, coordination_office):
    office = signed_in(coordination_office)
    assert office.get(reverse("cases:open")).status_code == 403
    response = office.post(reverse("cases:open"), {"kind": "mother", "last_name": "Beispiel"})
    assert response.status_code == 403
    assert not Case.objects.exists()


def test_opening_a_case_needs_a_login_and_accepts_only_get_and_post(
    client, signed_in, erkelenz_caseworker
):
    response = client.post(reverse("cases:open"), {"kind": "mother", "last_name": "Beispiel"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert signed_in(erkelenz_caseworker).put(reverse("cases:open")).status_code == 405
    assert not Case.objects.exists()


def test_a_case_cannot_start_with_a_child(signed_in, erkelenz_caseworker):
    response = signed_in(erkelenz_caseworker).post(
        reverse("cases:open"), {"kind": "child", "first_name": "Mia", "last_name": "Beispiel"}
    )
    assert response.status_code == 400
    assert "kind" in response.context["form"].errors
    assert not Case.objects.exists()


def test_a_date_of_birth_in_the_future_is_refused_and_the_input_kept(
    signed_in, erkelenz_caseworker
):
    before = rows()
    response = signed_in(erkelenz_caseworker).post(
        reverse("cases:open"),
        {
            "kind": "mother",
            "first_name": "Sabine",
            "last_name": "Beispiel",
            "date_of_birth": "2026-12-24",
            "address": "Marktplatz 1, 41812 Erkelenz",
        },
    )

    assert response.status_code == 400
    assert rows() == before
    html = response.content.decode()
    assert 'value="Sabine"' in html
    assert 'value="Beispiel"' in html
    assert 'value="Marktplatz 1, 41812 Erkelenz"' in html
    assert 'value="2026-12-24"' in html
    assert_german_error(response, "date_of_birth", "The date of birth cannot be in the future.")


# --- editing the case ----------------------------------------------------------------


def case_form(browser, case, **changes) -> dict:
    """The case's edit form as loaded, with ``changes`` typed in."""
    html = browser.get(reverse("cases:edit", args=[case.reference])).content.decode()
    data = {
        "status": case.status,
        "closed_on": "",
        "close_reason": "",
        "lead_institution": case.lead_institution_id,
        "conference_due_on": case.conference_due_on.isoformat(),
        "version": version_in(html),
    }
    data.update(changes)
    return data


def test_the_edit_form_does_not_close_a_case(signed_in, family_case, erkelenz_caseworker):
    # Closing has its own page that says what will happen (cases/tests/test_case_close.py).
    erkelenz = signed_in(erkelenz_caseworker)
    url = reverse("cases:edit", args=[family_case.reference])
    data = case_form(
        erkelenz,
        family_case,
        status="closed",
        closed_on="2026-11-25",
        close_reason="Familie ist nach Aachen verzogen",
    )
    before = rows()

    response = erkelenz.post(url, data)

    assert response.status_code == 400
    assert rows() == before
    family_case.refresh_from_db()
    assert family_case.status == Case.Status.OPEN
    assert "Familie ist nach Aachen verzogen" in response.content.decode()
    assert_german_error(
        response, "status", "A case is closed on the page “Close the case”, not in this form."
    )


def test_only_the_lead_edits_the_case(
    signed_in, family_case, gesundheitsamt_involved, gesundheitsamt_caseworker, caritas_caseworker
):
    url = reverse("cases:edit", args=[family_case.reference])
    assert signed_in(gesundheitsamt_caseworker).get(url).status_code == 403
    assert signed_in(caritas_caseworker).get(url).status_code == 404


def test_handing_over_the_lead_moves_the_steering(
    signed_in, family_case, institutions, erkelenz_caseworker, kreisjugendamt_caseworker
):
    erkelenz = signed_in(erkelenz_caseworker)
    url = reverse("cases:edit", args=[family_case.reference])
    data = case_form(erkelenz, family_case, lead_institution=institutions["kreisjugendamt"].pk)

    response = erkelenz.post(url, data)

    assert response.status_code == 302
    assert response["Location"] == reverse("cases:list")
    assert signed_in(kreisjugendamt_caseworker).get(url).status_code == 200
    # Erkelenz stays involved: it still sees the case, but no longer steers it.
    assert erkelenz.get(family_case.get_absolute_url()).status_code == 200
    assert erkelenz.get(url).status_code == 403


# --- family members ------------------------------------------------------------------


def test_an_unborn_child_needs_an_expected_date(signed_in, family_case, erkelenz_caseworker):
    before = rows()
    response = signed_in(erkelenz_caseworker).post(
        reverse("cases:member_add", args=[family_case.reference]),
        {"kind": "unborn", "last_name": "Beispiel", "address": "Marktplatz 1"},
    )

    assert response.status_code == 400
    assert rows() == before
    assert 'value="Beispiel"' in response.content.decode()
    assert_german_error(response, "expected_date", "Enter the expected date of birth.")


def test_an_unborn_child_is_recorded_with_its_expected_date(
    signed_in, family_case, institutions, erkelenz_caseworker
):
    response = signed_in(erkelenz_caseworker).post(
        reverse("cases:member_add", args=[family_case.reference]),
        {"kind": "unborn", "last_name": "Beispiel", "expected_date": "2027-02-10"},
    )
    assert response.status_code == 302
    unborn = family_case.members.get(kind=Kind.UNBORN)
    assert unborn.expected_date == datetime.date(2027, 2, 10)
    assert unborn.source_institution == institutions["erkelenz"]


def test_a_member_is_corrected_only_by_the_institution_that_recorded_it(
    signed_in, family_case, mother, gesundheitsamt_involved, gesundheitsamt_caseworker
):
    url = reverse("cases:member_edit", args=[family_case.reference, mother.pk])
    gesundheitsamt = signed_in(gesundheitsamt_caseworker)
    assert gesundheitsamt.get(url).status_code == 403
    response = gesundheitsamt.post(url, {"kind": "mother", "last_name": "Anders"})
    assert response.status_code == 403
    mother.refresh_from_db()
    assert mother.last_name == "Beispiel"


def test_a_second_edit_of_the_same_member_is_refused_and_keeps_its_input(
    signed_in, family_case, mother, erkelenz_caseworker, erkelenz_lead
):
    url = reverse("cases:member_edit", args=[family_case.reference, mother.pk])
    anna, lead = signed_in(erkelenz_caseworker), signed_in(erkelenz_lead)
    anna_version = version_in(anna.get(url).content.decode())
    lead_version = version_in(lead.get(url).content.decode())
    common = {"kind": "mother", "first_name": "Sabine", "date_of_birth": "1991-03-14"}

    first = anna.post(
        url,
        {**common, "last_name": "Beispiel", "address": "Kölner Straße 5", "version": anna_version},
    )
    second = lead.post(
        url,
        {
            **common,
            "last_name": "Beispiel",
            "address": "Aachener Straße 9",
            "version": lead_version,
        },
    )

    assert first.status_code == 302
    assert second.status_code == 400
    mother.refresh_from_db()
    assert mother.address == "Kölner Straße 5"
    assert 'value="Aachener Straße 9"' in second.content.decode()
    # Saving again now carries the current version and goes through.
    retry = lead.post(
        url,
        {
            **common,
            "last_name": "Beispiel",
            "address": "Aachener Straße 9",
            "version": version_in(second.content.decode()),
        },
    )
    assert retry.status_code == 302
    mother.refresh_from_db()
    assert mother.address == "Aachener Straße 9"
    assert_german_error(
        second,
        None,
        "Someone else changed this record while you were editing it. Your input is kept "
        "below; please check the current state (open the case in a new tab) and save again.",
    )


# --- health data ---------------------------------------------------------------------


def record_health(browser, case, member, **data):
    return browser.post(reverse("cases:health_edit", args=[case.reference, member.pk]), data)


def test_an_involved_counselling_service_records_health_data_that_only_it_sees(
    signed_in,
    family_case,
    mother,
    institutions,
    gesundheitsamt_involved,
    gesundheitsamt_caseworker,
    erkelenz_caseworker,
):
    gesundheitsamt = signed_in(gesundheitsamt_caseworker)
    response = record_health(
        gesundheitsamt,
        family_case,
        mother,
        substance="Opioide",
        in_substitution="on",
        substitution_practice="Praxis Dr. Fiktiv",
    )

    assert response.status_code == 302
    health = mother.health.get()
    assert health.source_institution == institutions["gesundheitsamt"]
    assert (
        "Praxis Dr. Fiktiv" in gesundheitsamt.get(family_case.get_absolute_url()).content.decode()
    )
    # The lead has no release of the Gesundheitsamt's health data.
    lead_page = signed_in(erkelenz_caseworker).get(family_case.get_absolute_url())
    assert "Opioide" not in lead_page.content.decode()


def test_only_the_recording_institution_changes_its_health_data(
    signed_in,
    family_case,
    mother,
    institutions,
    gesundheitsamt_involved,
    gesundheitsamt_caseworker,
    erkelenz_caseworker,
):
    record_health(signed_in(gesundheitsamt_caseworker), family_case, mother, substance="Opioide")
    erkelenz = signed_in(erkelenz_caseworker)
    url = reverse("cases:health_edit", args=[family_case.reference, mother.pk])

    # Erkelenz's form is its own: empty, without the Gesundheitsamt's entry.
    assert "Opioide" not in erkelenz.get(url).content.decode()
    response = record_health(erkelenz, family_case, mother, counselling="Erziehungsberatung")

    assert response.status_code == 302
    by_source = {h.source_institution_id: h for h in mother.health.all()}
    assert by_source[institutions["gesundheitsamt"].pk].substance == "Opioide"
    assert by_source[institutions["gesundheitsamt"].pk].counselling == ""
    assert by_source[institutions["erkelenz"].pk].counselling == "Erziehungsberatung"


def test_health_data_cannot_be_recorded_on_a_child(
    signed_in, family_case, child, erkelenz_caseworker
):
    erkelenz = signed_in(erkelenz_caseworker)
    url = reverse("cases:health_edit", args=[family_case.reference, child.pk])
    assert erkelenz.get(url).status_code == 403
    assert record_health(erkelenz, family_case, child, substance="Alkohol").status_code == 403
    assert not HealthSituation.objects.exists()


def test_a_recipient_of_released_data_does_not_record_health_data(
    signed_in, family_case, mother, institutions, erkelenz_caseworker, caritas_caseworker
):
    factories.give_consent(
        family_case,
        institutions["erkelenz"],
        [institutions["caritas"]],
        [C.MASTER],
        erkelenz_caseworker,
    )
    response = record_health(signed_in(caritas_caseworker), family_case, mother, substance="x")
    assert response.status_code == 403
    assert not HealthSituation.objects.exists()


def test_substitution_needs_the_practice(signed_in, family_case, mother, erkelenz_caseworker):
    response = record_health(
        signed_in(erkelenz_caseworker),
        family_case,
        mother,
        substance="Opioide",
        in_substitution="on",
    )
    assert response.status_code == 400
    assert not HealthSituation.objects.exists()
    assert 'value="Opioide"' in response.content.decode()
    assert_german_error(
        response,
        "substitution_practice",
        "Name the practice that provides the substitution.",
    )


# --- involvements --------------------------------------------------------------------


def test_an_involved_institution_sees_the_case_but_not_the_leads_family_data(
    signed_in, family_case, institutions, erkelenz_caseworker, caritas_caseworker
):
    caritas = signed_in(caritas_caseworker)
    assert caritas.get(family_case.get_absolute_url()).status_code == 404

    response = signed_in(erkelenz_caseworker).post(
        reverse("cases:involvement_add", args=[family_case.reference]),
        {
            "institution": institutions["caritas"].pk,
            "since": "2026-11-25",
            "contact": caritas_caseworker.pk,
        },
    )

    assert response.status_code == 302
    involvement = family_case.involvements.get(institution=institutions["caritas"])
    assert (involvement.since, involvement.contact) == (TODAY, caritas_caseworker)
    page = caritas.get(family_case.get_absolute_url())
    assert page.status_code == 200
    assert "Sabine" not in page.content.decode()
    assert "Beispiel" not in page.content.decode()
    # Once Erkelenz releases its master data to Caritas, the mother appears.
    factories.give_consent(
        family_case,
        institutions["erkelenz"],
        [institutions["caritas"]],
        [C.MASTER],
        erkelenz_caseworker,
    )
    assert "Sabine Beispiel" in caritas.get(family_case.get_absolute_url()).content.decode()


def test_ending_an_involvement_yesterday_ends_access_at_once(
    signed_in, family_case, institutions, erkelenz_caseworker, caritas_caseworker
):
    involvement = involve(family_case, institutions["caritas"])
    caritas, erkelenz = signed_in(caritas_caseworker), signed_in(erkelenz_caseworker)
    assert caritas.get(family_case.get_absolute_url()).status_code == 200
    url = reverse("cases:involvement_edit", args=[family_case.reference, involvement.pk])
    version = version_in(erkelenz.get(url).content.decode())

    response = erkelenz.post(
        url, {"since": involvement.since.isoformat(), "until": "2026-11-24", "version": version}
    )

    assert response.status_code == 302
    involvement.refresh_from_db()
    assert involvement.until == YESTERDAY
    assert involvement.institution == institutions["caritas"]
    assert caritas.get(family_case.get_absolute_url()).status_code == 404


def test_an_involvement_ending_today_ends_access_tomorrow(
    signed_in, family_case, institutions, erkelenz_caseworker, caritas_caseworker
):
    involvement = involve(family_case, institutions["caritas"])
    erkelenz = signed_in(erkelenz_caseworker)
    url = reverse("cases:involvement_edit", args=[family_case.reference, involvement.pk])
    version = version_in(erkelenz.get(url).content.decode())
    erkelenz.post(
        url, {"since": involvement.since.isoformat(), "until": "2026-11-25", "version": version}
    )

    assert signed_in(caritas_caseworker).get(family_case.get_absolute_url()).status_code == 200
    with time_machine.travel(datetime.datetime(2026, 11, 26, 8, 0), tick=False):
        caritas = signed_in(caritas_caseworker)  # a new working day, a new session
        assert caritas.get(family_case.get_absolute_url()).status_code == 404


def test_only_the_lead_involves_institutions(
    signed_in, family_case, institutions, gesundheitsamt_involved, gesundheitsamt_caseworker
):
    response = signed_in(gesundheitsamt_caseworker).post(
        reverse("cases:involvement_add", args=[family_case.reference]),
        {"institution": institutions["caritas"].pk, "since": "2026-11-25"},
    )
    assert response.status_code == 403
    assert not family_case.involvements.filter(institution=institutions["caritas"]).exists()


def test_an_institution_is_not_involved_twice(
    signed_in, family_case, institutions, erkelenz_caseworker
):
    involve(family_case, institutions["caritas"])
    before = rows()
    response = signed_in(erkelenz_caseworker).post(
        reverse("cases:involvement_add", args=[family_case.reference]),
        {"institution": institutions["caritas"].pk, "since": "2026-11-25"},
    )
    assert response.status_code == 400
    assert rows() == before
    assert_german_error(
        response, "institution", "This institution is already involved in this period."
    )


def test_an_institution_involved_again_on_the_day_it_ended_gets_a_message_not_an_error(
    signed_in, family_case, institutions, erkelenz_caseworker
):
    # Involved today by mistake, ended today, then involved again today: the form must
    # answer (the same institution, case and start exist already), not crash.
    mistaken = involve(family_case, institutions["caritas"], since=TODAY)
    mistaken.until = TODAY
    services.involvement_save(involvement=mistaken)
    before = rows()

    response = signed_in(erkelenz_caseworker).post(
        reverse("cases:involvement_add", args=[family_case.reference]),
        {"institution": institutions["caritas"].pk, "since": "2026-11-25"},
    )

    assert response.status_code == 400
    assert rows() == before


def test_the_contact_must_work_at_the_involved_institution(
    signed_in, family_case, institutions, erkelenz_caseworker, diakonie_caseworker
):
    response = signed_in(erkelenz_caseworker).post(
        reverse("cases:involvement_add", args=[family_case.reference]),
        {
            "institution": institutions["caritas"].pk,
            "since": "2026-11-25",
            "contact": diakonie_caseworker.pk,
        },
    )
    assert not family_case.involvements.filter(institution=institutions["caritas"]).exists()
    assert_german_error(response, "contact", "The contact must work at the involved institution.")


# --- progress notes ------------------------------------------------------------------


def test_a_health_note_is_read_only_where_health_data_is_released(
    signed_in,
    family_case,
    institutions,
    gesundheitsamt_involved,
    gesundheitsamt_caseworker,
    erkelenz_caseworker,
    caritas_caseworker,
):
    involve(family_case, institutions["caritas"])
    gesundheitsamt = signed_in(gesundheitsamt_caseworker)
    response = gesundheitsamt.post(
        reverse("cases:note_add", args=[family_case.reference]),
        {"date": "2026-11-25", "category": "health", "text": "Beikonsum Kokain festgestellt"},
    )

    assert response.status_code == 302
    note = ProgressNote.objects.get()
    assert (note.author, note.source_institution) == (
        gesundheitsamt_caseworker,
        institutions["gesundheitsamt"],
    )
    url = family_case.get_absolute_url()
    assert "Beikonsum Kokain" in gesundheitsamt.get(url).content.decode()
    erkelenz = signed_in(erkelenz_caseworker)
    assert "Beikonsum Kokain" not in erkelenz.get(url).content.decode()
    assert "Beikonsum Kokain" not in signed_in(caritas_caseworker).get(url).content.decode()
    # The Gesundheitsamt releases its health data to the lead: now Erkelenz reads it.
    factories.give_consent(
        family_case,
        institutions["gesundheitsamt"],
        [institutions["erkelenz"]],
        [C.HEALTH],
        gesundheitsamt_caseworker,
    )
    assert "Beikonsum Kokain" in erkelenz.get(url).content.decode()


def test_a_progress_note_cannot_be_dated_in_the_future(signed_in, family_case, erkelenz_caseworker):
    before = rows()
    response = signed_in(erkelenz_caseworker).post(
        reverse("cases:note_add", args=[family_case.reference]),
        {"date": "2026-11-26", "category": "notes", "text": "Hausbesuch geplant"},
    )
    assert response.status_code == 400
    assert rows() == before
    assert "Hausbesuch geplant" in response.content.decode()
    assert_german_error(response, "date", "A progress note cannot be dated in the future.")


# --- disclosures without consent -----------------------------------------------------

KKG = Disclosure.Basis.KKG_4_3


# The steps before a disclosure under §4 KKG or §8a SGB VIII (the guided form).
STEPS = {
    "family_work_tried": "true",
    "family_work": "Zwei Gespräche mit dem Vater über Hilfen.",
    "specialist_consulted": "false",
    "specialist_note": "Akute Gefahr, keine Zeit für eine Beratung.",
}
STEP_FIELDS = {
    "family_work_tried": True,
    "family_work": "Zwei Gespräche mit dem Vater über Hilfen.",
    "specialist_consulted": False,
    "specialist_note": "Akute Gefahr, keine Zeit für eine Beratung.",
    "family_informed": True,
}


def test_a_kkg_disclosure_grants_the_youth_office_and_stands_out_on_the_case_page(
    signed_in, caritas_case, institutions, caritas_caseworker, erkelenz_caseworker
):
    erkelenz = signed_in(erkelenz_caseworker)
    assert erkelenz.get(caritas_case.get_absolute_url()).status_code == 404

    response = signed_in(caritas_caseworker).post(
        reverse("cases:disclosure_add", args=[caritas_case.reference]),
        {
            "basis": KKG,
            "to_institution": institutions["erkelenz"].pk,
            "categories": ["master", "family"],
            "disclosed_on": "2026-11-25",
            "reason": "Gewichtige Anhaltspunkte für eine Kindeswohlgefährdung",
            **STEPS,
            "family_informed": "false",
            "family_not_informed_reason": "Der Vater droht, die Kinder mitzunehmen.",
        },
    )

    assert response.status_code == 302
    disclosure = Disclosure.objects.get()
    assert disclosure.from_institution == institutions["caritas"]
    assert disclosure.disclosed_by == caritas_caseworker
    assert disclosure.family_informed is False
    page = erkelenz.get(caritas_case.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    alert = section(html, "disclosures-heading")
    assert escape(label(Disclosure.Basis.KKG_4_3.label)) in alert
    assert label("family not told beforehand") in alert
    assert "Thomas Muster" in html  # the disclosed master data


def kkg(to, **fields) -> dict:
    data = {
        "basis": KKG,
        "to_institution": to.pk,
        "categories": ["master"],
        "disclosed_on": "2026-11-25",
        "reason": "Gewichtige Anhaltspunkte für eine Kindeswohlgefährdung",
        **STEPS,
        "family_informed": "true",
        "family_not_informed_reason": "",
    }
    data.update(fields)
    return data


UNLAWFUL = {
    "kkg_from_a_youth_office": (
        "erkelenz_caseworker",
        "family_case",
        lambda i: kkg(i["kreisjugendamt"]),
        "basis",
        "§4 Abs. 3 KKG applies to professionals outside the youth welfare office who inform it.",
    ),
    "kkg_to_a_counselling_centre": (
        "caritas_caseworker",
        "caritas_case",
        lambda i: kkg(i["diakonie"]),
        "to_institution",
        "Under §4 Abs. 3 KKG data is disclosed to the youth welfare office only.",
    ),
    "kkg_without_saying_whether_the_family_was_told": (
        "caritas_caseworker",
        "caritas_case",
        lambda i: kkg(i["erkelenz"], family_informed="unknown"),
        "family_informed",
        "§4 Abs. 3 KKG: record whether the family was told beforehand.",
    ),
    "kkg_family_not_told_without_a_reason": (
        "caritas_caseworker",
        "caritas_case",
        lambda i: kkg(i["erkelenz"], family_informed="false"),
        "family_not_informed_reason",
        "§4 Abs. 3 KKG: record why the family was not told beforehand.",
    ),
    "section_8a_from_a_counselling_centre": (
        "caritas_caseworker",
        "caritas_case",
        lambda i: kkg(i["erkelenz"], basis=Disclosure.Basis.SGB_VIII_8A),
        "basis",
        "§8a and §65 Abs. 1 SGB VIII are bases for disclosures by the youth welfare office only.",
    ),
}


@pytest.mark.parametrize(
    ("persona", "case_fixture", "data", "field", "message"),
    UNLAWFUL.values(),
    ids=UNLAWFUL.keys(),
)
def test_a_disclosure_without_its_legal_basis_is_refused(
    request, signed_in, institutions, persona, case_fixture, data, field, message
):
    case = request.getfixturevalue(case_fixture)
    before = rows()

    response = signed_in(request.getfixturevalue(persona)).post(
        reverse("cases:disclosure_add", args=[case.reference]), data(institutions)
    )

    assert response.status_code == 400
    assert rows() == before
    assert "Gewichtige Anhaltspunkte für eine Kindeswohlgefährdung" in response.content.decode()
    assert_german_error(response, field, message)


def test_a_recipient_of_released_data_records_no_disclosure(
    signed_in, family_case, institutions, erkelenz_caseworker, caritas_caseworker
):
    factories.give_consent(
        family_case,
        institutions["erkelenz"],
        [institutions["caritas"]],
        [C.MASTER],
        erkelenz_caseworker,
    )
    response = signed_in(caritas_caseworker).post(
        reverse("cases:disclosure_add", args=[family_case.reference]),
        kkg(institutions["kreisjugendamt"], family_informed="true"),
    )
    assert response.status_code == 403
    assert not Disclosure.objects.exists()


# --- the timeline --------------------------------------------------------------------


def test_the_timeline_names_who_added_a_member_and_a_note(
    signed_in, family_case, erkelenz_caseworker
):
    erkelenz = signed_in(erkelenz_caseworker)
    erkelenz.post(
        reverse("cases:member_add", args=[family_case.reference]),
        {
            "kind": "child",
            "first_name": "Jonas",
            "last_name": "Beispiel",
            "date_of_birth": "2018-04-02",
        },
    )
    erkelenz.post(
        reverse("cases:note_add", args=[family_case.reference]),
        {"date": "2026-11-25", "category": "notes", "text": "Erstgespräch"},
    )

    html = erkelenz.get(family_case.get_absolute_url()).content.decode()
    timeline = section(html, "timeline-heading")
    who = "(Anna Schmitz, JA Erkelenz)"
    assert f"{label('Family member')} {label('added')}: Jonas Beispiel {who}" in timeline
    notes = label(DataCategory.NOTES.label)
    assert f"{label('Progress note')} {label('added')}: {notes} {who}" in timeline


def test_a_health_entry_of_the_gesundheitsamt_is_not_in_caritas_timeline(
    signed_in,
    family_case,
    mother,
    institutions,
    gesundheitsamt_involved,
    gesundheitsamt_caseworker,
    erkelenz_caseworker,
    caritas_caseworker,
):
    involve(family_case, institutions["caritas"])
    factories.give_consent(
        family_case,
        institutions["erkelenz"],
        [institutions["caritas"]],
        [C.MASTER],
        erkelenz_caseworker,
    )
    gesundheitsamt = signed_in(gesundheitsamt_caseworker)
    record_health(gesundheitsamt, family_case, mother, substance="Opioide")
    entry = label("Addiction and treatment situation")

    def timeline(browser) -> str:
        html = browser.get(family_case.get_absolute_url()).content.decode()
        return section(html, "timeline-heading")

    assert entry in timeline(gesundheitsamt)
    caritas_timeline = timeline(signed_in(caritas_caseworker))
    assert "Sabine Beispiel" in caritas_timeline  # Erkelenz's released master data
    assert entry not in caritas_timeline
    assert entry not in timeline(signed_in(erkelenz_caseworker))


# --- the access log page -------------------------------------------------------------


def test_the_leads_lead_reads_who_accessed_the_case_without_family_names(
    signed_in,
    family_case,
    institutions,
    erkelenz_caseworker,
    erkelenz_lead,
    caritas_caseworker,
):
    factories.give_consent(
        family_case,
        institutions["erkelenz"],
        [institutions["caritas"]],
        [C.MASTER],
        erkelenz_caseworker,
    )
    signed_in(erkelenz_caseworker).get(family_case.get_absolute_url())
    signed_in(caritas_caseworker).get(family_case.get_absolute_url())

    response = signed_in(erkelenz_lead).get(
        reverse("cases:access_log", args=[family_case.reference])
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Anna Schmitz" in html and "Lena Küppers" in html
    assert "JA Erkelenz" in html and "Caritas" in html
    assert label(AccessLog.What.CASE_DETAIL.label) in html
    assert "Sabine" not in html and "Beispiel" not in html
    # Reading the access log is itself recorded.
    assert AccessLog.objects.filter(
        case=family_case, user=erkelenz_lead, what="access_log"
    ).exists()


def test_a_superusers_read_of_the_case_shows_in_the_access_log(
    signed_in, family_case, superuser, erkelenz_lead
):
    assert signed_in(superuser).get(family_case.get_absolute_url()).status_code == 200

    html = (
        signed_in(erkelenz_lead)
        .get(reverse("cases:access_log", args=[family_case.reference]))
        .content.decode()
    )

    row = next(r for r in html.split("<tr>") if "<td>admin" in r)
    assert label("superuser") in row
    assert label(AccessLog.What.CASE_DETAIL.label) in row
    assert "Sabine" not in html and "Beispiel" not in html


def test_the_data_protection_officer_reads_the_access_log(
    signed_in, family_case, erkelenz_caseworker, data_protection_officer
):
    signed_in(erkelenz_caseworker).get(family_case.get_absolute_url())
    response = signed_in(data_protection_officer).get(
        reverse("cases:access_log", args=[family_case.reference])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Anna Schmitz" in html
    assert "Sabine" not in html and "Beispiel" not in html


def test_the_access_log_is_closed_to_caseworkers_and_other_cooperations(
    signed_in, family_case, institutions, erkelenz_caseworker, uninvolved_caseworker
):
    url = reverse("cases:access_log", args=[family_case.reference])
    assert signed_in(erkelenz_caseworker).get(url).status_code == 403
    assert signed_in(uninvolved_caseworker).get(url).status_code == 404
    other_dpo = factories.make_user(
        institutions["lindenbrueck-koordination"], User.Role.DATA_PROTECTION
    )
    assert signed_in(other_dpo).get(url).status_code == 404


# --- the case list -------------------------------------------------------------------


def listed(browser, **params) -> str:
    response = browser.get(reverse("cases:list"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_lead_finds_a_case_by_the_mothers_last_name(
    signed_in, family_case, erkelenz_caseworker
):
    erkelenz = signed_in(erkelenz_caseworker)
    assert family_case.reference in listed(erkelenz, q="beispiel")
    assert family_case.reference not in listed(erkelenz, q="Mustermann")
    assert AccessLog.objects.filter(user=erkelenz_caseworker, what="case_search").exists()


def through_involvement(case, institutions, user):
    involve(case, institutions["caritas"])


def through_disclosure(case, institutions, user):
    # Erkelenz tells Caritas about the family's situation, but not who they are.
    services.disclosure_record(
        case=case,
        disclosed_by=user,
        basis=Disclosure.Basis.SGB_VIII_8A,
        from_institution=institutions["erkelenz"],
        to_institution=institutions["caritas"],
        categories=[C.FAMILY],
        disclosed_on=TODAY,
        reason="Gefährdungseinschätzung",
        **STEP_FIELDS,
    )


@pytest.mark.parametrize("sees_case", [through_involvement, through_disclosure])
def test_a_name_search_does_not_find_a_family_whose_names_were_not_released(
    signed_in, family_case, institutions, erkelenz_caseworker, caritas_caseworker, sees_case
):
    sees_case(family_case, institutions, erkelenz_caseworker)
    caritas = signed_in(caritas_caseworker)
    assert caritas.get(family_case.get_absolute_url()).status_code == 200
    assert family_case.reference in listed(caritas, q=family_case.reference)

    assert family_case.reference not in listed(caritas, q="Beispiel")
    assert family_case.reference not in listed(caritas, q="Sabine")

    factories.give_consent(
        family_case,
        institutions["erkelenz"],
        [institutions["caritas"]],
        [C.MASTER],
        erkelenz_caseworker,
    )
    assert family_case.reference in listed(caritas, q="Beispiel")


def test_the_case_list_filters_by_lead_institution(
    signed_in, family_case, caritas_case, institutions, erkelenz_caseworker
):
    involve(caritas_case, institutions["erkelenz"])
    erkelenz = signed_in(erkelenz_caseworker)
    everything = listed(erkelenz)
    assert family_case.reference in everything and caritas_case.reference in everything

    led_by_caritas = listed(erkelenz, lead=institutions["caritas"].pk)

    assert caritas_case.reference in led_by_caritas
    assert family_case.reference not in led_by_caritas


def test_the_case_list_filters_cases_whose_conference_is_due(
    signed_in, family_case, institutions, erkelenz_caseworker
):
    due = services.case_open(
        lead_institution=institutions["erkelenz"], opened_by=erkelenz_caseworker
    )
    Case.objects.filter(pk=due.pk).update(conference_due_on=TODAY - datetime.timedelta(days=3))
    closed = services.case_open(
        lead_institution=institutions["erkelenz"], opened_by=erkelenz_caseworker
    )
    Case.objects.filter(pk=closed.pk).update(conference_due_on=YESTERDAY, status="closed")
    erkelenz = signed_in(erkelenz_caseworker)

    html = listed(erkelenz, due="1")

    assert due.reference in html
    assert family_case.reference not in html  # due in May 2027
    assert closed.reference not in html
    assert family_case.reference in listed(erkelenz)


# --- the dashboard -------------------------------------------------------------------


def test_the_dashboard_lists_consents_expiring_within_30_days(
    signed_in,
    family_case,
    institutions,
    erkelenz_caseworker,
    caritas_caseworker,
    uninvolved_caseworker,
):
    factories.give_consent(
        family_case,
        institutions["erkelenz"],
        [institutions["caritas"]],
        [C.MASTER],
        erkelenz_caseworker,
        valid_until=datetime.date(2026, 12, 31),
    )
    dashboard = reverse("dashboard")

    with time_machine.travel(datetime.datetime(2026, 11, 30, 9, 0), tick=False):
        assert (
            family_case.reference
            not in signed_in(erkelenz_caseworker).get(dashboard).content.decode()
        )
    with time_machine.travel(datetime.datetime(2026, 12, 1, 9, 0), tick=False):
        erkelenz_html = signed_in(erkelenz_caseworker).get(dashboard).content.decode()
        caritas_html = signed_in(caritas_caseworker).get(dashboard).content.decode()
        outsider_html = signed_in(uninvolved_caseworker).get(dashboard).content.decode()

    warning = label("expires on %(date)s") % {"date": "31.12.2026"}
    for html in (erkelenz_html, caritas_html):
        assert family_case.reference in html
        assert warning in html
    assert family_case.reference not in outsider_html
