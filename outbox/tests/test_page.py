"""The outbox page: the coordination office sees its cooperation's mail, and sends a
failed one again. Never a family, a case reference or an address."""

import pytest
from django.urls import reverse

from outbox.models import OutboxMessage

from .conftest import queue

State = OutboxMessage.State
URL = reverse("outbox:list")


@pytest.fixture
def messages(heinsberg, lindenbrueck, institutions, django_capture_on_commit_callbacks):
    """Heinsberg: one sent, one failed (to Caritas); Lindenbrück: one queued."""
    with django_capture_on_commit_callbacks(execute=False):
        sent = queue(heinsberg, [institutions["erkelenz"]], listed="Erinnerung: Gremiumssitzung")
        failed = queue(heinsberg, [institutions["caritas"]])
        other = queue(lindenbrueck, listed="Einladung: Sitzung in Lindenbrück")
    OutboxMessage.objects.filter(pk=sent.pk).update(state=State.SENT, attempts=1, content={})
    OutboxMessage.objects.filter(pk=failed.pk).update(state=State.FAILED, attempts=6)
    return {"sent": sent, "failed": failed, "other": other}


def test_the_coordination_office_sees_its_cooperations_mail(
    signed_in, coordination_office, messages
):
    page = signed_in(coordination_office).get(URL).content.decode()

    assert "Erinnerung: Gremiumssitzung" in page
    assert "Einladung: Beteiligtenkonferenz" in page
    assert "Caritas" in page and "JA Erkelenz" in page
    assert "Lindenbrück" not in page
    # The listed subject, not the subject: no case reference, and no address.
    assert "HS-2026-0001" not in page
    assert "lena.caritas@kispfam.example" not in page
    # The failed one can be sent again.
    assert reverse("outbox:resend", args=[messages["failed"].pk]) in page
    assert reverse("outbox:resend", args=[messages["sent"].pk]) not in page


def test_it_filters_by_state(signed_in, coordination_office, messages):
    page = signed_in(coordination_office).get(URL, {"state": "failed"}).content.decode()
    assert "Einladung: Beteiligtenkonferenz" in page
    assert "Erinnerung: Gremiumssitzung" not in page


def test_another_cooperations_office_sees_only_its_own(
    signed_in, lindenbrueck_coordination, messages
):
    page = signed_in(lindenbrueck_coordination).get(URL).content.decode()
    assert "Einladung: Sitzung in Lindenbrück" in page
    assert "Gremiumssitzung" not in page


def test_the_superuser_sees_all(signed_in, superuser, messages):
    page = signed_in(superuser).get(URL).content.decode()
    assert "Gremiumssitzung" in page and "Lindenbrück" in page


@pytest.mark.parametrize("persona", ["erkelenz_caseworker", "data_protection_officer"])
def test_it_is_refused_to_everyone_else(request, signed_in, persona, messages):
    assert signed_in(request.getfixturevalue(persona)).get(URL).status_code == 403


def test_it_requires_login(client, messages):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_failed_mail_is_sent_again(
    signed_in, coordination_office, messages, mailoutbox, django_capture_on_commit_callbacks
):
    failed = messages["failed"]
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(coordination_office).post(reverse("outbox:resend", args=[failed.pk]))

    assert response.status_code == 302
    assert response["Location"] == URL
    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == (State.SENT, 1)
    assert [m.to for m in mailoutbox] == [["lena.caritas@kispfam.example"]]


def test_only_a_failed_mail_is_sent_again(signed_in, coordination_office, messages):
    office = signed_in(coordination_office)
    response = office.post(reverse("outbox:resend", args=[messages["sent"].pk]))
    assert response.status_code == 403
    assert "failed" in response.content.decode() or "fehlgeschlagen" in response.content.decode()


def test_resending_rejects_get(signed_in, coordination_office, messages):
    url = reverse("outbox:resend", args=[messages["failed"].pk])
    assert signed_in(coordination_office).get(url).status_code == 405


def test_another_cooperations_mail_is_not_found(signed_in, lindenbrueck_coordination, messages):
    url = reverse("outbox:resend", args=[messages["failed"].pk])
    assert signed_in(lindenbrueck_coordination).post(url).status_code == 404
