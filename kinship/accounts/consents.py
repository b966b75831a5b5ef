"""The consent history: each acceptance or withdrawal of the terms and the privacy notice, kept for good.

Sign-up accepts both documents at the version in force (settings.TERMS_VERSION); erasing an account
withdraws them. The rows outlive the account by its number alone (kinship.safety.data_rights).
"""

from django.conf import settings

from kinship.accounts.models import ConsentRecord, User

DOCUMENTS = (ConsentRecord.TERMS, ConsentRecord.PRIVACY)


def record(*, user: User, action: str = ConsentRecord.ACCEPTED, version: str | None = None) -> list[ConsentRecord]:
    """One row per document for this member, at the given version (default: the one in force)."""
    version = version or user.terms_version or settings.TERMS_VERSION
    return ConsentRecord.objects.bulk_create(
        [
            ConsentRecord(user=user, account_number=user.pk, document=document, version=version, action=action)
            for document in DOCUMENTS
        ]
    )
