from django.apps import AppConfig


class CabinetConfig(AppConfig):
    name = "cabinet"
    verbose_name = "Cabinet records"

    def ready(self):
        from cabinet import security, sessions  # noqa: F401  (their signal receivers)
