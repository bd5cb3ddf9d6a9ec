import datetime
import hashlib

from django.core.cache import cache
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from cases.models import Notification
from cooperation.models import User

# The navigation's counts are kept this long per session. They are two numbers of the
# user's own (unread notifications addressed to them, follow-ups they set that are due),
# never family data, so they may lag this long behind a change made elsewhere (a
# colleague marks a follow-up done, a service sends a notification, a revoked consent
# hides a follow-up). Counting them costs more CPU than many a page's own content.
COUNTS_SECONDS = 60
# Pages that show these numbers in their content count afresh, so that badge and page
# agree there (the notifications page after "mark all read").
FRESH_ON = frozenset({"cases:notifications"})


def _counts(user: User, today: datetime.date) -> dict[str, int]:
    """Unread notifications and my follow-ups due by ``today``, in one query."""
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
    due = followups_visible_to(user, today).due_by(today)
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(unread=counted(unread, "user"), due=counted(due, "created_by"))
        .values("unread", "due")
        .first()
    )
    return row or {"unread": 0, "due": 0}


def _cache_key(request: HttpRequest) -> str | None:
    """Per session (a new sign-in starts afresh), and the session key itself, which
    signs a person in, is not spread into the cache's key names."""
    session = getattr(request, "session", None)
    session_key = session.session_key if session is not None else None
    if not session_key:
        return None
    return "worklist:counts:" + hashlib.sha256(session_key.encode()).hexdigest()


def navigation_counts(request: HttpRequest) -> dict[str, int]:
    """The counts of ``request.user``: from the cache when counted for the same user on the
    same day within ``COUNTS_SECONDS``, otherwise counted and kept."""
    user = request.user
    today = timezone.localdate()
    key = _cache_key(request)
    match = getattr(request, "resolver_match", None)
    fresh = match is not None and match.view_name in FRESH_ON
    if key is not None and not fresh:
        kept = cache.get(key)
        if kept is not None and kept[0] == user.pk and kept[1] == today:
            return kept[2]
    counts = _counts(user, today)
    if key is not None:
        cache.set(key, (user.pk, today, counts), COUNTS_SECONDS)
    return counts


def forget_counts(request: HttpRequest) -> None:
    """After the user changed one of the counts (set, closed or reopened a follow-up):
    the next page counts afresh."""
    key = _cache_key(request)
    if key is not None:
        cache.delete(key)


def worklist_counts(request: HttpRequest) -> dict:
    """The navigation's counts: my follow-ups due and my unread notifications.

    Lazy: counted only where the navigation is drawn, in one query, and then kept for
    ``COUNTS_SECONDS`` per session (the dashboard's budget of ten queries includes the
    query).
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"worklist_counts": SimpleLazyObject(lambda: navigation_counts(request))}
