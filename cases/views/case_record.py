"""The case record's own steps: who answers for the family in an institution, and
closing the case after a page that says what closing does."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from common.access import require

from .. import services
from ..forms import CaseCloseForm, ResponsibleForm
from ..models import Case, Involvement
from ..permissions import assignable_staff, get_case_for_user_or_404
from .records import render_form

GET_POST = require_http_methods(["GET", "POST"])


@login_required
@GET_POST
def involvement_responsible(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """Name the responsible caseworker and the deputy of the user's own institution."""
    access = get_case_for_user_or_404(request.user, reference)
    involvement = get_object_or_404(
        Involvement.objects.select_related("institution"), case=access.case, pk=pk
    )
    require(access.may_assign_responsible(involvement))
    form = ResponsibleForm(
        request.POST or None,
        instance=involvement,
        staff=assignable_staff(involvement.institution_id),
    )
    if form.is_valid():
        with transaction.atomic():
            if form.check_version():
                services.involvement_assign_responsible(
                    involvement=involvement,
                    responsible=form.cleaned_data["responsible"],
                    deputy=form.cleaned_data["deputy"],
                )
                messages.success(request, _("Saved."))
                return redirect(access.case)
    return render_form(
        request,
        form,
        _("Responsible caseworker of %(institution)s") % {"institution": involvement.institution},
        access,
    )


@login_required
@GET_POST
def case_close(request: HttpRequest, reference: str) -> HttpResponse:
    """Close the case, after a page that says what will happen (an irreversible step
    for everyone who works on it: it leaves their open cases)."""
    access = get_case_for_user_or_404(request.user, reference)
    require(access.may_lead)
    case = access.case
    if case.status == Case.Status.CLOSED:
        # A second click on "close" after the first went through: nothing left to do.
        messages.info(request, _("The case is already closed."))
        return redirect(case)
    form = CaseCloseForm(request.POST or None, case=case)
    if form.is_valid():
        services.case_close(
            case=case,
            closed_on=form.cleaned_data["closed_on"],
            reason=form.cleaned_data["close_reason"],
        )
        messages.success(request, _("Case %(reference)s was closed.") % {"reference": case})
        return redirect(case)
    return render_form(
        request,
        form,
        _("Close case %(reference)s") % {"reference": case.reference},
        access,
        template="cases/case_close.html",
        involvements=case.involvements.select_related("institution").filter(until__isnull=True),
    )
