"""Attempts to find what a person may not see. Every secret word is also found by someone who may
see it (the positive controls), so a search that found nothing at all could not pass these tests."""

import re
from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.utils import timezone

from kinship.api.tests.base import ApiTestCase
from kinship.circles.models import Circle
from kinship.core import factories
from kinship.discussions import services as discussions
from kinship.discussions.models import Post, Topic
from kinship.qa import services as qa
from kinship.qa.models import Question
from kinship.search import queries
from kinship.search.tests.support import found, make_material, make_resource, make_tip

# One made-up word per secret, so a match can only come from that row.
SECRETS = {
    "private_topic": "quenzatopic",
    "private_reply": "quenzareply",
    "hidden_circle_topic": "hushtopicword",
    "hidden_circle_reply": "hushreplyword",
    "hidden_post": "veiledpostword",
    "deleted_post_kept_words": "ghostpostword",
    "post_in_hidden_topic": "shadedthreadword",
    "reply_in_deleted_topic": "orphanreplyword",
    "deleted_topic_title": "vanishedtitleword",
    "hidden_tip": "hushedtipword",
    "deleted_tip": "erasedtipword",
    "inactive_resource": "dormantresourceword",
    "unpublished_material": "draftmaterialword",
    "private_event": "closedeventword",
    "hidden_circle_event": "hushedeventword",
    "dismissed_question": "dismissedquestionword",
    "pending_question": "pendingquestionword",
    "merged_question": "mergedquestionword",
    "private_answered_question": "privateanswerword",
}
# Secrets nobody finds, whoever they are (hidden, deleted, inactive, unanswered).
GONE_FOR_ALL = {
    "hidden_post",
    "deleted_post_kept_words",
    "post_in_hidden_topic",
    "reply_in_deleted_topic",
    "deleted_topic_title",
    "hidden_tip",
    "deleted_tip",
    "inactive_resource",
    "unpublished_material",
    "dismissed_question",
    "pending_question",
    "merged_question",
}
PRIVATE = {"private_topic", "private_reply", "private_event", "private_answered_question"}
HIDDEN_CIRCLE = {"hidden_circle_topic", "hidden_circle_reply", "hidden_circle_event"}


