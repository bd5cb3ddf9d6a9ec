"""Recording and correcting what is known about a family.

Every view resolves the case through the gateway first (404 for anyone who may not see
it), then checks what the user's institution may do there (403), validates the form
(German messages, input kept), and writes through ``cases.services`` in one transaction.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from common.access import require
from common.forms import SUBMISSION_FIELD, claim_once

from .. import services
from ..forms import (
    CaseForm,
    CaseOpenForm,
    DisclosureForm,
    FamilyMemberForm,
    HealthSituationForm,
    InvolvementForm,
    ProgressNoteForm,
)
from ..models import AccessLog, Disclosure, FamilyMember, FormSubmission, Involvement, ProgressNote
from ..permissions import CaseAccess, get_case_for_user_or_404, may_open_case

GET_POST = require_http_methods(["GET", "POST"])


def render_form(
    request,
    form,
    title: str,
    access: CaseAccess | None = None,
    template: str = "cases/record_form.html",
    **context,
):
    """A form page; on a case it is a read of the family's data and logged (on GET: a
    refused POST shows back what was typed)."""
    if access is not None and request.method == "GET":
        AccessLog.record(request.user, AccessLog.What.CASE_DETAIL, access.case)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        template,
        {"form": form, "title": title, "case": access.case if access else None, **context},
        status=status,
    )


ALREADY_SENT = gettext_lazy("This form was already sent; it was saved once.")


def one_submission(view):
    """A form that creates a record and comes back with a token already used by this
    person goes to what it created, before anything is validated again (a second
    involvement would otherwise be refused as overlapping, a second health entry taken
    for an edit). Two requests at the same moment meet in ``create_once`` instead."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        token = request.POST.get(SUBMISSION_FIELD, "") if request.method == "POST" else ""
        if token:
            earlier = FormSubmission.objects.filter(token=token[:64], user=request.user).first()
            if earlier is not None:
                messages.info(request, ALREADY_SENT)
                return redirect(earlier.url or "cases:list")
        return view(request, *args, **kwargs)

    return wrapper


def create_once(
    request, form, create: Callable[[], object], message: str | Callable[[object], str]
) -> HttpResponse:
    """Run ``create`` once per form (``common.forms.OneTimeSubmissionMixin``) and go to
    what it returns. The same form sent again (a double click, a resent POST, at the same
    moment or later) creates nothing and leads to what the first submission created."""
    with transaction.atomic():
        token = getattr(form, "submission_token", "")
        claim, first = claim_once(FormSubmission, token, user=request.user)
        if not first:
            messages.info(request, ALREADY_SENT)
            return redirect(claim.url if claim is not None and claim.url else "cases:list")
        created = create()
        target = resolve_url(created)
        if claim.pk:
            claim.url = target
            claim.save(update_fields=["url"])
    messages.success(request, message(created) if callable(message) else message)
    return redirect(target)


@login_required
@GET_POST
@one_submission
def case_open(request: HttpRequest) -> HttpResponse:
    """Open a case for a family, led by the user's institution, with its first parent."""
    require(may_open_case(request.user))
    form = CaseOpenForm(request.POST or None)
    if form.is_valid():
        return create_once(
            request,
            form,
            lambda: services.case_open(
                lead_institution=request.user.institution,
                opened_by=request.user,
                first_member=form.save(commit=False),
            ),
            lambda case: _("Case %(reference)s opened.") % {"reference": case},
        )
    return render_form(
        request,
        form,
        _("Open a case"),
        intro=_("Your institution leads the case (Fallführung) and records its first parent."),
    )


@login_required
@GET_POST
def case_edit(request: HttpRequest, reference: str) -> HttpResponse:
    access = get_case_for_user_or_404(request.user, reference)
    require(access.may_lead)
    case = access.case
    old_lead = case.lead_institution_id
    form = CaseForm(request.POST or None, instance=case)
    if form.is_valid():
        with transaction.atomic():
            if form.check_version():
                case = form.save(commit=False)
                services.case_update(case=case, lead_changed=case.lead_institution_id != old_lead)
                messages.success(request, _("The case was saved."))
                if case.lead_institution_id != request.user.institution_id:
                    return redirect("cases:list")
                return redirect(case)
    return render_form(request, form, _("Edit case"), access)


def _save_record(request, form, access: CaseAccess, **extra) -> HttpResponse | None:
    """Validate and save a recorded datum of the user's institution; None when refused.

    A new record is created once per form; a correction is checked against concurrent
    edits instead."""
    if not form.is_valid():
        return None
    if form.instance.pk is None:

        def create():
            record = form.save(commit=False)
            for name, value in extra.items():
                setattr(record, name, value)
            services.record_save(
                record=record, case=access.case, institution=request.user.institution
            )
            return access.case

        return create_once(request, form, create, _("Saved."))
    with transaction.atomic():
        if not form.check_version():
            return None
        record = form.save(commit=False)
        for name, value in extra.items():
            setattr(record, name, value)
        services.record_save(record=record, case=access.case, institution=request.user.institution)
    messages.success(request, _("Saved."))
    return redirect(access.case)


@login_required
@GET_POST
@one_submission
def member_add(request: HttpRequest, reference: str) -> HttpResponse:
    access = get_case_for_user_or_404(request.user, reference)
    require(access.may_record)
    form = FamilyMemberForm(request.POST or None)
    return _save_record(request, form, access, case=access.case) or render_form(
        request, form, _("Add a family member"), access
    )


