"""Pages of the Gesamtkonzept. Every view asks ``concept.permissions`` first.

No URL names a cooperation or a record of the concept: each page shows the requesting
user's own cooperation, so no one reaches another cooperation's concept.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.access import require
from common.http import file_response
from common.pending import enqueue_on_commit, is_poll, pending_response, stored_pdf_response
from common.uploads import content_type_of

from . import documents, services, tasks
from .forms import ConceptForm, DeclarationForm, OfferFilterForm
from .models import (
    Declaration,
    KurzkonzeptEdition,
    KurzkonzeptRendering,
    OfferCatalogueRendering,
)
from .permissions import (
    get_catalogue_for_user_or_403,
    get_concept_for_user_or_403,
    offers_visible_to,
)

GET_POST = require_http_methods(["GET", "POST"])

# Where the coordination office keeps the records behind the fields of action.
ADMIN_LINKS = [
    ("admin:concept_indicator_changelist", gettext_lazy("Indicators")),
    ("admin:concept_offer_changelist", gettext_lazy("Offers")),
    ("admin:concept_steeringgroup_changelist", gettext_lazy("Steering group")),
    ("admin:concept_network_changelist", gettext_lazy("Networks")),
    ("admin:concept_measure_changelist", gettext_lazy("Measures")),
]


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """The concept at a glance: what the Kurzkonzept will say, and where to change it."""
    access = get_concept_for_user_or_403(request.user)
    concept = services.concept_for_cooperation(cooperation=access.cooperation)
    return render(
        request,
        "concept/overview.html",
        {
            **documents.concept_context(concept),
            "access": access,
            "editions": KurzkonzeptEdition.objects.filter(
                cooperation=access.cooperation
            ).select_related("published_by"),
            "admin_links": [(reverse(name), label) for name, label in ADMIN_LINKS]
            if access.may_edit
            else [],
        },
    )


@login_required
@GET_POST
def concept_edit(request: HttpRequest) -> HttpResponse:
    """The coordination office edits the profile, the remarks and the reasons and goals."""
    access = get_concept_for_user_or_403(request.user)
    require(access.may_edit)
    concept = services.concept_for_cooperation(cooperation=access.cooperation)
    form = ConceptForm(request.POST or None, instance=concept)
    if form.is_valid():
        form.save()
        messages.success(request, _("The overall concept was saved."))
        return redirect("concept:overview")
    return render(
        request,
        "concept/form.html",
        {"form": form, "title": _("Edit the overall concept")},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_GET
def kurzkonzept_pdf(request: HttpRequest) -> HttpResponse:
    """The Kurzkonzept as it reads now (German, A4, PDF/A): rendered by a worker and kept
    while its text stays the same; "being created" until then."""
    access = get_concept_for_user_or_403(request.user)
    _html, fingerprint = tasks.current_html(access.cooperation)
    stored = KurzkonzeptRendering.objects.filter(
        cooperation=access.cooperation, fingerprint=fingerprint
    ).first()
    if stored and not is_poll(request):
        stamp = timezone.localdate().strftime("%Y%m%d")
        return stored_pdf_response(
            request,
            stored.pdf,
            sha256=stored.sha256,
            filename=f"Kurzkonzept-{access.cooperation.code}-{stamp}.pdf",
        )
    if stored is None and not is_poll(request):
        enqueue_on_commit(tasks.render_current_kurzkonzept, access.cooperation.pk)
    return pending_response(
        request,
        ready=stored is not None,
        title=_("Kurzkonzept as PDF"),
        label=_("Download the PDF"),
        back_url=reverse("concept:overview"),
    )


@login_required
@require_POST
def kurzkonzept_publish(request: HttpRequest) -> HttpResponse:
    """The coordination office fixes the Kurzkonzept as it reads now (a new edition)."""
    access = get_concept_for_user_or_403(request.user)
    require(access.may_edit)
    try:
        edition = services.kurzkonzept_publish(
            cooperation=access.cooperation, published_by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(f"{reverse('concept:overview')}#kurzkonzept-ausgaben")
    messages.success(
        request,
        _("Edition %(number)d of the Kurzkonzept was published; its PDF is being created.")
        % {"number": edition.number},
    )
    return redirect(f"{reverse('concept:overview')}#kurzkonzept-ausgaben")


@login_required
@require_GET
def kurzkonzept_edition_pdf(request: HttpRequest, number: int) -> HttpResponse:
    """A published edition: the stored PDF, or "being created" until the worker has
    rendered it. Nothing here renders."""
    access = get_concept_for_user_or_403(request.user)
    edition = get_object_or_404(
        KurzkonzeptEdition.objects.filter(cooperation=access.cooperation), number=number
    )
    ready = bool(edition.pdf)
    if ready and not is_poll(request):
        return stored_pdf_response(
            request,
            edition.pdf,
            sha256=edition.sha256,
            filename=f"Kurzkonzept-{access.cooperation.code}-Ausgabe-{edition.number}.pdf",
        )
    if not ready and not is_poll(request):
        enqueue_on_commit(tasks.render_kurzkonzept, edition.pk)
    return pending_response(
        request,
        ready=ready,
        title=_("Kurzkonzept, edition %(number)d of %(date)s")
        % {
            "number": edition.number,
            "date": f"{timezone.localtime(edition.published_at):%d.%m.%Y}",
        },
        label=_("Download the PDF"),
        back_url=reverse("concept:overview"),
    )


def _filtered_offers(request: HttpRequest):
    catalogue = get_catalogue_for_user_or_403(request.user)
    form = OfferFilterForm(request.GET, cooperation=catalogue.cooperation)
    filters = form.filters()
    offers = offers_visible_to(request.user).selected(filters)
    return catalogue, form, filters, offers


@login_required
@require_GET
def offer_list(request: HttpRequest) -> HttpResponse:
    """The catalogue of offers for the target group: all staff of the cooperation read it."""
    catalogue, form, filters, offers = _filtered_offers(request)
    return render(
        request,
        "concept/offer_list.html",
        {
            "form": form,
            "offers": offers,
            "cooperation": catalogue.cooperation,
            "query": request.GET.urlencode(),
            "may_edit": catalogue.may_edit,
        },
    )


@login_required
@require_GET
def offer_list_pdf(request: HttpRequest) -> HttpResponse:
    """The catalogue as printed, with the same filters as on the page: rendered by a
    worker (several seconds for a few hundred offers) and kept while the list stays the
    same; "being created" until then."""
    catalogue, _form, filters, _offers = _filtered_offers(request)
    selection = tasks.selection_of(filters)
    _html, fingerprint = tasks.catalogue_html(request.user, selection)
    stored = OfferCatalogueRendering.objects.filter(
        cooperation=catalogue.cooperation, fingerprint=fingerprint
    ).first()
    if stored and not is_poll(request):
        return stored_pdf_response(
            request,
            stored.pdf,
            sha256=stored.sha256,
            filename=f"Angebote-{catalogue.cooperation.code}.pdf",
        )
    if stored is None and not is_poll(request):
        enqueue_on_commit(tasks.render_offer_catalogue, request.user.pk, selection)
    return pending_response(
        request,
        ready=stored is not None,
        title=_("Catalogue of offers"),
        label=_("Download the PDF"),
        back_url=reverse("concept:offers") + (f"?{selection}" if selection else ""),
    )


def _declaration(cooperation, kind: str) -> Declaration:
    if kind not in Declaration.Kind.values:
        raise Http404
    return Declaration.objects.filter(cooperation=cooperation, kind=kind).first() or Declaration(
        cooperation=cooperation, kind=kind
    )


@login_required
@GET_POST
def declaration_edit(request: HttpRequest, kind: str) -> HttpResponse:
    """The coordination office records a declaration's date and uploads the signed document."""
    access = get_concept_for_user_or_403(request.user)
    require(access.may_edit)
    declaration = _declaration(access.cooperation, kind)
    form = DeclarationForm(request.POST or None, request.FILES or None, instance=declaration)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
        messages.success(request, _("The declaration was saved."))
        return redirect("concept:overview")
    return render(
        request,
        "concept/form.html",
        {
            "form": form,
            "title": declaration.get_kind_display(),
            "declaration": declaration,
            "upload": True,
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@require_GET
def declaration_document(request: HttpRequest, kind: str) -> HttpResponse:
    """The uploaded declaration, served only here (the storage has no public URL)."""
    access = get_concept_for_user_or_403(request.user)
    declaration = _declaration(access.cooperation, kind)
    if not declaration.document:
        raise Http404
    suffix = declaration.document.name.rsplit(".", 1)[-1]
    return file_response(
        declaration.document.open("rb"),
        filename=f"Erklaerung-{access.cooperation.code}-{declaration.kind}.{suffix}",
        content_type=content_type_of(declaration.document.name),
        family_data=False,
    )
