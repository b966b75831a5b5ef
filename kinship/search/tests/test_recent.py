"""PostgreSQL's index of the newest replies: the triggers follow every write, the trim keeps it to its
window, and a word with many matches, few of them recent, is ranked from the newest ones first."""

import unittest
from unittest import mock

from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import TransactionTestCase

from kinship.circles.models import Circle
from kinship.core import factories
from kinship.core.testing import KinshipTestCase
from kinship.discussions import services as discussions
from kinship.discussions.models import Post
from kinship.search import backends, schema, tasks
from kinship.search.tests.support import found

postgres_only = unittest.skipUnless(connection.vendor == "postgresql", "PostgreSQL keeps the recent replies' index")


def recent() -> dict[int, str]:
    """The recent index's rows: reply id → its vector as text."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, search_vector::text FROM search_recent_reply")
        return dict(cursor.fetchall())


def row_version(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT ctid::text FROM search_recent_reply WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


@postgres_only
class TriggerTests(KinshipTestCase):
    def setUp(self):
        self.topic = factories.make_topic(circle=self.cast.circle, author=self.cast.member, body="Opening words")

    def test_every_new_post_is_added_with_its_vector(self):
        [reply] = factories.make_replies(self.topic, count=1, author=self.cast.member, body="Hydrotherapy")
        rows = recent()
        self.assertEqual(set(rows), set(Post.objects.values_list("pk", flat=True)))
        self.assertIn("'hydrotherapi'", rows[reply.pk])

    def test_a_bulk_insert_is_followed(self):
        posts = Post.objects.bulk_create(
            Post(topic=self.topic, author=self.cast.member, body=f"Bulk words {i}") for i in range(5)
        )
        self.assertLessEqual({p.pk for p in posts}, set(recent()))

    def test_an_edit_replaces_the_vector_and_other_changes_leave_it(self):
        [reply] = factories.make_replies(self.topic, count=1, author=self.cast.member, body="Crutches")
        version = row_version(reply.pk)
        discussions.react(member=self.cast.facilitator, post=reply, kind="strength")
        Post.objects.filter(pk=reply.pk).update(hidden=True)
        # A reaction count or a hidden flag is not the searched text: the row is not rewritten.
        self.assertEqual(row_version(reply.pk), version)
        Post.objects.filter(pk=reply.pk).update(body="Wheelchair")
        self.assertNotIn("'crutch'", recent()[reply.pk])
        self.assertIn("'wheelchair'", recent()[reply.pk])

    def test_deleted_rows_leave(self):
        replies = factories.make_replies(self.topic, count=3, author=self.cast.member)
        Post.objects.filter(pk__in=[p.pk for p in replies[:2]]).delete()
        rows = recent()
        self.assertNotIn(replies[0].pk, rows)
        self.assertNotIn(replies[1].pk, rows)
        self.assertIn(replies[2].pk, rows)

    def test_the_trim_keeps_the_window(self):
        replies = factories.make_replies(self.topic, count=6, author=self.cast.member)
        before = len(recent())
        self.assertEqual(schema.fit_recent(connection, keep=3), (before - 3, 0))
        self.assertEqual(set(recent()), {p.pk for p in replies[-3:]})
        # Nothing more to take out.
        self.assertEqual(schema.fit_recent(connection, keep=3), (0, 0))

    def test_the_sweep_fits_the_window_and_its_margin_and_is_scheduled(self):
        from kinship.events.management.commands.run_scheduler import SWEEPS

        self.assertIn(tasks.fit_recent_replies, SWEEPS)
        replies = factories.make_replies(self.topic, count=3, author=self.cast.member)
        before = len(recent())
        with mock.patch.object(schema, "RECENT_WINDOW", 1), mock.patch.object(schema, "RECENT_MARGIN", 1):
            self.assertEqual(tasks.fit_recent_replies.call(), [before - 2, 0])
        self.assertEqual(set(recent()), {replies[-2].pk, replies[-1].pk})


@unittest.skipUnless(connection.vendor == "sqlite", "SQLite has no recent index")
class SqliteTests(KinshipTestCase):
    def test_nothing_to_fit(self):
        self.assertEqual(tasks.fit_recent_replies.call(), [0, 0])


@postgres_only
class TruncateTests(TransactionTestCase):
    def test_a_truncated_table_empties_the_index(self):
        cast_topic = factories.make_topic()
        factories.make_replies(cast_topic, count=2)
        self.assertTrue(recent())
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE discussions_post CASCADE")
        self.assertEqual(recent(), {})


@postgres_only
class MigrationTests(TransactionTestCase):
    def test_reapplying_fills_the_index_from_existing_replies(self):
        circle = factories.make_circle()
        member = factories.make_member(circle)
        topic = factories.make_topic(circle=circle, author=member)
        [reply] = factories.make_replies(topic, count=1, author=member, body="Osteotomy")
        try:
            call_command("migrate", "search", "0001", verbosity=0)
            with connection.cursor() as cursor:
                cursor.execute("SELECT to_regclass('search_recent_reply')")
                self.assertIsNone(cursor.fetchone()[0])
            # Written while the recent index was away, and edited too.
            [later] = factories.make_replies(topic, count=1, author=member, body="Allograft")
            Post.objects.filter(pk=reply.pk).update(body="Osteotomy and plate")
        finally:
            call_command("migrate", "search", verbosity=0)
        rows = recent()
        self.assertIn("'plate'", rows[reply.pk])
        self.assertIn(later.pk, rows)
        self.assertEqual(found(member, "allograft", type="reply"), {("reply", later.pk)})


class NewestFirstTests(KinshipTestCase):
    """Many matches, few of them among the newest rows: those are ranked, older ones fill up to CANDIDATES.

    Same answer on both databases: SQLite reads a word's newest rows first by itself."""

    def setUp(self):
        cache.clear()
        self.topic = factories.make_topic(circle=self.cast.circle, author=self.cast.member, title="Cast care")
        private = factories.make_circle(visibility=Circle.PRIVATE)
        self.insider = factories.make_member(private)
        self.secret = factories.make_topic(circle=private, author=self.insider, title="Secret", body="Elsewhere")

    def replies(self, count: int, body: str, secret: bool = False) -> list[int]:
        topic, author = (self.secret, self.insider) if secret else (self.topic, self.cast.member)
        return [p.pk for p in factories.make_replies(topic, count=count, author=author, body=body)]

    def search(self, user=None) -> set[int]:
        return {pk for _, pk in found(user or self.cast.outsider, "quince", type="reply", limit=100)}

    def test_a_word_sparse_in_the_window_ranks_its_newest_visible_matches(self):
        oldest = self.replies(4, "Quince jelly")
        self.replies(6, "Filler")
        window = self.replies(3, "Quince tart")
        self.replies(3, "Filler")
        hidden = self.replies(1, "Quince hidden")
        Post.objects.filter(pk__in=hidden).update(hidden=True)
        secret = self.replies(1, "Quince secret", secret=True)
        # Nine matches in all (more than PROBE); five in the newest eight rows, three of them visible to all.
        with (
            mock.patch.object(backends, "PROBE", 5),
            mock.patch.object(backends, "CANDIDATES", 5),
            mock.patch.object(backends, "WINDOW", 8),
        ):
            # The window's three, then two older ones (of a sample, here all of them) to make five.
            self.assertEqual(self.search(), set(window) | set(oldest[-2:]))
            self.assertIn(secret[0], self.search(self.insider))
            self.assertNotIn(hidden[0], self.search(self.insider))

    def test_the_newest_visible_matches_come_first(self):
        oldest = self.replies(3, "Quince jelly")
        window = self.replies(4, "Quince tart")
        with (
            mock.patch.object(backends, "PROBE", 5),
            mock.patch.object(backends, "CANDIDATES", 3),
            mock.patch.object(backends, "WINDOW", 4),
        ):
            self.assertEqual(self.search(), set(window[-3:]))
        self.assertEqual(self.search(), set(oldest) | set(window))


