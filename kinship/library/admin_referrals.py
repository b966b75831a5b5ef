"""Admin for referrals."""
