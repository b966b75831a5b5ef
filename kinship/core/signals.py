"""Signals a lower app sends for a higher one to act on (STYLE.md: the one use of signals).

`crisis_words`: a member wrote words that suggest a crisis (kinship.core.crisis). Sent once the write
has committed, by `alert_if_crisis`, with keyword arguments:

- `writer`: the member who wrote them,
- `source_type`: "post", "message", "question" or "checkin" (safety.CrisisAlert.SOURCE_CHOICES),
- `source_id`: the primary key of what was written,
- `language`: which lexicon found them ("en" or "es").

The words themselves are never sent: whoever is alerted learns where and when, not what.
safety.crisis_alerts connects the receiver that records CrisisAlert rows and emails facilitators.

`moderated`: a facilitator or staff member pinned, locked, hid or restored a topic or a post from the
topic page or the API (discussions.services), outside the moderation queue. Sent inside the write's
transaction, so the record safety keeps (a ModerationAction and an audit entry) commits or rolls back
with it. Keyword arguments:

- `moderator`: who did it,
- `action`: "hide", "restore", "pin", "unpin", "lock" or "unlock",
- `target`: the Topic or Post acted on (its `circle` and author come from it).

safety.moderation connects the receiver.
"""

import logging
from typing import Any

from django.db import transaction
from django.dispatch import Signal

from kinship.core import crisis

logger = logging.getLogger(__name__)

crisis_words = Signal()
moderated = Signal()

# Set on the writer's session by a page that saved crisis words; the next page shows the helplines
# (templates/includes/crisis_help.html) and clears it. Holds the lexicon's language.
HELP_SESSION_KEY = "crisis_help"


def alert_if_crisis(*, writer: Any, source_type: str, source_id: int, text: Any) -> crisis.CrisisSignal | None:
    """Detect crisis words in text just saved; when found, send `crisis_words` after the commit.

    Never raises and never blocks the write: the alert runs after the commit, and a failing receiver is
    logged rather than undoing what the member wrote.
    """
    found = crisis.detect(text)
    if found is None:
        return None

    def send() -> None:
        for _, error in crisis_words.send_robust(
            sender=source_type,
            writer=writer,
            source_type=source_type,
            source_id=source_id,
            language=found.language,
        ):
            if isinstance(error, Exception):
                logger.error("Crisis alert for %s %s failed", source_type, source_id, exc_info=error)

    transaction.on_commit(send)
    return found


def offer_help(request: Any, text: Any) -> bool:
    """After a page saved this text: when it suggests a crisis, the next page shows the writer helplines."""
    found = crisis.detect(text)
    if found is None:
        return False
    request.session[HELP_SESSION_KEY] = found.language
    return True
