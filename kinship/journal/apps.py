from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "kinship.journal"
    label = "journal"
    verbose_name = "Recovery journal and check-ins"
