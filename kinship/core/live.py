"""Live updates: a hub in each process, fed through Redis pub/sub when REDIS_URL is set.

A message says only that something changed (a channel name and a version number), never
what: each page fetches what it may see through the ordinary views, so nothing private
travels on a channel that many people listen to.
"""

import contextlib
import json
import logging
import queue
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

PREFIX = "kinship:live:"
# A reader that falls this far behind only needs the latest version; the oldest are dropped.
QUEUE_SIZE = 50


class Hub:
    """Channel name → the queues of this process's listeners."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: dict[str, set[queue.Queue[dict[str, Any]]]] = {}

    def deliver(self, channel: str, message: dict[str, Any]) -> None:
        # Under the lock, so only readers (who only take) act on a queue between making room and putting.
        with self._lock:
            for target in self._listeners.get(channel, ()):
                try:
                    target.put_nowait(message)
                except queue.Full:
                    # A reader this far behind needs the newest version, not the oldest it has not read.
                    with contextlib.suppress(queue.Empty):
                        target.get_nowait()
                    target.put_nowait(message)

    @contextmanager
    def listen(self, channel: str) -> Iterator[queue.Queue[dict[str, Any]]]:
        inbox: queue.Queue[dict[str, Any]] = queue.Queue(maxsize=QUEUE_SIZE)
        with self._lock:
            self._listeners.setdefault(channel, set()).add(inbox)
        try:
            yield inbox
        finally:
            with self._lock:
                listeners = self._listeners.get(channel, set())
                listeners.discard(inbox)
                if not listeners:
                    self._listeners.pop(channel, None)

    def listener_count(self, channel: str) -> int:
        with self._lock:
            return len(self._listeners.get(channel, ()))


class RedisRelay:
    """One pattern subscription per process; its thread hands each message to the local hub."""

    def __init__(self, url: str, hub: Hub) -> None:
        self.url = url
        self.hub = hub
        self._client: redis.Redis | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._subscribed = threading.Event()

    @property
    def client(self) -> redis.Redis:
        if self._client is None:
            self._client = redis.Redis.from_url(self.url, socket_connect_timeout=2, socket_timeout=2)
        return self._client

    def publish(self, channel: str, message: dict[str, Any]) -> None:
        self.client.publish(PREFIX + channel, json.dumps(message))

    def start(self) -> None:
        """Start listening in this process (after a fork too) and wait until the subscription holds."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._subscribed.clear()
                self._thread = threading.Thread(target=self._run, name="kinship-live-relay", daemon=True)
                self._thread.start()
        self._subscribed.wait(timeout=3)

    def _run(self) -> None:
        while True:
            try:
                # Its own connection without a read timeout: a quiet channel is not an error.
                listener = redis.Redis.from_url(self.url, socket_connect_timeout=2)
                pubsub = listener.pubsub()
                pubsub.psubscribe(PREFIX + "*")
                for raw in pubsub.listen():
                    if raw["type"] == "psubscribe":
                        self._subscribed.set()
                    elif raw["type"] == "pmessage":
                        self._relay(raw["channel"], raw["data"])
            except redis.RedisError:
                self._subscribed.clear()
                logger.warning("Live updates: lost the Redis subscription; retrying in a second.", exc_info=True)
                time.sleep(1)

    def _relay(self, channel: bytes, data: bytes) -> None:
        try:
            message = json.loads(data)
        except ValueError:
            return
        if isinstance(message, dict):
            self.hub.deliver(channel.decode("utf-8", "replace")[len(PREFIX) :], message)


hub = Hub()
_relay: RedisRelay | None = None
_relay_lock = threading.Lock()


def relay() -> RedisRelay | None:
    global _relay
    if not settings.REDIS_URL:
        return None
    with _relay_lock:
        if _relay is None or _relay.url != settings.REDIS_URL:
            _relay = RedisRelay(settings.REDIS_URL, hub)
        return _relay


def send(channel: str, message: dict[str, Any]) -> None:
    """Deliver now: through Redis to every process, or to this process only without it."""
    through = relay()
    if through is None:
        hub.deliver(channel, message)
        return
    try:
        through.publish(channel, message)
    except redis.RedisError:
        # Pages still poll, so a lost message costs a second or two, never the update itself.
        logger.warning("Live updates: Redis publish failed; delivering in this process only.", exc_info=True)
        hub.deliver(channel, message)


def publish(channel: str, message: dict[str, Any]) -> None:
    """Deliver once the surrounding transaction commits, so a listener never sees news it cannot read yet."""
    transaction.on_commit(lambda: send(channel, message))


@contextmanager
def listen(channel: str) -> Iterator[queue.Queue[dict[str, Any]]]:
    through = relay()
    if through is not None:
        through.start()
    with hub.listen(channel) as inbox:
        yield inbox
