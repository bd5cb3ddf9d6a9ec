"""Consents (Schweigepflichtentbindungen): record, give, refuse, revoke, correct, print.

Who may do what (the institution that is released is the one that answers for it):
- record, give, refuse, correct: staff of the released (source) institution, involved in
  the case; they obtain the family's signature.
- revoke: staff of the source, the lead or a recipient institution; a family may revoke
  with anyone, and a revocation only ever removes access (GDPR Art. 7(3)).
- the form PDF and the scan: whoever may read the source institution's master data.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import documents, services
from ..forms import ConsentForm, ConsentGiveForm, RevocationForm
from ..models import AccessLog, Consent, DataCategory, FamilyMember
from ..permissions import CaseAccess, get_case_for_user_or_404
from .records import GET_POST, recording_access, render_form


def _consent(access: CaseAccess, pk: int) -> Consent:
    return get_object_or_404(
        Consent.objects.select_related("given_by", "source_institution"), case=access.case, pk=pk
    )


def _own_consent(request, reference: str, pk: int) -> tuple[CaseAccess, Consent]:
    access = recording_access(request, reference)
    consent = _consent(access, pk)
    if consent.source_institution_id != request.user.institution_id:
        raise PermissionDenied
    return access, consent


def _visible_members(access: CaseAccess):
    return [
        m
        for m in FamilyMember.objects.filter(case=access.case)
        if access.can_see(m.source_institution_id, DataCategory.MASTER)
    ]


def _consent_form(request, access: CaseAccess, **kwargs) -> ConsentForm:
    return ConsentForm(
        request.POST or None,
        request.FILES or None,
        case=access.case,
        institution=request.user.institution,
        members=_visible_members(access),
        **kwargs,
    )


INTRO = _(
    "A consent releases your institution from confidentiality towards the named "
    "institutions, for the named data and purpose only (SGB X §67b). Health data needs "
    "its own explicit mention (GDPR Art. 9)."
)


@login_required
@GET_POST
def consent_add(request: HttpRequest, reference: str) -> HttpResponse:
    access = recording_access(request, reference)
    form = _consent_form(request, access)
    if form.is_valid():
        consent = form.save(commit=False)
        consent.case = access.case
        consent.source_institution = request.user.institution
        services.consent_record(
            consent=consent,
            recipients=list(form.cleaned_data["recipients"]),
            give=form.cleaned_data["record_as"] == "given",
            obtained_by=request.user,
        )
        messages.success(request, _("The consent was recorded."))
        return redirect(access.case)
    return render_form(request, form, _("Record a consent"), access, intro=INTRO, upload=True)


@login_required
@GET_POST
def consent_correct(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """A given consent is not edited: the correction invalidates it and records a new one."""
    access, old = _own_consent(request, reference, pk)
    if old.status != Consent.Status.GIVEN:
        raise PermissionDenied
    initial = {
        "record_as": "given",
        "recipients": list(old.recipients.all()),
        "categories": old.categories,
    }
    copy = Consent(
        **{
            f.attname: getattr(old, f.attname)
            for f in Consent._meta.concrete_fields
            if f.name not in ("id", "status", "replaces", "scan")
        }
    )
    form = _consent_form(request, access, instance=copy, initial=initial, has_scan=bool(old.scan))
    form.fields["record_as"].choices = [("given", _("given (corrected)"))]
    if old.scan:
        form.fields["scan"].help_text = _(
            "Leave empty to keep the scan of the corrected consent, or upload the new signed form."
        )
    if form.is_valid():
        with transaction.atomic():
            locked = Consent.objects.select_for_update().get(pk=old.pk)
            if locked.status != Consent.Status.GIVEN:
                form.add_error(None, _("This consent was changed meanwhile; nothing was saved."))
            else:
                new = services.consent_correct(
                    old=locked,
                    new=form.save(commit=False),
                    recipients=list(form.cleaned_data["recipients"]),
                    obtained_by=request.user,
                )
                messages.success(
                    request, _("The consent was corrected; the old one is invalidated.")
                )
                return redirect(new.case)
    return render_form(
        request,
        form,
        _("Correct a consent"),
        access,
        intro=_(
            "The consent stays documented as it was and is marked invalidated; the corrected "
            "consent replaces it from now on."
        ),
        upload=True,
    )


@login_required
@GET_POST
def consent_give(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    access, consent = _own_consent(request, reference, pk)
    if consent.status != Consent.Status.REQUESTED:
        raise PermissionDenied
    form = ConsentGiveForm(request.POST or None, request.FILES or None, instance=consent)
    if form.is_valid():
        with transaction.atomic():
            consent = form.save(commit=False)
            consent.save()
            services.consent_give(consent=consent, obtained_on=consent.obtained_on)
        messages.success(request, _("The consent was recorded as given."))
        return redirect(access.case)
    return render_form(request, form, _("Consent given"), access, upload=True)


@login_required
@require_POST
def consent_refuse(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    access, consent = _own_consent(request, reference, pk)
    if consent.status != Consent.Status.REQUESTED:
        raise PermissionDenied
    services.consent_refuse(consent=consent)
    messages.success(request, _("The consent was recorded as refused."))
    return redirect(access.case)


@login_required
@GET_POST
def consent_revoke(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """Revocation with a confirmation step; takes effect on everyone's next request."""
    access = get_case_for_user_or_404(request.user, reference)
    consent = _consent(access, pk)
    institution = request.user.institution_id
    allowed = {consent.source_institution_id, access.case.lead_institution_id} | set(
        consent.recipients.values_list("pk", flat=True)
    )
    if institution not in allowed or access.user.is_superuser:
        raise PermissionDenied
    if consent.status != Consent.Status.GIVEN:
        raise PermissionDenied
    form = RevocationForm(request.POST or None, consent=consent)
    if form.is_valid():
        services.consent_revoke(
            consent=consent,
            revoked_on=form.cleaned_data["revoked_on"],
            channel=form.cleaned_data["channel"],
            recorded_by=request.user,
        )
        messages.success(
            request, _("The revocation was recorded; the recipient institutions are notified.")
        )
        try:
            return redirect(get_case_for_user_or_404(request.user, reference).case)
        except Http404:
            # A recipient recorded it and now no longer sees the case.
            return redirect("cases:list")
    return render(
        request,
        "cases/consent_revoke.html",
        {"form": form, "case": access.case, "consent": consent},
        status=400 if form.is_bound else 200,
    )


