"""The circle page's reads: the circle with the viewer's membership in one statement (answering as the
circle rules do), and the topic list in another (discussions.queries.topic_list_rows), which gives what
the ORM's topic_list gives, page by page, to every viewer, and costs the same however deep the page."""

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import Http404
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kinship.circles import access
from kinship.circles import queries as circle_queries
from kinship.circles.models import Circle, Membership
from kinship.core import factories
from kinship.core.testing import KinshipTestCase, make_cast
from kinship.discussions import queries, services
from kinship.discussions.models import Topic


def as_listed(user, circle, topic):
    """What the circle page shows of a topic from the ORM's topic_list, in ListedTopic's terms."""
    opening = topic.opening
    return {
        "id": topic.pk,
        "url": topic.get_absolute_url(),
        "title": topic.title,
        "pinned": topic.pinned,
        "locked": topic.locked,
        "hidden": topic.hidden,
        "is_celebration": topic.is_celebration,
        "reply_count": topic.reply_count,
        "last_activity_at": topic.last_activity_at,
        "unread": topic.unread,
        "shown_author": opening.shown_author.display_name if opening and opening.shown_author else None,
        "hidden_author": opening.hidden_author.display_name if opening and opening.hidden_author else None,
        "content_note": opening.content_note if opening else "",
    }


def forget(user):
    # Each request starts with a fresh user object; so does each read here.
    for name in ("_kinship_memberships", "_kinship_membership_in"):
        if hasattr(user, name):
            delattr(user, name)


