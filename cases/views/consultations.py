"""Pseudonymised consultation with an experienced child-protection specialist.

§4 Abs. 2 KKG, §8a Abs. 4 and §64 Abs. 2a SGB VIII: a professional who perceives signs of
a risk to a child's welfare may ask an insoweit erfahrene Fachkraft for advice, with
pseudonymised data only.

- On the case (through the case gateway): whoever records on the case asks; the asking
  institution reads the consultation and records its outcome; others read it where the
  asking institution's family-situation data is released to them.
- The specialist (``consultations_visible_to``) reads the pseudonym, the situation and
  the question of the consultations addressed to them, and gives advice: never the case,
  its reference or a name.
- An institution's lead designates its specialists (the coordination office may do so
  in the admin).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from common.access import require

from .. import services
from ..forms import (
    ConsultationAdviceForm,
    ConsultationForm,
    ConsultationOutcomeForm,
    SpecialistForm,
)
from ..models import AccessLog, Consultation, Specialist
from ..permissions import (
    CaseAccess,
    consultations_visible_to,
    get_case_for_user_or_404,
    get_consultation_for_user_or_404,
    may_designate_specialists,
    specialists_to_consult,
)
from .records import GET_POST, create_once, one_submission, render_form


@login_required
@GET_POST
@one_submission
def consultation_add(request: HttpRequest, reference: str) -> HttpResponse:
    """Ask a specialist: the form refuses text that names the family."""
    access = get_case_for_user_or_404(request.user, reference)
    require(access.may_consult)
    form = ConsultationForm(
        request.POST or None,
        specialists=specialists_to_consult(access),
        members=access.visible_members(),
    )
    if form.is_valid():
        return create_once(
            request,
            form,
            lambda: services.consultation_request(
                case=access.case, requested_by=request.user, **_fields(form)
            ),
            _("The consultation was sent to the specialist."),
        )
    return render_form(
        request,
        form,
        _("Ask a specialist (pseudonymised)"),
        access,
        intro=_(
            "§4 Abs. 2 KKG, §8a Abs. 4 SGB VIII: an experienced child-protection specialist "
            "advises on a possible risk to the child's welfare. The specialist sees only "
            "what you write here, never the case: write without names, dates of birth or "
            "the address."
        ),
    )


def _fields(form) -> dict:
    return {name: form.cleaned_data[name] for name in form.Meta.fields}


def _case_consultation(access: CaseAccess, pk: int) -> Consultation:
    consultation = get_object_or_404(
        Consultation.objects.select_related(
            "source_institution", "requested_by", "specialist__user", "specialist__institution"
        ),
        case=access.case,
        pk=pk,
    )
    require(access.may_read_consultation(consultation))
    return consultation


def _render_consultation(request, access: CaseAccess, consultation, form=None) -> HttpResponse:
    return render(
        request,
        "cases/consultation_detail.html",
        {
            "case": access.case,
            "consultation": consultation,
            "may_record_outcome": access.may_record_outcome(consultation),
            "form": form,
        },
        status=400 if form is not None and form.is_bound and form.errors else 200,
    )


@login_required
@require_GET
def consultation_detail(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """The consultation on the case: what was asked, the advice, the outcome."""
    access = get_case_for_user_or_404(request.user, reference)
    consultation = _case_consultation(access, pk)
    AccessLog.record(request.user, AccessLog.What.CONSULTATION, access.case)
    return _render_consultation(request, access, consultation)


@login_required
@GET_POST
def consultation_outcome(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """The asking institution records on the case what came of the consultation."""
    access = get_case_for_user_or_404(request.user, reference)
    consultation = _case_consultation(access, pk)
    require(access.may_record_outcome(consultation))
    form = ConsultationOutcomeForm(request.POST or None, instance=consultation)
    if form.is_valid():
        services.consultation_record_outcome(
            consultation=consultation,
            outcome=form.cleaned_data["outcome"],
            notes=form.cleaned_data["outcome_notes"],
            recorded_by=request.user,
        )
        messages.success(request, _("The outcome of the consultation was recorded."))
        return redirect(consultation)
    if request.method == "GET":
        AccessLog.record(request.user, AccessLog.What.CONSULTATION, access.case)
    return _render_consultation(request, access, consultation, form)


@login_required
@require_GET
def consultation_inbox(request: HttpRequest) -> HttpResponse:
    """The consultations addressed to the signed-in specialist (pseudonyms only)."""
    consultations = (
        consultations_visible_to(request.user)
        .select_related("source_institution")
        .order_by("-recorded_at")[:200]
    )
    designated = Specialist.objects.active_on(timezone.localdate()).filter(user=request.user)
    return render(
        request,
        "cases/consultation_inbox.html",
        {"consultations": consultations, "designated": designated.exists()},
    )


@login_required
@GET_POST
def consultation_advise(request: HttpRequest, pk: int) -> HttpResponse:
    """The specialist reads a consultation addressed to them and gives advice."""
    access = get_consultation_for_user_or_404(request.user, pk)
    consultation = access.consultation
    form = None
    if access.may_advise:
        form = ConsultationAdviceForm(request.POST or None, instance=consultation)
    elif request.method == "POST":
        require(access.may_advise)
    if form is not None and form.is_valid():
        try:
            services.consultation_advise(
                consultation=consultation, advice=form.cleaned_data["advice"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your advice was recorded."))
            return redirect("cases:consultation_advise", pk=consultation.pk)
    if request.method == "GET":
        # Pseudonymised, yet personal data: the read is logged on the case, so that the
        # case's access log shows the specialist too (the specialist never sees it).
        AccessLog.record(request.user, AccessLog.What.CONSULTATION, consultation.case)
    return render(
        request,
        "cases/consultation_advise.html",
        {"consultation": consultation, "form": form},
        status=400 if form is not None and form.is_bound and form.errors else 200,
    )


@login_required
@GET_POST
def specialists(request: HttpRequest) -> HttpResponse:
    """The institution's lead designates its experienced child-protection specialists."""
    require(may_designate_specialists(request.user))
    institution = request.user.institution
    form = SpecialistForm(request.POST or None, institution=institution)
    if form.is_valid():
        services.specialist_designate(
            user=form.cleaned_data["user"],
            designated_by=request.user,
            qualification=form.cleaned_data["qualification"],
            since=form.cleaned_data["since"],
        )
        messages.success(request, _("The specialist was designated."))
        return redirect("cases:specialists")
    designations = (
        Specialist.objects.filter(institution=institution)
        .select_related("user", "designated_by")
        .order_by("until", "-since")
    )
    return render(
        request,
        "cases/specialists.html",
        {
            "form": form,
            "designations": designations,
            "institution": institution,
            "today": timezone.localdate(),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_POST
def specialist_end(request: HttpRequest, pk: int) -> HttpResponse:
    """End a designation of the lead's own institution as of today."""
    require(may_designate_specialists(request.user))
    specialist = get_object_or_404(
        Specialist, pk=pk, institution=request.user.institution, until__isnull=True
    )
    services.specialist_end(specialist=specialist)
    messages.success(request, _("The designation was ended."))
    return redirect("cases:specialists")
