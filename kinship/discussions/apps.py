from django.apps import AppConfig


class DiscussionsConfig(AppConfig):
    name = "kinship.discussions"
    label = "discussions"
