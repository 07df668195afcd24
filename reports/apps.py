from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        """Register the Audit log menu entry (shown to administrators)."""
        from core import registry
        from reports import policies

        registry.navigation.register(
            registry.Link("audit-log", "Audit log", "audit:report", policies.can_view_audit_report, order=80)
        )
