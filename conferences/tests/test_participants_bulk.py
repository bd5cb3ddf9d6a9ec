"""Adding participants: suggestions as checkboxes, several at once, each with a role;
removing someone before the invitation is sent.

Suggested are the staff of the institutions to which the case's conference protocols
are released (the lead Erkelenz and, by consent, Caritas), never an uncovered office
(Diakonie), and the family members whose master data the organiser sees.
"""

import pytest

from conferences import services
from conferences.access import ALREADY_INVITED
from conferences.models import Participant
from tests.german import label

from .conftest import url

pytestmark = pytest.mark.django_db


def test_the_staff_and_the_parents_are_suggested(
    signed_in, upcoming, erkelenz_caseworker, erkelenz_lead, caritas_caseworker, diakonie_caseworker
):
    upcoming.participants.filter(user=caritas_caseworker).delete()
    upcoming.participants.filter(kind=Participant.Kind.FAMILY).delete()
    response = signed_in(erkelenz_caseworker).get(url("participants_bulk", upcoming.pk))

    assert response.status_code == 200
    form = response.context["form"]
    suggested = set(form.fields["users"].queryset)
    assert suggested == {erkelenz_lead, caritas_caseworker}
    assert diakonie_caseworker not in suggested
    assert [str(m) for m in form.fields["members"].queryset] == ["Sabine Beispiel"]
    html = response.content.decode()
    assert 'type="checkbox"' in html
    assert f'name="role_{caritas_caseworker.pk}"' in html
    # A proposed role for everyone.
    assert form.fields[f"role_{erkelenz_lead.pk}"].initial
    assert form.fields[f"role_{caritas_caseworker.pk}"].initial


def test_several_are_added_at_once_each_with_a_role(
    signed_in, upcoming, erkelenz_caseworker, erkelenz_lead, caritas_caseworker
):
    upcoming.participants.filter(user=caritas_caseworker).delete()
    upcoming.participants.filter(kind=Participant.Kind.FAMILY).delete()
    mother = upcoming.case.members.get()
    response = signed_in(erkelenz_caseworker).post(
        url("participants_bulk", upcoming.pk),
        {
            "users": [erkelenz_lead.pk, caritas_caseworker.pk],
            "members": [mother.pk],
            f"role_{caritas_caseworker.pk}": "Suchtberatung der Mutter",
            f"role_{erkelenz_lead.pk}": "",
        },
    )

    assert response.status_code == 302
    caritas = upcoming.participants.get(user=caritas_caseworker)
    lead = upcoming.participants.get(user=erkelenz_lead)
    family = upcoming.participants.get(kind=Participant.Kind.FAMILY)
    assert caritas.role == "Suchtberatung der Mutter"
    assert caritas.institution == caritas_caseworker.institution
    assert caritas.email == caritas_caseworker.email
    assert lead.role  # the default, since none was typed
    assert family.member == mother and family.role
    assert all(upcoming.participants.filter(kind="staff").values_list("role", flat=True))


def test_an_uncovered_institution_cannot_be_added(
    signed_in, upcoming, erkelenz_caseworker, diakonie_caseworker
):
    before = upcoming.participants.count()
    response = signed_in(erkelenz_caseworker).post(
        url("participants_bulk", upcoming.pk), {"users": [diakonie_caseworker.pk]}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["users"]
    assert upcoming.participants.count() == before


def test_choosing_nobody_is_refused(signed_in, upcoming, erkelenz_caseworker, erkelenz_lead):
    response = signed_in(erkelenz_caseworker).post(url("participants_bulk", upcoming.pk), {})

    assert response.status_code == 400
    assert label("Choose at least one person to add.") in response.content.decode()


def test_only_the_organising_institution_adds(signed_in, upcoming, caritas_caseworker):
    response = signed_in(caritas_caseworker).get(url("participants_bulk", upcoming.pk))
    assert response.status_code == 403


def test_the_single_form_gives_a_staff_member_a_role(
    signed_in, upcoming, erkelenz_caseworker, erkelenz_lead
):
    response = signed_in(erkelenz_caseworker).post(
        url("participant_add", upcoming.pk),
        {"kind": "staff", "user": erkelenz_lead.pk, "role": ""},
    )

    assert response.status_code == 302
    assert upcoming.participants.get(user=erkelenz_lead).role


def test_a_participant_is_removed_before_the_invitation(
    signed_in, upcoming, erkelenz_caseworker, caritas_caseworker
):
    lena = upcoming.participants.get(user=caritas_caseworker)
    browser = signed_in(erkelenz_caseworker)
    page = browser.get(upcoming.get_absolute_url()).content.decode()
    assert url("participant_remove", upcoming.pk, lena.pk) in page

    confirm = browser.get(url("participant_remove", upcoming.pk, lena.pk))
    assert confirm.status_code == 200
    assert upcoming.participants.filter(pk=lena.pk).exists()

    response = browser.post(url("participant_remove", upcoming.pk, lena.pk))
    assert response.status_code == 302
    assert not upcoming.participants.filter(pk=lena.pk).exists()


def test_an_invited_participant_is_not_removed(
    signed_in, upcoming, erkelenz_caseworker, caritas_caseworker
):
    services.meeting_invite(meeting=upcoming)
    lena = upcoming.participants.get(user=caritas_caseworker)

    response = signed_in(erkelenz_caseworker).post(url("participant_remove", upcoming.pk, lena.pk))

    assert response.status_code == 403
    assert label(str(ALREADY_INVITED)) in response.content.decode()
    assert upcoming.participants.filter(pk=lena.pk).exists()


def test_the_organiser_stays(signed_in, upcoming, erkelenz_caseworker):
    anna = upcoming.participants.get(user=erkelenz_caseworker)
    response = signed_in(erkelenz_caseworker).post(url("participant_remove", upcoming.pk, anna.pk))
    assert response.status_code == 403
    assert upcoming.participants.filter(pk=anna.pk).exists()


def test_a_participant_of_another_meeting_is_not_found(
    signed_in, upcoming, yesterdays, erkelenz_caseworker, caritas_caseworker
):
    other = yesterdays.participants.get(user=caritas_caseworker)
    response = signed_in(erkelenz_caseworker).post(url("participant_remove", upcoming.pk, other.pk))
    assert response.status_code == 404
