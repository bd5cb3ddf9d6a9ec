"""Pages of the agreement and the Leitfaden. Every view resolves its records through the
gateway in ``permissions.py`` first."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.access import require
from common.pending import enqueue_on_commit, is_poll, pending_response, stored_pdf_response

from . import diff, services, tasks
from .forms import AsOfForm, GuidelineSectionForm, GuidelineTitleForm, PublishForm
from .markup import parse_agenda, render_markdown
from .models import (
    IMMUTABLE,
    Agreement,
    AgreementDocument,
    GuidelineDocument,
    GuidelineSection,
    GuidelineVersion,
    end_of_day,
)
from .permissions import (
    agreements_visible_to,
    get_agreement_for_user_or_404,
    get_guideline_for_editor,
    get_guideline_for_user_or_404,
    get_section_for_editor,
    guidelines_visible_to,
    may_edit,
    may_start_guideline,
    readable_cooperations,
)

GET_POST = require_http_methods(["GET", "POST"])


def _data(request: HttpRequest):
    """The submitted form data, or None on GET (an empty POST is still a submission)."""
    return request.POST if request.method == "POST" else None


# --- overview ------------------------------------------------------------------------


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The cooperation's binding documents: agreement(s) and Leitfaden."""
    user = request.user
    cooperations = readable_cooperations(user).prefetch_related(
        Prefetch("agreements", queryset=agreements_visible_to(user).order_by("-effective_since"))
    )
    guidelines = {g.cooperation_id: g for g in guidelines_visible_to(user)}
    entries = [
        {
            "cooperation": cooperation,
            "agreements": list(cooperation.agreements.all()),
            "guideline": guidelines.get(cooperation.pk),
            "latest": guidelines[cooperation.pk].latest_version()
            if cooperation.pk in guidelines
            else None,
            "can_edit": may_edit(user, cooperation),
        }
        for cooperation in cooperations
    ]
    return render(
        request,
        "agreements/index.html",
        {"entries": entries, "not_a_party": not entries and user.institution_id is not None},
    )


# --- the agreement -------------------------------------------------------------------


def _agreement_state(request: HttpRequest, pk: int):
    """(access, form, state, missing_day): ``state`` is None when ``?stand=`` is
    invalid, or when the agreement was not yet recorded on that day (``missing_day``)."""
    access = get_agreement_for_user_or_404(request.user, pk)
    form = AsOfForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return access, form, None, None
    day = form.cleaned_data.get("stand") if form.is_bound else None
    try:
        return access, form, access.agreement.state_on(day), None
    except Agreement.DoesNotExist:
        return access, form, None, day


@login_required
@require_GET
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The agreement as it stands, or as it stood on ``?stand=YYYY-MM-DD``."""
    access, form, state, missing_day = _agreement_state(request, pk)
    agreement = access.agreement
    change_days = agreement.change_days()
    context = {
        "agreement": agreement,
        "form": form,
        "state": state,
        "missing_day": missing_day,
        "first_recorded": change_days[-1].day if change_days else None,
        "change_days": change_days,
        "can_edit": access.may_edit,
    }
    status = 200 if state else (404 if missing_day else 400)
    return render(request, "agreements/agreement_detail.html", context, status=status)


@login_required
@require_GET
def agreement_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The version in force on ``?stand=`` (today without it): the stored PDF of that
    version, or "being created" while a worker renders it once."""
    access = get_agreement_for_user_or_404(request.user, pk)
    agreement = access.agreement
    form = AsOfForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return HttpResponseBadRequest(_("Enter a valid date."))
    day = form.cleaned_data.get("stand") if form.is_bound else None
    version_at = agreement.version_at(end_of_day(day) if day else None)
    if version_at is None:
        raise Http404
    document = AgreementDocument.objects.filter(agreement=agreement, version_at=version_at).first()
    changed_on = timezone.localdate(version_at)
    if document and not is_poll(request):
        return stored_pdf_response(
            request,
            document.pdf,
            sha256=document.sha256,
            filename=f"kooperationsvereinbarung-{agreement.pk}-stand-{changed_on:%Y-%m-%d}.pdf",
        )
    if document is None and not is_poll(request):
        enqueue_on_commit(tasks.render_agreement_version, agreement.pk, version_at.isoformat())
    return pending_response(
        request,
        ready=document is not None,
        title=_("%(title)s, as of %(day)s")
        % {"title": agreement.title, "day": f"{changed_on:%d.%m.%Y}"},
        label=_("Download the PDF"),
        back_url=agreement.get_absolute_url(),
    )


