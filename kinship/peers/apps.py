from django.apps import AppConfig


class PeersConfig(AppConfig):
    name = "kinship.peers"
    label = "peers"
    verbose_name = "Peer mentoring and messages"
