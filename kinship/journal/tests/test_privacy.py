"""Attempts to break the journal's privacy rule, through every page and API endpoint there is.

The rule (DESIGN.md, issue 7): milestones, goals and check-ins are the member's own. Other members,
facilitators (beyond a shared summary or a request for support), staff and visitors never see them,
search never finds them, and no one else's API answer carries them.

Unique words are planted in everything private; then each role walks every journal page and API
endpoint (enumerated from the URL patterns and the OpenAPI document, so a new one is walked too), the
rest of the site, the admin and search, and no answer may hold one of those words. Each walk also
checks the owner does see the words on their own pages, so a broken walk cannot pass quietly.
"""

import json
import re
from typing import Any

from django.contrib import admin
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kinship.accounts.models import ApiToken, User
from kinship.circles import services as circle_services
from kinship.core import factories
from kinship.core.testing import KinshipTestCase
from kinship.discussions.models import Post, Topic
from kinship.journal import checkins, goals, milestones, summaries, support
from kinship.journal.models import CheckIn, Goal, GoalUpdate, Milestone, SummaryShare, SupportRequest

# One word each, so full-text search would match them if anything were indexed.
MILESTONE_TITLE = "Quillfeather"
MILESTONE_NOTE = "Zanthoxylum"
SHARED_NOTE = "Obsidianwren"
GOAL_TITLE = "Marrowlantern"
UPDATE_NOTE = "Tibiacompass"
CHECKIN_NOTE = "Femurharbour"
PEER_NOTE = "Patellagrove"
SECRETS = (MILESTONE_TITLE, MILESTONE_NOTE, SHARED_NOTE, GOAL_TITLE, UPDATE_NOTE, CHECKIN_NOTE)
# Ticked on the member's check-in: facilitators never see the problem list.
PROBLEM_LABELS = ("Phantom limb sensations", "Depression")
API = "/api/v1"
# Paths of the API that belong to the journal (the rest of the API is walked for leaks too).
JOURNAL_API = re.compile(r"^/api/v1/(journal/|circles/\{slug\}/wellbeing|support-requests/)")


def found_secrets(content: bytes, secrets: tuple[str, ...] = SECRETS) -> list[str]:
    text = content.decode("utf-8", "replace").lower()
    return [s for s in secrets if s.lower() in text]


