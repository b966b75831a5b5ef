from datetime import timedelta
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.utils import timezone

from kinship.accounts import services as accounts
from kinship.accounts.models import ConsentRecord
from kinship.core import factories
from kinship.core.errors import Invalid
from kinship.core.testing import KinshipTestCase

backfill = import_module("kinship.accounts.migrations.0004_backfill_consents")


class SignUpConsentTests(KinshipTestCase):
    def sign_up(self, accept: object = True):
        return accounts.sign_up(
            email="new.person@example.org",
            password="a long enough passphrase",
            display_name="New Person",
            role="patient",
            accept_terms=accept,
            base_url="http://testserver/",
            address="127.0.0.5",
        )

    def test_sign_up_records_terms_and_privacy_at_the_version_in_force(self):
        user = self.sign_up()
        rows = ConsentRecord.objects.filter(user=user)
        self.assertEqual(
            sorted(rows.values_list("document", "version", "action")),
            [("privacy", settings.TERMS_VERSION, "accepted"), ("terms", settings.TERMS_VERSION, "accepted")],
        )
        self.assertEqual(set(rows.values_list("account_number", flat=True)), {user.pk})

    def test_refused_sign_up_records_nothing(self):
        with self.assertRaises(Invalid):
            self.sign_up(accept=False)
        self.assertFalse(ConsentRecord.objects.exists())


class BackfillTests(KinshipTestCase):
    def run_backfill(self) -> None:
        # The function reads the app registry only; the schema editor is unused.
        backfill.backfill(apps, None)

    def test_members_who_accepted_get_their_history_once(self):
        accepted_at = timezone.now() - timedelta(days=400)
        old = factories.make_user(terms_accepted_at=accepted_at, terms_version="2024-01")
        never = factories.make_user(terms_accepted_at=None, terms_version="")
        self.run_backfill()
        self.run_backfill()  # can run twice
        rows = ConsentRecord.objects.filter(account_number=old.pk)
        self.assertEqual(
            sorted(rows.values_list("document", "version")), [("privacy", "2024-01"), ("terms", "2024-01")]
        )
        self.assertEqual({r.created_at for r in rows}, {accepted_at})
        self.assertFalse(ConsentRecord.objects.filter(account_number=never.pk).exists())
