"""CSV export and import of the directory: round trip, the validation report, all or nothing, odd files."""

import csv
import io
from datetime import timedelta
from unittest import mock

from django.utils import timezone

from kinship.core.errors import Invalid, NotAllowed
from kinship.core.testing import KinshipTestCase
from kinship.library import csv_io, directory
from kinship.library.models import OpeningHours, Resource
from kinship.library.tests.resources_support import make_resource

HEADER = "kind,name,description,phone,languages,timezone,hours,is_example\n"


def snapshot():
    """Everything the CSV carries, per entry, in a comparable form."""
    rows = []
    for r in Resource.objects.order_by("name"):
        hours = sorted(OpeningHours.objects.filter(resource=r).values_list("weekday", "opens", "closes"))
        rows.append(
            (
                r.kind, r.name, r.description, r.website, r.phone, r.address, r.region, r.languages,
                r.eligibility, r.cost, r.timezone, r.always_open, r.is_example, r.active, tuple(hours),
            )
        )  # fmt: skip
    return rows


def parse(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


class CsvTestCase(KinshipTestCase):
    def run_import(self, text: str | bytes, *, user=None, check_only=False):
        data = text.encode("utf-8") if isinstance(text, str) else text
        return csv_io.import_csv(actor=user or self.cast.facilitator, data=data, check_only=check_only)

    def make_varied(self):
        make_resource(
            name="Night line",
            hours=[(4, "22:00", "02:00"), (6, "20:00", "03:00"), (0, "09:00", "17:00")],
            languages="en,es",
            is_example=True,
            website="https://example.org/night",
            eligibility="Ages 16-30.\nDuring or after treatment.",
        )
        make_resource(name="Always line", always_open=True, timezone="America/New_York", phone="+1 (212) 555-0134")
        make_resource(name="No hours", kind="financial", cost="£5, or free", active=False, phone="")
        make_resource(
            name='=HYPERLINK("http://evil.example")',
            description='She said "hello", then; left',
            address="-1 Minus Street",
            region="@home",
            kind="peer",
        )
        make_resource(name="Café Ñandú 日本", description="Unicode ✓", languages="pl")


class ExportTests(CsvTestCase):
    def test_columns_and_rows(self):
        self.make_varied()
        rows = parse(csv_io.export_csv(actor=self.cast.staff))
        self.assertEqual(rows[0], csv_io.COLUMNS)
        self.assertEqual(len(rows), 6)
        by_name = {row[2]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
        self.assertEqual(by_name["Night line"]["hours"], "Mon 09:00-17:00; Fri 22:00-02:00; Sun 20:00-03:00")
        self.assertEqual(by_name["Always line"]["hours"], "24/7")
        self.assertEqual(by_name["No hours"]["hours"], "")
        self.assertEqual(by_name["No hours"]["active"], "no")
        self.assertEqual(by_name["Night line"]["is_example"], "yes")

    def test_formula_cells_are_defused(self):
        self.make_varied()
        body = csv_io.export_csv(actor=self.cast.staff).decode("utf-8-sig")
        self.assertIn("'=HYPERLINK", body)
        self.assertIn("'-1 Minus Street", body)
        self.assertIn("'@home", body)
        # Phone numbers are checked to be digits and punctuation, so they stay as dialled.
        self.assertIn("+1 (212) 555-0134", body)

    def test_starts_with_a_bom_for_spreadsheets(self):
        self.assertTrue(csv_io.export_csv(actor=self.cast.staff).startswith(b"\xef\xbb\xbf"))

    def test_verifier_shows_as_display_name_never_email(self):
        make_resource(verified_by=self.cast.staff, verified_at=timezone.now(), reviewed_at=timezone.now())
        body = csv_io.export_csv(actor=self.cast.staff).decode("utf-8-sig")
        self.assertIn("Sam Staff", body)
        self.assertNotIn("@example.org", body)

    def test_members_may_not_export(self):
        with self.assertRaises(NotAllowed):
            csv_io.export_csv(actor=self.cast.member)

    def test_export_queries_do_not_grow(self):
        self.make_varied()
        with self.assertNumQueries(2):
            csv_io.export_csv(actor=self.cast.staff)
        for _ in range(20):
            make_resource(hours=[(0, "09:00", "10:00")])
        with self.assertNumQueries(2):
            csv_io.export_csv(actor=self.cast.staff)


class RoundTripTests(CsvTestCase):
    def test_export_then_import_restores_edited_entries(self):
        self.make_varied()
        before = snapshot()
        exported = csv_io.export_csv(actor=self.cast.staff)
        # Someone changes things; importing the export puts them back.
        Resource.objects.update(name="Changed", description="", always_open=False, active=True, languages="")
        OpeningHours.objects.all().delete()
        report = self.run_import(exported)
        self.assertEqual(report.errors, [])
        self.assertEqual((report.created, report.updated), (0, 5))
        self.assertEqual(snapshot(), before)

    def test_export_then_import_into_an_empty_directory_makes_the_same_entries(self):
        self.make_varied()
        before = snapshot()
        rows = parse(csv_io.export_csv(actor=self.cast.staff))
        for row in rows[1:]:
            row[0] = ""  # no ids: new entries
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        Resource.objects.all().delete()
        report = self.run_import(out.getvalue())
        self.assertEqual(report.errors, [])
        self.assertEqual(report.created, 5)
        self.assertEqual(snapshot(), before)

    def test_import_twice_changes_nothing_the_second_time(self):
        self.make_varied()
        exported = csv_io.export_csv(actor=self.cast.staff)
        self.run_import(exported)
        once = snapshot()
        self.run_import(exported)
        self.assertEqual(snapshot(), once)

    def test_review_columns_are_ignored(self):
        resource = make_resource(reviewed_at=timezone.now() - timedelta(days=10))
        text = f"id,kind,name,reviewed_at,verified_at,verified_by\n{resource.pk},helpline,Same,2001-01-01T00:00:00+00:00,2001-01-01T00:00:00+00:00,Someone\n"
        self.assertTrue(self.run_import(text).ok)
        resource.refresh_from_db()
        self.assertGreater(resource.reviewed_at, timezone.now() - timedelta(days=11))
        self.assertIsNone(resource.verified_at)


class ImportTests(CsvTestCase):
    def test_new_entries_count_as_reviewed_by_the_importer(self):
        report = self.run_import(HEADER + "helpline,New line,,01632 960100,en,Europe/London,Mon-Fri 09:00-17:00,yes\n")
        self.assertTrue(report.saved)
        resource = Resource.objects.get()
        self.assertEqual(resource.created_by, self.cast.facilitator)
        self.assertFalse(directory.is_stale(resource))
        self.assertTrue(resource.is_example)
        self.assertEqual(resource.hours.count(), 5)

    def test_kind_labels_and_spreadsheet_habits_are_read(self):
        text = "\ufeffKind;Name;Hours;Active\nFinancial assistance;Grant;24/7;YES\n\n;;;\nhelpline;Line;;\n"
        report = self.run_import(text)
        self.assertEqual(report.errors, [])
        self.assertEqual(report.created, 2)
        grant = Resource.objects.get(name="Grant")
        self.assertEqual(grant.kind, "financial")
        self.assertTrue(grant.always_open)

    def test_utf16_with_bom_is_read(self):
        report = self.run_import(("kind,name\nhelpline,Línea de apoyo\n").encode("utf-16"))
        self.assertTrue(report.saved)
        self.assertEqual(Resource.objects.get().name, "Línea de apoyo")

    def test_each_bad_row_is_named_and_nothing_is_imported(self):
        existing = make_resource(name="Existing")
        text = (
            "id,kind,name,phone,languages,timezone,hours,is_example,website\n"
            ",helpline,Good line,01632 960100,en,Europe/London,Mon 09:00-17:00,no,\n"  # row 2: fine
            ",spa,Bad kind,,,,,,\n"  # row 3
            ",helpline,,,,,,,\n"  # row 4: no name
            ",helpline,Bad phone,call me,english,Mars/Base,,maybe,javascript:alert(1)\n"  # row 5
            ",helpline,Bad hours,,,,Mon 9-5,,\n"  # row 6
            ",helpline,Overlap,,,,Mon 09:00-12:00; Mon 11:00-13:00,,\n"  # row 7
            f"{existing.pk},helpline,Update,,,,,,\n"  # row 8: fine
            "999999,helpline,Missing id,,,,,,\n"  # row 9
            f"{existing.pk},helpline,Twice,,,,,,\n"  # row 10
            "abc,helpline,Bad id,,,,,,\n"  # row 11
        )
        report = self.run_import(text)
        self.assertFalse(report.ok)
        found = [(e.row, e.field) for e in report.errors]
        self.assertEqual(
            found,
            [
                (3, "kind"),
                (4, "name"),
                (5, "website"),
                (5, "phone"),
                (5, "languages"),
                (5, "timezone"),
                (5, "is_example"),
                (6, "hours"),
                (7, "hours"),
                (9, "id"),
                (10, "id"),
                (11, "id"),
            ],
        )
        messages = {(e.row, e.field): e.message for e in report.errors}
        self.assertIn("There is no entry with id 999999", messages[(9, "id")])
        self.assertIn("already used on row 8", messages[(10, "id")])
        self.assertIn("Mon 09:00-12:00 overlaps Mon 11:00-13:00", messages[(7, "hours")])
        self.assertEqual(Resource.objects.count(), 1)
        self.assertEqual(Resource.objects.get().name, "Existing")

    def test_an_id_of_non_ascii_digits_is_a_row_error(self):
        # "²".isdigit() is true but int("²") fails: it was a 500 before.
        for raw in ("²", "1²", "\u0661\u0662", "\U0001d7d7"):
            for check_only in (False, True):
                with self.subTest(id=raw, check_only=check_only):
                    report = self.run_import(f"id,kind,name\n{raw},helpline,Line\n", check_only=check_only)
                    self.assertEqual([(e.row, e.field) for e in report.errors], [(2, "id")])
        self.assertFalse(Resource.objects.exists())

    def test_header_problems(self):
        for text, field in (
            ("name,description\nLine,x\n", "kind"),
            ("kind,name,colour\nhelpline,Line,red\n", "colour"),
            ("kind,name,name\nhelpline,Line,Line\n", "name"),
        ):
            with self.subTest(field=field):
                report = self.run_import(text)
                self.assertEqual([(e.row, e.field) for e in report.errors], [(1, field)])
        self.assertFalse(Resource.objects.exists())

    def test_file_problems_have_clear_messages(self):
        cases = [
            (b"", "empty"),
            (b"   \n  ", "empty"),
            (b"kind,name\n", "no rows"),
            (b"PK\x03\x04rest-of-a-zip", "Excel"),
            (b"kind,name\nhelpline,bad \x00 byte\n", "binary"),
            ("kind,name\nhelpline,Café\n".encode("cp1252"), "not UTF-8"),
            (b"\xfe\xff\xd8", "UTF-16"),
            (b"x" * (csv_io.MAX_BYTES + 1), "limit"),
            (b'kind,name\nhelpline,"unclosed\n' + b"x" * 140_000, "could not be read as CSV"),
            (b"kind,name\n" + b"helpline,x\n" * (csv_io.MAX_ROWS + 1), "2,000 rows"),
        ]
        for data, message in cases:
            with self.subTest(message=message):
                report = self.run_import(data)
                self.assertEqual(len(report.errors), 1, report.errors)
                self.assertEqual(report.errors[0].row, 0)
                self.assertIn(message, report.errors[0].message)
        self.assertFalse(Resource.objects.exists())

    def test_a_row_with_more_cells_than_the_header(self):
        report = self.run_import("kind,name\nhelpline,Line,extra\n")
        self.assertEqual([(e.row, e.field) for e in report.errors], [(2, "")])

    def test_control_characters_and_oversize_cells_are_named(self):
        report = self.run_import(f"kind,name,description\nhelpline,Bell \x07,{'x' * 5001}\n")
        self.assertEqual([(e.row, e.field) for e in report.errors], [(2, "name"), (2, "description")])

    def test_check_only_saves_nothing(self):
        report = self.run_import("kind,name\nhelpline,One\nhelpline,Two\n", check_only=True)
        self.assertTrue(report.ok)
        self.assertEqual(report.created, 2)
        self.assertFalse(report.saved)
        self.assertFalse(Resource.objects.exists())

    def test_members_may_not_import(self):
        with self.assertRaises(NotAllowed):
            self.run_import("kind,name\nhelpline,Sneaky\n", user=self.cast.member)
        self.assertFalse(Resource.objects.exists())

    def test_a_failure_while_saving_rolls_everything_back(self):
        real = directory.create_resource
        calls = []

        def failing(**kwargs):
            calls.append(1)
            if len(calls) == 3:
                raise Invalid("Something changed meanwhile.")
            return real(**kwargs)

        with mock.patch.object(directory, "create_resource", side_effect=failing):
            report = self.run_import("kind,name\nhelpline,One\nhelpline,Two\nhelpline,Three\n")
        self.assertFalse(report.ok)
        self.assertEqual((report.created, report.updated), (0, 0))
        self.assertEqual(report.errors[0].row, 4)
        self.assertFalse(Resource.objects.exists())

    def test_import_updates_only_named_columns(self):
        resource = make_resource(name="Keep", cost="Free", hours=[(0, "09:00", "17:00")])
        report = self.run_import(f"id,kind,name\n{resource.pk},helpline,Renamed\n")
        self.assertTrue(report.saved)
        resource.refresh_from_db()
        self.assertEqual((resource.name, resource.cost, resource.hours.count()), ("Renamed", "Free", 1))
