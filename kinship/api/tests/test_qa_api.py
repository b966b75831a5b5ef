"""GET/POST /events/{id}/questions, PUT/DELETE /questions/{id}/vote, POST /questions/{id}/answer and /moderate."""

import json
import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client, TransactionTestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kinship.accounts.models import ApiToken
from kinship.api.tests.base import PREFIX, ApiTestCase
from kinship.api.tests.test_robustness import WEIRD_BODIES, WEIRD_VALUES
from kinship.circles.models import Circle
from kinship.core import factories
from kinship.events import services as events
from kinship.events.models import Event, Rsvp
from kinship.qa import services
from kinship.qa.models import Question, SpeakerProfile, Vote


def walk(value: Any):
    """Every dict inside a JSON value."""
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


class QaApiTestCase(ApiTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cast = cls.cast
        cls.event = factories.make_event(circle=cast.circle, facilitator=cast.facilitator, title="Physio Q&A")
        # Speakers come from outside the circle: invited, not members.
        cls.speaker = factories.make_user(display_name="Dr Pia Physio")
        cls.event.speakers.add(cls.speaker)
        SpeakerProfile.objects.create(
            user=cls.speaker, profession="Physiotherapist", organisation="Bone Centre", verified_at=timezone.now()
        )
        cls.asker = factories.make_member(cast.circle, display_name="Quinn Quietasker", email="quinn.q@example.org")
        cls.other = factories.make_member(cast.circle, display_name="Olly Othermember")

    def ask(self, author=None, body="How soon can I use stairs?", event=None, **fields: Any) -> Question:
        event = event or Event.objects.get(pk=self.event.pk)
        return services.ask(author=author or self.asker, event=event, body=body, **fields)

    def questions_path(self, event=None) -> str:
        return f"/events/{(event or self.event).pk}/questions"

    def list_items(self, user, query: str = "", event=None) -> list[dict[str, Any]]:
        response = self.api("get", self.questions_path(event) + query, user=user)
        self.assertEqual(response.status_code, 200, response.content)
        return response.json()["items"]

    def assertNoEmail(self, response) -> None:
        self.assertNotIn("@example.org", response.content.decode())

    def assertHidesAsker(self, response, asker=None) -> None:
        """Neither the asker's name, email nor a user object with their id anywhere in the response."""
        asker = asker or self.asker
        text = response.content.decode()
        self.assertNotIn(asker.display_name, text)
        self.assertNotIn(asker.email, text)
        self.assertNotIn("author_hidden", text)
        for found in walk(response.json()):
            if "display_name" in found:
                self.assertNotEqual(found["id"], asker.pk, text)

    def private_event(self, visibility=Circle.PRIVATE) -> tuple[Event, Any]:
        circle = factories.make_circle(visibility=visibility)
        facilitator = factories.make_user(display_name="Hanna Host")
        factories.add_member(circle, facilitator, role="facilitator")
        member = factories.make_member(circle, display_name="Pri Vatemember")
        event = factories.make_event(circle=circle, facilitator=facilitator)
        event.speakers.add(self.speaker)
        return event, member


# Listing ------------------------------------------------------------------------------------


class QuestionListTests(QaApiTestCase):
    def test_member_sees_questions_unanswered_first_by_votes_then_answered(self):
        first = self.ask(body="First, no votes")
        popular = self.ask(author=self.other, body="Popular")
        answered = self.ask(author=self.other, body="Answered one")
        services.vote(member=self.cast.member, question=popular)
        services.vote(member=self.cast.facilitator, question=answered)
        services.vote(member=self.cast.member, question=answered)
        services.answer(answerer=self.speaker, question=answered, body="Yes, **slowly**.")

        response = self.api("get", self.questions_path(), user=self.cast.member)
        self.assertEqual(response.status_code, 200, response.content)
        data = response.json()
        self.assertEqual([q["body"] for q in data["items"]], ["Popular", "First, no votes", "Answered one"])
        self.assertIsNone(data["next"])
        item = data["items"][0]
        self.assertEqual(item["id"], popular.pk)
        self.assertEqual(item["url"], popular.get_absolute_url())
        self.assertEqual(item["event"], self.event.pk)
        self.assertEqual(item["status"], "open")
        self.assertEqual(item["vote_count"], 1)
        self.assertTrue(item["voted"])
        self.assertFalse(item["mine"])
        self.assertTrue(item["can_vote"])
        self.assertFalse(item["pinned"])
        self.assertFalse(item["anonymous"])
        self.assertEqual(item["author"]["display_name"], "Olly Othermember")
        self.assertEqual(set(item["author"]), {"id", "display_name", "avatar_url", "badges"})
        self.assertNotIn("author_hidden", item)
        self.assertIsNone(item["merged_into"])
        self.assertIsNone(item["answer"])
        self.assertRegex(item["created_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|\+00:00)$")
        self.assertIn("updated_at", item)
        self.assertFalse(data["items"][1]["voted"])

        answer = data["items"][2]["answer"]
        self.assertEqual(data["items"][2]["status"], "answered")
        self.assertEqual(answer["body"], "Yes, **slowly**.")
        self.assertIn("<strong>slowly</strong>", answer["body_html"])
        self.assertEqual(answer["answered_by"]["display_name"], "Dr Pia Physio")
        self.assertIn("verified_professional", answer["answered_by"]["badges"])
        self.assertEqual(answer["profession"], "Physiotherapist")
        self.assertFalse(data["items"][2]["can_vote"])
        self.assertEqual(first.pk, data["items"][1]["id"])
        self.assertNoEmail(response)

    def test_asker_sees_their_own_question_as_mine_and_cannot_vote_it(self):
        question = self.ask()
        [item] = self.list_items(self.asker)
        self.assertEqual(item["id"], question.pk)
        self.assertTrue(item["mine"])
        self.assertFalse(item["can_vote"])
        self.assertEqual(item["author"]["id"], self.asker.pk)

    def test_question_text_is_escaped_in_body_html(self):
        self.ask(body="<script>alert(1)</script>\nsecond line")
        [item] = self.list_items(self.cast.member)
        self.assertEqual(item["body"], "<script>alert(1)</script>\nsecond line")
        self.assertNotIn("<script>", item["body_html"])
        self.assertIn("&lt;script&gt;", item["body_html"])

    def test_version_is_in_the_body_and_header_and_moves_with_each_change(self):
        question = self.ask()
        response = self.api("get", self.questions_path(), user=self.cast.member)
        version = response.json()["version"]
        self.assertEqual(version, Event.objects.get(pk=self.event.pk).questions_version)
        self.assertEqual(response["X-Questions-Version"], str(version))
        self.api("put", f"/questions/{question.pk}/vote", user=self.cast.member)
        later = self.api("get", self.questions_path(), user=self.cast.member)
        self.assertGreater(later.json()["version"], version)
        self.assertEqual(later["X-Questions-Version"], str(later.json()["version"]))

    def test_signed_out_is_401(self):
        self.ask()
        self.assertProblem(self.api("get", self.questions_path()), 401)
        response = self.api("get", self.questions_path(), headers={"Authorization": "Bearer nonsense"})
        self.assertProblem(response, 401)

    def test_outsider_reads_a_public_circles_questions(self):
        self.ask(body="Public question")
        [item] = self.list_items(self.cast.outsider)
        self.assertEqual(item["body"], "Public question")
        self.assertFalse(item["can_vote"])

    def test_private_and_hidden_circles_are_404_to_outsiders_but_not_to_speakers(self):
        for visibility in (Circle.PRIVATE, Circle.HIDDEN):
            with self.subTest(visibility=visibility):
                event, member = self.private_event(visibility)
                services.ask(author=member, event=event, body="Secret worry")
                for outsider in (self.cast.outsider, self.cast.member, self.cast.facilitator):
                    response = self.api("get", self.questions_path(event), user=outsider)
                    self.assertProblem(response, 404)
                    self.assertNotIn(b"Secret worry", response.content)
                self.assertEqual(len(self.list_items(self.speaker, event=event)), 1)
                self.assertEqual(len(self.list_items(member, event=event)), 1)
                self.assertEqual(len(self.list_items(self.cast.staff, event=event)), 1)

    def test_unknown_and_odd_event_ids_are_404(self):
        for path in ("/events/999999/questions", f"/events/{10**30}/questions", "/events/0/questions"):
            response = self.api("get", path, user=self.cast.member)
            self.assertIn(response.status_code, (404, 422), (path, response.content))
            self.assertEqual(response["Content-Type"], "application/problem+json")
        self.assertProblem(self.api("get", "/events/999999/questions", user=self.cast.member), 404)

    def test_pages_follow_the_cursor(self):
        for i in range(5):
            self.ask(author=self.other if i % 2 else self.asker, body=f"Q{i}")
        first = self.api("get", self.questions_path() + "?limit=2", user=self.cast.member).json()
        self.assertEqual(len(first["items"]), 2)
        second = self.api("get", self.questions_path() + f"?limit=2&cursor={first['next']}", user=self.cast.member)
        third = self.api(
            "get", self.questions_path() + f"?limit=2&cursor={second.json()['next']}", user=self.cast.member
        ).json()
        bodies = [q["body"] for q in first["items"] + second.json()["items"] + third["items"]]
        self.assertEqual(bodies, [f"Q{i}" for i in range(5)])
        self.assertIsNone(third["next"])
        self.assertEqual(len(self.list_items(self.cast.member)), 5)  # default limit 20
        self.assertEqual(len(self.list_items(self.cast.member, "?limit=100")), 5)

    def test_bad_cursors_and_limits_are_422(self):
        self.ask()
        for query in (
            "?cursor=%%%",
            "?cursor=%ff",
            "?cursor=null",
            "?cursor=WzEsMiwzXQ",  # [1,2,3]
            "?cursor=WyJ4Il0",  # ["x"]
            "?cursor=W3RydWVd",  # [true]
            "?cursor=Wy0xXQ",  # [-1]
            "?cursor=WzBd",  # [0]
            "?cursor=Wzk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5XQ",  # a huge offset
            "?cursor=" + "A" * 300,
            "?limit=0",
            "?limit=101",
            "?limit=abc",
            "?limit=%00",
            "?limit=" + "9" * 5000,
        ):
            with self.subTest(query=query):
                self.assertProblem(self.api("get", self.questions_path() + query, user=self.cast.member), 422)

    def test_status_filter(self):
        open_one = self.ask(body="Still open")
        answered = self.ask(author=self.other, body="Answered")
        dismissed = self.ask(author=self.other, body="Off topic")
        services.answer(answerer=self.speaker, question=answered, body="Done.")
        services.moderate(moderator=self.cast.facilitator, question=dismissed, action="dismiss")
        facilitator = self.cast.facilitator
        self.assertEqual([q["id"] for q in self.list_items(facilitator, "?status=open")], [open_one.pk])
        self.assertEqual([q["id"] for q in self.list_items(facilitator, "?status=answered")], [answered.pk])
        self.assertEqual([q["id"] for q in self.list_items(facilitator, "?status=dismissed")], [dismissed.pk])
        self.assertEqual(self.list_items(facilitator, "?status=pending"), [])
        self.assertEqual(len(self.list_items(facilitator, "?status=")), 3)
        # Members never see another member's dismissed question, filter or not.
        self.assertEqual(self.list_items(self.cast.member, "?status=dismissed"), [])
        self.assertEqual(len(self.list_items(self.cast.member)), 2)
        self.assertEqual([q["id"] for q in self.list_items(self.other, "?status=dismissed")], [dismissed.pk])
        for bad in ("closed", "OPEN", "%00", "open,answered", "x" * 500):
            with self.subTest(status=bad):
                response = self.api("get", self.questions_path() + f"?status={bad}", user=facilitator)
                self.assertProblem(response, 422, "status")


class PreModerationTests(QaApiTestCase):
    def setUp(self):
        super().setUp()
        Event.objects.filter(pk=self.event.pk).update(questions_moderated=True)

    def test_pending_questions_wait_for_approval(self):
        response = self.api("post", self.questions_path(), user=self.asker, json_body={"body": "Waiting one"})
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["status"], "pending")
        question_id = response.json()["id"]

        # Invisible to other members, speakers and outsiders: not in the list, and 404 on every action.
        for viewer in (self.cast.member, self.other, self.speaker, self.cast.outsider):
            with self.subTest(viewer=viewer.display_name):
                self.assertEqual(self.list_items(viewer), [])
                self.assertEqual(self.list_items(viewer, "?status=pending"), [])
                self.assertProblem(self.api("put", f"/questions/{question_id}/vote", user=viewer), 404)
                self.assertProblem(self.api("delete", f"/questions/{question_id}/vote", user=viewer), 404)
                response = self.api(
                    "post", f"/questions/{question_id}/answer", user=viewer, json_body={"body": "An answer"}
                )
                self.assertProblem(response, 404)
                response = self.api(
                    "post", f"/questions/{question_id}/moderate", user=viewer, json_body={"action": "approve"}
                )
                self.assertProblem(response, 404)
        # The asker and the facilitators see it waiting.
        [mine] = self.list_items(self.asker)
        self.assertEqual((mine["id"], mine["status"], mine["mine"]), (question_id, "pending", True))
        self.assertEqual([q["id"] for q in self.list_items(self.cast.facilitator, "?status=pending")], [question_id])
        self.assertEqual(len(self.list_items(self.cast.staff)), 1)

        response = self.api(
            "post", f"/questions/{question_id}/moderate", user=self.cast.facilitator, json_body={"action": "approve"}
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["status"], "open")
        for viewer in (self.cast.member, self.speaker, self.cast.outsider):
            self.assertEqual([q["id"] for q in self.list_items(viewer)], [question_id])


# Asking -------------------------------------------------------------------------------------


class AskTests(QaApiTestCase):
    def test_member_asks(self):
        response = self.api(
            "post", self.questions_path(), user=self.asker, json_body={"body": "  Can I drive after surgery?  "}
        )
        self.assertEqual(response.status_code, 201, response.content)
        data = response.json()
        question = Question.objects.get(pk=data["id"])
        self.assertEqual(question.author, self.asker)
        self.assertEqual(data["body"], question.body)
        self.assertEqual(data["status"], "open")
        self.assertEqual(data["vote_count"], 0)
        self.assertFalse(data["voted"])
        self.assertTrue(data["mine"])
        self.assertFalse(data["anonymous"])
        self.assertEqual(data["author"]["id"], self.asker.pk)
        self.assertEqual(data["event"], self.event.pk)
        self.assertEqual(data["url"], question.get_absolute_url())
        self.assertIsNone(data["answer"])
        self.assertNoEmail(response)

    def test_a_question_of_exactly_1000_characters_is_fine(self):
        response = self.api("post", self.questions_path(), user=self.asker, json_body={"body": "x" * 1000})
        self.assertEqual(response.status_code, 201, response.content)

    def test_idempotency_key_replays_the_first_answer(self):
        headers = {"Idempotency-Key": "ask-once-123"}
        body = {"body": "Asked once", "anonymous": True}
        first = self.api("post", self.questions_path(), user=self.asker, json_body=body, headers=headers)
        second = self.api("post", self.questions_path(), user=self.asker, json_body=body, headers=headers)
        self.assertEqual(first.status_code, 201, first.content)
        self.assertEqual(second.status_code, 201)
        self.assertEqual(first.json(), second.json())
        self.assertEqual(Question.objects.count(), 1)
        changed = self.api("post", self.questions_path(), user=self.asker, json_body={"body": "Other"}, headers=headers)
        self.assertProblem(changed, 422, "Idempotency-Key")
        self.assertEqual(Question.objects.count(), 1)
        # Another member's same key is their own.
        other = self.api("post", self.questions_path(), user=self.other, json_body=body, headers=headers)
        self.assertEqual(other.status_code, 201)
        self.assertEqual(Question.objects.count(), 2)
        self.assertHidesAsker(other)

    def test_outsider_of_a_public_circle_asks_only_after_rsvping(self):
        body = {"body": "From a visitor"}
        response = self.api("post", self.questions_path(), user=self.cast.outsider, json_body=body)
        self.assertIn("RSVP", self.assertProblem(response, 403)["detail"])
        events.rsvp(member=self.cast.outsider, event=self.event, original_start=self.event.starts_at, answer=Rsvp.GOING)
        response = self.api("post", self.questions_path(), user=self.cast.outsider, json_body=body)
        self.assertEqual(response.status_code, 201, response.content)

    def test_who_may_not_ask_gets_403_with_a_reason(self):
        for user in (self.cast.pending, self.cast.unverified, self.cast.outsider):
            with self.subTest(user=user.display_name):
                response = self.api("post", self.questions_path(), user=user, json_body={"body": "Let me in"})
                self.assertProblem(response, 403)
        self.assertProblem(self.api("post", self.questions_path(), json_body={"body": "Who am I"}), 401)
        self.assertFalse(Question.objects.exists())

    def test_cancelled_event_takes_no_questions(self):
        events.cancel_event(actor=self.cast.facilitator, event=self.event)
        response = self.api("post", self.questions_path(), user=self.asker, json_body={"body": "Still on?"})
        self.assertIn("cancelled", self.assertProblem(response, 403)["detail"])

    def test_invisible_events_are_404(self):
        for visibility in (Circle.PRIVATE, Circle.HIDDEN):
            event, _ = self.private_event(visibility)
            for user in (self.cast.outsider, self.asker):
                response = self.api("post", self.questions_path(event), user=user, json_body={"body": "Hello?"})
                self.assertProblem(response, 404)
        self.assertProblem(self.api("post", "/events/999999/questions", user=self.asker, json_body={"body": "x"}), 404)
        self.assertFalse(Question.objects.exists())

    def test_bad_input_is_422_and_creates_nothing(self):
        cases = [
            ({"body": "x" * 1001}, "body"),
            ({"body": ""}, "body"),
            ({"body": "   \n  "}, "body"),
            ({"body": 5}, "body"),
            ({"body": None}, "body"),
            ({"body": ["a"]}, "body"),
            ({"body": "nul \x00 byte"}, "body"),
            ({"body": "ok", "anonymous": "yes"}, "anonymous"),
            ({"body": "ok", "anonymous": 1}, "anonymous"),
            ({"body": "ok", "anonymous": None}, "anonymous"),
            ({}, "body"),
            ({"body": "ok", "author": 1}, "author"),
        ]
        for body, field in cases:
            with self.subTest(body=str(body)[:40]):
                response = self.api("post", self.questions_path(), user=self.asker, json_body=body)
                self.assertProblem(response, 422, field)
        for raw in ("{", "", "[]", "5", '"text"', '{"body": "\\ud800"}'):
            with self.subTest(raw=raw):
                response = self.api("post", self.questions_path(), user=self.asker, raw=raw)
                self.assertIn(response.status_code, (400, 422), response.content)
                self.assertEqual(response["Content-Type"], "application/problem+json")
        self.assertProblem(self.api("post", self.questions_path(), user=self.asker, raw="{"), 400)
        self.assertFalse(Question.objects.exists())

    def test_at_most_ten_questions_per_member(self):
        for i in range(services.QUESTIONS_PER_MEMBER):
            self.ask(body=f"Question {i}")
        response = self.api("post", self.questions_path(), user=self.asker, json_body={"body": "One more"})
        self.assertIn("10", self.assertProblem(response, 422, "body")["detail"])
        self.assertEqual(Question.objects.count(), services.QUESTIONS_PER_MEMBER)


# Voting -------------------------------------------------------------------------------------


class VoteTests(QaApiTestCase):
    def setUp(self):
        super().setUp()
        self.question = self.ask()
        self.path = f"/questions/{self.question.pk}/vote"

    def test_vote_and_unvote_are_idempotent(self):
        for _ in range(2):
            response = self.api("put", self.path, user=self.cast.member)
            self.assertEqual(response.status_code, 200, response.content)
            self.assertEqual(response.json(), {"vote_count": 1, "voted": True})
        self.assertEqual(Vote.objects.filter(question=self.question).count(), 1)
        self.assertEqual(self.api("put", self.path, user=self.other).json(), {"vote_count": 2, "voted": True})
        [item] = self.list_items(self.cast.member)
        self.assertTrue(item["voted"])
        self.assertEqual(item["vote_count"], 2)
        for _ in range(2):
            response = self.api("delete", self.path, user=self.cast.member)
            self.assertEqual(response.status_code, 200, response.content)
            self.assertEqual(response.json(), {"vote_count": 1, "voted": False})
        self.assertEqual(Question.objects.get(pk=self.question.pk).vote_count, 1)
        self.assertEqual(Vote.objects.filter(question=self.question).count(), 1)

    def test_own_question_cannot_be_voted(self):
        self.assertIn("own", self.assertProblem(self.api("put", self.path, user=self.asker), 403)["detail"])
        self.assertProblem(self.api("delete", self.path, user=self.asker), 403)
        self.assertFalse(Vote.objects.exists())

    def test_who_may_not_vote_gets_403_and_invisible_is_404(self):
        for user in (self.cast.outsider, self.cast.pending, self.cast.unverified, self.speaker):
            with self.subTest(user=user.display_name):
                self.assertProblem(self.api("put", self.path, user=user), 403)
        self.assertProblem(self.api("put", self.path), 401)
        event, member = self.private_event()
        private = services.ask(author=member, event=event, body="Private worry")
        for user in (self.cast.outsider, self.cast.member):
            self.assertProblem(self.api("put", f"/questions/{private.pk}/vote", user=user), 404)
        for path in ("/questions/999999/vote", f"/questions/{10**30}/vote", "/questions/abc/vote"):
            response = self.api("put", path, user=self.cast.member)
            self.assertIn(response.status_code, (404, 422), response.content)
            self.assertEqual(response["Content-Type"], "application/problem+json")
        self.assertFalse(Vote.objects.exists())

    def test_answered_question_takes_no_votes(self):
        services.answer(answerer=self.speaker, question=self.question, body="Done.")
        self.assertProblem(self.api("put", self.path, user=self.cast.member), 422)

    def test_voting_past_the_rate_limit_is_429_with_retry_after(self):
        for _ in range(services.VOTES_PER_MINUTE):
            self.assertEqual(self.api("put", self.path, user=self.cast.member).status_code, 200)
        response = self.api("put", self.path, user=self.cast.member)
        self.assertProblem(response, 429)
        self.assertGreaterEqual(int(response["Retry-After"]), 1)
        self.assertProblem(self.api("delete", self.path, user=self.cast.member), 429)
        # The limit is per member.
        self.assertEqual(self.api("put", self.path, user=self.other).status_code, 200)
        self.assertEqual(Question.objects.get(pk=self.question.pk).vote_count, 2)


# Answering ----------------------------------------------------------------------------------


class AnswerTests(QaApiTestCase):
    def setUp(self):
        super().setUp()
        self.question = self.ask()
        self.path = f"/questions/{self.question.pk}/answer"

    def test_speaker_answers_with_their_verified_profession(self):
        body = {"body": "Start with *one step*.<script>alert(1)</script>"}
        response = self.api("post", self.path, user=self.speaker, json_body=body)
        self.assertEqual(response.status_code, 200, response.content)
        data = response.json()
        self.assertEqual(data["status"], "answered")
        answer = data["answer"]
        self.assertEqual(answer["body"], body["body"])
        self.assertIn("<em>one step</em>", answer["body_html"])
        self.assertNotIn("<script", answer["body_html"])
        self.assertEqual(answer["answered_by"]["id"], self.speaker.pk)
        self.assertIn("verified_professional", answer["answered_by"]["badges"])
        self.assertEqual(answer["profession"], "Physiotherapist")
        self.assertRegex(answer["answered_at"], r"^\d{4}-\d\d-\d\dT")
        self.assertNoEmail(response)
        # Answering again replaces the answer.
        again = self.api("post", self.path, user=self.speaker, json_body={"body": "Better answer."})
        self.assertEqual(again.json()["answer"]["body"], "Better answer.")

    def test_speaker_answers_in_a_private_circle_they_are_not_a_member_of(self):
        event, member = self.private_event(Circle.HIDDEN)
        question = services.ask(author=member, event=event, body="Private worry", anonymous=True)
        response = self.api(
            "post", f"/questions/{question.pk}/answer", user=self.speaker, json_body={"body": "You are not alone."}
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["status"], "answered")
        self.assertHidesAsker(response, asker=member)
        # Outsiders still cannot tell the question exists.
        response = self.api(
            "post", f"/questions/{question.pk}/answer", user=self.cast.facilitator, json_body={"body": "x"}
        )
        self.assertProblem(response, 404)

    def test_unverified_answerer_has_no_badge_or_profession(self):
        SpeakerProfile.objects.filter(user=self.speaker).update(verified_at=None)
        answer = self.api("post", self.path, user=self.speaker, json_body={"body": "Hm."}).json()["answer"]
        self.assertNotIn("verified_professional", answer["answered_by"]["badges"])
        self.assertIsNone(answer["profession"])
        other = self.ask(author=self.other, body="Another")
        response = self.api(
            "post", f"/questions/{other.pk}/answer", user=self.cast.facilitator, json_body={"body": "A"}
        )
        answer = response.json()["answer"]
        self.assertEqual(answer["answered_by"]["badges"], ["facilitator"])
        self.assertIsNone(answer["profession"])

    def test_members_and_outsiders_may_not_answer(self):
        for user in (self.cast.member, self.asker, self.cast.outsider):
            with self.subTest(user=user.display_name):
                self.assertProblem(self.api("post", self.path, user=user, json_body={"body": "I know!"}), 403)
        self.assertProblem(self.api("post", self.path, json_body={"body": "I know!"}), 401)
        self.assertEqual(Question.objects.get(pk=self.question.pk).status, Question.OPEN)

    def test_bad_input_is_422(self):
        for body, field in (
            ({"body": ""}, "body"),
            ({"body": "  "}, "body"),
            ({"body": "x" * 20_001}, "body"),
            ({"body": 5}, "body"),
            ({}, "body"),
            ({"body": "ok", "extra": 1}, "extra"),
        ):
            with self.subTest(body=str(body)[:30]):
                self.assertProblem(self.api("post", self.path, user=self.speaker, json_body=body), 422, field)
        self.assertProblem(self.api("post", self.path, user=self.speaker, raw="{nope"), 400)
        self.assertEqual(Question.objects.get(pk=self.question.pk).status, Question.OPEN)

    def test_only_open_questions_are_answered(self):
        services.moderate(moderator=self.cast.facilitator, question=self.question, action="dismiss")
        response = self.api("post", self.path, user=self.cast.facilitator, json_body={"body": "Too late"})
        self.assertProblem(response, 422)
        # To the speaker the dismissed question is simply not there.
        self.assertProblem(self.api("post", self.path, user=self.speaker, json_body={"body": "?"}), 404)


# Moderating ---------------------------------------------------------------------------------


class ModerateTests(QaApiTestCase):
    def setUp(self):
        super().setUp()
        self.question = self.ask()
        self.path = f"/questions/{self.question.pk}/moderate"

    def moderate(self, action, user=None, path=None, **fields):
        return self.api(
            "post", path or self.path, user=user or self.cast.facilitator, json_body={"action": action, **fields}
        )

    def test_facilitator_dismisses_restores_pins_and_unpins(self):
        for action, status, pinned in (
            ("dismiss", "dismissed", False),
            ("restore", "open", False),
            ("pin", "open", True),
            ("unpin", "open", False),
        ):
            response = self.moderate(action)
            self.assertEqual(response.status_code, 200, response.content)
            self.assertEqual((response.json()["status"], response.json()["pinned"]), (status, pinned))
        response = self.moderate("pin", user=self.cast.staff)
        self.assertTrue(response.json()["pinned"])

    def test_pinning_another_unpins_the_first(self):
        other = self.ask(author=self.other, body="Second")
        self.moderate("pin")
        self.moderate("pin", path=f"/questions/{other.pk}/moderate")
        pinned = {q["id"]: q["pinned"] for q in self.list_items(self.cast.member)}
        self.assertEqual(pinned, {self.question.pk: False, other.pk: True})

    def test_members_and_speakers_may_not_moderate(self):
        for user in (self.cast.member, self.asker, self.speaker, self.cast.outsider):
            with self.subTest(user=user.display_name):
                self.assertProblem(self.moderate("dismiss", user=user), 403)
        self.assertProblem(self.api("post", self.path, json_body={"action": "dismiss"}), 401)
        self.assertEqual(Question.objects.get(pk=self.question.pk).status, Question.OPEN)

    def test_bad_input_is_422(self):
        for body, field in (
            ({"action": "explode"}, "action"),
            ({"action": ""}, "action"),
            ({"action": 5}, "action"),
            ({"action": None}, "action"),
            ({}, "action"),
            ({"action": "merge"}, "into"),
            ({"action": "merge", "into": "7"}, "into"),
            ({"action": "merge", "into": True}, "into"),
            ({"action": "merge", "into": 0}, "into"),
            ({"action": "merge", "into": 10**30}, "into"),
            ({"action": "merge", "into": 999999}, "into"),
            ({"action": "merge", "into": self.question.pk}, "into"),
            ({"action": "approve"}, "action"),  # not waiting for approval
            ({"action": "restore"}, "action"),  # not dismissed
        ):
            with self.subTest(body=body):
                response = self.api("post", self.path, user=self.cast.facilitator, json_body=body)
                self.assertProblem(response, 422, field)
        self.assertProblem(self.api("post", self.path, user=self.cast.facilitator, raw="{"), 400)
        self.assertEqual(Question.objects.get(pk=self.question.pk).status, Question.OPEN)

    def test_merge_into_another_events_question_is_422(self):
        elsewhere = factories.make_event(circle=self.cast.circle, facilitator=self.cast.facilitator, title="Other")
        foreign = self.ask(author=self.other, event=elsewhere, body="Elsewhere")
        response = self.moderate("merge", into=foreign.pk)
        self.assertProblem(response, 422, "into")
        self.assertEqual(Question.objects.get(pk=self.question.pk).status, Question.OPEN)

    def test_merge_combines_votes_without_counting_anyone_twice(self):
        voters = [factories.make_member(self.cast.circle) for _ in range(3)]
        keep = self.ask(author=self.other, body="Can I swim after surgery?")
        # The duplicate (by the asker) has voters 0, 1 and the keeper's asker; the kept one has 1 and 2.
        for voter in (voters[0], voters[1], self.other):
            services.vote(member=voter, question=self.question)
        for voter in (voters[1], voters[2]):
            services.vote(member=voter, question=keep)

        response = self.moderate("merge", into=keep.pk)
        self.assertEqual(response.status_code, 200, response.content)
        data = response.json()
        self.assertEqual((data["status"], data["merged_into"], data["vote_count"]), ("merged", keep.pk, 0))

        keep.refresh_from_db()
        counted = set(Vote.objects.filter(question=keep).values_list("voter_id", flat=True))
        # Voters 0, 1, 2 once each, and the duplicate's asker; never the kept question's own asker.
        self.assertEqual(counted, {voters[0].pk, voters[1].pk, voters[2].pk, self.asker.pk})
        self.assertEqual(keep.vote_count, 4)
        self.assertEqual(Vote.objects.filter(question=keep).count(), 4)
        self.assertFalse(Vote.objects.filter(question=self.question).exists())
        [item] = [q for q in self.list_items(voters[1]) if q["id"] == keep.pk]
        self.assertEqual((item["vote_count"], item["voted"]), (4, True))
        # Other members no longer see the duplicate; its asker sees where it went.
        self.assertEqual([q["id"] for q in self.list_items(self.cast.member)], [keep.pk])
        mine = {q["id"]: q for q in self.list_items(self.asker)}
        self.assertEqual(mine[self.question.pk]["merged_into"], keep.pk)
        self.assertTrue(mine[keep.pk]["voted"])


# Anonymity ----------------------------------------------------------------------------------


class AnonymityTests(QaApiTestCase):
    def setUp(self):
        super().setUp()
        self.question = self.ask(body="Is it normal to be scared?", anonymous=True)

    def test_asker_is_hidden_from_members_speakers_outsiders_and_the_asker(self):
        events.rsvp(member=self.cast.outsider, event=self.event, original_start=self.event.starts_at, answer=Rsvp.GOING)
        for viewer in (self.cast.member, self.other, self.speaker, self.cast.outsider, self.asker):
            with self.subTest(viewer=viewer.display_name):
                response = self.api("get", self.questions_path(), user=viewer)
                [item] = response.json()["items"]
                self.assertIsNone(item["author"])
                self.assertNotIn("author_hidden", item)
                self.assertTrue(item["anonymous"])
                self.assertEqual(item["mine"], viewer == self.asker)
                self.assertHidesAsker(response)

    def test_facilitators_and_staff_see_the_hidden_asker_but_no_email(self):
        for viewer in (self.cast.facilitator, self.cast.staff):
            with self.subTest(viewer=viewer.display_name):
                response = self.api("get", self.questions_path(), user=viewer)
                [item] = response.json()["items"]
                self.assertIsNone(item["author"])
                self.assertEqual(item["author_hidden"]["id"], self.asker.pk)
                self.assertEqual(set(item["author_hidden"]), {"id", "display_name", "avatar_url", "badges"})
                self.assertNotIn(self.asker.email, response.content.decode())
                self.assertNoEmail(response)

    def test_no_response_to_anyone_but_moderators_reveals_the_asker(self):
        # Asking anonymously: the asker's own answer shows no author.
        response = self.api("post", self.questions_path(), user=self.asker, json_body={"body": "Hi", "anonymous": True})
        self.assertEqual(response.status_code, 201, response.content)
        self.assertIsNone(response.json()["author"])
        self.assertTrue(response.json()["mine"])
        self.assertHidesAsker(response)
        # Votes, answers and their replays.
        path = f"/questions/{self.question.pk}"
        self.assertHidesAsker(self.api("put", path + "/vote", user=self.cast.member))
        self.assertHidesAsker(self.api("delete", path + "/vote", user=self.cast.member))
        answered = self.api("post", path + "/answer", user=self.speaker, json_body={"body": "Yes, very."})
        self.assertEqual(answered.status_code, 200)
        self.assertIsNone(answered.json()["author"])
        self.assertHidesAsker(answered)
        for viewer in (self.cast.member, self.speaker):
            self.assertHidesAsker(self.api("get", self.questions_path() + "?status=answered", user=viewer))
        # A facilitator's answer of moderation names the asker only as author_hidden.
        other = self.ask(body="Another worry", anonymous=True)
        moderated = self.api(
            "post", f"/questions/{other.pk}/moderate", user=self.cast.facilitator, json_body={"action": "pin"}
        )
        self.assertIsNone(moderated.json()["author"])
        self.assertEqual(moderated.json()["author_hidden"]["id"], self.asker.pk)
        self.assertNoEmail(moderated)
        # The event itself never lists askers.
        self.assertHidesAsker(self.api("get", f"/events/{self.event.pk}", user=self.cast.member))

    def test_errors_do_not_name_the_asker(self):
        for response in (
            self.api("put", f"/questions/{self.question.pk}/vote", user=self.asker),
            self.api(
                "post", f"/questions/{self.question.pk}/moderate", user=self.cast.member, json_body={"action": "pin"}
            ),
            self.api("post", f"/questions/{self.question.pk}/answer", user=self.cast.member, json_body={"body": "x"}),
        ):
            self.assertEqual(response.status_code, 403)
            self.assertHidesAsker(response)


# Robustness ---------------------------------------------------------------------------------


class NeverA500Tests(QaApiTestCase):
    def setUp(self):
        super().setUp()
        self.question = self.ask()
        self.endpoints = [
            ("post", self.questions_path(), self.other, ["body", "anonymous"]),
            ("post", f"/questions/{self.question.pk}/answer", self.speaker, ["body"]),
            ("post", f"/questions/{self.question.pk}/moderate", self.cast.facilitator, ["action", "into"]),
        ]

    def snapshot(self):
        return list(Question.objects.order_by("pk").values_list("status", "answer", "pinned", "vote_count"))

    def test_weird_field_values_never_make_a_500_and_refusals_change_nothing(self):
        for method, path, user, fields in self.endpoints:
            for field in fields:
                for value in WEIRD_VALUES:
                    before = self.snapshot()
                    body = {field: value} if field != "into" else {"action": "merge", "into": value}
                    response = self.api(method, path, user=user, json_body=body)
                    if response.status_code >= 400:
                        self.assertEqual(response["Content-Type"], "application/problem+json", (path, field))
                        self.assertEqual(self.snapshot(), before, (path, field, value))

    def test_weird_bodies_are_400_or_422(self):
        for method, path, user, _ in self.endpoints:
            for raw in WEIRD_BODIES:
                before = self.snapshot()
                response = self.api(method, path, user=user, raw=raw)
                self.assertIn(response.status_code, (400, 422), (method, path, raw[:20], response.content))
                self.assertEqual(response["Content-Type"], "application/problem+json")
                self.assertEqual(self.snapshot(), before)

    def test_odd_paths_and_queries_never_make_a_500(self):
        for path in (
            "/events/%00/questions",
            "/events/1%00/questions",
            f"/events/{10**30}/questions",
            "/events/-1/questions",
            "/questions/%00/vote",
            f"/questions/{'9' * 40}/answer",
            "/questions/0x10/moderate",
            "/questions/" + "9" * 5000 + "/vote",
        ):
            for method in ("get", "post", "put", "patch", "delete"):
                response = self.api(method, path, user=self.cast.facilitator)
                if response.status_code != 405:  # a method no route has: Django's plain 405, as elsewhere
                    self.assertEqual(response["Content-Type"], "application/problem+json", (method, path))
        for query in ("?status=%00", "?status=open&status=x", "?cursor=&limit=&status=", "?cursor=WyJcdTAwMDAiXQ"):
            response = self.api("get", self.questions_path() + query, user=self.cast.member)
            self.assertIn(response.status_code, (200, 422), (query, response.content))


# Query counts -------------------------------------------------------------------------------


class QueryCountTests(QaApiTestCase):
    def count(self, user) -> tuple[int, list[dict[str, Any]]]:
        path = self.questions_path() + "?limit=100"
        # The first request with a token records its use; measure the steady state after it.
        self.api("get", "/me", user=user)
        with CaptureQueriesContext(connection) as queries:
            response = self.api("get", path, user=user)
        self.assertEqual(response.status_code, 200, response.content)
        return len(queries), response.json()["items"]

    def test_list_queries_do_not_grow_with_questions(self):
        viewers = (self.cast.member, self.cast.facilitator, self.cast.staff, self.speaker, self.asker)
        first = self.ask(body="The only one")
        services.vote(member=self.cast.member, question=first)
        one = {viewer.pk: self.count(viewer)[0] for viewer in viewers}

        askers = [factories.make_member(self.cast.circle) for _ in range(4)] + [self.asker]
        unverified = factories.make_user(display_name="Dr Un Checked")
        SpeakerProfile.objects.create(user=unverified, profession="Prosthetist")
        self.event.speakers.add(unverified)
        questions = [first]
        for i in range(39):
            questions.append(self.ask(author=askers[i % 5], body=f"Question {i}", anonymous=i % 3 == 0))
        for i, question in enumerate(questions[1:30]):
            if question.author_id != self.cast.member.pk:
                services.vote(member=self.cast.member, question=question)
            if i % 4 == 0:
                services.answer(answerer=self.speaker if i % 8 else unverified, question=question, body=f"A {i}")
        services.moderate(moderator=self.cast.facilitator, question=questions[30], action="dismiss")
        services.moderate(
            moderator=self.cast.facilitator, question=questions[31], action="merge", into=questions[32].pk
        )
        services.moderate(moderator=self.cast.facilitator, question=questions[33], action="pin")

        for viewer in viewers:
            with self.subTest(viewer=viewer.display_name):
                many, items = self.count(viewer)
                self.assertGreater(len(items), 30)
                self.assertEqual(many, one[viewer.pk])
        _, items = self.count(self.cast.facilitator)
        self.assertEqual(len(items), 40)
        self.assertTrue(any(item["answer"] and item["answer"]["profession"] for item in items))
        self.assertTrue(any("author_hidden" in item for item in items))


# Events carry their questions settings -----------------------------------------------------


class EventQuestionFieldsTests(QaApiTestCase):
    def test_event_output_has_questions_moderated_and_url(self):
        for user in (None, self.cast.member, self.cast.outsider):
            data = self.api("get", f"/events/{self.event.pk}", user=user).json()
            self.assertFalse(data["questions_moderated"])
            self.assertEqual(data["questions_url"], f"/events/{self.event.pk}/questions/")
        listed = self.api("get", f"/circles/{self.cast.circle.slug}/events", user=self.cast.member).json()
        self.assertIn("questions_url", listed["items"][0])

    def test_facilitator_sets_pre_moderation_on_create_and_patch(self):
        start = self.event.starts_at
        body = {
            "title": "Psychologist evening",
            "starts_at": start.isoformat(),
            "ends_at": self.event.ends_at.isoformat(),
            "address": "Community room",
            "questions_moderated": True,
        }
        path = f"/circles/{self.cast.circle.slug}/events"
        response = self.api("post", path, user=self.cast.facilitator, json_body=body)
        self.assertEqual(response.status_code, 201, response.content)
        self.assertTrue(response.json()["questions_moderated"])
        event_id = response.json()["id"]
        self.assertTrue(Event.objects.get(pk=event_id).questions_moderated)

        patched = self.api(
            "patch", f"/events/{event_id}", user=self.cast.facilitator, json_body={"questions_moderated": False}
        )
        self.assertEqual(patched.status_code, 200, patched.content)
        self.assertFalse(patched.json()["questions_moderated"])
        self.assertFalse(Event.objects.get(pk=event_id).questions_moderated)

    def test_only_facilitators_change_it_and_only_to_a_boolean(self):
        path = f"/events/{self.event.pk}"
        self.assertProblem(self.api("patch", path, user=self.cast.member, json_body={"questions_moderated": True}), 403)
        self.assertProblem(self.api("patch", path, user=self.speaker, json_body={"questions_moderated": True}), 403)
        for value in ("yes", 1, None, [True]):
            with self.subTest(value=value):
                response = self.api("patch", path, user=self.cast.facilitator, json_body={"questions_moderated": value})
                self.assertProblem(response, 422, "questions_moderated")
        self.assertFalse(Event.objects.get(pk=self.event.pk).questions_moderated)


# The OpenAPI document ------------------------------------------------------------------------


class OpenApiTests(QaApiTestCase):
    def test_questions_endpoints_are_documented(self):
        document = self.client.get(PREFIX + "/openapi.json").json()
        paths = document["paths"]
        expected = {
            "/api/v1/events/{event_id}/questions": {"get", "post"},
            "/api/v1/questions/{question_id}/vote": {"put", "delete"},
            "/api/v1/questions/{question_id}/answer": {"post"},
            "/api/v1/questions/{question_id}/moderate": {"post"},
        }
        for path, methods in expected.items():
            self.assertIn(path, paths)
            self.assertEqual(set(paths[path]), methods)
            for method in methods:
                operation = paths[path][method]
                self.assertTrue(operation.get("description") or operation.get("summary"), (path, method))
                self.assertTrue(
                    any(
                        code.startswith("2") and "content" in answer for code, answer in operation["responses"].items()
                    ),
                    (path, method),
                )
                self.assertEqual(operation["security"], [{"BearerToken": []}])
        for path, method in (
            ("/api/v1/events/{event_id}/questions", "post"),
            ("/api/v1/questions/{question_id}/answer", "post"),
            ("/api/v1/questions/{question_id}/moderate", "post"),
        ):
            self.assertIn("requestBody", paths[path][method])
        schemas = document["components"]["schemas"]
        self.assertIn("author_hidden", schemas["QuestionOut"]["properties"])
        self.assertIn("version", schemas["QuestionPageOut"]["properties"])
        self.assertIn("questions_moderated", schemas["EventOut"]["properties"])
        self.assertIn("questions_url", schemas["EventOut"]["properties"])
        listed = {p["name"] for p in paths["/api/v1/events/{event_id}/questions"]["get"]["parameters"]}
        self.assertEqual(listed, {"event_id", "status", "cursor", "limit"})


# Concurrency ---------------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
class SimultaneousVoteTests(TransactionTestCase):
    def test_twenty_voters_at_once_are_counted_exactly(self) -> None:
        circle = factories.make_circle()
        facilitator = factories.make_user()
        factories.add_member(circle, facilitator, role="facilitator")
        event = factories.make_event(circle=circle, facilitator=facilitator)
        asker = factories.make_member(circle)
        question = services.ask(author=asker, event=event, body="Which exercises help most?")
        voters = [factories.make_member(circle) for _ in range(20)]
        keys = {voter.pk: ApiToken.issue(voter)[1] for voter in voters}
        path = f"{PREFIX}/questions/{question.pk}/vote"

        def all_at_once(method: str) -> list[Any]:
            start = threading.Barrier(len(voters))
            results: list[Any] = []

            def act(voter) -> None:  # type: ignore[no-untyped-def]
                try:
                    client = Client()
                    start.wait()
                    response = getattr(client, method)(path, headers={"Authorization": f"Bearer {keys[voter.pk]}"})
                    results.append((response.status_code, json.loads(response.content)))
                except BaseException as error:
                    results.append(error)
                finally:
                    connections.close_all()

            threads = [threading.Thread(target=act, args=(v,)) for v in voters]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            return results

        results = all_at_once("put")
        self.assertEqual([r[0] for r in results], [200] * 20, results)
        self.assertTrue(all(r[1]["voted"] for r in results))
        # Each saw the count with its own vote in it: the twenty answers are 1..20 in some order.
        self.assertEqual(sorted(r[1]["vote_count"] for r in results), list(range(1, 21)))
        question.refresh_from_db()
        self.assertEqual(question.vote_count, 20)
        self.assertEqual(Vote.objects.filter(question=question).count(), 20)

        results = all_at_once("delete")
        self.assertEqual([r[0] for r in results], [200] * 20, results)
        question.refresh_from_db()
        self.assertEqual(question.vote_count, 0)
        self.assertEqual(Vote.objects.filter(question=question).count(), 0)
        self.assertEqual(sorted(r[1]["vote_count"] for r in results), list(range(20)))