@login_required
@GET_POST
def member_edit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    access = get_case_for_user_or_404(request.user, reference)
    member = get_object_or_404(FamilyMember, case=access.case, pk=pk)
    require(access.may_edit_member(member))
    form = FamilyMemberForm(request.POST or None, instance=member)
    return _save_record(request, form, access) or render_form(
        request, form, _("Edit family member"), access
    )


@login_required
@GET_POST
@one_submission
def health_edit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """The user's institution records (or corrects) its own health data on a parent."""
    access = get_case_for_user_or_404(request.user, reference)
    member = get_object_or_404(FamilyMember, case=access.case, pk=pk)
    require(access.may_record_health(member))
    existing = member.health.filter(source_institution=request.user.institution).first()
    form = HealthSituationForm(request.POST or None, instance=existing)
    return _save_record(request, form, access, member=member) or render_form(
        request,
        form,
        _("Addiction and treatment situation"),
        access,
        intro=_(
            "Health data (GDPR Art. 9). Other institutions see it only where a consent "
            "releases health data from your institution to them."
        ),
    )


@login_required
@GET_POST
@one_submission
def note_add(request: HttpRequest, reference: str) -> HttpResponse:
    access = get_case_for_user_or_404(request.user, reference)
    require(access.may_record)
    form = ProgressNoteForm(request.POST or None)
    if form.is_valid():

        def create():
            note: ProgressNote = form.save(commit=False)
            note.case, note.author = access.case, request.user
            services.record_save(
                record=note, case=access.case, institution=request.user.institution
            )
            return access.case

        return create_once(request, form, create, _("Saved."))
    return render_form(request, form, _("Add a progress note"), access)


@login_required
@GET_POST
@one_submission
def involvement_add(request: HttpRequest, reference: str) -> HttpResponse:
    access = get_case_for_user_or_404(request.user, reference)
    require(access.may_lead)
    form = InvolvementForm(request.POST or None, case=access.case)
    return _save_involvement(request, form, access) or render_form(
        request,
        form,
        _("Involve an institution"),
        access,
        intro=_(
            "An involved institution sees the case and its own records; it sees other "
            "institutions' data only where a consent or disclosure releases it."
        ),
    )


@login_required
@GET_POST
def involvement_edit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    access = get_case_for_user_or_404(request.user, reference)
    require(access.may_lead)
    involvement = get_object_or_404(Involvement, case=access.case, pk=pk)
    form = InvolvementForm(request.POST or None, instance=involvement, case=access.case)
    return _save_involvement(request, form, access) or render_form(
        request, form, _("Edit involvement"), access
    )


def _save_involvement(request, form, access: CaseAccess) -> HttpResponse | None:
    if not form.is_valid():
        return None
    if form.instance.pk is None:

        def create():
            involvement = form.save(commit=False)
            involvement.case = access.case
            services.involvement_save(involvement=involvement)
            return access.case

        return create_once(request, form, create, _("Saved."))
    with transaction.atomic():
        if not form.check_version():
            return None
        involvement = form.save(commit=False)
        involvement.case = access.case
        services.involvement_save(involvement=involvement)
    messages.success(request, _("Saved."))
    return redirect(access.case)


@login_required
@GET_POST
@one_submission
def disclosure_add(request: HttpRequest, reference: str) -> HttpResponse:
    """Record a disclosure without consent (§8a SGB VIII, §4 Abs. 3 KKG, §65 SGB VIII);
    under §4 KKG and §8a SGB VIII after the established steps (the guided form)."""
    access = get_case_for_user_or_404(request.user, reference)
    require(access.may_record)
    form = DisclosureForm(
        request.POST or None, case=access.case, institution=request.user.institution
    )
    if form.is_valid():
        return create_once(
            request,
            form,
            lambda: services.disclosure_record(
                case=access.case,
                disclosed_by=request.user,
                from_institution=request.user.institution,
                **{f: form.cleaned_data[f] for f in form.Meta.fields},
            ),
            _("The disclosure was recorded."),
        )
    return render_form(
        request,
        form,
        _("Record a disclosure without consent"),
        access,
        template="cases/disclosure_form.html",
        intro=_(
            "Only where the law allows it without consent. The receiving institution sees "
            "the case; the disclosure stands out on the case page and in the audit."
        ),
    )


@login_required
@require_GET
def disclosure_detail(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """A disclosure without consent with its legal basis and the steps that preceded it:
    for the disclosing and the receiving institution."""
    access = get_case_for_user_or_404(request.user, reference)
    disclosure = get_object_or_404(
        Disclosure.objects.select_related(
            "from_institution", "to_institution", "disclosed_by", "consultation"
        ),
        case=access.case,
        pk=pk,
    )
    require(access.may_read_disclosure(disclosure))
    AccessLog.record(request.user, AccessLog.What.DISCLOSURE, access.case)
    consultation = disclosure.consultation
    return render(
        request,
        "cases/disclosure_detail.html",
        {
            "case": access.case,
            "disclosure": disclosure,
            "consultation_readable": consultation is not None
            and access.may_read_consultation(consultation),
        },
    )
