"""The four fields of action A–D: the form's required minimum against the records.

One function per field. Each returns a ``FieldState``: per requirement of the form (B has
three, the others one) a status (fulfilled / planned / missing) and the evidence, the
records that show it, so that the overview page and the Kurzkonzept PDF say the same.

Whether "planned" already meets a requirement follows the form's wording: an offer "wird
bereits umgesetzt oder ist in Planung" (A), a coordination office and a steering group
"wird zeitnah eingerichtet" (B), the "Bereitschaft" to run measures (D) are met by a plan;
a cooperation agreement "gibt es" (B) and networks "bestehen bereits" (C) are not.
"""

import datetime
from dataclasses import dataclass

from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement
from cooperation.models import Cooperation, Institution

from .models import Declaration, FieldOfAction, Measure, Network, Offer, SteeringGroup

JUGENDAMT_KINDS = {Institution.Kind.JUGENDAMT_KREIS, Institution.Kind.JUGENDAMT_STADT}
GESUNDHEITSAMT_KINDS = {Institution.Kind.SUCHTBERATUNG_GA}


class Status(models.TextChoices):
    FULFILLED = "fulfilled", _("fulfilled")
    PLANNED = "planned", _("planned")
    MISSING = "missing", _("missing")


# The required state of each field as the form words it (column "Erforderlicher
# Umsetzungsstand in der Pilotkommune").
REQUIREMENTS = {
    "A": _("At least one offer supporting the target group is running or being planned."),
    "B_agreement": _(
        "There is a cooperation agreement at least between the youth welfare office and the "
        "health office on working together in the model project."
    ),
    "B_coordination": _("A coordination office will be set up soon."),
    "B_steering": _("A municipal steering group will be set up soon."),
    "C": _(
        "Interdisciplinary network structures already exist that deal, among other things, "
        "with children from addiction- and mentally-ill-burdened families."
    ),
    "D": _(
        "The municipality is prepared to run public-relations measures or measures to "
        "qualify professionals."
    ),
}

NAMES = {
    "B_agreement": _("Cooperation agreement"),
    "B_coordination": _("Coordination office"),
    "B_steering": _("Steering group"),
}


@dataclass(frozen=True)
class Evidence:
    """A record that shows the state, and where the coordination office edits it."""

    text: str
    url: str | None = None


@dataclass(frozen=True)
class Criterion:
    requirement: str
    status: Status
    evidence: tuple[Evidence, ...] = ()
    # Why a requirement is only planned or missing, when the evidence does not say it.
    explanation: str = ""
    planned_meets_requirement: bool = True
    # A short name where a field has several requirements (B).
    name: str = ""

    @property
    def meets_requirement(self) -> bool:
        return self.status == Status.FULFILLED or (
            self.status == Status.PLANNED and self.planned_meets_requirement
        )


@dataclass(frozen=True)
class FieldState:
    field: FieldOfAction
    criteria: tuple[Criterion, ...]

    @property
    def title(self) -> str:
        return self.field.label

    @property
    def status(self) -> Status:
        statuses = {criterion.status for criterion in self.criteria}
        if Status.MISSING in statuses:
            return Status.MISSING
        if statuses == {Status.FULFILLED}:
            return Status.FULFILLED
        return Status.PLANNED

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        return tuple(item for criterion in self.criteria for item in criterion.evidence)

    @property
    def meets_requirement(self) -> bool:
        return all(criterion.meets_requirement for criterion in self.criteria)


def _edit_url(obj: models.Model) -> str | None:
    """The record's own page if it has one, else its admin page (if registered)."""
    if hasattr(obj, "get_absolute_url"):
        return obj.get_absolute_url()
    try:
        return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return None