class JournalPrivacyCase(KinshipTestCase):
    """The member keeps a full journal; everyone else tries to read it."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cast = cls.cast
        cls.owner = cast.member
        cls.peer = factories.make_member(cast.circle, display_name="Pete Peer")
        # A second circle the owner belongs to, whose facilitator the owner shares nothing with.
        cls.other_circle = factories.make_circle(name="Prosthesis circle")
        cls.other_lead = factories.make_user(display_name="Olga Otherlead")
        factories.add_member(cls.other_circle, cls.other_lead, role="facilitator")
        factories.add_member(cls.other_circle, cls.owner)
        cls.superuser = factories.make_user(display_name="Sue Superuser", is_staff=True, is_superuser=True)

        cls.private_milestone = milestones.add_milestone(
            owner=cls.owner, kind=Milestone.OWN, title=f"{MILESTONE_TITLE} day", note=f"{MILESTONE_NOTE} moment"
        )
        cls.shared_milestone = milestones.add_milestone(
            owner=cls.owner, kind="one_crutch", title="", note=f"Cried a bit. {SHARED_NOTE}"
        )
        milestones.share_milestone(
            owner=cls.owner, milestone=cls.shared_milestone, circle=cast.circle, message="Down to one!"
        )
        cls.topic = Topic.objects.get(pk=cls.shared_milestone.shared_topic_id)
        cls.opening = Post.objects.get(topic=cls.topic, is_opening=True)
        cls.goal = goals.add_goal(owner=cls.owner, title=f"{GOAL_TITLE} walk")
        goals.record_progress(owner=cls.owner, goal=cls.goal, progress=40, note=f"{UPDATE_NOTE} hill")
        cls.checkin = checkins.record_checkin(
            member=cls.owner,
            distress=8,
            pain=6,
            problems=["phantom_limb", "depression"],
            note=f"Bad night. {CHECKIN_NOTE}",
        )
        cls.request = support.request_support(member=cls.owner, checkin=cls.checkin, circle=cast.circle)
        summaries.share_summary(member=cls.owner, circle=cast.circle)
        # The peer keeps a journal too, shared with no one: the facilitator must not learn of it.
        checkins.record_checkin(member=cls.peer, distress=9, pain=2, note=PEER_NOTE)

    def setUp(self) -> None:
        super().setUp()
        self._tokens: dict[int, str] = {}

    # Who tries ------------------------------------------------------------------------------

    def others(self) -> dict[str, User | None]:
        """Everyone but the owner (None: a visitor), the facilitator included."""
        cast = self.cast
        return {
            "visitor": None,
            "outsider": cast.outsider,
            "peer": self.peer,
            "pending": cast.pending,
            "unverified": cast.unverified,
            "facilitator": cast.facilitator,
            "other circle's facilitator": self.other_lead,
            "staff": cast.staff,
            "superuser": self.superuser,
        }

    def client_for(self, user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    def token_for(self, user: User) -> str:
        if user.pk not in self._tokens:
            _, self._tokens[user.pk] = ApiToken.issue(user)
        return self._tokens[user.pk]

    def api(self, method: str, path: str, user: User | None, body: Any = None) -> Any:
        headers = {"Authorization": f"Bearer {self.token_for(user)}"} if user is not None else {}
        kwargs: dict[str, Any] = {"headers": headers}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        response = getattr(Client(), method)(path, **kwargs)
        self.assertLess(response.status_code, 500, f"{method.upper()} {path}")
        return response

    def assertNoSecret(self, response: Any, where: str, secrets: tuple[str, ...] = SECRETS) -> None:
        self.assertEqual(found_secrets(response.content, secrets), [], f"{where} leaks")

    def state(self) -> tuple[Any, ...]:
        """Everything of the owner's journal a hijacked request could change."""
        return (
            list(Milestone.objects.order_by("pk").values_list("pk", "title", "note", "happened_on", "shared_topic")),
            list(Goal.objects.order_by("pk").values_list("pk", "title", "target_date", "progress", "done_at")),
            list(GoalUpdate.objects.order_by("pk").values_list("pk", "progress", "note")),
            list(CheckIn.objects.order_by("pk").values_list("pk", "distress", "note")),
            list(SummaryShare.objects.order_by("pk").values_list("pk", "owner", "circle")),
            list(SupportRequest.objects.order_by("pk").values_list("pk", "acknowledged_at")),
            Topic.objects.filter(is_celebration=True).count(),
        )


# The journal's pages --------------------------------------------------------------------------


def journal_pages() -> list[tuple[str, list[str]]]:
    """(URL name, path parameters) of every journal page, straight from the URL patterns."""
    get_resolver().url_patterns  # noqa: B018 - the site's URLs first: they register the path converters the journal's use
    from kinship.journal import urls as journal_urls

    found = []
    for pattern in journal_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        assert pattern.name is not None
        found.append((pattern.name, list(pattern.pattern.converters)))
    return found


