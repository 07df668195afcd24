from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = "Scheduling"

    def ready(self) -> None:
        """Add the Schedule tab to every client chart (shown to whoever may see demographics)."""
        from clients import policies as client_policies
        from clients.tabs import register_tab
        from scheduling.appointments import views

        register_tab("schedule", "Schedule", client_policies.DEMOGRAPHICS, views.schedule_tab, order=15)
