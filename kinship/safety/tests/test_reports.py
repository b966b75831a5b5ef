"""Reporting a post or a member: pages and service."""

from django.urls import reverse

from kinship.circles.models import Circle
from kinship.core import factories
from kinship.core.testing import KinshipTestCase
from kinship.safety.models import Report

ODD_IDS = ["\u0661\u0662", "99999999999999999999", "abc", "-1", "0"]


class PostReportPageTests(KinshipTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.topic = factories.make_topic(circle=cls.cast.circle, author=cls.cast.facilitator)
        cls.post = cls.topic.posts.get()
        cls.url = reverse("safety:post-report", args=[cls.post.pk])

    def test_member_reports_a_post_and_the_facilitators_queue_has_it(self):
        self.client.force_login(self.cast.member)
        self.assertEqual(self.client.get(self.url).status_code, 200)
        response = self.client.post(self.url, {"reason": "harassment", "detail": "Unkind words"})
        self.assertEqual(response.status_code, 302)
        report = Report.objects.get()
        self.assertEqual(
            (report.reporter, report.target_type, report.target_id, report.circle, report.subject, report.status),
            (self.cast.member, "post", self.post.pk, self.cast.circle, self.cast.facilitator, "open"),
        )

    def test_a_second_open_report_is_refused_with_409(self):
        self.client.force_login(self.cast.member)
        self.client.post(self.url, {"reason": "spam"})
        response = self.client.post(self.url, {"reason": "spam"})
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "already reported", status_code=409)
        self.assertEqual(Report.objects.count(), 1)

    def test_bad_reason_or_detail_re_renders_the_form_and_saves_nothing(self):
        self.client.force_login(self.cast.member)
        for data in (
            {},
            {"reason": "cake"},
            {"reason": "spam", "detail": "x" * 1001},
            {"reason": "spam", "detail": "a\x00b"},
        ):
            response = self.client.post(self.url, data)
            self.assertEqual(response.status_code, 422, data)
            self.assertContains(response, "errorlist", status_code=422)
        self.assertFalse(Report.objects.exists())

    def test_own_post_and_unreadable_posts_are_404(self):
        self.client.force_login(self.cast.facilitator)
        self.assertEqual(self.client.post(self.url, {"reason": "spam"}).status_code, 404)
        hidden = factories.make_circle(visibility=Circle.HIDDEN)
        secret = factories.make_topic(circle=hidden).posts.get()
        self.client.force_login(self.cast.outsider)
        self.assertEqual(
            self.client.post(reverse("safety:post-report", args=[secret.pk]), {"reason": "spam"}).status_code, 404
        )
        for odd in ODD_IDS:
            self.assertEqual(self.client.get(f"/posts/{odd}/report/").status_code, 404)
        self.assertFalse(Report.objects.exists())

    def test_visitors_are_sent_to_sign_in(self):
        self.assertEqual(self.client.get(self.url).status_code, 302)

    def test_the_topic_page_shows_a_report_link_to_others_only(self):
        self.client.force_login(self.cast.member)
        self.assertContains(self.client.get(self.topic.get_absolute_url()), self.url)
        self.client.force_login(self.cast.facilitator)
        self.assertNotContains(self.client.get(self.topic.get_absolute_url()), self.url)


class PersonReportPageTests(KinshipTestCase):
    def url(self, user):
        return reverse("safety:person-report", args=[user.pk])

    def test_member_reports_someone_of_their_circle_to_staff(self):
        self.client.force_login(self.cast.member)
        self.assertEqual(self.client.get(self.url(self.cast.facilitator)).status_code, 200)
        response = self.client.post(self.url(self.cast.facilitator), {"reason": "harassment"})
        self.assertEqual(response.status_code, 302)
        report = Report.objects.get()
        self.assertEqual((report.target_type, report.circle, report.subject), ("user", None, self.cast.facilitator))

    def test_strangers_themselves_and_odd_ids_are_404(self):
        self.client.force_login(self.cast.member)
        for person in (self.cast.outsider, self.cast.member):
            self.assertEqual(self.client.post(self.url(person), {"reason": "spam"}).status_code, 404)
        self.assertEqual(self.client.get("/accounts/people/99999999999/report/").status_code, 404)
        self.assertFalse(Report.objects.exists())

    def test_bad_input_is_422(self):
        self.client.force_login(self.cast.member)
        response = self.client.post(self.url(self.cast.facilitator), {"reason": ["spam", "hate"], "detail": "é" * 2000})
        self.assertEqual(response.status_code, 422)
        self.assertFalse(Report.objects.exists())
