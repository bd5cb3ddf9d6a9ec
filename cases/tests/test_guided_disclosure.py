"""A disclosure without consent under §4 KKG or §8a SGB VIII walks the established steps.

Before it is recorded: was working with the family tried, and how (or why not); was an
experienced specialist consulted (a consultation of the case linked, or with whom and
when, or why not); was the family told beforehand, or why not. The answers are part of
the disclosure's record and its page. A family known only to the Caritas counselling
centre (father Thomas Muster), which informs Jugendamt Erkelenz. The clock stands at
25.11.2026.
"""

import datetime

import pytest
import time_machine
from django.db.models import RestrictedError
from django.urls import reverse
from django.utils.html import escape

from cases import services
from cases.models import AccessLog, Case, Disclosure, FamilyMember
from tests.german import label

TODAY = datetime.date(2026, 11, 25)
KKG = Disclosure.Basis.KKG_4_3


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 10, 0), tick=False):
        yield


@pytest.fixture
def caritas_case(institutions, caritas_caseworker) -> Case:
    return services.case_open(
        lead_institution=institutions["caritas"],
        opened_by=caritas_caseworker,
        first_member=FamilyMember(
            kind=FamilyMember.Kind.FATHER, first_name="Thomas", last_name="Muster"
        ),
    )


@pytest.fixture
def consultation(caritas_case, kreisjugendamt_caseworker, caritas_caseworker):
    specialist = services.specialist_designate(user=kreisjugendamt_caseworker, designated_by=None)
    return services.consultation_request(
        case=caritas_case,
        specialist=specialist,
        requested_by=caritas_caseworker,
        pseudonym="Familie M.",
        summary="Vater (40), Kinder (4, 7).",
        question="Gefährdung?",
    )


def steps(institutions, **changes) -> dict:
    data = {
        "basis": KKG,
        "family_work_tried": "true",
        "family_work": "Drei Gespräche mit dem Vater, Angebot einer Elterngruppe.",
        "specialist_consulted": "true",
        "specialist_note": "Kinderschutzfachkraft des Kreisjugendamts, am 20.11.2026.",
        "family_informed": "false",
        "family_not_informed_reason": "Der Vater droht, die Kinder mitzunehmen.",
        "to_institution": institutions["erkelenz"].pk,
        "categories": ["master", "family"],
        "disclosed_on": "2026-11-25",
        "reason": "Gewichtige Anhaltspunkte für eine Kindeswohlgefährdung",
    }
    data.update(changes)
    return data


def url(case) -> str:
    return reverse("cases:disclosure_add", args=[case.reference])


def test_the_form_walks_the_steps_before_the_disclosure(
    signed_in, caritas_case, caritas_caseworker
):
    html = signed_in(caritas_caseworker).get(url(caritas_case)).content.decode()
    headings = [
        "Legal basis",
        "Step 1: working with the family",
        "Step 2: the specialist's advice",
        "Step 3: telling the family",
        "Step 4: the disclosure",
    ]
    positions = [html.index(escape(label(heading))) for heading in headings]
    assert positions == sorted(positions)
    assert html.index('name="family_work_tried"') < html.index('name="to_institution"')


def test_a_guided_disclosure_records_its_steps(
    signed_in, caritas_case, consultation, institutions, caritas_caseworker
):
    response = signed_in(caritas_caseworker).post(
        url(caritas_case), steps(institutions, consultation=consultation.pk, specialist_note="")
    )

    assert response.status_code == 302
    disclosure = Disclosure.objects.get()
    assert disclosure.family_work_tried is True
    assert disclosure.family_work.startswith("Drei Gespräche")
    assert disclosure.specialist_consulted is True
    assert disclosure.consultation == consultation
    assert disclosure.family_informed is False
    assert disclosure.family_not_informed_reason == "Der Vater droht, die Kinder mitzunehmen."
    # The steps are in the record's history too.
    assert disclosure.history.get().consultation_id == consultation.pk


MISSING = {
    "whether_working_with_the_family_was_tried": (
        {"family_work_tried": ""},
        "family_work_tried",
        "Step 1: record whether working with the family was tried.",
    ),
    "how_it_was_tried": (
        {"family_work": "  "},
        "family_work",
        "Step 1: describe how working with the family was tried.",
    ),
    "why_it_was_not_tried": (
        {"family_work_tried": "false"},
        "family_work_not_tried_reason",
        "Step 1: record why working with the family was not tried (it would have "
        "endangered the child's effective protection).",
    ),
    "whether_a_specialist_was_consulted": (
        {"specialist_consulted": ""},
        "specialist_consulted",
        "Step 2: record whether an experienced specialist was consulted.",
    ),
    "which_consultation": (
        {"specialist_note": ""},
        "consultation",
        "Step 2: link the pseudonymised consultation, or note with whom and when the "
        "specialist was consulted.",
    ),
    "why_no_specialist": (
        {"specialist_consulted": "false", "specialist_note": ""},
        "specialist_note",
        "Step 2: record why no specialist was consulted.",
    ),
    "whether_the_family_was_told": (
        {"family_informed": "unknown"},
        "family_informed",
        "§4 Abs. 3 KKG: record whether the family was told beforehand.",
    ),
}


