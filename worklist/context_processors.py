from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from cases.models import Notification
from cooperation.models import User


def _counts(user: User) -> dict[str, int]:
    """Unread notifications and my follow-ups due by today, in one query."""
    from .access import followups_visible_to

    def counted(queryset, owner: str):
        return Coalesce(
            Subquery(
                queryset.filter(**{owner: OuterRef("pk")})
                .order_by()
                .values(owner)
                .annotate(n=Count("pk"))
                .values("n")
            ),
            0,
        )

    unread = Notification.objects.filter(read_at__isnull=True)
    due = followups_visible_to(user).due_by(timezone.localdate())
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(unread=counted(unread, "user"), due=counted(due, "created_by"))
        .values("unread", "due")
        .first()
    )
    return row or {"unread": 0, "due": 0}


def worklist_counts(request: HttpRequest) -> dict:
    """The navigation's counts: my follow-ups due and my unread notifications.

    Lazy: counted only where the navigation is drawn, in one query (the dashboard's
    budget of ten queries includes it).
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"worklist_counts": SimpleLazyObject(lambda: _counts(user))}