class JournalPagesTests(JournalPrivacyCase):
    def paths(self) -> dict[str, list[str]]:
        """Every journal page with every private object of the owner's in its path."""
        values: dict[str, list[Any]] = {
            "milestone_id": [self.private_milestone.pk, self.shared_milestone.pk],
            "goal_id": [self.goal.pk],
            "checkin_id": [self.checkin.pk],
            "request_id": [self.request.pk],
            "slug": [self.cast.circle.slug],
        }
        out: dict[str, list[str]] = {}
        for name, params in journal_pages():
            self.assertLessEqual(len(params), 1, name)
            if not params:
                out[name] = [reverse(f"journal:{name}")]
            else:
                self.assertIn(params[0], values, f"journal:{name} has a parameter this walk does not know")
                out[name] = [reverse(f"journal:{name}", args=[v]) for v in values[params[0]]]
        return out

    def test_the_owner_sees_their_own_secrets(self) -> None:
        # The positive control of every walk below: the words are there to be found.
        client = self.client_for(self.owner)
        seen: set[str] = set()
        for paths in self.paths().values():
            for path in paths:
                response = client.get(path)
                self.assertLess(response.status_code, 500, path)
                seen.update(found_secrets(response.content))
        self.assertEqual(seen, set(SECRETS))
        detail = client.get(reverse("journal:checkin-detail", args=[self.checkin.pk]))
        self.assertContains(detail, CHECKIN_NOTE)
        self.assertContains(detail, "Phantom limb sensations")

    def test_nobody_else_reads_a_journal_page(self) -> None:
        private = ("milestone_id", "goal_id", "checkin_id")
        kinds = {name: params for name, params in journal_pages()}
        for role, user in self.others().items():
            client = self.client_for(user)
            for name, paths in self.paths().items():
                for path in paths:
                    with self.subTest(role=role, path=path):
                        response = client.get(path)
                        self.assertLess(response.status_code, 500)
                        self.assertNoSecret(response, f"GET {path} as {role}")
                        if user is None:
                            self.assertIn(response.status_code, (302, 404, 405))
                        elif kinds[name] and kinds[name][0] in private:
                            self.assertIn(response.status_code, (404, 405))

    def test_nobody_else_changes_a_journal_entry(self) -> None:
        before = self.state()
        data = {
            "title": "hijacked",
            "note": "hijacked",
            "kind": "own",
            "happened_on": "2020-01-01",
            "target_date": "2030-01-01",
            "progress": "99",
            "circle": self.cast.circle.slug,
            "message": "hijacked",
        }
        private = ("milestone_id", "goal_id", "checkin_id")
        for role, user in self.others().items():
            client = self.client_for(user)
            for name, params in journal_pages():
                if not params or params[0] not in private:
                    continue
                for path in self.paths()[name]:
                    with self.subTest(role=role, path=path):
                        response = client.post(path, data)
                        # 405: a page that takes no POST (the check-in is never edited).
                        self.assertIn(response.status_code, (302,) if user is None else (404, 405))
                        self.assertNoSecret(response, f"POST {path} as {role}")
            # Revoking "a share with this circle" revokes only one's own.
            client.post(reverse("journal:sharing-revoke"), {"circle": self.cast.circle.slug})
        self.assertEqual(self.state(), before)

    def test_only_the_circles_active_facilitators_open_its_wellbeing_page(self) -> None:
        path = reverse("journal:circle-wellbeing", args=[self.cast.circle.slug])
        response = self.client_for(self.cast.facilitator).get(path)
        self.assertContains(response, "Mia Member")
        self.assertContains(response, "8 of 10")
        for role, user in self.others().items():
            if role == "facilitator":
                continue
            with self.subTest(role=role):
                response = self.client_for(user).get(path)
                self.assertEqual(response.status_code, 302 if user is None else 404)
                self.assertNotContains(response, "Mia Member", status_code=response.status_code)

    def test_only_the_circles_facilitators_acknowledge_a_request(self) -> None:
        path = reverse("journal:support-acknowledge", args=[self.request.pk])
        for role, user in self.others().items():
            if role == "facilitator":
                continue
            with self.subTest(role=role):
                self.assertEqual(self.client_for(user).post(path).status_code, 302 if user is None else 404)
        self.request.refresh_from_db()
        self.assertIsNone(self.request.acknowledged_at)
        # The owner cannot mark their own request taken up either.
        self.assertEqual(self.client_for(self.owner).post(path).status_code, 404)


# The journal's API ----------------------------------------------------------------------------

