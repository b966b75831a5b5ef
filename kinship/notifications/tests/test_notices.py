"""In-app notices: the page, the API, and that nobody reads another's."""

from django.urls import reverse

from kinship.api.tests.base import ApiTestCase
from kinship.notifications.models import Notice
from kinship.notifications.notices import notify


class NoticePageTests(ApiTestCase):
    def test_member_sees_own_notices_only_and_marks_them_read(self):
        notify(self.cast.member, "warning", "Please be kind <b>now</b>", "/c/x/")
        notify(self.cast.outsider, "warning", "Someone else's notice")
        self.client.force_login(self.cast.member)
        response = self.client.get(reverse("notifications:notices"))
        self.assertContains(response, "Please be kind &lt;b&gt;now&lt;/b&gt;")
        self.assertNotContains(response, "Someone else")
        self.assertEqual(self.client.post(reverse("notifications:notices-read")).status_code, 302)
        self.assertFalse(Notice.objects.filter(user=self.cast.member, read_at__isnull=True).exists())
        self.assertTrue(Notice.objects.filter(user=self.cast.outsider, read_at__isnull=True).exists())

    def test_visitors_sign_in_and_a_bad_cursor_is_not_a_500(self):
        self.assertEqual(self.client.get(reverse("notifications:notices")).status_code, 302)
        self.client.force_login(self.cast.member)
        self.assertLess(self.client.get(reverse("notifications:notices") + "?cursor=%00zz").status_code, 500)

    def test_page_queries_stay_flat(self):
        self.client.force_login(self.cast.member)
        notify(self.cast.member, "warning", "One")
        with self.assertNumQueries(3):
            self.client.get(reverse("notifications:notices"))
        for i in range(25):
            notify(self.cast.member, "warning", f"More {i}")
        with self.assertNumQueries(3):
            self.client.get(reverse("notifications:notices"))


class NoticeApiTests(ApiTestCase):
    def test_list_and_read_by_ids(self):
        mine = notify(self.cast.member, "report_outcome", "Thank you")
        theirs = notify(self.cast.outsider, "warning", "Not yours")
        data = self.api("get", "/notifications", user=self.cast.member).json()
        self.assertEqual([n["id"] for n in data["items"]], [mine.pk])
        self.assertEqual(data["unread_count"], 1)
        response = self.api(
            "post", "/notifications/read", user=self.cast.member, json_body={"ids": [mine.pk, theirs.pk]}
        )
        self.assertEqual(response.json(), {"marked": 1})
        theirs.refresh_from_db()
        self.assertIsNone(theirs.read_at)
        self.assertTrue(self.api("get", "/notifications", user=self.cast.member).json()["items"][0]["read"])

    def test_read_all_and_bad_input(self):
        notify(self.cast.member, "warning", "A")
        notify(self.cast.member, "warning", "B")
        self.assertProblem(self.api("post", "/notifications/read", json_body={}), 401)
        for bad in (
            {"ids": "1"},
            {"ids": [0]},
            {"ids": ["1"]},
            {"ids": [None]},
            {"ids": list(range(1, 200))},
            {"x": 1},
        ):
            self.assertProblem(self.api("post", "/notifications/read", user=self.cast.member, json_body=bad), 422)
        self.assertEqual(Notice.objects.filter(read_at__isnull=False).count(), 0)
        self.assertEqual(
            self.api("post", "/notifications/read", user=self.cast.member, json_body={}).json(), {"marked": 2}
        )
        self.assertProblem(self.api("get", "/notifications?limit=abc", user=self.cast.member), 422)
        self.assertLess(self.api("get", "/notifications?cursor=%E2%80%8B", user=self.cast.member).status_code, 500)

    def test_list_queries_stay_flat(self):
        self.api("get", "/notifications", user=self.cast.member)
        with self.assertNumQueries(3):
            self.api("get", "/notifications", user=self.cast.member)
        for i in range(30):
            notify(self.cast.member, "warning", f"N {i}")
        with self.assertNumQueries(3):
            self.api("get", "/notifications", user=self.cast.member)
