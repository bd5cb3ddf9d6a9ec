"""The register of processing activities (GDPR Art. 30; §31 KDG; §31 DSG-EKD).

Generated from the configuration, never typed: the cooperation's institutions and their
law, the retention rules in force, the recipients that consents and disclosures named,
the OParl publication switch and the security settings of this installation. One entry
for the cooperation's own processing (the responsible body with its coordination office:
committee, statistics, OParl, the platform) and one per institution as controller of its
family records (case coordination, Beteiligtenkonferenzen).

What KispFam cannot know is said to be completed by hand (hosting, the institution's own
data-protection officer): the register is the DPO's draft, not the finished document.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.models import Consent, DataCategory, Disclosure
from common.pdf import render_html, write_pdf
from cooperation.models import Cooperation, Institution, User
from oparl.models import public_cooperations

from .models import RecordType
from .rules import Rule, RuleBook

Law = Institution.DataProtectionLaw
REGISTER_STATUTE = {Law.GDPR: "Art. 30 DSGVO", Law.KDG: "§ 31 KDG", Law.DSG_EKD: "§ 31 DSG-EKD"}
CASE_BASIS = {
    "youth_welfare": "Art. 6 Abs. 1 lit. a, c und e, Art. 9 Abs. 2 lit. a und h DSGVO; "
    "§§ 61 ff. SGB VIII, § 8a SGB VIII; § 67b SGB X",
    Law.GDPR: "Art. 6 Abs. 1 lit. a und e, Art. 9 Abs. 2 lit. a DSGVO; § 67b SGB X; § 4 KKG",
    Law.KDG: "§§ 6, 8 und 11 KDG; § 4 KKG",
    Law.DSG_EKD: "§§ 6, 11 und 13 DSG-EKD; § 4 KKG",
}
OFFICE_BASIS = (
    "Art. 6 Abs. 1 lit. e DSGVO; Kooperationsvereinbarung (öffentlich-rechtlicher Vertrag)"
)
YOUTH_WELFARE = (Institution.Kind.JUGENDAMT_KREIS, Institution.Kind.JUGENDAMT_STADT)


@dataclass
class Activity:
    name: str | Promise
    purposes: str | Promise
    legal_basis: str
    subjects: list
    data: list
    recipients: list
    retention: list[tuple[str | Promise, Rule]]
    # Anything else an auditor must know (e.g. public export).
    remarks: list = field(default_factory=list)


@dataclass
class Controller:
    """One controller's part of the register."""

    key: str
    title: str
    institution: Institution | None
    law: str
    contact: list[str]
    activities: list[Activity]

    @property
    def statute(self) -> str:
        return REGISTER_STATUTE[self.law]

    @property
    def law_label(self) -> str:
        return Law(self.law).label


@dataclass
class Register:
    cooperation: Cooperation
    created: datetime.datetime
    controllers: list[Controller]
    data_protection_officers: list[User]
    measures: list
    transfers: str | Promise

    def only(self, institution_id: int) -> "Register":
        """The register of one institution as controller."""
        keep = [c for c in self.controllers if c.institution and c.institution.pk == institution_id]
        return Register(
            self.cooperation,
            self.created,
            keep,
            self.data_protection_officers,
            self.measures,
            self.transfers,
        )


def _contact(institution: Institution) -> list[str]:
    return [line for line in (institution.address, institution.phone, institution.email) if line]


def technical_measures() -> list:
    """The technical and organisational measures (Art. 32 GDPR) this installation takes,
    read from its code and settings."""
    measures = [
        _(
            "Access to a family's data only through one access check, by consent or a "
            "recorded legal basis, per source institution and data category; health data "
            "only where it was released explicitly."
        ),
        _(
            "Every read of family data is written to an append-only access log, read by the "
            "lead of the case's lead institution and the data-protection officer."
        ),
        _("Every change of a record is kept in its change history, with the acting user."),
        _(
            "Separation of duties: the coordination office and the data-protection officer "
            "see no family data; uploads and frozen documents are kept in private storage "
            "without a public address and served only after the access check, never cached."
        ),
        _(
            "Uploads are accepted only as what their content is (PDF, JPEG, PNG), within "
            "limits of size and pixels."
        ),
        _("Approved protocols are frozen as PDF/A with their SHA-256 checksum."),
        _(
            "The committee's statistics are counts only; counts from 1 to 4 are shown as "
            '"<5"; the figures of finished half-years are stored before any deletion.'
        ),
        _(
            "Deletion by the retention rules every day, stopped by a legal hold; a deletion "
            "reaches the change history and stored files and leaves a record without family "
            "data."
        ),
    ]
    if "django_otp" in settings.INSTALLED_APPS:
        roles = getattr(settings, "OTP_REQUIRED_ROLES", [])
        labels = [str(User.Role(role).label) for role in roles if role in User.Role.values]
        measures.append(
            _("A second factor (authenticator app, backup codes or passkey) at login for: %s.")
            % ", ".join(labels)
        )
    if getattr(settings, "AXES_ENABLED", False):
        measures.append(
            _("Logins are locked after %(n)s failed attempts.") % {"n": settings.AXES_FAILURE_LIMIT}
        )
    if getattr(settings, "SECURE_HSTS_SECONDS", 0):
        measures.append(_("Only encrypted connections (HTTPS with HSTS)."))
    hours = settings.SESSION_COOKIE_AGE // 3600
    measures.append(_("A session ends after %(hours)s hours.") % {"hours": hours})
    return measures


