from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinship.circles.models import Circle
from kinship.core import factories
from kinship.core.testing import KinshipTestCase


class CorePageTests(KinshipTestCase):
    def test_visitor_home_invites_to_join_and_lists_no_hidden_circle(self):
        hidden = factories.make_circle(visibility=Circle.HIDDEN, name="Hidden haven")
        response = self.client.get("/")
        self.assertContains(response, "Join Kinship")
        self.assertContains(response, self.cast.circle.name)
        self.assertNotContains(response, hidden.name)

    def test_member_home_lists_their_circles_first(self):
        self.client.force_login(self.cast.member)
        response = self.client.get("/")
        self.assertEqual([c.pk for c in response.context["my_circles"]], [self.cast.circle.pk])

    def test_terms_show_the_version_members_accept(self):
        self.assertContains(self.client.get("/terms/"), settings.TERMS_VERSION)
        self.assertEqual(self.client.get("/privacy/").status_code, 200)

    def test_health_and_floor_pages(self):
        self.assertEqual(self.client.get("/healthz").content, b"ok")
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get("/floor/").status_code, 200)
        self.assertEqual(len(queries), 0)

    def test_unknown_page_is_a_friendly_404(self):
        response = self.client.get("/no/such/page/\u202e\x7f")
        self.assertContains(response, "Page not found", status_code=404)

    def test_oversized_form_post_is_refused_without_a_500(self):
        self.client.force_login(self.cast.member)
        response = self.client.post("/accounts/login/", {"email": "x" * 3_000_000, "password": "y"})
        self.assertIn(response.status_code, (400, 413))


class ServerErrorPageTests(KinshipTestCase):
    def test_error_page_needs_no_database_and_no_signed_in_user(self):
        from django.test import RequestFactory
        from django.utils.functional import SimpleLazyObject

        from kinship.core.views import server_error

        def broken_user():
            raise RuntimeError("the database is down")

        request = RequestFactory().get("/")
        request.user = SimpleLazyObject(broken_user)
        with self.assertNumQueries(0):
            response = server_error(request)
        self.assertEqual(response.status_code, 500)
        self.assertIn(b"Something went wrong", response.content)
