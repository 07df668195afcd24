from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TenancyConfig(AppConfig):
    name = "tenancy"
    verbose_name = "Clinics (tenancy)"

    def ready(self) -> None:
        from tenancy import rls

        # Runs after every migrate, so a tenant table added by any later migration gets its policy too.
        post_migrate.connect(rls.install_after_migrate, dispatch_uid="tenancy.rls.install")
        rls.use_pool_resets()
