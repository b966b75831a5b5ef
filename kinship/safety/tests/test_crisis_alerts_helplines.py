"""library.helplines.crisis_helplines: directory helplines by language and region, built-in fallback."""

from datetime import time

from kinship.core.testing import KinshipTestCase
from kinship.library.helplines import BUILT_IN_HELPLINES, HELPLINES_SHOWN, crisis_helplines
from kinship.library.models import OpeningHours, Resource


def line(name: str, **fields: object) -> Resource:
    fields.setdefault("region", "National")
    fields.setdefault("languages", "en")
    return Resource.objects.create(kind=Resource.HELPLINE, name=name, **fields)


class CrisisHelplinesTests(KinshipTestCase):
    def test_built_in_list_when_the_directory_lists_no_active_helpline(self) -> None:
        line("Gone", active=False)
        Resource.objects.create(kind=Resource.COUNSELLING, name="Not a helpline")
        found = crisis_helplines(self.cast.member)
        self.assertEqual([h.name for h in found], [b.name for b in BUILT_IN_HELPLINES])
        self.assertTrue(all(h.id is None and h.url is None for h in found))

    def test_language_then_region_then_open_now(self) -> None:
        closed = line("A closed national line", timezone="UTC")
        for weekday in range(7):
            OpeningHours.objects.create(resource=closed, weekday=weekday, opens=time(3, 0), closes=time(3, 1))
        line("B always open", always_open=True)
        line("C Scotland only", region="Scotland", always_open=True)
        line("D Spanish line", languages="es,en", region="United States")
        names = [h.name for h in crisis_helplines(self.cast.member)]
        self.assertEqual(names, ["B always open", "A closed national line", "C Scotland only", "D Spanish line"])
        names = [h.name for h in crisis_helplines(self.cast.member, language="es")]
        self.assertEqual(names[0], "D Spanish line")
        names = [h.name for h in crisis_helplines(self.cast.member, region="scotland")]
        self.assertEqual(names[0], "C Scotland only")

    def test_at_most_four_in_two_queries_whatever_the_size_and_for_visitors(self) -> None:
        for i in range(3):
            line(f"Line {i}")
        with self.assertNumQueries(2):
            crisis_helplines(None)
        for i in range(30):
            line(f"More {i}", always_open=True)
        with self.assertNumQueries(2):
            found = crisis_helplines(None, language="es", region="\x00")
        self.assertEqual(len(found), HELPLINES_SHOWN)
