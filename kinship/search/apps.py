from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "kinship.search"
    label = "search"
    verbose_name = "Search"
