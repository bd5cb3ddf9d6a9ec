"""The tasks that print the privacy documents on demand (queue "default"): the register
of processing activities and the access reports. Each is kept under the fingerprint of
its HTML while it reads the same (``common.pending.save_rendering``)."""

from django.http import Http404
from django.tasks import task
from django.utils import timezone

from cases.models import FamilyMember
from common.pending import fingerprint, save_rendering
from cooperation.models import Cooperation, User

from .access_report import access_report_html
from .models import AccessReportRendering, RegisterRendering
from .permissions import CasePrivacyAccess, get_case_privacy_for_user_or_404
from .register import register_html


def current_html(cooperation: Cooperation, part: int) -> tuple[str, str]:
    """(HTML, its SHA-256) of the register as it reads now; ``part`` 0 is the whole."""
    html = register_html(cooperation, part or None)
    return html, fingerprint(html)


@task()
def render_register(cooperation_id: int, part: int) -> str:
    """Render the register (or one institution's part) as it reads now; the part's
    older renderings are removed."""
    cooperation = Cooperation.objects.get(pk=cooperation_id)
    html, print_ = current_html(cooperation, part)
    mine = RegisterRendering.objects.filter(cooperation=cooperation, part=part)
    if mine.filter(fingerprint=print_).exists():
        return "stored already"
    return save_rendering(
        RegisterRendering(cooperation=cooperation, part=part, fingerprint=print_),
        name=f"verzeichnis-{cooperation.code}-{part}-{print_[:12]}.pdf",
        html=html,
        older=mine,
    )


def access_report_html_of(privacy: CasePrivacyAccess, member) -> tuple[str, str]:
    """(HTML, its SHA-256) of the access report as ``privacy``'s user may give it now."""
    html = access_report_html(privacy.access, member)
    return html, fingerprint(html)


@task()
def render_access_report(user_id: int, reference: str, member_id: int) -> str:
    """Render the access report on ``member`` as ``user`` asked for it, asking the same
    questions as the download (a user who lost access meanwhile gets nothing); files
    older than a day, anyone's, are removed."""
    AccessReportRendering.remove_expired(timezone.now())
    user = User.objects.select_related("institution").get(pk=user_id)
    try:
        privacy = get_case_privacy_for_user_or_404(user, reference)
        member = privacy.case.members.get(pk=member_id)
    except (Http404, FamilyMember.DoesNotExist):
        return "no access"
    if not privacy.may_report_on(member):
        return "no access"
    html, print_ = access_report_html_of(privacy, member)
    mine = AccessReportRendering.objects.filter(member=member, requested_by=user)
    if mine.filter(fingerprint=print_).exists():
        return "stored already"
    return save_rendering(
        AccessReportRendering(
            case=privacy.case, member=member, requested_by=user, fingerprint=print_
        ),
        name=f"auskunft-{privacy.case.pk}-{member.pk}-{print_[:12]}.pdf",
        html=html,
        older=mine,
    )
