"""Follow-ups (Wiedervorlagen) on the case page: set, done, open again; seen only by the
setting institution, and only while it may open the case."""

import datetime

import pytest
from django.urls import reverse

from cases import services as case_services
from tests.german import label
from worklist import services
from worklist.models import FollowUp

from .conftest import TODAY


def add_url(case) -> str:
    return reverse("worklist:followup_add", args=[case.reference])


def form(due_on, note="Kita-Bericht anfordern", **extra) -> dict:
    return {"followup-due_on": due_on.isoformat(), "followup-note": note, **extra}


def test_a_caseworker_sets_a_follow_up_from_the_case_page(
    signed_in, family_case, erkelenz_caseworker
):
    browser = signed_in(erkelenz_caseworker)
    page = browser.get(family_case.get_absolute_url()).content.decode()
    assert f'action="{add_url(family_case)}"' in page
    assert 'id="followups-heading"' in page

    response = browser.post(add_url(family_case), form(TODAY + datetime.timedelta(days=3)))

    followup = FollowUp.objects.get()
    assert response.status_code == 302
    assert response.url.startswith(family_case.get_absolute_url())
    assert followup.institution == erkelenz_caseworker.institution
    assert followup.created_by == erkelenz_caseworker
    assert followup.due_on == datetime.date(2026, 11, 28)
    assert followup.history.get().history_user == erkelenz_caseworker
    page = browser.get(family_case.get_absolute_url()).content.decode()
    assert "28.11.2026" in page and "Kita-Bericht anfordern" in page


def test_a_date_in_the_past_is_refused_in_german_and_the_input_kept(
    signed_in, family_case, erkelenz_caseworker
):
    response = signed_in(erkelenz_caseworker).post(
        add_url(family_case), form(TODAY - datetime.timedelta(days=1), note="Rückruf")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert label("A follow-up cannot be set for a day in the past.") in html
    assert 'value="Rückruf"' in html
    assert not FollowUp.objects.exists()


@pytest.mark.parametrize("due_on", ["", "morgen", "2026-02-30", "9999-12-31"])
def test_bad_dates_never_make_a_500(signed_in, family_case, erkelenz_caseworker, due_on):
    response = signed_in(erkelenz_caseworker).post(
        add_url(family_case), {"followup-due_on": due_on, "followup-note": "x"}
    )
    assert response.status_code == 400
    assert not FollowUp.objects.exists()


def test_a_form_sent_twice_sets_one_follow_up(signed_in, family_case, erkelenz_caseworker):
    browser = signed_in(erkelenz_caseworker)
    data = form(TODAY, **{"followup-submission": "token-1234567890"})
    first = browser.post(add_url(family_case), data)
    second = browser.post(add_url(family_case), data)
    assert FollowUp.objects.count() == 1
    assert second.status_code == 302 and second.url == first.url


def test_done_and_open_again_are_kept_in_the_history(
    signed_in, family_case, erkelenz_caseworker, erkelenz_lead
):
    followup = services.followup_create(
        case=family_case, created_by=erkelenz_caseworker, due_on=TODAY
    )
    # A colleague of the same institution covers.
    browser = signed_in(erkelenz_lead)
    response = browser.post(reverse("worklist:followup_done", args=[followup.pk]))
    assert response.status_code == 302
    followup.refresh_from_db()
    assert followup.done_by == erkelenz_lead and followup.done_at is not None

    browser.post(reverse("worklist:followup_reopen", args=[followup.pk]))
    followup.refresh_from_db()
    assert followup.done_at is None and followup.done_by is None
    assert followup.history.count() == 3
    assert browser.get(reverse("worklist:followup_done", args=[followup.pk])).status_code == 405


def test_another_institution_never_sees_nor_closes_the_follow_up(
    signed_in,
    family_case,
    caritas_released,
    erkelenz_caseworker,
    caritas_caseworker,
    uninvolved_caseworker,
):
    followup = services.followup_create(
        case=family_case,
        created_by=erkelenz_caseworker,
        due_on=TODAY,
        note="Nur für das Jugendamt",
    )
    caritas = signed_in(caritas_caseworker)
    # Caritas sees the case, not Erkelenz's follow-up; it may set its own.
    page = caritas.get(family_case.get_absolute_url()).content.decode()
    assert "Nur für das Jugendamt" not in page
    assert "Nur für das Jugendamt" not in caritas.get(reverse("dashboard")).content.decode()
    for name in ("worklist:followup_done", "worklist:followup_reopen"):
        assert caritas.post(reverse(name, args=[followup.pk])).status_code == 404
        assert (
            signed_in(uninvolved_caseworker).post(reverse(name, args=[followup.pk])).status_code
            == 404
        )
    followup.refresh_from_db()
    assert followup.done_at is None
    assert caritas.post(add_url(family_case), form(TODAY)).status_code == 302
    assert FollowUp.objects.filter(institution=caritas_caseworker.institution).count() == 1
    # Hückelhoven does not see the case at all.
    assert (
        signed_in(uninvolved_caseworker).post(add_url(family_case), form(TODAY)).status_code == 404
    )


def test_the_offices_and_the_superuser_set_no_follow_ups(
    signed_in, family_case, coordination_office, data_protection_officer, superuser
):
    for user in (coordination_office, data_protection_officer):
        assert signed_in(user).post(add_url(family_case), form(TODAY)).status_code == 404
    assert signed_in(superuser).post(add_url(family_case), form(TODAY)).status_code == 403
    assert not FollowUp.objects.exists()


def test_a_revoked_consent_takes_the_follow_up_out_of_sight(
    signed_in, family_case, caritas_released, caritas_caseworker, erkelenz_caseworker
):
    followup = services.followup_create(
        case=family_case, created_by=caritas_caseworker, due_on=TODAY, note="Rückmeldung"
    )
    browser = signed_in(caritas_caseworker)
    assert "Rückmeldung" in browser.get(reverse("dashboard")).content.decode()

    case_services.consent_revoke(
        consent=caritas_released,
        revoked_on=TODAY,
        channel="in_writing",
        recorded_by=erkelenz_caseworker,
    )

    assert "Rückmeldung" not in browser.get(reverse("dashboard")).content.decode()
    assert browser.post(reverse("worklist:followup_done", args=[followup.pk])).status_code == 404
