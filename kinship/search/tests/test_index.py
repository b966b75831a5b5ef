"""The index follows every write, whichever code path makes it: services, save(), QuerySet.update, delete."""

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.utils import timezone

from kinship.core import factories
from kinship.core.testing import KinshipTestCase
from kinship.discussions import services as discussions
from kinship.discussions.models import Post, Topic
from kinship.events import services as events
from kinship.library.models import Material, Resource, Tip
from kinship.qa import services as qa
from kinship.qa.models import Question
from kinship.search.tests.support import found, make_material, make_resource, make_tip


class DiscussionIndexTests(KinshipTestCase):
    def setUp(self):
        self.member = self.cast.member
        self.topic = factories.make_topic(
            circle=self.cast.circle, author=self.member, title="Walking with a limp", body="Opening about crutches"
        )
        self.reply = factories.make_replies(self.topic, count=1, author=self.member, body="Try a pedometer")[0]

    def test_a_new_topic_and_reply_are_found_at_once(self):
        self.assertIn(("topic", self.topic.pk), found(self.member, "limp"))
        self.assertIn(("reply", self.reply.pk), found(self.member, "pedometer"))

    def test_an_edit_replaces_the_old_words(self):
        discussions.edit_post(editor=self.member, post=self.reply, changes={"body": "Try a metronome instead"})
        self.assertEqual(found(self.member, "pedometer"), set())
        self.assertEqual(found(self.member, "metronome"), {("reply", self.reply.pk)})

    def test_a_title_edit_replaces_the_old_words(self):
        opening = Post.objects.get(topic=self.topic, is_opening=True)
        discussions.edit_post(editor=self.member, post=opening, changes={"title": "Walking with a cane"})
        self.assertEqual(found(self.member, "limp"), set())
        self.assertEqual(found(self.member, "cane", type="topic"), {("topic", self.topic.pk)})

    def test_queryset_update_is_followed(self):
        Post.objects.filter(pk=self.reply.pk).update(body="Rewritten about kayaking")
        Topic.objects.filter(pk=self.topic.pk).update(title="Kayaking after surgery")
        self.assertEqual(found(self.member, "pedometer"), set())
        self.assertEqual(found(self.member, "kayaking"), {("reply", self.reply.pk), ("topic", self.topic.pk)})

    def test_a_reaction_leaves_the_entry_as_it_was(self):
        discussions.react(member=self.cast.facilitator, post=self.reply, kind="strength")
        self.assertEqual(found(self.member, "pedometer"), {("reply", self.reply.pk)})

    def test_hiding_removes_at_once_and_unhiding_brings_back(self):
        discussions.hide_post(moderator=self.cast.facilitator, post=self.reply, hidden=True)
        self.assertEqual(found(self.member, "pedometer"), set())
        self.assertEqual(found(self.cast.facilitator, "pedometer"), set())
        discussions.hide_post(moderator=self.cast.facilitator, post=self.reply, hidden=False)
        self.assertEqual(found(self.member, "pedometer"), {("reply", self.reply.pk)})

    def test_hiding_the_topic_removes_it_and_its_posts(self):
        discussions.moderate_topic(moderator=self.cast.facilitator, topic=self.topic, changes={"hidden": True})
        self.assertEqual(found(self.member, "limp or crutches or pedometer"), set())

    def test_deleting_removes_at_once(self):
        discussions.delete_post(actor=self.member, post=self.reply)
        self.assertEqual(found(self.member, "pedometer"), set())
        discussions.delete_post(actor=self.member, post=Post.objects.get(topic=self.topic, is_opening=True))
        self.assertEqual(found(self.member, "limp or crutches"), set())

    def test_rows_deleted_from_the_database_leave_the_index(self):
        Topic.objects.filter(pk=self.topic.pk).delete()
        self.assertEqual(found(self.cast.staff, "limp or crutches or pedometer"), set())
        # A new row that reuses nothing still indexes normally after the deletions.
        topic = factories.make_topic(circle=self.cast.circle, author=self.member, title="Pedometer counts")
        self.assertEqual(found(self.member, "pedometer"), {("topic", topic.pk)})


