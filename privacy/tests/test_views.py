"""The privacy pages of a case: the legal hold, the list of members for access reports,
and the entry page."""

import pytest
from django.urls import reverse

from cases.models import AccessLog
from cooperation.models import User
from privacy.models import LegalHold
from tests import factories


@pytest.fixture
def erkelenz_lead(institutions) -> User:
    return factories.make_user(institutions["erkelenz"], User.Role.LEAD, username="ek.leitung")


def test_the_lead_places_a_hold_and_the_dpo_lifts_it(
    family_case, signed_in, erkelenz_lead, data_protection_officer
):
    url = reverse("privacy:hold", args=[family_case.reference])
    lead = signed_in(erkelenz_lead)
    assert lead.get(url).status_code == 200
    # A hold needs its reason; what was typed stays.
    assert lead.post(url, {"reason": ""}).status_code == 400
    response = lead.post(url, {"reason": "Familiengericht Az. 5 F 12/26"})
    assert response.status_code == 302
    hold = LegalHold.objects.get()
    assert hold.is_active and hold.placed_by == erkelenz_lead

    dpo = signed_in(data_protection_officer)
    page = dpo.get(reverse("privacy:case", args=[family_case.reference]))
    assert page["Cache-Control"] == "private, no-store"
    content = page.content.decode()
    assert "Familiengericht Az. 5 F 12/26" in content
    assert "Sabine" not in content  # the DPO sees the hold, never the family
    assert dpo.post(url, {"reason": "Verfahren abgeschlossen"}).status_code == 302
    hold.refresh_from_db()
    assert not hold.is_active and hold.lifted_by == data_protection_officer
    # The DPO's reads of the hold are no reads of family data.
    assert not AccessLog.objects.filter(user=data_protection_officer).exists()


def test_the_case_page_lists_the_members_for_the_lead_and_logs_the_read(
    family_case, signed_in, erkelenz_lead
):
    response = signed_in(erkelenz_lead).get(reverse("privacy:case", args=[family_case.reference]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    content = response.content.decode()
    mother = family_case.members.get()
    assert "Sabine Beispiel" in content
    assert reverse("privacy:access_report", args=[family_case.reference, mother.pk]) in content
    entry = AccessLog.objects.get(user=erkelenz_lead)
    assert entry.what == AccessLog.What.PRIVACY_CASE and entry.case == family_case


def test_a_member_of_another_case_is_not_found(
    family_case, signed_in, erkelenz_lead, institutions, erkelenz_caseworker
):
    from cases import services

    other = services.case_open(
        lead_institution=institutions["erkelenz"], opened_by=erkelenz_caseworker
    )
    mother = family_case.members.get()
    url = reverse("privacy:access_report", args=[other.reference, mother.pk])
    assert signed_in(erkelenz_lead).get(url).status_code == 404


def test_the_entry_page_opens_a_case_by_its_reference(
    family_case, signed_in, erkelenz_lead, data_protection_officer
):
    browser = signed_in(erkelenz_lead)
    response = browser.get(reverse("privacy:index"), {"reference": family_case.reference.lower()})
    assert response["Location"] == reverse("privacy:case", args=[family_case.reference])
    response = browser.get(reverse("privacy:index"), {"reference": "HS 2026/1\x00"})
    assert response.status_code == 400
    # The DPO's entry page links the office's pages.
    page = signed_in(data_protection_officer).get(reverse("privacy:index")).content.decode()
    assert reverse("privacy:deletions") in page and reverse("privacy:rules") in page


def test_the_navigation_shows_the_pages_to_whom_they_are_for(
    signed_in, erkelenz_lead, erkelenz_caseworker, data_protection_officer
):
    link = f'href="{reverse("privacy:index")}"'
    assert link in signed_in(erkelenz_lead).get(reverse("dashboard")).content.decode()
    assert link in signed_in(data_protection_officer).get(reverse("dashboard")).content.decode()
    assert link not in signed_in(erkelenz_caseworker).get(reverse("dashboard")).content.decode()
