"""API: writes answer with `crisis_help` (null, or helplines) and are never blocked by crisis words."""

from django.core.cache import cache

from kinship.api.tests.base import ApiTestCase
from kinship.core import factories
from kinship.discussions.models import Post
from kinship.library.models import Resource
from kinship.safety.models import CrisisAlert
from kinship.safety.tests.test_crisis_alerts import CALM, CRISIS, SPANISH


class CrisisHelpApiTests(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        cache.clear()
        self.topic = factories.make_topic(circle=self.cast.circle, author=self.cast.facilitator)

    def test_reply_with_crisis_words_is_created_with_helplines(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            response = self.api(
                "post", f"/topics/{self.topic.pk}/replies", user=self.cast.member, json_body={"body": CRISIS}
            )
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        names = [line["name"] for line in body["crisis_help"]["helplines"]]
        self.assertIn("Samaritans", names)
        self.assertIsNone(body["crisis_help"]["helplines"][0]["id"])
        self.assertTrue(Post.objects.filter(pk=body["id"], body=CRISIS).exists())
        self.assertEqual(CrisisAlert.objects.get().source_id, body["id"])

    def test_ordinary_words_answer_null(self) -> None:
        response = self.api("post", f"/topics/{self.topic.pk}/replies", user=self.cast.member, json_body={"body": CALM})
        self.assertEqual(response.status_code, 201)
        self.assertIsNone(response.json()["crisis_help"])

    def test_reads_carry_no_crisis_help(self) -> None:
        response = self.api("get", f"/topics/{self.topic.pk}", user=self.cast.member)
        self.assertNotIn("crisis_help", response.json())

    def test_topic_and_edit_answer_with_directory_helplines_by_language(self) -> None:
        english = Resource.objects.create(kind=Resource.HELPLINE, name="Aaa line", languages="en", phone="0800 1")
        spanish = Resource.objects.create(kind=Resource.HELPLINE, name="Zzz linea", languages="es", phone="0800 2")
        Resource.objects.create(kind=Resource.HELPLINE, name="Closed down", active=False)
        response = self.api(
            "post",
            f"/circles/{self.cast.circle.slug}/topics",
            user=self.cast.member,
            json_body={"title": "Tonight", "body": SPANISH},
        )
        self.assertEqual(response.status_code, 201, response.content)
        lines = response.json()["crisis_help"]["helplines"]
        self.assertEqual([line["id"] for line in lines], [spanish.pk, english.pk])
        self.assertEqual(lines[0]["tel_url"], "tel:08002")
        opening = Post.objects.get(topic_id=response.json()["id"], is_opening=True)
        response = self.api("patch", f"/posts/{opening.pk}", user=self.cast.member, json_body={"body": CRISIS})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual([line["id"] for line in response.json()["crisis_help"]["helplines"]], [english.pk, spanish.pk])

    def test_message_question_and_check_in_answer_with_help(self) -> None:
        peer = factories.make_member(self.cast.circle)
        response = self.api(
            "post", "/conversations", user=self.cast.member, json_body={"user_id": peer.pk, "body": CRISIS}
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertTrue(response.json()["crisis_help"]["helplines"])
        conversation_id = response.json()["id"]
        response = self.api("post", f"/conversations/{conversation_id}/messages", user=peer, json_body={"body": CALM})
        self.assertEqual(response.status_code, 201, response.content)
        self.assertIsNone(response.json()["crisis_help"])
        event = factories.make_event(circle=self.cast.circle, facilitator=self.cast.facilitator)
        response = self.api("post", f"/events/{event.pk}/questions", user=self.cast.member, json_body={"body": CRISIS})
        self.assertEqual(response.status_code, 201, response.content)
        self.assertTrue(response.json()["crisis_help"]["helplines"])
        response = self.api(
            "post", "/journal/checkins", user=self.cast.member, json_body={"distress": 1, "pain": 0, "note": CRISIS}
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertTrue(response.json()["crisis_help"]["helplines"])
        self.assertIsNone(response.json()["help"])

    def test_bad_input_is_422_with_nothing_saved_and_no_alert(self) -> None:
        path = f"/topics/{self.topic.pk}/replies"
        for payload in ({"body": CRISIS * 2000}, {"body": None}, {"body": ["x"]}, {"body": 7}, {}):
            with self.captureOnCommitCallbacks(execute=True):
                response = self.api("post", path, user=self.cast.member, json_body=payload)
            self.assertProblem(response, 422)
        self.assertFalse(CrisisAlert.objects.exists())
        self.assertEqual(Post.objects.filter(topic=self.topic).count(), 1)

    def test_forbidden_writes_give_no_help_and_no_alert(self) -> None:
        private = factories.make_circle(visibility="private")
        topic = factories.make_topic(circle=private)
        response = self.api("post", f"/topics/{topic.pk}/replies", user=self.cast.member, json_body={"body": CRISIS})
        self.assertProblem(response, 404)
        self.assertFalse(CrisisAlert.objects.exists())
