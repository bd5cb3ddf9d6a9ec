"""Retention rules: the defaults with their sources, the rule in force for an
institution, and the four eyes of the coordination office and the DPO."""

import pytest
from django.urls import reverse

from cooperation.models import Institution
from privacy import services
from privacy.models import RecordType, RetentionRule, Trigger
from privacy.rules import DEFAULTS_BY_KEY, RuleBook, period_text


def test_every_kind_of_record_has_a_default_for_every_kind_of_institution():
    for record_type in RecordType:
        assert (record_type, "") in DEFAULTS_BY_KEY


@pytest.mark.parametrize(
    ("institution", "record_type", "trigger", "months", "source"),
    [
        # §9b SGB VIII: 70 years after the 30th birthday, for the youth welfare offices.
        ("erkelenz", RecordType.CASE, Trigger.AGE_30, 840, "§ 9b Abs. 2 Nr. 1 SGB VIII"),
        ("kreisjugendamt", RecordType.NOTE, Trigger.WITH_CASE, 0, "§ 9b"),
        # Addiction counselling deletes once the purpose has ended, under its own law.
        ("gesundheitsamt", RecordType.CASE, Trigger.PURPOSE_ENDED, 0, "§ 84 SGB X"),
        ("caritas", RecordType.CASE, Trigger.PURPOSE_ENDED, 0, "§ 19 KDG"),
        ("diakonie", RecordType.NOTE, Trigger.PURPOSE_ENDED, 0, "21 DSG-EKD"),
        ("caritas", RecordType.CONSENT, Trigger.RECORD_DATE, 36, "§ 8 KDG"),
        ("gesundheitsamt", RecordType.DISCLOSURE, Trigger.RECORD_DATE, 36, "§ 4 KKG"),
        ("erkelenz", RecordType.ACCESS_LOG, Trigger.RECORD_DATE, 24, "Art. 32 DSGVO"),
        ("koordination", RecordType.COMMITTEE, Trigger.RECORD_DATE, 120, "DSGVO"),
    ],
)
def test_the_default_rule_follows_the_institutions_law_and_kind(
    institutions, institution, record_type, trigger, months, source
):
    rule = RuleBook(institutions[institution].cooperation).for_institution(
        record_type, institutions[institution]
    )
    assert (rule.trigger, rule.months) == (trigger, months)
    assert source in rule.legal_source
    assert rule.is_default


def test_periods_read_as_words():
    assert period_text(840) == "70 Jahre" or period_text(840) == "70 years"
    assert period_text(0) in ("sofort", "immediately")


def propose(browser, record_type="case", law="gdpr", kind="alle", **data):
    url = reverse("privacy:rule_propose", args=[record_type, law, kind])
    return browser.post(
        url,
        {
            "institution_kind": "" if kind == "alle" else kind,
            "trigger": "case_closed",
            "years": "5",
            "months": "6",
            "legal_source": "Dienstanweisung 4/2026",
            "note": "Fünf Jahre und ein halbes",
            **data,
        },
    )


def test_a_proposal_takes_effect_only_once_the_dpo_confirms_it(
    signed_in, institutions, coordination_office, data_protection_officer
):
    gesundheitsamt = institutions["gesundheitsamt"]
    office = signed_in(coordination_office)
    assert (
        office.get(reverse("privacy:rule_propose", args=["case", "gdpr", "alle"])).status_code
        == 200
    )
    response = propose(office)
    assert response.status_code == 302
    proposal = RetentionRule.objects.get()
    assert proposal.status == RetentionRule.Status.PROPOSED
    assert proposal.months == 66
    book = RuleBook(gesundheitsamt.cooperation)
    assert book.for_institution(RecordType.CASE, gesundheitsamt).is_default

    # The coordination office cannot confirm its own proposal.
    confirm = reverse("privacy:rule_confirm", args=[proposal.pk])
    assert office.post(confirm).status_code == 403
    dpo = signed_in(data_protection_officer)
    page = dpo.get(reverse("privacy:rules")).content.decode()
    assert "Dienstanweisung 4/2026" in page and confirm in page
    assert dpo.post(confirm, {"note": "geprüft"}).status_code == 302

    rule = RuleBook(gesundheitsamt.cooperation).for_institution(RecordType.CASE, gesundheitsamt)
    assert (rule.trigger, rule.months, rule.legal_source) == (
        "case_closed",
        66,
        "Dienstanweisung 4/2026",
    )
    assert rule.row.decided_by == data_protection_officer
    # The Jugendamt keeps its own (§9b) default: the kind's rule is more specific.
    erkelenz = RuleBook(gesundheitsamt.cooperation).for_institution(
        RecordType.CASE, institutions["erkelenz"]
    )
    assert erkelenz.trigger == Trigger.AGE_30
    # A decided proposal cannot be decided again.
    assert dpo.post(confirm).status_code == 403
    assert dpo.post(reverse("privacy:rule_reject", args=[proposal.pk])).status_code == 403


