from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "kinship.safety"
    label = "safety"
    verbose_name = "Safety and audit"
