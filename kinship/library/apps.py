from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "kinship.library"
    label = "library"
    verbose_name = "Resources and library"
