"""Who sees a case, and which parts of it: the consent-driven gateway."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.http import Http404
from guardian.shortcuts import get_objects_for_group

from cases import services
from cases.models import Case, Consent, DataCategory, Disclosure, FamilyMember
from cases.permissions import cases_visible_to, get_case_for_user_or_404
from tests import factories

TODAY = datetime.date(2026, 11, 25)
C = DataCategory


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 10, 0), tick=False):
        yield


@pytest.fixture
def family_case(institutions, erkelenz_caseworker) -> Case:
    """A family led by Jugendamt Erkelenz; the mother consults Caritas."""
    case = services.case_open(
        lead_institution=institutions["erkelenz"], opened_by=erkelenz_caseworker
    )
    FamilyMember.objects.create(
        case=case,
        kind=FamilyMember.Kind.MOTHER,
        first_name="Sabine",
        last_name="Beispiel",
        source_institution=institutions["erkelenz"],
    )
    return case


def give_consent(case, source, recipients, categories, user, **fields) -> Consent:
    fields.setdefault("valid_from", TODAY - datetime.timedelta(days=10))
    return factories.give_consent(case, source, recipients, categories, user, **fields)


def sees(user, case) -> bool:
    return cases_visible_to(user).filter(pk=case.pk).exists()


def test_references_count_up_per_cooperation_and_year(
    family_case, institutions, erkelenz_caseworker
):
    second = services.case_open(
        lead_institution=institutions["erkelenz"], opened_by=erkelenz_caseworker
    )
    assert family_case.reference == "HS-2026-0001"
    assert second.reference == "HS-2026-0002"


def test_the_lead_institution_sees_its_case_and_nobody_else_does(
    family_case,
    erkelenz_caseworker,
    caritas_caseworker,
    uninvolved_caseworker,
    coordination_office,
    data_protection_officer,
    superuser,
):
    assert sees(erkelenz_caseworker, family_case)
    for outsider in (
        caritas_caseworker,
        uninvolved_caseworker,
        coordination_office,
        data_protection_officer,
    ):
        assert not sees(outsider, family_case)
        with pytest.raises(Http404):
            get_case_for_user_or_404(outsider, family_case.reference)
    assert sees(superuser, family_case)


def test_a_consent_releases_only_its_categories_from_its_source(
    family_case, institutions, erkelenz_caseworker, caritas_caseworker
):
    give_consent(
        family_case,
        institutions["erkelenz"],
        [institutions["caritas"]],
        [C.MASTER, C.FAMILY],
        erkelenz_caseworker,
    )
    access = get_case_for_user_or_404(caritas_caseworker, family_case.reference)
    erkelenz = institutions["erkelenz"].pk
    assert access.can_see(erkelenz, C.MASTER)
    assert access.can_see(erkelenz, C.FAMILY)
    assert not access.can_see(erkelenz, C.HEALTH)
    assert not access.can_see_category(C.HEALTH)
    assert not access.can_see(institutions["diakonie"].pk, C.MASTER)


def test_a_consent_is_a_direction_not_a_clique(
    family_case, institutions, erkelenz_caseworker, caritas_caseworker
):
    # Caritas releases its health data to Erkelenz: Erkelenz sees it; Caritas gains nothing.
    services.case_recompute_grants(case=family_case)
    give_consent(
        family_case,
        institutions["caritas"],
        [institutions["erkelenz"]],
        [C.HEALTH],
        erkelenz_caseworker,
    )
    assert get_case_for_user_or_404(erkelenz_caseworker, family_case.reference).can_see(
        institutions["caritas"].pk, C.HEALTH
    )
    assert not sees(caritas_caseworker, family_case)


def test_revocation_takes_effect_on_the_next_request(
    family_case, institutions, erkelenz_caseworker, caritas_caseworker
):
    consent = give_consent(
        family_case,
        institutions["erkelenz"],
        [institutions["caritas"]],
        [C.MASTER],
        erkelenz_caseworker,
    )
    assert sees(caritas_caseworker, family_case)
    services.consent_revoke(
        consent=consent, revoked_on=TODAY, channel="telephone", recorded_by=erkelenz_caseworker
    )
    assert not sees(caritas_caseworker, family_case)
    consent.refresh_from_db()
    assert consent.status == Consent.Status.REVOKED
    assert consent.history.count() >= 3  # requested, given, revoked: still documented


def test_an_expired_consent_stops_on_the_following_day_by_itself(
    family_case, institutions, erkelenz_caseworker, caritas_caseworker
):
    give_consent(
        family_case,
        institutions["erkelenz"],
        [institutions["caritas"]],
        [C.MASTER],
        erkelenz_caseworker,
        valid_until=TODAY,
    )
    assert sees(caritas_caseworker, family_case)
    with time_machine.travel(datetime.datetime(2026, 11, 26, 0, 30), tick=False):
        assert not sees(caritas_caseworker, family_case)


@pytest.mark.parametrize("status", ["requested", "refused"])
def test_a_consent_not_given_releases_nothing(
    family_case, institutions, erkelenz_caseworker, caritas_caseworker, status
):
    consent = Consent.objects.create(
        case=family_case,
        given_by=family_case.members.first(),
        source_institution=institutions["erkelenz"],
        categories=[C.MASTER],
        purpose="x",
        obtained_by=erkelenz_caseworker,
        valid_from=TODAY,
        status=status,
    )
    consent.recipients.set([institutions["caritas"]])
    services.case_recompute_grants(case=family_case)
    assert not sees(caritas_caseworker, family_case)


# The steps §4 KKG asks for before a disclosure (working with the family, the specialist).
STEPS = {
    "family_work_tried": True,
    "family_work": "Gespräche mit der Mutter.",
    "specialist_consulted": True,
    "specialist_note": "Kinderschutzfachkraft des Kreisjugendamts, telefonisch.",
}


def test_a_kkg_disclosure_grants_the_youth_office_and_needs_the_family_told_or_a_reason(
    institutions, diakonie_caseworker, uninvolved_caseworker
):
    case = services.case_open(
        lead_institution=institutions["diakonie"], opened_by=diakonie_caseworker
    )
    with pytest.raises(ValidationError) as refused:
        services.disclosure_record(
            case=case,
            disclosed_by=diakonie_caseworker,
            basis=Disclosure.Basis.KKG_4_3,
            from_institution=institutions["diakonie"],
            to_institution=institutions["hueckelhoven"],
            categories=[C.MASTER],
            disclosed_on=TODAY,
            reason="Gefährdung",
            **STEPS,
            family_informed=False,
        )
    assert list(refused.value.message_dict) == ["family_not_informed_reason"]
    assert not sees(uninvolved_caseworker, case)
    services.disclosure_record(
        case=case,
        disclosed_by=diakonie_caseworker,
        basis=Disclosure.Basis.KKG_4_3,
        from_institution=institutions["diakonie"],
        to_institution=institutions["hueckelhoven"],
        categories=[C.MASTER],
        disclosed_on=TODAY,
        reason="Gefährdung",
        **STEPS,
        family_informed=False,
        family_not_informed_reason="Information würde das Kind gefährden.",
    )
    access = get_case_for_user_or_404(uninvolved_caseworker, case.reference)
    assert access.can_see(institutions["diakonie"].pk, C.MASTER)
    assert not access.can_see_category(C.HEALTH)


def test_grants_are_mirrored_as_guardian_permissions_on_institution_groups(
    family_case, institutions, erkelenz_caseworker
):
    caritas_group = institutions["caritas"].group
    consent = give_consent(
        family_case,
        institutions["erkelenz"],
        [institutions["caritas"]],
        [C.MASTER, C.HEALTH],
        erkelenz_caseworker,
    )
    assert family_case in get_objects_for_group(caritas_group, "cases.view_case")
    assert family_case in get_objects_for_group(caritas_group, "cases.view_case_health")
    services.consent_revoke(
        consent=consent, revoked_on=TODAY, channel="in_writing", recorded_by=erkelenz_caseworker
    )
    assert family_case not in get_objects_for_group(caritas_group, "cases.view_case")


def test_two_consents_with_a_gap_leave_the_case_invisible_in_between(
    family_case, institutions, erkelenz_caseworker, caritas_caseworker
):
    caritas = [institutions["caritas"]]
    for start, end in (
        (TODAY, TODAY + datetime.timedelta(days=9)),
        (TODAY + datetime.timedelta(days=20), None),
    ):
        give_consent(
            family_case,
            institutions["erkelenz"],
            caritas,
            [C.MASTER],
            erkelenz_caseworker,
            valid_from=start,
            valid_until=end,
            kind=Consent.Kind.RECURRING,
        )

    def sees_on(days):
        day = TODAY + datetime.timedelta(days=days)
        return cases_visible_to(caritas_caseworker, day).filter(pk=family_case.pk).count()

    # One row per day at most: the list never shows the case twice.
    assert [sees_on(d) for d in (0, 9, 10, 19, 20, 400)] == [1, 1, 0, 0, 1, 1]


def test_overlapping_grants_give_one_visibility_row(
    family_case, institutions, erkelenz_caseworker, caritas_caseworker
):
    for categories in ([C.MASTER], [C.FAMILY], [C.NOTES]):
        give_consent(
            family_case,
            institutions["erkelenz"],
            [institutions["caritas"]],
            categories,
            erkelenz_caseworker,
        )
    assert family_case.visibility.filter(institution=institutions["caritas"]).count() == 1
    assert cases_visible_to(caritas_caseworker).filter(pk=family_case.pk).count() == 1


def test_the_list_order_follows_the_last_change_of_each_case(
    family_case, institutions, erkelenz_caseworker
):
    older = services.case_open(
        lead_institution=institutions["erkelenz"], opened_by=erkelenz_caseworker
    )
    with time_machine.travel(datetime.datetime(2026, 11, 25, 12, 0), tick=False):
        services.record_save(
            record=FamilyMember(case=family_case, kind=FamilyMember.Kind.CHILD, last_name="B"),
            case=family_case,
            institution=institutions["erkelenz"],
        )
    listed = cases_visible_to(erkelenz_caseworker).order_by("-listed_at", "-pk")
    assert list(listed) == [family_case, older]
