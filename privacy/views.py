"""The privacy pages: retention rules, what is deleted, legal holds, access reports and
the register of processing.

Every view resolves its resource through ``privacy.permissions`` (404 for what the user
may not see, 403 for what they see but may not do) and writes through
``privacy.services``. Pages that name family members write an access-log entry and are
never stored by a browser or proxy.
"""

import datetime
import re

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
from common.access import require
from common.http import no_store
from common.pending import enqueue_on_commit, is_poll, pending_response, stored_pdf_response
from cooperation.models import Institution

from . import services, tasks
from .forms import DecisionForm, HoldForm, RestrictionForm, RuleForm
from .models import (
    AccessReportRendering,
    AccessRestriction,
    LegalHold,
    RecordType,
    RegisterRendering,
    Trigger,
)
from .permissions import (
    deletions_visible_to,
    get_case_privacy_for_user_or_404,
    get_member_for_report_or_404,
    get_office_for_user_or_403,
    get_rule_proposal_for_user_or_404,
    may_use_privacy_pages,
    rule_proposals_visible_to,
)
from .register import build_register
from .retention import HORIZON_DAYS, plan_cooperation
from .rules import ANY_KIND, RuleBook

GET_POST = require_http_methods(["GET", "POST"])
REFERENCE = re.compile(r"^[A-Za-z0-9-]{1,20}$")
# "alle" in a URL: the rule for every kind of institution under a law.
ANY_KIND_SLUG = "alle"
Law = Institution.DataProtectionLaw


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """What the user does here: the office's pages, or a case's hold and reports."""
    if not may_use_privacy_pages(request.user):
        raise PermissionDenied
    reference = request.GET.get("reference", "").strip()
    error = ""
    if reference:
        if REFERENCE.match(reference):
            return redirect(reverse("privacy:case", args=[reference.upper()]))
        error = _("This is not a case reference (e.g. HS-2026-0001).")
    user = request.user
    office = user.is_coordination_office or user.is_data_protection_officer
    return render(
        request,
        "privacy/index.html",
        {
            "office": office,
            "pending": rule_proposals_visible_to(user).count() if office else 0,
            "reference": reference[:40],
            "error": error,
        },
        status=400 if error else 200,
    )


# --- retention rules -----------------------------------------------------------------------


def _kind_slug(kind: str) -> str:
    return kind or ANY_KIND_SLUG


@login_required
@require_GET
def rules(request: HttpRequest) -> HttpResponse:
    """The rules in force, per law, with pending proposals and their legal sources."""
    office = get_office_for_user_or_403(request.user)
    require(office.may_read_rules)
    book = RuleBook(office.cooperation)
    pending = {
        (p.record_type, p.law, p.institution_kind): p
        for p in rule_proposals_visible_to(request.user).select_related("proposed_by")
    }
    kinds = dict(Institution.Kind.choices)
    laws = {law: [] for law in Law}
    for key in book.keys(extra=pending):
        record_type, law, kind = key
        laws[law].append(
            {
                "record_type": RecordType(record_type).label,
                "kind": kinds.get(kind, _("every kind of institution")),
                "rule": book.rule_for_key(*key) or book.rule(*key),
                "pending": pending.get(key),
                "url": reverse("privacy:rule_propose", args=[record_type, law, _kind_slug(kind)]),
            }
        )
    return render(
        request,
        "privacy/rules.html",
        {
            "office": office,
            "laws": [(Law(law).label, rows) for law, rows in laws.items()],
        },
    )


def _key_or_404(record_type: str, law: str, kind: str) -> tuple[str, str, str]:
    if record_type not in RecordType.values or law not in Law.values:
        raise Http404
    kind = ANY_KIND if kind == ANY_KIND_SLUG else kind
    if kind and kind not in Institution.Kind.values:
        raise Http404
    return record_type, law, kind


