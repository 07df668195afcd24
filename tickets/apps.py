from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = "Support tickets"

    def ready(self) -> None:
        """Connect the sign-in receiver; register the Tickets menu entry and the demo tickets."""
        from core import registry
        from tickets import demo, policies, signals  # noqa: F401  (signals connects the sign-in receiver)

        registry.navigation.register(
            registry.Link("tickets", "Tickets", "tickets:list", policies.can_use_tickets, order=30)
        )
        registry.demo_data.register(registry.DemoData("tickets", order=20, load=demo.load))