@postgres_only
class WindowTests(KinshipTestCase):
    """The probe reads the recent index, and the sweep keeps it whole when the newest replies go."""

    def setUp(self):
        cache.clear()
        topic = factories.make_topic(circle=self.cast.circle, author=self.cast.member, title="Jam")
        self.replies = [p.pk for p in factories.make_replies(topic, count=10, author=self.cast.member, body="Quince")]
        self.small = (
            mock.patch.object(backends, "PROBE", 100),
            mock.patch.object(backends, "CANDIDATES", 3),
            mock.patch.object(backends, "WINDOW", 4),
        )

    def search(self) -> set[int]:
        with self.small[0], self.small[1], self.small[2]:
            return {pk for _, pk in found(self.cast.outsider, "quince", type="reply")}

    def test_the_window_is_read_from_the_recent_index(self):
        self.assertEqual(self.search(), set(self.replies[-3:]))
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_recent_reply WHERE id = %s", [self.replies[-1]])
        # Not in the recent index, inside the window: not found (the older sample starts below it).
        self.assertEqual(self.search(), set(self.replies[-4:-1]))

    def test_deleting_the_newest_replies_leaves_no_hole(self):
        # The window is the newest 4 ids; kept without a margin, the sweep left the newest 4 only.
        self.assertEqual(schema.fit_recent(connection, keep=4)[1], 0)
        Post.objects.filter(pk__in=self.replies[-2:]).delete()
        # The window moved down to two ids the index no longer has...
        self.assertEqual(self.search(), {self.replies[-3], self.replies[-4], self.replies[-7]})
        # ...until the sweep puts them back.
        self.assertEqual(schema.fit_recent(connection, keep=4), (0, 2))
        self.assertEqual(self.search(), set(self.replies[-5:-2]))

    def test_the_margin_covers_deletions_between_two_sweeps(self):
        schema.fit_recent(connection, keep=6)
        Post.objects.filter(pk__in=self.replies[-2:]).delete()
        self.assertEqual(self.search(), set(self.replies[-5:-2]))

    def test_a_copy_behind_an_edit_finds_nothing_the_reply_no_longer_says(self):
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE search_recent_reply SET search_vector = to_tsvector('english', 'medlar') WHERE id = %s",
                [self.replies[-1]],
            )
        self.assertEqual(found(self.cast.outsider, "medlar", type="reply"), set())