class OtherSourcesIndexTests(KinshipTestCase):
    def test_tips_follow_edits_hiding_and_deletion(self):
        tip = make_tip(author=self.cast.member, body="Freeze a water bottle for the ankle")
        self.assertEqual(found(self.cast.member, "bottle"), {("tip", tip.pk)})
        tip.body = "Warm a wheat bag for the ankle"
        tip.save()
        self.assertEqual(found(self.cast.member, "bottle"), set())
        self.assertEqual(found(self.cast.member, "wheat"), {("tip", tip.pk)})
        Tip.objects.filter(pk=tip.pk).update(hidden=True)
        self.assertEqual(found(self.cast.member, "wheat"), set())
        Tip.objects.filter(pk=tip.pk).update(hidden=False, deleted_at=timezone.now())
        self.assertEqual(found(self.cast.member, "wheat"), set())
        Tip.objects.filter(pk=tip.pk).delete()
        self.assertEqual(found(self.cast.staff, "wheat"), set())

    def test_tips_are_for_signed_in_people(self):
        tip = make_tip(author=self.cast.member, body="Keep a pillow between the knees")
        self.assertEqual(found(AnonymousUser(), "pillow"), set())
        self.assertEqual(found(self.cast.outsider, "pillow"), {("tip", tip.pk)})

    def test_resources_by_name_description_eligibility_and_region(self):
        resource = make_resource(
            name="Sarcoma Support Line",
            description="Talk to a nurse specialist.",
            eligibility="Anyone affected by sarcoma",
            region="Yorkshire",
        )
        for q in ("sarcoma", "nurse", "affected", "yorkshire", '"support line"'):
            with self.subTest(q=q):
                self.assertEqual(found(AnonymousUser(), q), {("resource", resource.pk)})
        Resource.objects.filter(pk=resource.pk).update(active=False)
        self.assertEqual(found(AnonymousUser(), "sarcoma"), set())
        self.assertEqual(found(self.cast.staff, "sarcoma"), set())

    def test_materials_by_title_description_and_source(self):
        material = make_material(title="Exercises after knee replacement", description="Gentle", source="Ortho Trust")
        for q in ("exercise", "gentle", "ortho"):
            with self.subTest(q=q):
                self.assertEqual(found(AnonymousUser(), q), {("material", material.pk)})
        Material.objects.filter(pk=material.pk).update(published=False)
        self.assertEqual(found(AnonymousUser(), "exercise"), set())

    def test_events_follow_edits(self):
        event = factories.make_event(
            circle=self.cast.circle, facilitator=self.cast.facilitator, title="Picnic", description="In the park"
        )
        self.assertEqual(found(AnonymousUser(), "picnic"), {("event", event.pk)})
        events.update_event(actor=self.cast.facilitator, event=event, changes={"title": "Barbecue"})
        self.assertEqual(found(AnonymousUser(), "picnic"), set())
        self.assertEqual(found(AnonymousUser(), "barbecue park"), {("event", event.pk)})

    def test_questions_are_found_once_answered_by_question_or_answer(self):
        event = factories.make_event(circle=self.cast.circle, facilitator=self.cast.facilitator)
        question = qa.ask(author=self.cast.member, event=event, body="Does swimming help the scar?")
        self.assertEqual(found(self.cast.member, "swimming"), set())
        qa.answer(answerer=self.cast.facilitator, question=question, body="Once it has healed, gently.")
        self.assertEqual(found(self.cast.member, "swimming"), {("question", question.pk)})
        self.assertEqual(found(self.cast.member, "healed"), {("question", question.pk)})
        self.assertEqual(found(AnonymousUser(), "swimming"), set())
        Question.objects.filter(pk=question.pk).update(answer="Ask the physiotherapist")
        self.assertEqual(found(self.cast.member, "healed"), set())
        self.assertEqual(found(self.cast.member, "physiotherapist"), {("question", question.pk)})


class CommonWordTests(KinshipTestCase):
    """Past PROBE matches the newest CANDIDATES visible matches are ranked; the rules hold on that path too."""

    def test_common_words_rank_the_newest_visible_matches(self):
        from unittest import mock

        from kinship.circles.models import Circle
        from kinship.search import backends

        topic = factories.make_topic(circle=self.cast.circle, author=self.cast.member, title="Quince jam")
        older = factories.make_replies(topic, count=6, author=self.cast.member, body="Quince")
        private = factories.make_circle(visibility=Circle.PRIVATE)
        insider = factories.make_member(private)
        secret = factories.make_topic(circle=private, author=insider, title="Secret", body="Quince secret")
        factories.make_replies(secret, count=5, author=insider, body="Quince secret")
        hidden = factories.make_replies(topic, count=2, author=self.cast.member, body="Quince hidden")
        Post.objects.filter(pk__in=[p.pk for p in hidden]).update(hidden=True)
        with mock.patch.object(backends, "PROBE", 3), mock.patch.object(backends, "CANDIDATES", 4):
            replies = {pk for kind, pk in found(self.cast.outsider, "quince", type="reply")}
            # The four newest visible replies: the private circle's and the hidden ones are passed over.
            self.assertEqual(replies, {p.pk for p in older[-4:]})
            # Again, now that PostgreSQL knows the word is common (it skips the probe): the same answer.
            self.assertEqual({pk for _, pk in found(self.cast.outsider, "quince", type="reply")}, replies)
            # The insider's newest four are their own circle's.
            newest = {pk for _, pk in found(insider, "quince", type="reply")}
            self.assertEqual(
                newest, set(Post.objects.filter(topic=secret).order_by("-pk").values_list("pk", flat=True)[:4])
            )
        # Below the probe, every visible match is ranked (the remembered "common" is forgotten first).
        cache.clear()
        self.assertEqual({pk for _, pk in found(self.cast.outsider, "quince", type="reply")}, {p.pk for p in older})

    def test_a_word_common_only_in_older_rows_still_finds_them(self):
        from unittest import mock

        from kinship.circles.models import Circle
        from kinship.search import backends

        topic = factories.make_topic(circle=self.cast.circle, author=self.cast.member, title="Medlar")
        public = factories.make_replies(topic, count=5, author=self.cast.member, body="Medlar")
        private = factories.make_circle(visibility=Circle.PRIVATE)
        insider = factories.make_member(private)
        secret = factories.make_topic(circle=private, author=insider, title="Secret", body="Medlar secret")
        factories.make_replies(secret, count=5, author=insider, body="Medlar secret")
        # PostgreSQL: the newest few rows hold only the private circle's matches; the public ones are older.
        with (
            mock.patch.object(backends, "PROBE", 3),
            mock.patch.object(backends, "CANDIDATES", 4),
            mock.patch.object(backends, "WINDOW", 6),
        ):
            for attempt in ("first", "known common"):
                with self.subTest(attempt):
                    replies = {pk for _, pk in found(self.cast.outsider, "medlar", type="reply")}
                    self.assertTrue(replies)
                    self.assertLessEqual(replies, {p.pk for p in public})
