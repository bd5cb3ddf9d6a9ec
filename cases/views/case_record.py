"""The case record: the case page, who answers for the family in an institution, and
closing the case after a page that says what closing does."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import F, Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from common.access import require
from cooperation.models import Institution

from .. import services
from ..forms import CaseCloseForm, ResponsibleForm
from ..models import (
    AccessLog,
    Case,
    Consent,
    DataCategory,
    FamilyMember,
    HealthSituation,
    Involvement,
)
from ..permissions import CaseAccess, assignable_staff, get_case_for_user_or_404
from ..timeline import case_timeline
from .browse import case_page_context
from .records import render_form

GET_POST = require_http_methods(["GET", "POST"])

# The case page's budget is a fixed number of queries however many records a case holds
# (cases/tests/test_query_counts.py). A record and the few rows that belong to it (a
# member's health entries, a consent's recipients) come in one query, joined, instead of
# one query for the records and one for what belongs to them.
HEALTH_FIELDS = ("id", "recorded_at", "substance", "counselling", "in_substitution")
HEALTH_FIELDS += ("substitution_practice", "source_institution_id")


def _joined(model: type[Model], row: Model, prefix: str, fields: tuple[str, ...]) -> Model:
    """The ``model`` instance that ``row`` carries in its annotations ``prefix + field``,
    as if loaded from the database (the fields not named are deferred)."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in fields]
    return model.from_db(row._state.db, names, [getattr(row, prefix + name) for name in names])


def _members_with_health(access: CaseAccess) -> list[tuple[FamilyMember, list[HealthSituation]]]:
    """The members whose master data the reader sees, each with the health entries the
    reader sees (GDPR Art. 9: only where a grant covers their source and health)."""
    rows = (
        FamilyMember.objects.filter(case=access.case)
        .annotate(
            **{f"health_{field}": F(f"health__{field}") for field in HEALTH_FIELDS},
            health_source_short_name=F("health__source_institution__short_name"),
        )
        .order_by(*FamilyMember._meta.ordering, "pk", "health_id")
    )
    members: dict[int, tuple[FamilyMember, list[HealthSituation]]] = {}
    for row in rows:
        if not access.can_see(row.source_institution_id, DataCategory.MASTER):
            continue
        member, health = members.setdefault(row.pk, (row, []))
        if row.health_id is None or not access.can_see(
            row.health_source_institution_id, DataCategory.HEALTH
        ):
            continue
        entry = _joined(HealthSituation, row, "health_", HEALTH_FIELDS)
        entry.member = member
        entry.source_institution = Institution.from_db(
            row._state.db,
            ["id", "short_name"],
            [row.health_source_institution_id, row.health_source_short_name],
        )
        health.append(entry)
    return list(members.values())


def _consents_with_recipients(case: Case) -> list[Consent]:
    """The case's consents, newest first, each with ``recipient_names`` (the recipients'
    short names, as the page lists them) and ``recipient_ids``, in one query."""
    rows = (
        case.consents.select_related("source_institution", "given_by")
        .annotate(
            recipient_id=F("recipients__pk"), recipient_short_name=F("recipients__short_name")
        )
        .order_by(*Consent._meta.ordering, "pk", "recipients__name", "recipients__pk")
    )
    consents: dict[int, tuple[Consent, list[tuple[int, str]]]] = {}
    for row in rows:
        _consent, recipients = consents.setdefault(row.pk, (row, []))
        if row.recipient_id is not None:
            recipients.append((row.recipient_id, row.recipient_short_name))
    for consent, recipients in consents.values():
        consent.recipient_ids = frozenset(pk for pk, _name in recipients)
        consent.recipient_names = ", ".join(name for _pk, name in recipients)
    return [consent for consent, _recipients in consents.values()]


@login_required
@require_GET
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """The case page: every section filtered through the user's grant, the read logged."""
    access = get_case_for_user_or_404(request.user, reference)
    case = access.case
    today = timezone.localdate()
    notes = [
        n
        for n in case.notes.select_related("author", "source_institution")
        if access.can_see(n.source_institution_id, n.category)
    ]
    consents = _consents_with_recipients(case)
    AccessLog.record(request.user, AccessLog.What.CASE_DETAIL, case)
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "access": access,
            "today": today,
            "members": _members_with_health(access),
            "involvements": [
                (involvement, access.may_assign_responsible(involvement))
                for involvement in case.involvements.select_related(
                    "institution", "contact", "responsible", "deputy"
                )
            ],
            "documents": access.visible_documents(),
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