def consent_is_readable(access: CaseAccess, consent: Consent) -> bool:
    """The form and scan name the person: readable where both the releasing institution's
    master data and the master data of the person who consented are released."""
    return access.can_see(consent.source_institution_id, DataCategory.MASTER) and access.can_see(
        consent.given_by.source_institution_id, DataCategory.MASTER
    )


def _readable_consent(request, reference: str, pk: int) -> Consent:
    access = get_case_for_user_or_404(request.user, reference)
    consent = _consent(access, pk)
    if not consent_is_readable(access, consent):
        raise PermissionDenied
    return consent


@login_required
@require_http_methods(["GET"])
def consent_pdf(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """The consent form to print and sign (German, one page)."""
    consent = _readable_consent(request, reference, pk)
    pdf = documents.consent_form_pdf(consent, base_url=request.build_absolute_uri("/"))
    AccessLog.record(request.user, "consent_pdf", consent.case)
    response = HttpResponse(pdf, content_type="application/pdf")
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = (
        f'inline; filename="Einwilligung-{consent.case.reference}-{stamp}.pdf"'
    )
    return response


@login_required
@require_http_methods(["GET"])
def consent_scan(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """The uploaded scan, served only through the gateway, the read logged."""
    consent = _readable_consent(request, reference, pk)
    if not consent.scan:
        raise Http404
    AccessLog.record(request.user, "consent_scan", consent.case)
    response = FileResponse(
        consent.scan.open("rb"), content_type=documents.content_type_of(consent.scan.name)
    )
    response["Content-Disposition"] = (
        f'inline; filename="Einwilligung-{consent.case.reference}.'
        f'{consent.scan.name.rsplit(".", 1)[-1]}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
