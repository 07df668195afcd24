from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = "Scheduling"

    def ready(self) -> None:
        """Add the Schedule tab to every client chart (shown to whoever may see demographics), the Schedule menu
        entry, the reminders set-up list and the demo calendar."""
        from clients import policies as client_policies
        from clients.tabs import register_tab
        from core import registry
        from scheduling import demo, policies
        from scheduling.appointments import views

        register_tab("schedule", "Schedule", client_policies.DEMOGRAPHICS, views.schedule_tab, order=15)
        registry.navigation.register(
            registry.Link("schedule", "Schedule", "scheduling:calendar", policies.can_view_calendar, order=20)
        )
        registry.setup_lists.register(
            registry.Link(
                "reminders",
                "Appointment reminders",
                "scheduling:reminder_settings",
                policies.can_manage_reminders,
                order=20,
            )
        )
        registry.demo_data.register(registry.DemoData("calendar", order=30, load=demo.load))
