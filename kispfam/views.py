from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cases.models import AccessLog
from cases.permissions import sees_no_family_data
from conferences import dashboard as meetings
from cooperation.models import Institution, User
from worklist import dashboard as worklist


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Meine Übersicht: the worklist of the signed-in person and their institution.

    Which sections appear follows the role: casework (caseworkers and leads whose role is
    confirmed), the team's overdue items (leads), the committee, mail and staff
    (coordination office), disclosures and deletions (data-protection officer). Each
    section is one query (``conferences.dashboard``, ``worklist.dashboard``).
    """
    user: User = request.user
    now = timezone.now()
    today = timezone.localdate(now)
    if user.institution_id is not None:
        # The header and this page name the institution and its cooperation: one query.
        user.institution = Institution.objects.select_related("cooperation").get(
            pk=user.institution_id
        )
    casework = not user.is_superuser and not sees_no_family_data(user)
    lead = casework and user.role == User.Role.LEAD
    context = {
        "institution": user.institution,
        "today": today,
        "casework": casework,
        "lead": lead,
    }
    if casework:
        mine = meetings.my_meetings(user, now)
        actions = meetings.my_actions(user, today, team=lead)
        watch = worklist.cases_to_watch(user, today)
        followups = worklist.my_followups(user, today, team=lead)
        context.update(
            {
                "upcoming_meetings": mine.upcoming,
                "minutes_waiting": mine.minutes_waiting,
                "my_actions": actions.mine,
                "team_overdue_actions": actions.team_overdue,
                "due_conferences": watch.due_conferences,
                "expiring": watch.expiring,
                "my_followups": followups.mine,
                "team_overdue_followups": followups.team_overdue,
                "within_days": meetings.WITHIN_DAYS,
                "warning_days": worklist.WARNING_DAYS,
            }
        )
        # The worklist names cases, agreed actions and follow-up notes: a read like the
        # case list (no single case).
        AccessLog.record(user, AccessLog.What.WORKLIST)
    if user.is_coordination_office:
        context.update(
            {
                "committee": meetings.committee_work(user, now),
                "failed_mails": worklist.failed_mails(user),
                "pending_staff_changes": worklist.pending_staff_changes(user),
                "open_account_invitations": worklist.open_account_invitations(user, now),
            }
        )
    if user.is_data_protection_officer:
        context.update(
            {
                "disclosures": worklist.recent_disclosures(user, today),
                "disclosure_days": worklist.RECENT_DISCLOSURE_DAYS,
            }
        )
    return render(request, "dashboard.html", context)
