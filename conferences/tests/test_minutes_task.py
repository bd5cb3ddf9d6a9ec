"""The approved protocol is rendered once, by a task, never inside a request.

The organiser approves yesterday's Beteiligtenkonferenz of family Beispiel; the approval
answers at once and the protocol's download says "being created" (an htmx poll of the
same URL) until the worker has stored the two PDFs, the full one and the one without
the health section. From then on the stored bytes are served, with their SHA-256 as
ETag. Whoever may not see the meeting gets a 404, on the waiting page and its poll
alike; every look at the protocol is in the access log. The clock stands at 25.11.2026.
"""

import datetime
import hashlib
import io

import pypdf
import pytest
import time_machine

from cases.models import AccessLog
from common.uploads import private_storage
from conferences import services, tasks
from conferences.models import Action, Meeting, Minutes
from tests.german import german

from .conftest import url

pytestmark = pytest.mark.django_db
HEALTH_TEXT = "Mutter in Substitution (Methadon), Beigebrauch verneint"
POLL = {"HTTP_HX_REQUEST": "true"}


def text_of(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def circulated(yesterdays) -> Meeting:
    """Yesterday's minutes, with a health section, sent round for approval."""
    health = yesterdays.agenda.get(is_health=True)
    services.minutes_save(
        minutes=yesterdays.minutes,
        version=yesterdays.minutes.version,
        texts={health.pk: {"minutes": HEALTH_TEXT}},
    )
    services.minutes_circulate(minutes=yesterdays.minutes)
    yesterdays.refresh_from_db()
    return yesterdays


@pytest.fixture
def approved_not_rendered(circulated, signed_in, erkelenz_caseworker) -> Meeting:
    """Approved by the organiser through the page; the worker has not run yet (the
    test's transaction never commits, so the task is never started)."""
    response = signed_in(erkelenz_caseworker).post(url("approve", circulated.pk))
    assert response.status_code == 302
    circulated.refresh_from_db()
    return circulated


def render(meeting: Meeting) -> str:
    """What the worker does: render and store the approved protocol."""
    return tasks.render_protocol.call(meeting.minutes.pk)


def test_the_approval_stores_no_protocol_until_the_task_has_run(
    approved_not_rendered, signed_in, erkelenz_caseworker
):
    minutes = approved_not_rendered.minutes
    assert minutes.status == Minutes.Status.APPROVED
    assert approved_not_rendered.state == Meeting.State.APPROVED
    assert not minutes.pdf and not minutes.sha256

    response = signed_in(erkelenz_caseworker).get(url("pdf", approved_not_rendered.pk))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert german("Being created …") in page
    assert f'data-hx-get="{url("pdf", approved_not_rendered.pk)}"' in page
    assert 'data-hx-trigger="every 2s"' in page
    # The meeting page links the protocol and names no checksum yet.
    detail = signed_in(erkelenz_caseworker).get(approved_not_rendered.get_absolute_url())
    assert url("pdf", approved_not_rendered.pk) in detail.content.decode()
    assert "SHA-256" not in detail.content.decode()


def test_the_poll_turns_into_the_link_once_the_task_has_stored_the_protocol(
    approved_not_rendered, signed_in, erkelenz_caseworker
):
    browser = signed_in(erkelenz_caseworker)
    pdf_url = url("pdf", approved_not_rendered.pk)
    waiting = browser.get(pdf_url, **POLL)
    assert waiting.status_code == 200
    assert "data-hx-trigger" in waiting.content.decode()

    assert render(approved_not_rendered) == "stored"

    ready = browser.get(pdf_url, **POLL)
    assert ready.status_code == 200
    assert "no-store" in ready["Cache-Control"]
    assert "data-hx-trigger" not in ready.content.decode()
    assert f'href="{pdf_url}"' in ready.content.decode()
    assert german("Download the PDF") in ready.content.decode()


def test_the_stored_protocol_is_served_with_its_sha256_as_etag(
    approved_not_rendered, signed_in, erkelenz_caseworker
):
    render(approved_not_rendered)
    minutes = Minutes.objects.get(meeting=approved_not_rendered)
    browser = signed_in(erkelenz_caseworker)

    response = browser.get(url("pdf", approved_not_rendered.pk))

    content = body_of(response)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["ETag"] == f'"{minutes.sha256}"'
    assert hashlib.sha256(content).hexdigest() == minutes.sha256
    # A case conference's protocol is family data: never kept by any cache.
    assert "no-store" in response["Cache-Control"]
    assert HEALTH_TEXT in text_of(content)
    assert "Sabine Beispiel" in text_of(content)
    # The browser that has it gets a 304, still not to be stored.
    again = browser.get(url("pdf", approved_not_rendered.pk), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert "no-store" in again["Cache-Control"]


def test_a_reader_without_health_release_gets_the_protocol_without_health_data(
    approved_not_rendered, signed_in, caritas_caseworker
):
    render(approved_not_rendered)
    minutes = Minutes.objects.get(meeting=approved_not_rendered)

    response = signed_in(caritas_caseworker).get(url("pdf", approved_not_rendered.pk))

    content = body_of(response)
    assert response["ETag"] == f'"{minutes.sha256_without_health}"'
    assert hashlib.sha256(content).hexdigest() == minutes.sha256_without_health
    assert minutes.sha256_without_health != minutes.sha256
    text = text_of(content)
    assert HEALTH_TEXT not in text
    assert "Gesundheitsdaten ist in dieser Fassung nicht enthalten" in text


def test_a_second_run_of_the_task_stores_nothing_more(approved_not_rendered):
    assert render(approved_not_rendered) == "stored"
    minutes = Minutes.objects.get(meeting=approved_not_rendered)
    files = private_storage.listdir("minutes")[1]

    assert render(approved_not_rendered) == "stored already"

    again = Minutes.objects.get(meeting=approved_not_rendered)
    assert (again.pdf.name, again.sha256) == (minutes.pdf.name, minutes.sha256)
    assert (again.pdf_without_health.name, again.sha256_without_health) == (
        minutes.pdf_without_health.name,
        minutes.sha256_without_health,
    )
    assert private_storage.listdir("minutes")[1] == files
    assert sorted(files) == sorted(
        name.removeprefix("minutes/")
        for name in (minutes.pdf.name, minutes.pdf_without_health.name)
    )


def test_a_lost_task_is_queued_again_by_the_waiting_page(
    approved_not_rendered, signed_in, erkelenz_caseworker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(erkelenz_caseworker).get(url("pdf", approved_not_rendered.pk))

    assert Minutes.objects.get(meeting=approved_not_rendered).sha256


def test_the_poll_queues_no_task(
    approved_not_rendered, signed_in, erkelenz_caseworker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        signed_in(erkelenz_caseworker).get(url("pdf", approved_not_rendered.pk), **POLL)

    assert queued == []


def test_an_outsider_gets_a_404_on_the_waiting_page_and_its_poll(
    approved_not_rendered, signed_in, uninvolved_caseworker, django_capture_on_commit_callbacks
):
    outsider = signed_in(uninvolved_caseworker)
    with django_capture_on_commit_callbacks() as queued:
        assert outsider.get(url("pdf", approved_not_rendered.pk)).status_code == 404
        assert outsider.get(url("pdf", approved_not_rendered.pk), **POLL).status_code == 404
    render(approved_not_rendered)
    assert outsider.get(url("pdf", approved_not_rendered.pk)).status_code == 404

    assert queued == []
    assert not AccessLog.objects.filter(user=uninvolved_caseworker).exists()


def test_every_look_at_the_protocol_is_in_the_access_log(
    approved_not_rendered, signed_in, caritas_caseworker
):
    caritas = signed_in(caritas_caseworker)
    pdf_url = url("pdf", approved_not_rendered.pk)
    reads = AccessLog.objects.filter(
        user=caritas_caseworker,
        case=approved_not_rendered.case,
        what=AccessLog.What.CONFERENCE_PDF,
    )

    caritas.get(pdf_url)
    caritas.get(pdf_url, **POLL)
    render(approved_not_rendered)
    body_of(caritas.get(pdf_url))

    assert reads.count() == 3


def test_draft_minutes_are_not_rendered_by_the_task(circulated):
    assert render(circulated) == "not approved"
    assert not Minutes.objects.get(meeting=circulated).pdf


def test_an_action_marked_done_before_the_worker_ran_prints_as_it_stood_at_the_approval(
    circulated, institutions, erkelenz_caseworker
):
    action = Action.objects.create(
        meeting=circulated,
        what="Anmeldung zur Elterngruppe",
        institution=institutions["caritas"],
        due_on=datetime.date(2026, 12, 15),
    )
    services.minutes_approve(minutes=circulated.minutes, approved_by=erkelenz_caseworker)
    # An hour later, before the worker got to it, Caritas records the action as done.
    with time_machine.travel(datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC)):
        action.status = Action.Status.DONE
        action.done_on = datetime.date(2026, 11, 25)
        action.save()

    render(circulated)

    circulated.minutes.refresh_from_db()
    protocol = text_of(circulated.minutes.pdf.read())
    assert "Anmeldung zur Elterngruppe" in protocol
    assert "offen" in protocol and "erledigt" not in protocol
    assert "(25.11.2026)" not in protocol
