from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "kinship.events"
    label = "events"
    verbose_name = "Events"
