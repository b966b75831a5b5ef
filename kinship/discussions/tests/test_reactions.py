from django.urls import reverse

from kinship.core import factories
from kinship.core.testing import KinshipTestCase
from kinship.discussions.models import Post, Reaction


class ReactionTests(KinshipTestCase):
    def setUp(self):
        self.topic = factories.make_topic(circle=self.cast.circle, author=self.cast.facilitator)
        self.post = self.topic.posts.get()

    def react(self, user, kind="strength", on="1"):
        self.client.force_login(user)
        return self.client.post(reverse("discussions:post-react", args=[self.post.pk]), {"reaction": f"{kind}:{on}"})

    def counts(self):
        return Post.objects.get(pk=self.post.pk).reaction_counts()

    def test_one_of_each_kind_per_member_and_counts_shown(self):
        self.react(self.cast.member)
        self.react(self.cast.member)
        self.react(self.cast.member, kind="me_too")
        self.assertEqual(self.counts(), {"strength": 1, "me_too": 1, "celebrate": 0})
        self.assertEqual(Reaction.objects.filter(post=self.post, user=self.cast.member).count(), 2)
        page = self.client.get(self.topic.get_absolute_url())
        self.assertContains(page, 'aria-pressed="true">Sending strength <span class="count">1</span>', html=False)

    def test_unreact_takes_it_back(self):
        self.react(self.cast.member)
        self.react(self.cast.member, on="0")
        self.react(self.cast.member, on="0")
        self.assertEqual(self.counts()["strength"], 0)

    def test_outsider_pending_and_unverified_cannot_react(self):
        for user in (self.cast.outsider, self.cast.pending, self.cast.unverified):
            self.assertEqual(self.react(user).status_code, 403)
        self.assertEqual(self.counts()["strength"], 0)

    def test_unknown_kind_is_rejected(self):
        for kind in ("love", "", "\x00", "strength" * 100):
            self.assertEqual(self.react(self.cast.member, kind=kind).status_code, 422)
        self.assertFalse(Reaction.objects.exists())

    def test_reacting_does_not_reveal_reactors_names(self):
        self.react(self.cast.member)
        self.client.force_login(self.cast.outsider)
        page = self.client.get(self.topic.get_absolute_url()).content.decode()
        self.assertNotIn(self.cast.member.display_name, page)
