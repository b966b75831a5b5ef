import os
import queue
import threading
import uuid

import pytest
import redis
from django.test import SimpleTestCase, TestCase, override_settings

from kinship.core import live

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/7")


def redis_or_skip() -> str:
    """The real Redis server; CI must have it, a developer's machine may not."""
    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            raise
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    return REDIS_TEST_URL


def unique_channel() -> str:
    # Test runs may share one Redis server: never listen on another run's channel.
    return f"test.{uuid.uuid4().hex}"


class HubTests(SimpleTestCase):
    def test_each_listener_of_a_channel_gets_each_message_and_other_channels_nothing(self) -> None:
        hub = live.Hub()
        with hub.listen("a") as first, hub.listen("a") as second, hub.listen("b") as other:
            hub.deliver("a", {"version": 1})
            self.assertEqual(first.get_nowait(), {"version": 1})
            self.assertEqual(second.get_nowait(), {"version": 1})
            self.assertTrue(other.empty())
            self.assertEqual(hub.listener_count("a"), 2)
        self.assertEqual(hub.listener_count("a"), 0)
        hub.deliver("a", {"version": 2})  # nobody listening: dropped, no error

    def test_a_slow_listener_loses_old_messages_instead_of_blocking_the_sender(self) -> None:
        hub = live.Hub()
        with hub.listen("a") as inbox:
            for n in range(live.QUEUE_SIZE + 10):
                hub.deliver("a", {"version": n})
            self.assertEqual(inbox.qsize(), live.QUEUE_SIZE)

    @override_settings(REDIS_URL="")
    def test_without_redis_send_reaches_this_process(self) -> None:
        channel = unique_channel()
        with live.listen(channel) as inbox:
            live.send(channel, {"version": 3})
            self.assertEqual(inbox.get(timeout=1), {"version": 3})


class OnCommitTests(TestCase):
    @override_settings(REDIS_URL="")
    def test_publish_waits_for_the_commit_and_a_rollback_sends_nothing(self) -> None:
        channel = unique_channel()
        with live.listen(channel) as inbox:
            with self.captureOnCommitCallbacks(execute=True):
                live.publish(channel, {"version": 1})
                self.assertTrue(inbox.empty())
            self.assertEqual(inbox.get(timeout=1), {"version": 1})
            with self.captureOnCommitCallbacks(execute=False) as callbacks:
                live.publish(channel, {"version": 2})
            self.assertEqual(len(callbacks), 1)
            self.assertTrue(inbox.empty())


class RedisRelayTests(SimpleTestCase):
    def test_a_message_sent_through_redis_reaches_a_listener(self) -> None:
        url = redis_or_skip()
        channel = unique_channel()
        with override_settings(REDIS_URL=url), live.listen(channel) as inbox:
            live.send(channel, {"version": 9})
            self.assertEqual(inbox.get(timeout=3), {"version": 9})

    def test_a_message_published_by_another_redis_client_arrives(self) -> None:
        # What another app server process does: publish on the shared server.
        url = redis_or_skip()
        channel = unique_channel()
        with override_settings(REDIS_URL=url), live.listen(channel) as inbox:
            redis.Redis.from_url(url).publish(live.PREFIX + channel, '{"version": 4}')
            self.assertEqual(inbox.get(timeout=3), {"version": 4})
            redis.Redis.from_url(url).publish(live.PREFIX + channel, "not json")
            redis.Redis.from_url(url).publish(live.PREFIX + channel, "[1, 2]")
            with self.assertRaises(queue.Empty):
                inbox.get(timeout=0.3)

    def test_redis_down_falls_back_to_this_process(self) -> None:
        channel = unique_channel()
        relay = live.RedisRelay("redis://127.0.0.1:1/0", live.hub)
        with live.hub.listen(channel) as inbox:
            with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
                live._relay = relay
                try:
                    with self.assertLogs("kinship.core.live", "WARNING"):
                        live.send(channel, {"version": 5})
                finally:
                    live._relay = None
            self.assertEqual(inbox.get(timeout=1), {"version": 5})

    def test_many_threads_listen_at_once(self) -> None:
        url = redis_or_skip()
        channel = unique_channel()
        received: list[dict[str, int]] = []
        ready = threading.Barrier(6)

        def listener() -> None:
            with live.listen(channel) as inbox:
                ready.wait(timeout=5)
                received.append(inbox.get(timeout=3))

        with override_settings(REDIS_URL=url):
            threads = [threading.Thread(target=listener) for _ in range(5)]
            for thread in threads:
                thread.start()
            ready.wait(timeout=5)
            live.send(channel, {"version": 1})
            for thread in threads:
                thread.join(timeout=5)
        self.assertEqual(received, [{"version": 1}] * 5)
