from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = "Clients"

    def ready(self) -> None:
        """Register the chart's own tabs, the same way other apps add theirs."""
        from clients import policies, views, views_consents
        from clients.tabs import register_tab

        register_tab("overview", "Overview", policies.DEMOGRAPHICS, views.overview_tab, order=0)
        register_tab("demographics", "Demographics", policies.DEMOGRAPHICS, views.demographics_tab, order=10)
        register_tab("insurance", "Insurance", policies.INSURANCE, views.insurance_tab, order=20)
        register_tab("diagnoses", "Diagnoses", policies.CLINICAL, views.diagnoses_tab, order=30)
        register_tab("consents", "Consents", policies.CONSENTS, views_consents.consents_tab, order=40)
