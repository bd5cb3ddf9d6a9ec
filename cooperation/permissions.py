"""Who reads and decides staff changes: an institution's confirmed leads, for their own
institution; a superuser (IT operations) for every institution, e.g. the first lead of a
new institution, whom no lead can confirm yet.

The coordination office, which makes the changes, never confirms them (four eyes).
"""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from common.access import Decision, decide, deny

from .models import StaffChange, User


def is_confirmed_lead(user: User) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and user.role == User.Role.LEAD
        and user.role_is_confirmed
    )


def may_read_staff_changes(user: User) -> Decision:
    return decide(user.is_authenticated and (user.is_superuser or is_confirmed_lead(user)))


def staff_changes_visible_to(user: User) -> QuerySet[StaffChange]:
    changes = StaffChange.objects.select_related(
        "user", "institution", "previous_institution", "made_by", "decided_by"
    )
    if not user.is_authenticated or not user.is_active:
        return changes.none()
    if user.is_superuser:
        return changes
    if is_confirmed_lead(user):
        return changes.filter(institution_id=user.institution_id)
    return changes.none()


@dataclass(frozen=True)
class StaffChangeAccess:
    change: StaffChange
    user: User

    @property
    def may_decide(self) -> Decision:
        """A pending request is decided by a lead other than the person concerned, while
        the account still stands as the request left it."""
        change = self.change
        if change.user_id == self.user.pk:
            return deny(_("Nobody confirms their own role."))
        if not change.is_pending:
            return deny(_("This change was decided already."))
        if not change.is_current:
            return deny(_("The account was changed again since: decide on the latest change."))
        return decide(self.user.is_superuser or is_confirmed_lead(self.user))


def get_staff_change_for_user_or_404(user: User, pk: int) -> StaffChangeAccess:
    change = staff_changes_visible_to(user).filter(pk=pk).first()
    if change is None:
        raise Http404
    return StaffChangeAccess(change, user)