# --- the Leitfaden: reading ----------------------------------------------------------


def _version_page(request: HttpRequest, access, version: GuidelineVersion | None):
    guideline = access.guideline
    versions = list(guideline.versions.select_related("published_by"))
    context = {
        "guideline": guideline,
        "version": version,
        "versions": versions,
        "latest": versions[0] if versions else None,
        "can_edit": access.may_edit,
    }
    if version:
        sections = version.ordered_sections()
        earlier = [other for other in versions if other.number < version.number]
        # ``?vergleich=N``: the changes against any earlier version (default: the one
        # before); anything else falls back to the default.
        asked = request.GET.get("vergleich", "")
        previous = next(
            (other for other in earlier if asked.isdigit() and other.number == int(asked)),
            earlier[0] if earlier else None,
        )
        context |= {
            "earlier": earlier,
            "sections": sections,
            "previous": previous,
            "comparison": diff.compare(
                previous.title, previous.ordered_sections(), version.title, sections
            )
            if previous
            else None,
        }
    return render(request, "agreements/guideline_version.html", context)


@login_required
@require_GET
def guideline_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The latest published version of the Leitfaden (what everyone works by)."""
    access = get_guideline_for_user_or_404(request.user, pk)
    return _version_page(request, access, access.guideline.latest_version())


@login_required
@require_GET
def guideline_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """An older (or the latest) version by its number, and what it changed."""
    access = get_guideline_for_user_or_404(request.user, pk)
    version = get_object_or_404(access.guideline.versions, number=number)
    return _version_page(request, access, version)


@login_required
@require_GET
def guideline_pdf(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """The stored PDF of a published version (rendered once, when it was published), or
    "being created" until the worker has stored it."""
    guideline = get_guideline_for_user_or_404(request.user, pk).guideline
    version = get_object_or_404(guideline.versions, number=number)
    document = GuidelineDocument.objects.filter(version=version).first()
    if document and not is_poll(request):
        return stored_pdf_response(
            request,
            document.pdf,
            sha256=document.sha256,
            filename=f"leitfaden-fassung-{version.number}.pdf",
        )
    if document is None and not is_poll(request):
        # Published before the task existed, or its task was lost: render it now.
        enqueue_on_commit(tasks.render_guideline_version, version.pk)
    return pending_response(
        request,
        ready=document is not None,
        title=_("%(title)s, version %(number)d as PDF")
        % {"title": version.title, "number": version.number},
        label=_("Download the PDF"),
        back_url=version.get_absolute_url(),
    )


# --- the Leitfaden: the coordination office's draft ----------------------------------


@login_required
@require_POST
def guideline_create(request: HttpRequest) -> HttpResponse:
    """Start the Leitfaden of one's own cooperation (the coordination office)."""
    require(may_start_guideline(request.user))
    guideline = services.guideline_create(cooperation=request.user.cooperation)
    return redirect("agreements:draft", pk=guideline.pk)


def _refuse_published(request: HttpRequest, section: GuidelineSection) -> HttpResponse:
    return render(
        request,
        "agreements/immutable.html",
        {"guideline": section.guideline, "version": section.version, "message": IMMUTABLE},
        status=403,
    )


@login_required
@GET_POST
def draft(request: HttpRequest, pk: int) -> HttpResponse:
    """The draft: its sections in order, the title, and what would change on publishing."""
    guideline = get_guideline_for_editor(request.user, pk)
    form = GuidelineTitleForm(_data(request), instance=guideline, prefix="guideline")
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The title of the draft was saved."))
        return redirect("agreements:draft", pk=guideline.pk)
    sections = list(guideline.draft_sections())
    comparison = services.draft_comparison(guideline)
    for section in sections:
        section.change_kind = comparison.kind_of(section.key)
    agenda_section = next((s for s in sections if s.is_conference_agenda), None)
    agenda = parse_agenda(agenda_section.body) if agenda_section else []
    return render(
        request,
        "agreements/draft.html",
        {
            "guideline": guideline,
            "form": form,
            "sections": sections,
            "latest": guideline.latest_version(),
            "comparison": comparison,
            "agenda_section": agenda_section,
            "agenda": agenda,
            "agenda_has_health": any(entry.is_health for entry in agenda),
        },
        status=400 if form.errors else 200,
    )


