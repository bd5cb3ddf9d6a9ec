"""A form sent twice creates one record: a double click, a resent POST, two tabs, or two
requests at the very same moment (``common.forms.OneTimeSubmissionMixin``)."""

import re
import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import (
    Case,
    Consent,
    Consultation,
    Disclosure,
    FamilyMember,
    FormSubmission,
    HealthSituation,
    Involvement,
    ProgressNote,
)
from cooperation.models import User
from tests import factories
from tests.german import label


def token_in(html: str) -> str:
    match = re.search(r'name="submission" value="([^"]+)"', html)
    assert match, "the form carries no one-time token"
    return match.group(1)


def today() -> str:
    return timezone.localdate().isoformat()


@pytest.fixture
def specialist(kreisjugendamt_caseworker):
    return services.specialist_designate(user=kreisjugendamt_caseworker, designated_by=None)


def forms(case, institutions, specialist) -> dict:
    """Each form that creates a record: its URL, what is typed, what it creates."""
    mother = case.members.get()
    ref = case.reference
    return {
        "note": (
            reverse("cases:note_add", args=[ref]),
            {"date": today(), "category": "notes", "text": "Hausbesuch"},
            ProgressNote,
        ),
        "member": (
            reverse("cases:member_add", args=[ref]),
            {"kind": "child", "first_name": "Mia", "last_name": "Beispiel"},
            FamilyMember,
        ),
        "health": (
            reverse("cases:health_edit", args=[ref, mother.pk]),
            {"substance": "Alkohol"},
            HealthSituation,
        ),
        "involvement": (
            reverse("cases:involvement_add", args=[ref]),
            {"institution": institutions["caritas"].pk, "since": today()},
            Involvement,
        ),
        "consent": (
            reverse("cases:consent_add", args=[ref]),
            {
                "record_as": "requested",
                "given_by": mother.pk,
                "recipients": [institutions["caritas"].pk],
                "categories": ["master"],
                "purpose": "Abstimmung der Hilfen",
                "kind": "recurring",
                "valid_from": today(),
                "form": "electronic",
            },
            Consent,
        ),
        "disclosure": (
            reverse("cases:disclosure_add", args=[ref]),
            {
                "basis": Disclosure.Basis.SGB_VIII_8A,
                "family_work_tried": "true",
                "family_work": "Gespräche im Hilfeplanverfahren.",
                "specialist_consulted": "true",
                "specialist_note": "Einschätzung mehrerer Fachkräfte.",
                "family_informed": "true",
                "to_institution": institutions["gesundheitsamt"].pk,
                "categories": ["family"],
                "disclosed_on": today(),
                "reason": "Gewichtige Anhaltspunkte",
            },
            Disclosure,
        ),
        "consultation": (
            reverse("cases:consultation_add", args=[ref]),
            {
                "specialist": specialist.pk,
                "pseudonym": "Familie M.",
                "summary": "Mutter (35), Kind (6).",
                "question": "Gewichtige Anhaltspunkte?",
            },
            Consultation,
        ),
        "case_open": (
            reverse("cases:open"),
            {"kind": "father", "last_name": "Muster"},
            Case,
        ),
    }


KINDS = ["note", "member", "health", "involvement", "consent", "disclosure", "consultation"]


@pytest.mark.parametrize("kind", [*KINDS, "case_open"])
def test_a_form_sent_twice_creates_one_record(
    signed_in, family_case, institutions, erkelenz_caseworker, specialist, kind
):
    url, typed, model = forms(family_case, institutions, specialist)[kind]
    erkelenz = signed_in(erkelenz_caseworker)
    data = {**typed, "submission": token_in(erkelenz.get(url).content.decode())}
    before = model.objects.count()

    first = erkelenz.post(url, data)
    second = erkelenz.post(url, data)

    assert first.status_code == 302, first.context["form"].errors
    assert model.objects.count() == before + 1
    assert second.status_code == 302
    assert second["Location"] == first["Location"]
    page = erkelenz.get(second["Location"]).content.decode()
    assert label("This form was already sent; it was saved once.") in page


def test_a_form_refused_and_corrected_is_still_one_submission(
    signed_in, family_case, erkelenz_caseworker
):
    url = reverse("cases:note_add", args=[family_case.reference])
    erkelenz = signed_in(erkelenz_caseworker)
    token = token_in(erkelenz.get(url).content.decode())

    refused = erkelenz.post(
        url, {"date": today(), "category": "notes", "text": "", "submission": token}
    )
    assert refused.status_code == 400
    assert token_in(refused.content.decode()) == token
    saved = erkelenz.post(
        url, {"date": today(), "category": "notes", "text": "Hausbesuch", "submission": token}
    )

    assert saved.status_code == 302
    assert ProgressNote.objects.count() == 1


def test_each_rendered_form_gets_its_own_token(signed_in, family_case, erkelenz_caseworker):
    url = reverse("cases:note_add", args=[family_case.reference])
    erkelenz = signed_in(erkelenz_caseworker)
    first, second = (token_in(erkelenz.get(url).content.decode()) for _ in range(2))
    assert first != second
    for token in (first, second):
        erkelenz.post(url, {"date": today(), "category": "notes", "text": "x", "submission": token})
    assert ProgressNote.objects.count() == 2


def test_another_users_token_creates_nothing_and_reveals_nothing(
    signed_in, family_case, institutions, erkelenz_caseworker
):
    colleague = factories.make_user(institutions["erkelenz"], username="erkelenz.zweite")
    url = reverse("cases:note_add", args=[family_case.reference])
    mine = signed_in(erkelenz_caseworker)
    token = token_in(mine.get(url).content.decode())
    mine.post(url, {"date": today(), "category": "notes", "text": "x", "submission": token})

    theirs = signed_in(colleague).post(
        url, {"date": today(), "category": "notes", "text": "y", "submission": token}
    )

    assert ProgressNote.objects.count() == 1
    assert theirs["Location"] == reverse("cases:list")
    assert FormSubmission.objects.get(token=token).user == erkelenz_caseworker


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_posts_of_one_note_store_one_note(
    family_case, erkelenz_caseworker, monkeypatch
):
    """Two requests with the same form, at the same moment: the second waits for the
    first at the unique token and then creates nothing (PostgreSQL; SQLite serialises
    all writes anyway and cannot share a test database between threads)."""
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent requests need PostgreSQL (SQLite runs one writer at a time).")
    url = reverse("cases:note_add", args=[family_case.reference])
    client = Client()
    client.force_login(erkelenz_caseworker)
    token = token_in(client.get(url).content.decode())
    data = {"date": today(), "category": "notes", "text": "Hausbesuch", "submission": token}

    # Saving a note takes a while: both requests are inside their transactions at once.
    slow_save = services.record_save

    def record_save(**kwargs):
        time.sleep(0.5)
        return slow_save(**kwargs)

    monkeypatch.setattr(services, "record_save", record_save)
    start = threading.Barrier(2)
    statuses = []

    def post():
        try:
            browser = Client()
            browser.force_login(User.objects.get(pk=erkelenz_caseworker.pk))
            start.wait()
            statuses.append(browser.post(url, data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert statuses == [302, 302]
    assert ProgressNote.objects.filter(case=family_case).count() == 1
