from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorklistConfig(AppConfig):
    name = "worklist"
    verbose_name = _("Worklist")

    def ready(self) -> None:
        # The case page (a lower layer) shows the reader's follow-ups through its registry.
        from cases.views.browse import case_page_context

        from .access import case_followups

        if case_followups not in case_page_context:
            case_page_context.append(case_followups)
