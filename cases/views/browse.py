"""Reading cases: the list, the case page, who accessed it, and the user's notifications."""

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from common.access import require
from common.forms import parse_id
from cooperation.models import Institution

from ..models import (
    AccessLog,
    DataCategory,
    FamilyMember,
    HealthSituation,
    Notification,
    Specialist,
)
from ..permissions import (
    CaseAccess,
    cases_visible_to,
    consultations_visible_to,
    get_case_for_audit_or_404,
    get_case_for_user_or_404,
    may_designate_specialists,
    may_look_up_access_logs,
    may_open_case,
    name_matches,
    sees_no_family_data,
)
from ..timeline import case_timeline

PAGE_SIZE = 50
# Apps above this one add to the case page (the conferences app: the case's
# Beteiligtenkonferenzen). They register a function of the reader's ``CaseAccess`` that
# returns template context in their AppConfig.ready, so that this app never imports them.
case_page_context: list[Callable[[CaseAccess], dict]] = []


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    """The user's visible cases: search by reference or name, filter, paginate (htmx)."""
    user = request.user
    cases = cases_visible_to(user).select_related("lead_institution")
    query = request.GET.get("q", "").strip()[:100]
    if query:
        cases = cases.filter(Q(reference__icontains=query) | name_matches(user, query))
    status = request.GET.get("status", "")
    if status in ("open", "closed"):
        cases = cases.filter(status=status)
    lead = request.GET.get("lead", "")
    leads = Institution.objects.none()
    if not sees_no_family_data(user):
        leads = Institution.objects.filter(cooperation=user.institution.cooperation_id).exclude(
            kind=Institution.Kind.KOORDINATION
        )
    lead_id = parse_id(lead)
    if lead_id is not None:
        cases = cases.filter(lead_institution_id=lead_id)
    due = request.GET.get("due") == "1"
    if due:
        cases = cases.filter(status="open", conference_due_on__lte=timezone.localdate())
    page = Paginator(cases.order_by("-listed_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    if not sees_no_family_data(user) or user.is_superuser:
        AccessLog.record(user, AccessLog.What.CASE_SEARCH if query else AccessLog.What.CASE_LIST)
    template = "cases/case_list.html#rows" if request.htmx else "cases/case_list.html"
    # A designated specialist finds the consultations addressed to them here.
    designated = Specialist.objects.active_on(timezone.localdate()).filter(user_id=user.pk)
    consultations_open = (
        consultations_visible_to(user).filter(advised_at__isnull=True).count()
        if not request.htmx and designated.exists()
        else None
    )
    filters = {"q": query, "status": status, "lead": lead, "due": "1" if due else ""}
    return render(
        request,
        template,
        {
            "page": page,
            "filters": filters,
            "leads": leads,
            "today": timezone.localdate(),
            "may_open": may_open_case(user),
            "consultations_open": consultations_open,
            "may_designate": may_designate_specialists(user),
        },
    )


@login_required
@require_GET
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """The case page: every section filtered through the user's grant, the read logged."""
    access = get_case_for_user_or_404(request.user, reference)
    case = access.case
    today = timezone.localdate()
    members = [
        m
        for m in FamilyMember.objects.filter(case=case).prefetch_related(
            Prefetch("health", HealthSituation.objects.select_related("source_institution"))
        )
        if access.can_see(m.source_institution_id, DataCategory.MASTER)
    ]
    health = {
        m.pk: [
            h
            for h in m.health.all()
            if access.can_see(h.source_institution_id, DataCategory.HEALTH)
        ]
        for m in members
    }
    notes = [
        n
        for n in case.notes.select_related("author", "source_institution")
        if access.can_see(n.source_institution_id, n.category)
    ]
    consents = list(
        case.consents.select_related("source_institution", "given_by").prefetch_related(
            "recipients"
        )
    )
    AccessLog.record(request.user, AccessLog.What.CASE_DETAIL, case)
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "access": access,
            "today": today,
            "members": [(m, health[m.pk]) for m in members],
            "involvements": case.involvements.select_related("institution", "contact"),
            "consents": [
                (
                    c,
                    access.may_read_consent(c),
                    c.expires_soon(today),
                    {
                        "give_or_refuse": access.may_give_or_refuse(c),
                        "correct": access.may_correct(c),
                        "revoke": access.may_revoke(c),
                    },
                )
                for c in consents
            ],
            "disclosures": [
                (disclosure, access.may_read_disclosure(disclosure))
                for disclosure in case.disclosures.select_related(
                    "case", "from_institution", "to_institution", "disclosed_by"
                )
            ],
            "consultations": access.visible_consultations(),
            "notes": notes,
            "timeline": case_timeline(access),
            **{key: value for extra in case_page_context for key, value in extra(access).items()},
        },
    )


@login_required
@require_GET
def access_log(request: HttpRequest, reference: str) -> HttpResponse:
    """Who accessed this case: for the lead institution's lead and the DPO (read-only)."""
    case = get_case_for_audit_or_404(request.user, reference)
    entries = (
        AccessLog.objects.filter(case=case)
        .select_related("user", "institution")
        .order_by("-at")[:500]
    )
    AccessLog.record(request.user, AccessLog.What.ACCESS_LOG, case)
    # Access granted without consent stands out in the audit too.
    disclosures = case.disclosures.select_related("from_institution", "to_institution")
    return render(
        request,
        "cases/access_log.html",
        {"case": case, "entries": entries, "disclosures": disclosures},
    )


@login_required
@require_GET
def access_log_lookup(request: HttpRequest) -> HttpResponse:
    """The data-protection officer enters a reference to read that case's access log."""
    require(may_look_up_access_logs(request.user))
    reference = request.GET.get("reference", "").strip().upper()
    if reference:
        return redirect(reverse("cases:access_log", args=[reference]))
    return render(request, "cases/access_log_lookup.html")


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    """The user's messages (e.g. revoked consents); POST marks them all read."""
    mine = (
        Notification.objects.filter(user=request.user)
        .select_related("case", "consent__source_institution")
        .prefetch_related("consent__recipients")
    )
    if request.method == "POST":
        mine.filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("cases:notifications")
    return render(request, "cases/notifications.html", {"notifications": mine[:100]})
