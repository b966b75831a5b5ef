"""Background work for search: `run_scheduler` enqueues `fit_recent_replies` every minute.

It fits PostgreSQL's table of the newest replies' vectors (schema.py, "The newest replies") to the
window: the triggers add every new reply and never take out an old one. A missed sweep leaves
extra rows, which cost the search a little time and change no result. Nothing to do on SQLite.
"""

import logging

from django.db import connection
from django_tasks import task

from kinship.search import schema

logger = logging.getLogger(__name__)


@task()
def fit_recent_replies() -> list[int]:
    """Fit the recent replies' index to its window; returns [rows taken out, rows put back]."""
    removed, added = schema.fit_recent(connection)
    if removed or added:
        logger.info("Search's recent index: %s replies taken out, %s put back.", removed, added)
    return [removed, added]