def _date(day: datetime.date) -> str:
    return date_format(day, "d.m.Y")


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def field_a(cooperation: Cooperation, today: datetime.date | None = None) -> FieldState:
    """A: at least one offer for the target group running or planned."""
    offers = list(
        Offer.objects.filter(institution__cooperation=cooperation, field_of_action="A")
        .current()
        .select_related("institution")
    )
    running = [o for o in offers if o.status == Offer.Status.RUNNING]
    status = Status.FULFILLED if running else Status.PLANNED if offers else Status.MISSING
    evidence = tuple(
        Evidence(
            f"{offer.name} ({offer.institution.short_name}) – {offer.get_status_display()}",
            _edit_url(offer),
        )
        for offer in sorted(offers, key=lambda o: (o.status != Offer.Status.RUNNING, o.name))
    )
    explanation = "" if offers else gettext("No offer of field of action A is recorded.")
    return FieldState(
        FieldOfAction.A, (Criterion(REQUIREMENTS["A"], status, evidence, explanation),)
    )


def _agreement_criterion(cooperation: Cooperation, today: datetime.date) -> Criterion:
    agreements = list(
        Agreement.objects.filter(cooperation=cooperation).prefetch_related("parties__institution")
    )

    def qualifies(agreement: Agreement) -> bool:
        kinds = {party.institution.kind for party in agreement.parties.all()}
        return bool(kinds & JUGENDAMT_KINDS) and bool(kinds & GESUNDHEITSAMT_KINDS)

    qualifying = [a for a in agreements if qualifies(a)]
    in_force = [a for a in qualifying if a.effective_since <= today]
    status = Status.FULFILLED if in_force else Status.PLANNED if qualifying else Status.MISSING
    evidence = tuple(
        Evidence(
            gettext("%(title)s, in force since %(date)s; parties: %(parties)s")
            % {
                "title": agreement.title,
                "date": _date(agreement.effective_since),
                "parties": ", ".join(p.institution.short_name for p in agreement.parties.all()),
            },
            _edit_url(agreement),
        )
        for agreement in qualifying
    )
    if qualifying:
        explanation = "" if in_force else gettext("The agreement is not yet in force.")
    elif agreements:
        explanation = gettext(
            "No cooperation agreement has both a youth welfare office and the health office "
            "as parties."
        )
    else:
        explanation = gettext("No cooperation agreement is recorded.")
    return Criterion(
        REQUIREMENTS["B_agreement"],
        status,
        evidence,
        explanation,
        planned_meets_requirement=False,
        name=NAMES["B_agreement"],
    )


def _coordination_criterion(cooperation: Cooperation) -> Criterion:
    offices = list(
        Institution.objects.filter(cooperation=cooperation, kind=Institution.Kind.KOORDINATION)
    )
    if offices:
        return Criterion(
            REQUIREMENTS["B_coordination"],
            Status.FULFILLED,
            tuple(Evidence(office.name, _edit_url(office)) for office in offices),
            name=NAMES["B_coordination"],
        )
    # Not yet set up: the form's declaration that it will be counts as the plan.
    declaration = Declaration.objects.filter(
        cooperation=cooperation, kind=Declaration.Kind.COORDINATION, dated__isnull=False
    ).first()
    if declaration:
        return Criterion(
            REQUIREMENTS["B_coordination"],
            Status.PLANNED,
            (
                Evidence(
                    gettext("Declaration of %(date)s: a coordination office will be set up")
                    % {"date": _date(declaration.dated)}
                ),
            ),
            name=NAMES["B_coordination"],
        )
    return Criterion(
        REQUIREMENTS["B_coordination"],
        Status.MISSING,
        explanation=gettext("No coordination office is recorded."),
        name=NAMES["B_coordination"],
    )


