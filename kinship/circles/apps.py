from django.apps import AppConfig


class CirclesConfig(AppConfig):
    name = "kinship.circles"
    label = "circles"
