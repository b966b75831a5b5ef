"""The directory in the admin: list with the stale column and filter, the hours inline, the actions."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from kinship.core import factories
from kinship.core.testing import KinshipTestCase
from kinship.library.models import Resource
from kinship.library.tests.resources_support import make_resource

CHANGELIST = reverse("admin:library_resource_changelist")


class ResourceAdminTests(KinshipTestCase):
    def setUp(self):
        self.admin = factories.make_user(is_staff=True, is_superuser=True)
        self.client.force_login(self.admin)

    def test_changelist_filters_stale_entries(self):
        make_resource(name="Old line", reviewed_at=timezone.now() - timedelta(days=400))
        make_resource(name="Fresh line", reviewed_at=timezone.now())
        response = self.client.get(CHANGELIST, {"stale": "yes"})
        self.assertContains(response, "Old line")
        self.assertNotContains(response, "Fresh line")
        response = self.client.get(CHANGELIST, {"stale": "no"})
        self.assertContains(response, "Fresh line")
        self.assertNotContains(response, "Old line")

    def test_change_page_has_the_hours_inline(self):
        resource = make_resource(hours=[(0, "09:00", "17:00")])
        response = self.client.get(reverse("admin:library_resource_change", args=[resource.pk]))
        self.assertContains(response, "hours-0-weekday")

    def test_admin_form_checks_zone_and_languages(self):
        resource = make_resource()
        url = reverse("admin:library_resource_change", args=[resource.pk])
        data = {
            "kind": "helpline", "name": "Line", "timezone": "Mars/Base", "languages": "english",
            "hours-TOTAL_FORMS": "0", "hours-INITIAL_FORMS": "0", "hours-MIN_NUM_FORMS": "0",
            "hours-MAX_NUM_FORMS": "28", "active": "on",
        }  # fmt: skip
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        errors = response.context["adminform"].form.errors
        self.assertIn("timezone", errors)
        self.assertIn("languages", errors)

    def test_actions_mark_reviewed_verified_and_deactivate(self):
        resource = make_resource(reviewed_at=None)
        for action in ("mark_reviewed", "mark_verified", "deactivate"):
            self.client.post(CHANGELIST, {"action": action, "_selected_action": [resource.pk]})
        resource.refresh_from_db()
        self.assertIsNotNone(resource.reviewed_at)
        self.assertEqual(resource.verified_by, self.admin)
        self.assertFalse(resource.active)

    def test_members_never_reach_the_admin(self):
        self.client.force_login(self.cast.member)
        self.assertEqual(self.client.get(CHANGELIST).status_code, 302)
        self.assertEqual(Resource.objects.count(), 0)
