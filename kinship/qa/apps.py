from django.apps import AppConfig


class QaConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "kinship.qa"
    label = "qa"
    verbose_name = "Speakers and questions"
