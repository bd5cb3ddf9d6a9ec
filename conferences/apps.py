from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConferencesConfig(AppConfig):
    name = "conferences"
    verbose_name = _("Conferences")

    def ready(self) -> None:
        from cases.views.browse import case_page_context

        from .access import case_conferences

        if case_conferences not in case_page_context:
            case_page_context.append(case_conferences)