def test_a_rejected_proposal_changes_nothing_and_a_new_one_replaces_a_pending_one(
    signed_in, institutions, coordination_office, data_protection_officer
):
    office = signed_in(coordination_office)
    propose(office)
    propose(office, years="7")
    first, second = RetentionRule.objects.order_by("pk")
    assert first.status == RetentionRule.Status.WITHDRAWN
    assert second.status == RetentionRule.Status.PROPOSED
    dpo = signed_in(data_protection_officer)
    assert dpo.post(reverse("privacy:rule_reject", args=[second.pk])).status_code == 302
    second.refresh_from_db()
    assert second.status == RetentionRule.Status.REJECTED
    assert (
        RuleBook(institutions["erkelenz"].cooperation)
        .for_institution(RecordType.CASE, institutions["gesundheitsamt"])
        .is_default
    )


def test_a_rule_for_one_kind_of_institution_under_a_church_law(
    signed_in, institutions, coordination_office, data_protection_officer
):
    office = signed_in(coordination_office)
    propose(
        office,
        record_type="note",
        law="kdg",
        kind=Institution.Kind.SUCHTBERATUNG_FREI,
        trigger="record_date",
        years="1",
        months="0",
        legal_source="§ 19 KDG",
    )
    services.rule_confirm(rule=RetentionRule.objects.get(), confirmed_by=data_protection_officer)
    book = RuleBook(institutions["caritas"].cooperation)
    assert book.for_institution(RecordType.NOTE, institutions["caritas"]).months == 12
    # The Diakonie (DSG-EKD) and the Gesundheitsamt (GDPR) are not affected.
    assert book.for_institution(RecordType.NOTE, institutions["diakonie"]).is_default
    assert book.for_institution(RecordType.NOTE, institutions["gesundheitsamt"]).is_default
    # The rules page lists the new key under the KDG.
    page = signed_in(data_protection_officer).get(reverse("privacy:rules")).content.decode()
    assert "§ 19 KDG" in page


def test_a_period_that_does_not_fit_the_record_is_refused_and_the_input_kept(
    signed_in, coordination_office
):
    response = propose(signed_in(coordination_office), trigger="with_case")
    assert response.status_code == 400
    assert "Dienstanweisung 4/2026" in response.content.decode()
    assert not RetentionRule.objects.exists()
    response = propose(signed_in(coordination_office), years="101")
    assert response.status_code == 400


def test_unknown_keys_are_not_found(signed_in, coordination_office):
    office = signed_in(coordination_office)
    for args in (["akte", "gdpr", "alle"], ["case", "bdsg", "alle"], ["case", "gdpr", "schule"]):
        assert office.get(reverse("privacy:rule_propose", args=args)).status_code == 404


def test_the_dpo_cannot_propose_and_the_other_cooperation_sees_its_own_rules(
    signed_in, institutions, coordination_office, data_protection_officer, lindenbrueck_coordination
):
    url = reverse("privacy:rule_propose", args=["case", "gdpr", "alle"])
    assert signed_in(data_protection_officer).get(url).status_code == 403
    propose(signed_in(coordination_office))
    page = signed_in(lindenbrueck_coordination).get(reverse("privacy:rules")).content.decode()
    assert "Dienstanweisung 4/2026" not in page
    proposal = RetentionRule.objects.get()
    assert (
        signed_in(lindenbrueck_coordination)
        .post(reverse("privacy:rule_confirm", args=[proposal.pk]))
        .status_code
        == 404
    )
