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
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from common.access import require
from common.http import file_response, pdf_response
from common.uploads import content_type_of

from .. import documents, services
from ..forms import ConsentForm, ConsentGiveForm, RevocationForm
from ..models import AccessLog, Consent
from ..permissions import CaseAccess, get_case_for_user_or_404
from .records import GET_POST, create_once, one_submission, render_form


def _consent(access: CaseAccess, pk: int) -> Consent:
    return get_object_or_404(
        Consent.objects.select_related("given_by", "source_institution"), case=access.case, pk=pk
    )


def _consent_form(request, access: CaseAccess, **kwargs) -> ConsentForm:
    # The form lists the family members by name: ``render_form`` logs the read.
    return ConsentForm(
        request.POST or None,
        request.FILES or None,
        case=access.case,
        institution=request.user.institution,
        members=access.visible_members(),
        **kwargs,
    )


# Lazy: a module-level gettext would freeze the language active at import (German), and
# the English interface would show the intro in German.
INTRO = gettext_lazy(
    "A consent releases your institution from confidentiality towards the named "
    "institutions, for the named data and purpose only (SGB X §67b). Health data needs "
    "its own explicit mention (GDPR Art. 9)."
)


@login_required
@GET_POST
@one_submission
def consent_add(request: HttpRequest, reference: str) -> HttpResponse:
    access = get_case_for_user_or_404(request.user, reference)
    require(access.may_record)
    form = _consent_form(request, access)
    if form.is_valid():

        def create():
            consent = form.save(commit=False)
            consent.case = access.case
            consent.source_institution = request.user.institution
            services.consent_record(
                consent=consent,
                recipients=list(form.cleaned_data["recipients"]),
                give=form.cleaned_data["record_as"] == "given",
                obtained_by=request.user,
            )
            return access.case

        return create_once(request, form, create, _("The consent was recorded."))
    return render_form(request, form, _("Record a consent"), access, intro=INTRO, upload=True)


@login_required
@GET_POST
def consent_correct(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """A given consent is not edited: the correction invalidates it and records a new one."""
    access = get_case_for_user_or_404(request.user, reference)
    old = _consent(access, pk)
    require(access.may_correct(old))
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
    access = get_case_for_user_or_404(request.user, reference)
    consent = _consent(access, pk)
    require(access.may_give_or_refuse(consent))
    form = ConsentGiveForm(request.POST or None, request.FILES or None, instance=consent)
    if form.is_valid():
        with transaction.atomic():
            # Saved once, by the service, so that the history holds one entry: "given".
            consent = form.save(commit=False)
            services.consent_give(consent=consent, obtained_on=consent.obtained_on)
        messages.success(request, _("The consent was recorded as given."))
        return redirect(access.case)
    return render_form(
        request,
        form,
        _("Consent given"),
        access,
        template="cases/consent_give.html",
        consent=consent,
        # The giver's name is master data: shown as the case page shows it.
        giver_visible=bool(access.may_read_consent(consent)),
    )


@login_required
@require_POST
def consent_refuse(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    access = get_case_for_user_or_404(request.user, reference)
    consent = _consent(access, pk)
    require(access.may_give_or_refuse(consent))
    services.consent_refuse(consent=consent)
    messages.success(request, _("The consent was recorded as refused."))
    return redirect(access.case)


@login_required
@GET_POST
def consent_revoke(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """Revocation with a confirmation step; takes effect on everyone's next request."""
    access = get_case_for_user_or_404(request.user, reference)
    consent = _consent(access, pk)
    require(access.may_revoke(consent))
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
    if request.method == "GET":
        # The page names the consent's institutions on the family's case.
        AccessLog.record(request.user, AccessLog.What.CASE_DETAIL, access.case)
    return render(
        request,
        "cases/consent_revoke.html",
        {"form": form, "case": access.case, "consent": consent},
        status=400 if form.is_bound else 200,
    )


def _readable_consent(request, reference: str, pk: int) -> Consent:
    access = get_case_for_user_or_404(request.user, reference)
    consent = _consent(access, pk)
    require(access.may_read_consent(consent))
    return consent


@login_required
@require_http_methods(["GET"])
def consent_pdf(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """The consent form to print and sign (German, one page)."""
    consent = _readable_consent(request, reference, pk)
    pdf = documents.consent_form_pdf(consent)
    AccessLog.record(request.user, AccessLog.What.CONSENT_PDF, consent.case)
    stamp = timezone.localdate().strftime("%Y%m%d")
    return pdf_response(
        pdf, filename=f"Einwilligung-{consent.case.reference}-{stamp}.pdf", family_data=True
    )


@login_required
@require_http_methods(["GET"])
def consent_scan(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """The uploaded scan, served only through the gateway, the read logged."""
    consent = _readable_consent(request, reference, pk)
    if not consent.scan:
        raise Http404
    AccessLog.record(request.user, AccessLog.What.CONSENT_SCAN, consent.case)
    suffix = consent.scan.name.rsplit(".", 1)[-1]
    return file_response(
        consent.scan.open("rb"),
        filename=f"Einwilligung-{consent.case.reference}.{suffix}",
        content_type=content_type_of(consent.scan.name),
        family_data=True,
    )
