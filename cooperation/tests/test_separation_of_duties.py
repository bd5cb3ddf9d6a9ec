"""Separation of duties: the coordination office invites, never knows a password, and a
caseworker or lead role it gives waits for the institution's lead."""

import datetime
import re

import pyotp
import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cooperation.models import Invitation, StaffChange, User
from tests import factories
from tests.two_factor import next_token, totp_device

CHOSEN = "Von-der-Koordination-gewaehlt-1"


def invite(office_browser, institution, role=User.Role.CASEWORKER, **extra):
    data = {
        "username": "neu.fachkraft",
        "first_name": "Paula",
        "last_name": "Neu",
        "email": "paula.neu@kispfam.example",
        "institution": institution.pk,
        "role": role,
        # What the old form took: a password the office chose. It must count for nothing.
        "password1": CHOSEN,
        "password2": CHOSEN,
        "usable_password": "true",
        **extra,
    }
    return office_browser.post(reverse("admin:cooperation_user_add"), data)


def link_in(mail) -> str:
    return re.search(r"https?://\S+/konto/einladung/\S+/", mail.body).group(0)


@pytest.fixture
def office(coordination_office) -> Client:
    browser = Client(HTTP_ACCEPT_LANGUAGE="de")
    browser.force_login(coordination_office)
    return browser


@pytest.fixture
def invited(office, institutions, erkelenz_lead, mailoutbox, django_capture_on_commit_callbacks):
    """Paula Neu, invited as a caseworker of Erkelenz; the mails it sent."""
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(office, institutions["erkelenz"])
    assert response.status_code == 302, response.content.decode()[:2000]
    return User.objects.get(username="neu.fachkraft")


def accept(link: str, password: str = "Mein-eigenes-Passwort-7") -> Client:
    browser = Client(HTTP_ACCEPT_LANGUAGE="de")
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = browser.post("/" + path, {"new_password1": password, "new_password2": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("cooperation:second_factor_setup")
    return browser


def enrol(browser: Client) -> None:
    html = browser.get(reverse("cooperation:second_factor_setup")).content.decode()
    secret = re.search(r'<code class="checksum">([A-Z2-7]+)</code>', html).group(1)
    response = browser.post(
        reverse("cooperation:second_factor_setup"), {"otp_token": pyotp.TOTP(secret).now()}
    )
    assert response.status_code == 302


def test_the_coordination_office_creates_no_account_with_a_password_of_its_choosing(
    invited, office, mailoutbox
):
    assert not invited.has_usable_password()
    assert not Client().login(username="neu.fachkraft", password=CHOSEN)
    # The link goes to the person only; the office never sees it.
    to_person = [mail for mail in mailoutbox if mail.to == ["paula.neu@kispfam.example"]]
    assert len(to_person) == 1
    token = link_in(to_person[0]).rstrip("/").rsplit("/", 1)[1]
    admin_page = office.get(reverse("admin:cooperation_user_change", args=[invited.pk]))
    assert token not in admin_page.content.decode()
    assert Invitation.objects.get(user=invited).token_hash != token


def test_nobody_reaches_the_set_password_form(
    office, erkelenz_caseworker, superuser, coordination_office
):
    url = reverse("admin:auth_user_password_change", args=[erkelenz_caseworker.pk])
    assert office.get(url).status_code == 403
    assert office.post(url, {"password1": CHOSEN, "password2": CHOSEN}).status_code == 403
    it = Client()
    it.force_login(superuser)
    assert it.get(url).status_code == 403
    erkelenz_caseworker.refresh_from_db()
    assert not erkelenz_caseworker.check_password(CHOSEN)
    page = office.get(reverse("admin:cooperation_user_change", args=[erkelenz_caseworker.pk]))
    assert "password/" not in page.content.decode()


def test_the_link_sets_the_persons_own_password_once_then_the_second_factor(invited, mailoutbox):
    link = next(link_in(m) for m in mailoutbox if m.to == [invited.email])
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    page = Client().get(path)
    assert page.status_code == 200
    assert "Paula Neu" in page.content.decode()

    browser = accept(link)
    invited.refresh_from_db()
    assert invited.check_password("Mein-eigenes-Passwort-7")
    assert browser.get(reverse("cases:list"))["Location"].startswith(
        reverse("cooperation:second_factor_setup")
    )
    enrol(browser)
    assert browser.get(reverse("cases:list")).status_code == 200
    # Single use.
    assert Client().get(path).status_code == 410
    again = Client().post(
        path, {"new_password1": "Ein-anderes-Pass-8", "new_password2": "Ein-anderes-Pass-8"}
    )
    assert again.status_code == 410
    invited.refresh_from_db()
    assert invited.check_password("Mein-eigenes-Passwort-7")
    assert invited.history.first().history_user == invited


def test_the_link_expires_after_72_hours(invited, mailoutbox):
    link = next(link_in(m) for m in mailoutbox if m.to == [invited.email])
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=71, minutes=50)):
        assert Client().get(path).status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=72, minutes=1)):
        assert Client().get(path).status_code == 410
    assert Client().get("/konto/einladung/erfunden/").status_code == 404


