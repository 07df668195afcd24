from django.apps import AppConfig
from django.db.models.signals import post_migrate


class MeasuresConfig(AppConfig):
    name = "measures"
    verbose_name = "Outcome measures"

    def ready(self) -> None:
        """The Measures chart tab, the chart banner for critical answers awaiting a response, and demo scores."""
        from clients.policies import CLINICAL
        from clients.tabs import register_banner, register_tab
        from core import registry
        from measures import demo
        from measures.administrations import views
        from measures.instruments.services import restore_shipped_instruments

        register_tab("measures", "Measures", CLINICAL, views.measures_tab, order=37)
        register_banner("measures-safety", CLINICAL, views.chart_banners, order=10)
        registry.demo_data.register(registry.DemoData("measures", order=60, load=demo.load))
        post_migrate.connect(restore_shipped_instruments, sender=self)
