"""Reading cases: the list, who accessed a case, and the user's notifications (the case
page is in ``case_record``)."""

from collections.abc import Callable, Iterable
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from common.forms import parse_id
from cooperation.models import Institution

from ..models import (
    AccessLog,
    Case,
    Notification,
    Specialist,
)
from ..permissions import (
    CaseAccess,
    cases_visible_to,
    consultations_visible_to,
    family_name_visible_to,
    get_case_for_audit_or_404,
    get_case_for_user_or_404,
    may_designate_specialists,
    may_open_case,
    name_matches,
    responsible_for,
    sees_no_family_data,
)
from ..timeline import case_timeline

PAGE_SIZE = 50
# Counting every hit of a broad search costs more than the page itself on a Land-sized
# data set; past this many the list says "more than 500" instead (issue 13).
COUNT_CAP = 500
# The sortable columns, by the name the URL carries; the default is the last change.
SORT_COLUMNS = {
    "reference": ("reference",),
    "family": ("family_name",),
    "opened": ("opened_at",),
    "due": ("conference_due_on",),
}
# The list's dates, as the template's ``date:"d.m.Y"`` writes them elsewhere.
DATE_FORMAT = "%d.%m.%Y"
# What a row of the list shows: the rest of a case is not read (``only``).
LIST_FIELDS = (
    "reference",
    "status",
    "opened_at",
    "conference_due_on",
    "lead_institution__short_name",
)
# Apps above this one add to the case page (the conferences app: the case's
# Beteiligtenkonferenzen). They register a function of the reader's ``CaseAccess`` that
# returns template context in their AppConfig.ready, so that this app never imports them.
case_page_context: list[Callable[[CaseAccess], dict]] = []


