"""Follow-ups from the case page: set one, mark it done, open it again.

Every view resolves the case or the follow-up through the gateway (``worklist.access``)
and asks its decision; the writes are ``worklist.services``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.permissions import get_case_for_user_or_404
from cases.views.records import create_once, one_submission, render_form
from common.access import require
from privacy.permissions import get_office_for_user_or_403

from . import dashboard, services
from .access import get_followup_for_user_or_404, may_set_followup
from .context_processors import forget_counts
from .forms import FollowUpForm


@login_required
@require_http_methods(["GET", "POST"])
@one_submission
def followup_add(request: HttpRequest, reference: str) -> HttpResponse:
    """Set a follow-up; the case page posts its short form here, and a refused one comes
    back on this page with what was typed."""
    access = get_case_for_user_or_404(request.user, reference)
    require(may_set_followup(access))
    form = FollowUpForm(request.POST or None)
    if form.is_valid():
        forget_counts(request)
        return create_once(
            request,
            form,
            lambda: services.followup_create(
                case=access.case,
                created_by=request.user,
                due_on=form.cleaned_data["due_on"],
                note=form.cleaned_data["note"],
            ),
            lambda followup: (
                _("Follow-up set for %(date)s.") % {"date": followup.due_on.strftime("%d.%m.%Y")}
            ),
        )
    return render_form(
        request,
        form,
        _("Set a follow-up"),
        access,
        intro=_("A reminder for your institution to look at this case again on a given day."),
    )


@login_required
@require_POST
def followup_done(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_followup_for_user_or_404(request.user, pk)
    require(access.may_close)
    services.followup_mark_done(followup=access.followup, user=request.user)
    forget_counts(request)
    messages.success(request, _("The follow-up is marked as done."))
    return redirect(_back(request, access.followup))


@login_required
@require_POST
def followup_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_followup_for_user_or_404(request.user, pk)
    require(access.may_close)
    services.followup_reopen(followup=access.followup, user=request.user)
    forget_counts(request)
    messages.success(request, _("The follow-up is open again."))
    return redirect(_back(request, access.followup))


def _back(request: HttpRequest, followup) -> str:
    """Back to the dashboard when marked there, otherwise to the case page."""
    return "dashboard" if request.POST.get("next") == "dashboard" else followup.get_absolute_url()


@login_required
@require_GET
def deletions_preview(request: HttpRequest) -> HttpResponse:
    """The data-protection officer's dashboard figures of the privacy app's 90-day plan,
    loaded after the dashboard (htmx): the plan reads every case of the cooperation."""
    office = get_office_for_user_or_403(request.user)
    require(office.may_read_deletions)
    preview = dashboard.deletions_preview(office.cooperation, timezone.localdate())
    # htmx swaps the fragment into the dashboard; opened directly, it is a page of its own.
    template = (
        "worklist/deletions_preview.html"
        if request.htmx
        else "worklist/deletions_preview_page.html"
    )
    return render(request, template, {"preview": preview})