def _steering_criterion(cooperation: Cooperation, today: datetime.date) -> Criterion:
    group = SteeringGroup.objects.filter(cooperation=cooperation).first()
    if group is None:
        return Criterion(
            REQUIREMENTS["B_steering"],
            Status.MISSING,
            explanation=gettext("No steering group is recorded."),
            name=NAMES["B_steering"],
        )
    members = list(group.members.select_related("institution"))
    names = ", ".join(f"{m.name} ({m.institution.short_name})" for m in members)
    if group.is_established_on(today):
        text = gettext("%(name)s, established on %(date)s") % {
            "name": group.name,
            "date": _date(group.established_on),
        }
    elif group.established_on:
        text = gettext("%(name)s, to be established on %(date)s") % {
            "name": group.name,
            "date": _date(group.established_on),
        }
    else:
        text = gettext("%(name)s, being set up") % {"name": group.name}
    if members:
        text += "; " + ngettext(
            "%(count)d member: %(names)s", "%(count)d members: %(names)s", len(members)
        ) % {"count": len(members), "names": names}
    established = group.is_established_on(today) and members
    explanation = ""
    if group.is_established_on(today) and not members:
        explanation = gettext("The steering group has no members yet.")
    return Criterion(
        REQUIREMENTS["B_steering"],
        Status.FULFILLED if established else Status.PLANNED,
        (Evidence(text, _edit_url(group)),),
        explanation,
        name=NAMES["B_steering"],
    )


def field_b(cooperation: Cooperation, today: datetime.date | None = None) -> FieldState:
    """B: a cooperation agreement (Jugendamt and Gesundheitsamt), a coordination office and a
    steering group."""
    today = _today(today)
    return FieldState(
        FieldOfAction.B,
        (
            _agreement_criterion(cooperation, today),
            _coordination_criterion(cooperation),
            _steering_criterion(cooperation, today),
        ),
    )


def field_c(cooperation: Cooperation, today: datetime.date | None = None) -> FieldState:
    """C: an existing interdisciplinary network that deals with the topic."""
    networks = list(Network.objects.filter(cooperation=cooperation).prefetch_related("partners"))
    relevant = [n for n in networks if n.deals_with_kispfam]
    active = [n for n in relevant if n.status == Network.Status.ACTIVE]
    status = Status.FULFILLED if active else Status.PLANNED if relevant else Status.MISSING

    def describe(network: Network) -> str:
        partners = [p.short_name for p in network.partners.all()]
        if network.other_partners:
            partners.append(" ".join(network.other_partners.split()))
        text = f"{network.name} – {network.get_status_display()}"
        if partners:
            text += "; " + gettext("partners: %(partners)s") % {"partners": ", ".join(partners)}
        return text

    evidence = tuple(Evidence(describe(network), _edit_url(network)) for network in relevant)
    if relevant:
        explanation = "" if active else gettext("The network is only planned.")
    elif networks:
        explanation = gettext("Networks exist, but none of them deals with the topic yet.")
    else:
        explanation = gettext("No network is recorded.")
    return FieldState(
        FieldOfAction.C,
        (
            Criterion(
                REQUIREMENTS["C"], status, evidence, explanation, planned_meets_requirement=False
            ),
        ),
    )


def field_d(cooperation: Cooperation, today: datetime.date | None = None) -> FieldState:
    """D: qualification or public-relations measures, held or planned."""
    measures = list(Measure.objects.filter(cooperation=cooperation).order_by("-date", "title"))
    held = [m for m in measures if m.status == Measure.Status.HELD]
    status = Status.FULFILLED if held else Status.PLANNED if measures else Status.MISSING

    def describe(measure: Measure) -> str:
        text = f"{_date(measure.date)} {measure.title} ({measure.get_kind_display()}) – "
        text += measure.get_status_display()
        if measure.participants is not None:
            text += ", " + ngettext(
                "%(count)d participant", "%(count)d participants", measure.participants
            ) % {"count": measure.participants}
        return text

    evidence = tuple(Evidence(describe(measure), _edit_url(measure)) for measure in measures)
    explanation = "" if measures else gettext("No measure is recorded.")
    return FieldState(
        FieldOfAction.D, (Criterion(REQUIREMENTS["D"], status, evidence, explanation),)
    )


def fields_of_action(
    cooperation: Cooperation, today: datetime.date | None = None
) -> list[FieldState]:
    """All four fields in the form's order."""
    today = _today(today)
    return [field(cooperation, today) for field in (field_a, field_b, field_c, field_d)]
