from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = "Clients"

    def ready(self) -> None:
        """Register the chart's own tabs, the same way other apps add theirs."""
        from django.core import checks

        from clients import policies, views, views_amendments, views_consents, views_documents
        from clients.tabs import register_tab
        from hearth import uploads

        register_tab("overview", "Overview", policies.DEMOGRAPHICS, views.overview_tab, order=0)
        register_tab("demographics", "Demographics", policies.DEMOGRAPHICS, views.demographics_tab, order=10)
        register_tab("insurance", "Insurance", policies.INSURANCE, views.insurance_tab, order=20)
        register_tab("diagnoses", "Diagnoses", policies.CLINICAL, views.diagnoses_tab, order=30)
        register_tab("consents", "Consents", policies.CONSENTS, views_consents.consents_tab, order=40)
        register_tab("documents", "Documents", policies.DEMOGRAPHICS, views_documents.documents_tab, order=60)
        register_tab("amendments", "Amendments", policies.DEMOGRAPHICS, views_amendments.amendments_tab, order=70)
        checks.register(uploads.check_private_storage, checks.Tags.security)
