from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Staff accounts"

    def ready(self) -> None:
        """Connect the sign-in audit receivers; register the menu entries and set-up list accounts owns."""
        from accounts import policies
        from accounts.signin import signals  # noqa: F401  (sign-in audit receivers)
        from core import registry

        registry.navigation.register(registry.Link("home", "Home", "home", registry.every_member, order=0))
        registry.navigation.register(
            registry.Link("staff", "Staff", "accounts:staff_list", policies.can_view_staff, order=40)
        )
        registry.navigation.register(
            registry.Link(
                "clinic-settings",
                "Clinic settings",
                "accounts:clinic_settings",
                policies.can_edit_clinic_settings,
                order=50,
            )
        )
        registry.navigation.register(
            registry.Link(
                "sign-ins", "Sign-ins", "accounts:clinic_sign_ins", policies.can_view_sign_in_history, order=60
            )
        )
        registry.navigation.register(
            registry.Link("sso", "Single sign-on", "accounts:sso_settings", policies.can_configure_sso, order=70)
        )
        registry.setup_lists.register(
            registry.Link("locations", "Locations", "accounts:locations", policies.can_manage_locations, order=10)
        )