def test_a_new_invitation_replaces_the_old_link(
    invited, office, mailoutbox, django_capture_on_commit_callbacks
):
    first = next(link_in(m) for m in mailoutbox if m.to == [invited.email])
    with django_capture_on_commit_callbacks(execute=True):
        office.post(
            reverse("admin:cooperation_user_changelist"),
            {"action": "resend_invitation", "_selected_action": [invited.pk]},
        )
    links = [link_in(m) for m in mailoutbox if m.to == [invited.email]]
    assert len(links) == 2 and links[1] != first
    path = "/" + first.split("://", 1)[1].split("/", 1)[1]
    assert Client().get(path).status_code == 410
    accept(links[1])


def test_a_new_caseworker_sees_no_case_until_the_lead_confirms(
    invited, family_case, erkelenz_lead, mailoutbox, django_capture_on_commit_callbacks
):
    link = next(link_in(m) for m in mailoutbox if m.to == [invited.email])
    browser = accept(link)
    enrol(browser)
    detail = reverse("cases:detail", args=[family_case.reference])
    assert family_case.reference not in browser.get(reverse("cases:list")).content.decode()
    assert browser.get(detail).status_code == 404
    assert browser.get(reverse("cases:open")).status_code == 403

    # The lead was told, and finds the request with who made it and when.
    told = [m for m in mailoutbox if m.to == [erkelenz_lead.email]]
    assert len(told) == 1 and "Paula Neu" in told[0].body
    lead = Client(HTTP_ACCEPT_LANGUAGE="de")
    lead.force_login(erkelenz_lead)
    page = lead.get(reverse("cooperation:staff_changes")).content.decode()
    change = StaffChange.objects.get(user=invited, state=StaffChange.State.PENDING)
    assert "Paula Neu" in page and "paula.neu@kispfam.example" in page
    assert change.made_by.get_full_name() in page
    assert timezone.localtime(change.made_at).strftime("%d.%m.%Y %H:%M") in page

    with django_capture_on_commit_callbacks(execute=True):
        response = lead.post(reverse("cooperation:staff_change_confirm", args=[change.pk]))
    assert response.status_code == 302
    assert browser.get(detail).status_code == 200
    change.refresh_from_db()
    assert (change.state, change.decided_by) == (StaffChange.State.CONFIRMED, erkelenz_lead)
    invited.refresh_from_db()
    assert invited.history.first().history_user == erkelenz_lead
    # The coordination office learns of the decision.
    assert any(m.to == [change.made_by.email] for m in mailoutbox)


def test_a_declined_request_leaves_the_account_without_cases(invited, family_case, erkelenz_lead):
    change = StaffChange.objects.get(user=invited)
    lead = Client()
    lead.force_login(erkelenz_lead)
    lead.post(reverse("cooperation:staff_change_decline", args=[change.pk]))
    change.refresh_from_db()
    assert change.state == StaffChange.State.DECLINED
    invited.refresh_from_db()
    assert not invited.role_is_confirmed
    # A decided request is not decided again.
    assert (
        lead.post(reverse("cooperation:staff_change_confirm", args=[change.pk])).status_code == 403
    )


