"""Pages of meetings. Every view resolves the meeting (or case) through the gateway first."""

import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.models import AccessLog
from cases.permissions import get_case_for_user_or_404
from common.access import require
from common.http import file_response, no_store, pdf_response

from . import calendar, documents, services
from .access import (
    MeetingAccess,
    get_action_for_user_or_404,
    get_committee_for_planning_or_403,
    get_meeting_for_user_or_404,
    meetings_visible_to,
)
from .forms import (
    ActionForm,
    ActionStatusForm,
    AttendanceForm,
    MeetingForm,
    MinutesForm,
    ParticipantForm,
    TextForm,
    default_start,
)
from .models import Amendment, CalendarToken, Meeting, MinutesComment, Participant

GET_POST = require_http_methods(["GET", "POST"])


def _render_form(request, form, title, meeting=None, case=None, status=None, **context):
    """A form page; on a family's case or Beteiligtenkonferenz a read of family data,
    logged once (on GET: a refused POST shows back what was typed)."""
    family_case = case or (meeting.case if meeting and meeting.is_case_conference else None)
    if family_case is not None and request.method == "GET":
        AccessLog.record(request.user, AccessLog.What.CONFERENCE, family_case)
    return render(
        request,
        "conferences/form.html",
        {"form": form, "title": title, "meeting": meeting, "case": case, **context},
        status=status or (400 if form.is_bound and form.errors else 200),
    )


def _log(request, access: MeetingAccess, what: AccessLog.What) -> None:
    if access.meeting.is_case_conference:
        AccessLog.record(request.user, what, access.meeting.case)


@login_required
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    meetings = (
        meetings_visible_to(request.user)
        .select_related("case", "committee", "source_institution")
        .order_by("-starts_at")
    )
    now = timezone.now()
    listed = list(meetings[:200])
    upcoming = [m for m in listed if m.starts_at >= now]
    past = [m for m in listed if m.starts_at < now]
    try:
        committee = get_committee_for_planning_or_403(request.user)
    except (PermissionDenied, Http404):
        committee = None
    if any(meeting.is_case_conference for meeting in listed):
        # The list names the families' cases and their conference dates.
        AccessLog.record(request.user, AccessLog.What.CONFERENCE_LIST)
    return render(
        request,
        "conferences/meeting_list.html",
        {"upcoming": upcoming[::-1], "past": past, "committee": committee},
    )


@login_required
@GET_POST
def conference_new(request: HttpRequest, reference: str) -> HttpResponse:
    """The lead institution plans a Beteiligtenkonferenz of the case."""
    case_access = get_case_for_user_or_404(request.user, reference)
    require(case_access.may_lead)
    form = MeetingForm(request.POST or None, initial={"starts_at": default_start()})
    if form.is_valid():
        meeting = services.conference_schedule(
            case=case_access.case, organiser=request.user, **form.cleaned_data
        )
        messages.success(request, _("The conference was planned. Now invite the participants."))
        return redirect(meeting)
    return _render_form(request, form, _("Plan a Beteiligtenkonferenz"), case=case_access.case)


@login_required
@GET_POST
def sitting_new(request: HttpRequest) -> HttpResponse:
    """The coordination office plans a sitting of its Kooperationsgremium."""
    committee = get_committee_for_planning_or_403(request.user)
    form = MeetingForm(request.POST or None, initial={"starts_at": default_start()})
    if form.is_valid():
        meeting = services.sitting_schedule(
            committee=committee, organiser=request.user, **form.cleaned_data
        )
        messages.success(request, _("The sitting was planned; the committee members are listed."))
        return redirect(meeting)
    return _render_form(request, form, _("Plan a sitting of the Kooperationsgremium"))


