"""The fields of action A–D against the form's required minimum, from the records."""

import datetime

import pytest

from agreements.models import Agreement, AgreementParty
from concept import evaluation
from concept.evaluation import Status
from concept.models import (
    Declaration,
    FieldOfAction,
    Measure,
    Network,
    Offer,
    SteeringGroup,
    SteeringGroupMember,
)
from concept.tests.conftest import TODAY
from cooperation.models import Institution
from tests import factories


def offer(institution, name="Kindergruppe", **fields) -> Offer:
    fields.setdefault("target_group", "Kinder von 8 bis 12 Jahren")
    return Offer.objects.create(institution=institution, name=name, **fields)


def agreement(cooperation, *parties, since=datetime.date(2016, 5, 1)) -> Agreement:
    record = Agreement.objects.create(
        cooperation=cooperation,
        title="Kooperationsvereinbarung Jugendhilfe – Suchthilfe",
        legal_form="öffentlich-rechtliche Vereinbarung",
        responsible_body="Kreis Heinsberg",
        effective_since=since,
    )
    for institution in parties:
        AgreementParty.objects.create(
            agreement=record,
            institution=institution,
            signatory_name="Leitung",
            signatory_function="Amtsleitung",
        )
    return record


# --- A: support repertoire ---------------------------------------------------------------


def test_a_is_missing_without_offers(hs):
    state = evaluation.field_a(hs, TODAY)
    assert state.field == FieldOfAction.A
    assert state.status == Status.MISSING
    assert not state.meets_requirement
    assert state.evidence == ()
    assert state.criteria[0].explanation


def test_a_is_planned_with_a_planned_offer_and_that_meets_the_minimum(hs, institutions):
    offer(institutions["kreisjugendamt"], "Patenschaften", status=Offer.Status.PLANNED)
    state = evaluation.field_a(hs, TODAY)
    assert state.status == Status.PLANNED
    assert state.meets_requirement
    assert "Patenschaften" in state.evidence[0].text


def test_a_is_fulfilled_with_a_running_offer_linked_as_evidence(hs, institutions):
    running = offer(institutions["caritas"], "Kindergruppe Leuchtturm")
    offer(institutions["kreisjugendamt"], "Patenschaften", status=Offer.Status.PLANNED)
    state = evaluation.field_a(hs, TODAY)
    assert state.status == Status.FULFILLED
    assert state.evidence[0].text.startswith("Kindergruppe Leuchtturm (Caritas)")
    assert state.evidence[0].url == f"/admin/concept/offer/{running.pk}/change/"
    assert len(state.evidence) == 2


def test_a_counts_neither_ended_offers_nor_other_fields_nor_other_cooperations(hs, institutions):
    offer(institutions["caritas"], "Beendet", status=Offer.Status.ENDED)
    offer(institutions["koordination"], "Fortbildung", field_of_action=FieldOfAction.D)
    offer(institutions["lindenbrueck"], "Lindenbrücker Gruppe")
    assert evaluation.field_a(hs, TODAY).status == Status.MISSING


# --- B: steering and planning ------------------------------------------------------------


def test_b_agreement_is_fulfilled_between_a_jugendamt_and_the_gesundheitsamt(hs, institutions):
    agreement(hs, institutions["erkelenz"], institutions["gesundheitsamt"], institutions["caritas"])
    criterion = evaluation.field_b(hs, TODAY).criteria[0]
    assert criterion.status == Status.FULFILLED
    assert "Kooperationsvereinbarung Jugendhilfe – Suchthilfe" in criterion.evidence[0].text
    assert "01.05.2016" in criterion.evidence[0].text


def test_b_agreement_without_the_gesundheitsamt_does_not_count(hs, institutions):
    agreement(hs, institutions["erkelenz"], institutions["caritas"])
    criterion = evaluation.field_b(hs, TODAY).criteria[0]
    assert criterion.status == Status.MISSING
    assert criterion.evidence == ()
    assert criterion.explanation


