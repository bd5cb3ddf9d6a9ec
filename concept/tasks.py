"""The tasks that turn the Kurzkonzept and the catalogue of offers into PDFs (queue
"default"): a published edition once; the current text, and the catalogue with the
reader's filters, on demand, each kept while what it prints stays the same."""

import datetime
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import QueryDict
from django.tasks import task
from django.utils import timezone

from common.pdf import write_pdf
from common.pending import fingerprint, save_rendering, store_pdf
from cooperation.models import Cooperation, User

from . import documents, services
from .forms import OfferFilterForm
from .models import KurzkonzeptEdition, KurzkonzeptRendering, OfferCatalogueRendering
from .permissions import get_catalogue_for_user_or_403, offers_visible_to


@task()
def render_kurzkonzept(edition_id: int) -> str:
    """WeasyPrint on the edition's fixed HTML; the PDF and its SHA-256 are stored."""
    edition = KurzkonzeptEdition.objects.select_related("cooperation").get(pk=edition_id)
    if edition.pdf:
        return "stored already"
    content = write_pdf(edition.html)
    with transaction.atomic():
        locked = KurzkonzeptEdition.objects.select_for_update().get(pk=edition_id)
        if locked.pdf:
            return "stored already"
        locked.sha256 = store_pdf(
            locked.pdf,
            f"kurzkonzept-{edition.cooperation.code}-{edition.number}.pdf",
            content,
        )
        locked.save(update_fields=["pdf", "sha256"])
    return "stored"


def current_html(cooperation) -> tuple[str, str]:
    """(HTML, its SHA-256) of the Kurzkonzept as it reads now: cheap, no WeasyPrint."""
    concept = services.concept_for_cooperation(cooperation=cooperation)
    html = documents.kurzkonzept_html(concept)
    return html, fingerprint(html)


@task()
def render_current_kurzkonzept(cooperation_id: int) -> str:
    """Render the Kurzkonzept as it reads now; older renderings are removed."""
    cooperation = Cooperation.objects.get(pk=cooperation_id)
    html, fingerprint = current_html(cooperation)
    mine = KurzkonzeptRendering.objects.filter(cooperation=cooperation)
    if mine.filter(fingerprint=fingerprint).exists():
        return "stored already"
    return save_rendering(
        KurzkonzeptRendering(cooperation=cooperation, fingerprint=fingerprint),
        name=f"kurzkonzept-{cooperation.code}-{fingerprint[:12]}.pdf",
        html=html,
        older=mine,
    )


def selection_of(filters: dict) -> str:
    """The catalogue's filters (``OfferFilterForm.filters``) as a query string, the same
    for the same selection: what the task is given, instead of the request's."""
    institution = filters.get("institution")
    return urlencode(
        [
            (name, value)
            for name, value in (
                ("q", filters.get("q") or ""),
                ("field", filters.get("field") or ""),
                ("institution", institution.pk if institution else ""),
            )
            if value
        ]
    )


def catalogue_html(user: User, selection: str) -> tuple[str, str]:
    """(HTML, its SHA-256) of the catalogue as ``user`` reads it with the filters of
    ``selection``: cheap, no WeasyPrint. PermissionDenied for a user without one."""
    cooperation = get_catalogue_for_user_or_403(user).cooperation
    filters = OfferFilterForm(QueryDict(selection), cooperation=cooperation).filters()
    offers = offers_visible_to(user).selected(filters)
    html = documents.offers_html(cooperation, offers, filters)
    return html, fingerprint(html)


@task()
def render_offer_catalogue(user_id: int, selection: str) -> str:
    """Render the catalogue of offers as the user asked for it (``selection``: the
    filters, ``selection_of``); renderings of earlier days are removed."""
    user = User.objects.select_related("institution__cooperation").get(pk=user_id)
    try:
        html, fingerprint = catalogue_html(user, selection)
    except PermissionDenied:
        return "no catalogue"  # the reader left the cooperation meanwhile
    cooperation = user.cooperation
    mine = OfferCatalogueRendering.objects.filter(cooperation=cooperation)
    if mine.filter(fingerprint=fingerprint).exists():
        return "stored already"
    # Every catalogue prints its day: one rendered more than a day ago is never asked
    # for again. Newer ones (other selections, other readers) stay.
    return save_rendering(
        OfferCatalogueRendering(cooperation=cooperation, fingerprint=fingerprint),
        name=f"angebote-{cooperation.code}-{fingerprint[:12]}.pdf",
        html=html,
        older=mine.filter(rendered_at__lt=timezone.now() - datetime.timedelta(days=1)),
    )
