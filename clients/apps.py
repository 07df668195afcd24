from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = "Clients"

    def ready(self) -> None:
        """Register the chart's own tabs (the same way other apps add theirs), the Clients menu entry, the Programs
        set-up list and the demo programs."""
        from django.core import checks

        from clients import demo, policies
        from clients.amendments import views as views_amendments
        from clients.consents import views as views_consents
        from clients.diagnoses import views as diagnoses_views
        from clients.documents import views as views_documents
        from clients.insurance import views as insurance_views
        from clients.records import views as records_views
        from clients.tabs import register_tab
        from core import registry, uploads

        register_tab("overview", "Overview", policies.DEMOGRAPHICS, records_views.overview_tab, order=0)
        register_tab("demographics", "Demographics", policies.DEMOGRAPHICS, records_views.demographics_tab, order=10)
        register_tab("insurance", "Insurance", policies.INSURANCE, insurance_views.insurance_tab, order=20)
        register_tab("diagnoses", "Diagnoses", policies.CLINICAL, diagnoses_views.diagnoses_tab, order=30)
        register_tab("consents", "Consents", policies.CONSENTS, views_consents.consents_tab, order=40)
        register_tab("documents", "Documents", policies.DEMOGRAPHICS, views_documents.documents_tab, order=60)
        register_tab("amendments", "Amendments", policies.DEMOGRAPHICS, views_amendments.amendments_tab, order=70)
        checks.register(uploads.check_private_storage, checks.Tags.security)
        registry.navigation.register(
            registry.Link("clients", "Clients", "clients:list", registry.every_member, order=10)
        )
        registry.setup_lists.register(
            registry.Link("programs", "Programs", "clients:programs", policies.can_manage_programs, order=30)
        )
        registry.demo_data.register(registry.DemoData("programs", order=10, load=demo.load))