@login_required
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_meeting_for_user_or_404(request.user, pk)
    meeting = access.meeting
    minutes = meeting.minutes
    agenda = [item for item in meeting.agenda.all() if access.sees_health or not item.is_health]
    _log(request, access, AccessLog.What.CONFERENCE)
    today = timezone.localdate()
    return render(
        request,
        "conferences/meeting_detail.html",
        {
            "meeting": meeting,
            "access": access,
            "minutes": minutes,
            "agenda": agenda,
            "health_hidden": not access.sees_health
            and any(item.is_health for item in meeting.agenda.all()),
            "participants": meeting.participants.select_related("institution", "member"),
            "actions": [
                (action, action.is_overdue_on(today), access.may_update_action(action))
                for action in meeting.actions.select_related("participant", "institution")
            ],
            "comments": minutes.comments.select_related("author"),
            "amendments": minutes.amendments.select_related("author"),
            "comment_form": TextForm(),
        },
    )


@login_required
@GET_POST
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_meeting_for_user_or_404(request.user, pk)
    require(access.may_reschedule)
    meeting = access.meeting
    form = MeetingForm(request.POST or None, instance=meeting)
    if form.is_valid():
        services.meeting_reschedule(meeting=form.save(commit=False), changed=set(form.changed_data))
        messages.success(request, _("Saved. Invited participants receive the update."))
        return redirect(meeting)
    return _render_form(request, form, _("Change date or place"), meeting=meeting)


