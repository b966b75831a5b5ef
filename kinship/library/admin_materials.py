"""Admin for materials."""
