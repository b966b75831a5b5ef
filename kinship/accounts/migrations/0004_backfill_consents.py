"""Consent history for members who joined before it was kept: their sign-up acceptance, once."""

from django.db import migrations
from django.db.models import OuterRef, Subquery

BATCH = 500


def backfill(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    ConsentRecord = apps.get_model("accounts", "ConsentRecord")
    # Run twice, add nothing: only members without any consent row yet.
    recorded = ConsentRecord.objects.values("account_number")
    members = list(
        User.objects.filter(terms_accepted_at__isnull=False).exclude(pk__in=recorded).values_list("pk", "terms_version")
    )
    for start in range(0, len(members), BATCH):
        chunk = members[start : start + BATCH]
        ConsentRecord.objects.bulk_create(
            ConsentRecord(user_id=pk, account_number=pk, document=document, version=version or "unknown")
            for pk, version in chunk
            for document in ("terms", "privacy")
        )
        # created_at is filled with "now" on insert; the history should say when they really accepted.
        accepted = User.objects.filter(pk=OuterRef("account_number")).values("terms_accepted_at")[:1]
        ConsentRecord.objects.filter(account_number__in=[pk for pk, _ in chunk]).update(created_at=Subquery(accepted))


def unbackfill(apps, schema_editor):
    """Nothing to undo: the rows are true history and stay."""


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_moderation_and_data_rights")]

    operations = [migrations.RunPython(backfill, unbackfill)]
