from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .models import AccessLog, DataCategory, FamilyMember
from .permissions import cases_visible_to, get_case_for_user_or_404

PAGE_SIZE = 50


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    """The user's visible cases; searched by reference only until names are scoped too."""
    cases = cases_visible_to(request.user).select_related("lead_institution")
    query = request.GET.get("q", "").strip()
    if query:
        cases = cases.filter(Q(reference__icontains=query))
    status = request.GET.get("status", "")
    if status in ("open", "closed"):
        cases = cases.filter(status=status)
    page = Paginator(cases.order_by("-listed_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    if request.user.institution_id or request.user.is_superuser:
        AccessLog.record(request.user, "case_list")
    template = "cases/case_list.html#rows" if request.htmx else "cases/case_list.html"
    return render(request, template, {"page": page, "query": query, "status": status})


@login_required
@require_GET
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    access = get_case_for_user_or_404(request.user, reference)
    case = access.case
    members = [
        m
        for m in FamilyMember.objects.filter(case=case).prefetch_related("health")
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
    AccessLog.record(request.user, "case_detail", case)
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "members": [(m, health[m.pk]) for m in members],
            "involvements": case.involvements.select_related("institution", "contact"),
            "consents": case.consents.select_related("source_institution").prefetch_related(
                "recipients"
            ),
            "disclosures": case.disclosures.select_related("from_institution", "to_institution"),
            "notes": notes,
        },
    )
