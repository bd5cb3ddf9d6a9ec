"""The vocabulary of every app's access gateway.

Each resource has ``<resource>s_visible_to(user)`` (a queryset: 404 for anything outside
it) and ``get_<resource>_for_user_or_404(user, …)``, which returns an access object whose
``may_*`` members are ``Decision`` values. A view asks ``require(access.may_…)``: a refusal
becomes a 403 whose page tells the reader why, in their language ("only from the day of
the conference on", not just "not permitted").
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied


@dataclass(frozen=True)
class Decision:
    """Whether something may be done; when not, why, in words for the reader."""

    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Decision(True)
# Refused for the reader's role or institution: the generic 403 page explains that.
DENIED = Decision(False)


def deny(reason) -> Decision:
    """Refused for a reason the reader should read (the record's state, a date)."""
    return Decision(False, str(reason))


def decide(allowed: bool, reason="") -> Decision:
    return ALLOWED if allowed else Decision(False, str(reason))


def require(decision: Decision | bool) -> None:
    """403 unless ``decision`` allows; its reason becomes the 403 page's message."""
    if not decision:
        raise PermissionDenied(getattr(decision, "reason", ""))
