"""Fictional Kreis- and Land-sized populations for the benchmarks, created with bulk_create.

Every bench cooperation has a code ``B`` followed by four digits (``B0001`` ...), which
no real Kreis code and no demo code (``HS``, ``LB``) looks like. Generating deletes the
previous bench population first, so a scale can be generated again and again. Bulk
inserts bypass ``save()`` and signals: no history rows are written, and the permission
groups and ``is_staff`` that ``Institution.save()`` and ``User.save()`` would set are set
here explicitly.
"""

import calendar
import datetime
import random
import uuid
from collections import Counter
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone

from cases.models import (
    AccessLog,
    Case,
    CaseGrant,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    CaseVisibility,
    DataCategory,
    Involvement,
    Notification,
)
from cooperation.models import Cooperation, Institution, User

CODE_PREFIX = "B"
CODE_REGEX = rf"^{CODE_PREFIX}[0-9]{{4}}$"
USERNAME_PREFIX = "bench."
PASSWORD = "bench-password-not-secret"  # fictional accounts in a throw-away database


@dataclass(frozen=True)
class Scale:
    cooperations: int
    institutions_per_cooperation: int
    staff_per_institution: int

    @property
    def institutions(self) -> int:
        return self.cooperations * self.institutions_per_cooperation

    @property
    def staff(self) -> int:
        return self.institutions * self.staff_per_institution


SCALES = {
    "kreis": Scale(cooperations=1, institutions_per_cooperation=10, staff_per_institution=10),
    "land": Scale(cooperations=50, institutions_per_cooperation=10, staff_per_institution=10),
}

BodyKind = Cooperation.BodyKind
Kind = Institution.Kind
Law = Institution.DataProtectionLaw
Role = User.Role

# (kind, name pattern, short name pattern, law) of each institution of a cooperation;
# beyond this list come schools, Kitas and practices of kind OTHER.
INSTITUTION_PATTERN = [
    (Kind.KOORDINATION, "Koordinierungsstelle {town}", "KS {code}", Law.GDPR),
    (Kind.JUGENDAMT_KREIS, "Kreisjugendamt {town}", "KJA {code}", Law.GDPR),
    (Kind.JUGENDAMT_STADT, "Stadtjugendamt {town}-Nord", "SJA {code}", Law.GDPR),
    (Kind.SUCHTBERATUNG_GA, "Suchtberatung Gesundheitsamt {town}", "SB-GA {code}", Law.GDPR),
    (Kind.SUCHTBERATUNG_FREI, "Caritas-Suchtberatung {town}", "Caritas {code}", Law.KDG),
    (Kind.SUCHTBERATUNG_FREI, "Diakonie-Suchtberatung {town}", "Diakonie {code}", Law.DSG_EKD),
]
FIRST_NAMES = [
    "Anna", "Ben", "Clara", "David", "Elif", "Finn", "Greta", "Hannes", "Ida", "Jonas",
    "Katrin", "Lukas", "Mara", "Niklas", "Olga", "Paul", "Rieke", "Sven", "Tessa", "Yusuf",
]  # fmt: skip
LAST_NAMES = [
    "Albers", "Brandt", "Claßen", "Dahmen", "Esser", "Frings", "Giesen", "Houben", "Jansen",
    "Kamps", "Lenzen", "Moll", "Nießen", "Offermann", "Pütz", "Reiners", "Schmitz", "Thelen",
    "Vogel", "Wolters", "Zimmer",
]  # fmt: skip


def code(number: int) -> str:
    return f"{CODE_PREFIX}{number:04d}"


@override_settings(SIMPLE_HISTORY_ENABLED=False)
def delete_bench_data() -> None:
    """Delete every bench cooperation with its institutions, their groups, staff and history.

    History is switched off while deleting: a "-" history row per deleted account would
    make regenerating slow and leave thousands of rows behind.
    """
    cooperations = Cooperation.objects.filter(code__regex=CODE_REGEX)
    cooperation_ids = list(cooperations.values_list("pk", flat=True))
    delete_bench_cases(cooperation_ids)
    institutions = Institution.objects.filter(cooperation_id__in=cooperation_ids)
    group_ids = list(institutions.values_list("group_id", flat=True))
    User.objects.filter(institution__in=institutions).delete()
    User.objects.filter(username__startswith=USERNAME_PREFIX).delete()
    institutions.delete()
    Group.objects.filter(pk__in=group_ids).delete()
    cooperations.delete()
    User.history.filter(username__startswith=USERNAME_PREFIX).delete()
    Institution.history.filter(email__endswith="@bench.example").delete()
    Cooperation.history.filter(code__regex=CODE_REGEX).delete()