@login_required
@GET_POST
def rule_propose(request: HttpRequest, record_type: str, law: str, kind: str) -> HttpResponse:
    """The coordination office proposes a rule; it is in force once the DPO confirms."""
    office = get_office_for_user_or_403(request.user)
    require(office.may_propose_rules)
    record_type, law, kind = _key_or_404(record_type, law, kind)
    book = RuleBook(office.cooperation)
    current = book.rule_for_key(record_type, law, kind) or book.rule(record_type, law, kind)
    initial = {
        "institution_kind": kind,
        "trigger": current.trigger,
        "years": current.months // 12,
        "months": current.months % 12,
        "legal_source": current.legal_source,
        "note": str(current.note),
    }
    form = RuleForm(request.POST or None, initial=initial, record_type=record_type)
    if form.is_valid():
        data = form.cleaned_data
        services.rule_propose(
            cooperation=office.cooperation,
            proposed_by=request.user,
            record_type=record_type,
            law=law,
            institution_kind=data["institution_kind"],
            trigger=data["trigger"],
            months=data["total_months"],
            legal_source=data["legal_source"],
            note=data["note"],
        )
        messages.success(
            request,
            _(
                "The rule was proposed. It takes effect once the data-protection officer "
                "confirms it."
            ),
        )
        return redirect("privacy:rules")
    return render(
        request,
        "privacy/rule_form.html",
        {
            "form": form,
            "record_type": RecordType(record_type).label,
            "law": Law(law).label,
            "kind": dict(Institution.Kind.choices).get(kind, _("every kind of institution")),
            "current": current,
            "with_case": Trigger.WITH_CASE,
        },
        status=400 if form.is_bound else 200,
    )


def _decide(request: HttpRequest, pk: int, decide) -> HttpResponse:
    proposal = get_rule_proposal_for_user_or_404(request.user, pk)
    require(proposal.may_decide)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        decide(proposal.rule, request.user, note)
    except ValidationError as error:
        raise PermissionDenied(error.messages[0]) from None
    return redirect("privacy:rules")


@login_required
@require_POST
def rule_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """The data-protection officer confirms a proposal (four eyes)."""

    def confirm(rule, user, note):
        services.rule_confirm(rule=rule, confirmed_by=user, note=note)
        messages.success(request, _("The rule is confirmed and in force from now on."))

    return _decide(request, pk, confirm)


@login_required
@require_POST
def rule_reject(request: HttpRequest, pk: int) -> HttpResponse:
    def reject(rule, user, note):
        services.rule_reject(rule=rule, rejected_by=user, note=note)
        messages.success(request, _("The proposal was rejected; the rule in force stays."))

    return _decide(request, pk, reject)


# --- what will be and what was deleted -----------------------------------------------------


@login_required
@require_GET
def deletions(request: HttpRequest) -> HttpResponse:
    """For the DPO: what becomes due in the next 90 days, and the log of deletions."""
    office = get_office_for_user_or_403(request.user)
    require(office.may_read_deletions)
    today = timezone.localdate()
    until = today + datetime.timedelta(days=HORIZON_DAYS)
    due, undetermined = plan_cooperation(office.cooperation, today, until)
    log = deletions_visible_to(request.user).select_related("institution")[:300]
    return render(
        request,
        "privacy/deletions.html",
        {
            "today": today,
            "until": until,
            "due": due,
            "undetermined": undetermined,
            "log": log,
            "horizon": HORIZON_DAYS,
        },
    )


# --- the register of processing ------------------------------------------------------------


@login_required
@require_GET
def register(request: HttpRequest) -> HttpResponse:
    office = get_office_for_user_or_403(request.user)
    require(office.may_read_register)
    return render(
        request, "privacy/register.html", {"register": build_register(office.cooperation)}
    )


@login_required
@require_GET
def register_document(request: HttpRequest) -> HttpResponse:
    """The register as PDF (``?stelle=<id>``: one institution's part), rendered by a
    worker and kept while the register reads the same; "being created" until then."""
    office = get_office_for_user_or_403(request.user)
    require(office.may_read_register)
    institution_id = None
    value = request.GET.get("stelle", "")
    if value:
        if not value.isdigit() or len(value) > 12:
            raise Http404
        institution = get_object_or_404(Institution, pk=int(value), cooperation=office.cooperation)
        institution_id = institution.pk
    part = institution_id or 0
    _html, fingerprint = tasks.current_html(office.cooperation, part)
    stored = RegisterRendering.objects.filter(
        cooperation=office.cooperation, part=part, fingerprint=fingerprint
    ).first()
    if stored and not is_poll(request):
        suffix = f"-{institution_id}" if institution_id else ""
        return stored_pdf_response(
            request,
            stored.pdf,
            sha256=stored.sha256,
            filename=f"verarbeitungsverzeichnis-{office.cooperation.code}{suffix}.pdf",
        )
    if stored is None and not is_poll(request):
        enqueue_on_commit(tasks.render_register, office.cooperation.pk, part)
    return pending_response(
        request,
        ready=stored is not None,
        title=_("Register of processing activities as PDF"),
        label=_("Download the PDF"),
        back_url=reverse("privacy:register"),
    )