def _section_form(request, form, guideline, title, section=None) -> HttpResponse:
    """The section's form with the preview beside it: htmx renders the text as it is
    typed (``preview``); without JavaScript the "Preview" button does, without saving."""
    if request.method == "POST" and "preview" in request.POST:
        # Shown again as typed, but unchecked and unsaved: nothing to correct yet.
        initial = {name: request.POST.get(name, "") for name in form.fields}
        initial["is_conference_agenda"] = "is_conference_agenda" in request.POST
        form = GuidelineSectionForm(initial=initial, instance=section, guideline=guideline)
        body = initial["body"]
    else:
        body = form["body"].value() or ""
    form.fields["body"].widget.attrs.update(
        {
            "data-hx-post": reverse("agreements:preview", args=[guideline.pk]),
            "data-hx-trigger": "input changed delay:500ms",
            "data-hx-target": "#vorschau",
            "data-hx-swap": "innerHTML",
            "aria-controls": "vorschau",
        }
    )
    return render(
        request,
        "agreements/section_form.html",
        {
            "form": form,
            "guideline": guideline,
            "section": section,
            "title": title,
            "preview": render_markdown(body),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_POST
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The section's text as readers will see it (htmx, while the editor types)."""
    get_guideline_for_editor(request.user, pk)
    return render(
        request,
        "agreements/includes/preview.html",
        {"preview": render_markdown(request.POST.get("body", ""))},
    )


@login_required
@GET_POST
def section_add(request: HttpRequest, pk: int) -> HttpResponse:
    guideline = get_guideline_for_editor(request.user, pk)
    form = GuidelineSectionForm(_data(request), guideline=guideline)
    if "preview" not in request.POST and form.is_valid():
        section = services.section_add(guideline=guideline, section=form.save(commit=False))
        messages.success(request, _("The section was added to the draft."))
        return redirect(f"{reverse('agreements:draft', args=[guideline.pk])}#{section.anchor}")
    return _section_form(request, form, guideline, _("Add a section"))


@login_required
@GET_POST
def section_edit(request: HttpRequest, pk: int) -> HttpResponse:
    section = get_section_for_editor(request.user, pk)
    if section.is_published:
        return _refuse_published(request, section)
    guideline = section.guideline
    form = GuidelineSectionForm(_data(request), instance=section, guideline=guideline)
    if "preview" not in request.POST and form.is_valid():
        try:
            form.save()
        except ValidationError as error:
            # A racing publication cannot reach a draft section; this is the last guard.
            form.add_error(None, error)
        else:
            messages.success(request, _("The section was saved in the draft."))
            return redirect(f"{reverse('agreements:draft', args=[guideline.pk])}#{section.anchor}")
    title = _("Edit section %(number)d") % {"number": section.position}
    return _section_form(request, form, guideline, title, section)


@login_required
@require_POST
def section_move(request: HttpRequest, pk: int) -> HttpResponse:
    section = get_section_for_editor(request.user, pk)
    if section.is_published:
        return _refuse_published(request, section)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        return HttpResponseBadRequest(_("Say whether the section moves up or down."))
    section = services.section_move(section=section, up=direction == "up")
    url = reverse("agreements:draft", args=[section.guideline_id])
    return redirect(f"{url}#{section.anchor}")


@login_required
@GET_POST
def section_delete(request: HttpRequest, pk: int) -> HttpResponse:
    section = get_section_for_editor(request.user, pk)
    if section.is_published:
        return _refuse_published(request, section)
    if request.method == "POST":
        services.section_delete(section=section)
        messages.success(
            request,
            _("Section “%(title)s” was removed from the draft.") % {"title": section.title},
        )
        return redirect("agreements:draft", pk=section.guideline_id)
    return render(request, "agreements/section_delete.html", {"section": section})


@login_required
@GET_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish the draft as the next version, after seeing what changes."""
    guideline = get_guideline_for_editor(request.user, pk)
    form = PublishForm(_data(request))
    if form.is_valid():
        try:
            version = services.guideline_publish(
                guideline=guideline, published_by=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Version %(number)d was published.") % {"number": version.number},
            )
            return redirect(version)
    return render(
        request,
        "agreements/publish.html",
        {
            "guideline": guideline,
            "form": form,
            "latest": guideline.latest_version(),
            "comparison": services.draft_comparison(guideline),
        },
        status=400 if form.errors else 200,
    )