def staff_role(institution: Institution, index: int) -> str:
    if institution.kind == Kind.KOORDINATION:
        return Role.DATA_PROTECTION if index == 0 else Role.COORDINATION
    return Role.LEAD if index == 0 else Role.CASEWORKER


@transaction.atomic
def generate(scale: str) -> Scale:
    """Replace the bench population by one of the given scale ("kreis" or "land")."""
    size = SCALES[scale]
    delete_bench_data()

    cooperations = Cooperation.objects.bulk_create(
        Cooperation(
            code=code(n),
            name=f"Bench-Kooperation Musterkreis {n:04d}",
            body_name=f"Musterkreis {n:04d}",
            body_kind=BodyKind.KREIS if n % 5 else BodyKind.KREISFREIE_STADT,
            body_region="Regierungsbezirk Musterland",
            body_seat=f"Musterstadt {n:04d}",
        )
        for n in range(1, size.cooperations + 1)
    )

    groups = Group.objects.bulk_create(
        Group(name=f"institution:{uuid.uuid4()}") for _ in range(size.institutions)
    )
    institutions = []
    for c, cooperation in enumerate(cooperations):
        town = f"Musterstadt {c + 1:04d}"
        for i in range(size.institutions_per_cooperation):
            if i < len(INSTITUTION_PATTERN):
                kind, name, short, law = INSTITUTION_PATTERN[i]
                name, short = name.format(town=town), short.format(code=cooperation.code)
            else:
                kind, law = Kind.OTHER, Law.GDPR
                name, short = f"Grundschule {town} {i:02d}", f"GS {cooperation.code}-{i:02d}"
            institutions.append(
                Institution(
                    cooperation=cooperation,
                    name=name,
                    short_name=short,
                    kind=kind,
                    data_protection_law=law,
                    street=f"Hauptstraße {i + 1}",
                    postal_code=f"{99000 + c:05d}",
                    city=town,
                    phone=f"0999 {c:04d}{i:02d}",
                    email=f"{cooperation.code.lower()}-{i:02d}@bench.example",
                    group=groups[len(institutions)],
                )
            )
    institutions = Institution.objects.bulk_create(institutions)

    password = make_password(PASSWORD)
    users = []
    for institution in institutions:
        for s in range(size.staff_per_institution):
            n = len(users)
            username = f"{USERNAME_PREFIX}{n + 1:05d}"
            role = staff_role(institution, s)
            users.append(
                User(
                    username=username,
                    first_name=FIRST_NAMES[n % len(FIRST_NAMES)],
                    last_name=LAST_NAMES[n // len(FIRST_NAMES) % len(LAST_NAMES)],
                    email=f"{username}@bench.example",
                    password=password,
                    institution=institution,
                    role=role,
                    # Staff as their leads confirmed them (cooperation: separation of duties).
                    confirmed_institution=institution,
                    confirmed_role=role,
                    is_staff=role == Role.COORDINATION,
                    is_active=True,
                )
            )
    users = User.objects.bulk_create(users, batch_size=1000)
    # The application never puts staff into their institution's group; the bench does,
    # so that guardian's stock get_objects_for_user can be measured against the gateway.
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=user.pk, group_id=user.institution.group_id) for user in users
    )
    return size


SUPERUSER = f"{USERNAME_PREFIX}superuser"


@override_settings(SIMPLE_HISTORY_ENABLED=False)
def bench_superuser() -> User:
    """A superuser without institution, who sees every case: the unscoped case list.

    Its username has the bench prefix, so ``delete_bench_data`` deletes it with the staff.
    """
    user, _ = User.objects.get_or_create(
        username=SUPERUSER,
        defaults={
            "email": f"{SUPERUSER}@bench.example",
            "password": make_password(PASSWORD),
            "is_superuser": True,
            "is_active": True,
        },
    )
    return user


