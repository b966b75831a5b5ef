"""Directory writes and reads: validation, create/edit/deactivate, review and verify, filters, demo data."""

from datetime import UTC, datetime, time, timedelta

from django.contrib.auth.models import AnonymousUser
from django.db.models import F
from django.test import TestCase
from django.utils import timezone

from kinship.core import factories
from kinship.core.errors import Invalid, NotAllowed
from kinship.core.testing import KinshipTestCase
from kinship.library import demo_resources, directory
from kinship.library.models import OpeningHours, Resource
from kinship.library.tests.resources_support import WEEKDAYS_9_TO_5, make_resource


def values(**overrides):
    data = {
        "kind": Resource.HELPLINE,
        "name": "Example Sarcoma Helpline",
        "description": "Nurses answer questions.",
        "website": "https://example.org/helpline",
        "phone": "01632 960123",
        "address": "1 Example Road",
        "region": "National",
        "languages": "en, ES",
        "eligibility": "Anyone affected.",
        "cost": "Free",
        "timezone": "Europe/London",
        "always_open": False,
        "is_example": True,
        "hours": WEEKDAYS_9_TO_5,
    }
    data.update(overrides)
    return data


class CreateTests(KinshipTestCase):
    def test_facilitator_adds_an_entry_with_hours(self):
        resource = directory.create_resource(actor=self.cast.facilitator, **values())
        self.assertEqual(resource.languages, "en,es")
        self.assertEqual(resource.created_by, self.cast.facilitator)
        self.assertIsNotNone(resource.reviewed_at)
        self.assertIsNone(resource.verified_at)
        self.assertEqual(resource.hours.count(), 5)

    def test_members_and_visitors_may_not(self):
        for user in (self.cast.member, self.cast.outsider, AnonymousUser()):
            with self.subTest(user=user), self.assertRaises(NotAllowed):
                directory.create_resource(actor=user, **values())
        self.assertFalse(Resource.objects.exists())

    def test_24_7_keeps_no_hours(self):
        resource = directory.create_resource(actor=self.cast.staff, **values(always_open=True))
        self.assertTrue(resource.always_open)
        self.assertFalse(resource.hours.exists())

    def test_every_bad_field_is_named_and_nothing_is_saved(self):
        bad = values(
            kind="spa",
            name="  ",
            website="javascript:alert(1)",
            phone="call us!",
            languages="english",
            timezone="Mars/Olympus",
            always_open="yes",
            description="x" * 5001,
            hours=[{"weekday": 7, "opens": "09:00", "closes": "17:00"}],
        )
        with self.assertRaises(Invalid) as caught:
            directory.create_resource(actor=self.cast.staff, **bad)
        self.assertEqual(
            set(caught.exception.errors),
            {"kind", "name", "website", "phone", "languages", "timezone", "always_open", "description", "hours"},
        )
        self.assertFalse(Resource.objects.exists())

    def test_kind_and_name_are_required(self):
        with self.assertRaises(Invalid) as caught:
            directory.create_resource(actor=self.cast.staff, description="No name")
        self.assertEqual(set(caught.exception.errors), {"kind", "name"})

    def test_unknown_fields_are_refused(self):
        with self.assertRaises(Invalid):
            directory.create_resource(actor=self.cast.staff, **values(verified_by=self.cast.staff))

    def test_control_characters_and_wrong_types_are_refused(self):
        for field, value in (("name", "nul\x00"), ("name", 5), ("region", ["x"]), ("description", {"a": 1})):
            with self.subTest(field=field), self.assertRaises(Invalid) as caught:
                directory.create_resource(actor=self.cast.staff, **values(**{field: value}))
            self.assertIn(field, caught.exception.errors)

    def test_overlapping_hours_are_refused_with_both_periods_named(self):
        hours = [
            {"weekday": 4, "opens": "22:00", "closes": "02:00"},
            {"weekday": 5, "opens": "01:00", "closes": "05:00"},
        ]
        with self.assertRaises(Invalid) as caught:
            directory.create_resource(actor=self.cast.staff, **values(hours=hours))
        self.assertEqual(caught.exception.errors["hours"], ["Fri 22:00-02:00 overlaps Sat 01:00-05:00."])

    def test_bad_hour_rows_name_the_row(self):
        for hours in (
            [{"weekday": 0, "opens": "9am", "closes": "17:00"}],
            [{"weekday": True, "opens": "09:00", "closes": "17:00"}],
            [{"weekday": 0, "opens": "09:00"}],
            [{"weekday": 0, "opens": time(9, 0, 30), "closes": "17:00"}],
            ["Mon 09:00-17:00"],
            "not a list" * 3,
            [{"weekday": 0, "opens": "09:00", "closes": "10:00"}] * 29,
        ):
            with self.subTest(hours=str(hours)[:40]), self.assertRaises(Invalid) as caught:
                directory.create_resource(actor=self.cast.staff, **values(hours=hours))
            self.assertIn("hours", caught.exception.errors)

    def test_languages_keep_whole_codes_once_in_lower_case(self):
        self.assertEqual(directory.clean_languages("EN, es;fr en"), "en,es,fr")
        self.assertEqual(directory.clean_languages(["en", "bfi"]), "en,bfi")
        self.assertEqual(directory.clean_languages(""), "")
        for bad in ("e", "english", "en-GB", ["en", 5]):
            with self.subTest(bad=bad), self.assertRaises(Invalid):
                directory.clean_languages(bad)

    def test_direction_controls_in_a_name_are_refused(self):
        with self.assertRaises(Invalid):
            directory.create_resource(actor=self.cast.staff, **values(name="Help\u202eenil"))