def _without_tokens(html: str) -> str:
    """The page without its CSRF tokens, which differ on every response."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


class SearchPrivacyTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cast = cls.cast
        cls.public = cast.circle
        cls.private = factories.make_circle(name="Quiet room circle", visibility=Circle.PRIVATE)
        cls.hidden = factories.make_circle(name="Unlisted hush circle", visibility=Circle.HIDDEN)
        cls.private_facilitator = factories.make_user(display_name="Pia Facilitator")
        factories.add_member(cls.private, cls.private_facilitator, role="facilitator")
        factories.add_member(cls.hidden, cls.private_facilitator, role="facilitator")
        cls.insider = factories.make_user(display_name="Ivy Insider")
        factories.add_member(cls.private, cls.insider)
        factories.add_member(cls.hidden, cls.insider)
        cls.applicant = factories.make_user(display_name="Abe Applicant")
        factories.add_member(cls.private, cls.applicant, status="pending")
        factories.add_member(cls.hidden, cls.applicant, status="pending")
        cls.removed = factories.make_user(display_name="Rex Removed")
        factories.add_member(cls.private, cls.removed, status="removed")
        factories.add_member(cls.hidden, cls.removed, status="removed")

        s = SECRETS
        # Private and hidden circles' conversations.
        topic = factories.make_topic(circle=cls.private, author=cls.insider, title=f"About {s['private_topic']}")
        factories.make_replies(topic, count=1, author=cls.insider, body=f"Reply with {s['private_reply']}")
        topic = factories.make_topic(circle=cls.hidden, author=cls.insider, title=f"About {s['hidden_circle_topic']}")
        factories.make_replies(topic, count=1, author=cls.insider, body=f"Reply with {s['hidden_circle_reply']}")

        # Moderated and deleted content in the public circle.
        moderator = cast.facilitator
        topic = factories.make_topic(circle=cls.public, author=cast.member, title="Ordinary topic")
        hidden_post, deleted_post, kept_words = factories.make_replies(topic, count=3, author=cast.member)
        Post.objects.filter(pk=hidden_post.pk).update(body=f"Hidden {s['hidden_post']}")
        hidden_post.refresh_from_db()
        discussions.hide_post(moderator=moderator, post=hidden_post, hidden=True)
        Post.objects.filter(pk=deleted_post.pk).update(body=f"Deleted {s['deleted_post_kept_words']}")
        deleted_post.refresh_from_db()
        discussions.delete_post(actor=cast.member, post=deleted_post)
        # A deletion that kept the words (as an older version might have): the query must still refuse it.
        Post.objects.filter(pk=kept_words.pk).update(
            body=f"Kept {s['deleted_post_kept_words']}", deleted_at=timezone.now()
        )

        shaded = factories.make_topic(
            circle=cls.public, author=cast.member, title="Shaded", body=f"Opening {s['post_in_hidden_topic']}"
        )
        factories.make_replies(shaded, count=1, author=cast.member, body=s["post_in_hidden_topic"])
        discussions.moderate_topic(moderator=moderator, topic=shaded, changes={"hidden": True})

        doomed = factories.make_topic(
            circle=cls.public, author=cast.member, title=f"Soon {s['deleted_topic_title']}", body="Opening words"
        )
        factories.make_replies(doomed, count=1, author=cast.member, body=s["reply_in_deleted_topic"])
        opening = Post.objects.get(topic=doomed, is_opening=True)
        discussions.delete_post(actor=cast.member, post=opening)

        # Library rows.
        make_tip(author=cast.member, body=f"Tip {s['hidden_tip']}", hidden=True)
        make_tip(author=cast.member, body=f"Tip {s['deleted_tip']}", deleted_at=timezone.now())
        make_resource(name=f"Helpline {s['inactive_resource']}", active=False)
        make_material(title=f"Guide {s['unpublished_material']}", published=False)

        # Events and questions.
        factories.make_event(circle=cls.private, facilitator=cls.private_facilitator, title=s["private_event"])
        factories.make_event(circle=cls.hidden, facilitator=cls.private_facilitator, title=s["hidden_circle_event"])
        public_event = factories.make_event(circle=cls.public, facilitator=moderator, title="Open evening")
        asker = cast.member
        dismissed = qa.ask(author=asker, event=public_event, body=f"Why {s['dismissed_question']}?")
        qa.moderate(moderator=moderator, question=dismissed, action="dismiss")
        # An answer left on a question later dismissed must stay out of search too.
        Question.objects.filter(pk=dismissed.pk).update(answer=f"Answer {s['dismissed_question']}")
        pending = qa.ask(author=asker, event=public_event, body=f"Why {s['pending_question']}?")
        Question.objects.filter(pk=pending.pk).update(status=Question.PENDING)
        kept = qa.ask(author=asker, event=public_event, body="What helps with stiffness?")
        merged = qa.ask(author=factories.make_member(cls.public), event=public_event, body=s["merged_question"])
        qa.moderate(moderator=moderator, question=merged, action="merge", into=kept.pk)
        private_event = factories.make_event(circle=cls.private, facilitator=cls.private_facilitator, title="Q&A")
        question = qa.ask(author=cls.insider, event=private_event, body=f"Is {s['private_answered_question']} ok?")
        qa.answer(answerer=cls.private_facilitator, question=question, body="Yes, it usually is.")

    def outsiders(self):
        cast = self.cast
        return {
            "visitor": AnonymousUser(),
            "non-member": cast.outsider,
            "pending member": self.applicant,
            "removed member": self.removed,
            "member of another circle": cast.member,
            "facilitator of another circle": cast.facilitator,
        }

    def test_outsiders_find_no_private_hidden_or_removed_content(self):
        for label, user in self.outsiders().items():
            for name, word in SECRETS.items():
                with self.subTest(user=label, secret=name):
                    self.assertEqual(found(user, word), set())

    def test_nobody_finds_hidden_deleted_inactive_or_unanswered_content(self):
        everyone = {**self.outsiders(), "insider": self.insider, "staff": self.cast.staff}
        everyone["facilitator"] = self.cast.facilitator
        everyone["private facilitator"] = self.private_facilitator
        for label, user in everyone.items():
            for name in GONE_FOR_ALL:
                with self.subTest(user=label, secret=name):
                    self.assertEqual(found(user, SECRETS[name]), set())

    def test_members_and_staff_do_find_their_circles_content(self):
        """The positive control: the same searches work for those who may see."""
        for user in (self.insider, self.private_facilitator, self.cast.staff):
            for name in PRIVATE | HIDDEN_CIRCLE:
                with self.subTest(user=user.display_name, secret=name):
                    self.assertEqual(len(found(user, SECRETS[name])), 1)

    def test_every_type_filter_keeps_the_rules(self):
        for kind in queries.TYPES:
            for name, word in SECRETS.items():
                with self.subTest(type=kind, secret=name):
                    self.assertEqual(found(self.cast.outsider, word, type=kind), set())

    def test_or_queries_cannot_pull_in_what_is_hidden(self):
        words = list(SECRETS.values())
        insider_finds = set()
        # Five words at a time keeps each query under the 200 characters searched.
        for start in range(0, len(words), 5):
            either = " or ".join(words[start : start + 5])
            with self.subTest(q=either):
                self.assertEqual(found(self.cast.outsider, either), set())
                self.assertEqual(found(AnonymousUser(), either), set())
                insider_finds |= found(self.insider, either)
        # The insider finds exactly their circles' content, nothing gone for all.
        self.assertEqual(len(insider_finds), len(PRIVATE | HIDDEN_CIRCLE))

    def test_the_hidden_circle_leaves_no_trace_in_the_page(self):
        client = Client()
        client.force_login(self.cast.outsider)
        for word in (SECRETS["hidden_circle_topic"], "hush", "Unlisted"):
            with self.subTest(word=word):
                html = client.get("/search/", {"q": word}).content.decode()
                self.assertNotIn("Unlisted hush circle", html)
                self.assertNotIn(self.hidden.slug, html)
                self.assertIn("No results", html)
        # The page for a word nobody wrote reads the same as for the hidden circle's word: no count leaks.
        empty = _without_tokens(client.get("/search/", {"q": "nobodywrotethisword"}).content.decode())
        secret = _without_tokens(client.get("/search/", {"q": SECRETS["hidden_circle_reply"]}).content.decode())
        self.assertEqual(empty.replace("nobodywrotethisword", "X"), secret.replace(SECRETS["hidden_circle_reply"], "X"))

    def test_the_api_refuses_the_same(self):
        for label, user in self.outsiders().items():
            for word in SECRETS.values():
                with self.subTest(user=label, word=word):
                    response = self.api(
                        "get", f"/search?q={word}", user=None if isinstance(user, AnonymousUser) else user
                    )
                    self.assertEqual(response.status_code, 200)
                    self.assertEqual(response.json(), {"items": [], "next": None})

    def test_a_member_who_leaves_a_private_circle_stops_finding_it(self):
        self.assertTrue(found(self.insider, SECRETS["private_reply"]))
        self.private.memberships.filter(user=self.insider).update(status="removed")
        insider = type(self.insider).objects.get(pk=self.insider.pk)  # a fresh request's user
        self.assertEqual(found(insider, SECRETS["private_reply"]), set())

    def test_a_speaker_finds_the_answered_questions_of_the_event_they_speak_at(self):
        speaker = factories.make_user(display_name="Dr Sunita Speaker")
        question = Question.objects.get(body__contains=SECRETS["private_answered_question"])
        self.assertEqual(found(speaker, SECRETS["private_answered_question"]), set())
        question.event.speakers.add(speaker)
        self.assertEqual(found(speaker, SECRETS["private_answered_question"]), {("question", question.pk)})
        # Only that event's: the private circle's topics stay closed to the speaker.
        self.assertEqual(found(speaker, SECRETS["private_topic"]), set())


class AnonymityTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.writer = factories.make_member(cls.cast.circle, display_name="Zanzibar Quillfeather")
        cls.topic = factories.make_topic(
            circle=cls.cast.circle,
            author=cls.writer,
            anonymous=True,
            title="Scared of the scan results",
            body="Nobody knows I am scared of the marmalade scan.",
        )
        factories.make_replies(cls.topic, count=1, author=cls.writer, anonymous=True, body="Still scared, marmalade")
        question_event = factories.make_event(circle=cls.cast.circle, facilitator=cls.cast.facilitator)
        question = qa.ask(author=cls.writer, event=question_event, body="Is marmalade safe?", anonymous=True)
        qa.answer(answerer=cls.cast.facilitator, question=question, body="In moderation.")

    def test_an_anonymous_writer_is_not_findable_by_name(self):
        for user in (self.cast.member, self.cast.facilitator, self.cast.staff):
            for q in ("Quillfeather", "Zanzibar", '"Zanzibar Quillfeather"'):
                with self.subTest(user=user.display_name, q=q):
                    self.assertEqual(found(user, q), set())

    def test_results_never_show_the_author(self):
        response = self.api("get", "/search?q=marmalade", user=self.cast.facilitator)
        self.assertEqual(response.status_code, 200)
        items = response.json()["items"]
        self.assertEqual({item["type"] for item in items}, {"reply", "question"})
        self.assertEqual(len(items), 3)
        for item in items:
            self.assertNotIn("author", item)
        self.assertNotIn(b"Quillfeather", response.content)
        self.assertNotIn(self.writer.email.encode(), response.content)
        client = Client()
        client.force_login(self.cast.member)
        html = client.get("/search/", {"q": "marmalade"}).content.decode()
        self.assertIn("marmalade", html)
        self.assertNotIn("Quillfeather", html)


class ReadableCirclesTests(ApiTestCase):
    """The search's circle list is circles.access.can_read itself, for every kind of person and circle."""

    def test_readable_circles_match_can_read(self):
        from kinship.circles import access

        circles = [factories.make_circle(visibility=v) for v in (Circle.PUBLIC, Circle.PRIVATE, Circle.HIDDEN)]
        people = {"visitor": AnonymousUser(), "staff": self.cast.staff, "outsider": self.cast.outsider}
        for circle in circles:
            for status in ("active", "pending", "removed"):
                person = factories.make_user()
                factories.add_member(circle, person, status=status)
                people[f"{status} of {circle.visibility}"] = person
        for label, person in people.items():
            readable = queries.readable_circle_ids(person)
            for circle in circles:
                with self.subTest(person=label, circle=circle.visibility):
                    expected = access.can_read(person, circle)
                    self.assertEqual(readable is None or circle.pk in readable, expected)


class DeletionTimingTests(ApiTestCase):
    def test_old_deleted_topics_stay_gone(self):
        topic = factories.make_topic(circle=self.cast.circle, author=self.cast.member, title="Gingerbread question")
        Topic.objects.filter(pk=topic.pk).update(deleted_at=timezone.now() - timedelta(days=400))
        self.assertEqual(found(self.cast.member, "gingerbread"), set())
