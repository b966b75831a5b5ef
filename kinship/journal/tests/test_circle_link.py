"""The circle page leads its facilitators, and only them, to the circle's wellbeing page."""

from django.urls import reverse

from kinship.core.testing import KinshipTestCase


class WellbeingLinkTests(KinshipTestCase):
    def test_only_the_circles_facilitators_see_the_link(self) -> None:
        url = self.cast.circle.get_absolute_url()
        link = reverse("journal:circle-wellbeing", args=[self.cast.circle.slug])
        self.client.force_login(self.cast.facilitator)
        self.assertContains(self.client.get(url), link)
        for other in [self.cast.member, self.cast.staff, self.cast.outsider]:
            with self.subTest(user=other.display_name):
                self.client.force_login(other)
                self.assertNotContains(self.client.get(url), link)
