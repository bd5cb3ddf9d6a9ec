from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = _("Cooperation agreement and Leitfaden")

    def ready(self) -> None:
        from conferences.services import agenda_sources

        from .models import GuidelineVersion

        # The Leitfaden's agenda section sets the agenda of every Beteiligtenkonferenz
        # planned afterwards.
        source = GuidelineVersion.objects.conference_agenda
        if source not in agenda_sources:
            agenda_sources.append(source)