def test_b_agreement_is_missing_without_any_agreement(hs):
    criterion = evaluation.field_b(hs, TODAY).criteria[0]
    assert criterion.status == Status.MISSING
    assert not criterion.meets_requirement


def test_b_agreement_not_yet_in_force_is_planned_and_not_enough(hs, institutions):
    agreement(
        hs,
        institutions["kreisjugendamt"],
        institutions["gesundheitsamt"],
        since=TODAY + datetime.timedelta(days=30),
    )
    criterion = evaluation.field_b(hs, TODAY).criteria[0]
    assert criterion.status == Status.PLANNED
    assert not criterion.meets_requirement


def test_b_another_cooperations_agreement_does_not_count(hs, institutions, lb):
    lb_ga = factories.make_institution(
        lb, "Suchtberatung GA Lindenbrück", Institution.Kind.SUCHTBERATUNG_GA, "GA LB"
    )
    agreement(lb, institutions["lindenbrueck"], lb_ga)
    assert evaluation.field_b(hs, TODAY).criteria[0].status == Status.MISSING


def test_b_coordination_office_is_fulfilled_by_the_coordination_institution(hs, institutions):
    criterion = evaluation.field_b(hs, TODAY).criteria[1]
    assert criterion.status == Status.FULFILLED
    assert criterion.evidence[0].text == institutions["koordination"].name


def test_b_coordination_office_is_planned_by_its_declaration_and_missing_without(db):
    cooperation = factories.make_cooperation("XY", body_name="Kreis Beispiel")
    assert evaluation.field_b(cooperation, TODAY).criteria[1].status == Status.MISSING
    Declaration.objects.create(
        cooperation=cooperation, kind=Declaration.Kind.COORDINATION, dated=TODAY
    )
    criterion = evaluation.field_b(cooperation, TODAY).criteria[1]
    assert criterion.status == Status.PLANNED
    assert criterion.meets_requirement
    assert "20.05.2026" in criterion.evidence[0].text


def test_b_steering_group_missing_planned_and_fulfilled(hs, institutions):
    assert evaluation.field_b(hs, TODAY).criteria[2].status == Status.MISSING

    group = SteeringGroup.objects.create(cooperation=hs, name="Steuerungsgruppe KispFam")
    criterion = evaluation.field_b(hs, TODAY).criteria[2]
    assert criterion.status == Status.PLANNED
    assert criterion.meets_requirement

    group.established_on = datetime.date(2025, 3, 1)
    group.save()
    # Established, but nobody in it yet: still only planned.
    assert evaluation.field_b(hs, TODAY).criteria[2].status == Status.PLANNED

    SteeringGroupMember.objects.create(
        group=group, institution=institutions["gesundheitsamt"], name="Andreas Claßen"
    )
    criterion = evaluation.field_b(hs, TODAY).criteria[2]
    assert criterion.status == Status.FULFILLED
    assert "01.03.2025" in criterion.evidence[0].text
    assert "Andreas Claßen (Suchtberatung GA)" in criterion.evidence[0].text


def test_b_steering_group_established_in_the_future_is_planned(hs, institutions):
    group = SteeringGroup.objects.create(
        cooperation=hs, established_on=TODAY + datetime.timedelta(days=1)
    )
    SteeringGroupMember.objects.create(
        group=group, institution=institutions["kreisjugendamt"], name="Thomas Berger"
    )
    assert evaluation.field_b(hs, TODAY).criteria[2].status == Status.PLANNED


@pytest.mark.parametrize(
    ("with_agreement", "with_group", "expected"),
    [(True, True, Status.FULFILLED), (True, False, Status.MISSING), (False, True, Status.MISSING)],
)
def test_b_as_a_whole_takes_the_weakest_of_its_three_requirements(
    hs, institutions, with_agreement, with_group, expected
):
    if with_agreement:
        agreement(hs, institutions["kreisjugendamt"], institutions["gesundheitsamt"])
    if with_group:
        group = SteeringGroup.objects.create(cooperation=hs, established_on=TODAY)
        SteeringGroupMember.objects.create(
            group=group, institution=institutions["kreisjugendamt"], name="Thomas Berger"
        )
    state = evaluation.field_b(hs, TODAY)
    assert state.status == expected
    assert state.meets_requirement == (expected == Status.FULFILLED)


