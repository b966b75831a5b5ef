"""Background work for search: `run_scheduler` enqueues `trim_recent_replies` every minute.

It keeps PostgreSQL's table of the newest replies' vectors (schema.py, "The newest replies") to
the window: the triggers only ever add rows. A missed sweep leaves extra rows, which cost the
search a little time and change no result. Nothing to do on SQLite.
"""

import logging

from django.db import connection
from django_tasks import task

from kinship.search import schema

logger = logging.getLogger(__name__)


@task()
def trim_recent_replies() -> int:
    """Remove the replies that fell out of the newest RECENT_WINDOW from the recent index; returns how many."""
    removed = schema.trim_recent(connection)
    if removed:
        logger.info("Search: %s replies left the recent index.", removed)
    return removed
