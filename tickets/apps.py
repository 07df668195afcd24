from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = "Support tickets"

    def ready(self) -> None:
        """Connect the sign-in receiver; register the Tickets menu entry, the demo tickets and the demo vendor
        support account."""
        from functools import partial

        from accounts.demo import DEMO_PASSWORD
        from core import registry
        from tickets import demo, policies, signals  # noqa: F401  (signals connects the sign-in receiver)

        registry.navigation.register(
            registry.Link("tickets", "Tickets", "tickets:list", policies.can_use_tickets, order=30)
        )
        registry.demo_data.register(registry.DemoData("tickets", order=20, load=demo.load))
        registry.demo_data.register(
            registry.DemoData(
                "vendor-staff",
                order=100,
                load_shared=partial(demo.load_demo_vendor_staff, DEMO_PASSWORD),
                logins=demo.vendor_logins,
            )
        )