# --- a case: legal hold, restrictions, access reports --------------------------------------


@login_required
@require_GET
def case(request: HttpRequest, reference: str) -> HttpResponse:
    """The case's legal hold; for the lead of a recording institution also its family
    members with their access reports and restrictions (a read of master data)."""
    privacy = get_case_privacy_for_user_or_404(request.user, reference)
    require(privacy.may_read_family or privacy.may_hold)
    members = []
    if privacy.may_read_family:
        restrictions = AccessRestriction.objects.filter(
            case=privacy.case, institution=request.user.institution_id
        ).order_by("recorded_at")
        members = [(m, [r for r in restrictions if r.member_id == m.pk]) for m in privacy.members()]
        AccessLog.record(request.user, AccessLog.What.PRIVACY_CASE, privacy.case)
    holds = list(privacy.holds())
    response = render(
        request,
        "privacy/case.html",
        {
            "privacy": privacy,
            "case": privacy.case,
            "members": members,
            "holds": holds,
            "active_hold": next((h for h in holds if h.is_active), None),
        },
    )
    return no_store(response)


@login_required
@GET_POST
def hold(request: HttpRequest, reference: str) -> HttpResponse:
    """Place a legal hold, or lift the one that stands, with a reason."""
    privacy = get_case_privacy_for_user_or_404(request.user, reference)
    require(privacy.may_hold)
    active = LegalHold.objects.active().filter(case=privacy.case).first()
    form = HoldForm(request.POST or None)
    if form.is_valid():
        reason = form.cleaned_data["reason"]
        try:
            if active:
                services.hold_lift(hold=active, lifted_by=request.user, reason=reason)
                messages.success(request, _("The legal hold was lifted."))
            else:
                services.hold_place(case=privacy.case, placed_by=request.user, reason=reason)
                messages.success(
                    request, _("The legal hold stands: nothing of the case is deleted.")
                )
        except ValidationError as error:
            messages.error(request, error.messages[0])
        return redirect("privacy:case", reference=privacy.case.reference)
    response = render(
        request,
        "privacy/hold.html",
        {"case": privacy.case, "form": form, "active": active},
        status=400 if form.is_bound else 200,
    )
    return no_store(response)


@login_required
@GET_POST
def restriction_add(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """Record that access is refused or restricted for a member, with the reason."""
    privacy = get_case_privacy_for_user_or_404(request.user, reference)
    member = get_member_for_report_or_404(privacy, pk)
    require(privacy.may_report_on(member))
    form = RestrictionForm(request.POST or None)
    if form.is_valid():
        services.restriction_record(
            member=member,
            institution=request.user.institution,
            recorded_by=request.user,
            **form.cleaned_data,
        )
        messages.success(request, _("The restriction was recorded with its reason."))
        return redirect("privacy:case", reference=privacy.case.reference)
    if request.method == "GET":
        # The page names the person.
        AccessLog.record(request.user, AccessLog.What.PRIVACY_CASE, privacy.case)
    response = render(
        request,
        "privacy/restriction_form.html",
        {"case": privacy.case, "member": member, "form": form},
        status=400 if form.is_bound else 200,
    )
    return no_store(response)


@login_required
@require_GET
def access_report(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """The access report for a member as PDF, rendered by a worker (years of reads fill
    dozens of pages) and kept for the asking staff member while it reads the same;
    "being created" until then. Asking for it and downloading it are logged; the poll
    of the waiting page shows no family data and is not."""
    privacy = get_case_privacy_for_user_or_404(request.user, reference)
    member = get_member_for_report_or_404(privacy, pk)
    require(privacy.may_report_on(member))
    _html, fingerprint = tasks.access_report_html_of(privacy, member)
    stored = AccessReportRendering.objects.filter(
        member=member, requested_by=request.user, fingerprint=fingerprint
    ).first()
    if not is_poll(request):
        AccessLog.record(request.user, AccessLog.What.ACCESS_REPORT, privacy.case)
    if stored and not is_poll(request):
        response = stored_pdf_response(
            request,
            stored.pdf,
            sha256=stored.sha256,
            filename=f"auskunft-{privacy.case.reference}-{member.pk}.pdf",
        )
        return no_store(response)
    if stored is None and not is_poll(request):
        enqueue_on_commit(tasks.render_access_report, request.user.pk, reference, member.pk)
    return pending_response(
        request,
        ready=stored is not None,
        title=_("Access report (PDF)"),
        label=_("Download the PDF"),
        back_url=reverse("privacy:case", args=[privacy.case.reference]),
    )
