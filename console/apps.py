from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "console"
    verbose_name = "Vendor support console"

    def ready(self) -> None:
        """Register the demo vendor support account that `make run` prints."""
        from functools import partial

        from accounts.demo import DEMO_PASSWORD
        from console import demo
        from core import registry

        registry.demo_data.register(
            registry.DemoData(
                "vendor-staff",
                order=100,
                load_shared=partial(demo.load_demo_vendor_staff, DEMO_PASSWORD),
                logins=demo.vendor_logins,
            )
        )
