"""Who reads the committee's statistics: one rule for the page, the PDF and the CSV.

The figures are the Kooperationsgremium's: the committee-reader rule
(``User.reads_committee``: its members and the coordination office that prepares its
sittings) decides, each for their own cooperation only. Nobody else reads them, not even
a superuser (who belongs to no cooperation): the figures are anonymous, but they are the
committee's.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from cooperation.models import Cooperation, User


@dataclass(frozen=True)
class ReportAccess:
    cooperation: Cooperation


def may_read_report(user: User) -> bool:
    return user.is_authenticated and user.reads_committee


def get_report_for_user_or_403(user: User) -> ReportAccess:
    """The cooperation whose statistics ``user`` reads; 403 for anyone else."""
    if not may_read_report(user):
        raise PermissionDenied
    return ReportAccess(user.cooperation)