class CappedPaginator(Paginator):
    """Counts at most ``COUNT_CAP + 1`` rows: one LIMITed query, however many match.

    ``counted`` is the same rows without what only the shown page needs (the family
    name's subquery): the count reads neither it nor the order, so PostgreSQL stops at
    the first ``COUNT_CAP + 1`` rows it finds.
    """

    def __init__(self, object_list, per_page, counted=None):
        super().__init__(object_list, per_page)
        self.counted = object_list if counted is None else counted

    @cached_property
    def count(self) -> int:
        return self.counted.order_by()[: COUNT_CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP


def _ordering(sort: str) -> list:
    descending = sort.startswith("-")
    columns = SORT_COLUMNS.get(sort.removeprefix("-"))
    if columns is None:
        return ["-listed_at", "-pk"]
    # Cases without a due date or a visible name go last, whichever the direction.
    order = [
        F(column).desc(nulls_last=True) if descending else F(column).asc(nulls_last=True)
        for column in columns
    ]
    return [*order, "-pk" if descending else "pk"]


def _page(cases, counted, number: str | None) -> Page:
    """The requested page of ``cases``; ``counted`` the same rows for the count. The first
    page is read with one row more than it shows: when that row is missing, the rows are
    all there are and nothing needs counting."""
    if number in (None, "", "1"):
        rows = list(cases[: PAGE_SIZE + 1])
        if len(rows) <= PAGE_SIZE:
            return Paginator(rows, PAGE_SIZE).page(1)
        return Page(rows[:PAGE_SIZE], 1, CappedPaginator(cases, PAGE_SIZE, counted))
    return CappedPaginator(cases, PAGE_SIZE, counted).get_page(number)


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    """The user's visible cases: search by reference or name, "my cases", filters,
    sortable columns and pages, all kept in the URL (a GET form; htmx swaps the rows)."""
    user = request.user
    today = timezone.localdate()
    may_see_families = not sees_no_family_data(user) or user.is_superuser
    cases = cases_visible_to(user, today).select_related("lead_institution").only(*LIST_FIELDS)
    query = request.GET.get("q", "").strip()[:100]
    if query:
        # On PostgreSQL both lookups run on the trigram indexes of migration 0007.
        cases = cases.filter(Q(reference__icontains=query) | name_matches(user, query))
    status = request.GET.get("status", "")
    if status in ("open", "closed"):
        cases = cases.filter(status=status)
    mine = request.GET.get("mine") == "1"
    if mine:
        cases = cases.filter(responsible_for(user))
    lead = request.GET.get("lead", "")
    leads: list[dict] = []
    if not sees_no_family_data(user):
        # The filter's choices: key and short name are all it shows. The page's header
        # names the user's institution, which came with the user (cooperation/backends.py).
        leads = list(
            Institution.objects.filter(cooperation_id=user.institution.cooperation_id)
            .exclude(kind=Institution.Kind.KOORDINATION)
            .values("pk", "short_name")
        )
    lead_id = parse_id(lead)
    if lead_id is not None:
        cases = cases.filter(lead_institution_id=lead_id)
    due = request.GET.get("due") == "1"
    if due:
        cases = cases.filter(status="open", conference_due_on__lte=today)
    sort = request.GET.get("sort", "")
    if sort.removeprefix("-") not in SORT_COLUMNS or (
        sort.endswith("family") and not may_see_families
    ):
        sort = ""
    listed = cases
    if may_see_families:
        # The family name only where its master data is released: the gateway's rule,
        # as one subquery for the whole page (and not in the count).
        listed = cases.annotate(family_name=family_name_visible_to(user))
    page = _page(listed.order_by(*_ordering(sort)), cases, request.GET.get("page"))
    if may_see_families:
        AccessLog.record(user, AccessLog.What.CASE_SEARCH if query else AccessLog.What.CASE_LIST)
    template = "cases/case_list.html#rows" if request.htmx else "cases/case_list.html"
    # A designated specialist finds the consultations addressed to them here.
    consultations_open = None
    if not request.htmx and may_see_families:
        designated = Specialist.objects.active_on(today).filter(user_id=user.pk)
        if designated.exists():
            consultations_open = (
                consultations_visible_to(user).filter(advised_at__isnull=True).count()
            )
    filters = {
        "q": query,
        "status": status,
        "lead": lead,
        "due": "1" if due else "",
        "mine": "1" if mine else "",
        "sort": sort,
    }
    return render(
        request,
        template,
        {
            "page": page,
            "rows": _rows(page.object_list, today),
            "count_cap": COUNT_CAP,
            "with_family": may_see_families,
            "filters": filters,
            "columns": _sort_links(sort, may_see_families),
            "labels": CELL_LABELS,
            "leads": leads,
            "may_open": may_open_case(user),
            "consultations_open": consultations_open,
            "may_designate": may_designate_specialists(user),
        },
    )


def case_link() -> Callable[[str], str]:
    """``reference`` → the case page's URL, as ``reverse("cases:detail", args=[reference])``
    gives it (quoted the same way), from one ``reverse`` however many rows link to their
    case: a ``reverse`` per row was a tenth of a long list's time."""
    marker = "REFERENCE"
    head, tail = reverse("cases:detail", args=[marker]).split(marker)
    safe = RFC3986_SUBDELIMS + "/~:@"
    return lambda reference: f"{head}{quote(reference, safe=safe)}{tail}"


def _rows(cases: Iterable[Case], today) -> list[dict]:
    """The page's rows as the template shows them.

    Plain dicts, because a key is what the template engine looks up fastest; the links
    from ``case_link``; the dates formatted here as the ``date`` filter would (``d.m.Y``, the
    opening in local time). On a full page of fifty the row loop was a quarter of the
    request, half of it these lookups and filters.
    """
    link = case_link()
    rows = []
    for case in cases:
        is_open = case.status == Case.Status.OPEN
        due = case.conference_due_on if is_open else None
        rows.append(
            {
                "url": link(case.reference),
                "reference": case.reference,
                "status": case.get_status_display(),
                "lead": case.lead_institution.short_name,
                "family_name": getattr(case, "family_name", None),
                "opened_on": timezone.localtime(case.opened_at).strftime(DATE_FORMAT),
                "due_on": due.strftime(DATE_FORMAT) if due is not None else "",
                "due_now": due is not None and due <= today,
            }
        )
    return rows


# What each cell is called where the table stacks into one block per case (phones): the
# words of the headers.
CELL_LABELS = {
    "reference": _("Reference"),
    "status": _("Status"),
    "lead": _("Lead institution"),
    "family": _("Family"),
    "opened": _("Opened"),
    "due": _("Next conference due"),
}


def _sort_links(sort: str, with_family: bool) -> list[dict]:
    """The list's column headers: label, the sort a click asks for, and the current
    direction for ``aria-sort``."""
    columns = []
    for key in ("reference", "family", "opened", "due"):
        label = CELL_LABELS[key]
        if key == "family" and not with_family:
            continue
        current = "ascending" if sort == key else "descending" if sort == f"-{key}" else ""
        columns.append(
            {
                "key": key,
                "label": label,
                "sort": f"-{key}" if sort == key else key,
                "aria_sort": current,
            }
        )
    return columns


@login_required
@require_GET
def case_timeline_page(request: HttpRequest, reference: str) -> HttpResponse:
    """Older entries of the case's timeline ("show more"): the entries of one page as
    list items for htmx, or a page of their own without JavaScript; the read logged."""
    access = get_case_for_user_or_404(request.user, reference)
    number = parse_id(request.GET.get("seite", "")) or 1
    timeline = case_timeline(access, number)
    AccessLog.record(request.user, AccessLog.What.CASE_TIMELINE, access.case)
    template = (
        "cases/includes/timeline_entries.html"
        if request.htmx
        else "cases/includes/timeline_page.html"
    )
    return render(request, template, {"case": access.case, "timeline": timeline})


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
