"""Pages of meetings. Every view resolves the meeting (or case) through the gateway first."""

import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.models import AccessLog
from cases.permissions import get_case_for_user_or_404
from common.access import require
from common.http import no_store, pdf_response
from common.pending import enqueue_on_commit, is_poll, pending_response, stored_pdf_response

from . import calendar, documents, services, tasks
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
    ParticipantsBulkForm,
    TextForm,
    default_start,
)
from .models import CalendarToken, Meeting, MinutesComment, Participant

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


def _recipient_groups(participants) -> list[tuple[str, list[tuple[Participant, str]]]]:
    """The participants grouped by institution (then family, external persons), each with
    how they are told: the confirmation pages say what will happen, to whom."""
    groups: dict[str, list] = {}
    for p in participants:
        if p.kind == Participant.Kind.FAMILY:
            heading, channel = _("Family"), _("letter (print and send it)")
        else:
            heading = p.institution.name if p.institution_id else _("External persons")
            channel = _("e-mail with calendar file") if p.email else _("no e-mail address")
        groups.setdefault(heading, []).append((p, channel))
    return list(groups.items())


def _confirm(request, access: MeetingAccess, *, title, happens, recipients, submit, **extra):
    """The confirmation page of an irreversible step (GET): what will happen, to whom."""
    _log(request, access, AccessLog.What.CONFERENCE)
    return render(
        request,
        "conferences/confirm.html",
        {
            "meeting": access.meeting,
            "title": title,
            "happens": happens,
            "groups": _recipient_groups(recipients),
            "submit": submit,
            **extra,
        },
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
            "participants": [
                (p, access.may_remove_participant(p))
                for p in meeting.participants.select_related("institution", "member")
            ],
            "actions": [
                (
                    action,
                    action.is_overdue_on(today),
                    access.may_update_action(action),
                    access.may_correct_action(action),
                )
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
        changed = set(form.changed_data)
        services.meeting_reschedule(
            meeting=form.save(commit=False), changed=changed, changed_by=request.user
        )
        messages.success(request, _("Saved. Invited participants receive the update."))
        letters = meeting.participants.filter(kind=Participant.Kind.FAMILY).exclude(
            invited_sequence=None
        )
        if changed & services.SCHEDULE_FIELDS and letters.exists():
            # Parents are invited by letter: nobody else tells them of the new date.
            messages.warning(
                request,
                _(
                    "The date or place changed: print the invitation letter again for %(names)s "
                    "and send it (links in the list of participants)."
                )
                % {"names": ", ".join(p.name for p in letters)},
            )
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
def participants_bulk(request: HttpRequest, pk: int) -> HttpResponse:
    """Add several of the suggested people at once (staff of the institutions that may be
    invited, the family members), each staff member with a role."""
    access = get_meeting_for_user_or_404(request.user, pk)
    require(access.may_reschedule)
    meeting = access.meeting
    form = ParticipantsBulkForm(
        request.POST if request.method == "POST" else None,
        meeting=meeting,
        institutions=list(access.invitable_institutions()),
        members=access.invitable_members(),
    )
    if form.is_valid():
        added = services.participants_add(
            meeting=meeting,
            users=list(form.cleaned_data["users"]),
            members=list(form.cleaned_data.get("members") or []),
            roles=form.chosen_roles(),
        )
        messages.success(request, _("Participants added: %(count)d.") % {"count": len(added)})
        return redirect(meeting)
    if request.method == "GET":
        _log(request, access, AccessLog.What.CONFERENCE)
    return render(
        request,
        "conferences/participants_bulk.html",
        {"form": form, "meeting": meeting},
        status=400 if form.is_bound else 200,
    )


@login_required
@GET_POST
def participant_remove(request: HttpRequest, pk: int, participant: int) -> HttpResponse:
    """Take someone off the list before the invitation is sent (GET asks to confirm)."""
    access = get_meeting_for_user_or_404(request.user, pk)
    person = get_object_or_404(access.meeting.participants, pk=participant)
    require(access.may_remove_participant(person))
    if request.method == "POST":
        try:
            services.participant_remove(participant=person)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("%(name)s was removed from the participants.") % {"name": person.name}
            )
        return redirect(access.meeting)
    return _confirm(
        request,
        access,
        title=_("Remove a participant"),
        happens=[
            _("%(name)s is taken off the list of participants.") % {"name": person.name},
            _("Nobody is told: the invitation was not sent yet."),
        ],
        recipients=[],
        submit=_("Remove"),
        danger=True,
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
@GET_POST
def meeting_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the invitations; GET shows first who will get what."""
    access = get_meeting_for_user_or_404(request.user, pk)
    require(access.may_invite)
    meeting = access.meeting
    if request.method == "POST":
        try:
            sent = services.meeting_invite(meeting=meeting)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Invitations sent by e-mail: %(count)d.") % {"count": sent})
        return redirect(meeting)
    pending = list(
        meeting.participants.exclude(invited_sequence=meeting.sequence).select_related(
            "institution"
        )
    )
    mails = sum(1 for p in pending if p.email and p.kind != Participant.Kind.FAMILY)
    happens = [
        _("%(count)d e-mail(s) with a calendar file are sent, one to each person listed below.")
        % {"count": mails},
        _("Only those not yet invited to this date are invited; nobody is invited twice."),
    ]
    if any(p.kind == Participant.Kind.FAMILY for p in pending):
        happens.append(_("Family members get no e-mail: print their letter and send it."))
    return _confirm(
        request,
        access,
        title=_("Send invitations"),
        happens=happens,
        recipients=pending,
        submit=_("Send invitations"),
        nobody=_("Everyone listed is already invited to this date."),
    )


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
        services.meeting_cancel(meeting=meeting, cancelled_by=request.user)
        messages.success(request, _("The meeting was cancelled; the invited were told."))
        return redirect(meeting)
    invited = list(
        meeting.participants.exclude(invited_sequence=None).select_related("institution")
    )
    return _confirm(
        request,
        access,
        title=_("Cancel the meeting"),
        happens=[
            _("The meeting is cancelled for good; it cannot be planned again (plan a new one)."),
            _("Everyone invited by e-mail receives a cancellation for their calendar."),
            _("Family members invited by letter are not told automatically: tell them."),
        ],
        recipients=invited,
        submit=_("Cancel the meeting"),
        danger=True,
        form=form,
        nobody=_("Nobody was invited yet: nobody is told."),
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
    correcting = meeting.state not in (Meeting.State.PLANNED, Meeting.State.INVITED)
    if form.is_valid():
        services.attendance_record(meeting=meeting, attendance=form.attendance())
        if correcting:
            messages.success(request, _("Attendance corrected; the history keeps the change."))
        else:
            messages.success(request, _("Attendance recorded; the meeting is marked as held."))
        return redirect(meeting)
    return _render_form(
        request,
        form,
        _("Correct attendance") if correcting else _("Attendance"),
        meeting=meeting,
        intro=_("Attendance can be corrected until the minutes are approved.")
        if correcting
        else "",
    )


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
@GET_POST
def minutes_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve and freeze the minutes; GET shows first what that means and who is told."""
    access = get_meeting_for_user_or_404(request.user, pk)
    require(access.may_approve)
    meeting = access.meeting
    if request.method == "POST":
        try:
            services.minutes_approve(minutes=meeting.minutes, approved_by=request.user)
            messages.success(request, _("The minutes are approved and frozen."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(meeting)
    told = [
        p
        for p in meeting.participants.select_related("institution")
        if p.kind == Participant.Kind.STAFF and p.user_id != request.user.pk
    ]
    return _confirm(
        request,
        access,
        title=_("Approve and freeze the minutes"),
        happens=[
            _("The protocol is rendered once as a PDF and stored with its checksum."),
            _(
                "After that the minutes, the attendance and the agreed actions cannot be "
                "changed; corrections are made as dated amendments."
            ),
            _("The staff participants listed below are notified (in KispFam and by e-mail)."),
        ],
        recipients=told,
        submit=_("Approve and freeze"),
        busy=_("The protocol is being rendered; this takes a few seconds …"),
        nobody=_("Nobody else is notified."),
    )


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
        services.minutes_amend(minutes=minutes, author=request.user, text=form.cleaned_data["text"])
        messages.success(request, _("The amendment was added."))
        return redirect(access.meeting)
    return _render_form(request, form, _("Add an amendment"), meeting=access.meeting)


@login_required
@require_GET
def minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The protocol: once approved exactly the frozen bytes ("being created" until the
    task has stored them), before that a draft rendered now (about a third of a second
    for a long demo protocol; a stored draft would be one more file of family data)."""
    access = get_meeting_for_user_or_404(request.user, pk)
    meeting, minutes = access.meeting, access.meeting.minutes
    family_data = meeting.is_case_conference
    # Also the poll of the waiting page: whoever is shown the protocol's state, read it.
    _log(request, access, AccessLog.What.CONFERENCE_PDF)
    if not minutes.is_frozen:
        pdf = documents.protocol_pdf(meeting, minutes, include_health=access.sees_health)
        return pdf_response(pdf, filename=f"protokoll-{meeting.pk}.pdf", family_data=family_data)
    if minutes.sha256 and not is_poll(request):
        full = access.sees_health or not meeting.is_case_conference
        response = stored_pdf_response(
            request,
            minutes.pdf if full else minutes.pdf_without_health,
            sha256=minutes.sha256 if full else minutes.sha256_without_health,
            filename=f"protokoll-{meeting.pk}.pdf",
        )
        # A case conference's protocol is family data: not even the browser keeps it.
        return no_store(response) if family_data else response
    if not minutes.sha256 and not is_poll(request):
        # Approved before the task existed, or its task was lost: render it now.
        enqueue_on_commit(tasks.render_protocol, minutes.pk)
    return pending_response(
        request,
        ready=bool(minutes.sha256),
        title=_("Protocol (PDF)"),
        label=_("Download the PDF"),
        back_url=meeting.get_absolute_url(),
    )


@login_required
@GET_POST
def action_add(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_meeting_for_user_or_404(request.user, pk)
    require(access.may_add_action)
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
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct an agreed action (what, who, by when) until the minutes are approved; the
    page shows the earlier versions (the history keeps each)."""
    action, access = get_action_for_user_or_404(request.user, pk)
    require(access.may_correct_action(action))
    meeting = access.meeting
    form = ActionForm(
        request.POST or None,
        instance=action,
        meeting=meeting,
        institutions=access.invitable_institutions(),
    )
    if form.is_valid():
        form.save()
        messages.success(request, _("The agreed action was corrected."))
        return redirect(meeting)
    versions = list(action.history.select_related("history_user").order_by("-history_id")[1:20])
    return _render_form(
        request,
        form,
        _("Correct an agreed action"),
        meeting=meeting,
        intro=_("Agreed actions can be corrected until the minutes are approved."),
        versions=versions,
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
