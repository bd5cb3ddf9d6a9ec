"""Who may see and change the Gesamtkonzept and the catalogue of offers: the app's gateway.

The concept belongs to a cooperation and is always the requesting user's own: no URL names
a cooperation, so no one can ask for another's. Nothing here is family data.

- The overview, the Kurzkonzept and the declarations: read under the committee-reader
  rule (``User.reads_committee``: the coordination office and the members of the
  Kooperationsgremium, which steers the cooperation the application is about); edited by
  the coordination office only.
- The catalogue of offers: read by all staff of the cooperation, kept by the coordination
  office.
- A superuser belongs to no cooperation and works in the admin.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from common.access import Decision, decide
from cooperation.models import Cooperation, User

from .models import Offer


@dataclass(frozen=True)
class ConceptAccess:
    cooperation: Cooperation
    may_edit: Decision


def _own_cooperation(user: User) -> Cooperation | None:
    if not user.is_authenticated or not user.is_active:
        return None
    return user.cooperation


def may_read_concept(user: User) -> bool:
    # Asked by the navigation on every page: an institution always has a cooperation, so
    # the institution's id answers without loading the cooperation (one query less).
    return (
        user.is_authenticated
        and user.is_active
        and user.institution_id is not None
        and user.reads_committee
    )


def get_concept_for_user_or_403(user: User) -> ConceptAccess:
    """The reader's cooperation's concept and whether they may edit it; 403 otherwise."""
    if not may_read_concept(user):
        raise PermissionDenied
    return ConceptAccess(user.cooperation, may_edit=decide(user.is_coordination_office))


def offers_visible_to(user: User) -> QuerySet[Offer]:
    """The catalogue of the user's own cooperation; nothing for anyone outside one."""
    cooperation = _own_cooperation(user)
    return (
        Offer.objects.filter(institution__cooperation=cooperation)
        if cooperation
        else (Offer.objects.none())
    )


def get_catalogue_for_user_or_403(user: User) -> ConceptAccess:
    """Any staff member reads their cooperation's catalogue; its coordination office keeps
    it (in the admin)."""
    cooperation = _own_cooperation(user)
    if cooperation is None:
        raise PermissionDenied
    return ConceptAccess(cooperation, may_edit=decide(user.is_coordination_office))
