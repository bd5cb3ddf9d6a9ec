"""A published Kurzkonzept: its text fixed when the coordination office publishes it, its
PDF rendered once by a task, stored with its SHA-256 and served as a file; "being
created" with an htmx poll until the task has run."""

import hashlib
import io

import pypdf
import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import translation

import common.pdf
from concept import services, tasks
from concept.models import KurzkonzeptEdition, KurzkonzeptRendering

WAITING = 'data-hx-trigger="every 2s"'


def edition_url(number: int) -> str:
    return reverse("concept:edition_pdf", args=[number])


@pytest.fixture
def renderer_forbidden(monkeypatch):
    def refuse(html):
        raise AssertionError("a request rendered a PDF")

    monkeypatch.setattr(common.pdf, "write_pdf", refuse)


def test_publishing_fixes_the_text_and_the_task_stores_the_pdf_with_its_hash(
    client, concept, coordination_office, django_capture_on_commit_callbacks
):
    concept.reasons = "Wir kooperieren seit Mai 2016 verbindlich."
    concept.save()
    client.force_login(coordination_office)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("concept:publish"))
    assert response.status_code == 302
    edition = KurzkonzeptEdition.objects.get()
    assert (edition.number, edition.published_by) == (1, coordination_office)
    assert "Wir kooperieren seit Mai 2016 verbindlich." in edition.html
    content = edition.pdf.read()
    assert content.startswith(b"%PDF-")
    assert edition.sha256 == hashlib.sha256(content).hexdigest()
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)
    assert "Wir kooperieren seit Mai 2016" in " ".join(text.split())

    # Later changes do not reach the published edition.
    concept.reasons = "Ganz andere Gründe."
    concept.save()
    edition.refresh_from_db()
    assert "Ganz andere Gründe." not in edition.html
    assert tasks.render_kurzkonzept.call(edition.pk) == "stored already"


def test_the_edition_is_served_from_storage_without_rendering(
    client, concept, coordination_office, committee_member, renderer_forbidden
):
    edition = services.kurzkonzept_publish(
        cooperation=concept.cooperation, published_by=coordination_office
    )
    edition.pdf.save("k.pdf", ContentFile(b"%PDF-1.7 stored bytes"), save=False)
    edition.sha256 = hashlib.sha256(b"%PDF-1.7 stored bytes").hexdigest()
    edition.save()
    client.force_login(committee_member)
    response = client.get(edition_url(1))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.7 stored bytes"
    assert response["ETag"] == f'"{edition.sha256}"'
    assert client.get(edition_url(1), HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_until_the_task_has_run_the_page_polls(
    client, concept, coordination_office, renderer_forbidden
):
    services.kurzkonzept_publish(cooperation=concept.cooperation, published_by=coordination_office)
    client.force_login(coordination_office)
    page = client.get(edition_url(1), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    with translation.override("de"):
        assert translation.gettext("Being created …") in page
    assert WAITING in page and f'data-hx-get="{edition_url(1)}"' in page
    overview = client.get(reverse("concept:overview")).content.decode()
    assert edition_url(1) in overview


def test_publishing_the_same_text_again_is_refused(
    client, concept, coordination_office, django_capture_on_commit_callbacks
):
    client.force_login(coordination_office)
    client.post(reverse("concept:publish"))
    response = client.post(reverse("concept:publish"), follow=True)
    assert KurzkonzeptEdition.objects.count() == 1
    assert "1" in response.content.decode()


@pytest.mark.parametrize("persona", ["committee_member", "caritas_caseworker"])
def test_only_the_coordination_office_publishes(request, client, concept, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(reverse("concept:publish")).status_code == 403
    assert not KurzkonzeptEdition.objects.exists()


def test_another_cooperations_edition_does_not_exist_for_it(
    client, concept, coordination_office, lindenbrueck_coordination
):
    services.kurzkonzept_publish(cooperation=concept.cooperation, published_by=coordination_office)
    client.force_login(lindenbrueck_coordination)
    assert client.get(edition_url(1)).status_code == 404


# --- the Kurzkonzept as it reads now: on demand, by a task ---------------------------


def test_the_current_kurzkonzept_is_rendered_by_a_task_and_kept_while_its_text_holds(
    client, concept, coordination_office, django_capture_on_commit_callbacks
):
    client.force_login(coordination_office)
    target = reverse("concept:pdf")
    with django_capture_on_commit_callbacks(execute=True):
        waiting = client.get(target)
    assert WAITING in waiting.content.decode()  # the request itself rendered nothing
    first = KurzkonzeptRendering.objects.get()
    served = b"".join(client.get(target).streaming_content)
    assert hashlib.sha256(served).hexdigest() == first.sha256

    # A changed text asks for a new rendering; the old one is removed.
    concept.reasons = "Neue Gründe."
    concept.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert WAITING in client.get(target).content.decode()
    second = KurzkonzeptRendering.objects.get()
    assert second.fingerprint != first.fingerprint
