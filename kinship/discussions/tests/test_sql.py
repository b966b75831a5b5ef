"""The topic page's hand-written reads give exactly what the ORM gives, on SQLite and PostgreSQL."""

import datetime as dt

from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from kinship.accounts.models import User
from kinship.circles.models import Circle
from kinship.core import factories
from kinship.core.testing import KinshipTestCase
from kinship.discussions import services, sql
from kinship.discussions.models import Post, Reaction, Topic, TopicRead


def _fields(instance):
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def topic_with_read_mark(topic_id, viewer_id):
    return sql.topic_and_posts(topic_id, viewer_id, key=None, backward=False, limit=1)[0]


class TopicWithReadMarkTests(KinshipTestCase):
    def setUp(self):
        self.topic = factories.make_topic(circle=self.cast.circle, author=self.cast.facilitator, replies=2)

    def test_topic_and_circle_are_the_orm_s(self):
        found = topic_with_read_mark(self.topic.pk, self.cast.member.pk)
        expected = Topic.objects.select_related("circle").get(pk=self.topic.pk)
        self.assertEqual(_fields(found), _fields(expected))
        self.assertEqual(_fields(found.circle), _fields(expected.circle))
        self.assertIsInstance(found.circle, Circle)
        self.assertFalse(found._state.adding)
        self.assertTrue(all(dt_value.tzinfo for dt_value in (found.created_at, found.last_activity_at)))

    def test_read_mark_is_the_viewer_s_own(self):
        self.assertIsNone(topic_with_read_mark(self.topic.pk, self.cast.member.pk).read_at)
        services.mark_read(member=self.cast.member, topic=self.topic)
        mark = TopicRead.objects.get(user=self.cast.member, topic=self.topic).read_at
        self.assertEqual(topic_with_read_mark(self.topic.pk, self.cast.member.pk).read_at, mark)
        self.assertIsNotNone(topic_with_read_mark(self.topic.pk, self.cast.facilitator.pk).read_at)
        self.assertIsNone(topic_with_read_mark(self.topic.pk, self.cast.outsider.pk).read_at)
        self.assertIsNone(topic_with_read_mark(self.topic.pk, None).read_at)

    def test_missing_topic_is_none(self):
        self.assertIsNone(topic_with_read_mark(987654321, self.cast.member.pk))

    def test_posts_come_with_the_topic_in_one_round_trip_on_postgresql(self):
        expected = sql.post_rows(self.topic.pk, self.cast.member.pk, key=None, backward=True, limit=2)
        with CaptureQueriesContext(connection) as queries:
            topic, rows, mine = sql.topic_and_posts(
                self.topic.pk, self.cast.member.pk, key=None, backward=True, limit=2
            )
        self.assertEqual(topic.pk, self.topic.pk)
        self.assertEqual((rows, mine), expected)
        self.assertEqual(len(queries), 1 if connection.vendor == "postgresql" else 2)

    def test_posts_of_a_missing_topic_are_none(self):
        self.assertEqual(sql.topic_and_posts(987654321, None, key=None, backward=False, limit=5), (None, [], set()))


class PostRowsTests(KinshipTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cast = cls.cast
        cls.topic = factories.make_topic(circle=cast.circle, author=cast.member, content_note="scans")
        cls.replies = factories.make_replies(cls.topic, count=12)
        User.objects.filter(pk=cls.replies[0].author_id).update(avatar="avatars/a.png")
        services.edit_post(editor=cast.member, post=cls.topic.posts.get(is_opening=True), changes={"body": "New"})
        services.delete_post(actor=cast.facilitator, post=cls.replies[1])
        services.hide_post(moderator=cast.facilitator, post=cls.replies[2], hidden=True)
        Post.objects.filter(pk=cls.replies[3].pk).update(anonymous=True)
        for kind in Reaction.KINDS:
            services.react(member=cast.member, post=cls.replies[4], kind=kind)
        services.react(member=cast.member, post=cls.replies[5], kind="me_too")
        services.react(member=cast.facilitator, post=cls.replies[5], kind="strength")
        services.react(member=cast.facilitator, post=cls.replies[6], kind="celebrate")
        # Two posts at the same moment: the id decides their order, as in core.pagination.
        same = Post.objects.get(pk=cls.replies[7].pk).created_at
        Post.objects.filter(pk=cls.replies[8].pk).update(created_at=same)

    def orm_rows(self, *, descending=False):
        order = ["-created_at", "-id"] if descending else ["created_at", "id"]
        return [
            sql.PostRow(**values)
            for values in Post.objects.filter(topic=self.topic)
            .annotate(author_name=F("author__display_name"), author_avatar=F("author__avatar"))
            .order_by(*order)
            .values(*sql.PostRow._fields)
        ]

    def mine(self, user, rows):
        return set(Reaction.objects.filter(user=user, post__in=[r.id for r in rows]).values_list("post_id", "kind"))

    def test_every_row_and_the_viewer_s_reactions_match_the_orm(self):
        expected = self.orm_rows()
        for viewer in (self.cast.member, self.cast.facilitator, self.cast.outsider):
            rows, mine = sql.post_rows(self.topic.pk, viewer.pk, key=None, backward=False, limit=100)
            self.assertEqual(rows, expected)
            self.assertEqual(mine, self.mine(viewer, rows))
        rows, mine = sql.post_rows(self.topic.pk, self.cast.member.pk, key=None, backward=False, limit=100)
        self.assertEqual(len(mine), 4)
        self.assertTrue(all(r.created_at.tzinfo for r in rows))
        self.assertEqual(sql.post_rows(self.topic.pk, None, key=None, backward=False, limit=100)[1], set())

    def test_pages_forward_and_backward_from_every_key(self):
        forward, backward = self.orm_rows(), self.orm_rows(descending=True)
        for i, row in enumerate(forward):
            key = (row.created_at, row.id)
            rows, _ = sql.post_rows(self.topic.pk, self.cast.member.pk, key=key, backward=False, limit=3)
            self.assertEqual(rows, forward[i + 1 : i + 4])
        for i, row in enumerate(backward):
            key = (row.created_at, row.id)
            rows, _ = sql.post_rows(self.topic.pk, self.cast.member.pk, key=key, backward=True, limit=3)
            self.assertEqual(rows, backward[i + 1 : i + 4])
        rows, _ = sql.post_rows(self.topic.pk, self.cast.member.pk, key=None, backward=True, limit=5)
        self.assertEqual(rows, backward[:5])

    def test_a_key_in_another_time_zone_means_the_same_moment(self):
        forward = self.orm_rows()
        row = forward[5]
        elsewhere = row.created_at.astimezone(dt.timezone(dt.timedelta(hours=-7)))
        rows, _ = sql.post_rows(self.topic.pk, self.cast.member.pk, key=(elsewhere, row.id), backward=False, limit=2)
        self.assertEqual(rows, forward[6:8])

    def test_another_topic_s_posts_never_appear(self):
        factories.make_topic(circle=self.cast.circle, author=self.cast.member, replies=3)
        rows, _ = sql.post_rows(self.topic.pk, self.cast.member.pk, key=None, backward=False, limit=100)
        self.assertEqual(rows, self.orm_rows())
