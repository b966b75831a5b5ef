"""Print where to open Kinship and the demo accounts to sign in with (`make run` calls this)."""

from typing import Any

from django.contrib.auth.hashers import check_password
from django.core.management.base import BaseCommand
from django.db.models import Prefetch

from kinship.accounts.models import User
from kinship.circles.models import Membership
from kinship.core.management.commands.seed_demo import DEMO_DOMAIN, DEMO_PASSWORD, DEMO_TOTP_SECRET

ROLE_ORDER = ["staff", "facilitator", "patient", "caregiver"]


class Command(BaseCommand):
    help = f"Print the address to open and the demo accounts (emails @{DEMO_DOMAIN}) to sign in with."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--address", default="http://127.0.0.1:8000/", help="Where the server listens.")

    def handle(self, *args: Any, **options: Any) -> None:
        out = self.stdout
        out.write("")
        out.write(self.style.SUCCESS(f"Kinship: open {options['address']}"))
        memberships = Membership.objects.select_related("circle")
        people = list(
            User.objects.filter(email__iendswith=f"@{DEMO_DOMAIN}", is_active=True)
            .prefetch_related(Prefetch("memberships", queryset=memberships, to_attr="all_memberships"))
            .order_by("email")
        )
        if not people:
            out.write("No demo accounts in this database (run `manage.py seed_demo` to add them).")
            out.write("")
            return
        # Demo accounts share one password hash; check each distinct hash once, not once per person.
        still_demo = {h: check_password(DEMO_PASSWORD, h) for h in {p.password for p in people}}
        rows = [(p.email, DEMO_PASSWORD if still_demo[p.password] else "(changed)", *self._role(p)) for p in people]
        rows.sort(key=lambda row: (ROLE_ORDER.index(row[2]), row[0]))
        headers = ("email", "password", "role", "circles")
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers[:3])]
        out.write("")
        out.write("Demo accounts to sign in with:")
        out.write("  " + "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=False)) + "  " + headers[3])
        for row in rows:
            out.write("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)) + "  " + row[3])
        out.write("")
        out.write(f"Staff and facilitators use two-step sign-in: add the key {DEMO_TOTP_SECRET} to an authenticator.")
        out.write("")

    @staticmethod
    def _role(person: Any) -> tuple[str, str]:
        """The role to try the site as, and the circles it applies to."""
        active = [m for m in person.all_memberships if m.is_active]
        pending = sorted(m.circle.name for m in person.all_memberships if not m.is_active)
        facilitates = sorted(m.circle.name for m in active if m.role == Membership.FACILITATOR)
        belongs = sorted(m.circle.name for m in active)
        if person.is_staff:
            return "staff", "all circles, and the admin at /admin/"
        if facilitates:
            return "facilitator", ", ".join(facilitates)
        circles = ", ".join(belongs + [f"{name} (asked to join)" for name in pending])
        return person.get_role_display().lower(), circles or "none yet"