@pytest.mark.parametrize(("changes", "field", "message"), MISSING.values(), ids=MISSING.keys())
def test_a_kkg_disclosure_with_a_step_unanswered_is_refused_and_the_input_kept(
    signed_in, caritas_case, institutions, caritas_caseworker, changes, field, message
):
    response = signed_in(caritas_caseworker).post(url(caritas_case), steps(institutions, **changes))

    assert response.status_code == 400
    assert not Disclosure.objects.exists()
    assert label(message) in response.context["form"].errors[field]
    html = response.content.decode()
    assert escape(label(message)) in html
    assert "Gewichtige Anhaltspunkte für eine Kindeswohlgefährdung" in html


def test_a_section_8a_disclosure_walks_the_steps_too(
    signed_in, family_case, institutions, erkelenz_caseworker
):
    erkelenz = signed_in(erkelenz_caseworker)
    data = steps(
        institutions,
        basis=Disclosure.Basis.SGB_VIII_8A,
        to_institution=institutions["gesundheitsamt"].pk,
        family_informed="unknown",
        family_work_tried="",
    )
    refused = erkelenz.post(url(family_case), data)
    assert refused.status_code == 400
    errors = refused.context["form"].errors
    assert set(errors) == {"family_work_tried", "family_informed"}

    data.update(family_work_tried="true", family_informed="true")
    assert erkelenz.post(url(family_case), data).status_code == 302


def test_a_section_65_disclosure_needs_no_steps(
    signed_in, family_case, institutions, erkelenz_caseworker
):
    data = {
        "basis": Disclosure.Basis.SGB_VIII_65_1,
        "to_institution": institutions["gesundheitsamt"].pk,
        "categories": ["family"],
        "disclosed_on": "2026-11-25",
        "reason": "Abwendung einer Gefahr (§65 Abs. 1 Nr. 1 SGB VIII).",
        "family_informed": "unknown",
    }
    assert signed_in(erkelenz_caseworker).post(url(family_case), data).status_code == 302
    assert Disclosure.objects.get().family_work_tried is None


def test_only_a_consultation_of_this_case_and_institution_can_be_linked(
    signed_in,
    caritas_case,
    family_case,
    institutions,
    caritas_caseworker,
    erkelenz_caseworker,
    kreisjugendamt_caseworker,
):
    specialist = services.specialist_designate(user=kreisjugendamt_caseworker, designated_by=None)
    elsewhere = services.consultation_request(
        case=family_case,
        specialist=specialist,
        requested_by=erkelenz_caseworker,
        pseudonym="Familie B.",
        summary="Mutter (35).",
        question="?",
    )
    response = signed_in(caritas_caseworker).post(
        url(caritas_case), steps(institutions, consultation=elsewhere.pk, specialist_note="")
    )
    assert response.status_code == 400
    assert "consultation" in response.context["form"].errors
    assert not Disclosure.objects.exists()


def test_the_disclosure_page_shows_the_steps_to_both_institutions_only(
    signed_in,
    caritas_case,
    consultation,
    institutions,
    caritas_caseworker,
    erkelenz_caseworker,
    diakonie_caseworker,
):
    services.consultation_record_outcome(
        consultation=consultation, outcome="risk", notes="", recorded_by=caritas_caseworker
    )
    signed_in(caritas_caseworker).post(
        url(caritas_case), steps(institutions, consultation=consultation.pk)
    )
    disclosure = Disclosure.objects.get()
    page = disclosure.get_absolute_url()

    for user in (caritas_caseworker, erkelenz_caseworker):
        response = signed_in(user).get(page)
        html = response.content.decode()
        assert response.status_code == 200
        assert "Drei Gespräche mit dem Vater" in html
        assert "Der Vater droht, die Kinder mitzunehmen." in html
        assert "Kinderschutzfachkraft des Kreisjugendamts" in html
    # Caritas reads its consultation (and links it); Erkelenz was disclosed master and
    # family data, the consultation is Caritas's family-situation datum: it reads it too.
    assert (
        consultation.get_absolute_url() in signed_in(caritas_caseworker).get(page).content.decode()
    )
    assert AccessLog.objects.filter(what=AccessLog.What.DISCLOSURE).count() == 3
    case_page = signed_in(erkelenz_caseworker).get(caritas_case.get_absolute_url()).content.decode()
    assert page in case_page
    # An institution that sees neither side of it gets no page.
    assert signed_in(diakonie_caseworker).get(page).status_code == 404


def test_a_linked_consultation_stays_while_its_disclosure_does_and_goes_with_the_case(
    caritas_case, consultation, institutions, caritas_caseworker
):
    services.disclosure_record(
        case=caritas_case,
        disclosed_by=caritas_caseworker,
        basis=KKG,
        from_institution=institutions["caritas"],
        to_institution=institutions["erkelenz"],
        categories=["master"],
        disclosed_on=TODAY,
        reason="Gefährdung",
        family_work_tried=True,
        family_work="Gespräche.",
        specialist_consulted=True,
        consultation=consultation,
        family_informed=True,
    )
    with pytest.raises(RestrictedError):
        consultation.delete()
    caritas_case.delete()  # what the retention rules do: everything of the case goes
    assert not Disclosure.objects.exists()
    assert not type(consultation).objects.exists()
