"""API tokens of the OParl export, the switch that opens it to everyone, and the
checksums of the files it publishes.

A token belongs to a cooperation, not to a person: the coordination office issues one per
client (e.g. the Kreis's council information system) and revokes it when the client no
longer needs it. Only the SHA-256 of the token is stored; the plain value is shown once,
when it is issued.

A cooperation may also publish its committee as open data, as OParl intends for public
bodies: then its part of the export answers without a token (``Publication``).
"""

import datetime
import hashlib
import logging
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from conferences.models import Minutes
from cooperation.models import Cooperation

logger = logging.getLogger(__name__)

# Recognisable in logs and by secret scanners; the rest is 256 random bits.
TOKEN_PREFIX = "oparl_"


def hash_token(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> "ApiTokenQuerySet":
        return self.filter(revoked_at__isnull=True)

    def authenticate(self, plain: str) -> "ApiToken | None":
        """The active token with this plain value, or None.

        The lookup is by hash: a timing difference could at most reveal a prefix of the
        hash, which does not help anyone guess a token.
        """
        if not plain:
            return None
        matching = self.active().filter(token_hash=hash_token(plain))
        return matching.select_related("cooperation").first()


class ApiToken(models.Model):
    """A client's credential for the OParl export of one cooperation."""

    cooperation = models.ForeignKey(
        Cooperation,
        on_delete=models.PROTECT,
        related_name="oparl_tokens",
        verbose_name=_("cooperation"),
    )
    label = models.CharField(
        _("label"),
        max_length=200,
        help_text=_("Who uses the token, e.g. the council information system of the Kreis."),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters of the token, so that staff can tell tokens apart.
    prefix = models.CharField(_("begins with"), max_length=16, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("issued by"),
    )
    created_at = models.DateTimeField(_("issued at"), default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    # Issue and revocation are history; every single use is not.
    history = HistoricalRecords(excluded_fields=["last_used_at"])

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("OParl API token")
        verbose_name_plural = _("OParl API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.label} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def set_new_secret(self, plain: str | None = None) -> str:
        """Give the token a new secret and return it: the only moment it is known.

        ``plain`` is for the demo's documented token only; everywhere else it is random.
        """
        plain = plain or TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.token_hash = hash_token(plain)
        self.prefix = plain[: len(TOKEN_PREFIX) + 6]
        return plain

    def revoke(self) -> None:
        """Revoked at once and for good: the next request with it gets a 401."""
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])

    def record_use(self) -> None:
        # At most one write a minute, however busy the client.
        now = timezone.now()
        ApiToken.objects.filter(pk=self.pk).exclude(
            last_used_at__gt=now - datetime.timedelta(minutes=1)
        ).update(last_used_at=now)


class Publication(models.Model):
    """Whether a cooperation publishes its committee's OParl export without a token.

    Off unless the coordination office switches it on. It opens exactly what a token of
    the cooperation sees (the committee, its sittings, members and approved protocols),
    never more: family data is not part of the export either way.
    """

    # Kept here rather than as a field of Cooperation: the switch belongs to the export.
    cooperation = models.OneToOneField(
        Cooperation,
        on_delete=models.CASCADE,
        related_name="oparl_publication",
        verbose_name=_("cooperation"),
    )
    is_public = models.BooleanField(
        _("public without a token"),
        default=False,
        help_text=_(
            "Anyone may read the committee's OParl export (sittings, agenda, approved "
            "minutes, members' names and functions) without a token. Family data is "
            "never part of the export."
        ),
    )
    # Who opened or closed the export, and when.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("OParl publication")
        verbose_name_plural = _("OParl publications")

    def __str__(self) -> str:
        return str(self.cooperation)


def public_cooperations() -> models.QuerySet[Cooperation]:
    """The cooperations whose export answers without a token, in a stable order."""
    return Cooperation.objects.filter(oparl_publication__is_public=True).order_by("pk")


class FileDigest(models.Model):
    """Size and SHA-512 of approved minutes, as OParl's File wants them.

    The minutes are frozen with their SHA-256, which OParl 1.1 has no field for; the
    SHA-512 (``sha512Checksum``) is computed once from the same frozen bytes, after they
    were checked against the stored SHA-256.
    """

    minutes = models.OneToOneField(Minutes, on_delete=models.CASCADE, related_name="oparl_digest")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    sha512 = models.CharField(max_length=128)
    computed_at = models.DateTimeField(default=timezone.now)
    # No history: derived from frozen bytes, it never changes.

    class Meta:
        verbose_name = _("checksum of approved minutes")
        verbose_name_plural = _("checksums of approved minutes")

    def __str__(self) -> str:
        return f"{self.minutes} {self.sha512[:12]}…"

    @classmethod
    def of(cls, minutes: Minutes) -> "FileDigest | None":
        """The digest of frozen minutes, computed on first use; None when the stored
        bytes are missing or no longer match the SHA-256 recorded at approval."""
        try:
            return minutes.oparl_digest
        except cls.DoesNotExist:
            pass
        sha256, sha512, size = hashlib.sha256(), hashlib.sha512(), 0
        try:
            with minutes.pdf.open("rb") as stored:
                for chunk in stored.chunks():
                    sha256.update(chunk)
                    sha512.update(chunk)
                    size += len(chunk)
        except (OSError, ValueError):
            logger.exception("The frozen minutes %s cannot be read", minutes.pk)
            return None
        if sha256.hexdigest() != minutes.sha256:
            logger.error("The frozen minutes %s no longer match their SHA-256", minutes.pk)
            return None
        digest, _created = cls.objects.get_or_create(
            minutes=minutes,
            defaults={"size": size, "sha256": sha256.hexdigest(), "sha512": sha512.hexdigest()},
        )
        minutes.oparl_digest = digest
        return digest
