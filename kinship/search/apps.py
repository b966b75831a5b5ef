from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _repair_index(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """A SQLite table rebuilt by a later migration loses its search triggers: put them back."""
    from django.db import connections

    from kinship.search import schema

    schema.repair_sqlite(connections[using])


class SearchConfig(AppConfig):
    name = "kinship.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        # Once per migrate run (sent for this app only), after every app's migrations.
        post_migrate.connect(_repair_index, sender=self, dispatch_uid="kinship.search.repair_index")