# A body that would change something, for each write of the journal API.
BODIES = {
    ("patch", "/journal/milestones/{milestone_id}"): {"title": "hijacked", "note": "hijacked"},
    ("put", "/journal/milestones/{milestone_id}/share"): {"circle": "CIRCLE", "message": "hijacked"},
    ("patch", "/journal/goals/{goal_id}"): {"title": "hijacked"},
    ("post", "/journal/goals/{goal_id}/updates"): {"progress": 99, "note": "hijacked"},
    ("post", "/journal/goals/{goal_id}/done"): {},
    ("post", "/journal/checkins/{checkin_id}/support"): {"circle": "CIRCLE"},
    ("post", "/support-requests/{request_id}/acknowledge"): {},
}
# Writes that act on the caller's own journal only (creating, or one's own settings): walked by the
# tests of their areas, not here.
OWN_WRITES = {
    ("post", "/journal/milestones"),
    ("post", "/journal/goals"),
    ("post", "/journal/checkins"),
    ("put", "/journal/summary-shares/{slug}"),
    ("patch", "/journal/reminder"),
}


def openapi_operations() -> list[tuple[str, str]]:
    """(method, path template) of every operation in the OpenAPI document."""
    from kinship.api.urls import api

    schema = api.get_openapi_schema()
    return [(method, path) for path, ops in schema["paths"].items() for method in ops]


class JournalApiTests(JournalPrivacyCase):
    def fill(self, template: str) -> list[str]:
        values: dict[str, list[Any]] = {
            "milestone_id": [self.private_milestone.pk, self.shared_milestone.pk],
            "goal_id": [self.goal.pk],
            "checkin_id": [self.checkin.pk],
            "request_id": [self.request.pk],
            "slug": [self.cast.circle.slug],
        }
        paths = [template]
        for name in re.findall(r"\{(\w+)\}", template):
            self.assertIn(name, values, f"{template}: a parameter this walk does not know")
            paths = [p.replace("{" + name + "}", str(v)) for p in paths for v in values[name]]
        return paths

    def journal_operations(self) -> list[tuple[str, str]]:
        found = [(m, p) for m, p in openapi_operations() if JOURNAL_API.match(p)]
        self.assertGreaterEqual(len(found), 20)
        return found

    def body_for(self, method: str, template: str) -> Any:
        body = BODIES.get((method, template.removeprefix(API)))
        if body is None:
            return None
        return {k: (self.cast.circle.slug if v == "CIRCLE" else v) for k, v in body.items()}

    def test_the_owner_reads_their_own_secrets_through_the_api(self) -> None:
        seen: set[str] = set()
        for method, template in self.journal_operations():
            if method != "get":
                continue
            for path in self.fill(template):
                seen.update(found_secrets(self.api("get", path, self.owner).content))
        self.assertEqual(seen, set(SECRETS))

    def test_nobody_else_reads_or_changes_the_journal_through_the_api(self) -> None:
        before = self.state()
        private = re.compile(r"\{(milestone_id|goal_id|checkin_id)\}")
        for method, template in self.journal_operations():
            key = (method, template.removeprefix(API))
            if key in OWN_WRITES:
                continue
            for path in self.fill(template):
                for role, user in self.others().items():
                    if role == "facilitator" and "{slug}/wellbeing" in template:
                        continue
                    if role == "facilitator" and "{request_id}" in template:
                        continue
                    with self.subTest(method=method, path=path, role=role):
                        body = self.body_for(method, template)
                        if method != "get" and method != "delete" and body is None:
                            self.fail(f"{method.upper()} {template}: no body in BODIES for this new endpoint")
                        response = self.api(method, path, user, body)
                        self.assertNoSecret(response, f"{method.upper()} {path} as {role}")
                        if user is None:
                            self.assertEqual(response.status_code, 401)
                        elif private.search(template) or "{request_id}" in template or "wellbeing" in template:
                            self.assertEqual(response.status_code, 404)
                        elif template.endswith("/summary-shares/{slug}"):
                            # DELETE: the caller has no share with the circle; the owner's stays.
                            self.assertEqual(response.status_code, 404)
        self.assertEqual(self.state(), before)

    def test_lists_hold_only_the_callers_own_rows(self) -> None:
        for path in ("/journal/milestones", "/journal/goals", "/journal/checkins", "/journal/summary-shares"):
            with self.subTest(path=path):
                self.assertNotEqual(self.api("get", API + path, self.owner).json()["items"], [])
                for role, user in self.others().items():
                    if user is None:
                        continue
                    response = self.api("get", API + path, user)
                    self.assertNoSecret(response, f"{path} as {role}")
                    # The peer keeps a check-in of their own; nobody else has anything.
                    expected = 1 if (role, path) == ("peer", "/journal/checkins") else 0
                    self.assertEqual(len(response.json()["items"]), expected, role)

    def test_the_wellbeing_api_shows_facilitators_scores_never_notes_or_concerns(self) -> None:
        path = f"{API}/circles/{self.cast.circle.slug}/wellbeing"
        response = self.api("get", path, self.cast.facilitator)
        self.assertEqual(response.status_code, 200)
        data = response.json()
        self.assertEqual([r["member"]["display_name"] for r in data["support_requests"]], ["Mia Member"])
        self.assertEqual([s["member"]["display_name"] for s in data["summaries"]], ["Mia Member"])
        self.assertEqual(data["summaries"][0]["summary"]["distress"], 8)
        self.assertNoSecret(
            response, "wellbeing API", (*SECRETS, PEER_NOTE, *PROBLEM_LABELS, "phantom_limb", 'pain": 9')
        )
        self.assertNotIn(b"Pete Peer", response.content)
        self.assertNotIn(self.owner.email.encode(), response.content)
        # The other circle's facilitator leads a circle the owner is in, but was shown nothing.
        other = self.api("get", f"{API}/circles/{self.other_circle.slug}/wellbeing", self.other_lead).json()
        self.assertEqual((other["support_requests"], other["summaries"]), ([], []))


