"""Three records say who may see a case: the grants' list index (``CaseVisibility``),
django-guardian's object permissions (what the gateway's object check reads) and the
gateway itself. Hypothesis writes random histories of consents, revocations, disclosures
and involvements over a month, the daily ``refresh_case_permissions`` runs each morning,
and on every day all three agree for every institution, health data included.
"""

import contextlib
import datetime

import time_machine
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases import services
from cases.models import CaseGrant, Consent, DataCategory, FamilyMember, Involvement
from cases.permissions import cases_visible_to, get_case_for_user_or_404, institution_permissions
from tests import factories

START = datetime.date(2026, 3, 2)
DAYS = 24
SUCHTHILFE = ["caritas", "diakonie", "gesundheitsamt"]
JUGENDHILFE = ["kreisjugendamt", "hueckelhoven"]
OTHERS = SUCHTHILFE + JUGENDHILFE
CATEGORIES = list(DataCategory.values)

day_offset = st.integers(min_value=0, max_value=DAYS - 1)
consents = st.tuples(
    st.just("consent"),
    day_offset,
    st.sampled_from(["erkelenz", *SUCHTHILFE]),  # the released institution
    st.lists(st.sampled_from(OTHERS + ["erkelenz"]), min_size=1, max_size=3, unique=True),
    st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=3, unique=True),
    st.integers(min_value=-3, max_value=6),  # starts this many days from the day recorded
    st.one_of(st.none(), st.integers(min_value=0, max_value=12)),  # lasts (None: open)
)
revocations = st.tuples(st.just("revoke"), day_offset, st.integers(min_value=0, max_value=9))
disclosures = st.tuples(
    st.just("disclose"),
    day_offset,
    st.sampled_from(SUCHTHILFE),
    st.sampled_from(["erkelenz", *JUGENDHILFE]),
    st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=2, unique=True),
)
involvements = st.tuples(
    st.just("involve"),
    day_offset,
    st.sampled_from(OTHERS),
    st.one_of(st.none(), st.integers(min_value=0, max_value=10)),  # ends after so many days
)
histories = st.lists(
    st.one_of(consents, revocations, disclosures, involvements), min_size=1, max_size=8
)


@contextlib.contextmanager
def rolled_back():
    """Each example starts from the fixtures' state: its writes are rolled back."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def at(day: datetime.date):
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))
    return time_machine.travel(moment, tick=False)


def _apply(event, day, case, institutions, recorder, given_consents):
    kind, *args = event
    if kind == "consent":
        _day, source, recipients, categories, start, length = args
        valid_from = day + datetime.timedelta(days=start)
        valid_until = None if length is None else valid_from + datetime.timedelta(days=length)
        recipients = [institutions[name] for name in recipients if name != source]
        if recipients:
            given_consents.append(
                factories.give_consent(
                    case,
                    institutions[source],
                    recipients,
                    categories,
                    recorder,
                    valid_from=valid_from,
                    valid_until=valid_until,
                )
            )
    elif kind == "revoke":
        _day, index = args
        live = [c for c in given_consents if c.status == Consent.Status.GIVEN]
        if live:
            consent = live[index % len(live)]
            services.consent_revoke(
                consent=consent,
                revoked_on=day,
                channel="in_writing",
                recorded_by=recorder,
                send_mail=False,
            )
    elif kind == "disclose":
        _day, source, target, categories = args
        services.disclosure_record(
            case=case,
            disclosed_by=recorder,
            basis="kkg_4_3",
            from_institution=institutions[source],
            to_institution=institutions[target],
            categories=categories,
            disclosed_on=day,
            reason="Gewichtige Anhaltspunkte",
            family_work_tried=False,
            family_work_not_tried_reason="Gefährdet den Schutz des Kindes.",
            specialist_consulted=False,
            specialist_note="Akute Gefahr.",
            family_informed=True,
        )
    elif kind == "involve":
        _day, name, ends_after = args
        institution = institutions[name]
        if not case.involvements.filter(institution=institution).exists():
            until = None if ends_after is None else day + datetime.timedelta(days=ends_after)
            services.involvement_save(
                involvement=Involvement(case=case, institution=institution, since=day, until=until)
            )


def _disagreements(day, case, users) -> list[str]:
    found = []
    for name, user in users.items():
        listed = cases_visible_to(user, day).filter(pk=case.pk).exists()
        held = institution_permissions(user.institution, case)
        try:
            access = get_case_for_user_or_404(user, case.reference, day)
        except Http404:
            access = None
        health_granted = (
            CaseGrant.objects.active_on(day)
            .filter(case=case, institution=user.institution, category=DataCategory.HEALTH)
            .exists()
        )
        views = {
            "CaseVisibility": listed,
            "guardian view_case": "view_case" in held,
            "gateway": access is not None,
        }
        if len(set(views.values())) != 1:
            found.append(f"{day:%d.%m.}, {name}: {views}")
        health = {
            "grants": health_granted,
            "guardian view_case_health": "view_case_health" in held,
            "gateway": bool(access and access.can_see_category(DataCategory.HEALTH)),
        }
        if len(set(health.values())) != 1:
            found.append(f"{day:%d.%m.}, {name}, health: {health}")
    return found


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=histories)
def test_guardian_the_list_index_and_the_gateway_agree_every_day(
    history, institutions, erkelenz_caseworker
):
    names = ["erkelenz", *OTHERS]
    with rolled_back():
        users = {
            name: factories.make_user(institutions[name], username=f"agree.{name}")
            for name in names
        }
        with at(START):
            case = services.case_open(
                lead_institution=institutions["erkelenz"], opened_by=erkelenz_caseworker
            )
            FamilyMember.objects.create(
                case=case,
                kind=FamilyMember.Kind.MOTHER,
                last_name="Beispiel",
                source_institution=institutions["erkelenz"],
            )
        given_consents: list[Consent] = []
        disagreements = []
        for offset in range(DAYS + 10):
            day = START + datetime.timedelta(days=offset)
            with at(day):
                # The timer runs in the morning; the day's events follow.
                services.case_permissions_refresh(day=day)
                for event in (e for e in history if e[1] == offset):
                    _apply(event, day, case, institutions, erkelenz_caseworker, given_consents)
                disagreements += _disagreements(day, case, users)
        assert not disagreements, "\n".join(disagreements[:10])
