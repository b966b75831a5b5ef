import json

from django.urls import reverse

from kinship.api.tests.base import ApiTestCase
from kinship.core import factories
from kinship.core.testing import KinshipTestCase
from kinship.safety import data_rights
from kinship.safety.models import AuditEntry
from kinship.safety.tests.data_rights_support import MINE, OTHERS, plant


class ExportContentTests(KinshipTestCase):
    def setUp(self) -> None:
        self.planted = plant(self.cast.member, circle=self.cast.circle, facilitator=self.cast.facilitator)
        self.document = data_rights.export_for(self.planted.member)
        self.text = json.dumps(self.document, default=str)

    def test_every_kind_of_thing_the_member_made_is_in_it(self):
        missing = [word for word in MINE if word not in self.text]
        self.assertEqual(missing, [])

    def test_nothing_private_of_anyone_else_is_in_it(self):
        leaked = [word for word in OTHERS if word in self.text]
        self.assertEqual(leaked, [])

    def test_other_peoples_email_addresses_are_not_in_it(self):
        for person in (self.planted.other, self.cast.facilitator, self.cast.staff):
            self.assertNotIn(person.email, self.text)
        self.assertIn(self.cast.member.email, self.text)

    def test_anonymous_posts_are_the_members_own(self):
        anonymous = [p for p in self.document["posts"] if p["anonymous"]]
        self.assertEqual([p["body"] for p in anonymous], ["MineanonQx"])

    def test_conversation_names_the_other_person_and_holds_only_the_members_messages(self):
        (conversation,) = self.document["conversations"]
        self.assertEqual(conversation["with"], "Olive Other")
        self.assertEqual([m["body"] for m in conversation["messages_i_sent"]], ["MinemessageQx"])

    def test_consent_history_and_journal_are_in_it(self):
        self.assertEqual(self.document["journal"]["checkins"][0]["note"], "MinecheckinQx")
        self.assertEqual(self.document["profile"]["email"], self.cast.member.email)
        self.assertEqual(self.document["email_preferences"]["new_messages"], False)

    def test_no_secrets_of_the_account_itself(self):
        # Hashes and keys are not the member's data and would only help an attacker who got the file.
        for key in ("password", "key_hash", "session_key", "secret", "code_hash"):
            self.assertNotIn(f'"{key}"', self.text)
        self.assertNotIn(f"{self.planted.other.pk:k>40}", self.text)


class ExportQueryTests(KinshipTestCase):
    def _second_circle(self):
        circle = factories.make_circle()
        factories.add_member(circle, self.cast.member)
        factories.add_member(circle, self.cast.facilitator, role="facilitator")
        return circle

    def test_download_queries_stay_flat(self):
        member = self.cast.member
        plant(member, circle=self.cast.circle, facilitator=self.cast.facilitator)
        self.client.force_login(member)
        url = reverse("data_rights:data-download")
        with self.assertNumQueries(DOWNLOAD_QUERIES):
            self.client.post(url)
        plant(member, circle=self._second_circle(), facilitator=self.cast.facilitator)
        with self.assertNumQueries(DOWNLOAD_QUERIES):
            self.client.post(url)

    def test_export_query_count_is_fixed(self):
        member = self.cast.member
        plant(member, circle=self.cast.circle, facilitator=self.cast.facilitator)
        with self.assertNumQueries(EXPORT_QUERIES):
            data_rights.export_for(member)
        plant(member, circle=self._second_circle(), facilitator=self.cast.facilitator)
        with self.assertNumQueries(EXPORT_QUERIES):
            data_rights.export_for(member)


EXPORT_QUERIES = 31
DOWNLOAD_QUERIES = 36


class DataPageTests(KinshipTestCase):
    def test_member_sees_what_is_kept_and_their_consents(self):
        self.client.force_login(self.cast.member)
        from kinship.accounts import consents

        consents.record(user=self.cast.member)
        response = self.client.get(reverse("data_rights:data"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Download my data")
        self.assertContains(response, "Privacy notice, version test")

    def test_visitor_is_sent_to_sign_in(self):
        response = self.client.get(reverse("data_rights:data"))
        self.assertEqual(response.status_code, 302)
        self.assertIn("/accounts/login/", response["Location"])
        response = self.client.post(reverse("data_rights:data-download"))
        self.assertEqual(response.status_code, 302)

    def test_data_page_queries_stay_flat(self):
        from kinship.accounts import consents

        member = self.cast.member
        self.client.force_login(member)
        consents.record(user=member)
        self.client.get(reverse("data_rights:data"))
        with self.assertNumQueries(PAGE_QUERIES):
            self.client.get(reverse("data_rights:data"))
        for _ in range(10):
            consents.record(user=member)
        with self.assertNumQueries(PAGE_QUERIES):
            self.client.get(reverse("data_rights:data"))

    def test_download_is_a_json_attachment_and_is_audited(self):
        self.client.force_login(self.cast.member)
        response = self.client.post(reverse("data_rights:data-download"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/json; charset=utf-8")
        self.assertRegex(
            response["Content-Disposition"], r'^attachment; filename="kinship-data-\d{4}-\d\d-\d\d\.json"$'
        )
        self.assertEqual(response["Cache-Control"], "no-store")
        self.assertEqual(json.loads(response.content)["profile"]["id"], self.cast.member.pk)
        entry = AuditEntry.objects.get(action="data_export")
        self.assertEqual((entry.actor_id, entry.target_id), (self.cast.member.pk, self.cast.member.pk))

    def test_download_by_get_is_refused_and_nothing_is_audited(self):
        self.client.force_login(self.cast.member)
        response = self.client.get(reverse("data_rights:data-download"))
        self.assertEqual(response.status_code, 405)
        self.assertFalse(AuditEntry.objects.filter(action="data_export").exists())

    def test_each_member_downloads_only_their_own(self):
        plant(self.cast.member, circle=self.cast.circle, facilitator=self.cast.facilitator)
        self.client.force_login(self.cast.outsider)
        body = self.client.post(reverse("data_rights:data-download")).content.decode()
        self.assertEqual([w for w in MINE if w in body], [])


PAGE_QUERIES = 3


class ExportApiTests(ApiTestCase):
    def test_member_gets_their_export(self):
        plant(self.cast.member, circle=self.cast.circle, facilitator=self.cast.facilitator)
        response = self.api("GET", "/me/export", user=self.cast.member)
        self.assertEqual(response.status_code, 200)
        text = response.content.decode()
        self.assertEqual([w for w in MINE if w not in text], [])
        self.assertEqual([w for w in OTHERS if w in text], [])
        self.assertTrue(AuditEntry.objects.filter(action="data_export", target_id=self.cast.member.pk).exists())

    def test_without_a_token_it_is_401(self):
        self.assertProblem(self.api("GET", "/me/export"), 401)

    def test_a_bad_token_is_401(self):
        response = self.api("GET", "/me/export", headers={"Authorization": "Bearer nope\u0661"})
        self.assertProblem(response, 401)

    def test_export_in_the_openapi_document(self):
        paths = self.api("GET", "/openapi.json").json()["paths"]
        self.assertIn("get", paths["/api/v1/me/export"])
        self.assertIn("delete", paths["/api/v1/me"])
