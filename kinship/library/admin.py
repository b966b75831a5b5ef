"""Staff curate the library in the admin; each area keeps its own admin_<area>.py, imported here."""

from kinship.library import admin_materials, admin_referrals, admin_resources, admin_tips  # noqa: F401
