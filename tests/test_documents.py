"""Every kind of PDF the application serves is tagged PDF/A-3b, read back from the demo.

The demo is loaded as ``make run`` loads it; each document is fetched through its URL by
a demo persona who may read it, exactly as a browser would get it.
"""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from agreements.models import Agreement, GuidelineVersion
from cases.models import Consent
from conferences.models import Meeting, Minutes, Participant
from cooperation.models import User

from .pdf_checks import archival_problems, pages_text


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _served_documents() -> list[tuple[str, str, str]]:
    """(kind, persona, URL) of one document of every kind the application serves."""
    consent = Consent.objects.filter(
        status=Consent.Status.GIVEN, source_institution__staff__username="erkelenz.fachkraft"
    ).first()
    approved = Meeting.objects.filter(
        kind=Meeting.Kind.CASE_CONFERENCE, minutes__status=Minutes.Status.APPROVED
    ).first()
    sitting = Meeting.objects.filter(
        kind=Meeting.Kind.COMMITTEE_SITTING, minutes__status=Minutes.Status.APPROVED
    ).first()
    letter = Participant.objects.filter(
        kind=Participant.Kind.FAMILY, meeting__state=Meeting.State.INVITED
    ).first()
    organiser = letter.meeting.organiser.username
    agreement = Agreement.objects.get(cooperation__code="HS")
    version = GuidelineVersion.objects.latest_of(agreement.cooperation)
    lead = approved.organiser.username
    return [
        (
            "consent form",
            "erkelenz.fachkraft",
            reverse("cases:consent_pdf", args=[consent.case.reference, consent.pk]),
        ),
        ("approved protocol", lead, reverse("conferences:pdf", args=[approved.pk])),
        ("committee protocol", "koordination", reverse("conferences:pdf", args=[sitting.pk])),
        (
            "invitation letter",
            organiser,
            reverse("conferences:letter", args=[letter.meeting_id, letter.pk]),
        ),
        ("agreement", "koordination", reverse("agreements:agreement_pdf", args=[agreement.pk])),
        (
            "Leitfaden",
            "koordination",
            reverse("agreements:guideline_pdf", args=[version.guideline_id, version.number]),
        ),
        ("Kurzkonzept", "koordination", reverse("concept:pdf")),
        ("catalogue of offers", "koordination", reverse("concept:offers_pdf")),
        ("statistics", "koordination", reverse("reports:pdf")),
    ]


@pytest.mark.django_db
def test_every_kind_of_pdf_is_tagged_pdf_a_in_german_with_page_numbers(
    settings, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    # As ``make run`` loads it: the tasks its writes queue run once they commit.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    # The demo ends with every approved protocol rendered and stored.
    approved = Minutes.objects.filter(status=Minutes.Status.APPROVED)
    assert approved.exists()
    assert not approved.filter(sha256="").exists()
    assert not approved.filter(meeting__case__isnull=False, sha256_without_health="").exists()
    problems = {}
    for kind, persona, url in _served_documents():
        # Immutable documents are rendered by a task: the first request queues it ("being
        # created"), the worker runs it (here: when the request's transaction commits).
        with django_capture_on_commit_callbacks(execute=True):
            response = _client(persona).get(url, HTTP_ACCEPT_LANGUAGE="en")
        if response["Content-Type"].startswith("text/html"):
            response = _client(persona).get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, f"{kind}: {url} answered {response.status_code}"
        assert response["Content-Type"] == "application/pdf"
        assert "filename=" in response["Content-Disposition"]
        content = b"".join(response.streaming_content) if response.streaming else response.content
        found = archival_problems(content)
        pages = pages_text(content)
        if kind != "invitation letter" and not pages[-1].endswith(
            f"Seite {len(pages)} von {len(pages)}"
        ):
            found.append(f"the last page does not end with 'Seite {len(pages)} von {len(pages)}'")
        if found:
            problems[kind] = found
    assert not problems