# One member opens many topics here; the hourly posting pace is not what these tests are about.
@override_settings(TOPICS_PER_HOUR=0)
class TopicListRowsTests(KinshipTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        circle, member, facilitator = cls.cast.circle, cls.cast.member, cls.cast.facilitator
        cls.topics = []
        for i in range(27):
            author = member if i % 3 else facilitator
            cls.topics.append(
                factories.make_topic(
                    circle=circle,
                    author=author,
                    title=f"Topic {i} <b>bold</b>",
                    anonymous=i % 4 == 0,
                    content_note="Scans" if i % 5 == 0 else "",
                )
            )
        Topic.objects.filter(pk=cls.topics[3].pk).update(pinned=True, locked=True)
        Topic.objects.filter(pk=cls.topics[5].pk).update(hidden=True)
        Topic.objects.filter(pk=cls.topics[6].pk).update(deleted_at=timezone.now())
        Topic.objects.filter(pk=cls.topics[7].pk).update(is_celebration=True)
        # The same last activity for two topics: the id decides their order, on both sides of a page break.
        same = cls.topics[10].last_activity_at
        Topic.objects.filter(pk__in=[cls.topics[11].pk, cls.topics[12].pk]).update(last_activity_at=same)
        services.mark_read(member=member, topic=Topic.objects.get(pk=cls.topics[8].pk))

    def pages(self, read, user, limit):
        found, cursor = [], None
        for _ in range(40):
            forget(user)
            page = read(user, self.cast.circle, cursor=cursor, limit=limit)
            found.append(page)
            cursor = page.next
            if cursor is None:
                return found
        raise AssertionError("the pages never ended")

    def test_every_page_is_the_orm_s_for_every_viewer(self):
        cast = self.cast
        for user in (cast.member, cast.facilitator, cast.staff, cast.outsider, cast.unverified):
            for limit in (20, 7, 1):
                expected = self.pages(queries.topic_list, user, limit)
                found = self.pages(queries.topic_list_rows, user, limit)
                self.assertEqual([p.next for p in found], [p.next for p in expected], (user, limit))
                self.assertEqual(
                    [[vars(t) for t in p.items] for p in found],
                    [[as_listed(user, cast.circle, t) for t in p.items] for p in expected],
                    (user, limit),
                )

    def test_members_never_learn_who_wrote_anonymously_and_facilitators_do(self):
        anonymous = self.topics[4]
        by_id = {t.id: t for p in self.pages(queries.topic_list_rows, self.cast.member, 20) for t in p.items}
        self.assertIsNone(by_id[anonymous.pk].shown_author)
        self.assertIsNone(by_id[anonymous.pk].hidden_author)
        by_id = {t.id: t for p in self.pages(queries.topic_list_rows, self.cast.facilitator, 20) for t in p.items}
        self.assertIsNone(by_id[anonymous.pk].shown_author)
        self.assertEqual(by_id[anonymous.pk].hidden_author, self.cast.member.display_name)

    def test_hidden_topics_only_for_moderators_and_deleted_for_nobody(self):
        hidden, deleted = self.topics[5].pk, self.topics[6].pk
        for user, sees_hidden in ((self.cast.member, False), (self.cast.facilitator, True), (self.cast.staff, True)):
            ids = {t.id for p in self.pages(queries.topic_list_rows, user, 20) for t in p.items}
            self.assertEqual(hidden in ids, sees_hidden, user)
            self.assertNotIn(deleted, ids)

    def test_the_page_shows_the_rows_escaped(self):
        self.client.force_login(self.cast.member)
        response = self.client.get(self.cast.circle.get_absolute_url())
        self.assertContains(response, "Topic 26 &lt;b&gt;bold&lt;/b&gt;")
        self.assertNotContains(response, "<b>bold</b>")
        self.assertContains(response, '<span class="badge unread">New</span>')
        self.assertContains(response, "Content note: Scans")

    def test_an_older_page_costs_the_queries_of_the_first(self):
        self.client.force_login(self.cast.member)
        with CaptureQueriesContext(connection) as first:
            response = self.client.get(self.cast.circle.get_absolute_url())
        with CaptureQueriesContext(connection) as older:
            self.client.get(self.cast.circle.get_absolute_url(), {"cursor": response.context["page"].next})
        self.assertEqual(len(older), len(first))


class EmptyCircleTests(KinshipTestCase):
    def test_a_circle_without_topics_says_so(self):
        cast = make_cast(visibility=Circle.PRIVATE)
        self.client.force_login(cast.member)
        response = self.client.get(cast.circle.get_absolute_url())
        self.assertContains(response, "No topics yet. Be the first to start one.")
        self.assertIsNone(response.context["page"].next)


class CircleForPageTests(TestCase):
    """circle_for_page answers 404 exactly when access.get_circle_for does, and leaves the membership it read."""

    def test_every_viewer_of_every_kind_of_circle(self):
        for visibility in (Circle.PUBLIC, Circle.PRIVATE, Circle.HIDDEN):
            cast = make_cast(visibility=visibility)
            removed = factories.make_member(cast.circle)
            Membership.objects.filter(user=removed, circle=cast.circle).update(status=Membership.REMOVED)
            staff_without_two_step = factories.make_user(is_staff=True, two_factor=False)
            viewers = [
                cast.member, cast.facilitator, cast.staff, cast.outsider, cast.pending, cast.unverified,
                removed, staff_without_two_step, AnonymousUser(),
            ]  # fmt: skip
            for user in viewers:
                forget(user)
                try:
                    expected = access.get_circle_for(user, cast.circle.slug)
                except Http404:
                    expected = None
                expected_membership = access.membership(user, expected) if expected else None
                forget(user)
                try:
                    found = circle_queries.circle_for_page(user, cast.circle.slug)
                except Http404:
                    found = None
                self.assertEqual(found, expected, (visibility, user))
                if found is not None:
                    self.assertEqual(vars_of(found), vars_of(expected))
                    self.assertEqual(vars_of(access.membership(user, found)), vars_of(expected_membership))

    def test_missing_and_odd_slugs_are_404(self):
        cast = make_cast()
        for slug in ("no-such-circle", "", "a\x00b", cast.circle.slug.upper()):
            with self.assertRaises(Http404, msg=slug):
                circle_queries.circle_for_page(cast.member, slug)

    def test_the_page_reads_four_times_however_many_circles_and_members(self):
        cast = make_cast(visibility=Circle.PRIVATE)
        factories.make_topic(circle=cast.circle, author=cast.member, replies=2)
        self.client.force_login(cast.member)
        # Session, user, the circle with the member's membership, a page of topics.
        with self.assertNumQueries(4):
            self.client.get(cast.circle.get_absolute_url())
        for _ in range(5):
            factories.add_member(factories.make_circle(), cast.member)
            factories.make_member(cast.circle)
        with self.assertNumQueries(4):
            self.client.get(cast.circle.get_absolute_url())


def vars_of(instance):
    if instance is None:
        return None
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}
