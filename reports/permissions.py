"""Who reads the committee's statistics: one rule for the page, the PDF and the CSV.

The figures are the Kooperationsgremium's: its members (representatives, deputies, the
chair and the minute-taker) and the coordination office that prepares its sittings read
them, each for their own cooperation only. Nobody else does, not even a superuser (who
belongs to no cooperation): the figures are anonymous, but they are the committee's.
"""

from django.core.exceptions import PermissionDenied

from cooperation.models import Committee, Cooperation, User


def may_read_report(user: User) -> bool:
    return report_cooperation(user) is not None


def report_cooperation(user: User) -> Cooperation | None:
    """The cooperation whose report ``user`` may read, or None."""
    if not user.is_authenticated or not user.is_active or user.institution_id is None:
        return None
    cooperation = user.institution.cooperation
    if user.is_coordination_office:
        return cooperation
    committee = Committee.objects.filter(cooperation=cooperation).first()
    if committee is not None and committee.has_member(user):
        return cooperation
    return None


def get_report_cooperation_or_403(user: User) -> Cooperation:
    cooperation = report_cooperation(user)
    if cooperation is None:
        raise PermissionDenied
    return cooperation
