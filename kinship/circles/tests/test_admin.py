from kinship.accounts.models import User
from kinship.circles.models import Circle
from kinship.core.factories import give_two_factor
from kinship.core.testing import KinshipTestCase


class CircleAdminTests(KinshipTestCase):
    def test_staff_creates_circle_in_the_admin(self):
        admin = User.objects.create_superuser(email="admin@example.org", password="x", display_name="Admin")
        give_two_factor(admin)  # the admin is a staff power: it needs two-step sign-in
        self.client.force_login(admin)
        self.assertEqual(self.client.get("/admin/circles/circle/add/").status_code, 200)
        response = self.client.post(
            "/admin/circles/circle/add/",
            {
                "name": "Ewing sarcoma",
                "slug": "ewing",
                "description": "d",
                "guidelines": "g",
                "visibility": "private",
                "join_policy": "approval",
                "premoderate_posts": "0",
                "memberships-TOTAL_FORMS": "0",
                "memberships-INITIAL_FORMS": "0",
            },
        )
        self.assertEqual(response.status_code, 302, response.content[:2000])
        self.assertEqual(Circle.objects.get(slug="ewing").created_by, admin)

    def test_members_cannot_reach_the_admin(self):
        self.client.force_login(self.cast.member)
        self.assertEqual(self.client.get("/admin/circles/circle/add/").status_code, 302)
        self.assertFalse(Circle.objects.filter(slug="ewing").exists())