@login_required
@GET_POST
def participant_add(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_meeting_for_user_or_404(request.user, pk)
    require(access.may_reschedule)
    meeting = access.meeting
    form = ParticipantForm(
        request.POST or None,
        meeting=meeting,
        institutions=list(access.invitable_institutions()),
        members=access.invitable_members(),
    )
    if form.is_valid():
        form.save()
        messages.success(request, _("The participant was added."))
        return redirect(meeting)
    return _render_form(
        request, form, _("Add a participant"), meeting=meeting, form_class="participant-form"
    )


@login_required
@GET_POST
def agenda_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add an item to the agenda (numbered after the last one) before the minutes freeze."""
    access = get_meeting_for_user_or_404(request.user, pk)
    require(access.may_add_agenda_item)
    meeting = access.meeting
    form = TextForm(request.POST or None)
    form.fields["text"].label = _("Title of the agenda item")
    form.fields["text"].widget = forms.TextInput(attrs={"maxlength": 200})
    form.fields["text"].max_length = 200
    if form.is_valid():
        services.agenda_item_add(meeting=meeting, title=form.cleaned_data["text"])
        messages.success(request, _("The agenda item was added."))
        return redirect(meeting)
    return _render_form(request, form, _("Add an agenda item"), meeting=meeting)


@login_required
@require_POST
def meeting_invite(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_meeting_for_user_or_404(request.user, pk)
    require(access.may_organise)
    try:
        sent = services.meeting_invite(meeting=access.meeting)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Invitations sent by e-mail: %(count)d.") % {"count": sent})
    return redirect(access.meeting)


@login_required
@GET_POST
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_meeting_for_user_or_404(request.user, pk)
    require(access.may_reschedule)
    meeting = access.meeting
    form = TextForm(request.POST or None)
    form.fields["text"].label = _("Reason for the cancellation (for the record)")
    form.fields["text"].required = False
    if request.method == "POST" and form.is_valid():
        services.meeting_cancel(meeting=meeting)
        messages.success(request, _("The meeting was cancelled; the invited were told."))
        return redirect(meeting)
    return _render_form(
        request,
        form,
        _("Cancel the meeting"),
        meeting=meeting,
        intro=_("Everyone invited receives a cancellation for their calendar."),
        submit=_("Cancel the meeting"),
        danger=True,
    )


@login_required
@require_GET
def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_meeting_for_user_or_404(request.user, pk)
    meeting = access.meeting
    cancelled = meeting.state == Meeting.State.CANCELLED
    response = HttpResponse(
        calendar.invitation(meeting, cancel=cancelled),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="termin-{meeting.pk}.ics"'
    _log(request, access, AccessLog.What.CONFERENCE)
    # A case conference's calendar entry names the case: family data.
    return no_store(response) if meeting.is_case_conference else response


@login_required
@require_GET
def invitation_letter(request: HttpRequest, pk: int, participant: int) -> HttpResponse:
    access = get_meeting_for_user_or_404(request.user, pk)
    require(access.may_organise)
    person = get_object_or_404(
        Participant.objects.select_related("member"),
        meeting=access.meeting,
        pk=participant,
        kind=Participant.Kind.FAMILY,
    )
    pdf = documents.letter_pdf(access.meeting, person)
    _log(request, access, AccessLog.What.INVITATION_LETTER)
    return pdf_response(pdf, filename=f"einladung-{access.meeting.pk}.pdf", family_data=True)


@login_required
@GET_POST
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """Record who came; saving marks the meeting as held."""
    access = get_meeting_for_user_or_404(request.user, pk)
    require(access.may_record_attendance)
    meeting = access.meeting
    form = AttendanceForm(request.POST or None, participants=meeting.participants.all())
    if form.is_valid():
        with transaction.atomic():
            for participant_pk, value in form.attendance().items():
                participant = meeting.participants.get(pk=participant_pk)
                if participant.attendance != value:
                    participant.attendance = value
                    participant.save()
            if meeting.state != Meeting.State.HELD:
                services.meeting_held(meeting=meeting)
        messages.success(request, _("Attendance recorded; the meeting is marked as held."))
        return redirect(meeting)
    return _render_form(request, form, _("Attendance"), meeting=meeting)


@login_required
@GET_POST
def minutes_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Write the minutes. A concurrent save is refused and the typed text is kept."""
    access = get_meeting_for_user_or_404(request.user, pk)
    require(access.may_edit_minutes)
    meeting = access.meeting
    minutes = meeting.minutes
    items = [i for i in meeting.agenda.all() if access.sees_health or not i.is_health]
    form = MinutesForm(
        request.POST or None,
        items=items,
        with_resolutions=not meeting.is_case_conference,
        initial={"version": minutes.version},
    )
    if form.is_valid():
        try:
            services.minutes_save(
                minutes=minutes, version=form.cleaned_data["version"], texts=form.texts()
            )
        except services.StaleMinutes:
            form.add_error(
                None,
                _(
                    "Someone else saved these minutes while you were writing. Your text is "
                    "kept below and was not saved: compare it with the current minutes (open "
                    "them in a new tab), then save again."
                ),
            )
            form.data = form.data.copy()
            form.data["version"] = minutes.__class__.objects.get(pk=minutes.pk).version
        else:
            messages.success(request, _("The minutes were saved."))
            return redirect(meeting)
    return _render_form(request, form, _("Minutes"), meeting=meeting)


@login_required
@require_POST
def minutes_circulate(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_meeting_for_user_or_404(request.user, pk)
    require(access.may_organise)
    try:
        services.minutes_circulate(minutes=access.meeting.minutes)
        messages.success(request, _("The minutes are circulated to the participants."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(access.meeting)


@login_required
@require_POST
def minutes_approve(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_meeting_for_user_or_404(request.user, pk)
    require(access.may_approve)
    try:
        services.minutes_approve(
            minutes=access.meeting.minutes,
            approved_by=request.user,
        )
        messages.success(request, _("The minutes are approved and frozen."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(access.meeting)


@login_required
@require_POST
def minutes_comment(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_meeting_for_user_or_404(request.user, pk)
    require(access.may_comment)
    minutes = access.meeting.minutes
    form = TextForm(request.POST)
    if form.is_valid():
        MinutesComment.objects.create(
            minutes=minutes, author=request.user, text=form.cleaned_data["text"]
        )
        messages.success(request, _("Your comment was added."))
    else:
        messages.error(request, _("Please enter a comment."))
    return redirect(access.meeting)


@login_required
@GET_POST
def minutes_amend(request: HttpRequest, pk: int) -> HttpResponse:
    """A dated amendment of approved minutes; the frozen PDF stays as it was."""
    access = get_meeting_for_user_or_404(request.user, pk)
    require(access.may_amend)
    minutes = access.meeting.minutes
    form = TextForm(request.POST or None)
    form.fields["text"].label = _("Amendment")
    if form.is_valid():
        Amendment.objects.create(
            minutes=minutes, author=request.user, text=form.cleaned_data["text"]
        )
        messages.success(request, _("The amendment was added."))
        return redirect(access.meeting)
    return _render_form(request, form, _("Add an amendment"), meeting=access.meeting)


@login_required
@require_GET
def minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The protocol: once approved exactly the frozen bytes, before that a draft."""
    access = get_meeting_for_user_or_404(request.user, pk)
    meeting, minutes = access.meeting, access.meeting.minutes
    family_data = meeting.is_case_conference
    filename = f"protokoll-{meeting.pk}.pdf"
    if minutes.is_frozen:
        full = access.sees_health or not meeting.is_case_conference
        stored = minutes.pdf if full else minutes.pdf_without_health
        checksum = minutes.sha256 if full else minutes.sha256_without_health
        response = file_response(
            stored.open("rb"),
            filename=filename,
            content_type="application/pdf",
            family_data=family_data,
            request=request,
            sha256=checksum,
        )
        response["X-Checksum-SHA256"] = checksum
    else:
        pdf = documents.protocol_pdf(meeting, minutes, include_health=access.sees_health)
        response = pdf_response(pdf, filename=filename, family_data=family_data)
    _log(request, access, AccessLog.What.CONFERENCE_PDF)
    return response


@login_required
@GET_POST
def action_add(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_meeting_for_user_or_404(request.user, pk)
    require(access.may_organise)
    meeting = access.meeting
    form = ActionForm(
        request.POST or None, meeting=meeting, institutions=access.invitable_institutions()
    )
    if form.is_valid():
        form.save()
        messages.success(request, _("The agreed action was added."))
        return redirect(meeting)
    return _render_form(request, form, _("Add an agreed action"), meeting=meeting)


@login_required
@GET_POST
def action_update(request: HttpRequest, pk: int) -> HttpResponse:
    """The organiser or the responsible institution records that an action is done."""
    action, access = get_action_for_user_or_404(request.user, pk)
    require(access.may_update_action(action))
    form = ActionStatusForm(request.POST or None, instance=action)
    if form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return redirect(access.meeting)
    return _render_form(
        request, form, _("Agreed action"), meeting=access.meeting, intro=action.what
    )


@login_required
@GET_POST
def calendar_settings(request: HttpRequest) -> HttpResponse:
    """The user's private calendar subscription: create a URL, or revoke it."""
    tokens = CalendarToken.objects.filter(user=request.user, revoked_at__isnull=True)
    if request.method == "POST":
        tokens.update(revoked_at=timezone.now())
        if request.POST.get("action") == "create":
            CalendarToken.objects.create(user=request.user, token=secrets.token_urlsafe(32))
            messages.success(request, _("Your calendar address was created."))
        else:
            messages.success(request, _("Your calendar address was revoked."))
        return redirect("conferences:calendar")
    token = tokens.first()
    url = (
        request.build_absolute_uri(reverse("conferences:feed", args=[token.token]))
        if token
        else None
    )
    return render(request, "conferences/calendar.html", {"url": url})


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """Without a session (calendar apps): the token is the credential, revocable."""
    entry = (
        CalendarToken.objects.select_related("user")
        .filter(token=token, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if entry is None:
        raise Http404
    user = entry.user
    meetings = (
        meetings_visible_to(user)
        .upcoming()
        .filter(participants__user=user)
        .select_related("case", "committee", "organiser")
        .distinct()
        .order_by("starts_at")[:200]
    )
    response = HttpResponse(calendar.feed(meetings), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