def _family_activities(
    institution: Institution, book: RuleBook, others: list[Institution]
) -> list[Activity]:
    law = institution.data_protection_law
    youth_welfare = institution.kind in YOUTH_WELFARE
    named = sorted(
        {
            r.name
            for c in Consent.objects.filter(source_institution=institution).prefetch_related(
                "recipients"
            )
            for r in c.recipients.all()
        }
        | set(
            Disclosure.objects.filter(from_institution=institution)
            .values_list("to_institution__name", flat=True)
            .distinct()
        )
    )
    recipients = [
        _(
            "Other institutions of the cooperation, only with the person's consent or on a "
            "recorded legal basis (§ 8a SGB VIII, § 4 KKG, § 65 SGB VIII): %s."
        )
        % ", ".join(o.name for o in others),
        _("Named as recipients in consents and disclosures so far: %s.")
        % (", ".join(named) or "–"),
        _("IT operations (technical administration), every read logged."),
    ]

    def rule(record_type) -> Rule:
        return book.for_institution(record_type, institution)

    case = Activity(
        name=_("Case coordination"),
        purposes=_(
            "Coordinating the help for families in which a parent is addicted, between "
            "youth welfare and addiction help; protecting the children's welfare."
        ),
        legal_basis=CASE_BASIS["youth_welfare" if youth_welfare else law],
        subjects=[
            _("Parents and other caregivers"),
            _("Children, also unborn children"),
            _("Staff of the institutions"),
        ],
        data=[
            *[label for value, label in DataCategory.choices],
            _(
                "Health data (addiction, counselling, substitution) is special-category "
                "data (GDPR Art. 9)."
            ),
            _("Consents with their scans; disclosures without consent with their legal basis"),
            _("Access log of reads of the family's data"),
        ],
        recipients=recipients,
        retention=[
            (RecordType(t).label, rule(t))
            for t in (
                RecordType.CASE,
                RecordType.CONSENT,
                RecordType.DISCLOSURE,
                RecordType.NOTE,
                RecordType.ACCESS_LOG,
                RecordType.NOTIFICATION,
            )
        ],
    )
    conferences = Activity(
        name=_("Beteiligtenkonferenzen"),
        purposes=_(
            "Planning, holding and documenting the conference of all professionals with the "
            "parents; following up the agreed actions."
        ),
        legal_basis=CASE_BASIS["youth_welfare" if youth_welfare else law],
        subjects=[
            _("Parents and other caregivers"),
            _("Children, also unborn children"),
            _("Participating professionals and external persons"),
        ],
        data=[
            _("Participants with role, contact and attendance"),
            _("Minutes by agenda item, the health section apart; agreed actions"),
            _("Frozen protocol (PDF/A), with and without the health section"),
        ],
        recipients=[
            _(
                "The participants; institutions to which the conference protocols were "
                "released; the parents receive the printed protocol."
            )
        ],
        retention=[(RecordType.CONFERENCE.label, rule(RecordType.CONFERENCE))],
    )
    return [case, conferences]


