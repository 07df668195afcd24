from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "notes"
    verbose_name = "Notes"

    def ready(self) -> None:
        """The chart's Notes tab, "Write note" on appointments, the Notes menu entry (late notes, and the
        co-sign queue for supervisors), the set-up lists (note settings, templates, supervision) and the demo notes."""
        from clients import policies as client_policies
        from clients.tabs import register_tab
        from core import registry
        from notes import demo, policies
        from notes.records import views
        from notes.records.appointment_actions import note_links
        from scheduling.appointments.actions import AppointmentAction, register_action

        register_tab("notes", "Notes", client_policies.CLINICAL, views.notes_tab, order=35)
        register_action(AppointmentAction("write-note", links=note_links, order=10))
        registry.navigation.register(
            registry.Link("notes", "Notes", "notes:late", policies.can_see_late_notes, order=22)
        )
        for key, label, url, order in (
            ("note-settings", "Note settings", "notes:settings", 40),
            ("note-templates", "Note templates", "notes:templates", 41),
            ("supervision", "Co-signature", "notes:supervision", 42),
        ):
            registry.setup_lists.register(registry.Link(key, label, url, policies.can_manage_note_setup, order))
        registry.demo_data.register(registry.DemoData("notes", order=40, load=demo.load))