class UpdateTests(KinshipTestCase):
    def setUp(self):
        self.resource = directory.create_resource(actor=self.cast.staff, **values())

    def test_facilitator_edits_and_replaces_hours(self):
        directory.update_resource(
            actor=self.cast.facilitator,
            resource=self.resource,
            changes={"name": "Renamed line", "hours": [{"weekday": 6, "opens": "20:00", "closes": "02:00"}]},
        )
        self.resource.refresh_from_db()
        self.assertEqual(self.resource.name, "Renamed line")
        self.assertEqual(list(self.resource.hours.values_list("weekday", "opens", "closes")), [(6, time(20), time(2))])

    def test_fields_left_out_keep_their_value(self):
        directory.update_resource(actor=self.cast.staff, resource=self.resource, changes={"cost": "£5"})
        self.resource.refresh_from_db()
        self.assertEqual(self.resource.name, "Example Sarcoma Helpline")
        self.assertEqual(self.resource.hours.count(), 5)

    def test_switching_to_24_7_clears_the_hours(self):
        directory.update_resource(actor=self.cast.staff, resource=self.resource, changes={"always_open": True})
        self.assertFalse(OpeningHours.objects.filter(resource=self.resource).exists())

    def test_member_may_not_edit(self):
        with self.assertRaises(NotAllowed):
            directory.update_resource(actor=self.cast.member, resource=self.resource, changes={"name": "Mine"})
        self.resource.refresh_from_db()
        self.assertEqual(self.resource.name, "Example Sarcoma Helpline")

    def test_a_bad_edit_changes_nothing(self):
        with self.assertRaises(Invalid):
            directory.update_resource(actor=self.cast.staff, resource=self.resource, changes={"name": "", "hours": []})
        self.resource.refresh_from_db()
        self.assertEqual(self.resource.name, "Example Sarcoma Helpline")
        self.assertEqual(self.resource.hours.count(), 5)

    def test_deactivate_and_back(self):
        directory.deactivate_resource(actor=self.cast.facilitator, resource=self.resource)
        self.assertFalse(Resource.objects.get(pk=self.resource.pk).active)
        directory.update_resource(actor=self.cast.staff, resource=self.resource, changes={"active": True})
        self.assertTrue(Resource.objects.get(pk=self.resource.pk).active)

    def test_member_may_not_deactivate(self):
        with self.assertRaises(NotAllowed):
            directory.deactivate_resource(actor=self.cast.member, resource=self.resource)
        self.assertTrue(Resource.objects.get(pk=self.resource.pk).active)


class ReviewTests(KinshipTestCase):
    def test_mark_reviewed_sets_only_the_review_date(self):
        resource = make_resource(reviewed_at=None)
        directory.mark_reviewed(actor=self.cast.facilitator, resource=resource)
        resource.refresh_from_db()
        self.assertIsNotNone(resource.reviewed_at)
        self.assertIsNone(resource.verified_by)
        self.assertFalse(directory.is_stale(resource))

    def test_mark_verified_records_who_and_when(self):
        resource = make_resource(reviewed_at=timezone.now() - timedelta(days=800))
        directory.mark_reviewed(actor=self.cast.staff, resource=resource, verified=True)
        resource.refresh_from_db()
        self.assertEqual(resource.verified_by, self.cast.staff)
        self.assertEqual(resource.verified_at, resource.reviewed_at)

    def test_member_may_not_review(self):
        resource = make_resource(reviewed_at=None)
        with self.assertRaises(NotAllowed):
            directory.mark_reviewed(actor=self.cast.member, resource=resource, verified=True)
        resource.refresh_from_db()
        self.assertIsNone(resource.reviewed_at)