# The rest of the site, the admin and search ------------------------------------------------------


def site_pages() -> list[tuple[str, list[str]]]:
    """(route, parameter names) of every page of the site outside the admin and the API."""
    found: list[tuple[str, list[str]]] = []

    def walk(resolver: URLResolver, prefix: str) -> None:
        for entry in resolver.url_patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                if route.startswith(("admin/", "api/v1/")):
                    continue
                walk(entry, route)
            else:
                found.append((route, list(entry.pattern.converters)))

    walk(get_resolver(), "")
    return found


class SiteWideTests(JournalPrivacyCase):
    def site_paths(self) -> list[str]:
        values = {
            "slug": self.cast.circle.slug,
            "user_id": self.owner.pk,
            "topic_id": self.topic.pk,
            "post_id": self.opening.pk,
            "milestone_id": self.private_milestone.pk,
            "goal_id": self.goal.pk,
            "checkin_id": self.checkin.pk,
            "request_id": self.request.pk,
        }
        paths = []
        for route, params in site_pages():
            if route.startswith("^") or "logout" in route or any(p not in values for p in params):
                continue
            path = "/" + route
            for name in params:
                path = re.sub(r"<(?:\w+:)?" + name + ">", str(values[name]), path)
            paths.append(path)
        self.assertGreater(len(paths), 60)
        return paths

    def test_no_page_of_the_site_shows_anyone_else_the_journal(self) -> None:
        paths = self.site_paths()
        for role, user in self.others().items():
            client = self.client_for(user)
            for path in paths:
                with self.subTest(role=role, path=path):
                    response = client.get(path)
                    self.assertLess(response.status_code, 500)
                    self.assertNoSecret(response, f"GET {path} as {role}")

    def test_no_api_answer_shows_anyone_else_the_journal(self) -> None:
        values = {
            "slug": self.cast.circle.slug,
            "user_id": self.owner.pk,
            "topic_id": self.topic.pk,
            "post_id": self.opening.pk,
            "milestone_id": self.private_milestone.pk,
            "goal_id": self.goal.pk,
            "checkin_id": self.checkin.pk,
            "request_id": self.request.pk,
        }
        paths = []
        for method, template in openapi_operations():
            names = re.findall(r"\{(\w+)\}", template)
            if method != "get" or any(n not in values for n in names):
                continue
            path = template
            for name in names:
                path = path.replace("{" + name + "}", str(values[name]))
            paths.append(path)
        self.assertGreater(len(paths), 20)
        for role, user in self.others().items():
            for path in paths:
                with self.subTest(role=role, path=path):
                    self.assertNoSecret(self.api("get", path, user), f"GET {path} as {role}")

    def test_the_admin_has_no_journal_and_finds_nothing(self) -> None:
        client = self.client_for(self.superuser)
        index = client.get("/admin/")
        self.assertEqual(index.status_code, 200)
        self.assertNotContains(index, "journal")
        self.assertNotContains(index, "Milestone")
        for model in admin.site._registry:
            self.assertNotEqual(model._meta.app_label, "journal")
            changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            response = client.get(changelist)
            self.assertEqual(response.status_code, 200)
            self.assertNoSecret(response, changelist)
            for secret in SECRETS:
                with self.subTest(model=model.__name__, secret=secret):
                    response = client.get(changelist, {"q": secret}, follow=True)
                    self.assertLess(response.status_code, 500)
                    # The admin repeats the query in its search box: the other words must not be there.
                    others = tuple(s for s in SECRETS if s != secret)
                    self.assertNoSecret(response, f"{changelist}?q={secret}", others)
        person = client.get(reverse("admin:accounts_user_change", args=[self.owner.pk]))
        self.assertEqual(person.status_code, 200)
        self.assertNoSecret(person, "the owner's admin page")

    def test_search_never_finds_the_journal_not_even_for_its_owner(self) -> None:
        everyone = {**self.others(), "owner": self.owner}
        for role, user in everyone.items():
            client = self.client_for(user)
            for secret in (*SECRETS, PEER_NOTE):
                with self.subTest(role=role, secret=secret):
                    page = client.get(reverse("search:search"), {"q": secret})
                    # The page repeats the query, so it is judged by its results.
                    self.assertContains(page, "No results")
                    self.assertNotContains(page, 'class="result"')
                    others = tuple(s for s in (*SECRETS, PEER_NOTE) if s != secret)
                    self.assertNoSecret(page, f"search page for {secret} as {role}", others)
                    answer = self.api("get", f"{API}/search?q={secret}", user)
                    self.assertEqual(answer.status_code, 200)
                    self.assertEqual(answer.json()["items"], [])

    def test_search_does_find_what_is_indexed(self) -> None:
        # The control: the same search finds a topic written with such a word.
        factories.make_topic(circle=self.cast.circle, author=self.peer, title="Obsidianwren shows up")
        answer = self.api("get", f"{API}/search?q={SHARED_NOTE}", self.owner)
        self.assertEqual(len(answer.json()["items"]), 1)