def test_a_changed_role_or_institution_waits_for_confirmation_again(
    office,
    erkelenz_caseworker,
    erkelenz_lead,
    institutions,
    family_case,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    caseworker = Client()
    caseworker.force_login(erkelenz_caseworker)
    detail = reverse("cases:detail", args=[family_case.reference])
    assert caseworker.get(detail).status_code == 200

    data = {
        "username": erkelenz_caseworker.username,
        "first_name": erkelenz_caseworker.first_name,
        "last_name": erkelenz_caseworker.last_name,
        "email": erkelenz_caseworker.email,
        "institution": erkelenz_caseworker.institution_id,
        "role": User.Role.LEAD,
        "is_active": "on",
    }
    url = reverse("admin:cooperation_user_change", args=[erkelenz_caseworker.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert office.post(url, data).status_code == 302
    assert caseworker.get(detail).status_code == 404
    change = StaffChange.objects.get(user=erkelenz_caseworker, state=StaffChange.State.PENDING)
    assert (change.previous_role, change.role) == (User.Role.CASEWORKER, User.Role.LEAD)
    assert [m.to for m in mailoutbox] == [[erkelenz_lead.email]]

    # Moved on before the lead decided: the old request is out of date.
    with django_capture_on_commit_callbacks(execute=True):
        office.post(url, {**data, "institution": institutions["caritas"].pk, "role": "caseworker"})
    change.refresh_from_db()
    assert change.state == StaffChange.State.SUPERSEDED
    left = StaffChange.objects.get(user=erkelenz_caseworker, kind=StaffChange.Kind.LEFT)
    assert left.institution == institutions["erkelenz"]
    moved = StaffChange.objects.get(user=erkelenz_caseworker, state=StaffChange.State.PENDING)
    assert moved.institution == institutions["caritas"]
    assert moved.previous_institution == institutions["erkelenz"]


def test_nobody_confirms_their_own_role(erkelenz_lead, institutions, coordination_office):
    from cooperation import services

    newcomer = User(
        username="neu.leitung",
        first_name="Nora",
        last_name="Neu",
        email="nora.neu@kispfam.example",
        institution=institutions["erkelenz"],
        role=User.Role.LEAD,
    )
    services.staff_invite(user=newcomer, invited_by=coordination_office)
    change = StaffChange.objects.get(user=newcomer, state=StaffChange.State.PENDING)
    own = Client()
    own.force_login(newcomer)
    assert own.get(reverse("cooperation:staff_changes")).status_code == 403
    assert (
        own.post(reverse("cooperation:staff_change_confirm", args=[change.pk])).status_code == 404
    )
    other = Client()
    other.force_login(erkelenz_lead)
    assert (
        other.post(reverse("cooperation:staff_change_confirm", args=[change.pk])).status_code == 302
    )
    newcomer.refresh_from_db()
    assert newcomer.role_is_confirmed
    assert own.get(reverse("cooperation:staff_changes")).status_code == 200


def test_a_new_institution_gets_its_first_lead_from_it_operations(
    institutions, coordination_office, superuser
):
    from cooperation import services

    first = User(
        username="erste.leitung",
        first_name="Erna",
        last_name="Erst",
        email="erna@kispfam.example",
        institution=institutions["hueckelhoven"],
        role=User.Role.LEAD,
    )
    services.staff_invite(user=first, invited_by=coordination_office)
    change = StaffChange.objects.get(user=first, state=StaffChange.State.PENDING)
    office = Client()
    office.force_login(coordination_office)
    assert (
        office.post(reverse("cooperation:staff_change_confirm", args=[change.pk])).status_code
        == 404
    )
    it = Client()
    it.force_login(superuser)
    assert it.post(reverse("cooperation:staff_change_confirm", args=[change.pk])).status_code == 302


def test_a_coordination_or_data_protection_account_never_holds_a_caseworker_role(
    office, data_protection_officer, coordination_office, institutions
):
    url = reverse("admin:cooperation_user_change", args=[data_protection_officer.pk])
    response = office.post(
        url,
        {
            "username": data_protection_officer.username,
            "first_name": "Daten",
            "last_name": "Schutz",
            "email": data_protection_officer.email,
            "institution": institutions["erkelenz"].pk,
            "role": User.Role.CASEWORKER,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    data_protection_officer.refresh_from_db()
    assert data_protection_officer.role == User.Role.DATA_PROTECTION

    # Nor by a detour through another role.
    data_protection_officer.role = User.Role.COORDINATION
    data_protection_officer.save()
    data_protection_officer.institution = institutions["erkelenz"]
    data_protection_officer.role = User.Role.CASEWORKER
    with pytest.raises(ValidationError) as refused:
        data_protection_officer.full_clean()
    assert list(refused.value.message_dict) == ["role"]

    # Nor as a second account of the same person.
    response = invite(
        office,
        institutions["erkelenz"],
        username="zweitkonto",
        email=coordination_office.email.upper(),
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="zweitkonto").exists()


def test_the_coordination_office_changes_neither_its_own_role_nor_the_email_of_an_account_in_use(
    office, coordination_office, erkelenz_caseworker
):
    own = office.get(reverse("admin:cooperation_user_change", args=[coordination_office.pk]))
    assert 'name="role"' not in own.content.decode()
    other = office.get(reverse("admin:cooperation_user_change", args=[erkelenz_caseworker.pk]))
    assert 'name="email"' not in other.content.decode()
    assert 'name="role"' in other.content.decode()


def test_no_caseworker_at_a_coordination_office(office, institutions):
    response = invite(office, institutions["koordination"])
    assert response.status_code == 200
    assert not User.objects.filter(username="neu.fachkraft").exists()


def test_every_staff_change_is_in_the_history_with_the_acting_user(
    invited, coordination_office, office
):
    assert invited.history.earliest().history_user == coordination_office
    office.post(
        reverse("admin:cooperation_user_change", args=[invited.pk]),
        {
            "username": invited.username,
            "first_name": "Paula",
            "last_name": "Neu-Schmitz",
            "email": invited.email,
            "institution": invited.institution_id,
            "role": invited.role,
            "is_active": "on",
        },
    )
    latest = invited.history.latest()
    assert (latest.last_name, latest.history_user) == ("Neu-Schmitz", coordination_office)
    details = StaffChange.objects.get(user=invited, kind=StaffChange.Kind.DETAILS_CHANGED)
    assert "Neu-Schmitz" in details.details and details.made_by == coordination_office
    # The history is read, never reverted (a revert would bring back an unconfirmed role).
    history = office.get(reverse("admin:cooperation_user_history", args=[invited.pk]))
    assert history.status_code == 200
    version = invited.history.earliest().history_id
    revert = office.post(
        reverse("admin:cooperation_user_simple_history", args=[invited.pk, version]), {}
    )
    assert (
        revert.status_code in (403, 404) or invited.history.latest().history_id == latest.history_id
    )


def test_a_lead_confirms_after_a_real_login(invited, erkelenz_lead, family_case, mailoutbox):
    """The whole way with both factors typed: the lead logs in and confirms."""
    device = totp_device(erkelenz_lead)
    lead = Client()
    lead.post(
        reverse("login"), {"username": erkelenz_lead.username, "password": factories.PASSWORD}
    )
    lead.post(reverse("cooperation:second_factor"), {"otp_token": next_token(device)})
    change = StaffChange.objects.get(user=invited)
    assert (
        lead.post(reverse("cooperation:staff_change_confirm", args=[change.pk])).status_code == 302
    )
    invited.refresh_from_db()
    assert invited.role_is_confirmed


def test_a_corrected_address_gets_a_new_link_and_the_old_one_dies(
    invited, office, mailoutbox, django_capture_on_commit_callbacks
):
    old = next(link_in(m) for m in mailoutbox if m.to == [invited.email])
    with django_capture_on_commit_callbacks(execute=True):
        response = office.post(
            reverse("admin:cooperation_user_change", args=[invited.pk]),
            {
                "username": invited.username,
                "first_name": "Paula",
                "last_name": "Neu",
                "email": "p.neu@kispfam.example",
                "institution": invited.institution_id,
                "role": invited.role,
                "is_active": "on",
            },
        )
    assert response.status_code == 302
    new = [link_in(m) for m in mailoutbox if m.to == ["p.neu@kispfam.example"]]
    assert len(new) == 1
    assert Client().get("/" + old.split("://", 1)[1].split("/", 1)[1]).status_code == 410
    accept(new[0])