class FilterTests(KinshipTestCase):
    # Wednesday 15 January 2025, 12:00 UTC: London is at noon, New York at 07:00.
    NOW = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)

    def names(self, **filters):
        parsed = directory.parse_filters(filters)
        page = directory.resource_page(AnonymousUser(), parsed, cursor=None, limit=100, now=self.NOW)
        return [r.name for r in page.items]

    def test_kind_region_and_free_text(self):
        make_resource(name="Alpha line", kind=Resource.HELPLINE, region="London")
        make_resource(name="Beta grant", kind=Resource.FINANCIAL, region="Scotland", description="Travel costs")
        self.assertEqual(self.names(kind="financial"), ["Beta grant"])
        self.assertEqual(self.names(region="London"), ["Alpha line"])
        self.assertEqual(self.names(q="TRAVEL"), ["Beta grant"])
        self.assertEqual(self.names(q="alpha"), ["Alpha line"])
        self.assertEqual(self.names(q="100%_"), [])

    def test_language_matches_whole_codes_only(self):
        make_resource(name="English", languages="en")
        make_resource(name="Spanish first", languages="es,en")
        make_resource(name="Middle", languages="fr,en,es")
        make_resource(name="Bengali", languages="bn")
        make_resource(name="Three letters", languages="eng")
        make_resource(name="Sign", languages="bfi,en")
        self.assertEqual(self.names(language="en"), ["English", "Middle", "Sign", "Spanish first"])
        self.assertEqual(self.names(language="es"), ["Middle", "Spanish first"])
        self.assertEqual(self.names(language="bfi"), ["Sign"])
        self.assertEqual(self.names(language="EN"), ["English", "Middle", "Sign", "Spanish first"])

    def test_open_now(self):
        make_resource(name="London day line", hours=[(2, "09:00", "17:00")])
        make_resource(name="New York day line", timezone="America/New_York", hours=[(2, "09:00", "17:00")])
        make_resource(name="Always", always_open=True)
        make_resource(name="No hours known")
        make_resource(name="Night line", hours=[(1, "22:00", "13:00")])  # Tuesday 22:00 to Wednesday 13:00
        self.assertEqual(self.names(open_now="true"), ["Always", "London day line", "Night line"])
        self.assertEqual(len(self.names(open_now="false")), 5)

    def test_bad_filters_are_named(self):
        cases = {
            "kind": {"kind": "spa"},
            "language": {"language": "english"},
            "open_now": {"open_now": "perhaps"},
            "q": {"q": "x" * 201},
        }
        for field, data in cases.items():
            with self.subTest(field=field), self.assertRaises(Invalid) as caught:
                directory.parse_filters(data)
            self.assertIn(field, caught.exception.errors)
        with self.assertRaises(Invalid) as caught:
            directory.parse_filters({"region": "a\x00b"})
        self.assertIn("region", caught.exception.errors)

    def test_pages_follow_the_name_order(self):
        for n in range(5):
            make_resource(name=f"Line {n}")
        first = directory.resource_page(AnonymousUser(), directory.Filters(), cursor=None, limit=2)
        second = directory.resource_page(AnonymousUser(), directory.Filters(), cursor=first.next, limit=2)
        third = directory.resource_page(AnonymousUser(), directory.Filters(), cursor=second.next, limit=2)
        self.assertEqual([r.name for r in first.items + second.items + third.items], [f"Line {n}" for n in range(5)])
        self.assertIsNone(third.next)

    def test_a_broken_cursor_is_invalid(self):
        with self.assertRaises(Invalid):
            directory.resource_page(AnonymousUser(), directory.Filters(), cursor="garbage!!", limit=2)

    def test_filter_choices_come_from_listed_entries(self):
        make_resource(region="London", languages="en,pl")
        make_resource(region="Hidden place", languages="so", active=False)
        regions, languages = directory.filter_choices()
        self.assertEqual(regions, ["London"])
        self.assertEqual(languages, [("en", "English"), ("pl", "Polish")])

    def test_tel_links(self):
        self.assertEqual(directory.tel_url("01632 960123"), "tel:01632960123")
        self.assertEqual(directory.tel_url("+44 (0)1632 960-123"), "tel:+4401632960123")
        self.assertEqual(directory.tel_url(""), "")


class DemoTests(TestCase):
    def test_demo_entries_are_examples_across_every_kind_with_one_stale(self):
        staff = factories.make_user(is_staff=True)
        circle = factories.make_circle()
        people = {"rosa": staff}
        for key in ("marcus", "ingrid"):
            people[key] = factories.make_user()
            factories.add_member(circle, people[key], role="facilitator")
        made = demo_resources.seed(people, {})
        self.assertGreaterEqual(made, 15)
        resources = list(Resource.objects.all())
        self.assertTrue(all(r.is_example and r.name.startswith("Example") for r in resources))
        self.assertEqual({r.kind for r in resources}, set(Resource.KINDS))
        self.assertGreaterEqual(sum(r.always_open and r.kind == Resource.HELPLINE for r in resources), 2)
        self.assertGreaterEqual(
            OpeningHours.objects.filter(closes__lte=F("opens")).values("resource").distinct().count(), 2
        )
        self.assertEqual(len(directory.needs_review(staff)), 1)
        self.assertTrue({"en", "es"} <= {code for r in resources for code in r.language_list})
