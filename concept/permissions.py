"""Who may see and change the Gesamtkonzept: the one gateway of this app.

The concept belongs to a cooperation and is always the requesting user's own: no URL names
a cooperation, so no one can ask for another's. The coordination office edits it; the
members of the cooperation's Kooperationsgremium read the overview, the Kurzkonzept and
the declarations, because the committee steers the cooperation the application is about.
The catalogue of offers is for all staff of the cooperation. Nothing here is family data.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from cooperation.models import Committee, Cooperation


@dataclass(frozen=True)
class ConceptAccess:
    cooperation: Cooperation
    may_edit: bool


def concept_access(user) -> ConceptAccess:
    """The reader's cooperation and whether they may edit; PermissionDenied for anyone else.

    Read: the coordination office and the committee's members (chair, minute-taker,
    representatives, deputies). Edit: the coordination office only. A superuser belongs to
    no cooperation and works in the admin.
    """
    cooperation = user.cooperation if user.is_authenticated and user.is_active else None
    if cooperation is None:
        raise PermissionDenied
    if user.is_coordination_office:
        return ConceptAccess(cooperation, may_edit=True)
    committee = Committee.objects.filter(cooperation=cooperation).first()
    if committee is not None and committee.has_member(user):
        return ConceptAccess(cooperation, may_edit=False)
    raise PermissionDenied


def concept_edit_access(user) -> ConceptAccess:
    """As ``concept_access``, but only for those who may edit."""
    access = concept_access(user)
    if not access.may_edit:
        raise PermissionDenied
    return access


def catalogue_cooperation(user) -> Cooperation:
    """Whose catalogue of offers the user reads: any staff member reads their cooperation's."""
    cooperation = user.cooperation if user.is_authenticated and user.is_active else None
    if cooperation is None:
        raise PermissionDenied
    return cooperation
