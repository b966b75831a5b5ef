import datetime

from django.urls import reverse

from kinship.accounts.models import User
from kinship.circles.models import Circle
from kinship.core import factories
from kinship.core.testing import KinshipTestCase

SHARED_DIAGNOSIS = "Chondrosarcoma, grade two"
SHARED_BODY_SITE = "Right proximal tibia"
PRIVATE_SURGERY_TYPE = "Rotationplasty"
PRIVATE_SURGERY_DATE = "July 21, 2019"  # as the page renders the date


class ProfilePageTests(KinshipTestCase):
    """Who may open /accounts/people/<id>/ and which recovery fields each one sees."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        person = cls.cast.member
        person.bio = "Back on my bike <script>alert(1)</script>"
        person.diagnosis, person.diagnosis_visibility = SHARED_DIAGNOSIS, User.MY_CIRCLES
        person.body_site, person.body_site_visibility = SHARED_BODY_SITE, User.MY_CIRCLES
        person.surgery_type, person.surgery_type_visibility = "rotationplasty", User.ONLY_ME
        person.surgery_date, person.surgery_date_visibility = datetime.date(2019, 7, 21), User.ONLY_ME
        person.save()
        cls.person = person

    def view(self, viewer, person=None):
        if viewer is not None:
            self.client.force_login(viewer)
        return self.client.get(reverse("accounts:profile", args=[(person or self.person).pk]))

    def assertSeesOnlyShared(self, response):
        self.assertContains(response, self.person.display_name)
        self.assertContains(response, SHARED_DIAGNOSIS)
        self.assertContains(response, SHARED_BODY_SITE)
        self.assertNotContains(response, PRIVATE_SURGERY_TYPE)
        self.assertNotContains(response, PRIVATE_SURGERY_DATE)

    def assertSeesNoRecovery(self, response):
        for text in (SHARED_DIAGNOSIS, SHARED_BODY_SITE, PRIVATE_SURGERY_TYPE, PRIVATE_SURGERY_DATE, "Recovery"):
            self.assertNotContains(response, text, status_code=response.status_code)

    def test_visitor_is_sent_to_sign_in(self):
        url = reverse("accounts:profile", args=[self.person.pk])
        response = self.client.get(url)
        self.assertRedirects(response, f"{reverse('accounts:login')}?next={url}", fetch_redirect_response=False)

    def test_owner_sees_every_recovery_field(self):
        response = self.view(self.person)
        for text in (
            SHARED_DIAGNOSIS,
            SHARED_BODY_SITE,
            PRIVATE_SURGERY_TYPE,
            PRIVATE_SURGERY_DATE,
            "Edit your profile",
        ):
            self.assertContains(response, text)

    def test_member_of_a_shared_circle_sees_only_fields_shared_with_circles(self):
        response = self.view(factories.make_member(self.cast.circle))
        self.assertSeesOnlyShared(response)
        self.assertNotContains(response, "Edit your profile")

    def test_facilitator_of_a_shared_circle_sees_only_fields_shared_with_circles(self):
        self.assertSeesOnlyShared(self.view(self.cast.facilitator))

    def test_unverified_member_of_a_shared_circle_sees_only_shared_fields(self):
        self.assertSeesOnlyShared(self.view(self.cast.unverified))

    def test_only_me_fields_stay_hidden_from_everyone_else(self):
        User.objects.filter(pk=self.person.pk).update(
            diagnosis_visibility=User.ONLY_ME, body_site_visibility=User.ONLY_ME
        )
        self.assertSeesNoRecovery(self.view(self.cast.facilitator))

    def test_empty_fields_shared_with_circles_show_nothing(self):
        User.objects.filter(pk=self.person.pk).update(diagnosis="", body_site="")
        self.assertSeesNoRecovery(self.view(self.cast.facilitator))

    def test_outsider_sharing_no_circle_gets_404(self):
        response = self.view(self.cast.outsider)
        self.assertEqual(response.status_code, 404)
        self.assertSeesNoRecovery(response)
        self.assertNotContains(response, self.person.display_name, status_code=404)

    def test_member_of_a_different_circle_gets_404(self):
        self.assertEqual(self.view(factories.make_member(factories.make_circle())).status_code, 404)

    def test_pending_member_of_the_same_circle_gets_404(self):
        self.assertEqual(self.view(self.cast.pending).status_code, 404)

    def test_person_who_is_only_pending_is_not_shown_to_the_circle(self):
        self.assertEqual(self.view(self.cast.member, person=self.cast.pending).status_code, 404)

    def test_former_circle_mate_gets_404_after_leaving(self):
        mate = factories.make_member(self.cast.circle)
        self.assertEqual(self.view(mate).status_code, 200)
        mate.memberships.all().delete()
        self.assertEqual(self.view(mate).status_code, 404)

    def test_hidden_circle_members_see_each_other(self):
        hidden = factories.make_circle(visibility=Circle.HIDDEN)
        factories.add_member(hidden, self.cast.outsider)
        factories.add_member(hidden, self.person)
        self.assertSeesOnlyShared(self.view(self.cast.outsider))

    def test_staff_sharing_no_circle_see_the_page_but_no_recovery_fields(self):
        # Health details reach staff through the audited admin, not through a member's page.
        response = self.view(self.cast.staff)
        self.assertContains(response, self.person.display_name)
        self.assertSeesNoRecovery(response)

    def test_staff_sharing_a_circle_see_what_circle_mates_see(self):
        factories.add_member(self.cast.circle, self.cast.staff)
        self.assertSeesOnlyShared(self.view(self.cast.staff))

    def test_deactivated_person_gets_404(self):
        User.objects.filter(pk=self.person.pk).update(is_active=False)
        self.assertEqual(self.view(self.cast.facilitator).status_code, 404)

    def test_bio_is_shown_escaped(self):
        response = self.view(self.cast.facilitator)
        self.assertContains(response, "Back on my bike &lt;script&gt;alert(1)&lt;/script&gt;")
        self.assertNotContains(response, "<script>alert(1)</script>")

    def test_unknown_and_absurd_ids_get_404(self):
        self.client.force_login(self.cast.member)
        for raw in (
            "999999",
            "0",
            "-1",
            "9223372036854775807",
            "9223372036854775808",
            "9" * 40,
            "1e3",
            "abc",
            "%00",
            "1%00",
            "%E2%80%AE1",
            "\U0001f9b4",
        ):
            with self.subTest(raw=raw):
                response = self.client.get(f"/accounts/people/{raw}/")
                self.assertEqual(response.status_code, 404)

    def test_page_queries_stay_flat_however_many_circles_people_share(self):
        viewer = self.cast.facilitator
        self.client.force_login(viewer)
        url = reverse("accounts:profile", args=[self.person.pk])
        self.client.get(url)  # warm the session
        # 6: the last is whether this person blocked the viewer (peers.Block hides recovery context).
        with self.assertNumQueries(6):
            self.assertEqual(self.client.get(url).status_code, 200)
        for _ in range(15):
            circle = factories.make_circle()
            factories.add_member(circle, viewer)
            factories.add_member(circle, self.person)
            factories.add_member(circle, factories.make_user())
        with self.assertNumQueries(6):
            self.assertSeesOnlyShared(self.client.get(url))

    def test_own_page_queries_stay_flat(self):
        self.client.force_login(self.person)
        url = reverse("accounts:profile", args=[self.person.pk])
        self.client.get(url)
        with self.assertNumQueries(3):
            self.client.get(url)
        for _ in range(10):
            factories.add_member(factories.make_circle(), self.person)
        with self.assertNumQueries(3):
            self.client.get(url)
