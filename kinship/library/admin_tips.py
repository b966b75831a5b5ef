"""Admin for tips."""
