"""The printed catalogue of offers is rendered by a worker, never inside a request.

A few hundred offers take WeasyPrint several seconds. The first request for a selection
queues the worker and shows "being created" (an htmx poll of the same URL); the worker
stores the PDF under the fingerprint of its HTML, and every reader of the same list
that day gets that file, with its SHA-256 as ETag. Another selection, or a changed
offer, is another list and is rendered anew.
"""

import hashlib

import pytest
from django.urls import reverse

from concept import tasks
from concept.models import Offer, OfferCatalogueRendering
from tests import factories

PDF = reverse("concept:offers_pdf")
WAITING = 'data-hx-trigger="every 2s"'
POLL = {"HTTP_HX_REQUEST": "true"}

pytestmark = pytest.mark.django_db


@pytest.fixture
def offers(institutions) -> list[Offer]:
    return [
        Offer.objects.create(
            institution=institutions["caritas"],
            name="Kindergruppe Leuchtturm",
            target_group="Kinder von 8 bis 12 Jahren mit einem suchtkranken Elternteil",
        ),
        Offer.objects.create(
            institution=institutions["diakonie"],
            name="Elterngruppe Sucht und Familie",
            target_group="Suchtkranke Mütter und Väter",
            field_of_action="B",
        ),
    ]


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_request_queues_the_worker_and_renders_nothing_itself(
    client, caritas_caseworker, offers, django_capture_on_commit_callbacks
):
    client.force_login(caritas_caseworker)

    with django_capture_on_commit_callbacks() as queued:
        response = client.get(PDF)

    assert response.status_code == 200
    assert WAITING in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert len(queued) == 1
    assert not OfferCatalogueRendering.objects.exists()


def test_the_stored_catalogue_is_served_to_every_reader_of_the_same_list(
    client, caritas_caseworker, erkelenz_caseworker, offers, django_capture_on_commit_callbacks
):
    client.force_login(caritas_caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(PDF)
    rendering = OfferCatalogueRendering.objects.get()

    ready = client.get(PDF, **POLL)
    assert WAITING not in ready.content.decode() and f'href="{PDF}"' in ready.content.decode()
    client.force_login(erkelenz_caseworker)
    with django_capture_on_commit_callbacks() as queued:
        response = client.get(PDF)

    content = body_of(response)
    assert response["Content-Type"] == "application/pdf"
    assert response["ETag"] == f'"{rendering.sha256}"'
    assert hashlib.sha256(content).hexdigest() == rendering.sha256
    assert queued == []
    assert OfferCatalogueRendering.objects.count() == 1


def test_another_selection_and_a_changed_offer_are_rendered_anew(
    client, caritas_caseworker, offers, django_capture_on_commit_callbacks
):
    client.force_login(caritas_caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(PDF)
        client.get(PDF, {"field": "B"})
    assert OfferCatalogueRendering.objects.count() == 2
    served = body_of(client.get(PDF, {"field": "B"}))
    assert hashlib.sha256(served).hexdigest() in set(
        OfferCatalogueRendering.objects.values_list("sha256", flat=True)
    )

    offers[0].name = "Kindergruppe Leuchtturm (neu)"
    offers[0].save()

    assert WAITING in client.get(PDF).content.decode()


def test_the_task_carries_the_reader_and_the_filters_and_stores_once(
    caritas_caseworker, offers, institutions
):
    selection = tasks.selection_of(
        {"q": "Gruppe", "field": "B", "institution": institutions["diakonie"]}
    )
    assert selection == f"q=Gruppe&field=B&institution={institutions['diakonie'].pk}"

    assert tasks.render_offer_catalogue.call(caritas_caseworker.pk, selection) == "stored"
    assert tasks.render_offer_catalogue.call(caritas_caseworker.pk, selection) == "stored already"
    assert OfferCatalogueRendering.objects.count() == 1


def test_the_poll_queues_no_task_and_staff_without_a_catalogue_get_none(
    client, caritas_caseworker, offers, django_capture_on_commit_callbacks
):
    client.force_login(caritas_caseworker)
    with django_capture_on_commit_callbacks() as queued:
        assert WAITING in client.get(PDF, **POLL).content.decode()
    assert queued == []

    client.force_login(factories.make_user(None, username="ohne.einrichtung"))
    with django_capture_on_commit_callbacks() as queued:
        assert client.get(PDF).status_code == 403
        assert client.get(PDF, **POLL).status_code == 403
    assert queued == []


def test_another_cooperation_never_gets_this_catalogue(
    client,
    caritas_caseworker,
    lindenbrueck_coordination,
    offers,
    django_capture_on_commit_callbacks,
):
    client.force_login(caritas_caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(PDF)
    client.force_login(lindenbrueck_coordination)

    assert WAITING in client.get(PDF).content.decode()
