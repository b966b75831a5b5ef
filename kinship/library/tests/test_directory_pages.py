"""Directory pages: list with filters, detail, curator forms, review, export, import and the staff page."""

from datetime import UTC, datetime, timedelta
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from kinship.core.testing import KinshipTestCase
from kinship.library.models import OpeningHours, Resource
from kinship.library.tests.resources_support import make_resource, make_resources

LIST = reverse("library:resource-list")
NEW = reverse("library:resource-new")
EXPORT = reverse("library:resource-export")
IMPORT = reverse("library:resource-import")
STALE = reverse("library:resource-stale")
# Wednesday 15 January 2025, 12:00 in London (GMT).
WEDNESDAY_NOON = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)


def at(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def form_data(**overrides):
    data = {
        "kind": "helpline",
        "name": "Example Night Line",
        "description": "Someone to talk to.",
        "website": "https://example.org/night",
        "phone": "01632 960199",
        "address": "",
        "region": "National",
        "languages": "en, es",
        "eligibility": "",
        "cost": "Free",
        "timezone": "Europe/London",
        "is_example": "on",
        "hours-TOTAL_FORMS": "3",
        "hours-INITIAL_FORMS": "0",
        "hours-MIN_NUM_FORMS": "0",
        "hours-MAX_NUM_FORMS": "28",
        "hours-0-weekday": "4",
        "hours-0-opens": "22:00",
        "hours-0-closes": "02:00",
        "hours-1-weekday": "5",
        "hours-1-opens": "22:00",
        "hours-1-closes": "02:00",
        "hours-2-weekday": "",
        "hours-2-opens": "",
        "hours-2-closes": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


class ListTests(KinshipTestCase):
    def test_visitor_sees_the_directory_with_examples_marked(self):
        make_resource(name="Example Sarcoma Helpline", is_example=True, phone="01632 960101")
        make_resource(name="Real Grant", kind=Resource.FINANCIAL)
        response = self.client.get(LIST)
        self.assertContains(response, "Example Sarcoma Helpline")
        self.assertContains(response, "Example entry — not a real service", count=1)
        self.assertContains(response, 'href="tel:01632960101"')
        self.assertNotContains(response, "Add an entry")
        self.assertNotContains(response, "Needs review")

    def test_deactivated_entries_are_not_listed(self):
        make_resource(name="Gone away", active=False)
        for user in (None, self.cast.member, self.cast.staff):
            if user:
                self.client.force_login(user)
            with self.subTest(user=user):
                self.assertNotContains(self.client.get(LIST), "Gone away")

    def test_helplines_show_open_or_closed_prominently(self):
        make_resource(name="Day line", hours=[(d, "09:00", "17:00") for d in range(5)])
        make_resource(name="Evening line", hours=[(1, "18:00", "22:00")])
        make_resource(name="Always line", always_open=True)
        make_resource(name="Unknown line")
        with at(WEDNESDAY_NOON):
            response = self.client.get(LIST)
        self.assertContains(response, "<strong>Open now</strong> · closes 17:00", html=False)
        self.assertContains(response, "<strong>Closed now</strong> · opens Tue 18:00", html=False)
        self.assertContains(response, "<strong>Open 24/7</strong>", html=False)
        self.assertContains(response, "Opening hours not known")
        self.assertContains(response, "open-status prominent is-open")

    def test_filters_in_the_query_string(self):
        make_resource(name="Alpha line", region="London", languages="en")
        make_resource(name="Beta grant", kind=Resource.FINANCIAL, region="Scotland", languages="es,en")
        response = self.client.get(LIST, {"kind": "financial", "language": "es"})
        self.assertContains(response, "Beta grant")
        self.assertNotContains(response, "Alpha line")
        response = self.client.get(LIST, {"region": "London", "q": "alpha"})
        self.assertContains(response, "Alpha line")
        self.assertNotContains(response, "Beta grant")
        response = self.client.get(LIST, {"region": "Nowhere"})
        self.assertContains(response, "No resources match these filters")

    def test_open_now_filter(self):
        make_resource(name="Day line", hours=[(2, "09:00", "17:00")])
        make_resource(name="Night line", hours=[(2, "20:00", "02:00")])
        with at(WEDNESDAY_NOON):
            response = self.client.get(LIST, {"open_now": "on"})
        self.assertContains(response, "Day line")
        self.assertNotContains(response, "Night line")

    def test_bad_filters_get_a_clear_message_not_a_500(self):
        for params in (
            {"kind": "spa"},
            {"language": "<script>"},
            {"open_now": "maybe"},
            {"q": "x" * 300},
            {"q": "a\x00b"},
            {"cursor": "!!!"},
        ):
            with self.subTest(params=params):
                response = self.client.get(LIST, params)
                self.assertEqual(response.status_code, 422)
                self.assertContains(response, 'class="errorlist"', status_code=422)
        response = self.client.get(LIST, {"language": "<script>"})
        self.assertNotContains(response, "<script>", status_code=422)

    def test_next_page_keeps_the_filters(self):
        make_resources(25, region="London")
        response = self.client.get(LIST, {"region": "London"})
        self.assertEqual(len(response.context["resources"]), 20)
        next_url = response.context["next_url"]
        self.assertIn("region=London", next_url)
        second = self.client.get(next_url)
        self.assertEqual(len(second.context["resources"]), 5)
        self.assertContains(second, "First page")

    def test_htmx_gets_only_the_results(self):
        make_resource(name="Alpha line")
        response = self.client.get(LIST, headers={"HX-Request": "true"})
        self.assertContains(response, 'id="results"')
        self.assertContains(response, "Alpha line")
        self.assertNotContains(response, "<html")

    def test_stale_flags_show_to_curators_never_to_members(self):
        make_resource(name="Old line", reviewed_at=timezone.now() - timedelta(days=400))
        for user in (None, self.cast.member, self.cast.outsider):
            self.client.logout()
            if user:
                self.client.force_login(user)
            with self.subTest(user=user):
                response = self.client.get(LIST)
                self.assertContains(response, "Old line")
                self.assertNotContains(response, "Needs review")
        for user in (self.cast.facilitator, self.cast.staff):
            self.client.force_login(user)
            with self.subTest(user=user):
                self.assertContains(self.client.get(LIST), '<span class="badge stale">Needs review</span>', html=True)

    def test_curators_get_the_curation_links(self):
        self.client.force_login(self.cast.facilitator)
        response = self.client.get(LIST)
        for url in (NEW, EXPORT, IMPORT, STALE):
            self.assertContains(response, f'href="{url}"')

    def test_post_is_not_allowed(self):
        self.assertEqual(self.client.post(LIST).status_code, 405)


class ListQueryCountTests(KinshipTestCase):
    def test_visitor_list_is_a_fixed_number_of_queries(self):
        make_resources(3)
        with self.assertNumQueries(3):  # filter choices, resources, hours
            self.client.get(LIST)
        make_resources(27)
        with self.assertNumQueries(3):
            self.client.get(LIST)

    def test_curator_list_is_a_fixed_number_of_queries(self):
        make_resources(3, reviewed_at=None)
        self.client.force_login(self.cast.staff)
        # session, user, filter choices, resources, hours (staff need no membership lookup)
        with self.assertNumQueries(5):
            self.client.get(LIST, {"language": "en"})
        make_resources(27, reviewed_at=None)
        with self.assertNumQueries(5):
            self.client.get(LIST, {"language": "en"})

    def test_open_now_adds_two_queries_whatever_the_size(self):
        make_resources(3)
        with at(WEDNESDAY_NOON), self.assertNumQueries(5):  # + open_now's rows and their hours
            response = self.client.get(LIST, {"open_now": "1"})
        self.assertEqual(len(response.context["resources"]), 3)
        make_resources(27)
        with at(WEDNESDAY_NOON), self.assertNumQueries(5):
            response = self.client.get(LIST, {"open_now": "1"})
        self.assertEqual(len(response.context["resources"]), 20)


class DetailTests(KinshipTestCase):
    def test_visitor_sees_the_weekly_hours_in_the_resources_zone(self):
        resource = make_resource(
            name="Example US line",
            timezone="America/New_York",
            hours=[(0, "09:00", "17:00"), (4, "22:00", "02:00")],
            is_example=True,
            phone="(212) 555-0134",
        )
        response = self.client.get(resource.get_absolute_url())
        self.assertContains(response, "Example US line")
        self.assertContains(response, "Example entry — not a real service")
        self.assertContains(response, "Times are New York time (America/New_York)")
        self.assertContains(response, "09:00\u201317:00")
        self.assertContains(response, '22:00\u201302:00 <span class="meta">(next day)</span>', html=False)
        self.assertContains(response, 'href="tel:2125550134"')
        self.assertNotContains(response, "For curators")

    def test_24_7_and_unknown_hours(self):
        always = make_resource(always_open=True)
        unknown = make_resource()
        self.assertContains(self.client.get(always.get_absolute_url()), "Open 24 hours a day, 7 days a week.")
        self.assertContains(self.client.get(unknown.get_absolute_url()), "Opening hours not known")

    def test_unknown_and_odd_ids_are_404(self):
        self.assertEqual(self.client.get("/resources/999999/").status_code, 404)
        self.assertEqual(self.client.get("/resources/99999999999999999999/").status_code, 404)
        self.assertEqual(self.client.get("/resources/abc/").status_code, 404)

    def test_facilitators_may_refer_a_member_from_an_active_entry_only(self):
        resource = make_resource(name="Referable")
        refer = f"/referrals/new/?resource={resource.pk}"
        self.client.force_login(self.cast.member)
        self.assertNotContains(self.client.get(resource.get_absolute_url()), refer)
        self.client.force_login(self.cast.facilitator)
        self.assertContains(self.client.get(resource.get_absolute_url()), f'href="{refer}"')
        self.assertEqual(self.client.get(refer).status_code, 200)
        resource.active = False
        resource.save()
        self.assertNotContains(self.client.get(resource.get_absolute_url()), refer)

    def test_deactivated_is_404_to_members_but_shown_to_curators(self):
        resource = make_resource(active=False, name="Closed down")
        self.client.force_login(self.cast.member)
        self.assertEqual(self.client.get(resource.get_absolute_url()).status_code, 404)
        self.client.force_login(self.cast.facilitator)
        response = self.client.get(resource.get_absolute_url())
        self.assertContains(response, "Deactivated: this entry is not listed")

    def test_stale_notice_is_for_curators_only(self):
        resource = make_resource(reviewed_at=None)
        self.client.force_login(self.cast.member)
        response = self.client.get(resource.get_absolute_url())
        self.assertNotContains(response, "Needs review")
        self.assertNotContains(response, "Never reviewed")
        self.client.force_login(self.cast.staff)
        response = self.client.get(resource.get_absolute_url())
        self.assertContains(response, "Needs review")
        self.assertContains(response, "Never reviewed.")
        self.assertContains(response, "Mark verified by me")

    def test_verifier_is_shown_by_display_name_never_email(self):
        resource = make_resource(verified_by=self.cast.staff, verified_at=timezone.now())
        response = self.client.get(resource.get_absolute_url())
        self.assertContains(response, "Verified by Sam Staff")
        self.assertNotContains(response, self.cast.staff.email)

    def test_detail_queries_stay_flat(self):
        small = make_resource(hours=[(0, "09:00", "17:00")])
        big = make_resource(hours=[(d, f"{h:02d}:00", f"{h:02d}:30") for d in range(7) for h in (8, 10, 12, 14)])
        make_resources(30)
        with self.assertNumQueries(2):  # the resource with its verifier, its hours
            self.client.get(small.get_absolute_url())
        with self.assertNumQueries(2):
            self.client.get(big.get_absolute_url())
        self.client.force_login(self.cast.facilitator)
        with self.assertNumQueries(5):  # session, user, memberships
            self.client.get(small.get_absolute_url())
        with self.assertNumQueries(5):
            self.client.get(big.get_absolute_url())

    def test_post_is_not_allowed(self):
        resource = make_resource()
        self.assertEqual(self.client.post(resource.get_absolute_url()).status_code, 405)


class CreateTests(KinshipTestCase):
    def test_visitor_is_sent_to_sign_in(self):
        response = self.client.get(NEW)
        self.assertEqual(response.status_code, 302)
        self.assertIn("login", response["Location"])
        self.client.post(NEW, form_data())
        self.assertFalse(Resource.objects.exists())

    def test_member_may_not_curate(self):
        self.client.force_login(self.cast.member)
        self.assertEqual(self.client.get(NEW).status_code, 403)
        self.assertEqual(self.client.post(NEW, form_data()).status_code, 403)
        self.assertFalse(Resource.objects.exists())

    def test_facilitator_adds_an_entry_with_hours_past_midnight(self):
        self.client.force_login(self.cast.facilitator)
        page = self.client.get(NEW)
        self.assertContains(page, 'name="hours-0-weekday"')
        self.assertContains(page, '<label for="id_hours-0-opens">', html=False)
        response = self.client.post(NEW, form_data())
        resource = Resource.objects.get()
        self.assertRedirects(response, resource.get_absolute_url())
        self.assertEqual(resource.languages, "en,es")
        self.assertTrue(resource.is_example)
        self.assertEqual(resource.hours.count(), 2)

    def test_24_7_checkbox(self):
        self.client.force_login(self.cast.staff)
        self.client.post(NEW, form_data(always_open="on"))
        resource = Resource.objects.get()
        self.assertTrue(resource.always_open)
        self.assertEqual(resource.hours.count(), 0)

    def test_bad_input_is_named_and_nothing_is_saved(self):
        self.client.force_login(self.cast.staff)
        response = self.client.post(NEW, form_data(name="", website="ftp://x", languages="english", phone="call"))
        self.assertEqual(response.status_code, 422)
        form = response.context["form"]
        self.assertEqual(set(form.errors), {"name", "website", "languages", "phone"})
        self.assertFalse(Resource.objects.exists())

    def test_overlapping_hours_are_refused(self):
        self.client.force_login(self.cast.staff)
        response = self.client.post(
            NEW, form_data(**{"hours-1-weekday": "4", "hours-1-opens": "23:00", "hours-1-closes": "23:30"})
        )
        self.assertContains(response, "Fri 22:00-02:00 overlaps Fri 23:00-23:30.", status_code=422)
        self.assertFalse(Resource.objects.exists())

    def test_half_filled_or_odd_hour_rows_are_refused(self):
        self.client.force_login(self.cast.staff)
        for overrides in (
            {"hours-2-weekday": "1"},
            {"hours-2-weekday": "1", "hours-2-opens": "25:00", "hours-2-closes": "26:00"},
            {"hours-2-weekday": "9", "hours-2-opens": "09:00", "hours-2-closes": "10:00"},
            # Digits Python calls digits but int() does not read (a 500 before).
            {"hours-2-weekday": "1", "hours-2-opens": "²:00", "hours-2-closes": "10:00"},
            {"hours-2-weekday": "1", "hours-2-opens": "09:00", "hours-2-closes": "1²:00"},
            {"hours-TOTAL_FORMS": "x"},
            {"timezone": "Mars/Base"},
            {"kind": "spa"},
        ):
            with self.subTest(overrides=overrides):
                response = self.client.post(NEW, form_data(**overrides))
                self.assertIn(response.status_code, (422, 400))
        self.assertFalse(Resource.objects.exists())


class EditTests(KinshipTestCase):
    def setUp(self):
        self.resource = make_resource(name="Old name", hours=[(0, "09:00", "17:00")])
        self.url = reverse("library:resource-edit", args=[self.resource.pk])

    def edit_data(self, **overrides):
        data = form_data(
            name="New name",
            active="on",
            **{
                "hours-TOTAL_FORMS": "4",
                "hours-INITIAL_FORMS": "1",
                "hours-0-weekday": "0",
                "hours-0-opens": "10:00",
                "hours-0-closes": "16:00",
                "hours-1-weekday": "",
                "hours-1-opens": "",
                "hours-1-closes": "",
            },
        )
        data.update(overrides)
        return data

    def test_facilitator_edits(self):
        self.client.force_login(self.cast.facilitator)
        page = self.client.get(self.url)
        self.assertContains(page, 'value="Old name"')
        self.assertContains(page, 'value="09:00"')
        self.client.post(self.url, self.edit_data())
        self.resource.refresh_from_db()
        self.assertEqual(self.resource.name, "New name")
        self.assertEqual([str(h) for h in OpeningHours.objects.filter(resource=self.resource)], ["Monday 10:00-16:00"])

    def test_unticking_listed_deactivates(self):
        self.client.force_login(self.cast.staff)
        data = self.edit_data()
        del data["active"]
        self.client.post(self.url, data)
        self.resource.refresh_from_db()
        self.assertFalse(self.resource.active)

    def test_member_may_not_edit(self):
        self.client.force_login(self.cast.member)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.assertEqual(self.client.post(self.url, self.edit_data()).status_code, 403)
        self.resource.refresh_from_db()
        self.assertEqual(self.resource.name, "Old name")

    def test_visitor_is_sent_to_sign_in(self):
        self.assertEqual(self.client.get(self.url).status_code, 302)

    def test_bad_input_changes_nothing(self):
        self.client.force_login(self.cast.staff)
        response = self.client.post(self.url, self.edit_data(name="x" * 500))
        self.assertEqual(response.status_code, 422)
        self.resource.refresh_from_db()
        self.assertEqual(self.resource.name, "Old name")

    def test_unknown_resource_is_404(self):
        self.client.force_login(self.cast.staff)
        self.assertEqual(self.client.get("/resources/999999/edit/").status_code, 404)


class ReviewTests(KinshipTestCase):
    def setUp(self):
        self.resource = make_resource(reviewed_at=None)
        self.url = reverse("library:resource-review", args=[self.resource.pk])

    def test_facilitator_marks_reviewed_and_staff_verified(self):
        self.client.force_login(self.cast.facilitator)
        response = self.client.post(self.url, {"action": "reviewed"})
        self.assertRedirects(response, self.resource.get_absolute_url())
        self.resource.refresh_from_db()
        self.assertIsNotNone(self.resource.reviewed_at)
        self.assertIsNone(self.resource.verified_by)
        self.client.force_login(self.cast.staff)
        self.client.post(self.url, {"action": "verified", "back": "stale"})
        self.resource.refresh_from_db()
        self.assertEqual(self.resource.verified_by, self.cast.staff)

    def test_back_to_the_staff_page(self):
        self.client.force_login(self.cast.staff)
        response = self.client.post(self.url, {"action": "reviewed", "back": "stale"})
        self.assertRedirects(response, STALE)

    def test_member_may_not(self):
        self.client.force_login(self.cast.member)
        self.assertEqual(self.client.post(self.url, {"action": "verified"}).status_code, 403)
        self.resource.refresh_from_db()
        self.assertIsNone(self.resource.reviewed_at)

    def test_visitor_and_get(self):
        self.assertEqual(self.client.post(self.url, {"action": "reviewed"}).status_code, 302)
        self.client.force_login(self.cast.staff)
        self.assertEqual(self.client.get(self.url).status_code, 405)

    def test_unknown_action(self):
        self.client.force_login(self.cast.staff)
        for data in ({"action": "delete"}, {}):
            with self.subTest(data=data):
                self.assertEqual(self.client.post(self.url, data).status_code, 422)
        self.resource.refresh_from_db()
        self.assertIsNone(self.resource.reviewed_at)


class ExportTests(KinshipTestCase):
    def test_curator_downloads_csv(self):
        make_resource(name="Example line", verified_by=self.cast.staff, verified_at=timezone.now())
        make_resource(name="Inactive line", active=False)
        self.client.force_login(self.cast.facilitator)
        response = self.client.get(EXPORT)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn("attachment;", response["Content-Disposition"])
        body = response.content.decode("utf-8-sig")
        self.assertTrue(body.startswith("id,kind,name"))
        self.assertIn("Example line", body)
        self.assertIn("Inactive line", body)
        self.assertIn("Sam Staff", body)
        self.assertNotIn(self.cast.staff.email, body)

    def test_member_and_visitor_may_not(self):
        self.assertEqual(self.client.get(EXPORT).status_code, 302)
        self.client.force_login(self.cast.member)
        self.assertEqual(self.client.get(EXPORT).status_code, 403)


class ImportTests(KinshipTestCase):
    def upload(self, content: bytes, name="directory.csv", **extra):
        return self.client.post(IMPORT, {"file": SimpleUploadedFile(name, content, "text/csv"), **extra})

    def test_facilitator_imports_a_file(self):
        self.client.force_login(self.cast.facilitator)
        self.assertEqual(self.client.get(IMPORT).status_code, 200)
        response = self.upload(b"kind,name,hours\nhelpline,Imported line,Mon-Fri 09:00-17:00\n")
        self.assertContains(response, "1 new, 0 updated")
        self.assertEqual(Resource.objects.get().hours.count(), 5)

    def test_check_only_saves_nothing(self):
        self.client.force_login(self.cast.facilitator)
        response = self.upload(b"kind,name\nhelpline,Checked line\n", check_only="on")
        self.assertContains(response, "The file is fine: 1 new entry and 0 updates would be saved.")
        self.assertFalse(Resource.objects.exists())

    def test_bad_rows_are_reported_and_nothing_is_imported(self):
        self.client.force_login(self.cast.staff)
        response = self.upload(b"kind,name,hours\nhelpline,Good line,\nspa,Bad kind,\nhelpline,,Mon 9-5\n")
        self.assertEqual(response.status_code, 422)
        self.assertContains(response, "Nothing was imported.", status_code=422)
        report = response.context["report"]
        self.assertEqual([(e.row, e.field) for e in report.errors], [(3, "kind"), (4, "name"), (4, "hours")])
        self.assertFalse(Resource.objects.exists())

    def test_binary_and_odd_files_get_a_clear_message(self):
        self.client.force_login(self.cast.staff)
        for content, message in (
            (b"PK\x03\x04\x00\x00binary", "Excel or zip"),
            (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
            (b"\xff\xfe\x00\x00\x00", "UTF-16"),
            ("kind,name\nhelpline,Caf\u00e9\n".encode("latin-1"), "not UTF-8"),
            (b"", "required"),
        ):
            with self.subTest(message=message):
                response = self.upload(content)
                self.assertContains(response, message, status_code=422)
        self.assertFalse(Resource.objects.exists())

    def test_too_large_file(self):
        self.client.force_login(self.cast.staff)
        response = self.upload(b"kind,name\n" + b"helpline,x\n" * 100_000)
        self.assertContains(response, "the limit is 1,000,000", status_code=422)

    def test_no_file(self):
        self.client.force_login(self.cast.staff)
        self.assertEqual(self.client.post(IMPORT, {}).status_code, 422)

    def test_member_and_visitor_may_not(self):
        self.assertEqual(self.client.get(IMPORT).status_code, 302)
        self.client.force_login(self.cast.member)
        self.assertEqual(self.client.get(IMPORT).status_code, 403)
        self.assertEqual(self.upload(b"kind,name\nhelpline,Sneaky\n").status_code, 403)
        self.assertFalse(Resource.objects.exists())


class StalePageTests(KinshipTestCase):
    def test_curators_see_stale_entries_first_never_reviewed(self):
        make_resource(name="Fresh line", reviewed_at=timezone.now())
        make_resource(name="Old line", reviewed_at=timezone.now() - timedelta(days=400))
        make_resource(name="Never line", reviewed_at=None)
        make_resource(name="Gone line", active=False)
        self.client.force_login(self.cast.facilitator)
        response = self.client.get(STALE)
        body = response.content.decode()
        self.assertLess(body.index("Never line"), body.index("Old line"))
        self.assertNotIn("Fresh line", body)
        self.assertIn("Gone line", body)

    def test_members_and_visitors_may_not(self):
        self.assertEqual(self.client.get(STALE).status_code, 302)
        self.client.force_login(self.cast.member)
        self.assertEqual(self.client.get(STALE).status_code, 403)

    def test_staff_page_queries_stay_flat(self):
        make_resources(3, reviewed_at=None)
        self.client.force_login(self.cast.staff)
        with self.assertNumQueries(5):  # session, user, stale, their hours, deactivated
            self.client.get(STALE)
        make_resources(27, reviewed_at=None)
        make_resources(5, active=False)
        with self.assertNumQueries(5):
            self.client.get(STALE)


class FilterFormTests(KinshipTestCase):
    def test_the_form_keeps_the_chosen_filters(self):
        make_resource(region="London", languages="en,es")
        response = self.client.get(LIST, {"kind": "helpline", "region": "London", "language": "es", "open_now": "on"})
        self.assertContains(response, '<option value="helpline" selected>', html=False)
        self.assertContains(response, '<option value="London" selected>', html=False)
        self.assertContains(response, '<option value="es" selected>Spanish</option>', html=False)
        self.assertContains(response, 'id="id_open_now" checked>', html=False)
        response = self.client.get(LIST, {"open_now": "false"})
        self.assertNotContains(response, 'id="id_open_now" checked>', html=False)

    def test_an_unknown_region_is_no_matches_not_an_error(self):
        make_resource(region="London")
        response = self.client.get(LIST, {"region": "Atlantis"})
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "Select a valid choice")
        self.assertContains(response, "No resources match these filters")

    def test_a_bad_kind_is_said_once(self):
        response = self.client.get(LIST, {"kind": "spa"})
        self.assertContains(response, "Unknown kind", count=1, status_code=422)
        self.assertNotContains(response, "Select a valid choice", status_code=422)