def test_b_is_planned_when_the_steering_group_is_still_being_set_up(hs, institutions):
    agreement(hs, institutions["kreisjugendamt"], institutions["gesundheitsamt"])
    SteeringGroup.objects.create(cooperation=hs)
    state = evaluation.field_b(hs, TODAY)
    assert state.status == Status.PLANNED
    assert state.meets_requirement


# --- C: local networks -------------------------------------------------------------------


def test_c_is_missing_without_networks(hs):
    state = evaluation.field_c(hs, TODAY)
    assert state.status == Status.MISSING
    assert not state.meets_requirement


def test_c_a_network_that_does_not_deal_with_the_topic_is_not_enough(hs):
    Network.objects.create(cooperation=hs, name="Frühe Hilfen", deals_with_kispfam=False)
    state = evaluation.field_c(hs, TODAY)
    assert state.status == Status.MISSING
    assert state.evidence == ()
    assert state.criteria[0].explanation


def test_c_a_planned_network_on_the_topic_does_not_yet_meet_the_minimum(hs):
    Network.objects.create(
        cooperation=hs, name="AK KispFam", status=Network.Status.PLANNED, deals_with_kispfam=True
    )
    state = evaluation.field_c(hs, TODAY)
    assert state.status == Status.PLANNED
    assert not state.meets_requirement


def test_c_is_fulfilled_by_an_active_network_on_the_topic_with_its_partners(hs, institutions):
    network = Network.objects.create(
        cooperation=hs,
        name="Arbeitskreis Kinder aus suchtbelasteten Familien",
        deals_with_kispfam=True,
        other_partners="Familienhebammen",
    )
    network.partners.set([institutions["caritas"], institutions["gesundheitsamt"]])
    state = evaluation.field_c(hs, TODAY)
    assert state.status == Status.FULFILLED
    assert state.meets_requirement
    text = state.evidence[0].text
    assert "Arbeitskreis" in text and "Caritas" in text and "Familienhebammen" in text


# --- D: qualification and public relations -----------------------------------------------


def test_d_is_missing_without_measures(hs):
    assert evaluation.field_d(hs, TODAY).status == Status.MISSING


def test_d_a_planned_measure_shows_the_readiness_the_form_asks_for(hs):
    Measure.objects.create(
        cooperation=hs,
        date=TODAY + datetime.timedelta(days=60),
        title="Aktionswoche",
        kind=Measure.Kind.PUBLIC_RELATIONS,
    )
    state = evaluation.field_d(hs, TODAY)
    assert state.status == Status.PLANNED
    assert state.meets_requirement


def test_d_is_fulfilled_by_a_held_measure_with_its_participants(hs, lb):
    Measure.objects.create(
        cooperation=hs,
        date=datetime.date(2026, 1, 21),
        title="Fachtag Kinder aus suchtbelasteten Familien",
        kind=Measure.Kind.QUALIFICATION,
        status=Measure.Status.HELD,
        participants=85,
    )
    Measure.objects.create(
        cooperation=lb, date=TODAY, title="Lindenbrück", kind=Measure.Kind.QUALIFICATION
    )
    state = evaluation.field_d(hs, TODAY)
    assert state.status == Status.FULFILLED
    assert len(state.evidence) == 1
    assert state.evidence[0].text.startswith("21.01.2026 Fachtag")
    assert "85" in state.evidence[0].text


def test_all_four_fields_come_in_the_forms_order(hs):
    states = evaluation.fields_of_action(hs, TODAY)
    assert [state.field for state in states] == list(FieldOfAction)
