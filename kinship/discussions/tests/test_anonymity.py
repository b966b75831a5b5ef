"""Anonymous posts: try every page a member can reach for any trace of the author."""

import re

from django.urls import reverse

from kinship.core import factories
from kinship.core.testing import KinshipTestCase
from kinship.discussions import services


class AnonymousAuthorTests(KinshipTestCase):
    def setUp(self):
        self.secret = factories.make_member(self.cast.circle, display_name="Quentin Quietly")
        self.topic = factories.make_topic(
            circle=self.cast.circle, author=self.secret, anonymous=True, title="Scared of the next scan"
        )
        self.reply = services.post_reply(author=self.secret, topic=self.topic, body="Still scared.", anonymous=True)
        services.react(member=self.secret, post=self.reply, kind="strength")
        services.edit_post(editor=self.secret, post=self.reply, changes={"body": "Still scared, edited."})

    def traces(self):
        user = self.secret
        return [
            user.display_name,
            user.email,
            f"/accounts/people/{user.pk}/",
            f'data-user="{user.pk}"',
            "Quentin",
            ">QQ<",  # the initials avatar
        ]

    def pages(self):
        return [
            "/",
            reverse("circles:circle-list"),
            self.cast.circle.get_absolute_url(),
            self.topic.get_absolute_url(),
            self.topic.get_absolute_url() + "?last=1",
        ]

    def assert_no_trace(self, content: str, who: str):
        for trace in self.traces():
            self.assertNotIn(trace, content, f"{trace!r} leaked to {who}")

    def test_members_outsiders_and_visitors_never_see_the_author(self):
        for viewer in (self.cast.member, self.cast.outsider, None):
            if viewer:
                self.client.force_login(viewer)
            else:
                self.client.logout()
            for url in self.pages():
                response = self.client.get(url)
                self.assert_no_trace(response.content.decode(), f"{viewer} on {url}")

    def test_members_see_anonymous_member_label(self):
        self.client.force_login(self.cast.member)
        self.assertContains(self.client.get(self.topic.get_absolute_url()), ">Anonymous member</strong>", count=2)

    def test_facilitators_and_staff_see_the_author(self):
        for viewer in (self.cast.facilitator, self.cast.staff):
            self.client.force_login(viewer)
            page = self.client.get(self.topic.get_absolute_url()).content.decode()
            self.assertIn("Posted anonymously by Quentin Quietly", page)
            self.assertNotIn(self.secret.email, page)

    def test_author_is_not_identified_through_edit_links_for_others(self):
        self.client.force_login(self.cast.member)
        page = self.client.get(self.topic.get_absolute_url()).content.decode()
        self.assertNotIn(reverse("discussions:post-edit", args=[self.reply.pk]), page)
        self.assertIsNone(re.search(r"avatars/", page))


class EmailNeverShownTests(KinshipTestCase):
    def test_full_flow_never_shows_emails_to_others(self):
        topic = factories.make_topic(circle=self.cast.circle, author=self.cast.member, replies=3)
        factories.make_replies(topic, count=1, author=self.cast.facilitator)
        emails = [self.cast.member.email, self.cast.facilitator.email, self.cast.pending.email]
        urls = [
            "/",
            "/circles/",
            self.cast.circle.get_absolute_url(),
            topic.get_absolute_url(),
            reverse("circles:member-list", args=[self.cast.circle.slug]),
            reverse("accounts:profile", args=[self.cast.member.pk]),
            reverse("accounts:profile", args=[self.cast.facilitator.pk]),
        ]
        for viewer in (self.cast.outsider, self.cast.staff):
            self.client.force_login(viewer)
            for url in urls:
                content = self.client.get(url).content.decode()
                for email in emails:
                    self.assertNotIn(email, content, f"{email} shown to {viewer} on {url}")
                    self.assertNotIn(email.replace("@", "%40"), content)