def _office_activities(cooperation: Cooperation, book: RuleBook, office) -> list[Activity]:
    def rule(record_type) -> Rule:
        return book.for_institution(record_type, office)

    public = public_cooperations().filter(pk=cooperation.pk).exists()
    oparl_recipients = [
        _("Council information systems holding an access token issued by the coordination office")
    ]
    if public:
        oparl_recipients.append(_("The public: the export is switched to public (open data)."))
    return [
        Activity(
            name=_("Kooperationsgremium"),
            purposes=_("Steering the cooperation: sittings, minutes, resolutions, actions."),
            legal_basis=OFFICE_BASIS,
            subjects=[_("Members of the committee and their deputies")],
            data=[
                _("Name, institution and function; attendance"),
                _("Minutes, resolutions and agreed actions; no family data"),
            ],
            recipients=[_("The committee's members; the coordination office")],
            retention=[(RecordType.COMMITTEE.label, rule(RecordType.COMMITTEE))],
        ),
        Activity(
            name=_("Half-yearly statistics"),
            purposes=_(
                "Reporting to the committee on cases, conferences, consents and disclosures."
            ),
            legal_basis=OFFICE_BASIS,
            subjects=[_("None after counting: only counts leave the case records.")],
            data=[_("Counts per half-year; counts from 1 to 4 suppressed, no totals")],
            recipients=[_("The committee's members; the coordination office")],
            retention=[],
            remarks=[
                _(
                    "The figures of finished half-years are stored before the records "
                    "behind them are deleted, and kept."
                )
            ],
        ),
        Activity(
            name=_("OParl export of the committee"),
            purposes=_("Publishing the committee's sittings for council information systems."),
            legal_basis=OFFICE_BASIS,
            subjects=[_("Members of the committee")],
            data=[_("Names and memberships, sittings, agenda items, files; never family data")],
            recipients=oparl_recipients,
            retention=[(RecordType.COMMITTEE.label, rule(RecordType.COMMITTEE))],
        ),
        Activity(
            name=_("Operating the platform"),
            purposes=_("Accounts, login, access control and the audit of reads."),
            legal_basis="Art. 6 Abs. 1 lit. c und e, Art. 32 DSGVO",
            subjects=[_("Staff of the institutions")],
            data=[
                _("Name, e-mail, institution, role; login data and second factors"),
                _("Access log: who read which case when"),
            ],
            recipients=[
                _("The data-protection officer; the lead of a case's lead institution"),
                _("IT operations (technical administration)"),
            ],
            retention=[(RecordType.ACCESS_LOG.label, rule(RecordType.ACCESS_LOG))],
        ),
    ]


def build_register(cooperation: Cooperation) -> Register:
    """The register of ``cooperation`` and each of its institutions, as of now."""
    book = RuleBook(cooperation)
    institutions = list(Institution.objects.filter(cooperation=cooperation).order_by("name"))
    offices = [i for i in institutions if i.kind == Institution.Kind.KOORDINATION]
    working = [i for i in institutions if i.kind != Institution.Kind.KOORDINATION]
    office = offices[0] if offices else None
    controllers = [
        Controller(
            key="cooperation",
            title=f"{cooperation.body_name} ({cooperation.name})",
            institution=None,
            law=Law.GDPR,
            contact=[f"{o.name}: {', '.join(_contact(o)) or '–'}" for o in offices],
            activities=_office_activities(cooperation, book, office),
        )
    ]
    for institution in working:
        others = [i for i in working if i.pk != institution.pk]
        controllers.append(
            Controller(
                key=f"institution-{institution.pk}",
                title=institution.name,
                institution=institution,
                law=institution.data_protection_law,
                contact=_contact(institution),
                activities=_family_activities(institution, book, others),
            )
        )
    officers = list(
        User.objects.filter(
            institution__cooperation=cooperation,
            role=User.Role.DATA_PROTECTION,
            is_active=True,
        ).order_by("last_name", "first_name")
    )
    return Register(
        cooperation=cooperation,
        created=timezone.localtime(),
        controllers=controllers,
        data_protection_officers=officers,
        measures=technical_measures(),
        transfers=_(
            "KispFam transfers no data to third countries or international organisations. "
            "Where the installation is hosted, and by whom, is to be added by the cooperation."
        ),
    )


def register_html(cooperation: Cooperation, institution_id: int | None = None) -> str:
    """The register's printable HTML (the cooperation's, or one institution's part):
    cheap, no WeasyPrint; the same configuration on the same day gives the same HTML, so
    its SHA-256 names a rendering."""

    def context() -> dict:
        register = build_register(cooperation)
        if institution_id is not None:
            register = register.only(institution_id)
        return {"register": register}

    return render_html(
        "privacy/register_pdf.html",
        context,
        language="de",
        title=f"Verzeichnis von Verarbeitungstätigkeiten – {cooperation.name}",
        author=cooperation.body_name,
    )


def register_pdf(cooperation: Cooperation, institution_id: int | None = None) -> bytes:
    """The register as a PDF; requests get it from ``privacy.tasks.render_register``."""
    return write_pdf(register_html(cooperation, institution_id))
