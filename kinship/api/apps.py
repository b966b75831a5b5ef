from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kinship.api"
    label = "api"