# --- Cases --------------------------------------------------------------------------

CASE_YEAR = 2026
CASE_CHUNK = 10_000
INVOLVED_PER_CASE = 3
ALL_CATEGORIES = list(DataCategory.values)


def case_reference(cooperation_code: str, number: int) -> str:
    return f"{cooperation_code}-{CASE_YEAR}-{number:06d}"


def delete_bench_cases(cooperation_ids: list[int]) -> None:
    """Delete the bench cases and everything hanging on them with raw SQL.

    The ORM's cascade would load every case (history signals prevent fast deletes); at
    100,000 cases that takes minutes. Bench cases only ever have involvements, grants,
    visibility rows, guardian permissions and access-log rows (the log is append-only in
    the application; this is a throw-away bench database). Access-log rows of bench staff
    go too.
    """
    if not cooperation_ids:
        return
    cases = f"SELECT id FROM {Case._meta.db_table} WHERE cooperation_id = ANY(%s)"
    with connection.cursor() as cursor:
        for model, column in (
            (CaseGroupObjectPermission, "content_object_id"),
            (CaseUserObjectPermission, "content_object_id"),
            (CaseGrant, "case_id"),
            (CaseVisibility, "case_id"),
            (Notification, "case_id"),
            (Involvement, "case_id"),
            (Involvement.history.model, "case_id"),
            (AccessLog, "case_id"),
        ):
            cursor.execute(
                f"DELETE FROM {model._meta.db_table} WHERE {column} IN ({cases})",
                [cooperation_ids],
            )
        cursor.execute(
            f"DELETE FROM {AccessLog._meta.db_table} WHERE user_id IN "
            f"(SELECT id FROM {User._meta.db_table} WHERE username LIKE %s)",
            [f"{USERNAME_PREFIX}%"],
        )
        cursor.execute(
            f"DELETE FROM {Case.history.model._meta.db_table} WHERE cooperation_id = ANY(%s)",
            [cooperation_ids],
        )
        cursor.execute(
            f"DELETE FROM {Case._meta.db_table} WHERE cooperation_id = ANY(%s)", [cooperation_ids]
        )


def _copy(table: str, columns: list[str], rows: list[tuple]) -> None:
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def _next_ids(model, count: int) -> list[int]:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)",
            [count],
        )
        return [row[0] for row in cursor.fetchall()]


@dataclass(frozen=True)
class CasePlan:
    """One generated case: the lead is the first of its involved institutions."""

    number: int  # 1-based over all bench cases
    cooperation: int  # index into the cooperations
    reference: str
    involved: tuple[int, ...]  # institution ids, lead first
    opened_at: datetime.datetime
    updated_at: datetime.datetime

    @property
    def lead(self) -> int:
        return self.involved[0]


# Named, so that a new column fails loudly (NOT NULL) or stays NULL, never shifts values.
CASE_COLUMNS = [
    "id",
    "cooperation_id",
    "reference",
    "status",
    "closed_on",
    "close_reason",
    "lead_institution_id",
    "opened_by_id",
    "opened_at",
    "updated_at",
    "conference_due_on",
]
CONFERENCE_INTERVAL_MONTHS = 6