# What leaves the journal on purpose, and only that ---------------------------------------------


class SharedOnPurposeTests(JournalPrivacyCase):
    def test_the_celebration_shows_title_date_and_message_never_the_note(self) -> None:
        for user in (self.peer, self.cast.facilitator, self.cast.staff, self.owner):
            with self.subTest(user=user.display_name):
                page = self.client_for(user).get(self.topic.get_absolute_url())
                self.assertContains(page, "Celebrating: Walking with one crutch")
                self.assertContains(page, "Down to one!")
                self.assertNoSecret(page, "the celebration")
                answer = self.api("get", f"{API}/topics/{self.topic.pk}", user)
                self.assertEqual(answer.status_code, 200)
                self.assertNoSecret(answer, "the celebration in the API")

    def test_editing_the_shared_milestone_never_carries_the_note_over(self) -> None:
        self.api(
            "patch",
            f"{API}/journal/milestones/{self.shared_milestone.pk}",
            self.owner,
            {"note": f"{SHARED_NOTE} again", "title": "One crutch, finally"},
        )
        self.topic.refresh_from_db()
        self.opening.refresh_from_db()
        self.assertEqual(self.topic.title, "Celebrating: One crutch, finally")
        for text in (self.topic.title, self.opening.body, self.opening.body_html):
            self.assertNotIn(SHARED_NOTE, text)

    def test_unsharing_takes_the_celebration_away(self) -> None:
        milestones.unshare_milestone(owner=self.owner, milestone=self.shared_milestone)
        self.assertEqual(self.client_for(self.peer).get(self.topic.get_absolute_url()).status_code, 404)
        self.assertEqual(self.api("get", f"{API}/topics/{self.topic.pk}", self.peer).status_code, 404)

    def test_facilitators_wellbeing_page_has_scores_never_notes_or_concerns(self) -> None:
        page = self.client_for(self.cast.facilitator).get(
            reverse("journal:circle-wellbeing", args=[self.cast.circle.slug])
        )
        self.assertContains(page, "Mia Member")
        self.assertContains(page, "distress 8 of 10")
        self.assertNoSecret(page, "wellbeing page", (*SECRETS, PEER_NOTE, *PROBLEM_LABELS))
        # The peer shared nothing: not even their name shows.
        self.assertNotContains(page, "Pete Peer")
        self.assertNotContains(page, self.owner.email)

    def test_facilitators_emails_carry_no_note_score_or_concern(self) -> None:
        checkin = checkins.record_checkin(
            member=self.owner, distress=7, pain=3, problems=["phantom_limb"], note=f"{CHECKIN_NOTE} again"
        )
        with self.captureOnCommitCallbacks(execute=True):
            support.request_support(member=self.owner, checkin=checkin, circle=self.cast.circle)
        self.assertEqual([m.to for m in mail.outbox], [[self.cast.facilitator.email]])
        message = mail.outbox[0]
        self.assertIn("Mia Member", message.subject)
        for part in (message.subject, message.body, message.alternatives[0][0]):
            self.assertEqual(found_secrets(part.encode(), (*SECRETS, *PROBLEM_LABELS)), [])
            self.assertNotIn("7 of 10", part)

    def test_a_member_who_leaves_the_circle_stops_being_shown(self) -> None:
        circle_services.leave_circle(member=self.owner, circle=self.cast.circle)
        page = self.client_for(self.cast.facilitator).get(
            reverse("journal:circle-wellbeing", args=[self.cast.circle.slug])
        )
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "Mia Member")
        data = self.api("get", f"{API}/circles/{self.cast.circle.slug}/wellbeing", self.cast.facilitator).json()
        self.assertEqual((data["support_requests"], data["summaries"]), ([], []))
        acknowledge = reverse("journal:support-acknowledge", args=[self.request.pk])
        self.assertEqual(self.client_for(self.cast.facilitator).post(acknowledge).status_code, 404)
        answer = self.api("post", f"{API}/support-requests/{self.request.pk}/acknowledge", self.cast.facilitator)
        self.assertEqual(answer.status_code, 404)

    def test_revoking_the_summary_share_removes_the_facilitators_view(self) -> None:
        path = f"{API}/circles/{self.cast.circle.slug}/wellbeing"
        self.assertEqual(len(self.api("get", path, self.cast.facilitator).json()["summaries"]), 1)
        response = self.client_for(self.owner).post(
            reverse("journal:sharing-revoke"), {"circle": self.cast.circle.slug}
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.api("get", path, self.cast.facilitator).json()["summaries"], [])
        page = self.client_for(self.cast.facilitator).get(
            reverse("journal:circle-wellbeing", args=[self.cast.circle.slug])
        )
        self.assertContains(page, "No member of this circle shares a summary")

    def test_a_facilitator_who_steps_down_loses_the_wellbeing_page(self) -> None:
        co_lead = factories.make_user(display_name="Cora Colead")
        factories.add_member(self.cast.circle, co_lead, role="facilitator")
        path = reverse("journal:circle-wellbeing", args=[self.cast.circle.slug])
        self.assertContains(self.client_for(co_lead).get(path), "Mia Member")
        circle_services.set_member_role(facilitator=co_lead, circle=self.cast.circle, user_id=co_lead.pk, role="member")
        self.assertEqual(self.client_for(co_lead).get(path).status_code, 404)
        self.assertEqual(self.api("get", f"{API}/circles/{self.cast.circle.slug}/wellbeing", co_lead).status_code, 404)