def conference_due(opened_at: datetime.datetime) -> datetime.date:
    """Six months after the opening day (end of month clamped), as case_open sets it."""
    day = timezone.localdate(opened_at)
    month = day.month - 1 + CONFERENCE_INTERVAL_MONTHS
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def case_plan(number: int, cooperations, institutions_by_cooperation, now) -> CasePlan:
    """Deterministic per case number, so that cases can be added incrementally."""
    rng = random.Random(number)
    c = (number - 1) % len(cooperations)
    candidates = institutions_by_cooperation[cooperations[c].pk]
    opened_at = now - datetime.timedelta(seconds=rng.randrange(365 * 86400))
    updated_at = min(now, opened_at + datetime.timedelta(seconds=rng.randrange(30 * 86400)))
    return CasePlan(
        number=number,
        cooperation=c,
        reference=case_reference(cooperations[c].code, (number - 1) // len(cooperations) + 1),
        involved=tuple(rng.sample(candidates, INVOLVED_PER_CASE)),
        opened_at=opened_at,
        updated_at=updated_at,
    )


def expected_grants(plan: CasePlan) -> list[tuple]:
    """(institution, source, category, basis, valid_from, valid_until) as _grants_for makes."""
    since = timezone.localdate(plan.opened_at)
    rows = [
        (plan.lead, plan.lead, cat, CaseGrant.Basis.LEAD.value, None, None)
        for cat in ALL_CATEGORIES
    ]
    for institution in plan.involved:
        rows += [
            (institution, institution, cat, CaseGrant.Basis.OWN.value, since, None)
            for cat in ALL_CATEGORIES
        ]
    return rows


def expected_visibility(plan: CasePlan) -> list[tuple]:
    """(institution, valid_from, valid_until) as case_recompute_grants writes CaseVisibility.

    One row per institution and merged window of its grants (``_windows_by_institution``
    and ``_merge_windows`` of the service): the lead's unbounded LEAD grants swallow its
    OWN grants from the involvement's start, so the lead gets (None, None) and every
    other involved institution (since, None).
    """
    from cases.services import _merge_windows

    windows: dict[int, list[tuple]] = {}
    for institution, _source, _category, _basis, start, end in expected_grants(plan):
        windows.setdefault(institution, []).append((start, end))
    return [
        (institution, start, end)
        for institution, spans in windows.items()
        for start, end in _merge_windows(spans)
    ]


def view_case_permission() -> Permission:
    return Permission.objects.get(
        codename="view_case", content_type=ContentType.objects.get_for_model(Case)
    )


CASE_TABLES = (Case, Involvement, CaseGrant, CaseVisibility, CaseGroupObjectPermission)


def generate_cases(total: int) -> int:
    """Add bench cases until there are ``total``; returns how many were added.

    Requires the Land (or Kreis) population. Cases, involvements, grants, visibility rows
    (``case_updated_at`` = the case's ``updated_at``) and guardian permissions are
    written with COPY in chunks of CASE_CHUNK, exactly as
    ``cases.services.case_open`` plus ``case_recompute_grants`` would leave them for a
    lead and two further involved institutions (no consents, no disclosures).
    The coordination office is never involved (it sees no family data).

    Afterwards the case and population tables are vacuumed and analysed, as autovacuum
    would do in production: the bench server runs with autovacuum off, and without it
    the dead rows of the previous run's bench cases (deleted by ``generate``) stay in the
    indexes, and the planner has no statistics for the staff's group memberships
    (bench/README.md).
    """
    added = _add_cases(total)
    vacuum_bench_tables()
    return added


def vacuum_bench_tables() -> None:
    """VACUUM (ANALYZE) the tables the case pages read; only ANALYZE inside a transaction."""
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    tables = [model._meta.db_table for model in CASE_TABLES] + [
        Cooperation._meta.db_table,
        Institution._meta.db_table,
        Group._meta.db_table,
        User._meta.db_table,
        User.groups.through._meta.db_table,
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"{command} {table}")


@transaction.atomic
def _add_cases(total: int) -> int:
    cooperations = list(Cooperation.objects.filter(code__regex=CODE_REGEX).order_by("code"))
    existing = Case.objects.filter(cooperation__in=cooperations).count()
    if existing >= total:
        return 0
    institutions = (
        Institution.objects.filter(cooperation__in=cooperations)
        .exclude(kind=Kind.KOORDINATION)
        .order_by("pk")
    )
    institutions_by_cooperation: dict[int, list[int]] = {}
    group_of: dict[int, int] = {}
    for pk, cooperation_id, group_id in institutions.values_list("pk", "cooperation", "group"):
        institutions_by_cooperation.setdefault(cooperation_id, []).append(pk)
        group_of[pk] = group_id
    opener_of = dict(
        User.objects.filter(institution__in=institutions, role=Role.LEAD).values_list(
            "institution", "pk"
        )
    )
    permission_id = view_case_permission().pk
    now = timezone.now()

    for start in range(existing + 1, total + 1, CASE_CHUNK):
        numbers = range(start, min(start + CASE_CHUNK, total + 1))
        plans = [case_plan(n, cooperations, institutions_by_cooperation, now) for n in numbers]
        case_ids = _next_ids(Case, len(plans))
        _copy(
            Case._meta.db_table,
            CASE_COLUMNS,
            [
                (
                    case_id,
                    cooperations[plan.cooperation].pk,
                    plan.reference,
                    Case.Status.OPEN.value,
                    None,
                    "",
                    plan.lead,
                    opener_of[plan.lead],
                    plan.opened_at,
                    plan.updated_at,
                    conference_due(plan.opened_at),
                )
                for case_id, plan in zip(case_ids, plans, strict=True)
            ],
        )
        _copy(
            Involvement._meta.db_table,
            ["case_id", "institution_id", "since"],
            [
                (case_id, institution, timezone.localdate(plan.opened_at))
                for case_id, plan in zip(case_ids, plans, strict=True)
                for institution in plan.involved
            ],
        )
        _copy(
            CaseGrant._meta.db_table,
            ["case_id", "institution_id", "source_id", "category", "basis", "valid_from"],
            [
                (case_id, *grant[:5])
                for case_id, plan in zip(case_ids, plans, strict=True)
                for grant in expected_grants(plan)
            ],
        )
        _copy(
            CaseVisibility._meta.db_table,
            ["case_id", "institution_id", "valid_from", "valid_until", "case_updated_at"],
            [
                (case_id, *row, plan.updated_at)
                for case_id, plan in zip(case_ids, plans, strict=True)
                for row in expected_visibility(plan)
            ],
        )
        _copy(
            CaseGroupObjectPermission._meta.db_table,
            ["permission_id", "group_id", "content_object_id"],
            [
                (permission_id, group_of[institution], case_id)
                for case_id, plan in zip(case_ids, plans, strict=True)
                for institution in plan.involved
            ],
        )
    return total - existing


def check_cases(references: list[str]) -> None:
    """Raise unless case_recompute_grants reproduces the generated grants, visibility rows
    and permissions.

    Runs the real service in a transaction that is rolled back, so nothing changes. The
    service stamps the case and its visibility rows with the time it runs, so a visibility
    row is compared as (institution, valid_from, valid_until, whether case_updated_at is
    the case's updated_at).
    """
    from cases.services import case_recompute_grants

    def snapshot(case: Case) -> tuple[set, set, Counter]:
        grants = set(
            CaseGrant.objects.filter(case=case).values_list(
                "institution", "source", "category", "basis", "valid_from", "valid_until"
            )
        )
        perms = set(
            CaseGroupObjectPermission.objects.filter(content_object=case).values_list(
                "group", "permission__codename"
            )
        )
        updated_at = Case.objects.values_list("updated_at", flat=True).get(pk=case.pk)
        visibility = Counter(
            (institution, start, end, stamped == updated_at)
            for institution, start, end, stamped in CaseVisibility.objects.filter(
                case=case
            ).values_list("institution", "valid_from", "valid_until", "case_updated_at")
        )
        return grants, perms, visibility

    for reference in references:
        with transaction.atomic():
            case = Case.objects.get(reference=reference)
            generated = snapshot(case)
            case_recompute_grants(case=case)
            recomputed = snapshot(case)
            transaction.set_rollback(True)
        # The service also grants view_case_health (all categories include health);
        # the bench writes view_case only, as asked, so compare grants and view_case.
        generated_view = {p for p in generated[1] if p[1] == "view_case"}
        recomputed_view = {p for p in recomputed[1] if p[1] == "view_case"}
        if (
            generated[0] != recomputed[0]
            or generated_view != recomputed_view
            or generated[2] != recomputed[2]
        ):
            raise AssertionError(
                f"{reference}: generated grants differ from case_recompute_grants:\n"
                f"only generated {generated[0] - recomputed[0]}\n"
                f"only recomputed {recomputed[0] - generated[0]}\n"
                f"perms {generated_view ^ recomputed_view}\n"
                f"visibility generated {generated[2]}\n"
                f"visibility recomputed {recomputed[2]}"
            )
